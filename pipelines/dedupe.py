"""Dedupe within a run: the same ``(source, source_id)`` twice -> dropped and counted.

Cross-source linking (one job, several postings) is persisted by the store
(``crawler/db/store.py:link_jobs``) so that concurrent runs and later runs see it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class DedupePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.seen: set[bytes] = set()  # 16-byte digests: ~100 bytes/posting in memory

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        key = hashlib.blake2b(
            f"{adapter['source']}\x1f{adapter['source_id']}".encode(), digest_size=16
        ).digest()
        if key in self.seen:
            if self.stats is not None:
                self.stats.inc_value("jobs/dropped/duplicate")
            raise DropItem(
                f"duplicate: {adapter['source']}:{adapter['source_id']} already seen in this run",
                log_level="INFO",
            )
        self.seen.add(key)
        return item
