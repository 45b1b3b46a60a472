"""Validate: required fields and types.  Drops (and counts) what cannot be stored."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import JobPosting

logger = logging.getLogger(__name__)

REQUIRED = ("source", "source_id", "title")
#: longest text kept per field (bytes of a pathological page never reach the database)
MAX_TEXT = {"description_html": 1_000_000, "description_text": 500_000, "title": 1_000, "company": 1_000}


class ValidatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def drop(self, reason: str, item: Any, detail: str) -> DropItem:
        self._inc(f"jobs/dropped/{reason}")
        return DropItem(f"{reason}: {detail}")

    def process_item(self, item: Any) -> Any:
        if isinstance(item, dict):
            known = {k: v for k, v in item.items() if k in JobPosting.__dataclass_fields__}
            item = JobPosting(**known)
        if not ItemAdapter.is_item(item):
            raise self.drop("not_an_item", item, type(item).__name__)
        adapter = ItemAdapter(item)
        for name in REQUIRED:
            value = adapter.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool) and name == "source_id":
                adapter[name] = value = str(value)
            if value is not None and not isinstance(value, str):
                raise self.drop(f"invalid_{name}", item, f"{name} is a {type(value).__name__}")
            if value is None or not value.replace("\x00", "").strip():
                raise self.drop(
                    f"missing_{name}",
                    item,
                    f"no {name} (source={adapter.get('source')}, id={adapter.get('source_id')})",
                )
            adapter[name] = value.replace("\x00", "").strip()
        for name, limit in MAX_TEXT.items():
            value = adapter.get(name)
            if value is not None and not isinstance(value, str):
                logger.warning(
                    "%s:%s field %s is a %s, emptied",
                    adapter["source"],
                    adapter["source_id"],
                    name,
                    type(value).__name__,
                )
                self._inc(f"jobs/invalid_field/{name}")
                adapter[name] = None
            elif value is not None and len(value) > limit:
                logger.warning(
                    "%s:%s field %s truncated from %d chars",
                    adapter["source"],
                    adapter["source_id"],
                    name,
                    len(value),
                )
                self._inc(f"jobs/truncated/{name}")
                adapter[name] = value[:limit]
        self._inc("jobs/validated")
        return item
