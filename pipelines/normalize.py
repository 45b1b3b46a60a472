"""Normalize: fill the normalized fields from what the spider extracted.

The work is done by the pure functions of ``crawler.normalize``; this pipeline
counts their problem codes as stats (``jobs/normalize/<code>``) and makes sure
one bad posting never stops the run: an unexpected exception is logged with
the posting's id, counted (``jobs/errors/normalize``), and the item continues
with the fields it has.

Where: normalizing is CPU work (~1.5 ms per real posting) that would hold up the
reactor, so once a crawl has seen ``NORMALIZE_POOL_AFTER`` postings it starts
``NORMALIZE_WORKERS`` worker processes (``crawler/normalize/pool.py``) and sends them
postings in small batches (up to ``NORMALIZE_BATCH`` postings, or what arrived within
a few milliseconds); small crawls never pay for a process.  Until the pool is warm, and
if it ever breaks (a worker killed), postings are normalized in place — nothing waits
on a dead pool and nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from scrapy.crawler import Crawler

from crawler.normalize.pool import normalize_batch, normalize_one, warm_up

logger = logging.getLogger(__name__)

#: collect postings for a batch for at most this long (seconds)
BATCH_WINDOW = 0.005


def default_workers() -> int:
    """One worker process when the machine has a core to spare, else none."""
    return 1 if (os.cpu_count() or 1) >= 2 else 0


class NormalizePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        s = crawler.settings
        workers = s.get("NORMALIZE_WORKERS")
        self.workers = default_workers() if workers in (None, "", "auto") else max(0, int(workers))
        self.pool_after = max(0, s.getint("NORMALIZE_POOL_AFTER", 200))
        self.batch_size = max(1, s.getint("NORMALIZE_BATCH", 16))
        self.seen = 0
        self.pool: ProcessPoolExecutor | None = None
        self.pool_ready = False
        self.pending: list[tuple[Any, asyncio.Future[tuple[Any, list[str] | None, str | None]]]] = []
        self.timer: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        self.seen += 1
        if self.pool is None and self.workers and self.seen > self.pool_after:
            self._start_pool()
        if self.pool is not None and self.pool_ready:
            return self._account(*await self._in_pool(item))
        return self.normalize_in_place(item)

    def normalize_in_place(self, item: Any) -> Any:
        """Normalize ``item`` in this process now (what ``process_item`` does without workers)."""
        return self._account(*normalize_one(item))

    def _account(self, item: Any, problems: list[str] | None, error: str | None) -> Any:
        if problems is None:
            logger.error(
                "normalization failed for %s:%s\n%s",
                getattr(item, "source", "?"),
                getattr(item, "source_id", "?"),
                error,
            )
            if self.stats is not None:
                self.stats.inc_value("jobs/errors/normalize")
            return item
        for code in problems:
            if self.stats is not None:
                self.stats.inc_value(f"jobs/normalize/{code}")
            logger.debug("%s:%s normalize: %s", item.source, item.source_id, code)
        return item

    # --- the worker pool --------------------------------------------------------------------

    def _start_pool(self) -> None:
        # forkserver: workers fork from a clean server process, not from this threaded one; the
        # server preloads only the normalizers (not the crawl's own __main__: Scrapy, Twisted)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["crawler.normalize.worker_boot"])
        self.pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=warm_up)
        logger.info("normalizing in %d worker process(es) from posting %d on", self.workers, self.seen)
        self.pool.submit(warm_up).add_done_callback(self._warm)

    def _warm(self, future: Future[None]) -> None:
        if future.exception() is None:
            self.pool_ready = True
        else:
            logger.error(
                "normalize worker pool failed to start (%r): normalizing in place", future.exception()
            )
            self.workers = 0

    async def _in_pool(self, item: Any) -> tuple[Any, list[str] | None, str | None]:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[tuple[Any, list[str] | None, str | None]] = loop.create_future()
        self.pending.append((item, waiter))
        if len(self.pending) >= self.batch_size:
            self._submit()
        elif self.timer is None:
            self.timer = loop.call_later(BATCH_WINDOW, self._submit)
        return await waiter

    def _submit(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        future = None
        if self.pool is not None:  # (None: the pool broke while this batch was collected)
            try:
                future = asyncio.wrap_future(self.pool.submit(normalize_batch, [item for item, _ in batch]))
            except Exception as exc:  # a broken pool
                self._give_up(exc)
        if future is None:
            for item, waiter in batch:
                waiter.set_result(normalize_one(item))
            return

        def done(f: asyncio.Future[list[tuple[Any, list[str] | None, str | None]]]) -> None:
            results = None if f.cancelled() or f.exception() is not None else f.result()
            if results is None or len(results) != len(batch):
                self._give_up(f.exception() if not f.cancelled() else None)
                results = [normalize_one(item) for item, _ in batch]  # the originals are untouched
            for (_, waiter), result in zip(batch, results, strict=True):
                if not waiter.done():
                    waiter.set_result(result)

        future.add_done_callback(done)

    def _give_up(self, exc: BaseException | None) -> None:
        if self.pool is None:
            return
        logger.error("normalize worker pool broke (%r): normalizing in place from now on", exc)
        if self.stats is not None:
            self.stats.inc_value("jobs/normalize_pool/broken")
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = None
        self.pool_ready = False
        self.workers = 0

    async def close_spider(self) -> None:
        if self.pending:
            self._submit()
        if self.pool is not None:
            pool, self.pool = self.pool, None
            await asyncio.to_thread(pool.shutdown, True)
