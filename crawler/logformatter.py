"""Log lines without whole items in them (descriptions are long and may hold junk).

Below DEBUG the per-page "Crawled" and per-item "Scraped" lines are not built at all: Scrapy
creates their log records before its handler drops them (~1 % of a crawl's CPU).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


def describe(item: Any) -> str:
    source = getattr(item, "source", None) if not isinstance(item, dict) else item.get("source")
    source_id = getattr(item, "source_id", None) if not isinstance(item, dict) else item.get("source_id")
    return f"{source}:{source_id}"


class JobLogFormatter(LogFormatter):
    def __init__(self, debug: bool = True) -> None:
        super().__init__()
        self.debug = debug  # whether DEBUG lines are logged at all (LOG_LEVEL)

    @classmethod
    def from_crawler(cls, crawler: Any) -> JobLogFormatter:
        level = crawler.settings.get("LOG_LEVEL", "DEBUG")
        number = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
        return cls(debug=not isinstance(number, int) or number <= logging.DEBUG)

    # Scrapy skips a message whose formatter returns None (its stubs do not say so)
    def crawled(self, request: Any, response: Response, spider: Spider) -> LogFormatterResult | None:  # type: ignore[override]
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult | None:  # type: ignore[override]
        return super().scraped(item, response, spider) if self.debug else None

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped %(item)s: %(exception)s"
        result["args"] = {"item": describe(item), "exception": exception}
        return result

    def item_error(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        result = super().item_error(item, exception, response, spider)
        result["msg"] = "Error processing %(item)s"
        result["args"] = {"item": describe(item)}
        return result
