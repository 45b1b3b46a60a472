"""Normalization in a worker process: what the process pool of ``pipelines/normalize.py`` runs.

Normalizing a posting is pure CPU work (~1.5 ms of regexes and HTML parsing for a real
description); done on the reactor thread it holds up every download and parse.  Once a crawl
has enough postings to be worth a process (``NORMALIZE_POOL_AFTER``), the pipeline sends them
in small batches to ``NORMALIZE_WORKERS`` processes running :func:`normalize_batch`; the
result is the same as normalizing in place (the item comes back as a normalized copy).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from crawler.normalize.posting import normalize_posting
from crawler.timestamps import parse_ts

logger = logging.getLogger(__name__)


def warm_up() -> None:
    """Pool initializer: load vocabularies and compile patterns before the first posting."""
    from crawler.items import JobPosting

    normalize_posting(
        JobPosting(source="warmup", source_id="0", url="https://example.org/0", title="Engineer"), now=None
    )


def normalize_one(item: Any) -> tuple[Any, list[str] | None, str | None]:
    """(normalized item, problem codes, None), or (item, None, traceback) when it raised."""
    try:
        # relative dates ("2 days ago") count from when the page was fetched, not from now
        problems = normalize_posting(item, now=parse_ts(getattr(item, "fetched_at", None)))
    except Exception:
        return item, None, traceback.format_exc()
    return item, problems, None


def normalize_batch(items: list[Any]) -> list[tuple[Any, list[str] | None, str | None]]:
    return [normalize_one(item) for item in items]
