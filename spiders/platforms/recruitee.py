"""Recruitee Careers Site API (``{company}.recruitee.com/api/offers/``): one base class per company.

A source on Recruitee is a few lines::

    class AcmeSpider(RecruiteeSpider):
        name = "acme"
        default_companies = ("acme",)

Recruitee serves each company on its own host, so the base URL is a template:
the default is ``https://{company}.recruitee.com`` and the spider requests
``{base}/api/offers/`` with ``{company}`` replaced by the company slug
(docs.recruitee.com, "Careers Site API": published offers only, no paging,
the full description in the list).  A base URL **without** ``{company}``
(``-a base_url=http://127.0.0.1:8080``, a mirror or the tests' local server)
gets the company as the first path segment instead:
``http://127.0.0.1:8080/{company}/api/offers/``.

Arguments (``-a``):

- ``companies=slug,slug|Name`` — the ``{slug}`` of ``https://{slug}.recruitee.com``.
  ``company`` is the offer's ``company_name``, else the ``| Name`` given here or in
  ``spiders/data/{companies_file}``.
- ``base_url=`` — a host template with ``{company}``, or a plain base URL (company
  as path prefix); also the settings ``{NAME}_BASE_URL`` and ``RECRUITEE_BASE_URL``.

robots.txt: Recruitee's robots.txt is per company host and some companies
disallow everything (``Disallow: /``), so this spider obeys robots.txt
(``ROBOTSTXT_OBEY = True`` in ``custom_settings``; one robots.txt request per
company host): a company whose robots.txt forbids the API is skipped with a
warning and ``jobs/robots_forbidden``.

Identity: ``source`` = ``recruitee``; ``source_id`` = ``str(id)`` (Recruitee's
offer ids are global).  The company slug is kept in ``raw["_board"]``.

Mapping: ``careers_url`` → ``url``, ``careers_apply_url`` → ``apply_url``;
``description`` + ``requirements`` (else those of the first translation that has
them) → ``description_html``; each ``locations[]`` entry as "city, state,
country" (else the offer's ``location``) → ``location_raw``; the ``remote``,
``hybrid`` and ``on_site`` flags that are true → ``workplace_raw``
(``"remote"``, ``"hybrid"``, ``"on_site"``); ``employment_type_code``
("fulltime_permanent") → ``employment_type_raw``; ``experience_code``
("mid_level") → ``seniority_raw``; department and ``tags`` → ``tags``;
``published_at`` (else ``created_at``), "2026-08-05 10:10:39 UTC", → ``posted_raw``
as ISO 8601 (``2026-08-05T10:10:39Z``); ``close_at`` → ``valid_through_raw``;
``salary`` {``min``, ``max`` (numeric strings), ``period`` (hour, day, week,
month, year), ``currency``} → the salary fields and ``salary_raw``.

Errors: a 404 company is a warning and ``jobs/company_not_found``; a body that
is not JSON, or JSON without an ``offers`` list, is ``jobs/parse_error/json``;
the other companies go on either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import quote

from scrapy.http import Response

from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe, format_salary, iso_currency, positive_number, salary_unit
from spiders.platforms.ats import AtsBoardSpider, Board

COMPANY_PLACEHOLDER = "{company}"
#: large text fields left out of ``raw`` (they are in ``description_html``)
TEXT_FIELDS = frozenset({"description", "requirements"})
_RECRUITEE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$")


def recruitee_time_iso(value: Any) -> str | None:
    """``"2026-08-05 09:41:37 UTC"`` → ``"2026-08-05T09:41:37Z"``; other strings pass through stripped."""
    text = clean_str(value)
    if text is None:
        return None
    match = _RECRUITEE_TIME.match(text)
    return f"{match.group(1)}T{match.group(2)}Z" if match else text


def salary_fields(salary: Any) -> dict[str, Any]:
    """Item salary fields from Recruitee's ``salary`` object (empty dict without a number)."""
    if not isinstance(salary, dict):
        return {}
    low, high = positive_number(salary.get("min")), positive_number(salary.get("max"))
    if low is None and high is None:
        return {}
    currency = iso_currency(salary.get("currency"))
    period = salary_unit(salary.get("period"))
    raw = format_salary(low, high, currency or clean_str(salary.get("currency")), period)
    if raw and not period and clean_str(salary.get("period")):
        raw = f"{raw} ({clean_str(salary.get('period'))})"
    return {
        "salary_min": low,
        "salary_max": high,
        "salary_currency": currency,
        "salary_period": period,
        "salary_raw": raw,
    }


def _translations(offer: dict[str, Any]) -> list[dict[str, Any]]:
    translations = offer.get("translations")
    if not isinstance(translations, dict):
        return []
    return [t for t in translations.values() if isinstance(t, dict)]


def description_html(offer: dict[str, Any]) -> str | None:
    """``description`` + ``requirements``, else those of the first translation that has them."""
    for source in [offer, *_translations(offer)]:
        parts = [clean_str(source.get(key)) for key in ("description", "requirements")]
        if any(parts):
            return "\n".join(p for p in parts if p)
    return None


def location_names(offer: dict[str, Any]) -> list[str]:
    """Each ``locations[]`` entry as "city, state, country", else the offer's ``location``."""
    locations = offer.get("locations")
    names: list[str | None] = []
    for loc in locations if isinstance(locations, list) else []:
        if isinstance(loc, dict):
            parts = (clean_str(loc.get(key)) for key in ("city", "state", "country"))
            names.append(", ".join(p for p in parts if p) or clean_str(loc.get("name")))
    return dedupe(names) or dedupe([clean_str(offer.get("location"))])


def workplace_values(offer: dict[str, Any]) -> list[str]:
    return [flag for flag in ("remote", "hybrid", "on_site") if offer.get(flag) is True]


def raw_offer(offer: dict[str, Any], board: Board) -> dict[str, Any]:
    """The offer without its description HTML (also inside ``translations``), plus the board."""
    raw = {k: v for k, v in offer.items() if k not in TEXT_FIELDS}
    translations = offer.get("translations")
    if isinstance(translations, dict):
        raw["translations"] = {
            lang: {k: v for k, v in t.items() if k not in TEXT_FIELDS} if isinstance(t, dict) else t
            for lang, t in translations.items()
        }
    raw["_board"] = board.slug
    return raw


class RecruiteeSpider(AtsBoardSpider):
    """Base spider for Recruitee companies (no ``name``: subclass it)."""

    source: ClassVar[str | None] = "recruitee"
    default_base_url: ClassVar[str] = "https://{company}.recruitee.com"
    platform_setting: ClassVar[str] = "RECRUITEE_BASE_URL"
    custom_settings = {"ROBOTSTXT_OBEY": True}  # noqa: RUF012 (Scrapy's own attribute)

    def company_base(self, board: Board) -> str:
        """The company's base URL: the template filled in, or ``{base_url}/{slug}``."""
        base = self.base_url
        slug = quote(board.slug, safe="")
        if COMPANY_PLACEHOLDER in base:
            return base.replace(COMPANY_PLACEHOLDER, slug)
        return f"{base}/{slug}"

    def board_url(self, board: Board) -> str:
        return f"{self.company_base(board)}/api/offers/"

    def parse_board(self, response: Response, board: Board) -> Iterator[JobPosting]:
        if self.board_not_found(response, board):
            return
        data = self.load_json(response, f"Recruitee company {board.slug!r}")
        if data is None:
            return
        offers = data.get("offers") if isinstance(data, dict) else None
        if not isinstance(offers, list):
            self.logger.warning(
                "Recruitee company %r: no 'offers' list in the response: %s", board.slug, response.url
            )
            self.count("parse_error/json")
            return
        if not offers:
            self.logger.info("Recruitee company %r lists no offers", board.slug)
        self.count("listed", len(offers))
        for offer in offers:
            item = self.offer_item(offer, board)
            if item is not None:
                yield item

    def offer_item(self, offer: Any, board: Board) -> JobPosting | None:
        """One offer → item; ``None`` (logged, counted) when it has no id."""
        source_id = clean_str(offer.get("id")) if isinstance(offer, dict) else None
        if not isinstance(offer, dict) or not source_id:
            self.logger.warning("Recruitee company %r: offer without id skipped", board.slug)
            self.count("parse_error/job")
            return None
        title = clean_str(offer.get("title")) or next(
            (t for t in (clean_str(tr.get("title")) for tr in _translations(offer)) if t), None
        )
        tags = offer.get("tags")
        tag_names = [clean_str(t) for t in (tags if isinstance(tags, list) else [])]
        posted = recruitee_time_iso(offer.get("published_at")) or recruitee_time_iso(offer.get("created_at"))
        item = self.new_item(
            source_id=source_id,
            url=clean_str(offer.get("careers_url")),
            apply_url=clean_str(offer.get("careers_apply_url")),
            title=title,
            company=clean_str(offer.get("company_name")) or board.name,
            description_html=description_html(offer),
            location_raw=location_names(offer),
            workplace_raw=workplace_values(offer),
            employment_type_raw=dedupe([clean_str(offer.get("employment_type_code"))]),
            seniority_raw=dedupe([clean_str(offer.get("experience_code"))]),
            posted_raw=posted,
            valid_through_raw=recruitee_time_iso(offer.get("close_at")),
            tags=dedupe([clean_str(offer.get("department")), *tag_names]),
            raw=raw_offer(offer, board),
        )
        for key, value in salary_fields(offer.get("salary")).items():
            setattr(item, key, value)
        return item
