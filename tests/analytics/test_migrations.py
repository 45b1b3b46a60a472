"""Migration 0003: empty database up and down, and an upgrade of a database holding data at 0002."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from crawler.analytics.sql_0003 import TRIGGER, VIEW_NAMES
from crawler.db.engine import get_engine
from crawler.db.migrate import current_revision, downgrade, head_revision, upgrade

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def objects(url: str) -> dict[str, set[str]]:
    engine = get_engine(url)
    insp = inspect(engine)
    out = {"tables": set(insp.get_table_names()), "views": set(insp.get_view_names())}
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            out["triggers"] = set(conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
            out["functions"] = set(
                conn.execute(
                    text("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
                ).scalars()
            )
        else:
            out["triggers"] = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
            )
            out["functions"] = set()
    return out


def test_empty_postgres_database_up_to_head_and_down_to_base(pg_url: str) -> None:
    upgrade(pg_url)
    assert head_revision() == "0005" and current_revision(get_engine(pg_url)) == "0005"
    up = objects(pg_url)
    assert {"postings", "jobs", "crawl_runs", "posting_bands", "posting_changes"} <= up["tables"]
    assert set(VIEW_NAMES) <= up["views"]
    assert TRIGGER in up["triggers"] and TRIGGER in up["functions"]
    downgrade(pg_url, "0002")
    mid = objects(pg_url)
    assert "posting_changes" not in mid["tables"] and not mid["views"] & set(VIEW_NAMES)
    assert TRIGGER not in mid["triggers"] and TRIGGER not in mid["functions"]
    downgrade(pg_url, "base")
    assert objects(pg_url) == {"tables": {"alembic_version"}, "views": set(), "triggers": set(), "functions": set()}
    upgrade(pg_url)
    assert objects(pg_url) == up


RUNS = [
    {"id": 1, "spider": "greenhouse", "args": '{"companies": "gitlab"}', "status": "finished", "stats": '{"a": 1}'},
    {"id": 2, "spider": "lever", "args": "{}", "status": "failed", "stats": None},
]
JOBS = [{"id": 10, "title": "Backend", "company": "Acme", "seed": 100}, {"id": 11, "title": "Data", "company": "Beta", "seed": 101}]
POSTINGS = [
    {"id": 100, "source": "greenhouse", "source_id": "1", "title": "Backend", "job_id": 10, "run": 1,
     "skills": '["Python"]', "closed": None, "hash": "h1"},
    {"id": 101, "source": "lever", "source_id": "x", "title": "Data", "job_id": 11, "run": 2,
     "skills": "[]", "closed": "2026-11-02 00:00:00", "hash": "h2"},
    {"id": 102, "source": "lever", "source_id": "y", "title": "Data too", "job_id": 11, "run": None,
     "skills": None, "closed": None, "hash": None},
]  # fmt: skip


def fill_at_0002(url: str) -> None:
    pg = get_engine(url).dialect.name == "postgresql"
    ts = "CAST(:ts AS timestamptz)" if pg else ":ts"
    js = "CAST({} AS jsonb)" if pg else "{}"
    with get_engine(url).begin() as conn:
        for r in RUNS:
            conn.execute(
                text(
                    "INSERT INTO crawl_runs (id, spider, args, started_at, finished_at, status, items_scraped, "
                    f"items_stored, items_dropped, errors, stats) VALUES (:id, :spider, {js.format(':args')}, {ts}, "
                    f"{ts}, :status, 3, 3, 0, 0, {js.format(':stats')})"
                ),
                {**r, "ts": "2026-11-01 12:00:00"},
            )
        for j in JOBS:
            conn.execute(
                text(
                    "INSERT INTO jobs (id, title, company, seed_posting_id, created_at, updated_at) "
                    f"VALUES (:id, :title, :company, :seed, {ts}, {ts})"
                ),
                {**j, "ts": "2026-11-01 12:00:00"},
            )
        for p in POSTINGS:
            conn.execute(
                text(
                    "INSERT INTO postings (id, source, source_id, title, job_id, last_run_id, skills, closed_at, "
                    f"content_hash, first_seen_at, last_seen_at, dedupe_signature) VALUES (:id, :source, :source_id, "
                    f":title, :job_id, :run, {js.format(':skills')}, {ts.replace(':ts', ':closed')}, :hash, {ts}, "
                    f"{ts}, NULL)"
                ),
                {**p, "ts": "2026-11-01 12:00:00"},
            )
        conn.execute(text("INSERT INTO posting_bands (band, hash, posting_id) VALUES (1, 42, 100)"))


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    with get_engine(url).connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2, 3"))]
            for t in ("crawl_runs", "jobs", "postings", "posting_bands")
        }


def test_upgrade_from_0002_keeps_every_row(db_url: str) -> None:
    upgrade(db_url, "0002")
    fill_at_0002(db_url)
    before = snapshot(db_url)
    assert [len(before[t]) for t in ("crawl_runs", "jobs", "postings", "posting_bands")] == [2, 2, 3, 1]
    upgrade(db_url)
    assert current_revision(get_engine(db_url)) == head_revision()
    after = snapshot(db_url)
    # 0005 adds postings.link_pending (last column): NULL, stored rows are not waiting to be linked
    assert [r[-1] for r in after["postings"]] == [None] * 3
    after["postings"] = [r[:-1] for r in after["postings"]]
    assert after == before
    with get_engine(db_url).connect() as conn:
        open_ids = set(conn.execute(text("SELECT posting_id FROM open_jobs")).scalars())
        best = conn.execute(text("SELECT job_id, n_postings FROM jobs_best ORDER BY job_id")).all()
        changes = conn.execute(text("SELECT count(*) FROM posting_changes")).scalar_one()
    assert open_ids == {100, 102} and [tuple(r) for r in best] == [(10, 1), (11, 2)] and changes == 0
    # the old rows are live for the trigger, and down again to 0002 keeps them too
    with get_engine(db_url).begin() as conn:
        conn.execute(text("UPDATE postings SET title = 'Backend II', content_hash = 'h1b' WHERE id = 100"))
        assert conn.execute(text("SELECT field, run_id FROM posting_changes")).all() == [("title", 1)]
    downgrade(db_url, "0002")
    after = snapshot(db_url)
    assert [len(after[t]) for t in after] == [2, 2, 3, 1]


def test_postgres_large_columns_are_lz4_compressed(pg_url: str) -> None:
    """0004: descriptions and raw JSON are compressed with lz4 (new values), pglz after a downgrade."""

    def methods() -> dict[str, str]:
        with get_engine(pg_url).connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'postings'::regclass "
                    "AND attname IN ('description_text', 'description_html', 'raw')"
                )
            ).all()
        return {name: str(method) for name, method in rows}

    upgrade(pg_url)
    assert methods() == {"description_text": "l", "description_html": "l", "raw": "l"}
    long_text = " ".join(f"word{i}" for i in range(2000))  # beyond the TOAST threshold
    with get_engine(pg_url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO postings (source, source_id, title, url, description_text, first_seen_at, last_seen_at) "
                "VALUES ('t', '1', 'T', 'https://example.org/1', :d, now(), now())"
            ),
            {"d": long_text},
        )
        stored = conn.execute(
            text("SELECT pg_column_compression(description_text), description_text FROM postings")
        ).one()
    assert stored == ("lz4", long_text)
    downgrade(pg_url, "0003")
    assert methods() == {"description_text": "p", "description_html": "p", "raw": "p"}
