"""Typed SQLAlchemy handles of the analysts' views (``crawler/analytics/sql_0003.py``).

They live on their own ``MetaData`` — not the schema's — so Alembic's comparison of the
models with the database never takes a view for a missing table.  Selecting through them
gives the same Python values on both backends (JSON decoded, timestamps as datetimes).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Date, Float, Integer, MetaData, String, Table
from sqlalchemy.types import TypeEngine

from crawler.db.models import postings

view_metadata = MetaData()


def _posting_type(name: str) -> TypeEngine[Any]:
    return postings.c[name].type


OPEN_JOBS_COLUMNS: tuple[str, ...] = (
    "posting_id", "job_id", "source", "source_id", "title", "company", "url", "apply_url",
    "workplace", "employment_type", "contract_type", "seniority", "locations", "remote_regions",
    "country", "salary_min", "salary_max", "salary_currency", "salary_period", "skills", "languages",
    "experience_years_min", "experience_years_max", "description_text",
    "posted_at", "valid_through", "first_seen_at", "last_seen_at",
)  # fmt: skip

_SPECIAL: dict[str, TypeEngine[Any]] = {"posting_id": BigInteger(), "country": String(2)}

open_jobs = Table(
    "open_jobs",
    view_metadata,
    *(Column(c, _SPECIAL.get(c) or _posting_type(c)) for c in OPEN_JOBS_COLUMNS),
)

jobs_best = Table(
    "jobs_best",
    view_metadata,
    Column("job_id", BigInteger),
    Column("title", _posting_type("title")),
    Column("company", _posting_type("company")),
    Column("workplace", _posting_type("workplace")),
    Column("employment_type", _posting_type("employment_type")),
    Column("salary_min", Float),
    Column("salary_max", Float),
    Column("salary_currency", _posting_type("salary_currency")),
    Column("salary_period", _posting_type("salary_period")),
    Column("salary_source", _posting_type("source")),
    Column("posted_at", _posting_type("posted_at")),
    Column("first_seen_at", _posting_type("first_seen_at")),
    Column("last_seen_at", _posting_type("last_seen_at")),
    Column("is_open", Boolean),
    Column("closed_at", _posting_type("closed_at")),
    Column("n_postings", Integer),
    Column("sources", _posting_type("skills")),  # JSON array
    Column("urls", _posting_type("skills")),
)

jobs_per_day = Table(
    "jobs_per_day",
    view_metadata,
    Column("day", Date),
    Column("source", String),
    Column("new_postings", Integer),
    Column("closed_postings", Integer),
)

salary_stats = Table(
    "salary_stats",
    view_metadata,
    Column("dimension", String),
    Column("value", String),
    Column("salary_currency", String),
    Column("salary_period", String),
    Column("n", Integer),
    *(Column(c, Float) for c in ("p25", "median", "p75", "min_amount", "max_amount")),
    *(Column(c, Float) for c in ("annualized", "annualized_p25", "annualized_p75")),
)

top_skills_by_month = Table(
    "top_skills_by_month",
    view_metadata,
    Column("month", String),
    Column("skill", String),
    Column("postings", Integer),
    Column("jobs", Integer),
    Column("rank", Integer),
)

time_to_close = Table(
    "time_to_close",
    view_metadata,
    Column("source", String),
    Column("closed", Integer),
    *(Column(c, Float) for c in ("avg_days", "p25_days", "median_days", "p75_days", "max_days")),
)
