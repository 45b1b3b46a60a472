"""Workable public careers widget API (``apply.workable.com/api/v1/widget``): one base class per account.

A source on Workable is a few lines::

    class AcmeSpider(WorkableSpider):
        name = "acme"
        default_companies = ("acme",)

Requests ``{base_url}/api/v1/widget/accounts/{account}?details=true`` per
account: the unauthenticated endpoint behind Workable's embeddable job widget
and hosted career pages.  There is no paging (one response holds every
published job); ``details=true`` adds each job's ``description`` HTML.
(Workable's documented REST API, ``{subdomain}.workable.com/spi/v3``, needs an
account token and is not used.)

Arguments (``-a``):

- ``companies=account,account|Name`` — account names (the ``{account}`` of
  ``apply.workable.com/{account}/``).  ``company`` is the response's top-level
  ``name``, else the ``| Name`` given here or in ``spiders/data/{companies_file}``.
- ``base_url=`` — another host (tests, mirror); also the settings
  ``{NAME}_BASE_URL`` and ``WORKABLE_BASE_URL``.

Identity: ``source`` = ``workable``; ``source_id`` = the job ``shortcode`` (a
system-generated code that is unique across Workable: job pages live at
``apply.workable.com/j/{shortcode}`` without the account).  The account is kept
in ``raw["_board"]``.

Mapping: ``url`` (else ``shortlink``) → ``url``; ``application_url`` →
``apply_url``; ``description`` (+ ``requirements`` and ``benefits`` under an
``<h3>`` when the response carries them, else ``full_description``) →
``description_html``; each visible ``locations[]`` entry as "city, region,
country" (else the job's own ``city``/``state``/``country``) → ``location_raw``;
``telecommuting: true`` → ``workplace_raw`` ``"Remote"`` (``false`` says nothing:
it is also false on hybrid and many remote-friendly jobs), and a
``workplace_type`` value when the response has one; ``employment_type``
("Full-time") → ``employment_type_raw``; ``experience`` ("Mid-Senior level") →
``seniority_raw``; department and function → ``tags``; ``published_on`` (else
``created_at``), a date, → ``posted_raw``.  The widget gives no salary.

Errors: a 404 account is a warning and ``jobs/company_not_found``; a body that
is not JSON, or JSON without a ``jobs`` list, is ``jobs/parse_error/json``; the
other accounts go on either way.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import quote

from scrapy.http import Response

from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe
from spiders.platforms.ats import AtsBoardSpider, Board

#: large text fields left out of ``raw`` (they are in ``description_html``)
RAW_DROPPED = frozenset({"description", "full_description", "requirements", "benefits"})
#: optional sections appended to ``description`` under a heading
SECTIONS = (("requirements", "Requirements"), ("benefits", "Benefits"))


def join_place(*parts: Any) -> str | None:
    """``"Athens, Attica, Greece"`` from the non-empty parts."""
    return ", ".join(filter(None, (clean_str(p) for p in parts))) or None


def location_names(job: dict[str, Any]) -> list[str]:
    """Each visible ``locations[]`` entry, else the job's top-level ``city``/``state``/``country``."""
    locations = job.get("locations")
    names = [
        join_place(loc.get("city"), loc.get("region"), loc.get("country"))
        for loc in (locations if isinstance(locations, list) else [])
        if isinstance(loc, dict) and loc.get("hidden") is not True
    ]
    found = dedupe(names)
    if found:
        return found
    return dedupe([join_place(job.get("city"), job.get("state"), job.get("country"))])


def description_html(job: dict[str, Any]) -> str | None:
    parts: list[str] = []
    if body := clean_str(job.get("description")):
        parts.append(body)
    for key, heading in SECTIONS:
        if section := clean_str(job.get(key)):
            parts.append(f"<h3>{html.escape(heading, quote=False)}</h3>\n{section}")
    if not parts and (full := clean_str(job.get("full_description"))):
        parts.append(full)
    return "\n".join(parts) or None


def workplace_values(job: dict[str, Any]) -> list[str]:
    values: list[str | None] = [clean_str(job.get("workplace_type"))]
    if job.get("telecommuting") is True:
        values.append("Remote")
    return dedupe(values)


class WorkableSpider(AtsBoardSpider):
    """Base spider for Workable accounts (no ``name``: subclass it)."""

    source: ClassVar[str | None] = "workable"
    default_base_url: ClassVar[str] = "https://apply.workable.com"
    platform_setting: ClassVar[str] = "WORKABLE_BASE_URL"

    def board_url(self, board: Board) -> str:
        return f"{self.base_url}/api/v1/widget/accounts/{quote(board.slug, safe='')}?details=true"

    def parse_board(self, response: Response, board: Board) -> Iterator[JobPosting]:
        if self.board_not_found(response, board):
            return
        data = self.load_json(response, f"Workable account {board.slug!r}")
        if data is None:
            return
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(jobs, list):
            self.logger.warning(
                "Workable account %r: no 'jobs' list in the response: %s", board.slug, response.url
            )
            self.count("parse_error/json")
            return
        if not jobs:
            self.logger.info("Workable account %r lists no jobs", board.slug)
        self.count("listed", len(jobs))
        company = clean_str(data.get("name")) or board.name
        for job in jobs:
            item = self.job_item(job, board, company)
            if item is not None:
                yield item

    def job_item(self, job: Any, board: Board, company: str | None) -> JobPosting | None:
        """One job → item; ``None`` (logged, counted) when it has no shortcode."""
        source_id = clean_str(job.get("shortcode")) if isinstance(job, dict) else None
        if not isinstance(job, dict) or not source_id:
            self.logger.warning("Workable account %r: job without shortcode skipped", board.slug)
            self.count("parse_error/job")
            return None
        raw = {k: v for k, v in job.items() if k not in RAW_DROPPED}
        raw["_board"] = board.slug
        return self.new_item(
            source_id=source_id,
            url=clean_str(job.get("url")) or clean_str(job.get("shortlink")),
            apply_url=clean_str(job.get("application_url")),
            title=clean_str(job.get("title")),
            company=company,
            description_html=description_html(job),
            location_raw=location_names(job),
            workplace_raw=workplace_values(job),
            employment_type_raw=dedupe([clean_str(job.get("employment_type"))]),
            seniority_raw=dedupe([clean_str(job.get("experience"))]),
            posted_raw=clean_str(job.get("published_on")) or clean_str(job.get("created_at")),
            tags=dedupe([clean_str(job.get("department")), clean_str(job.get("function"))]),
            raw=raw,
        )
