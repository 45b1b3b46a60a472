"""Plain ``scrapy crawl`` exits non-zero when the run was not good (Scrapy's own command exits 0)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs
from crawler.exitcodes import ExitCode, for_status, worst
from crawler.runs import run_status
from tests.conftest import PG_PASSWORD
from tests.mockserver import MockServer, Route
from tests.ops import greenhouse_board, json_route, ops_env, run, scrapy_cmd

FAST = {"RETRY_TIMES": "1", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}


def crawl_greenhouse(
    db_url: str, tmp_path: Path, routes: dict[str, Route], companies: str, **settings: str
) -> tuple[int, str, dict]:
    with MockServer(routes) as srv:
        proc = run(
            scrapy_cmd(
                "crawl",
                "greenhouse",
                args={"companies": companies, "base_url": srv.base_url},
                settings={**FAST, **settings},
            ),
            ops_env(db_url, tmp_path),
        )
    with get_engine(db_url).connect() as conn:
        row = conn.execute(select(crawl_runs).order_by(crawl_runs.c.id.desc())).mappings().first()
    return proc.returncode, proc.stdout + proc.stderr, dict(row) if row else {}


def test_status_table_and_worst() -> None:
    assert [for_status(s) for s in ("finished", "failed", "blocked", "interrupted")] == [0, 1, 3, 4]
    assert [for_status(s) for s in ("high_error_rate", "too_few_items", "degraded", "locked")] == [5, 6, 7, 8]
    assert for_status(None) == ExitCode.FAILED and for_status("nonsense") == ExitCode.FAILED
    assert worst([0, 7, 3]) == ExitCode.BLOCKED
    assert worst([0, 8, 7]) == ExitCode.DEGRADED
    assert worst([0, -9]) == ExitCode.FAILED  # killed by a signal
    assert worst([]) == ExitCode.OK
    # request give-ups ("Gave up retrying", logged as ERROR by Scrapy) are judged by the error rate
    assert run_status("finished", {"log_count/ERROR": 2, "retry/max_reached": 2}) == "finished"
    assert run_status("finished", {"log_count/ERROR": 3, "retry/max_reached": 2}) == "failed"
    assert run_status("finished", {"ops/high_error_rate": True, "ops/degraded": True}) == "high_error_rate"
    assert run_status("blocked", {"ops/degraded": True}) == "blocked"
    # spooled while the database was down: a failure only if still unwritten at the end of the run
    assert run_status("finished", {"jobs/store/spooled": 25, "jobs/store/spool_pending": 0}) == "finished"
    assert run_status("finished", {"jobs/store/spooled": 25, "jobs/store/spool_pending": 25}) == "failed"
    assert run_status("finished", {"jobs/store/spooled": 25}) == "failed"


def test_every_request_failing_is_not_success(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    down = Route.text("upstream error", status=503, content_type="text/plain")
    code, log, row = crawl_greenhouse(pg_url, tmp_path, {"/v1/boards/acme/jobs": down}, "acme")
    assert code == ExitCode.HIGH_ERROR_RATE, log[-3000:]
    assert row["status"] == "high_error_rate"
    assert row["stats"]["ops/error_rate"] == 1.0 and row["stats"]["ops/high_error_rate"] is True
    assert "error rate 100%: 2 of 2 request attempts failed" in log
    assert "exit code 5 (HIGH_ERROR_RATE)" in log
    assert PG_PASSWORD not in log


def test_fewer_items_than_the_minimum(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    routes = {"/v1/boards/acme/jobs": json_route(greenhouse_board(3))}
    code, log, row = crawl_greenhouse(pg_url, tmp_path, routes, "acme", MIN_ITEMS="5")
    assert code == ExitCode.TOO_FEW_ITEMS, log[-3000:]
    assert row["status"] == "too_few_items" and row["items_stored"] == 3
    assert row["stats"]["ops/min_items"] == 5 and row["stats"]["ops/items"] == 3
    assert "only 3 postings stored, fewer than this source's minimum of 5" in log
    # the same run with a minimum it meets is a plain success
    code, log, row = crawl_greenhouse(pg_url, tmp_path, routes, "acme", MIN_ITEMS="3")
    assert code == ExitCode.OK, log[-3000:]
    assert row["status"] == "finished"


def test_spider_error_fails_the_run(pg_url: str, tmp_path: Path) -> None:
    """A callback that raises is a failed run (exit 1), even though its posting was stored."""
    upgrade(pg_url)
    with MockServer({"/page": Route.text("<html>generated</html>")}) as srv:
        proc = run(
            scrapy_cmd(
                "crawl",
                "ops_raising",
                args={"base_url": srv.base_url},
                settings={**FAST, "SPIDER_MODULES": "spiders,tests.ops.spiders"},
            ),
            ops_env(pg_url, tmp_path),
        )
    log = proc.stdout + proc.stderr
    assert proc.returncode == ExitCode.FAILED, log[-3000:]
    assert "generated bug in a callback" in log
    with get_engine(pg_url).connect() as conn:
        row = conn.execute(select(crawl_runs)).mappings().one()
    assert row["status"] == "failed" and row["errors"] == 1 and row["items_stored"] == 1


def test_blocked_run_exits_3(pg_url: str, tmp_path: Path) -> None:
    """GitHub's rate limit stops github_vagas cleanly with close reason ``blocked``."""
    upgrade(pg_url)
    limited = Route.text(
        '{"message": "API rate limit exceeded"}',
        status=403,
        content_type="application/json",
        **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"},
    )
    with MockServer({"/repos/acme/vagas/issues": limited}) as srv:
        proc = run(
            scrapy_cmd(
                "crawl",
                "github_vagas",
                args={"repos": "acme/vagas", "base_url": srv.base_url},
                settings=FAST,
            ),
            ops_env(pg_url, tmp_path),
        )
    log = proc.stdout + proc.stderr
    assert proc.returncode == ExitCode.BLOCKED, log[-3000:]
    with get_engine(pg_url).connect() as conn:
        assert conn.execute(select(crawl_runs.c.status)).scalar_one() == "blocked"
