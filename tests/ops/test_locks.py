"""One run per source: a second concurrent ``scrapy crawl`` of the same source exits at once (code 8).

Two real processes, on PostgreSQL (advisory lock) and on SQLite (file lock).  The first one
also shows the progress lines, and on SQLite it is stopped with SIGTERM (status
``interrupted``, exit code 4).
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs
from crawler.exitcodes import ExitCode
from crawler.locks import FileLock, advisory_key
from tests.conftest import PG_PASSWORD
from tests.mockserver import MockServer, Request, Route
from tests.ops import greenhouse_board, json_route, ops_env, run, scrapy_cmd, start, wait_for

COMPANIES = [f"slow{i}" for i in range(6)]


def gated_board(gate: threading.Event):  # type: ignore[no-untyped-def]
    """Boards that answer only once ``gate`` is open: the first run holds its lock until the test says."""

    def handler(req: Request) -> Route:
        gate.wait(timeout=90)
        return json_route(greenhouse_board(2, start_id=10 * int(req.path.split("/")[3][4:])))

    return handler


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_second_run_of_a_source_exits_at_once(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = (
        request.getfixturevalue("pg_url") if backend == "postgresql" else f"sqlite:///{tmp_path / 'jobs.db'}"
    )
    upgrade(url)
    interrupt = backend == "sqlite"
    gate = threading.Event()
    routes = {f"/v1/boards/{c}/jobs": gated_board(gate) for c in COMPANIES}
    env = ops_env(url, tmp_path, PROGRESS_INTERVAL="0.5")
    settings = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}
    with MockServer(routes) as srv:
        args = {"companies": ",".join(COMPANIES), "base_url": srv.base_url}
        first_log = tmp_path / "first.log"
        first = start(scrapy_cmd("crawl", "greenhouse", args=args, settings=settings), env, first_log)
        try:
            wait_for(lambda: "holding" in first_log.read_text(errors="replace"), 60, "the first run's lock")
            began = time.monotonic()
            # the first run cannot finish before the gate opens: the second one must give up by itself
            second = run(scrapy_cmd("crawl", "greenhouse", args=args, settings=settings), env, timeout=90)
            took = time.monotonic() - began
            assert second.returncode == ExitCode.LOCKED, second.stderr[-3000:]
            assert first.poll() is None, "the first run must still be running"
            wait_for(lambda: "progress greenhouse" in first_log.read_text(errors="replace"), 60, "progress")
            if interrupt:
                first.send_signal(signal.SIGTERM)
                wait_for(
                    lambda: "shutting down gracefully" in first_log.read_text(errors="replace"), 60, "SIGTERM"
                )
            gate.set()
            code = first.wait(timeout=90)
        finally:
            gate.set()
            if first.poll() is None:
                first.kill()
    log = first_log.read_text(errors="replace")
    assert code == (ExitCode.INTERRUPTED if interrupt else ExitCode.OK), log[-3000:]
    assert took < 30, f"the second run took {took:.1f}s to give up"
    message = second.stderr
    assert "another run of greenhouse is in progress" in message and "exit code 8" in message
    assert f"pid {first.pid}" in message or f"jobcrawler crawl:greenhouse pid {first.pid}" in message
    assert "Spider opened" not in message and "crawl run" not in message  # nothing was started
    assert PG_PASSWORD not in message and PG_PASSWORD not in log

    # progress lines: pages/min, items/min, queue, in flight
    progress = [line for line in log.splitlines() if "progress greenhouse:" in line]
    assert progress, log[-3000:]
    assert all(p in progress[-1] for p in ("pages ", "/min), items ", "queue ", "in flight "))

    with get_engine(url).connect() as conn:
        runs = conn.execute(select(crawl_runs.c.status, crawl_runs.c.items_stored)).all()
    if interrupt:
        assert [r.status for r in runs] == ["interrupted"]
        assert "lock" in str(sorted(p.name for p in tmp_path.iterdir()))
    else:
        assert runs == [("finished", 2 * len(COMPANIES))]


def test_lock_primitives(tmp_path: Path) -> None:
    first, second = FileLock(tmp_path / "x.lock", "crawl:x"), FileLock(tmp_path / "x.lock", "crawl:x")
    assert first.acquire()
    # flock is per open file description: a second opener in this very process is refused too
    assert not second.acquire()
    assert "pid" in second.holder()
    first.release()
    assert second.acquire()
    second.release()
    # the advisory key is stable (the same on every machine and every run)
    assert advisory_key("crawl:greenhouse") == advisory_key("crawl:greenhouse") != advisory_key("crawl:lever")
    assert -(2**63) <= advisory_key("crawl:greenhouse") < 2**63
