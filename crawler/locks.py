"""One run per source at a time: a PostgreSQL advisory lock, or a file lock.

``scrapy crawl X`` takes the lock of source ``X`` before anything of the crawl is built
(no spider, extension, pipeline, JOBDIR or ``crawl_runs`` row exists yet) and holds it until
the process ends; a second run of ``X`` finds it taken, logs who holds it and exits at once
with :attr:`crawler.exitcodes.ExitCode.LOCKED`.

* PostgreSQL (``DATABASE_URL`` is ``postgresql…`` and storage is on):
  ``pg_try_advisory_lock(key)`` on a dedicated autocommit connection kept open for the
  crawl's lifetime (TCP keepalives on).  The server drops the lock when that connection
  ends, so a killed crawler never leaves a stale lock.  Advisory locks are per database:
  crawls of the same source into different databases do not exclude each other.
* SQLite: ``fcntl.flock`` on a file next to the SQLite file (``<db>.crawl-<source>.lock``),
  or in ``SOURCE_LOCK_DIR`` when that is set (which also locks crawls without a database);
  the kernel drops it when the process ends.  Without a database (``STORE_ENABLED=0``, an
  in-memory SQLite) and without ``SOURCE_LOCK_DIR`` there is no lock: nothing is shared.  The file holds the owner's pid/host for the "busy" message and is never
  deleted (deleting a lock file races with the next locker).

Not used with the Redis frontier (``SCHEDULER_BACKEND=redis``): there, several workers of
one source run at once on purpose.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from crawler.db.engine import mask_url, normalize_url

logger = logging.getLogger(__name__)


class SourceLock(Protocol):
    key: str

    def acquire(self) -> bool:
        """True when this process now holds the lock; False when another process does."""
        ...

    def release(self) -> None: ...

    def holder(self) -> str:
        """Who holds the lock (for the "busy" message); "" when unknown."""
        ...

    def describe(self) -> str: ...


def _owner() -> str:
    return (
        f"pid {os.getpid()} on {socket.gethostname()} since {datetime.now(UTC).isoformat(timespec='seconds')}"
    )


def advisory_key(key: str) -> int:
    """A stable signed 64-bit advisory lock id for ``key`` (same on every machine and Python)."""
    return int.from_bytes(hashlib.sha256(f"jobcrawler:{key}".encode()).digest()[:8], "big", signed=True)


class PgAdvisoryLock:
    def __init__(self, url: str, key: str) -> None:
        self.url = normalize_url(url)
        self.key = key
        self.lock_id = advisory_key(key)
        self.conn: Connection | None = None

    def describe(self) -> str:
        return f"PostgreSQL advisory lock {self.lock_id} ({self.key}) on {mask_url(self.url)}"

    def _connect(self) -> Connection:
        connect_args: dict[str, Any] = {
            "application_name": f"jobcrawler {self.key} pid {os.getpid()}"[:63],
            "keepalives": 1,
            "keepalives_idle": 60,
            "keepalives_interval": 10,
            "keepalives_count": 5,
            "connect_timeout": 10,
        }
        engine = create_engine(self.url, poolclass=NullPool, connect_args=connect_args)
        return engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def acquire(self) -> bool:
        conn = self._connect()
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.lock_id}).scalar())
        if got:
            self.conn = conn
        else:
            conn.close()
        return got

    def release(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.lock_id})
        except SQLAlchemyError:
            pass  # the connection is gone: so is the lock
        finally:
            self.conn.close()
            self.conn = None

    def holder(self) -> str:
        """``application_name``/pid/client of the session holding the lock."""
        classid, objid = (self.lock_id >> 32) & 0xFFFFFFFF, self.lock_id & 0xFFFFFFFF
        try:
            conn = self._connect()
            try:
                row = conn.execute(
                    text(
                        "SELECT a.application_name, a.pid, a.client_addr, a.backend_start "
                        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :c AND l.objid = :o "
                        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    ),
                    {"c": classid, "o": objid},
                ).first()
            finally:
                conn.close()
        except SQLAlchemyError:
            return ""
        if row is None:
            return ""
        name, pid, addr, started = row
        return f"{name or 'session'} (server pid {pid}, client {addr or 'local socket'}, since {started:%Y-%m-%d %H:%M:%S%z})"


class FileLock:
    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key
        self.fh: IO[str] | None = None

    def describe(self) -> str:
        return f"file lock {self.path}"

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return False
        fh.seek(0)
        fh.truncate()
        fh.write(_owner() + "\n")
        fh.flush()
        self.fh = fh
        return True

    def release(self) -> None:
        if self.fh is None:
            return
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
        finally:
            self.fh.close()
            self.fh = None

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""


def _is_postgres(url: str) -> bool:
    return make_url(normalize_url(url)).get_backend_name() == "postgresql"


def source_lock(settings: Any, spider: str) -> SourceLock | None:
    """The lock of ``spider``'s source for these settings, or None when locking does not apply."""
    if not settings.getbool("SOURCE_LOCK_ENABLED", True):
        return None
    if str(settings.get("SCHEDULER_BACKEND", "memory")).lower() == "redis":
        return None  # several workers share one Redis frontier on purpose
    key = f"crawl:{spider}"
    url = settings.get("DATABASE_URL") or ""
    store = settings.getbool("STORE_ENABLED", True)
    if store and url and _is_postgres(url):
        return PgAdvisoryLock(url, key)
    directory = settings.get("SOURCE_LOCK_DIR") or ""
    if directory:
        return FileLock(Path(directory) / f"crawl-{spider}.lock", key)
    if store and url:
        database = make_url(normalize_url(url)).database
        if database and database != ":memory:":
            db = Path(database)
            return FileLock(db.with_name(f"{db.name}.crawl-{spider}.lock"), key)
    return None  # no database (feeds only, or in memory): nothing shared to protect
