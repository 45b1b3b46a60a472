"""Schema, migrations and the batched upsert writer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from crawler.db.engine import DatabaseConfigError, get_engine, mask_url, normalize_url
from crawler.db.migrate import (
    SchemaNotReady,
    current_revision,
    downgrade,
    ensure_schema,
    head_revision,
    upgrade,
)
from crawler.db.models import jobs, metadata, postings
from crawler.db.store import PostingWriter, parse_ts
from crawler.items import JobPosting

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def posting(source: str, source_id: str, **kw: object) -> JobPosting:
    return JobPosting(source=source, source_id=source_id, title=kw.pop("title", "Engineer"), **kw)  # type: ignore[arg-type]


def test_migrations_match_models_and_downgrade(db_url: str) -> None:
    upgrade(db_url)
    engine = get_engine(db_url)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []
    downgrade(db_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(db_url)
    assert {"postings", "jobs", "crawl_runs"} <= set(inspect(engine).get_table_names())


def test_postgres_needs_explicit_migration(pg_url: str) -> None:
    with pytest.raises(SchemaNotReady, match="scrapy migrate"):
        ensure_schema(pg_url, auto_migrate=False)
    ensure_schema(pg_url, auto_migrate=True)
    ensure_schema(pg_url, auto_migrate=False)


def test_upsert_is_idempotent_and_keeps_first_seen(db_url: str) -> None:
    upgrade(db_url)
    engine = get_engine(db_url)
    writer = PostingWriter(engine)
    first = [posting("greenhouse", "1", title="Backend Engineer"), posting("greenhouse", "2")]
    assert writer.write(first, now=T0) == 2
    later = T0 + timedelta(days=3)
    assert writer.write([posting("greenhouse", "1", title="Senior Backend Engineer")], now=later) == 1
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                postings.c.source_id, postings.c.title, postings.c.first_seen_at, postings.c.last_seen_at
            ).order_by(postings.c.source_id)
        ).all()
    assert [(r.source_id, r.title) for r in rows] == [("1", "Senior Backend Engineer"), ("2", "Engineer")]
    assert parse_ts(rows[0].first_seen_at) == T0
    assert parse_ts(rows[0].last_seen_at) == later
    assert parse_ts(rows[1].last_seen_at) == T0


def test_batch_collapses_duplicates_and_strips_nul(db_url: str) -> None:
    upgrade(db_url)
    engine = get_engine(db_url)
    batch = [
        posting("lever", "b", title="first"),
        posting("lever", "a", title="Dev\x00Ops", description_text="x\x00y", raw={"k\x00": ["v\x00"]}),
        posting("lever", "b", title="second"),
    ]
    assert PostingWriter(engine).write(batch) == 2
    with engine.connect() as conn:
        got = dict(conn.execute(select(postings.c.source_id, postings.c.title)).all())
        raw = conn.execute(
            select(postings.c.raw, postings.c.description_text).where(postings.c.source_id == "a")
        ).one()
    assert got == {"a": "DevOps", "b": "second"}
    assert raw.raw == {"k": ["v"]} and raw.description_text == "xy"


@pytest.mark.parametrize("order", ["original_first", "repost_first", "same_batch"])
def test_repost_joins_the_job_of_its_origin(db_url: str, order: str) -> None:
    upgrade(db_url)
    engine = get_engine(db_url)
    writer = PostingWriter(engine)
    original = posting("linkedin", "4330361169", title="Software Development Engineer")
    repost = posting(
        "jobfordev",
        "sde-adobe",
        title="Software Development Engineer",
        origin="linkedin",
        origin_id="4330361169",
    )
    other = posting("linkedin", "999", title="Another job")
    if order == "original_first":
        writer.write([original, other])
        writer.write([repost])
    elif order == "repost_first":
        writer.write([repost])
        writer.write([original, other])
    else:
        writer.write([repost, original, other])
    with engine.connect() as conn:
        job_of = dict(
            conn.execute(
                select(postings.c.source, postings.c.job_id).where(postings.c.source_id != "999")
            ).all()
        )
        other_job = conn.execute(select(postings.c.job_id).where(postings.c.source_id == "999")).scalar_one()
        n_jobs = conn.execute(select(jobs.c.id)).all()
    assert job_of["linkedin"] is not None and job_of["linkedin"] == job_of["jobfordev"]
    assert other_job is not None and other_job != job_of["linkedin"]
    # the repost-first order leaves the repost's own job behind at most once; never more jobs than postings
    assert len(n_jobs) <= 3


def test_writing_10k_postings_uses_batches(db_url: str) -> None:
    upgrade(db_url)
    engine = get_engine(db_url)
    writer = PostingWriter(engine)
    rows = [posting("bench", str(i), description_text="lorem " * 50) for i in range(10_000)]
    for i in range(0, len(rows), 1000):
        writer.write(rows[i : i + 1000])
    writer.write(rows[:500])  # re-seen: still 10k
    with engine.connect() as conn:
        assert conn.execute(text("select count(*), count(distinct job_id) from postings")).one() == (
            10_000,
            10_000,
        )


def test_database_url_validation_and_masking() -> None:
    assert normalize_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert mask_url("postgresql+psycopg://u:hunter2@h:5432/db") == "postgresql+psycopg://u:***@h:5432/db"
    assert "hunter2" not in mask_url("not a url hunter2")
    with pytest.raises(DatabaseConfigError, match="unsupported database"):
        normalize_url("mysql://u:hunter2@h/db")
    with pytest.raises(DatabaseConfigError):
        normalize_url("")


def test_partial_resighting_keeps_the_stored_content(db_url: str) -> None:
    """A card-only re-sighting (detail skipped) refreshes last_seen_at and wipes nothing."""
    upgrade(db_url)
    engine = get_engine(db_url)
    writer = PostingWriter(engine)
    full = posting(
        "linkedin",
        "42",
        title="Rails Engineer",
        description_text="long text",
        skills=["Ruby"],
        salary_min=10.0,
    )
    writer.write([full], now=T0)
    card = posting("linkedin", "42", title="Rails Engineer", partial=True)
    new_card = posting("linkedin", "43", title="New one", partial=True)
    later = T0 + timedelta(days=1)
    assert writer.write([card, new_card, posting("linkedin", "44")], now=later) == 3
    with engine.connect() as conn:
        rows = {r.source_id: r for r in conn.execute(select(postings))}
    assert (
        rows["42"].description_text == "long text"
        and rows["42"].skills == ["Ruby"]
        and rows["42"].salary_min == 10.0
    )
    assert parse_ts(rows["42"].last_seen_at) == later and parse_ts(rows["42"].first_seen_at) == T0
    assert (
        rows["43"].title == "New one" and rows["43"].job_id is not None
    )  # a new partial posting is stored whole
    assert rows["44"].job_id is not None


def test_source_reported_closure_closes_and_a_new_sighting_reopens(db_url: str) -> None:
    upgrade(db_url)
    engine = get_engine(db_url)
    writer = PostingWriter(engine)
    writer.write([posting("github", "backend-br/vagas#1")], now=T0)
    writer.write([posting("github", "backend-br/vagas#1", closed_at="2026-11-02T10:00:00Z")], now=T0)

    def closed() -> datetime | None:
        with engine.connect() as conn:
            return parse_ts(conn.execute(select(postings.c.closed_at)).scalar_one())

    assert closed() == datetime(2026, 11, 2, 10, tzinfo=UTC)
    writer.write([posting("github", "backend-br/vagas#1")], now=T0 + timedelta(days=2))
    assert closed() is None
