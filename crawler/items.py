"""The job posting item.

A spider fills the identity/provenance fields and the *raw* inputs (``*_raw``
fields, ``title``, ``company``, ``description_html``/``description_text``,
``tags``); it never guesses.  Where a source gives structured values (an ATS
API's salary numbers, a JSON-LD ``employmentType``) the spider may put them in
the normalized fields directly; ``pipelines/normalize.py`` validates them and
fills every normalized field it can from the raw text.

Field names follow ``DESIGN.md`` exactly so that feed exports
(``scrapy crawl x -O out.jsonl``) carry them as spelled there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict


class Location(TypedDict):
    city: str | None
    region: str | None
    country: str | None  # ISO 3166-1 alpha-2


class Language(TypedDict):
    language: str  # ISO 639-1
    level: str | None  # CEFR A1..C2


WORKPLACES = ("remote", "hybrid", "onsite")
EMPLOYMENT_TYPES = (
    "FULL_TIME",
    "PART_TIME",
    "CONTRACTOR",
    "TEMPORARY",
    "INTERN",
    "VOLUNTEER",
    "PER_DIEM",
    "OTHER",
)
SENIORITIES = (
    "intern",
    "junior",
    "mid",
    "senior",
    "staff",
    "principal",
    "lead",
    "manager",
    "director",
    "executive",
)
SALARY_PERIODS = ("HOUR", "DAY", "WEEK", "MONTH", "YEAR")


@dataclass
class JobPosting:
    # --- identity and provenance -------------------------------------------------
    source: str | None = None  # the site crawled: "linkedin", "greenhouse", ...
    source_id: str | None = None  # that site's own id
    url: str | None = None  # canonical URL on that site
    origin: str | None = None  # original publisher when the site republishes
    origin_id: str | None = None
    origin_url: str | None = None
    apply_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)  # source fields as found
    fetched_at: str | None = None  # ISO 8601 UTC

    # --- raw inputs extracted by spiders (normalization reads these) ------------
    location_raw: list[str] = field(default_factory=list)  # location strings as shown
    workplace_raw: list[str] = field(default_factory=list)  # "Remote", "hybrid", "isRemote"
    employment_type_raw: list[str] = field(default_factory=list)  # "Full-time", "CLT"
    seniority_raw: list[str] = field(default_factory=list)  # "Mid-Senior level", "Pleno"
    posted_raw: str | None = None  # "2024-05-01T10:00:00Z", "2 days ago", "há 3 dias"
    valid_through_raw: str | None = None
    tags: list[str] = field(default_factory=list)  # source tags / categories

    # --- normalized (None when unknown, never a guess) ---------------------------
    title: str | None = None
    company: str | None = None
    company_url: str | None = None
    description_text: str | None = None
    description_html: str | None = None
    locations: list[Location] = field(default_factory=list)
    remote_regions: list[str] = field(default_factory=list)
    workplace: str | None = None
    employment_type: str | None = None
    contract_type: str | None = None
    seniority: list[str] = field(default_factory=list)
    experience_years_min: int | None = None
    experience_years_max: int | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    salary_raw: str | None = None
    languages: list[Language] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    posted_at: str | None = None  # ISO 8601 UTC
    valid_through: str | None = None  # ISO 8601 UTC
    closed_at: str | None = None  # ISO 8601 UTC, when the source itself says the posting closed
    content_hash: str | None = None

    # --- set by pipelines ---------------------------------------------------------
    job_id: int | None = None  # cross-source job (dedupe)

    # --- bookkeeping ------------------------------------------------------------------
    #: a re-sighting carrying listing data only (e.g. a LinkedIn card whose detail was
    #: skipped or failed): storage inserts it when new, else only refreshes
    #: ``last_seen_at`` and keeps the stored content
    partial: bool = False
