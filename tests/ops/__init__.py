"""Operations tests: exit codes, locks, crawlall, monitoring, progress, Redis scale-out, Scrapyd, deploy files.

Every crawl here is a real ``scrapy crawl``/``scrapy crawlall`` subprocess against the real
PostgreSQL (own database per test) and Redis (own ACL user and key prefix per test) and a local
mock server.  Boards and sites served here are GENERATED test data (built in code below,
fictional companies), never recordings.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.crawl import ROOT
from tests.mockserver import FIXTURES, Route

EXAMPLE_JOB = json.loads((FIXTURES / "boards/greenhouse/TESTDATA_board_exampleco_jobs.json").read_text())[
    "jobs"
][0]


def greenhouse_board(n: int, start_id: int = 1, salary: bool = False) -> dict[str, Any]:
    """GENERATED: a Greenhouse board of ``n`` jobs cloned from the TESTDATA example job."""
    jobs = []
    for i in range(start_id, start_id + n):
        job = copy.deepcopy(EXAMPLE_JOB)
        job["id"] = 7_000_000 + i
        job["internal_job_id"] = 8_000_000 + i
        job["title"] = f"Generated Engineer {i}"
        job["absolute_url"] = f"https://job-boards.greenhouse.io/generated/jobs/{7_000_000 + i}"
        if salary:
            job["pay_input_ranges"] = [
                {"min_cents": 10_000_000, "max_cents": 15_000_000, "currency_type": "USD", "title": "Annual"}
            ]
        jobs.append(job)
    return {"jobs": jobs, "meta": {"total": n}}


def json_route(data: Any, status: int = 200) -> Route:
    return Route(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def ops_env(db_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment of a crawl subprocess: this test's database, state dirs under ``tmp_path``."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SCRAPY_SETTINGS_MODULE": "settings",
        "DATABASE_URL": db_url,
        "STORE_SPOOL_DIR": str(tmp_path / "spool"),
        "LINKEDIN_STATE_DIR": str(tmp_path / "state"),
        "DEAD_LETTER_DIR": str(tmp_path / "deadletter"),
        "PROGRESS_INTERVAL": "0",
        **extra,
    }


def scrapy_cmd(
    command: str,
    *positional: str,
    args: Mapping[str, str] | None = None,
    settings: Mapping[str, str] | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", command, *positional]
    for key, value in (args or {}).items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    return cmd + list(extra)


def start(cmd: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in the project root, stdout+stderr to ``log``."""
    fh = log.open("wb")
    try:
        return subprocess.Popen(cmd, cwd=ROOT, env=dict(env), stdout=fh, stderr=subprocess.STDOUT)
    finally:
        fh.close()


def run(cmd: list[str], env: Mapping[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, env=dict(env), capture_output=True, text=True, timeout=timeout)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
