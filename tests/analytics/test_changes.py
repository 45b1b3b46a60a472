"""posting_changes: the trigger records what a changed re-crawl changed, with the run id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from crawler.db.engine import get_engine
from crawler.db.history_models import posting_changes
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs, postings
from crawler.db.store import PostingWriter, parse_ts
from crawler.history import close_unlisted
from crawler.items import JobPosting
from crawler.normalize.posting import content_hash

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def posting(**kw: Any) -> JobPosting:
    item = JobPosting(
        source="lever",
        source_id="p1",
        title=kw.pop("title", "Backend Engineer"),
        company="Acme",
        salary_min=kw.pop("salary_min", 5000.0),
        salary_max=8000.0,
        salary_currency="BRL",
        salary_period="MONTH",
        workplace=kw.pop("workplace", "remote"),
        skills=kw.pop("skills", ["Python"]),
        locations=[{"city": "Recife", "region": "PE", "country": "BR"}],
        description_text=kw.pop("description_text", "Build APIs."),
        **kw,
    )
    item.content_hash = content_hash(item)
    return item


def new_run(url: str) -> int:
    with get_engine(url).begin() as conn:
        return int(
            conn.execute(
                insert(crawl_runs)
                .values(
                    spider="lever", args={}, started_at=T0, status="running",
                    items_scraped=0, items_stored=0, items_dropped=0, errors=0,
                )
                .returning(crawl_runs.c.id)
            ).scalar_one()
        )


def changes(url: str) -> list[Any]:
    with get_engine(url).connect() as conn:
        return list(conn.execute(select(posting_changes).order_by(posting_changes.c.field, posting_changes.c.id)))


def test_a_changed_recrawl_records_old_and_new_values_with_its_run(db_url: str) -> None:
    upgrade(db_url)
    writer = PostingWriter(get_engine(db_url))
    run1, run2, run3 = new_run(db_url), new_run(db_url), new_run(db_url)
    writer.write([posting()], run_id=run1, now=T0)
    assert changes(db_url) == []  # an insert is no change

    writer.write([posting()], run_id=run2, now=T0 + timedelta(days=1))
    assert changes(db_url) == []  # same content: nothing recorded

    later = T0 + timedelta(days=2)
    changed = posting(title="Senior Backend Engineer", salary_min=6000.0, skills=["Python", "Go"], workplace=None)
    writer.write([changed], run_id=run3, now=later)
    rows = changes(db_url)
    with get_engine(db_url).connect() as conn:
        stored = conn.execute(select(postings.c.id, postings.c.last_run_id)).one()
    assert stored.last_run_id == run3
    assert [(r.field, r.old_value, r.new_value) for r in rows] == [
        ("salary_min", 5000.0, 6000.0),
        ("skills", ["Python"], ["Python", "Go"]),
        ("title", "Backend Engineer", "Senior Backend Engineer"),
        ("workplace", "remote", None),
    ]
    assert all(r.run_id == run3 and r.posting_id == stored.id for r in rows)
    assert all(parse_ts(r.changed_at) == later for r in rows)

    # neither a partial re-sighting, nor closing, nor job linking is a content change
    card = JobPosting(source="lever", source_id="p1", title="whatever", partial=True)
    writer.write([card], run_id=run3, now=later + timedelta(days=1))
    close_unlisted(get_engine(db_url), "lever", started_at=later + timedelta(days=5))
    with get_engine(db_url).begin() as conn:
        conn.execute(update(postings).values(job_id=None))
    assert len(changes(db_url)) == 4


def test_every_writer_is_covered_a_manual_update_too(db_url: str) -> None:
    upgrade(db_url)
    writer = PostingWriter(get_engine(db_url))
    writer.write([posting()], now=T0)
    with get_engine(db_url).begin() as conn:
        conn.execute(update(postings).values(description_text="Build APIs in Go.", content_hash="edited"))
    rows = changes(db_url)
    assert [(r.field, r.old_value, r.new_value, r.run_id) for r in rows] == [
        ("description_text", "Build APIs.", "Build APIs in Go.", None)
    ]
