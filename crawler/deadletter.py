"""Dead letters: an item whose processing raised an unexpected exception is never lost.

Scrapy logs the error and sends ``item_error``; this extension then appends the
item (all its fields), the error and the traceback to
``DEAD_LETTER_DIR/dead-<spider>-<pid>-<ms>.jsonl`` and counts ``jobs/dead_letter``.
``scrapy crawl deadletter`` (``spiders/deadletter.py``) feeds the files back
through every pipeline once the cause is fixed.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from twisted.python.failure import Failure

from crawler.db.store import item_fields
from crawler.logformatter import describe
from crawler.runs import mask_secrets

logger = logging.getLogger(__name__)


def dead_letter_record(spider: str, item: Any, error: str, traceback: str = "") -> dict[str, Any]:
    return {
        "spider": spider,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "error": mask_secrets(error),
        "traceback": mask_secrets(traceback[-4000:]),
        "item": dict(item_fields(item)),
    }


def append_dead_letters(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def dead_letter_path(directory: str | Path, spider: str) -> Path:
    return Path(directory) / f"dead-{spider}-{os.getpid()}-{int(time.time() * 1000)}.jsonl"


class DeadLetter:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.dir = Path(crawler.settings.get("DEAD_LETTER_DIR", ".deadletter"))
        self.path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeadLetter:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        return ext

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Failure) -> None:
        if self.path is None:
            self.path = dead_letter_path(self.dir, spider.name)
        error = f"{getattr(failure.type, '__name__', 'Error')}: {failure.getErrorMessage()}"
        record = dead_letter_record(spider.name, item, error, failure.getTraceback(elideFrameworkCode=True))
        append_dead_letters(self.path, [record])
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("jobs/dead_letter")
        logger.error("%s sent to the dead-letter file %s", describe(item), self.path)
