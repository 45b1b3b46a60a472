"""Link: cross-source job ids for the postings the store wrote (PostgreSQL).

The store writes postings at COPY speed and marks new and changed ones ``link_pending``;
this stage links them (:class:`crawler.db.link.Linker`) in a worker thread of its own:
every ``LINK_INTERVAL`` seconds during the crawl, and once more after the store has
written its last batch, so a finished crawl leaves no posting without a job.  A failure
is logged and counted (``jobs/link/errors``); the postings stay pending and the next run,
or ``scrapy link``, links them.  Items pass through untouched.

Nothing to do on SQLite (the store links as it writes) or with ``STORE_LINK_INLINE``;
``LINK_ENABLED=0`` leaves linking to ``scrapy link`` (postings stay queued until then).
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError

from crawler.db.engine import get_engine, is_sqlite, mask_url, short_error
from crawler.db.link import Linker
from pipelines.store import StorePipeline

logger = logging.getLogger(__name__)


class LinkPipeline:
    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.url: str = s.get("DATABASE_URL", "")
        self.enabled = (
            s.getbool("LINK_ENABLED", True)
            and s.getbool("STORE_ENABLED", True)
            and not s.getbool("STORE_LINK_INLINE", False)
            and bool(self.url)
            and not is_sqlite(self.url)
        )
        self.near_duplicates = s.getbool("DEDUPE_NEAR_DUPLICATES", True)
        self.batch_size = max(1, s.getint("LINK_BATCH_SIZE", 250))
        self.interval = s.getfloat("LINK_INTERVAL", 10.0)
        self.linker: Linker | None = None
        self.executor: ThreadPoolExecutor | None = None
        self._timer: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one pass at a time (periodic and final)
        self.linked = 0
        self.seconds = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LinkPipeline:
        return cls(crawler)

    async def open_spider(self) -> None:
        if not self.enabled:
            return
        self.linker = Linker(get_engine(self.url), self.near_duplicates, self.batch_size)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="link")
        if self.interval > 0:
            self._timer = asyncio.ensure_future(self._periodically())

    async def process_item(self, item: Any) -> Any:
        return item

    async def _periodically(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.run_once()

    async def run_once(self) -> int:
        """Link what is pending now (one pass at a time); returns postings linked."""
        if self.linker is None or self.executor is None:
            return 0
        async with self._lock:
            try:
                t0 = time.perf_counter()
                linked = await asyncio.get_running_loop().run_in_executor(self.executor, self.linker.drain)
                self.seconds += time.perf_counter() - t0
            except (SQLAlchemyError, OSError) as exc:
                logger.error(
                    "linking postings in %s failed (%s: %s); they stay pending for the next run or `scrapy link`",
                    mask_url(self.url),
                    exc.__class__.__name__,
                    short_error(exc),
                )
                self._inc("jobs/link/errors")
                return 0
        self.linked += linked
        self._inc("jobs/linked", linked)
        return linked

    def _inc(self, key: str, n: int = 1) -> None:
        if self.stats is not None and n:
            self.stats.inc_value(key, n)

    def _store_pipeline(self) -> StorePipeline | None:
        """The StorePipeline of this crawl, if any (its close_spider runs alongside ours)."""
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling (a pipeline driven directly)
            return None
        itemproc = getattr(getattr(engine, "scraper", None), "itemproc", None)
        for mw in getattr(itemproc, "middlewares", ()):
            if isinstance(mw, StorePipeline):
                return mw
        return None

    async def close_spider(self) -> None:
        if not self.enabled or self.linker is None:
            return
        if self._timer is not None:
            self._timer.cancel()
        store = self._store_pipeline()
        if store is not None:
            await store.closed.wait()  # every posting of this run is written (or spooled)
        try:
            await self.run_once()
            pending = await asyncio.get_running_loop().run_in_executor(self.executor, self.linker.pending)
        except SQLAlchemyError:
            pending = -1
        finally:
            if self.executor is not None:
                self.executor.shutdown(wait=True)
        if self.stats is not None:
            self.stats.set_value("jobs/link/pending", pending)
        rate = f", {self.linked / self.seconds:,.0f}/s" if self.seconds and self.linked else ""
        logger.info("linked %d postings into jobs (%.1f s%s)", self.linked, self.seconds, rate)
        if pending > 0:
            logger.warning(
                "%d postings are still waiting to be linked: the next run or `scrapy link` links them", pending
            )
