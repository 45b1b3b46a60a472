"""Closing postings: complete listings close what they no longer show, nothing else does."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs, postings
from crawler.db.store import PostingWriter, parse_ts
from crawler.history import close_expired, close_unlisted, listing_scope, why_not_close
from crawler.items import JobPosting
from tests.crawl import run_crawl
from tests.mockserver import MockServer, Request, Route

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
RUN2 = T0 + timedelta(days=1)


def posting(source: str, source_id: str, board: str | None = None, **kw: Any) -> JobPosting:
    raw = {"_board": board} if board else {}
    return JobPosting(source=source, source_id=source_id, title=kw.pop("title", "Engineer"), raw=raw, **kw)


def state(url: str) -> dict[str, datetime | None]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(postings.c.source, postings.c.source_id, postings.c.closed_at)).all()
    return {f"{r.source}:{r.source_id}": parse_ts(r.closed_at) for r in rows}


def seed(url: str) -> PostingWriter:
    upgrade(url)
    writer = PostingWriter(get_engine(url))
    writer.write(
        [
            posting("gh", "a1", "a"), posting("gh", "a2", "a"), posting("gh", "a3", "a"),
            posting("gh", "b1", "b"), posting("gh", "legacy"),  # stored without a board
            posting("other", "a1", "a"),
        ],
        now=T0,
    )  # fmt: skip
    # the second run sees a1 and b1 only
    writer.write([posting("gh", "a1", "a"), posting("gh", "b1", "b")], now=RUN2 + timedelta(minutes=5))
    return writer


def test_complete_listing_closes_only_unlisted_postings_in_scope(db_url: str) -> None:
    seed(db_url)
    engine = get_engine(db_url)
    now = RUN2 + timedelta(hours=1)
    result = close_unlisted(engine, "gh", started_at=RUN2, scope=["a"], now=now)
    assert (result.closed, result.candidates, result.open_in_scope) == (2, 2, 3)
    closed = {k for k, v in state(db_url).items() if v is not None}
    assert closed == {"gh:a2", "gh:a3"}  # not board b, not the posting without a board, not another source
    assert state(db_url)["gh:a2"] == now
    # idempotent: nothing left to close
    assert close_unlisted(engine, "gh", started_at=RUN2, scope=["a"], now=now).closed == 0
    # whole source: the board-less posting too (b1 was seen in this run)
    assert close_unlisted(engine, "gh", started_at=RUN2, now=now).closed == 1
    assert {k for k, v in state(db_url).items() if v is not None} == {"gh:a2", "gh:a3", "gh:legacy"}
    assert state(db_url)["other:a1"] is None


def test_a_posting_seen_again_reopens(db_url: str) -> None:
    writer = seed(db_url)
    close_unlisted(get_engine(db_url), "gh", started_at=RUN2, scope=["a"])
    assert state(db_url)["gh:a3"] is not None
    writer.write([posting("gh", "a3", "a")], now=RUN2 + timedelta(days=1))
    assert state(db_url)["gh:a3"] is None
    assert state(db_url)["gh:a2"] is not None


def test_guard_and_empty_scope_close_nothing(db_url: str) -> None:
    seed(db_url)
    engine = get_engine(db_url)
    # 2 of 3 open postings of board a missing: above a 50 % share once the scope is big enough
    refused = close_unlisted(engine, "gh", started_at=RUN2, scope=["a"], max_share=0.5, guard_min=3)
    assert refused.closed == 0 and refused.refused and "2 of 3" in refused.refused
    assert close_unlisted(engine, "gh", started_at=RUN2, scope=[]).refused == "empty scope"
    # below guard_min the share is not judged (a small board may lose most of its postings)
    assert close_unlisted(engine, "gh", started_at=RUN2, scope=["a"], max_share=0.5, guard_min=4).closed == 2
    assert sum(v is not None for v in state(db_url).values()) == 2


def test_expired_valid_through_closes_at_its_date(db_url: str) -> None:
    upgrade(db_url)
    writer = PostingWriter(get_engine(db_url))
    expired, later = "2026-10-30T00:00:00Z", "2027-01-01T00:00:00Z"
    writer.write(
        [posting("gh", "old", valid_through=expired), posting("gh", "new", valid_through=later), posting("gh", "x")],
        now=T0,
    )
    assert close_expired(get_engine(db_url), "gh", now=T0) == 1
    assert state(db_url) == {"gh:old": datetime(2026, 10, 30, tzinfo=UTC), "gh:new": None, "gh:x": None}


GOOD = {"start_time": RUN2, "listing/complete": 1, "listing/scope": ["a"], "finish_reason": "finished"}


@pytest.mark.parametrize(
    ("reason", "extra", "why"),
    [
        ("finished", {}, None),
        ("finished", {"listing/complete": 0}, "listing not declared complete"),
        ("shutdown", {}, "close reason shutdown"),
        ("closespider_itemcount", {}, "close reason closespider_itemcount"),
        ("blocked", {}, "close reason blocked"),
        ("finished", {"log_count/ERROR": 1, "retry/max_reached": 1}, "errors logged"),
        ("finished", {"jobs/store/spooled": 3}, "run status failed"),
        ("finished", {"ops/too_few_items": True}, "run status too_few_items"),
        ("finished", {"blocks/count": 1}, "blocked requests"),
        ("finished", {"jobs/request_failed": 1}, None),  # a scoped listing left the failed board out
        ("finished", {"jobs/request_failed": 1, "listing/scope": None}, "failed requests"),
        ("finished", {"jobs/parse_error/json": 1, "listing/scope": None}, "failed requests"),
    ],
)
def test_only_clean_complete_runs_may_close(reason: str, extra: dict[str, Any], why: str | None) -> None:
    stats = {**GOOD, **extra}
    stats = {k: v for k, v in stats.items() if v is not None}
    got = why_not_close(reason, stats)
    assert (got is None) if why is None else (got is not None and got.startswith(why)), got


def test_listing_scope_forms() -> None:
    assert listing_scope({}) is None
    assert listing_scope({"listing/scope": "b, a,"}) == ["b", "a"]
    assert listing_scope({"listing/scope": ["b", "a", "a"]}) == ["a", "b"]
    assert listing_scope({"listing/scope": []}) == []


# --- end to end: real `scrapy crawl` runs of a test spider ---------------------------------------


class Boards:
    """A listing site whose boards the test edits between runs."""

    def __init__(self) -> None:
        self.boards: dict[str, Any] = {}

    def __call__(self, request: Request) -> Route:
        slug = request.path.rsplit("/", 1)[-1].removesuffix(".json")
        body = self.boards.get(slug)
        if body is None:
            return Route.text("not found", status=404, content_type="text/plain")
        text_body = body if isinstance(body, str) else json.dumps([{"id": i, "title": f"Job {i}"} for i in body])
        return Route.text(text_body, content_type="application/json")


def crawl(srv: MockServer, tmp_path: Path, url: str, **args: str) -> str:
    result = run_crawl(
        "history_listing",
        args={"boards": "a,b", "complete": "1", "base_url": srv.base_url, **args},
        settings={
            "SPIDER_MODULES": "spiders,tests.analytics.spiders",
            "AUTOTHROTTLE_ENABLED": "0",
            "DOWNLOAD_DELAY": "0",
            "HISTORY_CLOSE_GUARD_MIN": "1000",
        },
        env={"DATABASE_URL": url, "STORE_SPOOL_DIR": str(tmp_path / "spool")},
    )
    return result.log


def test_crawls_close_unlisted_postings_and_partial_runs_close_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    site = Boards()
    site.boards = {"a": [1, 2, 3], "b": [10, 11]}
    with MockServer(default=site) as srv:
        log = crawl(srv, tmp_path, url)
        assert set(state(url)) == {f"history_test:{i}" for i in (1, 2, 3, 10, 11)}, log[-3000:]
        site.boards = {"a": [1, 2], "b": '[{"id": 10'}  # a lost 3; b answers broken JSON
        log = crawl(srv, tmp_path, url)
        closed = {k for k, v in state(url).items() if v is not None}
        assert closed == {"history_test:3"}, log[-3000:]  # b was not listed fully: 10, 11 stay open
        site.boards = {"a": [1, 3], "b": [10, 11]}  # 3 is back, 2 is gone, but the run logs an error
        log = crawl(srv, tmp_path, url, error="1")
    after = state(url)
    assert after["history_test:3"] is None  # reopened by the store
    assert after["history_test:2"] is None, log[-3000:]  # the run logged an error: nothing closed
    with get_engine(url).connect() as conn:
        runs = conn.execute(select(crawl_runs.c.status, crawl_runs.c.stats).order_by(crawl_runs.c.id)).all()
    assert [r.status for r in runs] == ["finished", "finished", "failed"]
    # the closer's outcome reaches crawl_runs (it runs before the recorder)
    assert runs[0].stats["history/closed"] == 0
    assert runs[1].stats["history/closed"] == 1 and runs[1].stats["listing/scope"] == ["a"]
    assert runs[2].stats["history/skipped"] == "errors logged" and "history/closed" not in runs[2].stats
