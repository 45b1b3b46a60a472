"""Any page with schema.org ``JobPosting`` JSON-LD (career pages, job boards, LinkedIn ``/jobs/view/``).

    scrapy crawl jsonld -a urls=https://example.com/jobs/1,https://example.com/jobs/2
    scrapy crawl jsonld -a url_file=urls.txt     # one URL per line, "#" comment lines
    scrapy crawl jsonld -a base_url=http://127.0.0.1:8000 -a urls=/jobs/1   # relative URLs: joined to base_url

``source`` is ``jsonld``; ids and URLs follow
:class:`spiders.platforms.jsonld.JsonLdJobPostingMixin`.  robots.txt is obeyed
(these are websites, not APIs).  A page that fails (HTTP error, DNS, timeout) is
logged and counted as ``jobs/request_failed``; the other pages go on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import JobPosting
from spiders.base import split_arg
from spiders.platforms.jsonld import JsonLdJobPostingMixin


def read_url_file(path: str | Path) -> list[str]:
    """URLs of a text file: one per line; blank lines and lines starting with ``#`` skipped.

    (``#`` elsewhere is kept: it can be part of a URL.)
    """
    urls = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls


class JsonLdSpider(JsonLdJobPostingMixin):
    name = "jsonld"
    custom_settings = {"ROBOTSTXT_OBEY": True}  # noqa: RUF012

    def __init__(
        self, *args: Any, urls: str | None = None, url_file: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.urls: list[str] = split_arg(urls)
        if url_file:
            self.urls += read_url_file(url_file)
        if not self.urls:
            raise ValueError("jsonld spider needs -a urls=URL,URL or -a url_file=PATH")

    @property
    def base_url(self) -> str:
        """Optional here (``-a base_url=`` or ``JSONLD_BASE_URL``): only relative URLs need it."""
        url = self._base_url_arg
        settings = getattr(self, "settings", None)
        if not url and settings is not None:
            url = settings.get("JSONLD_BASE_URL")
        return (url or "").rstrip("/")

    def absolute_urls(self) -> list[str]:
        urls = []
        for url in dict.fromkeys(self.urls):
            if not urlsplit(url).scheme:
                if not self.base_url:
                    self.logger.error("relative URL %r needs -a base_url=, skipped", url)
                    self.count("bad_url")
                    continue
                url = urljoin(self.base_url + "/", url)
            urls.append(url)
        return urls

    async def start(self) -> AsyncIterator[Any]:
        for url in self.absolute_urls():
            yield scrapy.Request(url, callback=self.parse, errback=self.request_failed)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[JobPosting]:
        yield from self.parse_jsonld(response)
