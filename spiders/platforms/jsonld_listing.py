"""A job board whose listing pages link to posting pages that carry schema.org ``JobPosting`` JSON-LD.

The board is configuration on a subclass (Programathor is the first)::

    class ProgramathorSpider(JsonLdListingSpider):
        name = "programathor"
        default_base_url = "https://programathor.com.br"
        listing_path = "/jobs?page={page}"
        job_link_pattern = r"^/jobs/(?P<id>\\d+)(?:-[^/?#]*)?/?$"

Crawl: listing page 1, 2, ... (``listing_path`` with ``{page}``, relative to the base
URL); every link on a listing page whose path matches ``job_link_pattern`` is a
posting page (its ``id`` group is the ``source_id``); the next listing page is
requested only when the current one had job links, so the crawl stops at the first
page without any (``jobs/listing_pages`` counts pages read).  ``max_pages``
(``-a max_pages=N``) bounds it.  Posting pages go through
:meth:`~spiders.platforms.jsonld.JsonLdJobPostingMixin.parse_jsonld` with the id
and the page URL (query and fragment dropped) set on the item; a malformed JSON-LD
block is ``jobs/parse_error/jsonld``, a page without a JobPosting ``jobs/jsonld/no_jobposting``.

Politeness (websites, not APIs): robots.txt obeyed, 2 requests at a time per host,
1 s between requests (with Scrapy's jitter), AutoThrottle as the project default.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import JobPosting
from spiders.platforms.jsonld import JsonLdJobPostingMixin, html_selector


class JsonLdListingSpider(JsonLdJobPostingMixin):
    """Listing pages → posting pages with JSON-LD (no ``name``: subclass it)."""

    custom_settings = {  # noqa: RUF012
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": 1.0,
    }
    #: listing page path relative to the base URL, with ``{page}``
    listing_path: ClassVar[str] = "/jobs?page={page}"
    first_page: ClassVar[int] = 1
    #: regex on a link's path (query/fragment removed); the ``id`` group is the posting id
    job_link_pattern: ClassVar[str] = r"^/jobs/(?P<id>\d+)(?:-[^/?#]*)?/?$"
    default_max_pages: ClassVar[int] = 100

    def __init__(self, *args: Any, max_pages: str | int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_pages: int = max(1, int(max_pages)) if max_pages else self.default_max_pages
        self._job_link = re.compile(self.job_link_pattern)
        self.seen_ids: set[str] = set()

    def listing_url(self, page: int) -> str:
        return self.base_url + self.listing_path.format(page=page)

    def listing_request(self, page: int) -> scrapy.Request:
        return scrapy.Request(
            self.listing_url(page),
            callback=self.parse_listing,
            errback=self.request_failed,
            cb_kwargs={"page": page},
        )

    async def start(self) -> AsyncIterator[Any]:
        yield self.listing_request(self.first_page)

    def job_links(self, response: TextResponse) -> dict[str, str]:
        """``{id: absolute posting URL}`` for the job links of a listing page, in page order.

        Links to other hosts are ignored, except absolute links to the board's own
        public host (``default_base_url``), which are moved onto the host being crawled
        (a mirror, the test server) like relative ones.  Query and fragment are dropped.
        """
        links: dict[str, str] = {}
        here = urlsplit(response.url)
        own_hosts = {here.netloc.lower(), urlsplit(self.default_base_url).netloc.lower()}
        for href in html_selector(response).xpath("//a/@href").getall():
            try:
                parts = urlsplit(response.urljoin(href.strip()))
            except ValueError:  # "http://[::1" and the like: not a URL
                continue
            if parts.netloc.lower() not in own_hosts:
                continue
            match = self._job_link.match(parts.path)
            if match and match.group("id") not in links:
                links[match.group("id")] = urlunsplit((here.scheme, here.netloc, parts.path, "", ""))
        return links

    def parse_listing(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            self.logger.warning("%s: listing page %d is not text: %s", self.name, page, response.url)
            self.count("parse_error/listing")
            return
        self.count("listing_pages")
        links = self.job_links(response)
        self.count("listed", len(links))
        new = [(job_id, url) for job_id, url in links.items() if job_id not in self.seen_ids]
        for job_id, url in new:
            self.seen_ids.add(job_id)
            yield scrapy.Request(
                url, callback=self.parse_job, errback=self.request_failed, cb_kwargs={"job_id": job_id}
            )
        if not links:
            self.logger.info("%s: listing page %d has no job links, done", self.name, page)
        elif not new:
            self.logger.warning("%s: listing page %d repeats earlier jobs, stopping", self.name, page)
            self.count("pagination_repeat")
        elif page - self.first_page + 1 >= self.max_pages:
            self.logger.warning("%s: stopped after %d listing pages (max_pages)", self.name, self.max_pages)
            self.count("max_pages_reached")
        else:
            yield self.listing_request(page + 1)

    def parse_job(self, response: Response, job_id: str) -> Iterator[JobPosting]:
        parts = urlsplit(response.url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        yield from self.parse_jsonld(response, source_id=job_id, url=url)
