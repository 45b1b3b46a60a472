"""The link stage (PostgreSQL): the store's ``link_pending`` queue, the Linker, LinkPipeline and
``scrapy link``.  Postings are real fixture postings rendered as another source would
(``crawler.dedupe.pairs``)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from crawler.db.engine import get_engine
from crawler.db.link import Linker, link_pending_count
from crawler.db.migrate import upgrade
from crawler.db.models import posting_bands, postings
from crawler.db.store import PostingWriter
from crawler.dedupe.pairs import build_pair, load_pairs
from crawler.items import JobPosting
from pipelines.link import LinkPipeline
from pipelines.store import StorePipeline
from tests.ops import ops_env, run, scrapy_cmd


def pair(kind: str, n: int = 0) -> tuple[JobPosting, JobPosting]:
    rows = [r for r in load_pairs() if r["kind"] == kind]
    return build_pair(rows[n])


def state(url: str) -> dict[tuple[str, str], dict[str, Any]]:
    p = postings.c
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(p.source, p.source_id, p.job_id, p.link_pending, p.dedupe_signature))
        return {(r.source, r.source_id): r._asdict() for r in rows}


def band_rows(url: str) -> list[tuple[int, int, int]]:
    b = posting_bands.c
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(select(b.band, b.hash, b.posting_id))]


def key(item: JobPosting) -> tuple[str, str]:
    return str(item.source), str(item.source_id)


def test_store_queues_new_and_changed_postings_and_the_linker_links_them(pg_url: str) -> None:
    upgrade(pg_url)
    engine = get_engine(pg_url)
    store, linker = PostingWriter(engine, link=False), Linker(engine, batch_size=1)
    ats, linkedin = pair("linkedin_no_link")  # one job, found by company + title + description
    role_a, role_b = pair("same_company_other_role", 1)  # two jobs
    assert store.write([ats, role_a]) == 2
    before = state(pg_url)
    assert all(r["link_pending"] and r["job_id"] is None for r in before.values())
    assert linker.pending() == 2
    assert linker.drain() == 2 and linker.pending() == 0
    assert store.write([linkedin, role_b]) == 2
    assert linker.drain() == 2
    after = state(pg_url)
    assert after[key(linkedin)]["job_id"] == after[key(ats)]["job_id"] is not None
    assert after[key(role_b)]["job_id"] != after[key(role_a)]["job_id"]
    assert not any(r["link_pending"] for r in after.values())
    # an unchanged re-sighting and a partial one queue nothing
    store.write([ats, dataclasses.replace(role_a, partial=True)])
    assert linker.pending() == 0
    # a changed description is queued again: signed and indexed again, its job kept
    changed = dataclasses.replace(ats, content_hash="c" * 64, description_text=role_b.description_text)
    store.write([changed])
    assert state(pg_url)[key(ats)]["link_pending"] is True
    bands_before = band_rows(pg_url)
    assert linker.drain() == 1
    final = state(pg_url)[key(ats)]
    assert final["job_id"] == after[key(ats)]["job_id"] and final["link_pending"] is False
    assert final["dedupe_signature"] != after[key(ats)]["dedupe_signature"]
    bands_after = band_rows(pg_url)
    # the old rows kept, the new text's bands added, no (key, posting) row twice
    assert set(bands_before) < set(bands_after) and len(bands_after) == len(set(bands_after))


def test_origin_links_are_followed_both_ways_across_link_batches(pg_url: str) -> None:
    """A repost names its original (``origin``/``origin_id``): one job whichever is linked first,
    even for two postings the matcher alone would keep apart (another role of the company)."""
    upgrade(pg_url)
    engine = get_engine(pg_url)
    store, linker = PostingWriter(engine, link=False), Linker(engine, batch_size=1)
    role_a, role_b = pair("same_company_other_role", 1)
    role_c, role_d = pair("same_company_other_role", 2)
    forward = dataclasses.replace(role_b, source="trampos", source_id="r1", origin=role_a.source, origin_id=role_a.source_id)
    reverse = dataclasses.replace(role_d, source="trampos", source_id="r2", origin=role_c.source, origin_id=role_c.source_id)
    store.write([role_a, reverse])  # an original before its repost; a repost before its original
    linker.drain()
    store.write([forward, role_c])
    linker.drain()
    jobs_of = {k: r["job_id"] for k, r in state(pg_url).items()}
    assert jobs_of[key(forward)] == jobs_of[key(role_a)] is not None
    assert jobs_of[key(reverse)] == jobs_of[key(role_c)] is not None
    assert jobs_of[key(role_a)] != jobs_of[key(role_c)]


def test_a_posting_changed_while_it_was_being_linked_stays_queued(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(pg_url)
    engine = get_engine(pg_url)
    store, linker = PostingWriter(engine, link=False), Linker(engine)
    ats, _ = pair("linkedin_no_link")
    store.write([ats])
    import crawler.db.link as link

    real = link.dedupe_batch
    edited = dataclasses.replace(ats, content_hash="e" * 64, description_text="Edited while being linked.")

    def store_meanwhile(group: list[dict[str, Any]], near: bool = True) -> Any:
        store.write([edited])  # the store commits a new version between the read and the lock
        return real(group, near)

    monkeypatch.setattr(link, "dedupe_batch", store_meanwhile)
    assert linker.link_batch() == (1, 0)  # read, but not linked with the old text's signature
    monkeypatch.setattr(link, "dedupe_batch", real)
    assert state(pg_url)[key(ats)]["link_pending"] is True
    assert linker.drain() == 1
    row = state(pg_url)[key(ats)]
    assert row["job_id"] is not None and row["link_pending"] is False


def test_a_writer_that_loses_a_race_on_a_new_key_writes_through_the_merge(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer stores a key between this one's stored-keys query and its COPY: the COPY
    fails on the unique key and the batch is written again through INSERT .. ON CONFLICT."""
    upgrade(pg_url)
    engine = get_engine(pg_url)
    ats, linkedin = pair("linkedin_no_link")
    writer = PostingWriter(engine, link=False)
    other = PostingWriter(engine, link=False)
    other.write([ats])
    real_query = writer._pg_stored_keys
    writer._pg_stored_keys = "SELECT NULL::text, NULL::text WHERE %s::text[] IS NULL AND %s::text[] IS NULL"  # sees none
    copies = []
    real_store = writer._store_pg
    monkeypatch.setattr(
        writer, "_store_pg", lambda *a, **k: copies.append(k["merge_all"]) or real_store(*a, **k)
    )
    renamed = dataclasses.replace(ats, title="Renamed by the second writer")
    assert writer.write([renamed, linkedin]) == 2
    assert copies == [False, True]  # the COPY lost (UniqueViolation), the merge wrote
    writer._pg_stored_keys = real_query
    with engine.connect() as conn:
        titles = dict(conn.execute(select(postings.c.source_id, postings.c.title)).all())
    assert titles[str(ats.source_id)] == "Renamed by the second writer" and len(titles) == 2
    assert Linker(engine).drain() == 2


def test_a_batch_copied_at_once_after_an_all_new_one_falls_back_when_a_posting_is_stored(pg_url: str) -> None:
    upgrade(pg_url)
    engine = get_engine(pg_url)
    ats, linkedin = pair("linkedin_no_link")
    role_a, role_b = pair("same_company_other_role", 1)
    writer = PostingWriter(engine, link=False)
    assert writer.write([ats]) == 1
    writer.write([role_a])  # all new again: the next batch is COPY-ed without asking first
    assert writer._all_new
    edited = dataclasses.replace(ats, salary_raw="R$ 12.000,00 por mês", content_hash="f" * 64)
    assert writer.write([linkedin, edited, role_b]) == 3  # the COPY meets ats: savepoint, then merge
    assert not writer._all_new
    with engine.connect() as conn:
        p = postings.c
        rows = {r.source_id: r for r in conn.execute(select(p.source_id, p.salary_raw, p.first_seen_at, p.last_seen_at))}
    assert len(rows) == 4 and rows[str(ats.source_id)].salary_raw == "R$ 12.000,00 por mês"
    assert rows[str(ats.source_id)].first_seen_at < rows[str(ats.source_id)].last_seen_at
    assert Linker(engine).drain() == 4
    jobs_of = {k: r["job_id"] for k, r in state(pg_url).items()}
    assert jobs_of[key(linkedin)] == jobs_of[key(ats)] and jobs_of[key(role_a)] != jobs_of[key(role_b)]


def drive(settings: dict[str, Any], items: list[JobPosting], pause: float = 0.0) -> tuple[LinkPipeline, dict]:
    crawler = get_crawler(settings_dict=settings)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    store, link = StorePipeline.from_crawler(crawler), LinkPipeline.from_crawler(crawler)

    async def run_() -> None:
        await store.open_spider()
        await link.open_spider()
        for item in items:
            assert await link.process_item(await store.process_item(item)) is item
        await store.drain()
        await asyncio.sleep(pause)  # the periodic pass runs meanwhile
        await asyncio.gather(store.close_spider(), link.close_spider())  # as Scrapy closes them

    asyncio.run(run_())
    return link, crawler.stats.get_stats()


def test_link_pipeline_links_during_and_after_the_crawl(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    ats, linkedin = pair("linkedin_no_link")
    more = [dataclasses.replace(ats, source="greenhouse", source_id=f"x{i}", title=f"Role {i}") for i in range(30)]
    settings = {
        "DATABASE_URL": pg_url,
        "STORE_SPOOL_DIR": str(tmp_path / "spool"),
        "STORE_BATCH_SIZE": 7,
        "LINK_INTERVAL": 0.05,
        "LINK_BATCH_SIZE": 4,
    }
    _, stats = drive(settings, [ats, *more], pause=0.5)
    assert stats["jobs/stored"] == 31 and stats["jobs/linked"] == 31 and stats["jobs/link/pending"] == 0
    # the last items arrive after a pass: closing waits for the store, then links them too
    _, stats = drive(settings, [linkedin])
    assert stats["jobs/linked"] == 1 and stats["jobs/link/pending"] == 0
    rows = state(pg_url)
    assert rows[key(linkedin)]["job_id"] == rows[key(ats)]["job_id"] is not None
    assert all(r["job_id"] is not None for r in rows.values())


def test_a_failing_link_stage_is_logged_and_counted_and_leaves_postings_queued(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    upgrade(pg_url)
    ats, _ = pair("linkedin_no_link")

    def down(self: Linker, limit: int | None = None) -> int:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(Linker, "drain", down)
    settings = {"DATABASE_URL": pg_url, "STORE_SPOOL_DIR": str(tmp_path / "spool"), "LINK_INTERVAL": 0}
    with caplog.at_level(logging.ERROR, logger="pipelines.link"):
        _, stats = drive(settings, [ats])
    assert stats["jobs/stored"] == 1 and stats["jobs/link/errors"] == 1
    assert stats["jobs/link/pending"] == 1
    assert "they stay pending for the next run or `scrapy link`" in caplog.text
    assert "s3cr3t" not in caplog.text  # the URL is masked
    monkeypatch.undo()
    assert Linker(get_engine(pg_url)).drain() == 1


def test_link_enabled_0_leaves_postings_queued_for_scrapy_link(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    ats, _ = pair("linkedin_no_link")
    settings = {"DATABASE_URL": pg_url, "STORE_SPOOL_DIR": str(tmp_path / "spool"), "LINK_ENABLED": False}
    link, stats = drive(settings, [ats])
    assert not link.enabled and stats["jobs/stored"] == 1 and "jobs/linked" not in stats
    assert state(pg_url)[key(ats)]["link_pending"] is True
    assert link_pending_count(get_engine(pg_url)) == 1


def test_inline_linking_and_sqlite_leave_nothing_for_the_link_stage(
    pg_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    upgrade(pg_url)
    ats, linkedin = pair("linkedin_no_link")
    inline = {"DATABASE_URL": pg_url, "STORE_SPOOL_DIR": str(tmp_path / "s1"), "STORE_LINK_INLINE": True}
    link, stats = drive(inline, [ats, linkedin])
    assert not link.enabled and "jobs/linked" not in stats
    rows = state(pg_url)
    assert rows[key(ats)]["job_id"] == rows[key(linkedin)]["job_id"] is not None
    assert not any(r["link_pending"] for r in rows.values())
    link, _ = drive({"DATABASE_URL": sqlite_url, "STORE_SPOOL_DIR": str(tmp_path / "s2")}, [ats])
    assert not link.enabled
    assert link_pending_count(get_engine(sqlite_url)) == 0
    assert state(sqlite_url)[key(ats)]["job_id"] is not None
    with pytest.raises(ValueError, match="PostgreSQL"):
        Linker(get_engine(sqlite_url))


def test_scrapy_link_command(pg_url: str, sqlite_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    ats, linkedin = pair("linkedin_no_link")
    role_a, _ = pair("same_company_other_role", 1)
    PostingWriter(get_engine(pg_url), link=False).write([ats, linkedin, role_a])
    env = ops_env(pg_url, tmp_path)
    done = run(scrapy_cmd("link", extra=["--limit", "1"]), env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "linked 1 of 3 pending postings" in done.stdout and "2 still pending" in done.stdout
    assert "s3cr3t" not in done.stdout + done.stderr
    done = run(scrapy_cmd("link"), env)
    assert "linked 2 of 2 pending postings" in done.stdout and "0 still pending" in done.stdout
    rows = state(pg_url)
    assert rows[key(ats)]["job_id"] == rows[key(linkedin)]["job_id"] != rows[key(role_a)]["job_id"]
    bad = run(scrapy_cmd("link", extra=["--limit", "0"]), env)
    assert bad.returncode != 0 and "--limit must be a positive number" in bad.stderr
    lite = run(scrapy_cmd("link"), ops_env(sqlite_url, tmp_path))
    assert lite.returncode == 0 and "nothing to do" in lite.stdout
    with get_engine(pg_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM postings WHERE link_pending")).scalar_one() == 0
