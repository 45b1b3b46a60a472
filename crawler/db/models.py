"""SQLAlchemy Core tables.  The schema itself is created only by Alembic
migrations (``crawler/db/migrations``); a test checks these definitions and the
migrations agree."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: JSON on SQLite, JSONB on PostgreSQL
Json = JSON().with_variant(JSONB(), "postgresql")
#: autoincrementing big integer key (SQLite needs INTEGER for rowid aliasing)
BigId = BigInteger().with_variant(Integer(), "sqlite")
UtcDateTime = DateTime(timezone=True)

crawl_runs = Table(
    "crawl_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("spider", String(100), nullable=False),
    Column("args", Json, nullable=False, default=dict),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    # running | finished | failed | blocked | interrupted
    Column("status", String(20), nullable=False),
    Column("finish_reason", String(100)),
    Column("items_scraped", Integer, nullable=False, default=0),
    Column("items_stored", Integer, nullable=False, default=0),
    Column("items_dropped", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("stats", Json),
    Index("ix_crawl_runs_spider_started_at", "spider", "started_at"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("title", Text),
    Column("company", Text),
    # the posting whose insertion created this job (lets set-based SQL map new jobs back)
    Column("seed_posting_id", BigInteger().with_variant(Integer(), "sqlite"), unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

postings = Table(
    "postings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("source_id", String(255), nullable=False),
    Column("url", Text),
    Column("origin", String(64)),
    Column("origin_id", String(255)),
    Column("origin_url", Text),
    Column("apply_url", Text),
    Column("title", Text, nullable=False),
    Column("company", Text),
    Column("company_url", Text),
    Column("description_text", Text),
    Column("description_html", Text),
    Column("locations", Json),
    Column("remote_regions", Json),
    Column("workplace", String(16)),
    Column("employment_type", String(16)),
    Column("contract_type", String(32)),
    Column("seniority", Json),
    Column("experience_years_min", Integer),
    Column("experience_years_max", Integer),
    Column("salary_min", Float),
    Column("salary_max", Float),
    Column("salary_currency", String(3)),
    Column("salary_period", String(8)),
    Column("salary_raw", Text),
    Column("languages", Json),
    Column("skills", Json),
    Column("posted_at", UtcDateTime),
    Column("valid_through", UtcDateTime),
    Column("content_hash", String(64)),
    Column("raw", Json),
    Column("fetched_at", UtcDateTime),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    # crawler.dedupe.signature.Signature.to_bytes(): MinHash of the description (near-duplicates)
    Column("dedupe_signature", LargeBinary),
    Column(
        "job_id", BigInteger().with_variant(Integer(), "sqlite"), ForeignKey("jobs.id", ondelete="SET NULL")
    ),
    Column(
        "last_run_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("crawl_runs.id", ondelete="SET NULL"),
    ),
    # true while the posting waits for the link stage (new, or its content changed; PostgreSQL)
    Column("link_pending", Boolean),
    UniqueConstraint("source", "source_id", name="uq_postings_source_source_id"),
    Index("ix_postings_origin_origin_id", "origin", "origin_id"),
    Index("ix_postings_job_id", "job_id"),
    Index("ix_postings_last_seen_at", "last_seen_at"),
    Index(
        "ix_postings_link_pending",
        "id",
        postgresql_where=text("link_pending"),
        sqlite_where=text("link_pending"),
    ),
)

#: the cross-source dedupe index (crawler/dedupe): per posting its description's LSH band
#: hashes (band 0..7), its canonical job URLs (band 100) and its company+title key (band 101).
#: Candidates are found by hash equality through the index; a derived table (rebuildable
#: from ``postings``), hence no foreign key: the writer inserts thousands of rows per batch.
posting_bands = Table(
    "posting_bands",
    metadata,
    Column("band", SmallInteger, nullable=False),
    Column("hash", BigInteger, nullable=False),
    Column("posting_id", BigInteger, nullable=False),
    Index("ix_posting_bands_hash_posting_id", "hash", "posting_id"),
)

#: columns an upsert writes from the item (everything but keys and bookkeeping)
POSTING_DATA_COLUMNS: tuple[str, ...] = tuple(
    c.name
    for c in postings.columns
    if c.name not in {"id", "source", "source_id", "first_seen_at", "job_id", "link_pending"}
)
