"""Per-run field coverage in ``crawl_runs.stats``, compared with the source's recent finished runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs
from crawler.exitcodes import ExitCode
from crawler.extensions.monitor import error_rate
from crawler.extensions.progress import listing_progress
from tests.mockserver import MockServer
from tests.ops import greenhouse_board, json_route, ops_env, run, scrapy_cmd

FIELDS = ("title", "company", "location", "salary", "description", "posted_at")
SETTINGS = {"COVERAGE_MIN_ITEMS": "5", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}


def test_coverage_drop_is_a_degraded_run(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    board = greenhouse_board(8)
    board["jobs"][0]["title"] = ""  # one validation failure
    env = ops_env(pg_url, tmp_path)
    with MockServer({"/v1/boards/acme/jobs": json_route(board)}) as srv:
        cmd = scrapy_cmd(
            "crawl", "greenhouse", args={"companies": "acme", "base_url": srv.base_url}, settings=SETTINGS
        )
        first = run(cmd, env)
        assert first.returncode == ExitCode.OK, first.stderr[-3000:]
        engine = get_engine(pg_url)
        with engine.connect() as conn:
            stats = conn.execute(select(crawl_runs.c.stats)).scalar_one()
        assert stats["ops/coverage/items"] == 7
        assert {f: stats[f"ops/coverage/{f}"] for f in FIELDS} == {
            "title": 1.0,
            "company": 1.0,
            "location": 1.0,
            "salary": 0.0,
            "description": 1.0,
            "posted_at": 1.0,
        }
        assert stats["ops/validation/failures"] == 1 and stats["ops/validation/failure_rate"] == 0.125
        assert "0 earlier finished run(s) to compare with, 3 needed" in first.stderr

        # three earlier finished runs in which 90 % of the postings had a salary
        start = datetime.now(UTC) - timedelta(days=3)
        with engine.begin() as conn:
            for day in range(3):
                history = {**stats, "ops/coverage/salary": 0.9, "ops/coverage/items": 40}
                conn.execute(
                    insert(crawl_runs).values(
                        spider="greenhouse",
                        args={},
                        started_at=start + timedelta(days=day),
                        finished_at=start + timedelta(days=day, minutes=5),
                        status="finished",
                        items_scraped=40,
                        items_stored=40,
                        items_dropped=0,
                        errors=0,
                        stats=history,
                    )
                )
        second = run(cmd, env)
    log = second.stderr
    assert second.returncode == ExitCode.DEGRADED, log[-3000:]
    assert "coverage drop: salary on 0% of postings, median of the last 4 finished runs 90%" in log
    with engine.connect() as conn:
        row = conn.execute(select(crawl_runs).order_by(crawl_runs.c.id.desc())).mappings().first()
    assert row is not None and row["status"] == "degraded"
    assert row["stats"]["ops/coverage/dropped"] == ["salary"]
    assert row["stats"]["ops/coverage/baseline/salary"] == 0.9
    assert row["stats"]["ops/coverage/baseline/title"] == 1.0
    assert row["stats"]["ops/coverage/baseline_runs"] == 4
    assert row["stats"]["ops/degraded"] is True


def test_error_rate_and_listing_progress_helpers() -> None:
    stats = {
        "downloader/request_count": 10,
        "downloader/exception_count": 1,
        "downloader/response_status_count/200": 5,
        "downloader/response_status_count/404": 1,
        "downloader/response_status_count/503": 2,
        "downloader/response_status_count/429": 1,
    }
    assert error_rate(stats) == (4, 10)  # 404 is a removed board, not an error
    ignored = {"downloader/exception_type_count/scrapy.exceptions.IgnoreRequest": 1}
    assert error_rate({**stats, **ignored}) == (3, 9)  # robots.txt said no: nothing was attempted
    assert (
        listing_progress({"progress/listing_done": 3, "progress/listing_total": 12}, None)
        == "listing 3/12 (25%)"
    )
    assert listing_progress({"jobs/listing_pages": 7}, None) == "listing pages 7"

    class LinkedIn:
        max_results = 200

    assert listing_progress({"linkedin/cards": 50}, LinkedIn()) == "listing 50/200 (25%)"  # type: ignore[arg-type]
    assert listing_progress({}, None) == ""
