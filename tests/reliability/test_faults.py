"""Faults injected for real: kill -9 mid-crawl, a database outage mid-crawl, concurrent writers.

Each crawls a local 1,000-posting Greenhouse-like site (tests/reliability/site.py)
with the real `scrapy crawl greenhouse` and every pipeline; the database must end
with every posting exactly once.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.db.engine import dispose_engines, get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs, postings
from tests.crawl import ROOT, run_crawl
from tests.reliability.pg_instance import PgInstance
from tests.reliability.site import board_site, companies

BOARDS, PER_BOARD = 200, 5
TOTAL = BOARDS * PER_BOARD
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "CONCURRENT_REQUESTS": "8",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "STORE_BATCH_SIZE": "25",
    "STORE_FLUSH_INTERVAL": "0.3",
    "LOG_LEVEL": "INFO",
}


def crawl_cmd(base_url: str, extra: dict[str, str]) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "greenhouse", "-a", f"companies={companies(BOARDS)}"]
    cmd += ["-a", f"base_url={base_url}"]
    for key, value in {**FAST, **extra}.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def count(url: str) -> tuple[int, int]:
    with get_engine(url).connect() as conn:
        total, distinct = conn.execute(
            select(func.count(), func.count(func.distinct(postings.c.source_id))).select_from(postings)
        ).one()
        return int(total), int(distinct)


def wait_for(predicate: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.fixture
def private_pg() -> Iterator[PgInstance]:
    # not under pytest's tmp_path: its 0700 parents would keep the postgres user out
    root = Path(tempfile.mkdtemp(prefix="jc-pg-"))
    os.chmod(root, 0o755)
    pg = PgInstance(root / "pg").init()
    pg.start()
    try:
        yield pg
    finally:
        dispose_engines()
        try:
            pg.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(root, ignore_errors=True)


def test_kill_9_mid_crawl_then_rerun_stores_every_posting_once(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": pg_url,
        "STORE_SPOOL_DIR": str(tmp_path / "spool"),
    }
    jobdir = str(tmp_path / "jobdir")
    with board_site(BOARDS, PER_BOARD, delay=0.05) as srv:
        cmd = crawl_cmd(srv.base_url, {"JOBDIR": jobdir})
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: count(pg_url)[0] >= 150)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        killed_at = count(pg_url)[0]
        assert 0 < killed_at < TOTAL, "the crawl must be killed partway"
        second = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "did not stop cleanly" in second.stderr  # the inconsistent JOBDIR was detected and discarded
    assert count(pg_url) == (TOTAL, TOTAL)  # every posting, exactly once
    with get_engine(pg_url).connect() as conn:
        runs = conn.execute(
            select(crawl_runs.c.status, crawl_runs.c.items_stored).order_by(crawl_runs.c.id)
        ).all()
    assert len(runs) == 2  # the history shows the interrupted run and the one that finished
    assert runs[0].status in ("running", "interrupted") and runs[1].status == "finished"


def test_database_outage_mid_crawl_loses_nothing(private_pg: PgInstance, tmp_path: Path) -> None:
    url = private_pg.create_database()
    upgrade(url)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
        "STORE_SPOOL_DIR": str(tmp_path / "spool"),
    }
    with board_site(BOARDS, PER_BOARD, delay=0.05) as srv:
        proc = subprocess.Popen(
            crawl_cmd(srv.base_url, {}),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_for(lambda: count(url)[0] >= 100)
        dispose_engines()
        private_pg.stop()  # the database goes away mid-crawl...
        requests_before = len(srv.requests)
        time.sleep(2.5)
        assert len(srv.requests) > requests_before  # ...and the crawl keeps going meanwhile
        private_pg.start()
        out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out[-3000:]
    assert "spooled to" in out and "is back: replayed" in out
    assert count(url) == (TOTAL, TOTAL)  # nothing lost, nothing twice
    with get_engine(url).connect() as conn:
        run = conn.execute(select(crawl_runs)).mappings().one()
    assert run["stats"]["jobs/store/spooled"] > 0 and run["stats"]["jobs/store/spool_pending"] == 0
    assert run["items_stored"] == TOTAL
    assert list((tmp_path / "spool").glob("*.jsonl")) == []


def test_concurrent_crawls_writing_overlapping_postings(pg_url: str, tmp_path: Path) -> None:
    """Two crawls of the same 1,000 postings at once: no deadlock, no lost or doubled row."""
    upgrade(pg_url)
    with board_site(BOARDS, PER_BOARD, delay=0.0) as srv:

        def crawl(n: int) -> int:
            env = {"DATABASE_URL": pg_url, "STORE_SPOOL_DIR": str(tmp_path / f"spool{n}")}
            # two runs of one source at once, on purpose: without the source lock (crawler/locks.py)
            settings = {**FAST, "STORE_BATCH_SIZE": "50", "SOURCE_LOCK_ENABLED": "0"}
            args = {"companies": companies(BOARDS), "base_url": srv.base_url}
            result = run_crawl("greenhouse", args=args, settings=settings, env=env, timeout=300)
            assert "deadlock" not in result.log.lower(), result.log[-2000:]
            # a writer that loses a race on a new key writes its batch again through the merge
            assert "writing them one by one" not in result.log, result.log[-2000:]
            return result.returncode

        with ThreadPoolExecutor(2) as pool:
            codes = list(pool.map(crawl, (1, 2)))
    assert codes == [0, 0]
    assert count(pg_url) == (TOTAL, TOTAL)
    with get_engine(pg_url).connect() as conn:
        runs = conn.execute(select(crawl_runs.c.status, crawl_runs.c.items_stored)).all()
        without_job = conn.execute(select(func.count()).where(postings.c.job_id.is_(None))).scalar_one()
    assert [r.status for r in runs] == ["finished", "finished"]
    assert all(r.items_stored == TOTAL for r in runs)
    assert without_job == 0  # (the copies share descriptions, so dedupe may group them into few jobs)
