"""Engines and database URLs."""

from __future__ import annotations

import re
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


class DatabaseConfigError(ValueError):
    """DATABASE_URL is missing or malformed."""


def short_error(exc: BaseException) -> str:
    """The first line (at most 200 characters) of a database error, the driver's own when wrapped."""
    text = str(getattr(exc, "orig", exc))
    return text.splitlines()[0][:200] if text.strip() else ""


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (safe for logs)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # not parseable: keep at most a scheme-looking prefix so a secret never leaks
        scheme = url.split("://", 1)[0] if "://" in url else ""
        return f"{scheme}://***" if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) else "<unparseable URL>"


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` / ``postgres://`` and pick the psycopg 3 driver."""
    if not url:
        raise DatabaseConfigError("DATABASE_URL is empty")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseConfigError(f"DATABASE_URL is not a database URL: {mask_url(url)}") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseConfigError(
            f"unsupported database {parsed.get_backend_name()!r} in DATABASE_URL {mask_url(url)}: "
            "use sqlite:///path.db or postgresql+psycopg://user:pass@host/db"
        )
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def get_engine(url: str) -> Engine:
    """One engine per URL per process (pooled, thread-safe)."""
    url = normalize_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if make_url(url).get_backend_name() == "sqlite":
                engine = create_engine(url, connect_args={"timeout": 30})
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
