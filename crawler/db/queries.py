"""Read-side helpers used by spiders for incremental crawling."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crawler.db.engine import get_engine, mask_url
from crawler.db.models import crawl_runs, postings
from crawler.db.store import parse_ts

logger = logging.getLogger(__name__)

_CHUNK = 1000


def _engine_or_none(settings: Any) -> Any:
    if not settings.getbool("STORE_ENABLED", True):
        return None
    url = settings.get("DATABASE_URL")
    if not url:
        return None
    return get_engine(url)


def canonical_args(args: dict[str, Any]) -> str:
    return json.dumps({k: str(v) for k, v in sorted(args.items())}, sort_keys=True)


def last_successful_run_started(settings: Any, spider: str, args: dict[str, str]) -> datetime | None:
    """Start time of the newest ``finished`` run of ``spider`` with the same arguments."""
    engine = _engine_or_none(settings)
    if engine is None:
        return None
    wanted = canonical_args(args)
    try:
        with engine.connect() as conn:
            stmt = (
                select(crawl_runs.c.started_at, crawl_runs.c.args)
                .where(crawl_runs.c.spider == spider, crawl_runs.c.status == "finished")
                .order_by(crawl_runs.c.started_at.desc())
                .limit(200)
            )
            for started_at, run_args in conn.execute(stmt):
                if canonical_args(run_args or {}) == wanted:
                    return parse_ts(started_at)
    except SQLAlchemyError as exc:
        logger.warning("last run lookup failed on %s: %s", mask_url(str(engine.url)), type(exc).__name__)
    return None


def stored_markers(settings: Any, source: str, ids: Collection[str], key: str) -> dict[str, str | None]:
    """For the ``ids`` already stored (and not closed) for ``source``: the string at ``raw[key]``.

    Set-based: one query per 1,000 ids (a listing page is one query), on SQLite
    (``json_extract``) and PostgreSQL (``->>``) alike.  A stored posting without that key
    maps to ``None``; ids not stored, or stored with ``closed_at`` set, are absent.  Empty
    without a database/schema, or when the lookup fails (logged): the caller then fetches
    everything, which is never wrong, only slower.
    """
    engine = _engine_or_none(settings)
    if engine is None or not ids:
        return {}
    wanted = sorted({str(i) for i in ids})
    marker = postings.c.raw[key].as_string()
    found: dict[str, str | None] = {}
    try:
        with engine.connect() as conn:
            for i in range(0, len(wanted), _CHUNK):
                stmt = select(postings.c.source_id, marker).where(
                    postings.c.source == source,
                    postings.c.source_id.in_(wanted[i : i + _CHUNK]),
                    postings.c.closed_at.is_(None),
                )
                found.update((str(sid), value) for sid, value in conn.execute(stmt))
    except SQLAlchemyError as exc:
        logger.warning(
            "stored markers lookup failed on %s: %s", mask_url(str(engine.url)), type(exc).__name__
        )
        return {}
    return found
