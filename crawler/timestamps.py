"""Timestamps as the crawler stores them: aware UTC datetimes (no heavy imports: worker processes use it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_ts(value: Any) -> datetime | None:
    """ISO 8601 string (``Z`` allowed) -> aware UTC datetime; None when unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
