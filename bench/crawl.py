"""End-to-end crawl benchmark: plain Scrapy vs the full crawler, same local site, same run.

    .venv/bin/python -m bench.crawl [--pages 5000] [--growth] [--warm] [--profile py-spy|pyinstrument]

The site (``bench/site.py``, its own process) is a local LinkedIn guest site **generated from the
shapes of recorded pages** (search fragments of 10 cards, detail pages with HTML descriptions,
some with JSON-LD); ``--pages N`` is the number of job detail pages, the crawl also fetches the
``ceil(N/10)`` search fragments.  Two real ``scrapy crawl`` subprocesses, run from the project
directory with the same politeness settings (``POLITENESS``) against the same pages:

(a) plain Scrapy: ``bench/rawspider.py`` (Scrapy's defaults, no project settings), a spider that
    parses the same fields of the same pages and discards them;
(b) the full crawler: the project's settings (``ITEM_PIPELINES`` validate, normalize, dedupe,
    store; the project's extensions, middlewares and add-ons) and the real ``linkedin`` spider,
    storing into a fresh PostgreSQL database (``bench.common.scratch_database``).  A fresh
    database matters: the spider skips the details of ids already stored.

Pages/s = ``response_received_count / elapsed_time_seconds`` from each crawl's own stats
(spider open to spider close, so pipeline start-up and the store's final flush count).  Peak
memory: the summed RSS and the summed PSS of the crawl process and its descendants (a normalize
worker pool and its fork server, say; polled from ``/proc``), and the crawl process's own
``ru_maxrss``.  With worker processes the PSS sum is the figure (the RSS sum counts the pages a
worker shares with its fork server twice).  CPU ms/page is the user + system CPU of the crawl process and its
worker processes (start-up included; PostgreSQL and the site not) per response: on a shared
machine it moves much less than pages/s.  The site's own CPU per page is printed too.  The
request counts of (a) and (b) are checked against each other and against the site's counters.

``--growth`` runs (b) at 1,000 / 5,000 / 20,000 pages, each into a fresh database, and then
20,000 new postings (other ids) into the database that already holds the 20,000 of the run
before (``warm``): whether the cost per page grows with the size of the crawl and with the
size of what is already stored (the dedupe index, the upserts' indexes).
``--profile`` records (a) and (b) with py-spy (every thread of the crawl process and of its
worker processes) and prints CPU ms per page by area side by side and (b)'s top functions.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from bench.common import PG, scratch_database

ROOT = Path(__file__).resolve().parent.parent
FIRST_ID = 4_500_000_000
#: identical for (a) and (b): no delays, no AutoThrottle, no robots.txt, same concurrency
POLITENESS: dict[str, str] = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "ROBOTSTXT_OBEY": "False",
    "LOG_LEVEL": "INFO",
    "TELNETCONSOLE_ENABLED": "False",
    "LOGSTATS_INTERVAL": "60",
    # the project's own value (Scrapy's default 100 costs both runs ~8-10 % CPU per page)
    "CONCURRENT_ITEMS": "16",
}
KEYWORDS = "python developer"


# --- the site ------------------------------------------------------------------------------------
@dataclass
class SiteProcess:
    proc: subprocess.Popen[str]
    base_url: str

    def cpu_s(self) -> float:
        """CPU seconds the site process used so far (0.0 where /proc is not available)."""
        return cpu_seconds(self.proc.pid) or 0.0

    def stats(self, reset: bool = False) -> dict[str, int]:
        url = f"{self.base_url}/__stats" + ("?reset=1" if reset else "")
        with urllib.request.urlopen(url, timeout=10) as resp:  # our own local server
            data: dict[str, int] = json.loads(resp.read())
        return data


@contextmanager
def site(jobs: int, first_id: int = FIRST_ID, seed: int = 1) -> Iterator[SiteProcess]:
    """``bench.site`` serving ``jobs`` jobs in a subprocess of its own."""
    cmd = [sys.executable, "-m", "bench.site", "--jobs", str(jobs), "--first-id", str(first_id)]
    cmd += ["--seed", str(seed), "--port", "0"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.search(r"listening on (http://\S+)", line)
        if m is None:
            raise RuntimeError(f"bench.site did not start: {line!r}")
        yield SiteProcess(proc, m.group(1))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE" and not k.endswith("_BASE_URL")
    }
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return {**env, **(extra or {})}


# --- crawls --------------------------------------------------------------------------------------
@dataclass
class CrawlRun:
    kind: str  # "raw" | "full"
    jobs: int
    returncode: int
    stats: dict[str, Any]
    peak_rss_mb: float  # the crawl process (ru_maxrss: its own or its largest waited-for child's)
    wall: float
    tree_rss_mb: float = 0.0  # the crawl process + its descendants (worker processes), summed, polled
    tree_pss_mb: float = 0.0  # the same as PSS: shared pages divided among the processes
    processes: int = 1  # most processes seen in the crawl's tree at once
    children_cpu_s: float = 0.0  # CPU of its descendants seen in /proc (part of cpu_s once reaped)
    own_cpu_s: float = 0.0  # CPU of the crawl process alone, last seen in /proc (~0.1 s before exit)
    cpu_s: float = 0.0  # user + system CPU of the crawl process (not of PostgreSQL or the site)
    site_cpu_s: float = 0.0  # CPU of the site process during the crawl
    site_counts: dict[str, int] = field(default_factory=dict)
    log: str = ""

    @property
    def responses(self) -> int:
        return int(self.stats.get("response_received_count", 0))

    @property
    def elapsed(self) -> float:
        return float(self.stats.get("elapsed_time_seconds", 0.0)) or self.wall

    @property
    def pages_per_s(self) -> float:
        return self.responses / self.elapsed if self.elapsed else 0.0

    @property
    def total_cpu_s(self) -> float:
        """The crawl process and its worker processes: ``os.wait4`` counts the descendants the crawl
        reaped; those it did not (a pool's workers, reaped by their fork server) come from /proc."""
        reaped = max(0.0, self.cpu_s - self.own_cpu_s)
        return self.cpu_s + max(0.0, self.children_cpu_s - reaped)

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.total_cpu_s / self.responses if self.responses else 0.0


def parse_stats(log: str) -> dict[str, Any]:
    """The ``Dumping Scrapy stats`` dictionary of a crawl log (datetimes become None)."""
    m = re.search(r"Dumping Scrapy stats:\n(\{.*?\n?[^\n]*\})\n", log, re.S)
    if m is None:
        return {}
    lines = log[m.start(1) :].splitlines()
    for end in range(1, len(lines) + 1):
        if not lines[end - 1].rstrip().endswith("}"):
            continue
        text = re.sub(r"datetime\.datetime\([^()]*\)", "None", "\n".join(lines[:end]))
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, dict):
            return value
    return {}


def crawl_command(
    kind: str, base_url: str, jobs: int, workdir: Path, extra_settings: Mapping[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The ``scrapy crawl`` command line and environment of run (a) ``raw`` or (b) ``full``."""
    args = {"base_url": base_url, "max_results": str(jobs)}
    settings = dict(POLITENESS)
    env: dict[str, str] = {}
    if kind == "raw":
        spider = "bench_raw"
        env["SCRAPY_SETTINGS_MODULE"] = "bench.rawspider"
        args["keywords"] = KEYWORDS
    else:
        spider = "linkedin"
        args["keywords"] = KEYWORDS
        settings.update(
            {
                "LINKEDIN_DOWNLOAD_DELAY": "0",
                "LINKEDIN_STATE_DIR": str(workdir / "state"),
                "STORE_SPOOL_DIR": str(workdir / "spool"),
                "DEAD_LETTER_DIR": str(workdir / "deadletter"),
                "PROGRESS_INTERVAL": "0",
            }
        )
    settings.update(extra_settings or {})
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in args.items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd, env


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (from the parent ids in ``/proc/*/stat``)."""
    children: dict[int, list[int]] = {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return [root]
    for name in entries:
        try:
            ppid = int(Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a running process (``/proc/<pid>/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def pss_bytes(pid: int) -> int:
    """Proportional set size (shared pages divided among their processes); 0 when unreadable."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class TreeWatch:
    """Peak of the summed RSS (every ``interval`` s) and PSS (every ``pss_interval`` s) of a process
    and its descendants (e.g. a worker pool); the descendants are looked up every ``rescan`` s."""

    root: int
    interval: float = 0.1
    rescan: float = 1.0
    pss_interval: float = 0.5
    peak: int = 0
    peak_pss: int = 0
    _pss_polled: float = -1e9
    most_processes: int = 1
    _tree: list[int] = field(default_factory=list)
    _scanned: float = -1e9
    _polled: float = -1e9

    root_cpu: float = 0.0  # CPU seconds of the root process alone, as last seen
    #: CPU seconds of each descendant, as last seen
    children_cpu: dict[int, float] = field(default_factory=dict)

    def poll(self, now: float) -> None:
        if now - self._polled < self.interval:
            return
        self._polled = now
        if now - self._scanned >= self.rescan:
            self._scanned = now
            self._tree = process_tree(self.root)
            self.most_processes = max(self.most_processes, len(self._tree))
        self.peak = max(self.peak, sum(rss_bytes(pid) for pid in self._tree))
        if now - self._pss_polled >= self.pss_interval:
            self._pss_polled = now
            self.peak_pss = max(self.peak_pss, sum(pss_bytes(pid) for pid in self._tree))
        self.root_cpu = cpu_seconds(self.root) or self.root_cpu
        for pid in self._tree[1:]:
            cpu = cpu_seconds(pid)
            if cpu is not None:
                self.children_cpu[pid] = max(cpu, self.children_cpu.get(pid, 0.0))


def run_crawl(
    kind: str,
    site_proc: SiteProcess,
    jobs: int,
    database_url: str | None = None,
    extra_settings: Mapping[str, str] | None = None,
    wrapper: Sequence[str] = (),
    timeout: float = 3600,
) -> CrawlRun:
    """One crawl subprocess; its stats, peak RSS and the site's request counts."""
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        workdir = Path(tmp)
        cmd, env = crawl_command(kind, site_proc.base_url, jobs, workdir, extra_settings)
        if database_url:
            env["DATABASE_URL"] = database_url
        else:
            env["STORE_ENABLED"] = "0"
        site_proc.stats(reset=True)
        site_cpu = site_proc.cpu_s()
        log_path = workdir / "crawl.log"
        t0 = time.perf_counter()
        with log_path.open("w", encoding="utf-8") as log_file:
            proc = subprocess.Popen(
                [*wrapper, *cmd], cwd=ROOT, env=_env(env), stdout=log_file, stderr=subprocess.STDOUT
            )
            watch = TreeWatch(proc.pid)
            deadline = t0 + timeout
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                now = time.perf_counter()
                if now > deadline:
                    proc.kill()
                    pid, status, usage = os.wait4(proc.pid, 0)
                    break
                watch.poll(now)
                time.sleep(0.05)
            proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        log = log_path.read_text(encoding="utf-8", errors="replace")
        counts = site_proc.stats()
        site_cpu = site_proc.cpu_s() - site_cpu
    return CrawlRun(
        kind=kind,
        jobs=jobs,
        returncode=proc.returncode,
        stats=parse_stats(log),
        peak_rss_mb=usage.ru_maxrss / 1024,
        tree_rss_mb=max(watch.peak / 2**20, usage.ru_maxrss / 1024),
        tree_pss_mb=watch.peak_pss / 2**20,
        processes=watch.most_processes,
        children_cpu_s=sum(watch.children_cpu.values()),
        own_cpu_s=watch.root_cpu,
        wall=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        site_cpu_s=site_cpu,
        site_counts=counts,
        log=log,
    )


def migrated_database() -> Any:
    """``scratch_database()`` with the project's schema."""

    @contextmanager
    def _db() -> Iterator[str]:
        from crawler.db.migrate import upgrade

        with scratch_database() as url:
            upgrade(url)
            yield url

    return _db()


def check(run: CrawlRun, jobs: int) -> list[str]:
    """Problems of a run: exit code, errors, pages not fetched, postings not stored."""
    problems = []
    listing = -(-jobs // 10)
    if run.site_counts.get("detail", 0) != jobs or run.site_counts.get("listing", 0) != listing:
        problems.append(f"site served {run.site_counts}, expected detail={jobs} listing={listing}")
    if run.responses != jobs + listing:
        problems.append(f"{run.responses} responses, expected {jobs + listing}")
    if run.stats.get("log_count/ERROR"):
        problems.append(f"{run.stats['log_count/ERROR']} errors in the log")
    if run.kind == "full":
        stored = int(run.stats.get("jobs/stored", 0))
        if stored != jobs:
            problems.append(f"{stored} postings stored, expected {jobs}")
    if run.returncode != 0:
        problems.append(f"exit code {run.returncode}")
    return problems


def _report_problems(run: CrawlRun, jobs: int) -> None:
    problems = check(run, jobs)
    for problem in problems:
        print(f"  !! ({run.kind}, {jobs}) {problem}")
    if problems:
        tail = "\n".join(run.log.splitlines()[-40:])
        print(f"  --- last lines of the log ---\n{tail}")


# --- machine ---------------------------------------------------------------------------------------
def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        with psycopg.connect(**PG, dbname="postgres") as conn:
            row = conn.execute("SHOW server_version").fetchone()
            pg = f"PostgreSQL {row[0] if row else '?'}"
    except psycopg.Error as exc:
        pg = f"PostgreSQL unavailable ({exc.__class__.__name__})"
    import scrapy

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, Scrapy {scrapy.__version__};"
        f" {pg}; load average {load} at start"
    )


# --- the benchmarks ----------------------------------------------------------------------------------
def compare(jobs: int, repeat: int = 1) -> tuple[CrawlRun, CrawlRun]:
    """(a) and (b) on the same site, best of ``repeat`` each (alternating)."""
    best: dict[str, CrawlRun] = {}
    with site(jobs) as s:
        for _ in range(repeat):
            raw = run_crawl("raw", s, jobs)
            _report_problems(raw, jobs)
            with migrated_database() as url:
                full = run_crawl("full", s, jobs, url)
            _report_problems(full, jobs)
            for run in (raw, full):
                if run.kind not in best or run.pages_per_s > best[run.kind].pages_per_s:
                    best[run.kind] = run
    return best["raw"], best["full"]


def print_compare(raw: CrawlRun, full: CrawlRun) -> None:
    ratio = full.pages_per_s / raw.pages_per_s if raw.pages_per_s else 0.0
    print(f"\nEnd to end, {full.jobs:,} job pages + {-(-full.jobs // 10):,} search fragments")
    head = f"{'run':<44} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'CPU ms/page':>12}"
    print(f"{head} {'RSS sum':>9} {'PSS sum':>9} {'processes':>9}")
    for label, run in (
        ("(a) plain Scrapy, parse and discard", raw),
        ("(b) full crawler: linkedin + pipelines + PG", full),
    ):
        print(
            f"{label:<44} {run.responses:>7,} {run.elapsed:>8.1f} {run.pages_per_s:>8.1f}"
            f" {run.cpu_ms_per_page:>12.2f} {run.tree_rss_mb:>7.0f}MB {run.tree_pss_mb:>7.0f}MB {run.processes:>9}"
        )
    verdict = "meets" if ratio >= 0.8 else "BELOW"
    print(f"ratio (b)/(a) pages/s: {ratio:.2f} ({verdict} the 0.80 target)")
    if full.cpu_ms_per_page:
        print(
            f"ratio of CPU per page (a)/(b): {raw.cpu_ms_per_page / full.cpu_ms_per_page:.2f}"
            " (crawl process + its worker processes; PostgreSQL and the site not counted)"
        )
    memory = full.tree_pss_mb if full.processes > 1 and full.tree_pss_mb else full.tree_rss_mb
    within = "within" if memory <= 300 else "OVER"
    print(
        f"peak memory of (b): {memory:.0f} MB ({within} 300 MB); crawl process alone {full.peak_rss_mb:.0f} MB RSS;"
        f" all {full.processes} process(es): {full.tree_rss_mb:.0f} MB RSS summed, {full.tree_pss_mb:.0f} MB PSS summed"
        " (a worker pool shares pages with its fork server: PSS counts them once)"
    )
    if full.children_cpu_s and full.responses:
        print(
            f"(b)'s CPU ms/page split: crawl process ~{1000 * full.own_cpu_s / full.responses:.2f},"
            f" its worker processes >= {1000 * full.children_cpu_s / full.responses:.2f} (seen in /proc)"
        )
    for run in (raw, full):
        if run.site_cpu_s and run.responses:
            label = "a" if run.kind == "raw" else "b"
            print(f"site process during ({label}): {1000 * run.site_cpu_s / run.responses:.2f} CPU ms/page")
    stored = full.stats.get("jobs/stored")
    print(f"(b) stored {stored} postings, items scraped {full.stats.get('item_scraped_count')}")


def growth(sizes: Sequence[int], with_baseline: bool) -> list[tuple[str, CrawlRun, CrawlRun | None]]:
    rows: list[tuple[str, CrawlRun, CrawlRun | None]] = []
    for n in sizes:
        with site(n) as s:
            raw = run_crawl("raw", s, n) if with_baseline else None
            if raw is not None:
                _report_problems(raw, n)
            with migrated_database() as url:
                full = run_crawl("full", s, n, url)
                _report_problems(full, n)
                rows.append((f"{n:,} fresh DB", full, raw))
                if n == sizes[-1]:
                    with site(n, first_id=FIRST_ID + 100_000_000, seed=2) as s2:
                        warm = run_crawl("full", s2, n, url)
                        _report_problems(warm, n)
                        rows.append((f"{n:,} more, DB holds {n:,}", warm, None))
        print(f"  ... {rows[-1][0]}: {rows[-1][1].pages_per_s:.1f} pages/s", flush=True)
    return rows


def print_growth(rows: list[tuple[str, CrawlRun, CrawlRun | None]]) -> None:
    print("\nCost growth, (b) full crawler")
    head = f"{'job pages':<28} {'responses':>9} {'seconds':>8} {'(b) p/s':>8} {'CPU ms/p':>9}"
    print(f"{head} {'(a) p/s':>8} {'ratio':>6} {'RSS sum':>9} {'PSS sum':>9}")
    for label, full, raw in rows:
        a = f"{raw.pages_per_s:>8.1f}" if raw else f"{'-':>8}"
        ratio = f"{full.pages_per_s / raw.pages_per_s:>6.2f}" if raw and raw.pages_per_s else f"{'-':>6}"
        print(
            f"{label:<28} {full.responses:>9,} {full.elapsed:>8.1f} {full.pages_per_s:>8.1f}"
            f" {full.cpu_ms_per_page:>9.2f} {a} {ratio} {full.tree_rss_mb:>7.0f}MB {full.tree_pss_mb:>7.0f}MB"
        )


# --- profile -------------------------------------------------------------------------------------------
#: (area, substrings of a frame's file) in priority order: a sample counts for the innermost frame
#: of the project (or of its database stack), else for the innermost library frame
AREAS: list[tuple[str, tuple[str, ...]]] = [
    ("validate", ("pipelines/validate.py",)),
    ("normalize", ("crawler/normalize/", "pipelines/normalize.py")),
    ("dedupe", ("crawler/dedupe/", "pipelines/dedupe.py")),
    ("store", ("crawler/db/", "pipelines/store.py", "sqlalchemy/", "psycopg", "alembic/")),
    ("spider parsing", ("spiders/", "parsel/", "lxml", "cssselect", "w3lib/")),
    (
        "extensions/middlewares",
        ("crawler/extensions/", "crawler/middlewares/", "crawler/runs.py", "crawler/history.py"),
    ),
    ("items", ("crawler/items.py", "itemadapter/")),
    ("worker pool IPC", ("multiprocessing/", "concurrent/futures/process.py", "pickle")),
    (
        "logging/stats",
        ("logging/", "scrapy/statscollectors.py", "scrapy/logformatter.py", "crawler/logformatter.py"),
    ),
    ("Scrapy core", ("scrapy/",)),
    ("Twisted", ("twisted/",)),
]


def area_of(frames: Sequence[str]) -> str:
    """``frames``: 'function (file:line)' strings, outermost first."""
    for frame in reversed(frames):
        for area, needles in AREAS[:7]:
            if any(n in frame for n in needles):
                return area
    for frame in reversed(frames):
        for area, needles in AREAS[7:]:
            if any(n in frame for n in needles):
                return area
    if any("threading.py" in f for f in frames):
        return "idle threads/other"
    return "other"


#: leaf frames of a thread that is waiting, not computing (py-spy's idle detection misses some)
WAITING: list[tuple[str, tuple[str, ...]]] = [
    ("waiting for PostgreSQL (store threads)", ("Connection.wait (psycopg", "wait (psycopg")),
    (
        "worker processes waiting for work",
        (
            "Connection._recv (multiprocessing",
            "_recv (multiprocessing",
            "Connection._recv_bytes (multiprocessing",
        ),
    ),
    (
        "idle threads (locks, queues, select)",
        (
            "Condition.wait (threading.py",
            "Thread._wait_for_tstate_lock",
            "_worker (concurrent/futures/thread.py",
            "EpollSelector.select (selectors.py",
            "_PollLikeSelector.select (selectors.py",
            "select (selectors.py",
        ),
    ),
]


@dataclass
class PySpyProfile:
    """A py-spy ``--format raw`` recording, folded by area and function."""

    rate: int  # samples per second and thread
    total: int = 0  # samples of computing threads
    areas: Counter[str] = field(default_factory=Counter)
    waiting: Counter[str] = field(default_factory=Counter)
    self_time: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)

    def ms(self, samples: int, pages: int) -> float:
        return 1000 * samples / self.rate / pages if pages else 0.0


def read_pyspy(path: Path, rate: int = 200) -> PySpyProfile:
    prof = PySpyProfile(rate)
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        wait = next((label for label, leaves in WAITING if frames[-1].startswith(leaves)), None)
        if wait is not None:
            prof.waiting[wait] += count
            continue
        prof.total += count
        prof.areas[area_of(frames)] += count
        prof.self_time[_short(frames[-1])] += count
        for f in set(frames):
            prof.inclusive[_short(f)] += count
    return prof


def summarize_pyspy(path: Path, top: int = 25) -> str:
    """Shares per area and the top functions (self and inclusive) of a py-spy ``--format raw`` file.

    Shares are of the samples where a thread was computing; waiting samples are counted apart."""
    prof = read_pyspy(path)
    total = prof.total
    if not total:
        return "no samples"
    waiting = ", ".join(f"{k} {v}" for k, v in prof.waiting.items())
    out = [f"{total} samples computing; apart from those: {waiting or 'none'}"]
    out.append("share of the computing samples by area (innermost project frame wins):")
    for area, n in prof.areas.most_common():
        out.append(f"  {area:<36} {100 * n / total:5.1f}%")
    out.append("top functions, self time:")
    for name, n in prof.self_time.most_common(top):
        out.append(f"  {100 * n / total:5.1f}%  {name}")
    out.append("top project functions, inclusive:")
    project = [(k, v) for k, v in prof.inclusive.most_common() if _is_project(k)]
    for name, n in project[:top]:
        out.append(f"  {100 * n / total:5.1f}%  {name}")
    return "\n".join(out)


def compare_profiles(raw: PySpyProfile, raw_pages: int, full: PySpyProfile, full_pages: int) -> str:
    """CPU ms per page by area, (a) next to (b)."""
    out = [f"{'area':<38} {'(a) ms/page':>11} {'(b) ms/page':>11} {'(b) share':>9}"]
    for area, n in full.areas.most_common():
        a = raw.ms(raw.areas.get(area, 0), raw_pages)
        share = 100 * n / full.total if full.total else 0.0
        out.append(f"  {area:<36} {a:>11.2f} {full.ms(n, full_pages):>11.2f} {share:>8.1f}%")
    for area, n in raw.areas.items():
        if area not in full.areas:
            out.append(f"  {area:<36} {raw.ms(n, raw_pages):>11.2f} {0.0:>11.2f} {0.0:>8.1f}%")
    out.append(
        f"  {'total (computing)':<36} {raw.ms(raw.total, raw_pages):>11.2f}"
        f" {full.ms(full.total, full_pages):>11.2f} {100.0:>8.1f}%"
    )
    return "\n".join(out)


def _short(frame: str) -> str:
    m = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame)
    if not m:
        return frame
    func, path = m.groups()
    for marker in ("site-packages/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        try:
            path = str(Path(path).resolve().relative_to(ROOT))
        except ValueError:
            pass
    return f"{func} ({path})"


def _is_project(name: str) -> bool:
    return any(p in name for p in ("(crawler/", "(pipelines/", "(spiders/", "(settings.py"))


def profile(jobs: int, tool: str, out_dir: Path) -> str:
    """Run (a) and (b) under a profiler; the summary text (raw profiles are kept in ``out_dir``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with site(jobs) as s, migrated_database() as url:
        if tool == "py-spy":
            exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
            runs: dict[str, tuple[CrawlRun, PySpyProfile]] = {}
            for kind in ("raw", "full"):
                raw_file = out_dir / f"crawl-{kind}-pyspy.txt"
                wrapper = [exe, "record", "--subprocesses", "--format", "raw", "--rate", "200"]
                wrapper += ["--output", str(raw_file), "--"]
                run = run_crawl(kind, s, jobs, url if kind == "full" else None, wrapper=wrapper)
                _report_problems(run, jobs)
                runs[kind] = run, read_pyspy(raw_file)
            (raw, raw_prof), (full, full_prof) = runs["raw"], runs["full"]
            return "\n".join(
                [
                    f"under py-spy (200 Hz, all threads and subprocesses): (a) {raw.pages_per_s:.1f} pages/s,"
                    f" (b) {full.pages_per_s:.1f} pages/s; raw profiles in {out_dir}/",
                    "CPU of the crawl process per page, by area (a sample counts for its innermost project frame):",
                    compare_profiles(raw_prof, raw.responses, full_prof, full.responses),
                    "",
                    "(b) in detail:",
                    summarize_pyspy(out_dir / "crawl-full-pyspy.txt"),
                ]
            )
        html_file = out_dir / "crawl-pyinstrument.html"
        wrapper = [sys.executable, "-m", "pyinstrument", "-r", "html", "-o", str(html_file)]
        cmd_run = run_crawl("full", s, jobs, url, wrapper=wrapper)
        _report_problems(cmd_run, jobs)
        return f"(b) under pyinstrument: {cmd_run.pages_per_s:.1f} pages/s; report: {html_file}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=5000, help="job detail pages (default 5000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of (a) and (b), best of each (default 1)")
    parser.add_argument("--growth", action="store_true", help="also (b) at 1k/5k/20k pages + a warm database")
    parser.add_argument("--growth-sizes", default="1000,5000,20000")
    parser.add_argument("--growth-baseline", action="store_true", help="also run (a) at each growth size")
    parser.add_argument("--no-compare", action="store_true", help="skip the (a)/(b) comparison")
    parser.add_argument("--profile", choices=("py-spy", "pyinstrument"), help="profile (b) at --pages")
    parser.add_argument(
        "--profile-dir", help="where the raw profiles go (default: a new temporary directory)"
    )
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for (a) and (b) alike",
    )
    args = parser.parse_args(argv)
    for pair in args.set:
        name, sep, value = pair.partition("=")
        if not sep:
            parser.error(f"-s {pair!r}: expected NAME=VALUE")
        POLITENESS[name.strip()] = value

    print(f"machine: {machine()}")
    print(f"settings for (a) and (b): {' '.join(f'{k}={v}' for k, v in POLITENESS.items())}")
    if not args.no_compare:
        raw, full = compare(args.pages, args.repeat)
        print_compare(raw, full)
    if args.growth:
        sizes = [int(x) for x in args.growth_sizes.split(",") if x.strip()]
        print_growth(growth(sizes, args.growth_baseline))
    if args.profile:
        print("\nProfile of (b)")
        out_dir = Path(args.profile_dir or tempfile.mkdtemp(prefix="bench-crawl-profile-"))
        print(profile(args.pages, args.profile, out_dir))


if __name__ == "__main__":
    main()
