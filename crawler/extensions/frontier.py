"""Close-when-idle for workers sharing a Redis frontier (``SCHEDULER_BACKEND=redis``).

Scrapy closes a spider as soon as *its own* engine is idle.  With a shared frontier that is
too early: another worker may be parsing a page that adds requests.  This extension keeps an
idle worker open (``DontCloseSpider``) and polls the frontier every ``FRONTIER_POLL_INTERVAL``
seconds until the queue is empty, seeding is done and every live worker has been idle for
``FRONTIER_IDLE_CLOSE`` seconds; then the spider closes with reason ``finished``.  It also
refreshes this worker's heartbeat every ``FRONTIER_HEARTBEAT`` seconds (see
:mod:`crawler.redis_scheduler` for the protocol).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from redis import RedisError
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.redis_scheduler import get_frontier, redis_backend

logger = logging.getLogger(__name__)


class FrontierIdleClose:
    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.idle_close = s.getfloat("FRONTIER_IDLE_CLOSE", 2.0)
        self.poll = max(0.05, s.getfloat("FRONTIER_POLL_INTERVAL", 0.5))
        self.heartbeat_interval = max(0.5, s.getfloat("FRONTIER_HEARTBEAT", 2.0))
        self.idle_since: float | None = None
        self.heartbeat: Any = None
        self.waiting_logged = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierIdleClose:
        if not redis_backend(crawler.settings):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.heartbeat = create_looping_call(self.beat)
        self.heartbeat.start(self.heartbeat_interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()

    def beat(self) -> None:
        frontier = get_frontier(self.crawler)
        if frontier is None:
            return
        try:
            frontier.mark()
        except RedisError as exc:
            logger.warning("frontier heartbeat failed: %s", exc.__class__.__name__)

    def wake_soon(self) -> None:
        """Ask the engine to look at the scheduler again in ``poll`` seconds (not its 5 s heartbeat)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule(self.poll)

    def spider_idle(self, spider: Spider) -> None:
        frontier = get_frontier(self.crawler)
        if frontier is None:
            return
        try:
            frontier.mark("idle")
            queued, busy, seeding = frontier.snapshot()
        except RedisError as exc:
            logger.warning("frontier unavailable (%s): waiting", exc.__class__.__name__)
            self.idle_since = None
            self.wake_soon()
            raise DontCloseSpider from None
        if queued or busy or seeding:
            if not self.waiting_logged:
                logger.info(
                    "idle, waiting for the frontier (%d queued, %d other workers busy%s)",
                    queued,
                    busy,
                    ", seeding" if seeding else "",
                )
                self.waiting_logged = True
            self.idle_since = None
            self.wake_soon()
            raise DontCloseSpider
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_close:
            self.wake_soon()
            raise DontCloseSpider
        logger.info(
            "frontier empty and every worker idle for %.1f s: closing (worker %s)",
            now - self.idle_since,
            frontier.worker,
        )
