"""Replay dead letters through every pipeline: ``scrapy crawl deadletter [-a path=DIR_OR_FILE]``.

Reads the files written by ``crawler/deadletter.py`` (default: ``DEAD_LETTER_DIR``),
yields each item again (validate -> normalize -> dedupe -> store), and removes a
file once replayed: an item that fails again is written to a new dead-letter file.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from crawler.items import JobPosting
from spiders.base import JobSpider

FIELDS = frozenset(JobPosting.__dataclass_fields__)


class DeadLetterSpider(JobSpider):
    name = "deadletter"

    def __init__(self, *args: Any, path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path_arg = path
        self.claimed: list[Path] = []

    def files(self) -> list[Path]:
        root = Path(self.path_arg or self.settings.get("DEAD_LETTER_DIR", ".deadletter"))
        return [root] if root.is_file() else sorted(root.glob("dead-*.jsonl")) if root.is_dir() else []

    async def start(self) -> AsyncIterator[Any]:
        for path in self.files():
            claimed = path.with_name(f"replaying-{os.getpid()}-{path.name}")
            try:
                path.rename(claimed)
            except OSError:
                continue  # another replay took it
            self.claimed.append(claimed)
            for n, line in enumerate(claimed.read_text(encoding="utf-8").splitlines(), 1):
                try:
                    record = json.loads(line)
                    fields = {k: v for k, v in record["item"].items() if k in FIELDS}
                except (ValueError, KeyError, AttributeError, TypeError) as exc:
                    self.logger.warning("%s line %d is not a dead letter (%s)", path.name, n, exc)
                    self.count("dead_letter/unreadable")
                    continue
                self.count("dead_letter/replayed")
                yield JobPosting(**fields)

    def closed(self, reason: str) -> None:
        for path in self.claimed:
            path.unlink(missing_ok=True)
