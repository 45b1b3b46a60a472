"""Normalize: fill the normalized fields from what the spider extracted.

The work is done by the pure functions of ``crawler.normalize``; this pipeline
counts their problem codes as stats (``jobs/normalize/<code>``) and makes sure
one bad posting never stops the run: an unexpected exception is logged with
the posting's id, counted (``jobs/errors/normalize``), and the item continues
with the fields it has.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from crawler.db.store import parse_ts
from crawler.normalize.posting import normalize_posting

logger = logging.getLogger(__name__)


class NormalizePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        try:
            # relative dates ("2 days ago") count from when the page was fetched, not from now
            problems = normalize_posting(item, now=parse_ts(getattr(item, "fetched_at", None)))
        except Exception:
            logger.exception("normalization failed for %s:%s", item.source, item.source_id)
            if self.stats is not None:
                self.stats.inc_value("jobs/errors/normalize")
            return item
        for code in problems:
            if self.stats is not None:
                self.stats.inc_value(f"jobs/normalize/{code}")
            logger.debug("%s:%s normalize: %s", item.source, item.source_id, code)
        return item
