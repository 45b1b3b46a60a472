"""Incremental list + detail crawling (``crawler/incremental.py``, ``crawler.db.queries.stored_markers``).

The lookup runs on both backends against postings written by the real writer; the LinkedIn
end-to-end run uses ``bench.incremental``'s generated site (copies of the recorded cards and
detail fragment under new ids) and checks that a re-sighting keeps the stored content.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from sqlalchemy import event, select

from bench.incremental import LinkedInBenchSite, li_detail_ids
from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import postings
from crawler.db.queries import stored_markers
from crawler.db.store import PostingWriter
from crawler.incremental import MARKER_KEY, DetailPlan, IncrementalDetails, flag, listing_hash
from crawler.items import JobPosting
from tests.crawl import run_crawl
from tests.mockserver import Request
from tests.sites import LINKEDIN_SEARCH


def posting(source_id: str, marker: str | None = None, source: str = "acme", **fields: Any) -> JobPosting:
    raw: dict[str, Any] = {"id": source_id}
    if marker is not None:
        raw[MARKER_KEY] = marker
    return JobPosting(
        source=source,
        source_id=source_id,
        title=f"Engineer {source_id}",
        company="Acme",
        description_text=f"Build things, posting {source_id}.",
        fetched_at="2026-11-25T10:00:00+00:00",
        raw=raw,
        **fields,
    )


def store(url: str, items: list[JobPosting]) -> None:
    upgrade(url)
    assert PostingWriter(get_engine(url)).write(items) == len(items)


def count_selects(url: str) -> list[str]:
    """Every SELECT the cached engine of ``url`` runs from now on (the engine the queries use)."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(get_engine(url), "before_cursor_execute", before)
    return seen


def test_listing_hash_ignores_key_order_and_sees_every_change() -> None:
    entry = {
        "id": "1",
        "name": "Engineer",
        "releasedDate": "2026-07-21T09:15:00.000Z",
        "location": {"city": "A"},
    }
    same = {
        "location": {"city": "A"},
        "releasedDate": "2026-07-21T09:15:00.000Z",
        "name": "Engineer",
        "id": "1",
    }
    assert listing_hash(entry) == listing_hash(same)
    assert len(listing_hash(entry)) == 32
    for change in (
        {"name": "Engineer II"},
        {"releasedDate": "2026-07-22T09:15:00.000Z"},
        {"location": {"city": "B"}},
    ):
        assert listing_hash({**entry, **change}) != listing_hash(entry)


def test_switches() -> None:
    assert IncrementalDetails.from_args().enabled is True
    assert IncrementalDetails.from_args(incremental="1").enabled is True
    assert IncrementalDetails.from_args(full="0").enabled is True
    for off in ({"full": "1"}, {"full": "yes"}, {"incremental": "0"}, {"incremental": "false"}):
        assert IncrementalDetails.from_args(**off).enabled is False, off
    assert IncrementalDetails.from_args(full="1", incremental="1").enabled is False  # full wins
    assert flag(None, "full") is None and flag(" ON ", "full") is True and flag("off", "x") is False
    with pytest.raises(ValueError, match="-a full='maybe': expected 1 or 0"):
        IncrementalDetails.from_args(full="maybe")


def test_stored_markers_both_backends_one_query_per_batch(db_url: str) -> None:
    store(
        db_url,
        [
            posting("1", "m1"),
            posting("2"),  # stored without a marker (detail never read)
            posting("3", "m3", closed_at="2026-11-20T00:00:00+00:00"),  # closed
            posting("1", "m1", source="other"),  # another source, same id
            *(posting(f"bulk{i}", f"b{i}") for i in range(1200)),
        ],
    )
    settings = Settings({"DATABASE_URL": db_url})
    selects = count_selects(db_url)
    assert stored_markers(settings, "acme", ["1", "2", "3", "4"], MARKER_KEY) == {"1": "m1", "2": None}
    assert len(selects) == 1  # a listing page is one query
    assert stored_markers(settings, "other", ["1", "2"], MARKER_KEY) == {"1": "m1"}
    selects.clear()
    ids = [f"bulk{i}" for i in range(1200)] + [f"missing{i}" for i in range(1300)]
    found = stored_markers(settings, "acme", ids, MARKER_KEY)
    assert found == {f"bulk{i}": f"b{i}" for i in range(1200)}
    assert len(selects) == 3  # 2,500 ids: batches of 1,000, never one query per id
    assert stored_markers(settings, "acme", [], MARKER_KEY) == {}


def test_plan_classifies_a_page(sqlite_url: str) -> None:
    store(sqlite_url, [posting("1", listing_hash({"id": "1"})), posting("2", "stale"), posting("3")])
    settings = Settings({"DATABASE_URL": sqlite_url})
    markers = {i: listing_hash({"id": i}) for i in ("1", "2", "3", "4")}
    plan = IncrementalDetails().plan(settings, "acme", markers)
    assert plan == DetailPlan(unchanged=frozenset({"1"}), changed=frozenset({"2", "3"}), new=frozenset({"4"}))
    assert plan.skip("1") and not plan.skip("2") and not plan.skip(None)
    # forced full run, or no database: everything is fetched
    assert IncrementalDetails(enabled=False).plan(settings, "acme", markers) == DetailPlan(
        new=frozenset(markers)
    )
    no_store = Settings({"DATABASE_URL": sqlite_url, "STORE_ENABLED": False})
    assert IncrementalDetails().plan(no_store, "acme", markers).unchanged == frozenset()


def test_lookup_failure_fetches_everything(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"  # no schema: the lookup fails
    markers = {"1": "m1"}
    with caplog.at_level(logging.WARNING):
        plan = IncrementalDetails().plan(Settings({"DATABASE_URL": url}), "acme", markers)
    assert plan == DetailPlan(new=frozenset({"1"}))
    assert any("stored markers lookup failed" in r.getMessage() for r in caplog.records)


# --- LinkedIn end to end: a second run fetches search pages only and keeps the stored content ------
def test_linkedin_second_run_skips_details_and_keeps_content(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    site = LinkedInBenchSite(count=25)
    env = {"DATABASE_URL": pg_url, "STORE_SPOOL_DIR": str(tmp_path / "spool")}
    settings = {
        "LINKEDIN_DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_START_DELAY": "0",
        "LINKEDIN_STATE_DIR": str(tmp_path / "state"),
        "LOG_LEVEL": "INFO",
    }
    runs: list[tuple[list[str], dict[str, Any]]] = []
    with site.server() as server:
        for run in range(3):
            if run == 2:
                site.update(site.ids[10])  # the posting is edited: its card changes
            server.requests.clear()
            result = run_crawl(
                "linkedin",
                args={"location": "Italy", "base_url": server.base_url},
                settings=settings,
                env=env,
            )
            assert result.returncode == 0, result.log[-3000:]
            with get_engine(pg_url).connect() as conn:
                rows = {r.source_id: r for r in conn.execute(select(postings))}
            runs.append((server.paths(), rows))
    (paths1, rows1), (paths2, rows2), (paths3, rows3) = runs
    assert li_detail_ids(paths3) == [site.ids[10]]  # only the edited posting's detail is fetched again
    edited = site.ids[10]  # stored again from its detail, with the new card's marker
    assert rows3[edited].raw["_listing_hash"] != rows2[edited].raw["_listing_hash"]
    assert rows3[edited].description_text and rows3[edited].fetched_at > rows2[edited].fetched_at
    assert sorted(li_detail_ids(paths1)) == sorted(site.ids)  # 25 details
    assert li_detail_ids(paths2) == []  # every id stored: search pages only
    # pages of 10, 10 and 5 cards, then the empty page that ends the search
    assert [p.split("?")[0] for p in paths2] == [LINKEDIN_SEARCH] * 4
    assert len(paths1) == 4 + 25
    assert set(rows2) == set(site.ids)
    for job_id in site.ids:
        before, after = rows1[job_id], rows2[job_id]
        assert before.description_text and after.description_text == before.description_text
        assert after.raw == before.raw and after.first_seen_at == before.first_seen_at
        assert after.last_seen_at > before.last_seen_at and after.last_run_id != before.last_run_id


def test_bench_linkedin_site_models_the_search() -> None:
    site = LinkedInBenchSite(count=25)
    new = site.add(3)  # posted now, on top of the results
    assert site.ids[:3] == new and len(set(site.ids)) == 28
    site.update(site.ids[10])
    assert "(updated)" in site.cards[10][0]

    def cards(query: str) -> int:
        body = site.search(Request("GET", LINKEDIN_SEARCH, query, {}, b"")).body.decode()
        return body.count("<li>")

    assert cards("start=0") == 10 and cards("start=20") == 8 and cards("start=30") == 0
    assert cards("f_TPR=r3600&start=0") == 3  # only the cards posted within the window
