"""``crawl_runs``: one row per ``scrapy crawl`` (spider, args, start/finish, status, counts, stats).

Statuses: ``running`` while it runs; then, first match wins:

* ``blocked`` — the site blocked us (close reason ``blocked``);
* ``interrupted`` — Ctrl-C / SIGTERM (close reason ``shutdown``);
* ``failed`` — a non-normal close, spider/pipeline errors logged (Scrapy's "Gave up retrying"
  errors excepted: those count towards the error rate), or postings left in the spool;
* ``high_error_rate`` — too many request attempts failed (``ERROR_RATE_MAX``);
* ``too_few_items`` — fewer postings stored than ``MIN_ITEMS``;
* ``degraded`` — field coverage or validation failures worse than the source's recent
  finished runs (``COVERAGE_DROP_THRESHOLD``);
* ``finished`` — closed normally and passed every check.

The checks behind the last four are made by :mod:`crawler.extensions.monitor` (stats
``ops/...``); :mod:`crawler.exitcodes` maps each status to the process exit code.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy import insert, update
from sqlalchemy.exc import SQLAlchemyError

from crawler.db.engine import get_engine, mask_url
from crawler.db.migrate import ensure_schema
from crawler.db.models import crawl_runs

logger = logging.getLogger(__name__)

RUN_ID_ATTR = "jobcrawler_run_id"
#: argument/stat names whose values are secrets ("github_token", "api_key", "password"; not "keywords")
_SECRET_KEY = re.compile(
    r"(?:^|[_\-/])(?:pass(?:word)?|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"auth(?:orization)?|cookies?|credentials?|dsn)(?:$|[_\-/])",
    re.I,
)
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+@", re.I)
NORMAL_REASONS = frozenset(
    {"finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout"}
)


def get_run_id(crawler: Crawler | None) -> int | None:
    return getattr(crawler, RUN_ID_ATTR, None) if crawler is not None else None


def mask_secrets(value: Any, key: str = "") -> Any:
    """Recursively hide values of secret-looking keys and passwords inside URLs."""
    if isinstance(value, dict):
        return {k: mask_secrets(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_secrets(v, key) for v in value]
    if isinstance(value, str):
        if key and _SECRET_KEY.search(key) and value:
            return "***"
        return _URL_PASSWORD.sub(r"\g<scheme>***@", value)
    return value


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


#: stats set by the monitor extension at close (``crawler.extensions.monitor``)
HIGH_ERROR_RATE_STAT = "ops/high_error_rate"
TOO_FEW_ITEMS_STAT = "ops/too_few_items"
DEGRADED_STAT = "ops/degraded"


def error_count(stats: dict[str, Any]) -> int:
    """Errors logged, less Scrapy's "Gave up retrying" lines (``retry/max_reached``): a request that
    failed for good is judged by the error rate (``high_error_rate``), not as a crash."""
    return max(0, int(stats.get("log_count/ERROR", 0)) - int(stats.get("retry/max_reached", 0)))


def unwritten(stats: dict[str, Any]) -> int:
    """Postings still in the spool at the end of the run (the database was down and did not come back
    in time); batches spooled and replayed within the run are written, not a failure."""
    if "jobs/store/spool_pending" in stats:
        return int(stats["jobs/store/spool_pending"] or 0)
    return int(stats.get("jobs/store/spooled", 0))


def run_status(reason: str | None, stats: dict[str, Any]) -> str:
    if reason == "blocked":
        return "blocked"
    if reason == "shutdown":
        return "interrupted"
    if reason not in NORMAL_REASONS:
        return "failed"
    if error_count(stats) or unwritten(stats):
        return "failed"
    if stats.get(HIGH_ERROR_RATE_STAT):
        return "high_error_rate"
    if stats.get(TOO_FEW_ITEMS_STAT):
        return "too_few_items"
    if stats.get(DEGRADED_STAT):
        return "degraded"
    return "finished"


class CrawlRunRecorder:
    """Extension writing the ``crawl_runs`` row of this crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("STORE_ENABLED", True)
        self.url: str = crawler.settings.get("DATABASE_URL", "")
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        if not self.enabled:
            return
        args = mask_secrets(dict(getattr(spider, "spider_args", {}) or {}))
        try:
            ensure_schema(self.url, auto_migrate=False)  # the store pipeline migrated or failed already
            with get_engine(self.url).begin() as conn:
                self.run_id = conn.execute(
                    insert(crawl_runs)
                    .values(
                        spider=spider.name,
                        args=args,
                        started_at=datetime.now(UTC),
                        status="running",
                        items_scraped=0,
                        items_stored=0,
                        items_dropped=0,
                        errors=0,
                    )
                    .returning(crawl_runs.c.id)
                ).scalar_one()
        except Exception as exc:
            logger.error(
                "could not record the crawl run in %s: %s", mask_url(self.url), exc.__class__.__name__
            )
            return
        setattr(self.crawler, RUN_ID_ATTR, self.run_id)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("jobs/run_id", self.run_id)
        logger.info("crawl run %s recorded in %s", self.run_id, mask_url(self.url))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None or self.crawler.stats is None:
            return
        stats = self.crawler.stats.get_stats()
        stats["finish_reason"] = reason
        dropped = sum(v for k, v in stats.items() if k.startswith("item_dropped_reasons_count/"))
        status = run_status(reason, stats)
        try:
            with get_engine(self.url).begin() as conn:
                conn.execute(
                    update(crawl_runs)
                    .where(crawl_runs.c.id == self.run_id)
                    .values(
                        finished_at=datetime.now(UTC),
                        status=status,
                        finish_reason=reason,
                        items_scraped=int(stats.get("item_scraped_count", 0)),
                        items_stored=int(stats.get("jobs/stored", 0)),
                        items_dropped=int(dropped),
                        errors=int(stats.get("log_count/ERROR", 0)),
                        stats=mask_secrets(jsonable(stats)),
                    )
                )
        except SQLAlchemyError as exc:
            logger.error("could not finish crawl run %s: %s", self.run_id, exc.__class__.__name__)
            return
        logger.info("crawl run %s: %s (%s)", self.run_id, status, reason)
