"""Spider tests: helpers shared by ``test_jsonld``, ``test_greenhouse`` and ``test_lever``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TypeVar

from scrapy import Spider
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.test import get_crawler

from tests.mockserver import FIXTURES, Route

S = TypeVar("S", bound=Spider)


def make_spider(cls: type[S], settings: dict[str, Any] | None = None, **kwargs: Any) -> S:
    """A spider bound to a crawler (stats work), as ``scrapy crawl`` would build it."""
    crawler = get_crawler(cls, settings_dict=settings or {})
    spider = cls.from_crawler(crawler, **kwargs)
    return spider


def stats(spider: Spider) -> dict[str, Any]:
    assert spider.crawler is not None and spider.crawler.stats is not None
    return spider.crawler.stats.get_stats()


def fixture_response(
    relpath: str, url: str, status: int = 200, request: Request | None = None, html: bool = False
) -> Response:
    body = (FIXTURES / relpath).read_bytes()
    cls = HtmlResponse if html else TextResponse
    return cls(
        url=url,
        body=body,
        status=status,
        encoding="utf-8",
        request=request or Request(url),
        headers={"Content-Type": "text/html; charset=utf-8" if html else "application/json"},
    )


def text_response(text: str, url: str, status: int = 200, request: Request | None = None) -> TextResponse:
    return TextResponse(
        url=url, body=text.encode("utf-8"), status=status, encoding="utf-8", request=request or Request(url)
    )


def json_route(data: Any, status: int = 200) -> Route:
    return Route(
        status=status, body=json.dumps(data).encode("utf-8"), headers={"Content-Type": "application/json"}
    )


def crawl_settings() -> dict[str, str]:
    """End-to-end runs without pipelines/storage (tested elsewhere) and without delays."""
    return {
        "ITEM_PIPELINES": "{}",
        "STORE_ENABLED": "0",
        "AUTOTHROTTLE_ENABLED": "0",
        "DOWNLOAD_DELAY": "0",
        "LOG_LEVEL": "INFO",
    }


def crawl_env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.db'}", "STORE_SPOOL_DIR": str(tmp_path / "spool")}


def logged_stat(log: str, key: str) -> int | None:
    """A value from the 'Dumping Scrapy stats' block of a crawl log."""
    match = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(match.group(1)) if match else None
