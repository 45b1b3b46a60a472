"""``scrapy crawlall``: scheduled runs of every spider, or a selection, with one honest exit code.

    scrapy crawlall                          # every enabled spider of spiders/data/schedule.toml
    scrapy crawlall --tags api,br --jobs 3   # spiders with any of these tags, 3 at a time
    scrapy crawlall --spiders greenhouse,lever --logdir logs/
    scrapy crawlall --list                   # the plan: what would run, what is skipped and why

Each spider runs in its own ``scrapy crawl`` subprocess (its own reactor, its own
``crawl_runs`` row, its own source lock), with the arguments, settings and minimum number of
stored postings (``MIN_ITEMS``) of its schedule entry; ``-s NAME=VALUE`` given to crawlall
goes to every spider and wins over the schedule.  Spiders whose entry says
``enabled = false`` (they need arguments, or their configuration is unverified) are skipped
with their note unless named with ``--spiders``.  SIGTERM/SIGINT are passed on to the running
spiders, which stop cleanly (status ``interrupted``); spiders not started yet are not started.

At the end a table (spider, status, exit code, pages, items stored, dropped, errors, duration)
goes to stdout and crawlall exits with the most severe exit code of its spiders
(:mod:`crawler.exitcodes`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler.exitcodes import ExitCode, from_returncode, worst


@dataclass
class Plan:
    name: str
    tags: tuple[str, ...] = ()
    args: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    min_items: int = 0
    enabled: bool = True
    note: str = ""


@dataclass
class Result:
    name: str
    status: str
    exit_code: int | None = None
    pages: int | None = None
    stored: int | None = None
    dropped: int | None = None
    errors: int | None = None
    duration: float | None = None
    note: str = ""


def _strs(mapping: Any, where: str) -> dict[str, str]:
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        raise UsageError(f"{where} must be a table of name = value", print_help=False)
    return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in mapping.items()}


def load_schedule(text: str) -> dict[str, Plan]:
    """The ``[spiders.<name>]`` entries of a schedule file, with ``[defaults]`` applied."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"schedule file is not valid TOML: {exc}", print_help=False) from None
    defaults = data.get("defaults", {})
    plans: dict[str, Plan] = {}
    for name, entry in (data.get("spiders") or {}).items():
        merged = {**defaults, **entry}
        tags = merged.get("tags", [])
        if isinstance(tags, str):
            tags = [tags]
        plans[name] = Plan(
            name=name,
            tags=tuple(str(t) for t in tags),
            args=_strs(merged.get("args"), f"spiders.{name}.args"),
            settings=_strs(merged.get("settings"), f"spiders.{name}.settings"),
            min_items=int(merged.get("min_items", 0)),
            enabled=bool(merged.get("enabled", True)),
            note=str(merged.get("note", "")),
        )
    return plans


def packaged_schedule() -> str:
    return resources.files("spiders").joinpath("data", "schedule.toml").read_text(encoding="utf-8")


def select(
    plans: dict[str, Plan], available: Iterable[str], spiders: list[str], tags: list[str]
) -> tuple[list[Plan], list[Result]]:
    """(plans to run, skipped spiders with the reason)."""
    available = sorted(available)
    unknown = [s for s in spiders if s not in available]
    if unknown:
        raise UsageError(f"unknown spider(s): {', '.join(unknown)} (see `scrapy list`)", print_help=False)
    run: list[Plan] = []
    skipped: list[Result] = []
    for name in spiders or available:
        plan = plans.get(name)
        explicit = name in spiders
        if plan is None:
            if not explicit:
                if not tags:  # with --tags, an untagged spider is simply not selected
                    skipped.append(Result(name, "skipped", note="no entry in schedule.toml"))
                continue
            plan = Plan(name)
        if tags and not set(tags) & set(plan.tags):
            if explicit:
                skipped.append(Result(name, "skipped", note=f"none of the tags {','.join(tags)}"))
            continue
        if not plan.enabled and not explicit:
            skipped.append(Result(name, "skipped", note=plan.note or "enabled = false"))
            continue
        run.append(plan)
    return run, skipped


def _fmt(value: Any) -> str:
    return "-" if value is None else str(value)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, sec = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}"


def table(results: list[Result]) -> str:
    header = ("spider", "status", "exit", "pages", "stored", "dropped", "errors", "duration", "")
    rows = [
        (
            r.name,
            r.status,
            _fmt(r.exit_code),
            _fmt(r.pages),
            _fmt(r.stored),
            _fmt(r.dropped),
            _fmt(r.errors),
            _duration(r.duration),
            r.note,
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    numeric = {2, 3, 4, 5, 6, 7}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            str(c).rjust(widths[i]) if i in numeric else str(c).ljust(widths[i]) for i, c in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)])


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def __init__(self) -> None:
        super().__init__()
        self._procs: dict[str, subprocess.Popen[str]] = {}
        self._lock = threading.Lock()
        self._stopping = False

    def syntax(self) -> str:
        return "[--spiders a,b] [--tags t,u] [--jobs N] [--logdir DIR] [--list] [-s NAME=VALUE]"

    def short_desc(self) -> str:
        return "Run every scheduled spider (or a selection), each in its own process; exit code of the worst"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--spiders", default="", help="comma-separated spider names (default: all enabled)"
        )
        parser.add_argument("--tags", default="", help="only spiders with any of these comma-separated tags")
        parser.add_argument("--jobs", "-j", type=int, default=1, help="spiders run at once (default 1)")
        parser.add_argument("--logdir", default="", help="one log file per spider here (default: stderr)")
        parser.add_argument("--schedule", default="", help="schedule file (default: CRAWLALL_SCHEDULE)")
        parser.add_argument("--list", action="store_true", help="print the plan and exit")

    # -- plan ----------------------------------------------------------------------------------
    def _schedule_text(self, opts: argparse.Namespace) -> str:
        assert self.settings is not None
        path = opts.schedule or self.settings.get("CRAWLALL_SCHEDULE") or ""
        if not path:
            return packaged_schedule()
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read schedule file {path}: {exc}", print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError("crawlall takes no positional arguments; use --spiders a,b")
        if opts.jobs < 1:
            raise UsageError("--jobs must be at least 1", print_help=False)
        plans = load_schedule(self._schedule_text(opts))
        available = get_spider_loader(self.settings).list()
        spiders = [s.strip() for s in opts.spiders.split(",") if s.strip()]
        tags = [t.strip() for t in opts.tags.split(",") if t.strip()]
        to_run, skipped = select(plans, available, spiders, tags)
        if opts.list:
            for plan in to_run:
                extra = " ".join(f"-a {k}={v}" for k, v in plan.args.items())
                print(
                    f"run   {plan.name:<16} tags={','.join(plan.tags) or '-'} min_items={plan.min_items} {extra}".rstrip()
                )
            for result in skipped:
                print(f"skip  {result.name:<16} {result.note}")
            return
        if not to_run:
            raise UsageError("no spider selected (see `scrapy crawlall --list`)", print_help=False)

        started = time.monotonic()
        previous = {sig: signal.signal(sig, self._forward) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            with tempfile.TemporaryDirectory(prefix="crawlall-") as tmp:
                with ThreadPoolExecutor(max_workers=opts.jobs) as pool:
                    results = list(pool.map(lambda plan: self._run_one(plan, opts, Path(tmp)), to_run))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        order = {name: i for i, name in enumerate(sorted(available))}
        everything = sorted([*results, *skipped], key=lambda r: order.get(r.name, len(order)))
        code = worst(r.exit_code for r in results if r.exit_code is not None)
        print(table(everything))
        not_started = sum(r.status == "not started" for r in results)
        print(
            f"crawlall: {len(results) - not_started} run, {len(skipped)} skipped"
            + (f", {not_started} not started (stopped)" if not_started else "")
            + f" in {_duration(time.monotonic() - started)}; exit code {int(code)} ({code.name})"
        )
        sys.stdout.flush()
        self.exitcode = int(code)

    # -- one spider ------------------------------------------------------------------------------
    def command(self, plan: Plan, opts: argparse.Namespace, summary: Path, logfile: Path | None) -> list[str]:
        cmd = [sys.executable, "-m", "scrapy", "crawl", plan.name]
        for key, value in plan.args.items():
            cmd += ["-a", f"{key}={value}"]
        cmd += ["-s", f"MIN_ITEMS={plan.min_items}"]
        for key, value in plan.settings.items():
            cmd += ["-s", f"{key}={value}"]
        for item in opts.set:  # crawlall's own -s: every spider, over the schedule
            cmd += ["-s", item]
        if opts.loglevel:
            cmd += ["-L", opts.loglevel]
        if logfile is not None:
            cmd += ["--logfile", str(logfile)]
        cmd += ["-s", f"CRAWL_SUMMARY_FILE={summary}"]
        return cmd

    def _run_one(self, plan: Plan, opts: argparse.Namespace, tmp: Path) -> Result:
        if self._stopping:
            return Result(plan.name, "not started", note="crawlall was stopped before it")
        summary = tmp / f"{plan.name}.json"
        logfile = None
        if opts.logdir:
            Path(opts.logdir).mkdir(parents=True, exist_ok=True)
            logfile = Path(opts.logdir) / f"{plan.name}-{time.strftime('%Y%m%dT%H%M%S')}.log"
        cmd = self.command(plan, opts, summary, logfile)
        began = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=os.environ.copy(),
            start_new_session=True,  # a terminal's Ctrl-C reaches crawlall only, which passes it on once
        )
        with self._lock:
            self._procs[plan.name] = proc
            if self._stopping:
                proc.send_signal(signal.SIGINT)
        assert proc.stdout is not None
        self._pump(plan.name, proc.stdout)
        returncode = proc.wait()
        with self._lock:
            self._procs.pop(plan.name, None)
        duration = time.monotonic() - began
        return self._result(plan.name, returncode, summary, duration)

    def _pump(self, name: str, stream: IO[str]) -> None:
        """The spider's output, each line prefixed with its name (stderr)."""
        for line in stream:
            with self._lock:
                sys.stderr.write(f"{name} | {line}")
                sys.stderr.flush()

    @staticmethod
    def _result(name: str, returncode: int, summary: Path, duration: float) -> Result:
        try:
            data = json.loads(summary.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            code = from_returncode(returncode)
            status = "killed" if returncode < 0 else "failed"
            if code == ExitCode.USAGE:
                status = "usage error"
            return Result(name, status, exit_code=int(code), duration=duration, note="no run summary")
        return Result(
            name,
            str(data.get("status")),
            exit_code=int(from_returncode(returncode)),
            pages=data.get("pages"),
            stored=data.get("items_stored"),
            dropped=data.get("dropped"),
            errors=data.get("errors"),
            duration=duration,
            note=", ".join(f"coverage: {f}" for f in data.get("coverage_dropped") or []),
        )

    def _forward(self, signum: int, frame: Any) -> None:
        """SIGTERM/SIGINT: stop starting spiders; the running ones stop cleanly (Scrapy's shutdown)."""
        with self._lock:
            self._stopping = True
            for proc in self._procs.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
            sys.stderr.write(
                f"crawlall: got signal {signum}; stopping {len(self._procs)} running spider(s)\n"
            )
