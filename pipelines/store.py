"""Store: batched upserts into PostgreSQL/SQLite, off the reactor thread.

* Items are buffered and written in batches of ``STORE_BATCH_SIZE`` or every
  ``STORE_FLUSH_INTERVAL`` seconds, whichever comes first, by worker threads
  (``STORE_WRITERS``, each with its own connection).  The crawl never waits on
  SQL unless ``STORE_WRITERS`` batches are already being written: that wait is
  the back-pressure that keeps memory bounded.
* A batch that cannot be written (database down, a constraint surprise) is
  appended to a spool file in ``STORE_SPOOL_DIR`` and replayed at the start of
  the next run (``scrapy replay`` does it on demand): nothing is lost.
* SQLite is migrated on first use; PostgreSQL must be at the head revision
  (``scrapy migrate``), otherwise the crawl stops at once with that message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from scrapy.crawler import Crawler
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import SQLAlchemyError

from crawler.db.engine import get_engine, is_sqlite, mask_url, short_error
from crawler.db.migrate import SchemaNotReady, ensure_schema
from crawler.db.store import PostingWriter, item_fields
from crawler.deadletter import append_dead_letters, dead_letter_path, dead_letter_record
from crawler.logformatter import describe
from crawler.runs import get_run_id

logger = logging.getLogger(__name__)


class Spool:
    """Append-only JSON-lines files of items that could not be written."""

    def __init__(self, directory: str | Path) -> None:
        self.dir = Path(directory)
        self.path = self.dir / f"spool-{os.getpid()}-{int(time.time() * 1000)}.jsonl"
        self._lock = threading.Lock()  # appends vs. claiming this run's own file

    def append(self, items: list[dict[str, Any]]) -> None:
        with self._lock:
            self.dir.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                for item in items:
                    fh.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
                fh.flush()
                os.fsync(fh.fileno())

    def has_own(self) -> bool:
        return self.path.exists()

    def claim(self, own: bool = False) -> Iterator[Path]:
        """Spool files renamed first, so two workers never replay the same one.

        ``own=False``: earlier runs' files; ``own=True``: this run's file only (the
        database came back during the crawl).
        """
        if not self.dir.is_dir():
            return
        for path in [self.path] if own else sorted(self.dir.glob("spool-*.jsonl")):
            if (path == self.path) != own:
                continue
            claimed = path.with_name(f"replaying-{os.getpid()}-{path.name}")
            try:
                with self._lock:
                    path.rename(claimed)
            except OSError:
                continue  # another worker took it (or nothing was spooled)
            yield claimed


def replay_spool(writer: PostingWriter, spool: Spool, batch_size: int, own: bool = False) -> tuple[int, int]:
    """Write every claimed spool file; returns (postings written, files replayed).

    A file that fails again is renamed back to ``spool-*`` and kept for later.
    """
    written = files = 0
    for path in spool.claim(own=own):
        try:
            lines = [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
            for i in range(0, len(lines), batch_size):
                written += writer.write(lines[i : i + batch_size])
        except (SQLAlchemyError, OSError, ValueError) as exc:
            logger.error("replay of %s failed (%s); kept for later", path.name, exc.__class__.__name__)
            path.rename(path.with_name(path.name.split("-", 2)[-1]))  # back to spool-<pid>-<ms>.jsonl
            continue
        path.unlink()
        files += 1
    return written, files


def is_outage(exc: BaseException) -> bool:
    """The database (or the disk) is unavailable, as opposed to one batch holding bad data."""
    return isinstance(
        exc,
        OSError
        | sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.DisconnectionError
        | sa_exc.TimeoutError
        | psycopg.OperationalError
        | psycopg.InterfaceError,
    )


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.enabled = s.getbool("STORE_ENABLED", True)
        self.url: str = s.get("DATABASE_URL", "")
        self.batch_size = max(1, s.getint("STORE_BATCH_SIZE", 1000))
        self.near_duplicates = s.getbool("DEDUPE_NEAR_DUPLICATES", True)
        self.link_inline = s.getbool("STORE_LINK_INLINE", False)
        self.flush_interval = s.getfloat("STORE_FLUSH_INTERVAL", 5.0)
        self.auto_migrate_sqlite = s.getbool("DB_AUTO_MIGRATE_SQLITE", True)
        self.spool = Spool(s.get("STORE_SPOOL_DIR", ".spool"))
        self.buffer: list[dict[str, Any]] = []
        self.writer: PostingWriter | None = None
        self.writers = max(1, s.getint("STORE_WRITERS", 2))
        self.executor = ThreadPoolExecutor(max_workers=self.writers, thread_name_prefix="store")
        self._pending: set[asyncio.Future[None]] = set()
        self.dead_letter_dir = s.get("DEAD_LETTER_DIR", ".deadletter")
        self._dead_lettered = self._spooled_late = 0  # counted by the writer threads, reported by the loop
        self._timer: asyncio.Task[None] | None = None
        self._last_flush = time.monotonic()
        #: set once close_spider has written (or spooled) everything: the link stage waits for it
        self.closed = asyncio.Event()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def _inc(self, key: str, n: int = 1) -> None:
        if self.stats is not None and n:
            self.stats.inc_value(key, n)

    async def _in_thread(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def open_spider(self) -> None:
        if not self.enabled:
            logger.info("storage disabled (STORE_ENABLED=0)")
            return
        auto = self.auto_migrate_sqlite and is_sqlite(self.url)
        try:
            await self._in_thread(ensure_schema, self.url, auto)
        except SchemaNotReady as exc:
            raise SchemaNotReady(f"{mask_url(self.url)}: {exc}") from None
        except SQLAlchemyError as exc:
            logger.error(
                "database %s unreachable at start (%s): items will be spooled to %s",
                mask_url(self.url),
                exc.__class__.__name__,
                self.spool.dir,
            )
        self.writer = PostingWriter(get_engine(self.url), self.near_duplicates, link=self.link_inline)
        logger.info(
            "storing postings in %s (batches of %d; jobs linked %s)",
            mask_url(self.url),
            self.batch_size,
            "as they are stored" if self.writer.link else "by the link stage",
        )
        written, files = await self._in_thread(replay_spool, self.writer, self.spool, self.batch_size)
        if files:
            logger.info("replayed %d spooled postings from %d spool file(s)", written, files)
            self._inc("jobs/store/replayed", written)
        self._timer = asyncio.ensure_future(self._flush_periodically())

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, self.flush_interval))
            if self.buffer and time.monotonic() - self._last_flush >= self.flush_interval:
                self.flush()

    async def process_item(self, item: Any) -> Any:
        if not self.enabled:
            return item
        self.buffer.append(dict(item_fields(item)))
        if len(self.buffer) >= self.batch_size:
            self.flush()
            if len(self._pending) >= self.writers:
                await asyncio.wait(self._pending, return_when=asyncio.FIRST_COMPLETED)
        return item

    def flush(self) -> None:
        """Hand the buffer to a writer thread (returns at once; see ``drain``)."""
        if not self.buffer:
            return
        items, self.buffer = self.buffer, []
        self._last_flush = time.monotonic()
        future = asyncio.ensure_future(self._write_batch(items))
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    async def _write_batch(self, items: list[dict[str, Any]]) -> None:
        stored, spooled, replayed = await self._in_thread(self._write, items, get_run_id(self.crawler))
        self._inc("jobs/stored", stored + replayed)
        self._inc("jobs/store/batches")
        self._inc("jobs/store/spooled", spooled + self._spooled_late)
        self._inc("jobs/store/replayed_in_run", replayed)
        self._inc("jobs/dead_letter", self._dead_lettered)
        self._spooled_late = self._dead_lettered = 0

    async def drain(self) -> None:
        """Flush the buffer and wait until every batch is written (or spooled)."""
        self.flush()
        while self._pending:
            await asyncio.wait(set(self._pending))

    def _write(self, items: list[dict[str, Any]], run_id: int | None) -> tuple[int, int, int]:
        """Runs in a store thread. Returns (stored, spooled, replayed from this run's spool)."""
        assert self.writer is not None
        try:
            stored = self.writer.write(items, run_id=run_id)
        except Exception as exc:
            if not is_outage(exc):  # bad data, not a bad database: find the item(s) and set them aside
                return self._write_one_by_one(items, run_id, exc), 0, 0
            logger.warning(
                "could not write %d postings to %s (%s: %s); spooled to %s, replayed when it is back",
                len(items),
                mask_url(self.url),
                exc.__class__.__name__,
                short_error(exc),
                self.spool.path,
            )
            self.spool.append(items)
            return 0, len(items), 0
        replayed = 0
        if self.spool.has_own():  # the database is back: write what this run spooled
            replayed, _ = replay_spool(self.writer, self.spool, self.batch_size, own=True)
            if replayed:
                logger.info("database %s is back: replayed %d spooled postings", mask_url(self.url), replayed)
        return stored, 0, replayed

    @property
    def spider_name(self) -> str:
        spider = getattr(self.crawler, "spider", None)
        return str(getattr(spider, "name", "unknown"))

    def _write_one_by_one(self, items: list[dict[str, Any]], run_id: int | None, first: Exception) -> int:
        """A batch failed on its data: write item by item; an item that fails alone is dead-lettered."""
        assert self.writer is not None
        logger.error(
            "a batch of %d postings failed (%s); writing them one by one", len(items), type(first).__name__
        )
        stored, dead = 0, []
        for n, item in enumerate(items):
            try:
                stored += self.writer.write([item], run_id=run_id)
            except Exception as exc:
                if is_outage(exc):
                    self.spool.append(items[n:])
                    self._spooled_late += len(items) - n
                    break
                logger.error("%s could not be stored (%s): dead-lettered", describe(item), type(exc).__name__)
                dead.append(dead_letter_record(self.spider_name, item, f"{type(exc).__name__}: {exc}"[:500]))
        if dead:
            append_dead_letters(dead_letter_path(self.dead_letter_dir, self.spider_name), dead)
            self._dead_lettered += len(dead)
        return stored

    async def close_spider(self) -> None:
        if not self.enabled:
            self.closed.set()
            return
        if self._timer is not None:
            self._timer.cancel()
        try:
            await self.drain()
            if self.spool.has_own() and self.writer is not None:  # a last try before giving up
                replayed, _ = await self._in_thread(
                    replay_spool, self.writer, self.spool, self.batch_size, True
                )
                self._inc("jobs/stored", replayed)
                self._inc("jobs/store/replayed_in_run", replayed)
            if self.stats is not None:
                pending = (
                    sum(1 for _ in self.spool.path.open(encoding="utf-8")) if self.spool.has_own() else 0
                )
                self.stats.set_value("jobs/store/spool_pending", pending)
                if pending:
                    logger.error(
                        "%d postings are still in %s: the next run replays them (or `scrapy replay`)",
                        pending,
                        self.spool.path,
                    )
        finally:
            self.executor.shutdown(wait=True)
            self.closed.set()
