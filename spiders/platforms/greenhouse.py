"""Greenhouse Job Board API (``boards-api.greenhouse.io``): one base class for every Greenhouse board.

A source on Greenhouse is a few lines::

    class AcmeSpider(GreenhouseSpider):
        name = "acme"
        default_companies = ("acme",)

Requests ``{base_url}/v1/boards/{slug}/jobs?content=true`` per board (the
list endpoint has no paging: one response holds the whole board).

Arguments (``-a``):

- ``companies=slug,slug`` — board tokens (the ``{slug}`` of
  ``job-boards.greenhouse.io/{slug}``); an entry may carry a display name
  as ``slug|Name`` (used only when a job has no ``company_name``).  Default:
  the class's ``default_companies``, else the lines of
  ``spiders/data/{companies_file}``.
- ``pay=1`` — also read structured pay ranges.  The list URL then asks for
  ``&pay_transparency=true``; every job whose list entry carries no
  ``pay_input_ranges`` key is fetched once more from
  ``/v1/boards/{slug}/jobs/{id}?pay_transparency=true`` (one extra request per
  job, so off by default).  If that request fails the posting is still
  yielded, without salary (``jobs/pay_detail_failed``).
- ``base_url=`` — another API host (tests, EU mirror); also the settings
  ``{NAME}_BASE_URL`` and ``GREENHOUSE_BASE_URL``.

Identity: ``source`` = ``greenhouse``; ``source_id`` = ``str(id)``.  Greenhouse
job-post ids are global database ids (the same id never appears on two
boards), so the board slug is not part of the key; it is kept in
``raw["_board"]``.

Errors: a 404 board (removed or misspelt) is a warning and
``jobs/company_not_found``; a body that is not JSON, or JSON without a
``jobs`` list, is a warning and ``jobs/parse_error/json``; the other boards go
on either way.

Salary: ``pay_input_ranges`` ``min_cents``/``max_cents`` → units; when a job
has several ranges (pay zones) in one currency the item gets the lowest
minimum and the highest maximum, and ``salary_raw`` lists every range with its
title.  ``salary_period`` is set only when the range titles (or, failing that,
the blurbs) name exactly one period ("Annual", "per hour", ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar
from urllib.parse import quote

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.history import mark_listed
from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe, format_salary, iso_currency, unescape_html_once
from spiders.base import truthy
from spiders.platforms.ats import AtsBoardSpider, Board

#: metadata (custom field) names whose values are an employment type
EMPLOYMENT_METADATA = re.compile(r"employment\s*type|job\s*type|time\s*type|commitment|contract\s*type", re.I)

_PERIOD_PATTERNS = (
    ("HOUR", re.compile(r"\bhourly\b|\bper\s+hour\b|/\s*(?:hr|hour)\b", re.I)),
    ("DAY", re.compile(r"\bdaily\s+rate\b|\bper\s+day\b|/\s*day\b", re.I)),
    ("WEEK", re.compile(r"\bweekly\b|\bper\s+week\b|/\s*(?:wk|week)\b", re.I)),
    ("MONTH", re.compile(r"\bmonthly\b|\bper\s+month\b|/\s*(?:mo|month)\b", re.I)),
    (
        "YEAR",
        re.compile(r"\bannual(?:ly|ized)?\b|\byearly\b|\bper\s+(?:year|annum)\b|/\s*(?:yr|year)\b", re.I),
    ),
)
_TAGS = re.compile(r"<[^>]+>")


def pay_period(texts: Iterable[Any]) -> str | None:
    """The one pay period the texts name, else ``None`` (none or conflicting)."""
    found: set[str] = set()
    for text in texts:
        if not isinstance(text, str) or not text:
            continue
        plain = _TAGS.sub(" ", unescape_html_once(text) or text)
        found.update(period for period, pattern in _PERIOD_PATTERNS if pattern.search(plain))
    return found.pop() if len(found) == 1 else None


def pay_ranges_salary(ranges: Any) -> dict[str, Any]:
    """Item salary fields from Greenhouse ``pay_input_ranges`` (empty dict when none usable)."""
    if not isinstance(ranges, list):
        return {}
    usable = []
    for r in ranges:
        if not isinstance(r, dict):
            continue
        low = _cents(r.get("min_cents"))
        high = _cents(r.get("max_cents"))
        if low is None and high is None:
            continue
        usable.append((r, low, high))
    if not usable:
        return {}
    currencies = {iso_currency(r.get("currency_type")) for r, _, _ in usable}
    chosen = usable if len(currencies) == 1 else usable[:1]
    currency = iso_currency(chosen[0][0].get("currency_type"))
    period = pay_period(r.get("title") for r, _, _ in chosen) or pay_period(
        r.get("blurb") for r, _, _ in chosen
    )
    lows = [low for _, low, _ in chosen if low is not None]
    highs = [high for _, _, high in chosen if high is not None]
    raw = "; ".join(
        filter(
            None,
            (
                format_salary(
                    low,
                    high,
                    iso_currency(r.get("currency_type")) or r.get("currency_type"),
                    None,
                    r.get("title"),
                )
                for r, low, high in usable
            ),
        )
    )
    return {
        "salary_min": min(lows) if lows else None,
        "salary_max": max(highs) if highs else None,
        "salary_currency": currency,
        "salary_period": period,
        "salary_raw": raw or None,
    }


def _cents(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        cents = float(value)
    except (ValueError, OverflowError):  # OverflowError: an integer beyond float range
        return None
    return cents / 100 if math.isfinite(cents) and cents > 0 else None


class GreenhouseSpider(AtsBoardSpider):
    """Base spider for Greenhouse boards (no ``name``: subclass it)."""

    source: ClassVar[str | None] = "greenhouse"
    default_base_url: ClassVar[str] = "https://boards-api.greenhouse.io"
    platform_setting: ClassVar[str] = "GREENHOUSE_BASE_URL"

    def __init__(self, *args: Any, pay: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pay: bool = truthy(pay)

    def board_url(self, board: Board) -> str:
        url = f"{self.base_url}/v1/boards/{quote(board.slug, safe='')}/jobs?content=true"
        return url + "&pay_transparency=true" if self.pay else url

    def job_url(self, board: Board, job_id: str) -> str:
        return f"{self.base_url}/v1/boards/{quote(board.slug, safe='')}/jobs/{quote(job_id, safe='')}?pay_transparency=true"

    # -- crawl ---------------------------------------------------------------------------------

    def parse_board(self, response: Response, board: Board) -> Iterator[JobPosting | scrapy.Request]:
        if self.board_not_found(response, board):
            return
        data = self.load_json(response, f"Greenhouse board {board.slug!r}")
        if data is None:
            return
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            self.logger.warning(
                "Greenhouse board %r: no 'jobs' list in the response: %s", board.slug, response.url
            )
            self.count("parse_error/json")
            return
        meta = data.get("meta")
        total = meta.get("total") if isinstance(meta, dict) else None
        if isinstance(total, int) and total != len(jobs):
            self.logger.warning(
                "Greenhouse board %r: meta.total=%s but %d jobs listed", board.slug, total, len(jobs)
            )
        elif hasattr(self, "crawler"):
            mark_listed(self, board.slug)  # the whole board is in this one response: absent jobs closed
        self.count("listed", len(jobs))
        for job in jobs:
            item = self.job_item(job, board)
            if item is None:
                continue
            if self.pay and "pay_input_ranges" not in job:
                yield scrapy.Request(
                    self.job_url(board, str(item.source_id)),
                    callback=self.parse_pay,
                    errback=self.pay_failed,
                    cb_kwargs={"item": item},
                    meta={"handle_httpstatus_list": [404]},
                )
            else:
                yield item

    def job_item(self, job: Any, board: Board) -> JobPosting | None:
        """One list (or single-job) entry → item; ``None`` (logged, counted) when unusable."""
        if not isinstance(job, dict) or job.get("id") in (None, ""):
            self.logger.warning("Greenhouse board %r: job without id skipped", board.slug)
            self.count("parse_error/job")
            return None
        location = job.get("location")
        location_name = location.get("name") if isinstance(location, dict) else location
        departments: list[Any] = job["departments"] if isinstance(job.get("departments"), list) else []
        raw = {k: v for k, v in job.items() if k != "content"}
        raw["_board"] = board.slug
        item = self.new_item(
            source_id=str(job["id"]),
            url=clean_str(job.get("absolute_url")),
            apply_url=clean_str(job.get("absolute_url")),
            title=clean_str(job.get("title")),
            company=clean_str(job.get("company_name")) or board.name,
            description_html=unescape_html_once(job.get("content")) or None,
            location_raw=dedupe([location_name if isinstance(location_name, str) else None]),
            employment_type_raw=self.employment_types(job.get("metadata")),
            posted_raw=clean_str(job.get("first_published")) or clean_str(job.get("updated_at")),
            valid_through_raw=clean_str(job.get("application_deadline")),
            tags=dedupe(d.get("name") for d in departments if isinstance(d, dict)),
            raw=raw,
        )
        self.apply_pay(item, job.get("pay_input_ranges"))
        return item

    @staticmethod
    def employment_types(metadata: Any) -> list[str]:
        values: list[str | None] = []
        fields: list[Any] = metadata if isinstance(metadata, list) else []
        for field in fields:
            if not isinstance(field, dict) or not EMPLOYMENT_METADATA.search(str(field.get("name") or "")):
                continue
            value = field.get("value")
            values.extend(value if isinstance(value, list) else [value])
        return dedupe(v if isinstance(v, str) else None for v in values)

    @staticmethod
    def apply_pay(item: JobPosting, ranges: Any) -> None:
        salary = pay_ranges_salary(ranges)
        for key, value in salary.items():
            setattr(item, key, value)
        if ranges is not None:
            item.raw["pay_input_ranges"] = ranges

    # -- pay detail (pay=1) ------------------------------------------------------------------------
    def parse_pay(self, response: Response, item: JobPosting) -> Iterator[JobPosting]:
        if response.status != 200:
            self.logger.warning(
                "Greenhouse job %s: pay detail HTTP %d, kept without pay", item.source_id, response.status
            )
            self.count("pay_detail_failed")
            yield item
            return
        detail = self.load_json(response, f"Greenhouse job {item.source_id} pay detail")
        if isinstance(detail, dict):
            self.apply_pay(item, detail.get("pay_input_ranges"))
        yield item

    def pay_failed(self, failure: Failure) -> Iterator[JobPosting]:
        request = getattr(failure, "request", None)
        item = request.cb_kwargs.get("item") if request is not None else None
        self.logger.warning(
            "Greenhouse pay detail failed: %s (%s)", getattr(request, "url", "?"), failure.getErrorMessage()
        )
        self.count("pay_detail_failed")
        if isinstance(item, JobPosting):
            yield item
