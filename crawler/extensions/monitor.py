"""Run checks at close: error rate, minimum items, field coverage against the source's recent runs.

Runs before :class:`crawler.runs.CrawlRunRecorder` (``EXTENSIONS`` order) and leaves its
findings in the stats, which go to ``crawl_runs.stats`` and decide the run's status
(:func:`crawler.runs.run_status`) and so the exit code (:mod:`crawler.exitcodes`):

* ``ops/error_rate`` — failed request attempts (download errors, HTTP 5xx, 429) / attempts.
  Above ``ERROR_RATE_MAX`` with at least ``ERROR_RATE_MIN_REQUESTS`` attempts, or every
  attempt failed however few there were: ``ops/high_error_rate`` -> ``high_error_rate``.
* ``ops/items`` — postings stored (scraped when storage is off); fewer than ``MIN_ITEMS``:
  ``ops/too_few_items`` -> ``too_few_items``.
* ``ops/coverage/<field>`` — share of the run's postings that have the field
  (``COVERAGE_FIELDS``: title, company, location, salary, description, posted_at; card-only
  partial re-sightings are not counted), ``ops/validation/failures`` and
  ``ops/validation/failure_rate`` (items dropped by validation, duplicates excluded).
  With at least ``COVERAGE_MIN_ITEMS`` postings and ``COVERAGE_MIN_HISTORY`` earlier
  ``finished`` runs of the same spider that had as many, each share is compared with the
  median of the last ``COVERAGE_HISTORY`` of them (``ops/coverage/baseline/<field>``): a
  share lower, or a failure rate higher, by more than ``COVERAGE_DROP_THRESHOLD`` is a
  warning in the log, ``ops/coverage/dropped`` lists the fields, and ``ops/degraded`` ->
  ``degraded``.
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crawler.db.engine import get_engine, mask_url
from crawler.db.models import crawl_runs
from crawler.runs import DEGRADED_STAT, HIGH_ERROR_RATE_STAT, NORMAL_REASONS, TOO_FEW_ITEMS_STAT

logger = logging.getLogger(__name__)

DEFAULT_FIELDS = ("title", "company", "location", "salary", "description", "posted_at")
#: HTTP statuses counted as failed attempts (404 is a removed board, not an error of ours)
FAILED_STATUSES = ("429",)
VALIDATION_FAILURES = "validation_failures"
IGNORE_REQUEST = "scrapy.exceptions.IgnoreRequest"


def has_field(adapter: ItemAdapter, field: str) -> bool:
    """Whether a (normalized) posting has ``field`` (coverage names, not item attribute names)."""
    if field == "location":
        return bool(adapter.get("locations") or adapter.get("remote_regions"))
    if field == "salary":
        return adapter.get("salary_min") is not None or adapter.get("salary_max") is not None
    if field == "description":
        return bool(adapter.get("description_text"))
    return adapter.get(field) not in (None, "", [], {})


def error_rate(stats: dict[str, Any]) -> tuple[int, int]:
    """(failed attempts, attempts) from Scrapy's downloader stats.

    A request a middleware decided not to send (``IgnoreRequest``: robots.txt, offsite) is
    neither an attempt nor a failure.
    """
    ignored = int(stats.get(f"downloader/exception_type_count/{IGNORE_REQUEST}", 0))
    attempts = int(stats.get("downloader/request_count", 0)) - ignored
    failed = int(stats.get("downloader/exception_count", 0)) - ignored
    for key, value in stats.items():
        if key.startswith("downloader/response_status_count/"):
            code = key.rsplit("/", 1)[1]
            if code.startswith("5") or code in FAILED_STATUSES:
                failed += int(value)
    return failed, attempts


class RunMonitor:
    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.fields: tuple[str, ...] = tuple(s.getlist("COVERAGE_FIELDS") or DEFAULT_FIELDS)
        self.error_rate_max = s.getfloat("ERROR_RATE_MAX", 0.5)
        self.error_rate_min_requests = s.getint("ERROR_RATE_MIN_REQUESTS", 20)
        self.min_items = s.getint("MIN_ITEMS", 0)
        self.history = max(1, s.getint("COVERAGE_HISTORY", 5))
        self.min_history = max(1, s.getint("COVERAGE_MIN_HISTORY", 3))
        self.coverage_min_items = s.getint("COVERAGE_MIN_ITEMS", 20)
        self.threshold = s.getfloat("COVERAGE_DROP_THRESHOLD", 0.2)
        self.store = s.getbool("STORE_ENABLED", True)
        self.url: str = s.get("DATABASE_URL", "")
        self.items = 0
        self.partial = 0
        self.present: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunMonitor:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item: Any, spider: Spider) -> None:
        adapter = ItemAdapter(item)
        if adapter.get("partial"):
            self.partial += 1
            return
        self.items += 1
        for field in self.fields:
            if has_field(adapter, field):
                self.present[field] += 1

    # -- checks ----------------------------------------------------------------------------------
    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        values = stats.get_stats()
        self.check_error_rate(values)
        self.check_min_items(values)
        coverage = self.coverage(values)
        for key, value in coverage.items():
            stats.set_value(key, value)
        if reason in NORMAL_REASONS and self.items >= self.coverage_min_items:
            self.compare_with_history(spider.name, coverage, values.get("jobs/run_id"))

    def check_error_rate(self, stats: dict[str, Any]) -> None:
        failed, attempts = error_rate(stats)
        if attempts <= 0:
            return
        rate = failed / attempts
        self.crawler.stats.set_value("ops/error_rate", round(rate, 4))
        high = failed == attempts or (attempts >= self.error_rate_min_requests and rate > self.error_rate_max)
        if high:
            self.crawler.stats.set_value(HIGH_ERROR_RATE_STAT, True)
            logger.warning(
                "error rate %.0f%%: %d of %d request attempts failed (download errors, HTTP 5xx/429); "
                "the limit is %.0f%% (ERROR_RATE_MAX) from %d attempts (ERROR_RATE_MIN_REQUESTS)",
                100 * rate,
                failed,
                attempts,
                100 * self.error_rate_max,
                self.error_rate_min_requests,
            )

    def check_min_items(self, stats: dict[str, Any]) -> None:
        items = int(stats.get("jobs/stored" if self.store else "item_scraped_count", 0))
        self.crawler.stats.set_value("ops/items", items)
        if self.min_items <= 0:
            return
        self.crawler.stats.set_value("ops/min_items", self.min_items)
        if items < self.min_items:
            self.crawler.stats.set_value(TOO_FEW_ITEMS_STAT, True)
            logger.warning(
                "only %d postings %s, fewer than this source's minimum of %d (MIN_ITEMS)",
                items,
                "stored" if self.store else "scraped",
                self.min_items,
            )

    def coverage(self, stats: dict[str, Any]) -> dict[str, Any]:
        failures = sum(
            int(v)
            for k, v in stats.items()
            if k.startswith("jobs/dropped/") and k != "jobs/dropped/duplicate"
        )
        seen = self.items + failures
        out: dict[str, Any] = {
            "ops/coverage/items": self.items,
            "ops/validation/failures": failures,
            "ops/validation/failure_rate": round(failures / seen, 4) if seen else 0.0,
        }
        if self.partial:
            out["ops/coverage/partial_skipped"] = self.partial
        for field in self.fields:
            out[f"ops/coverage/{field}"] = round(self.present[field] / self.items, 4) if self.items else 0.0
        return out

    def _history(self, spider: str, run_id: Any) -> list[dict[str, Any]]:
        """Stats of the newest ``finished`` runs of ``spider`` with enough postings (not this run)."""
        if not self.store or not self.url:
            return []
        stmt = (
            select(crawl_runs.c.id, crawl_runs.c.stats)
            .where(crawl_runs.c.spider == spider, crawl_runs.c.status == "finished")
            .order_by(crawl_runs.c.id.desc())
            .limit(self.history * 10)
        )
        found: list[dict[str, Any]] = []
        try:
            with get_engine(self.url).connect() as conn:
                for rid, stats in conn.execute(stmt):
                    if rid == run_id or not isinstance(stats, dict):
                        continue
                    if int(stats.get("ops/coverage/items", 0) or 0) < self.coverage_min_items:
                        continue
                    found.append(stats)
                    if len(found) >= self.history:
                        break
        except SQLAlchemyError as exc:
            logger.warning(
                "coverage history unavailable from %s (%s)", mask_url(self.url), exc.__class__.__name__
            )
            return []
        return found

    def compare_with_history(self, spider: str, coverage: dict[str, Any], run_id: Any) -> None:
        history = self._history(spider, run_id)
        stats = self.crawler.stats
        stats.set_value("ops/coverage/baseline_runs", len(history))
        if len(history) < self.min_history:
            logger.info(
                "coverage of %d postings recorded; %d earlier finished run(s) to compare with, %d needed",
                self.items,
                len(history),
                self.min_history,
            )
            return
        dropped: list[str] = []
        for field in self.fields:
            key = f"ops/coverage/{field}"
            past = [float(h[key]) for h in history if key in h]
            if len(past) < self.min_history:
                continue
            baseline = statistics.median(past)
            stats.set_value(f"ops/coverage/baseline/{field}", round(baseline, 4))
            if baseline - coverage[key] > self.threshold:
                dropped.append(field)
                logger.warning(
                    "coverage drop: %s on %.0f%% of postings, median of the last %d finished runs %.0f%% "
                    "(COVERAGE_DROP_THRESHOLD %.0f points)",
                    field,
                    100 * coverage[key],
                    len(past),
                    100 * baseline,
                    100 * self.threshold,
                )
        key = "ops/validation/failure_rate"
        past = [float(h[key]) for h in history if key in h]
        if len(past) >= self.min_history:
            baseline = statistics.median(past)
            stats.set_value("ops/validation/baseline_failure_rate", round(baseline, 4))
            if coverage[key] - baseline > self.threshold:
                dropped.append(VALIDATION_FAILURES)
                logger.warning(
                    "validation failures on %.0f%% of items, median of the last %d finished runs %.0f%%",
                    100 * coverage[key],
                    len(past),
                    100 * baseline,
                )
        if dropped:
            stats.set_value("ops/coverage/dropped", dropped)
            stats.set_value(DEGRADED_STAT, True)
