"""``scrapy crawlall``: selection, one subprocess per spider, the final table and the worst exit code."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings
from sqlalchemy import select

from crawler.commands.crawlall import load_schedule, packaged_schedule
from crawler.commands.crawlall import select as select_plans
from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs
from crawler.exitcodes import ExitCode
from tests.conftest import PG_PASSWORD
from tests.mockserver import MockServer, Request, Route
from tests.ops import greenhouse_board, json_route, ops_env, run, scrapy_cmd, start, wait_for

SCHEDULE = """
[defaults]
min_items = 1

[spiders.greenhouse]
tags = ["api", "ats"]
args = { companies = "acme" }
min_items = 3

[spiders.lever]
tags = ["api", "ats"]
args = { companies = "down" }

[spiders.remotive]
tags = ["api"]
enabled = false
note = "generated note: disabled in this test"
"""


def test_crawlall_runs_each_spider_in_its_own_process(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(SCHEDULE)
    routes = {
        "/v1/boards/acme/jobs": json_route(greenhouse_board(4)),
        "/v0/postings/down": Route.text("upstream error", status=503, content_type="text/plain"),
    }
    with MockServer(routes) as srv:
        env = ops_env(pg_url, tmp_path, GREENHOUSE_BASE_URL=srv.base_url, LEVER_BASE_URL=srv.base_url)
        cmd = scrapy_cmd(
            "crawlall",
            settings={"RETRY_TIMES": "1", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"},
            extra=["--jobs", "2", "--schedule", str(schedule), "--tags", "api"],
        )
        result = run(cmd, env)
    out, err = result.stdout, result.stderr
    assert result.returncode == ExitCode.HIGH_ERROR_RATE, (out + err)[-3000:]
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    assert lines["spider"][:8] == [
        "spider",
        "status",
        "exit",
        "pages",
        "stored",
        "dropped",
        "errors",
        "duration",
    ]
    assert lines["greenhouse"][1:6] == ["finished", "0", "1", "4", "0"]
    assert lines["lever"][1:3] == ["high_error_rate", "5"]
    assert "generated note: disabled in this test" in lines["remotive"] or "generated" in out
    assert lines["remotive"][1] == "skipped"
    assert "linkedin" not in lines  # no entry in this schedule and not tagged: not even listed
    assert "crawlall: 2 run, 1 skipped" in out and "exit code 5 (HIGH_ERROR_RATE)" in out
    # each spider's log lines come through, prefixed with its name
    assert "greenhouse | " in err and "lever | " in err
    assert PG_PASSWORD not in out + err
    with get_engine(pg_url).connect() as conn:
        runs = dict(conn.execute(select(crawl_runs.c.spider, crawl_runs.c.status)).all())
    assert runs == {"greenhouse": "finished", "lever": "high_error_rate"}


def test_packaged_schedule_covers_every_spider() -> None:
    """A new spider needs a decision in spiders/data/schedule.toml (run it, with what, or why not)."""
    plans = load_schedule(packaged_schedule())
    spiders = set(get_spider_loader(get_project_settings()).list())
    assert spiders - set(plans) == set(), "spiders without an entry in spiders/data/schedule.toml"
    assert set(plans) - spiders == set(), "schedule entries for spiders that do not exist"
    for plan in plans.values():
        assert plan.enabled or plan.note, f"{plan.name}: a disabled spider needs a note saying why"


def test_selection_rules() -> None:
    plans = load_schedule(packaged_schedule())
    names = sorted(plans)
    run_all, skipped_all = select_plans(plans, names, [], [])
    assert "greenhouse" in {p.name for p in run_all}
    assert {r.name for r in skipped_all} >= {"linkedin", "jsonld", "jobfordev", "remotar", "aggregator"}
    run_br, _ = select_plans(plans, names, [], ["br"])
    assert {p.name for p in run_br} == {"gupy", "github_vagas", "programathor"}
    # naming a disabled spider runs it (with its schedule arguments)
    run_named, skipped_named = select_plans(plans, names, ["linkedin", "lever"], [])
    assert [p.name for p in run_named] == ["linkedin", "lever"] and skipped_named == []
    assert run_named[0].args["keywords"] and run_named[0].min_items == 0
    with pytest.raises(UsageError):
        select_plans(plans, names, ["nope"], [])


def test_crawlall_list(tmp_path: Path) -> None:
    result = run(
        scrapy_cmd("crawlall", extra=["--list", "--tags", "br,linkedin"]), ops_env("sqlite://", tmp_path)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "run   gupy" in out and "run   programathor" in out
    assert "skip  linkedin" in out and "needs a search" in out
    assert "skip  jobfordev" in out and "not verified" in out


def test_sigterm_stops_the_running_spider_cleanly_and_starts_no_other(tmp_path: Path) -> None:
    """What ``systemctl stop`` does (KillMode=mixed: SIGTERM to crawlall only)."""
    schedule = tmp_path / "schedule.toml"
    schedule.write_text('[spiders.greenhouse]\nargs = { companies = "a1,a2,a3" }\n[spiders.lever]\n')
    gate, arrived = threading.Event(), threading.Event()

    def board(req: Request) -> Route:
        arrived.set()
        gate.wait(timeout=60)
        return json_route(greenhouse_board(2))

    log = tmp_path / "crawlall.log"
    with MockServer(default=board) as srv:
        env = ops_env(
            f"sqlite:///{tmp_path / 'jobs.db'}",
            tmp_path,
            GREENHOUSE_BASE_URL=srv.base_url,
            LEVER_BASE_URL=srv.base_url,
        )
        proc = start(scrapy_cmd("crawlall", extra=["--schedule", str(schedule)]), env, log)
        try:
            assert arrived.wait(timeout=60), log.read_text()[-3000:]  # the spider is crawling
            proc.send_signal(signal.SIGTERM)
            wait_for(lambda: "got signal" in log.read_text(), 30, "the signal")
            gate.set()
            code = proc.wait(timeout=90)
        finally:
            gate.set()
            if proc.poll() is None:
                proc.kill()
    out = log.read_text()
    assert code == ExitCode.INTERRUPTED, out[-3000:]
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1].isalpha()}
    assert rows["greenhouse"][1] == "interrupted"
    assert rows["lever"][1:3] == ["not", "started"]
    assert "crawlall: 1 run, " in out and "1 not started (stopped)" in out
