"""Run a real ``scrapy crawl`` in a subprocess (the way operators and cron run it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CrawlResult:
    returncode: int
    log: str
    items: list[dict[str, Any]]


def run_crawl(
    spider: str,
    args: Mapping[str, str] | None = None,
    settings: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    output: Path | None = None,
    timeout: float = 120,
    extra: Sequence[str] = (),
) -> CrawlResult:
    """``scrapy crawl SPIDER -a k=v ... -s K=V ... -O output.jsonl``; returns log and items.

    The subprocess runs in the project root with ``DATABASE_URL`` taken from
    ``env`` (tests always pass their own database) and the spool directory
    defaulting to one next to ``output``.
    """
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in (args or {}).items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    if output is not None:
        cmd += ["-O", f"{output}:jsonlines"]
    cmd += list(extra)
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "settings", **(env or {})}
    proc = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)
    items: list[dict[str, Any]] = []
    if output is not None and output.exists():
        items = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines() if line.strip()]
    return CrawlResult(proc.returncode, proc.stdout + proc.stderr, items)
