"""Closing postings that a complete listing no longer shows (``ListingCloser``, an extension).

A posting is closed when

* the source says so: a closed GitHub issue (the item's ``closed_at``, stored as is), or an
  expired ``validThrough`` (``valid_through`` in the past: closed here at every run's end with
  ``closed_at = valid_through``);
* a **complete** listing of its source no longer shows it: at the end of a run that

  - declared its listing complete: the spider set the stat ``listing/complete = 1``, and
    optionally ``listing/scope`` — the list of the parts it listed fully (board slugs) —
    and ``listing/scope_key``, the key of ``postings.raw`` naming a posting's part
    (default ``_board``; ``_repo`` for GitHub-issue boards).  Without ``listing/scope`` the
    whole source was listed; an empty ``listing/scope`` closes nothing;
  - finished cleanly: close reason ``finished``, no ERROR line at all (not even "Gave up
    retrying"), the status ``crawler.runs.run_status`` gives is ``finished``, nothing
    spooled, no block signal (``blocks/count``), and — for a whole-source listing — no
    ``jobs/request_failed`` and no ``jobs/parse_error/*``;

  one set-based UPDATE sets ``closed_at = now`` on the postings of that source (and
  scope) still open whose ``last_seen_at`` is older than the run's start.  A guard refuses
  to close more than ``HISTORY_CLOSE_MAX_SHARE`` of the open postings in scope at once
  when there are at least ``HISTORY_CLOSE_GUARD_MIN`` of them (a listing API that suddenly
  answers an empty list is likelier than half a board closing overnight).

A posting seen again reopens: the store writes the item's ``closed_at`` (NULL when open).
Partial or failed runs never close anything.  The outcome is in the run's stats
(``history/closed``, ``history/expired``, ``history/skipped``), which reach ``crawl_runs``
because this extension runs before ``CrawlRunRecorder`` (priority 495 < 500) and after the
monitor's checks (490).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine, and_, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from crawler.db.engine import get_engine, mask_url
from crawler.db.models import postings
from crawler.runs import run_status

logger = logging.getLogger(__name__)

COMPLETE_STAT = "listing/complete"
SCOPE_STAT = "listing/scope"
SCOPE_KEY_STAT = "listing/scope_key"
SOURCE_STAT = "listing/source"
DEFAULT_SCOPE_KEY = "_board"


def mark_listed(spider: Spider, part: str | None = None, scope_key: str | None = None) -> None:
    """Declare this run's listing complete — call it when a listing was read to its end.

    ``part`` (a board slug, a repository) adds that part to ``listing/scope``: only postings
    whose ``raw[scope_key]`` names a listed part can be closed.  Without ``part`` the whole
    source was listed.  Never call it for a listing cut short (``max_pages`` reached, a page
    that failed, a keyword search, a capped result list).
    """
    stats = spider.crawler.stats
    assert stats is not None
    stats.set_value(COMPLETE_STAT, 1)
    if part is not None:
        scope = {str(s) for s in stats.get_value(SCOPE_STAT) or []}
        scope.add(part)
        stats.set_value(SCOPE_STAT, sorted(scope))
    if scope_key:
        stats.set_value(SCOPE_KEY_STAT, scope_key)


def as_utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, str) and value:
        try:
            return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def listing_scope(stats: Mapping[str, Any]) -> list[str] | None:
    """``listing/scope`` as a list (a comma-separated string is accepted); None = whole source."""
    scope = stats.get(SCOPE_STAT)
    if scope is None:
        return None
    if isinstance(scope, str):
        return [s.strip() for s in scope.split(",") if s.strip()]
    if isinstance(scope, Iterable):
        return sorted({str(s) for s in scope if s is not None and str(s)})
    return [str(scope)]


def why_not_close(reason: str | None, stats: Mapping[str, Any]) -> str | None:
    """None when this run may close postings by absence, else why not (one short phrase)."""
    if not stats.get(COMPLETE_STAT):
        return "listing not declared complete"
    if reason != "finished":
        return f"close reason {reason}"
    if int(stats.get("log_count/ERROR", 0) or 0):
        return "errors logged"
    status = run_status(reason, dict(stats))
    if status != "finished":
        return f"run status {status}"
    if stats.get("jobs/store/spooled") or stats.get("jobs/store/spool_pending"):
        return "postings spooled"
    if stats.get("blocks/count"):
        return "blocked requests"
    if listing_scope(stats) is None:
        failed = [
            k
            for k, v in stats.items()
            if v and (k == "jobs/request_failed" or k.startswith("jobs/parse_error/"))
        ]
        if failed:
            return "failed requests in a whole-source listing (" + ", ".join(sorted(failed)) + ")"
    return None


@dataclass
class CloseResult:
    closed: int = 0
    candidates: int = 0
    open_in_scope: int = 0
    refused: str | None = None


def close_unlisted(
    engine: Engine,
    source: str,
    started_at: datetime,
    scope: list[str] | None = None,
    scope_key: str = DEFAULT_SCOPE_KEY,
    now: datetime | None = None,
    max_share: float = 1.0,
    guard_min: int = 0,
) -> CloseResult:
    """Close the open postings of ``source`` (in ``scope``) last seen before ``started_at``."""
    now = as_utc(now) or datetime.now(UTC)
    started = as_utc(started_at)
    assert started is not None
    if scope is not None and not scope:
        return CloseResult(refused="empty scope")
    in_scope = and_(postings.c.source == source, postings.c.closed_at.is_(None))
    if scope is not None:
        in_scope = and_(in_scope, postings.c.raw[scope_key].as_string().in_(scope))
    missing = and_(in_scope, postings.c.last_seen_at < started)
    with engine.begin() as conn:
        counts = conn.execute(
            select(func.count(), func.count().filter(postings.c.last_seen_at < started)).where(in_scope)
        ).one()
        result = CloseResult(open_in_scope=int(counts[0]), candidates=int(counts[1] or 0))
        if not result.candidates:
            return result
        if result.open_in_scope >= guard_min and result.candidates > max_share * result.open_in_scope:
            result.refused = (
                f"would close {result.candidates} of {result.open_in_scope} open postings "
                f"(more than HISTORY_CLOSE_MAX_SHARE={max_share:g})"
            )
            return result
        result.closed = conn.execute(update(postings).where(missing).values(closed_at=now)).rowcount
    return result


def close_expired(engine: Engine, source: str | None = None, now: datetime | None = None) -> int:
    """``closed_at = valid_through`` for open postings (of ``source``) whose validity ended."""
    now = as_utc(now) or datetime.now(UTC)
    cond = and_(postings.c.closed_at.is_(None), postings.c.valid_through < now)
    if source is not None:
        cond = and_(cond, postings.c.source == source)
    with engine.begin() as conn:
        return int(
            conn.execute(update(postings).where(cond).values(closed_at=postings.c.valid_through)).rowcount
        )


class ListingCloser:
    """Extension: at spider close, close expired postings and, after a complete clean listing,
    postings the listing no longer shows (see the module docstring for the contract)."""

    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.enabled = s.getbool("STORE_ENABLED", True) and s.getbool("HISTORY_ENABLED", True)
        self.url: str = s.get("DATABASE_URL", "")
        self.max_share = s.getfloat("HISTORY_CLOSE_MAX_SHARE", 0.5)
        self.guard_min = s.getint("HISTORY_CLOSE_GUARD_MIN", 20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ListingCloser:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        if not self.enabled or stats is None or not self.url:
            return
        values = stats.get_stats()
        source = str(values.get(SOURCE_STAT) or getattr(spider, "source_name", None) or spider.name)
        try:
            engine = get_engine(self.url)
            expired = close_expired(engine, source)
            stats.set_value("history/expired", expired)
            refused = why_not_close(reason, values)
            if refused is None:
                started = as_utc(values.get("start_time"))
                if started is None:
                    refused = "no start_time stat"
                else:
                    result = close_unlisted(
                        engine,
                        source,
                        started,
                        scope=listing_scope(values),
                        scope_key=str(values.get(SCOPE_KEY_STAT) or DEFAULT_SCOPE_KEY),
                        max_share=self.max_share,
                        guard_min=self.guard_min,
                    )
                    refused = result.refused
                    stats.set_value("history/closed", result.closed)
                    if result.refused and result.candidates:
                        logger.warning("%s: not closing unlisted postings: %s", source, result.refused)
        except SQLAlchemyError as exc:
            logger.warning(
                "could not close postings of %s in %s: %s", source, mask_url(self.url), exc.__class__.__name__
            )
            stats.set_value("history/skipped", "database error")
            return
        if refused is not None:
            stats.set_value("history/skipped", refused)
        logger.info(
            "history of %s: %d closed as unlisted%s, %d expired",
            source,
            int(stats.get_value("history/closed", 0) or 0),
            f" (not closing: {refused})" if refused else "",
            expired,
        )
