"""``scrapy crawl SPIDER``: Scrapy's crawl command with honest exit codes and a per-source lock.

Replaces Scrapy's own command of the same name (``COMMANDS_MODULE``), so plain
``scrapy crawl X``, ``scrapy crawlall`` (one ``scrapy crawl`` per spider) and Scrapyd jobs all
behave the same:

* before anything of the crawl is built, the source's lock (:mod:`crawler.locks`) is taken;
  when another run of the same source holds it, the command logs who does and exits at once
  with ``LOCKED`` — no spider, pipeline, JOBDIR or ``crawl_runs`` row is touched;
* after the crawl, the exit code is that of the run's status (:mod:`crawler.exitcodes`):
  Scrapy's own exits 0 even when every request failed.
* ``-s CRAWL_SUMMARY_FILE=path.json`` writes the outcome (status, exit code, counts) as JSON
  (``crawlall`` reads it).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from sqlalchemy.exc import SQLAlchemyError

from crawler.exitcodes import ExitCode, for_status
from crawler.locks import source_lock
from crawler.runs import run_status

logger = logging.getLogger(__name__)


def crawl_stats(crawler: Crawler | None) -> dict[str, Any]:
    if crawler is None:
        return {}
    try:
        return dict(crawler.stats.get_stats())
    except RuntimeError:  # the crawl never got as far as creating its stats
        return {}


def outcome(crawler: Crawler | None, bootstrap_failed: bool) -> tuple[str, ExitCode]:
    """The run's status and exit code once the crawl is over."""
    stats = crawl_stats(crawler)
    reason = stats.get("finish_reason")
    if bootstrap_failed or reason is None:
        return "failed", ExitCode.FAILED
    status = run_status(str(reason), stats)
    return status, for_status(status)


def summary(spider: str, status: str, code: int, stats: dict[str, Any]) -> dict[str, Any]:
    dropped = sum(int(v) for k, v in stats.items() if k.startswith("item_dropped_reasons_count/"))
    return {
        "spider": spider,
        "status": status,
        "exit_code": int(code),
        "run_id": stats.get("jobs/run_id"),
        "finish_reason": stats.get("finish_reason"),
        "pages": int(stats.get("response_received_count", 0)),
        "items_scraped": int(stats.get("item_scraped_count", 0)),
        "items_stored": int(stats.get("jobs/stored", 0)),
        "dropped": dropped,
        "errors": int(stats.get("log_count/ERROR", 0)),
        "duration": float(stats.get("elapsed_time_seconds", 0.0)),
        "error_rate": stats.get("ops/error_rate"),
        "coverage_dropped": stats.get("ops/coverage/dropped", []),
    }


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider (exit code from the run's status; one run per source at a time)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        spname = args[0]
        assert self.crawler_process is not None and self.settings is not None
        summary_file = self.settings.get("CRAWL_SUMMARY_FILE") or ""
        self.crawler_process.spider_loader.load(spname)  # an unknown spider fails before any lock

        lock = source_lock(self.settings, spname)
        if lock is not None:
            try:
                acquired = lock.acquire()
            except (SQLAlchemyError, OSError) as exc:
                logger.warning(
                    "could not take the source lock (%s: %s): crawling without it",
                    lock.describe(),
                    exc.__class__.__name__,
                )
                lock, acquired = None, True
            if not acquired:
                assert lock is not None
                holder = lock.holder()
                logger.error(
                    "another run of %s is in progress (%s held by %s): not starting a second one; "
                    "exit code %d",
                    spname,
                    lock.describe(),
                    holder or "another process",
                    ExitCode.LOCKED,
                )
                self.exitcode = ExitCode.LOCKED
                self._write_summary(summary_file, spname, "locked", ExitCode.LOCKED, {})
                return
            if lock is not None:
                logger.info("holding %s", lock.describe())

        crawler: Crawler | None = None
        try:
            crawler = self.crawler_process.create_crawler(spname)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if lock is not None:
                lock.release()
        status, code = outcome(crawler, self.crawler_process.bootstrap_failed)
        self.exitcode = code
        if code:
            logger.warning("%s: run status %s, exit code %d (%s)", spname, status, code, code.name)
        self._write_summary(summary_file, spname, status, code, crawl_stats(crawler))

    @staticmethod
    def _write_summary(path: str, spider: str, status: str, code: int, stats: dict[str, Any]) -> None:
        if not path:
            return
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(summary(spider, status, code, stats), default=str), encoding="utf-8")
        tmp.replace(target)
