"""Scrapyd: build the egg the operator's way (``scrapyd-deploy --build-egg``), run a real Scrapyd on a free
local port with deploy/scrapyd/scrapyd.conf (directories moved into a temporary one), upload the egg
through ``addversion.json``, schedule a crawl through ``schedule.json`` and find its postings in
PostgreSQL."""

from __future__ import annotations

import configparser
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import requests
from sqlalchemy import select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs, postings
from tests.conftest import PG_PASSWORD
from tests.crawl import ROOT
from tests.mockserver import MockServer
from tests.ops import greenhouse_board, json_route

#: what `scrapyd-deploy` needs from the project (a copy: the build writes build/ and *.egg-info)
PROJECT_FILES = (
    "pyproject.toml",
    "setup.py",
    "scrapy.cfg",
    "README.md",
    "settings.py",
    "crawler",
    "spiders",
    "pipelines",
)


def build_egg(tmp: Path) -> Path:
    src = tmp / "src"
    src.mkdir()
    for name in PROJECT_FILES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    egg = tmp / "jobcrawler.egg"
    deploy = Path(sys.executable).with_name("scrapyd-deploy")
    proc = subprocess.run(
        [str(deploy), "--build-egg", str(egg), "--debug"],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and egg.exists(), (proc.stdout + proc.stderr)[-3000:]
    return egg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scrapyd_conf(home: Path, port: int) -> None:
    """deploy/scrapyd/scrapyd.conf with the port, the directories and the polling interval of this test."""
    conf = configparser.ConfigParser()
    conf.read(ROOT / "deploy/scrapyd/scrapyd.conf")
    section = conf["scrapyd"]
    assert section["runner"] == "jobcrawler_egg_runner"
    section.update(
        {
            "http_port": str(port),
            "bind_address": "127.0.0.1",
            "eggs_dir": str(home / "eggs"),
            "dbs_dir": str(home / "dbs"),
            "logs_dir": str(home / "logs"),
            "poll_interval": "0.2",
            "max_proc": "1",
        }
    )
    with (home / "scrapyd.conf").open("w") as fh:
        conf.write(fh)


def test_deploy_to_scrapyd_and_crawl(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    egg = build_egg(tmp_path)
    names = set(zipfile.ZipFile(egg).namelist())
    for needed in (
        "settings.py",
        "spiders/greenhouse.py",
        "spiders/data/schedule.toml",
        "spiders/data/greenhouse.txt",
        "crawler/data/skills.txt",
        "crawler/db/migrations/env.py",
        "crawler/db/migrations/versions/0001_initial.py",
        "EGG-INFO/entry_points.txt",
    ):
        assert needed in names, f"{needed} missing from the egg"
    assert not any(n.startswith("tests/") for n in names)
    assert "settings = settings" in zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode()

    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    scrapyd_conf(home, port)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE", "DATABASE_URL")
    }
    env["PYTHONPATH"] = str(ROOT / "deploy" / "scrapyd")  # the runner only: the project comes from the egg
    base = f"http://127.0.0.1:{port}"
    log = (home / "scrapyd.log").open("wb")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/daemonstatus.json", timeout=2).json()["status"] == "ok":
                    break
            except requests.RequestException:
                pass
            assert daemon.poll() is None and time.monotonic() < deadline, (home / "scrapyd.log").read_text()[
                -3000:
            ]
            time.sleep(0.2)

        with egg.open("rb") as fh:
            added = requests.post(
                f"{base}/addversion.json",
                data={"project": "jobcrawler", "version": "1"},
                files={"egg": fh},
                timeout=180,
            ).json()
        assert added["status"] == "ok" and added["spiders"] >= 20, added

        with MockServer({"/v1/boards/acme/jobs": json_route(greenhouse_board(4))}) as srv:
            scheduled = requests.post(
                f"{base}/schedule.json",
                data=[
                    ("project", "jobcrawler"),
                    ("spider", "greenhouse"),
                    ("setting", f"DATABASE_URL={pg_url}"),
                    ("setting", "DOWNLOAD_DELAY=0"),
                    ("companies", "acme"),
                    ("base_url", srv.base_url),
                ],
                timeout=10,
            ).json()
            assert scheduled["status"] == "ok", scheduled
            job, site = scheduled["jobid"], srv.base_url
            deadline = time.monotonic() + 180
            while True:
                jobs = requests.get(
                    f"{base}/listjobs.json", params={"project": "jobcrawler"}, timeout=5
                ).json()
                if any(j["id"] == job for j in jobs["finished"]):
                    break
                assert time.monotonic() < deadline, jobs
                time.sleep(0.3)
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=15)
        except subprocess.TimeoutExpired:
            daemon.kill()
        log.close()

    job_log = (home / "logs" / "jobcrawler" / "greenhouse" / f"{job}.log").read_text(errors="replace")
    with get_engine(pg_url).connect() as conn:
        ids = sorted(conn.execute(select(postings.c.source_id)).scalars())
        run = conn.execute(select(crawl_runs)).mappings().one()
    assert ids == [str(7_000_000 + i) for i in range(1, 5)], job_log[-3000:]
    assert run["status"] == "finished" and run["items_stored"] == 4
    assert run["args"] == {"companies": "acme", "base_url": site}  # Scrapyd's _job is not recorded
    assert f"crawl run {run['id']}: finished" in job_log
    assert PG_PASSWORD not in job_log
    # Scrapyd's own log prints each job's command line, `-s DATABASE_URL=...` included: in production
    # DATABASE_URL belongs in scrapyd's environment (deploy/systemd/scrapyd.service), not in schedule.json
    assert PG_PASSWORD in (home / "scrapyd.log").read_text(errors="replace")
