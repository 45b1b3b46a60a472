"""Cross-source job assignment through the real storage path, on SQLite and PostgreSQL.

Postings are real fixture postings rendered as another source would (``tests/eval/pairs.jsonl``
recipes, :mod:`crawler.dedupe.pairs`).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from crawler.db.engine import dispose_engines, get_engine
from crawler.db.link import Linker
from crawler.db.migrate import downgrade, upgrade
from crawler.db.models import jobs, posting_bands, postings
from crawler.db.store import PostingWriter
from crawler.dedupe.pairs import build_pair, load_pairs
from crawler.items import JobPosting

ROOT = Path(__file__).resolve().parent.parent


StoringWriter = PostingWriter  # the real class (tests below may see PostingWriter replaced)


class StoreThenLink:
    """PostgreSQL's default write path: the store writes (``link=False``), then the link stage
    links, in batches of 2 so that postings also meet across link batches."""

    def __init__(self, engine: Engine, near_duplicates: bool = True) -> None:
        self.writer = StoringWriter(engine, near_duplicates, link=False)
        self.linker = Linker(engine, near_duplicates, batch_size=2)

    def write(self, items: list[Any], **kwargs: Any) -> int:
        written = self.writer.write(items, **kwargs)
        self.linker.drain()
        return written


@pytest.fixture(params=["sqlite", "postgresql", "postgresql-link-stage"])
def db_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """Every test on SQLite, on PostgreSQL linking in the write transaction, and on PostgreSQL
    with the link stage (the crawl's default there): the same jobs come out of all three."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.db'}"
        dispose_engines()
        return
    if request.param == "postgresql-link-stage":
        monkeypatch.setattr(sys.modules[__name__], "PostingWriter", StoreThenLink)
    yield request.getfixturevalue("pg_url")


def pair(kind: str, n: int = 0) -> tuple[JobPosting, JobPosting]:
    rows = [r for r in load_pairs() if r["kind"] == kind]
    return build_pair(rows[n])


def job_ids(url: str) -> dict[tuple[str, str], int]:
    with get_engine(url).connect() as conn:
        return {(r.source, r.source_id): r.job_id for r in conn.execute(select(postings))}


def test_near_duplicate_from_another_source_in_a_later_write_joins_the_job(db_url: str) -> None:
    upgrade(db_url)
    writer = PostingWriter(get_engine(db_url))
    ats, linkedin = pair("linkedin_no_link")  # no URL link: found by company + title + description
    one_city, other_city = pair("same_role_other_city")
    role_a, role_b = pair("same_company_other_role", 1)
    writer.write([ats, one_city, role_a])
    writer.write([linkedin, other_city, role_b])
    jobs_of = job_ids(db_url)
    assert linkedin.source != ats.source
    assert jobs_of[("linkedin", str(linkedin.source_id))] == jobs_of[(str(ats.source), str(ats.source_id))]
    assert (
        jobs_of[(str(other_city.source), str(other_city.source_id))]
        != jobs_of[(str(one_city.source), str(one_city.source_id))]
    )
    assert (
        jobs_of[(str(role_b.source), str(role_b.source_id))]
        != jobs_of[(str(role_a.source), str(role_a.source_id))]
    )
    # re-sightings add no index rows; every job row exists
    with get_engine(db_url).connect() as conn:
        bands = conn.execute(select(func.count()).select_from(posting_bands)).scalar_one()
        n_jobs = conn.execute(select(func.count()).select_from(jobs)).scalar_one()
    writer.write([ats, linkedin])
    with get_engine(db_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(posting_bands)).scalar_one() == bands
    assert n_jobs == len(set(jobs_of.values())) == 5


def test_same_batch_and_apply_url_links(db_url: str) -> None:
    upgrade(db_url)
    writer = PostingWriter(get_engine(db_url))
    ats, linkedin = pair("ats_linkedin")  # LinkedIn's apply URL = the ATS page + tracking parameters
    board, repost = pair("aggregator_repost")
    writer.write([linkedin, ats, board, repost])
    jobs_of = job_ids(db_url)
    assert jobs_of[("linkedin", str(linkedin.source_id))] == jobs_of[(str(ats.source), str(ats.source_id))]
    assert (
        jobs_of[(str(repost.source), str(repost.source_id))]
        == jobs_of[(str(board.source), str(board.source_id))]
    )
    assert len(set(jobs_of.values())) == 2


def test_a_later_process_sees_earlier_runs(db_url: str, tmp_path: Path) -> None:
    """The index lives in the database: a new process finds the job an earlier one stored."""
    upgrade(db_url)
    original, repost = pair("repost_weeks_apart")
    reopened_a, reopened_b = pair("reopened_after_closing")
    PostingWriter(get_engine(db_url)).write([original, reopened_a])
    spool = tmp_path / "later.py"
    spool.write_text(
        "import sys\n"
        "from crawler.db.engine import get_engine\n"
        "from crawler.db.store import PostingWriter\n"
        "from crawler.dedupe.pairs import build_pair, load_pairs\n"
        "rows = load_pairs()\n"
        "b1 = build_pair([r for r in rows if r['kind'] == 'repost_weeks_apart'][0])[1]\n"
        "b2 = build_pair([r for r in rows if r['kind'] == 'reopened_after_closing'][0])[1]\n"
        "print(PostingWriter(get_engine(sys.argv[1])).write([b1, b2]))\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(spool), db_url], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip() == "2", done.stderr[-2000:]
    jobs_of = job_ids(db_url)
    assert (
        jobs_of[(str(repost.source), str(repost.source_id))]
        == jobs_of[(str(original.source), str(original.source_id))]
    )
    assert (
        jobs_of[(str(reopened_b.source), str(reopened_b.source_id))]
        != jobs_of[(str(reopened_a.source), str(reopened_a.source_id))]
    )


def test_concurrent_writers_agree_on_one_job(db_url: str) -> None:
    """Two writers storing the two sides of a pair at the same moment still give one job."""
    upgrade(db_url)
    engine = get_engine(db_url)
    for n in range(3):
        a, b = pair("linkedin_no_link", n)
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def write(
            item: JobPosting, barrier: threading.Barrier = barrier, errors: list[BaseException] = errors
        ) -> None:
            try:
                barrier.wait()
                PostingWriter(engine).write([item])
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(x,)) for x in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        jobs_of = job_ids(db_url)
        assert jobs_of[(str(a.source), str(a.source_id))] == jobs_of[(str(b.source), str(b.source_id))]


def test_migration_0002_upgrades_and_downgrades_with_data(db_url: str) -> None:
    upgrade(db_url, "0001")
    engine = get_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO postings (source, source_id, title, first_seen_at, last_seen_at) "
            "VALUES ('lever', 'old', 'Old posting', '2026-01-01', '2026-01-01')"
        )
    upgrade(db_url)
    ats, linkedin = pair("linkedin_no_link")
    PostingWriter(engine).write([ats, linkedin])
    downgrade(db_url, "0001")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(postings)).scalar_one() == 3
    upgrade(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(posting_bands)).scalar_one() == 0


def signature_of(url: str, posting: JobPosting) -> bytes | None:
    with get_engine(url).connect() as conn:
        return conn.execute(
            select(postings.c.dedupe_signature).where(
                postings.c.source == str(posting.source), postings.c.source_id == str(posting.source_id)
            )
        ).scalar_one()


def test_without_near_duplicates_only_origin_links_join_and_nothing_is_indexed(db_url: str) -> None:
    """``DEDUPE_NEAR_DUPLICATES = False``: no signatures, no index rows; a repost still joins its
    original through the origin link; switched back on, the next sighting indexes a posting."""
    upgrade(db_url)
    plain = PostingWriter(get_engine(db_url), near_duplicates=False)
    ats, linkedin = pair("linkedin_no_link")
    board = pair("ats_linkedin", 1)[0]
    repost = dataclasses.replace(  # a board's copy naming its origin (what normalize sets)
        board, source="jobfordev", source_id="origin-link-1", origin=board.source, origin_id=board.source_id
    )
    plain.write([ats, board])
    plain.write([linkedin, repost])
    jobs_of = job_ids(db_url)
    key = lambda p: (str(p.source), str(p.source_id))  # noqa: E731
    assert jobs_of[key(linkedin)] != jobs_of[key(ats)]  # the near-duplicate is not looked for
    assert jobs_of[key(repost)] == jobs_of[key(board)]  # the origin link still joins
    assert None not in jobs_of.values() and len(set(jobs_of.values())) == 3
    with get_engine(db_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(posting_bands)).scalar_one() == 0
    assert signature_of(db_url, ats) is None
    PostingWriter(get_engine(db_url)).write([ats])  # matching on again: the re-sighting is indexed
    with get_engine(db_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(posting_bands)).scalar_one() > 0
    indexed = signature_of(db_url, ats)
    assert indexed is not None
    plain.write([ats])  # a write without matching keeps the stored signature
    assert signature_of(db_url, ats) == indexed


def test_unchanged_resighting_reuses_the_stored_signature(db_url: str, monkeypatch: Any) -> None:
    """A re-sighting with the stored ``content_hash`` computes no signature and keeps the stored one;
    a changed description is signed again (and its new bands indexed)."""
    import crawler.db.store as store

    upgrade(db_url)
    writer = PostingWriter(get_engine(db_url))
    ats, other = pair("linkedin_no_link")
    ats = dataclasses.replace(ats, content_hash="a" * 64)
    other = dataclasses.replace(other, content_hash="b" * 64)
    writer.write([ats, other])
    first = signature_of(db_url, ats)
    assert first is not None
    signed: list[int] = []
    real = store.signatures
    monkeypatch.setattr(store, "signatures", lambda texts: signed.append(len(texts)) or real(texts))
    writer.write([ats, other])
    assert sum(signed) == 0 and signature_of(db_url, ats) == first  # no description signed again
    changed = dataclasses.replace(
        ats, content_hash="c" * 64, description_text=f"{ats.description_text} Completely new closing paragraph."
    )
    writer.write([changed])
    assert sum(signed) == 1 and signature_of(db_url, ats) not in (None, first)
