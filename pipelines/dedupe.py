"""Dedupe within a run: the same ``(source, source_id)`` twice -> dropped and counted.

Cross-source matching (one job, several postings: origin links, canonical apply URLs,
near-duplicate company + title + location + description) runs in the store's write
transaction (``crawler/db/store.py`` with ``crawler/dedupe/``), against the index kept in
the database (``posting_bands``), so that concurrent writers and later runs see each
other's postings; this pipeline only drops exact repeats within one run.
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
