"""Lever Postings API (``api.lever.co/v0/postings``): one base class for every Lever site.

A source on Lever is a few lines::

    class AcmeSpider(LeverSpider):
        name = "acme"
        default_companies = ("acme|Acme Inc.",)

Requests ``{base_url}/v0/postings/{slug}?mode=json&skip=N&limit=100`` per site
and pages on (``skip += len(page)``) until a page is shorter than the limit,
as Lever documents ``skip``/``limit`` (github.com/lever/postings-api).  A page
that only repeats postings already seen stops the site (logged,
``jobs/pagination_repeat``) so a server ignoring ``skip`` cannot loop forever.

Arguments (``-a``):

- ``companies=slug,slug|Name`` — Lever site names (``jobs.lever.co/{slug}``).
  The API carries no company name, so ``company`` is the ``| Name`` given here
  or in ``spiders/data/{companies_file}``, else ``None`` (never guessed from the slug).
- ``page_size=N`` — the ``limit`` per request (default 100).
- ``base_url=`` — e.g. ``https://api.eu.lever.co`` for EU-hosted sites; also the
  settings ``{NAME}_BASE_URL`` and ``LEVER_BASE_URL``.

Identity: ``source`` = ``lever``; ``source_id`` = the posting ``id`` (a UUID,
unique across Lever).  The site slug is kept in ``raw["_board"]``.

Mapping: ``hostedUrl`` → ``url``, ``applyUrl`` → ``apply_url``, ``text`` →
``title``; ``description`` (opening + body) + each of ``lists`` as
``<h3>text</h3><ul>content</ul>`` + ``additional`` + ``salaryDescription`` →
``description_html``; ``categories.allLocations`` (else ``location``) →
``location_raw``; ``workplaceType`` (not ``unspecified``) → ``workplace_raw``;
``categories.commitment`` → ``employment_type_raw``; ``categories.level`` →
``seniority_raw``; team and department → ``tags``; ``createdAt`` (epoch ms) →
``posted_raw`` as ISO 8601 UTC; ``salaryRange`` → salary fields with
``interval`` ``per-year-salary``/``per-month-salary``/``per-week-salary``/
``per-day-wage``/``per-hour-wage`` → YEAR/MONTH/WEEK/DAY/HOUR (another
interval leaves ``salary_period`` empty and is kept in ``salary_raw``).

Errors: as Greenhouse (404 → ``jobs/company_not_found``, not JSON or not a
list → ``jobs/parse_error/json``), the other sites go on.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import scrapy
from scrapy.http import Response

from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe, format_salary, iso_currency, positive_number
from spiders.platforms.ats import AtsBoardSpider, Board

SALARY_INTERVALS = {
    "per-year-salary": "YEAR",
    "per-month-salary": "MONTH",
    "per-week-salary": "WEEK",
    "per-day-wage": "DAY",
    "per-hour-wage": "HOUR",
}
#: large text fields dropped from ``raw`` (they are in ``description_html``)
RAW_DROPPED = frozenset(
    {
        "description",
        "descriptionPlain",
        "descriptionBody",
        "descriptionBodyPlain",
        "opening",
        "openingPlain",
        "additional",
        "additionalPlain",
        "lists",
    }
)


def epoch_ms_iso(value: Any) -> str | None:
    """Epoch milliseconds → ``2025-11-27T01:02:41.939Z``; strings pass through stripped."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            moment = datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):  # 1e308, NaN, before year 1 / after 9999
            return None
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return clean_str(value)


def salary_range_fields(salary_range: Any, description_plain: Any = None) -> dict[str, Any]:
    """Item salary fields from Lever ``salaryRange`` (else ``salaryDescriptionPlain`` as ``salary_raw``)."""
    fallback = {"salary_raw": clean_str(description_plain)} if clean_str(description_plain) else {}
    if not isinstance(salary_range, dict):
        return fallback
    low = positive_number(salary_range.get("min"))
    high = positive_number(salary_range.get("max"))
    if low is None and high is None:
        return fallback
    interval = clean_str(salary_range.get("interval"))
    period = SALARY_INTERVALS.get(interval or "")
    currency = iso_currency(salary_range.get("currency"))
    raw = format_salary(low, high, currency or clean_str(salary_range.get("currency")), period)
    if interval and not period:
        raw = f"{raw} ({interval})"
    return {
        "salary_min": low,
        "salary_max": high,
        "salary_currency": currency,
        "salary_period": period,
        "salary_raw": raw,
    }


def description_html(posting: dict[str, Any]) -> str | None:
    parts: list[str] = []
    if body := clean_str(posting.get("description")):
        parts.append(body)
    lists = posting.get("lists")
    for block in lists if isinstance(lists, list) else []:
        if not isinstance(block, dict):
            continue
        if heading := clean_str(block.get("text")):
            parts.append(f"<h3>{html.escape(heading, quote=False)}</h3>")
        if content := clean_str(block.get("content")):
            parts.append(f"<ul>{content}</ul>")
    for key in ("additional", "salaryDescription"):
        if extra := clean_str(posting.get(key)):
            parts.append(extra)
    return "\n".join(parts) or None


class LeverSpider(AtsBoardSpider):
    """Base spider for Lever sites (no ``name``: subclass it)."""

    source: ClassVar[str | None] = "lever"
    default_base_url: ClassVar[str] = "https://api.lever.co"
    platform_setting: ClassVar[str] = "LEVER_BASE_URL"
    page_size: ClassVar[int] = 100

    def __init__(self, *args: Any, page_size: str | int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit: int = max(1, int(page_size)) if page_size else self.page_size

    def postings_url(self, board: Board, skip: int) -> str:
        slug = quote(board.slug, safe="")
        return f"{self.base_url}/v0/postings/{slug}?mode=json&skip={skip}&limit={self.limit}"

    def page_request(self, board: Board, skip: int, seen: set[str]) -> scrapy.Request:
        return scrapy.Request(
            self.postings_url(board, skip),
            callback=self.parse_postings,
            errback=self.request_failed,
            cb_kwargs={"board": board, "skip": skip, "seen": seen},
            meta={"handle_httpstatus_list": [404]},
        )

    def board_request(self, board: Board) -> scrapy.Request:
        return self.page_request(board, 0, set())

    def parse_postings(
        self, response: Response, board: Board, skip: int, seen: set[str]
    ) -> Iterator[JobPosting | scrapy.Request]:
        if self.board_not_found(response, board):
            return
        postings = self.load_json(response, f"Lever site {board.slug!r}")
        if postings is None:
            return
        if not isinstance(postings, list):
            error = postings.get("error") if isinstance(postings, dict) else None
            self.logger.warning(
                "Lever site %r: expected a list of postings, got %s: %s",
                board.slug,
                error or type(postings).__name__,
                response.url,
            )
            self.count("parse_error/json")
            return
        self.count("listed", len(postings))
        new = 0
        for posting in postings:
            item = self.posting_item(posting, board)
            if item is None or item.source_id in seen:
                continue
            seen.add(str(item.source_id))
            new += 1
            yield item
        if len(postings) >= self.limit:
            if new:
                yield self.page_request(board, skip + len(postings), seen)
            else:
                self.logger.warning(
                    "Lever site %r: page at skip=%d repeats earlier postings, stopping", board.slug, skip
                )
                self.count("pagination_repeat")

    def posting_item(self, posting: Any, board: Board) -> JobPosting | None:
        """One posting → item; ``None`` (logged, counted) when it has no id."""
        source_id = clean_str(posting.get("id")) if isinstance(posting, dict) else None
        if not isinstance(posting, dict) or not source_id:
            self.logger.warning("Lever site %r: posting without id skipped", board.slug)
            self.count("parse_error/job")
            return None
        categories: dict[str, Any] = (
            posting["categories"] if isinstance(posting.get("categories"), dict) else {}
        )
        all_locations = categories.get("allLocations")
        locations = (
            all_locations
            if isinstance(all_locations, list) and all_locations
            else [categories.get("location")]
        )
        workplace = clean_str(posting.get("workplaceType"))
        body = description_html(posting)
        raw = {k: v for k, v in posting.items() if k not in RAW_DROPPED}
        raw["_board"] = board.slug
        item = self.new_item(
            source_id=source_id,
            url=clean_str(posting.get("hostedUrl")),
            apply_url=clean_str(posting.get("applyUrl")),
            title=clean_str(posting.get("text")),
            company=board.name,
            description_html=body,
            description_text=None if body else clean_str(posting.get("descriptionPlain")),
            location_raw=dedupe(v if isinstance(v, str) else None for v in locations),
            workplace_raw=[workplace] if workplace and workplace.lower() != "unspecified" else [],
            employment_type_raw=dedupe([clean_str(categories.get("commitment"))]),
            seniority_raw=dedupe([clean_str(categories.get("level"))]),
            posted_raw=epoch_ms_iso(posting.get("createdAt")),
            tags=dedupe([clean_str(categories.get("team")), clean_str(categories.get("department"))]),
            raw=raw,
        )
        for key, value in salary_range_fields(
            posting.get("salaryRange"), posting.get("salaryDescriptionPlain")
        ).items():
            setattr(item, key, value)
        return item
