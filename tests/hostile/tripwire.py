"""A test-only downloader middleware, last before the download handlers: the SSRF tests' safety net.

It records every request that gets past all other middlewares (``TRIPWIRE_FILE``, one URL per
line) and refuses (``IgnoreRequest``) any whose host is not ``127.0.0.1``: even if the SSRF guard
failed, a test crawl could never send a packet to ``10.0.0.1`` or ``169.254.169.254``, and the
test sees exactly what would have been fetched.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

PRIORITY = 1000  # after every built-in middleware (the highest is HttpCacheMiddleware, 900)


class TripwireMiddleware:
    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TripwireMiddleware:
        return cls(crawler.settings.get("TRIPWIRE_FILE"))

    def process_request(self, request: Request) -> None:
        with self.lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(request.url + "\n")
        if urlsplit(request.url).hostname != "127.0.0.1":
            raise IgnoreRequest(f"tripwire: {request.url} would have left 127.0.0.1")
