"""Arbeitnow (arbeitnow.com, Germany/Europe) job-board API: ``scrapy crawl arbeitnow [-a max_pages=N]``.

``GET {base_url}/api/job-board-api?page=N`` (default base ``https://www.arbeitnow.com``),
``{"data": [...], "links": {"next": ...}, "meta": {...}}``.  Follows ``links.next``
(moved onto the configured base URL's host, so a mirror or the test server keeps
serving) until it is absent or null, up to ``max_pages`` pages.

Mapping: ``slug`` → ``source_id``; ``url`` → ``url`` (Arbeitnow's page; the API has no
separate apply link); ``title``; ``company_name`` → ``company``; ``description``
(HTML; sometimes entity-escaped with a real-HTML footer appended: the escaped part is decoded once) → ``description_html``;
``remote`` true → ``workplace_raw = ["remote"]`` (false says nothing: not "onsite");
``location`` → ``location_raw``; ``tags`` → ``tags``; ``job_types`` (e.g. "Side",
"Full Time") → ``employment_type_raw``; ``created_at`` (epoch seconds) →
``posted_raw`` (ISO 8601 UTC).  Postings are mostly in German; salary, when any,
is in the description (left to the normalizers).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from scrapy.http import Response

from crawler.items import JobPosting
from crawler.structured import clean_str, unescape_html_once
from spiders.platforms.feeds import FeedSpider, epoch_iso, http_url, rebase_url, strings

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")


def decode_escaped_html(text: str | None) -> str | None:
    """HTML that the API entity-escaped as a whole (``&lt;p&gt;``), decoded once.

    Arbeitnow appends a real-HTML footer (``<p>Find <a ...>Jobs in Germany</a> on
    Arbeitnow</a>``) to a body it escaped, so only the part before the first real
    tag is decoded, and only when that part holds escaped tags.
    """
    if not text:
        return None
    first = _TAG.search(text)
    head, tail = (text[: first.start()], text[first.start() :]) if first else (text, "")
    return (unescape_html_once(head) or head) + tail


class ArbeitnowSpider(FeedSpider):
    name = "arbeitnow"
    default_base_url: ClassVar[str] = "https://www.arbeitnow.com"

    def feed_urls(self) -> list[str]:
        return [f"{self.base_url}/api/job-board-api?page=1"]

    def entries(self, data: Any) -> list[Any] | None:
        jobs = data.get("data") if isinstance(data, dict) else None
        return jobs if isinstance(jobs, list) else None

    def next_page(self, response: Response, data: Any, page: int) -> str | None:
        links = data.get("links")
        following = clean_str(links.get("next")) if isinstance(links, dict) else None
        return rebase_url(response.urljoin(following), self.base_url) if following else None

    def entry_item(self, entry: Any, response: Response) -> JobPosting | None:
        slug = clean_str(entry.get("slug")) if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not slug:
            self.logger.warning("arbeitnow: job without slug skipped: %s", response.url)
            self.count("parse_error/job")
            return None
        location = clean_str(entry.get("location"))
        return self.new_item(
            source_id=slug,
            url=http_url(entry.get("url")),
            title=clean_str(entry.get("title")),
            company=clean_str(entry.get("company_name")),
            description_html=decode_escaped_html(clean_str(entry.get("description"))),
            location_raw=[location] if location else [],
            workplace_raw=["remote"] if entry.get("remote") is True else [],
            employment_type_raw=strings(entry.get("job_types")),
            posted_raw=epoch_iso(entry.get("created_at")),
            tags=strings(entry.get("tags")),
            raw={k: v for k, v in entry.items() if k != "description"},
        )
