"""SmartRecruiters Posting API (``api.smartrecruiters.com/v1/companies``): one base class per company.

A source on SmartRecruiters is a few lines::

    class AcmeSpider(SmartRecruitersSpider):
        name = "acme"
        default_companies = ("AcmeCorp",)

Requests ``{base_url}/v1/companies/{company}/postings?offset=N&limit=100`` and
pages on (``offset += len(content)``) while ``offset < totalFound``, as the
Posting API documents ``offset``/``limit``/``totalFound``
(developers.smartrecruiters.com, "Posting API").  A page that only repeats
postings already seen stops the company (logged, ``jobs/pagination_repeat``).

The list has no job ad: the description lives only in the posting detail,
``{base_url}/v1/companies/{company}/postings/{id}`` (``jobAd.sections``).  So
details are fetched by default, one request per posting (``-a details=0`` turns
them off: list data only, no description).  A detail that fails (HTTP error,
network error, not JSON) never loses the posting: the list data is yielded
without description and counted (``jobs/detail_failed``).

Incremental by default: a second run fetches the list pages only.  Every list page
is looked up in the database in one query (:mod:`crawler.incremental`,
``crawler.db.queries.stored_markers``): a posting already stored whose list entry is
exactly what it was when its detail was fetched (a hash of the whole entry:
``releasedDate``, title, location, ... kept as ``raw["_listing_hash"]``) gets no
detail request; a card-only ``partial=True`` item is yielded instead, with
``raw["detail_skipped"] = True``, so storage refreshes its ``last_seen_at`` and keeps the
stored description.  New postings, postings whose list entry changed in any field,
closed ones that are listed again, and postings stored without a successful detail
are fetched (stats ``jobs/detail_skipped_unchanged``, ``jobs/detail_changed``,
``jobs/detail_new``).  An edit visible only in the detail (the job ad text changed
while the list entry stayed the same) is not seen by an incremental run: run with
``-a full=1`` now and then (e.g. weekly) to refetch every detail.  Without a database
(``STORE_ENABLED=0``, no ``DATABASE_URL``) every detail is fetched.

Arguments (``-a``):

- ``companies=Id,Id|Name`` — company identifiers (the ``{Id}`` of
  ``jobs.smartrecruiters.com/{Id}``; SmartRecruiters spells them with capitals,
  e.g. ``BoschGroup``).  ``company`` is the posting's ``company.name``, else the
  ``| Name`` given here or in ``spiders/data/{companies_file}``.
- ``details=0`` — skip the detail requests.
- ``full=1`` (or ``incremental=0``) — refetch the detail of every posting, stored or
  not (the stored content is replaced by what the detail says now).
- ``page_size=N`` — ``limit`` per list request (default and API maximum 100).
- ``base_url=`` — another API host (tests, mirror); also the settings
  ``{NAME}_BASE_URL`` and ``SMARTRECRUITERS_BASE_URL``.

robots.txt: ``api.smartrecruiters.com/robots.txt`` has been reported to disallow
every user agent but LinkedInBot, so this spider obeys robots.txt
(``ROBOTSTXT_OBEY = True`` in ``custom_settings``): a forbidden request is a
warning and ``jobs/robots_forbidden``.  Crawling anyway is an operator's
decision: ``-s ROBOTSTXT_OBEY=False``.

Identity: ``source`` = ``smartrecruiters``; ``source_id`` = the posting ``id``
(unique across SmartRecruiters).  The company identifier is kept in
``raw["_board"]``.

Mapping: ``name`` → ``title``; detail ``postingUrl`` → ``url`` (without a
detail: ``https://jobs.smartrecruiters.com/{company.identifier}/{id}``, the
public job page); detail ``applyUrl`` → ``apply_url``; ``location.fullLocation``
(empty parts dropped; else city, region and the ISO country code, e.g.
"St. Louis, MO, US") → ``location_raw``; ``location.remote``/``location.hybrid``
when true → ``workplace_raw`` ``"remote"``/``"hybrid"`` (both false says nothing);
``typeOfEmployment.label`` → ``employment_type_raw``; ``experienceLevel.label``
→ ``seniority_raw``; department and function labels → ``tags``;
``releasedDate`` → ``posted_raw``; the job ad sections (company description,
job description, qualifications, additional information, each under its
``<h3>`` title) → ``description_html``.  The Posting API gives no salary.

Errors: a 404 company is a warning and ``jobs/company_not_found``; a list body
that is not JSON, or JSON without a ``content`` list, is
``jobs/parse_error/json`` and ends that company; the others go on.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import quote

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.incremental import IncrementalDetails, listing_hash, record_marker
from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe
from spiders.base import TRUE_VALUES
from spiders.platforms.ats import AtsBoardSpider, Board

JOB_PAGE = "https://jobs.smartrecruiters.com"
MAX_PAGE_SIZE = 100
#: job ad sections in the order a SmartRecruiters job page shows them
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


def label(value: Any) -> str | None:
    """``{"id": "part-time", "label": "Part-time"}`` → ``"Part-time"`` (else the id)."""
    if not isinstance(value, dict):
        return None
    return clean_str(value.get("label")) or clean_str(value.get("id"))


def location_string(location: Any) -> str | None:
    """``fullLocation`` without empty parts, else city, region and the upper-cased country code."""
    if not isinstance(location, dict):
        return None
    full = clean_str(location.get("fullLocation"))
    if full:
        parts: list[str | None] = list(full.split(","))
    else:
        country = clean_str(location.get("country"))
        parts = [clean_str(location.get("city")), clean_str(location.get("region"))]
        parts.append(country.upper() if country else None)
    return ", ".join(dedupe(parts)) or None


def workplace_values(location: Any) -> list[str]:
    if not isinstance(location, dict):
        return []
    return [flag for flag in ("remote", "hybrid") if location.get(flag) is True]


def job_ad_html(detail: Any) -> str | None:
    """The job ad sections as HTML, each under its title."""
    job_ad = detail.get("jobAd") if isinstance(detail, dict) else None
    sections = job_ad.get("sections") if isinstance(job_ad, dict) else None
    if not isinstance(sections, dict):
        return None
    parts: list[str] = []
    for key in SECTIONS:
        section = sections.get(key)
        text = clean_str(section.get("text")) if isinstance(section, dict) else None
        if not text:
            continue
        title = clean_str(section.get("title")) if isinstance(section, dict) else None
        parts.append(f"<h3>{html.escape(title, quote=False)}</h3>\n{text}" if title else text)
    return "\n".join(parts) or None


class SmartRecruitersSpider(AtsBoardSpider):
    """Base spider for SmartRecruiters companies (no ``name``: subclass it)."""

    source: ClassVar[str | None] = "smartrecruiters"
    default_base_url: ClassVar[str] = "https://api.smartrecruiters.com"
    platform_setting: ClassVar[str] = "SMARTRECRUITERS_BASE_URL"
    custom_settings = {"ROBOTSTXT_OBEY": True}  # noqa: RUF012 (Scrapy's own attribute)
    page_size: ClassVar[int] = MAX_PAGE_SIZE

    def __init__(
        self,
        *args: Any,
        details: str | None = None,
        page_size: str | int | None = None,
        full: str | None = None,
        incremental: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        #: which details to fetch again (``-a full=1`` / ``-a incremental=0``: all of them)
        self.incremental = IncrementalDetails.from_args(full=full, incremental=incremental)
        self.details: bool = details is None or str(details).strip().lower() in TRUE_VALUES
        self.limit: int = min(MAX_PAGE_SIZE, max(1, int(page_size))) if page_size else self.page_size

    def postings_url(self, board: Board, offset: int) -> str:
        company = quote(board.slug, safe="")
        return f"{self.base_url}/v1/companies/{company}/postings?offset={offset}&limit={self.limit}"

    def detail_url(self, board: Board, posting_id: str) -> str:
        return (
            f"{self.base_url}/v1/companies/{quote(board.slug, safe='')}/postings/{quote(posting_id, safe='')}"
        )

    def page_request(self, board: Board, offset: int, seen: set[str]) -> scrapy.Request:
        return scrapy.Request(
            self.postings_url(board, offset),
            callback=self.parse_postings,
            errback=self.request_failed,
            cb_kwargs={"board": board, "offset": offset, "seen": seen},
            meta={"handle_httpstatus_list": [404]},
        )

    def board_request(self, board: Board) -> scrapy.Request:
        return self.page_request(board, 0, set())

    # -- list ------------------------------------------------------------------------------
    def parse_postings(
        self, response: Response, board: Board, offset: int, seen: set[str]
    ) -> Iterator[JobPosting | scrapy.Request]:
        if self.board_not_found(response, board):
            return
        data = self.load_json(response, f"SmartRecruiters company {board.slug!r}")
        if data is None:
            return
        content = data.get("content") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(content, list):
            self.logger.warning(
                "SmartRecruiters company %r: no 'content' list in the response: %s", board.slug, response.url
            )
            self.count("parse_error/json")
            return
        total = data.get("totalFound")
        if offset == 0 and not content:
            self.logger.info("SmartRecruiters company %r lists no postings", board.slug)
        self.count("listed", len(content))
        listed: list[tuple[JobPosting, str]] = []
        for posting in content:
            item = self.posting_item(posting, board)
            if item is None or item.source_id in seen:
                continue
            seen.add(str(item.source_id))
            listed.append((item, listing_hash(posting)))
        new = len(listed)
        if self.details:
            yield from self.details_or_resightings(board, listed)
        else:
            for item, _ in listed:
                yield item
        next_offset = offset + len(content)
        if content and isinstance(total, int) and not isinstance(total, bool) and next_offset < total:
            if new:
                yield self.page_request(board, next_offset, seen)
            else:
                self.logger.warning(
                    "SmartRecruiters company %r: page at offset=%d repeats earlier postings, stopping",
                    board.slug,
                    offset,
                )
                self.count("pagination_repeat")

    def posting_item(self, posting: Any, board: Board) -> JobPosting | None:
        """One list entry → item (without description); ``None`` (logged, counted) without an id."""
        source_id = clean_str(posting.get("id")) if isinstance(posting, dict) else None
        if not isinstance(posting, dict) or not source_id:
            self.logger.warning("SmartRecruiters company %r: posting without id skipped", board.slug)
            self.count("parse_error/job")
            return None
        company: dict[str, Any] = posting["company"] if isinstance(posting.get("company"), dict) else {}
        identifier = clean_str(company.get("identifier")) or board.slug
        location = posting.get("location")
        raw = dict(posting)
        raw["_board"] = board.slug
        return self.new_item(
            source_id=source_id,
            url=f"{JOB_PAGE}/{quote(identifier, safe='')}/{quote(source_id, safe='')}",
            title=clean_str(posting.get("name")),
            company=clean_str(company.get("name")) or board.name,
            location_raw=dedupe([location_string(location)]),
            workplace_raw=workplace_values(location),
            employment_type_raw=dedupe([label(posting.get("typeOfEmployment"))]),
            seniority_raw=dedupe([label(posting.get("experienceLevel"))]),
            posted_raw=clean_str(posting.get("releasedDate")),
            tags=dedupe([label(posting.get("department")), label(posting.get("function"))]),
            raw=raw,
        )

    # -- detail ----------------------------------------------------------------------------
    def details_or_resightings(
        self, board: Board, listed: list[tuple[JobPosting, str]]
    ) -> Iterator[JobPosting | scrapy.Request]:
        """A detail request per posting of a list page, except for stored, unchanged ones
        (one database query for the page): those are yielded as partial re-sightings."""
        plan = self.incremental.plan(
            self.settings, self.source_name, {str(item.source_id): marker for item, marker in listed}
        )
        if plan.unchanged:
            self.count("detail_skipped_unchanged", len(plan.unchanged))
        if plan.changed:
            self.count("detail_changed", len(plan.changed))
        if plan.new:
            self.count("detail_new", len(plan.new))
        for item, marker in listed:
            if plan.skip(item.source_id):
                item.partial = True  # storage keeps the stored content, refreshes last_seen_at
                item.raw["detail_skipped"] = True
                yield item
            else:
                yield self.detail_request(board, item, marker)

    def detail_request(self, board: Board, item: JobPosting, marker: str | None = None) -> scrapy.Request:
        return scrapy.Request(
            self.detail_url(board, str(item.source_id)),
            callback=self.parse_detail,
            errback=self.detail_failed,
            cb_kwargs={"item": item, "marker": marker},
            meta={"handle_httpstatus_list": [404]},
        )

    def parse_detail(
        self, response: Response, item: JobPosting, marker: str | None = None
    ) -> Iterator[JobPosting]:
        if response.status != 200:
            self.logger.warning(
                "SmartRecruiters posting %s: detail HTTP %d, kept without description",
                item.source_id,
                response.status,
            )
            self.count("detail_failed")
            yield item
            return
        detail = self.load_json(response, f"SmartRecruiters posting {item.source_id} detail")
        if not isinstance(detail, dict):
            if detail is not None:
                self.logger.warning("SmartRecruiters posting %s: detail is not an object", item.source_id)
            self.count("detail_failed")
            yield item
            return
        self.apply_detail(item, detail)
        # only a posting whose detail was read is skipped next time; a failed one is fetched again
        record_marker(item, marker)
        yield item

    @staticmethod
    def apply_detail(item: JobPosting, detail: dict[str, Any]) -> None:
        item.description_html = job_ad_html(detail)
        item.url = clean_str(detail.get("postingUrl")) or item.url
        item.apply_url = clean_str(detail.get("applyUrl")) or item.apply_url
        item.raw.update({k: v for k, v in detail.items() if k != "jobAd"})

    def detail_failed(self, failure: Failure) -> Iterator[JobPosting]:
        request = getattr(failure, "request", None)
        item = request.cb_kwargs.get("item") if request is not None else None
        self.request_failed(failure)
        self.count("detail_failed")
        if isinstance(item, JobPosting):
            yield item
