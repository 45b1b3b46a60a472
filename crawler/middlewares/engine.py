"""The crawl's engine as middlewares that pause or stop downloads see it (not a middleware)."""

from __future__ import annotations

from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler


def engine_of(crawler: Crawler) -> ExecutionEngine | None:
    """``crawler.engine``, or None before the crawl starts."""
    try:
        return crawler.engine
    except RuntimeError:  # Scrapy 2.19: not set before the crawl starts
        return None


def engine_running(crawler: Crawler) -> bool:
    engine = engine_of(crawler)
    return bool(engine is not None and engine.running)
