"""Incremental list + detail crawling: skip the detail of a posting whose listing entry is unchanged.

Many sources list postings in pages (cheap: 100 postings per request) and give the full
posting only in a detail request (one request per posting).  A second run over an
unchanged source only needs the listing pages: a posting already stored whose listing
entry is the same as when its detail was fetched is re-sighted, not re-fetched.

How a spider uses it::

    self.incremental = IncrementalDetails.from_args(full=full, incremental=incremental)
    ...
    markers = {item.source_id: listing_hash(entry) for item, entry in page}   # one listing page
    plan = self.incremental.plan(self.settings, self.source_name, markers)  # one query
    for item in items:
        if plan.skip(item.source_id):
            item.partial = True        # storage refreshes last_seen_at only, keeps the content
            yield item
        else:
            yield detail_request(item, marker=markers[item.source_id])
    ...
    # only once the detail was read successfully (a failed detail is retried next run):
    record_marker(item, marker)

The marker is kept in the stored posting's ``raw`` under :data:`MARKER_KEY` and read back
by :func:`crawler.db.queries.stored_markers` (one query per listing page, SQLite and
PostgreSQL).  A posting stored without a marker (detail failed, ``details=0`` run, stored
before incremental mode), a closed one, or one whose listing entry changed in any field is
fetched again.  A change visible only in the detail (e.g. the description edited without
the listing entry changing) is not seen: a periodic ``-a full=1`` run catches those.

Without a database (``STORE_ENABLED=0`` or no ``DATABASE_URL``), or when the lookup
fails, everything is fetched: incremental mode can only save requests, never lose postings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crawler.items import JobPosting

#: key of the listing marker in a stored posting's ``raw``
MARKER_KEY = "_listing_hash"

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def flag(value: Any, name: str) -> bool | None:
    """``-a name=1|0|true|false|yes|no|on|off`` -> bool; ``None`` when not given; else ``ValueError``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"-a {name}={value!r}: expected 1 or 0")


def listing_hash(entry: Any) -> str:
    """A stable hash of a listing entry as the source sent it (key order does not matter)."""
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def record_marker(item: JobPosting, marker: str | None) -> None:
    """Keep ``marker`` in the item's ``raw`` (call only after its detail was read successfully)."""
    if marker:
        item.raw[MARKER_KEY] = marker


@dataclass(frozen=True)
class DetailPlan:
    """What to do with the details of one listing page."""

    #: stored, not closed, and listed exactly as when the detail was fetched: skip the detail
    unchanged: frozenset[str] = field(default_factory=frozenset)
    #: stored, but the listing entry changed (or no detail was ever stored): fetch again
    changed: frozenset[str] = field(default_factory=frozenset)
    #: not stored (or closed): fetch
    new: frozenset[str] = field(default_factory=frozenset)

    def skip(self, source_id: str | None) -> bool:
        return source_id is not None and str(source_id) in self.unchanged


@dataclass(frozen=True)
class IncrementalDetails:
    """Per-spider switch and lookup: which details of a listing page must be fetched."""

    enabled: bool = True
    key: str = MARKER_KEY

    @classmethod
    def from_args(
        cls, full: Any = None, incremental: Any = None, key: str = MARKER_KEY
    ) -> IncrementalDetails:
        """``-a full=1`` or ``-a incremental=0`` turn it off (refetch every detail); default on."""
        forced_full = flag(full, "full") is True
        wanted = flag(incremental, "incremental")
        return cls(enabled=not forced_full and wanted is not False, key=key)

    def plan(self, settings: Any, source: str, markers: Mapping[str, str]) -> DetailPlan:
        """One query for the whole page: ``markers`` maps each listed id to its listing marker."""
        ids = frozenset(str(i) for i in markers)
        if not self.enabled or not ids:
            return DetailPlan(new=ids)
        from crawler.db.queries import stored_markers

        stored = stored_markers(settings, source, ids, self.key)
        unchanged = frozenset(i for i, m in markers.items() if m and stored.get(str(i)) == m)
        changed = frozenset(stored) & ids - unchanged
        return DetailPlan(unchanged=unchanged, changed=changed, new=ids - unchanged - changed)
