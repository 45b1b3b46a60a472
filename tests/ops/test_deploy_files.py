"""deploy/: systemd units (``systemd-analyze verify`` where it exists, a parser check always), the crontab
line, and the crawlall options both use."""

from __future__ import annotations

import argparse
import configparser
import re
import shlex
import subprocess
from pathlib import Path

from scrapy.settings import Settings

from crawler.commands.crawlall import Command as CrawlAll
from tests.crawl import ROOT
from tests.requirements import require_tool

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))
INSTALL_ROOT = "/opt/jobcrawler"


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


def crawlall_options(argv: list[str]) -> argparse.Namespace:
    """Parse crawlall's arguments exactly as ``scrapy crawlall`` would (unknown options fail)."""
    command = CrawlAll()
    command.settings = Settings()
    parser = argparse.ArgumentParser(exit_on_error=False)
    command.add_options(parser)
    return parser.parse_args(argv)


def test_units_parse_and_have_required_keys() -> None:
    names = {p.name for p in UNITS}
    assert {"jobcrawler-crawlall.service", "jobcrawler-crawlall.timer", "scrapyd.service"} <= names
    for path in UNITS:
        parsed = unit(path)
        assert parsed.get("Unit", "Description"), path.name
        if path.suffix == ".service":
            service = parsed["Service"]
            exec_start = shlex.split(service["ExecStart"])
            assert exec_start[0].startswith(INSTALL_ROOT + "/.venv/bin/"), path.name
            assert (
                service["WorkingDirectory"] and service["User"] and service["Type"] in {"oneshot", "simple"}
            )
            assert service.get("KillMode") in {None, "mixed"}
    timer = unit(DEPLOY / "systemd/jobcrawler-crawlall.timer")
    assert timer["Timer"]["Unit"] == "jobcrawler-crawlall.service"
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    service = unit(DEPLOY / "systemd/jobcrawler-crawlall.service")["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[1:2] == ["crawlall"]
    opts = crawlall_options(argv[2:])
    assert opts.jobs == 2 and opts.logdir == "/var/log/jobcrawler"


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    """The units as systemd itself reads them, with /opt/jobcrawler moved to a temporary directory."""
    require_tool("systemd-analyze", "apt-get install -y systemd")
    opt = tmp_path / "opt"
    (opt / ".venv/bin").mkdir(parents=True)
    for tool in ("scrapy", "scrapyd"):
        exe = opt / ".venv/bin" / tool
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    units = tmp_path / "units"
    units.mkdir()
    files = []
    for path in UNITS:
        name = path.name.replace("@.service", "@1.service")  # verify a template through an instance
        (units / name).write_text(path.read_text().replace(INSTALL_ROOT, str(opt)))
        files.append(f"./{name}")
    proc = subprocess.run(
        ["systemd-analyze", "verify", *files], cwd=units, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
    calendar = unit(DEPLOY / "systemd/jobcrawler-crawlall.timer")["Timer"]["OnCalendar"]
    proc = subprocess.run(
        ["systemd-analyze", "calendar", calendar], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0 and "Next elapse" in proc.stdout, proc.stderr


CRON_FIELD_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
CRON_ITEM = re.compile(r"^(\*|\d+(?:-\d+)?)(?:/(\d+))?$")


def valid_cron_field(field: str, low: int, high: int) -> bool:
    for item in field.split(","):
        match = CRON_ITEM.match(item)
        if not match:
            return False
        base, step = match.groups()
        if step is not None and int(step) < 1:
            return False
        if base != "*":
            bounds = [int(b) for b in base.split("-")]
            if any(not low <= b <= high for b in bounds) or bounds != sorted(bounds):
                return False
    return True


def test_crontab_line() -> None:
    lines = [
        line
        for line in (DEPLOY / "crontab.example").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert len(fields) == 6
    for field, (low, high) in zip(fields[:5], CRON_FIELD_RANGES, strict=True):
        assert valid_cron_field(field, low, high), f"bad cron field {field!r}"
    command = fields[5]
    assert "%" not in command  # cron turns % into a newline
    assert f"cd {INSTALL_ROOT} &&" in command
    crawlall = command.split(".venv/bin/scrapy crawlall", 1)[1].split(">>", 1)[0]
    opts = crawlall_options(shlex.split(crawlall))
    assert opts.jobs == 2
    # the shell part is valid sh
    assert subprocess.run(["sh", "-n", "-c", command], capture_output=True).returncode == 0
    assert not valid_cron_field("61", 0, 59) and not valid_cron_field("*/0", 0, 59)


def test_scrapyd_conf_and_env_example() -> None:
    conf = configparser.ConfigParser()
    conf.read(DEPLOY / "scrapyd/scrapyd.conf")
    assert conf["scrapyd"]["runner"] == "jobcrawler_egg_runner"
    assert (DEPLOY / "scrapyd/jobcrawler_egg_runner.py").exists()
    env = (DEPLOY / "env.example").read_text()
    assert re.search(r"^DATABASE_URL=postgresql\+psycopg://", env, re.M)
