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
#: fields that must be strings when present (a list or a mapping there is dropped, not guessed)
STR_FIELDS = tuple(
    name
    for name, f in JobPosting.__dataclass_fields__.items()
    if f.type == "str | None" and name not in REQUIRED
)
#: nesting kept in ``raw`` and other structured fields; deeper parts become a marker string
MAX_DEPTH = 40


def clean_str(value: str) -> tuple[str, bool]:
    """NUL bytes removed, lone surrogates (not encodable as UTF-8) replaced; (text, changed)."""
    changed = False
    if "\x00" in value:
        value, changed = value.replace("\x00", ""), True
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value, changed = value.encode("utf-8", "replace").decode("utf-8"), True
    return value, changed


def clean_value(value: Any, depth: int = 0) -> tuple[Any, bool]:
    """Strings cleaned (see :func:`clean_str`) inside lists/dicts, nesting cut at ``MAX_DEPTH``."""
    if isinstance(value, str):
        return clean_str(value)
    if isinstance(value, dict | list | tuple):
        if depth >= MAX_DEPTH:
            return "<nested too deep: cut>", True
        changed = False
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for k, v in value.items():
                ck, c1 = clean_value(k, depth + 1) if isinstance(k, str) else (k, False)
                cv, c2 = clean_value(v, depth + 1)
                out[ck] = cv
                changed = changed or c1 or c2
            return (out, True) if changed else (value, False)
        items = []
        for v in value:
            cv, c = clean_value(v, depth + 1)
            items.append(cv)
            changed = changed or c
        return (items, True) if changed else (value, False)
    return value, False


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
        for name in STR_FIELDS:
            value = adapter.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and name.endswith("_id"):
                adapter[name] = str(value)  # a numeric id is an id
            elif value is not None and not isinstance(value, str):
                logger.warning(
                    "%s:%s field %s is a %s, emptied",
                    adapter["source"],
                    adapter["source_id"],
                    name,
                    type(value).__name__,
                )
                self._inc(f"jobs/invalid_field/{name}")
                adapter[name] = None
        for name in adapter.field_names():
            value = adapter.get(name)
            if isinstance(value, str | dict | list):
                cleaned, changed = clean_value(value)
                if changed:
                    adapter[name] = cleaned
                    self._inc(f"jobs/cleaned/{name}")
                    logger.info(
                        "%s:%s field %s cleaned (NUL bytes, unencodable characters or too deep nesting)",
                        adapter["source"],
                        adapter["source_id"],
                        name,
                    )
        for name, limit in MAX_TEXT.items():  # strings by now: required, or emptied above when not
            value = adapter.get(name)
            if value is not None and len(value) > limit:
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
