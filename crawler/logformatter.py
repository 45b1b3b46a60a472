"""Log lines without whole items in them (descriptions are long and may hold junk)."""

from __future__ import annotations

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
