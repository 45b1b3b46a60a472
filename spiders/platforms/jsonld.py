"""schema.org ``JobPosting`` JSON-LD: a mixin any spider can use on a posting page.

    class ProgramathorSpider(JsonLdJobPostingMixin):
        name = "programathor"

        def parse_job(self, response):
            yield from self.parse_jsonld(response)

Every ``<script type="application/ld+json">`` block is parsed on its own: a
malformed block is logged (with the URL) and counted as
``jobs/parse_error/jsonld``; the other blocks of the page are still read.
Postings are found at any depth (``@graph``, ``mainEntity``,
``itemListElement``, lists; ``@type`` may be a list).  Mapping rules live in
:func:`crawler.structured.jobposting_fields`.

Hooks for subclasses (all optional):

- ``parse_jsonld(response, **fields)`` — ``fields`` are set on every item
  (e.g. ``source_id=job_id`` or ``apply_url=...`` known from the page);
- ``jsonld_source_id(response, posting, index, total, identifier)`` — the id
  rule (default below);
- ``jsonld_item(response, posting, index, total, identifier)`` — the whole
  posting → item step, for spiders that add page-specific fields.

Default identity, for a ``source`` shared by many sites (the ``jsonld`` spider):

- ``source_id`` = ``{host}:{identifier}`` when the posting has an
  ``identifier`` value and the identifiers on the page are distinct (an
  identifier is unique only within its employer/site, hence the host);
- otherwise the canonicalized page URL (:func:`w3lib.url.canonicalize_url`),
  plus ``#{index}`` when the page holds several postings.
- ``url`` = the posting's own ``url``, else the page's ``<link rel="canonical">``,
  else the response URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from w3lib.url import canonicalize_url

from crawler.items import JobPosting
from crawler.structured import find_typed, identifier_value, jobposting_fields, loads_jsonld, text_value
from spiders.base import JobSpider

JSONLD_SCRIPTS = (
    "//script[contains(translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),"
    " 'application/ld+json')]"
)
CANONICAL_LINK = (
    "//link[translate(@rel, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'canonical']/@href"
)


def html_selector(response: TextResponse) -> Selector:
    """The page as HTML.  A plain ``TextResponse`` (a page served as ``text/plain`` or JSON) would get
    a selector of type ``json`` from parsel when its body parses as JSON, and XPath on it fails."""
    if isinstance(response, HtmlResponse | XmlResponse):
        return response.selector
    return Selector(text=response.text, type="html")


def _urljoin(response: TextResponse, href: str) -> str | None:
    try:
        return response.urljoin(href.strip())
    except ValueError:  # "http://[::1" and the like: not a URL
        return None


class JsonLdJobPostingMixin(JobSpider):
    """Adds :meth:`parse_jsonld` to a :class:`~spiders.base.JobSpider` (no ``name``: not a spider itself)."""

    # -- extraction --------------------------------------------------------------------------
    def jsonld_blocks(self, response: TextResponse) -> list[Any]:
        """The parsed JSON-LD blocks of the page; malformed ones logged, counted and skipped."""
        scripts = html_selector(response).xpath(JSONLD_SCRIPTS)
        blocks: list[Any] = []
        for number, script in enumerate(scripts, start=1):
            body = "".join(script.xpath("text()").getall())
            try:
                blocks.append(loads_jsonld(body))
            except ValueError as exc:
                self.logger.warning(
                    "malformed JSON-LD block %d of %d on %s: %s", number, len(scripts), response.url, exc
                )
                self.count("parse_error/jsonld")
        return blocks

    def jsonld_postings(self, response: TextResponse) -> list[dict[str, Any]]:
        """Every schema.org JobPosting object on the page, in document order."""
        postings: list[dict[str, Any]] = []
        for block in self.jsonld_blocks(response):
            for posting in find_typed(block, "JobPosting"):
                if not any(posting is p for p in postings):
                    postings.append(posting)
        return postings

    # -- mapping -----------------------------------------------------------------------------------
    @staticmethod
    def page_url(response: TextResponse) -> str:
        """The page's ``<link rel="canonical">`` (made absolute), else the response URL."""
        href = html_selector(response).xpath(CANONICAL_LINK).get()
        return (_urljoin(response, href) if href and href.strip() else None) or response.url

    def jsonld_source_id(
        self, response: TextResponse, posting: dict[str, Any], index: int, total: int, identifier: str | None
    ) -> str:
        if identifier:
            host = urlsplit(response.url).hostname or ""
            return f"{host}:{identifier}"
        base = canonicalize_url(response.url)
        return base if total == 1 else f"{base}#{index}"

    def jsonld_item(
        self, response: TextResponse, posting: dict[str, Any], index: int, total: int, identifier: str | None
    ) -> JobPosting:
        fields = jobposting_fields(posting)
        own_url = text_value(posting.get("url"))
        fields["url"] = (_urljoin(response, own_url) if own_url else None) or self.page_url(response)
        fields["source_id"] = self.jsonld_source_id(response, posting, index, total, identifier)
        return self.new_item(**fields)

    def parse_jsonld(self, response: Response, **fields: Any) -> Iterator[JobPosting]:
        """One item per JobPosting on the page; ``fields`` are set on each of them."""
        if not isinstance(response, TextResponse):
            self.logger.warning("not a text page, no JSON-LD read: %s", response.url)
            self.count("jsonld/not_text")
            return
        postings = self.jsonld_postings(response)
        if not postings:
            self.logger.info("no schema.org JobPosting on %s", response.url)
            self.count("jsonld/no_jobposting")
            return
        identifiers = [identifier_value(p.get("identifier")) for p in postings]
        distinct = len(set(identifiers)) == len(identifiers)
        for index, posting in enumerate(postings):
            identifier = identifiers[index] if distinct else None
            item = self.jsonld_item(response, posting, index, len(postings), identifier)
            for key, value in fields.items():
                setattr(item, key, value)
            yield item
