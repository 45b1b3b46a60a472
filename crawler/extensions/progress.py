"""Progress lines in the log on long runs (like Scrapy's LogStats, with the queue and the listing).

Every ``PROGRESS_INTERVAL`` seconds (default 60; 0 disables)::

    progress linkedin: 12m00s, pages 340 (28/min), items 310 (26/min), stored 300, dropped 2,
    queue 14, in flight 1, listing 310/1000 (31%)

* queue — requests waiting in the scheduler (with the Redis frontier: the shared queue);
* listing — how far through the source's listing: the stats ``progress/listing_done`` and
  ``progress/listing_total`` when a spider sets them, LinkedIn's ``linkedin/cards`` of its
  ``max_results``, or the listing pages read (``jobs/listing_pages``) when the total is unknown.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

logger = logging.getLogger(__name__)


def _duration(seconds: float) -> str:
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{sec:02d}s" if hours else f"{minutes}m{sec:02d}s"


def listing_progress(stats: dict[str, Any], spider: Spider | None) -> str:
    done = stats.get("progress/listing_done")
    total = stats.get("progress/listing_total")
    if done is None and "linkedin/cards" in stats:
        done, total = stats["linkedin/cards"], getattr(spider, "max_results", None)
    if done is None and "jobs/listing_pages" in stats:
        return f"listing pages {stats['jobs/listing_pages']}"
    if done is None:
        return ""
    if total:
        return f"listing {done}/{total} ({100 * int(done) / int(total):.0f}%)"
    return f"listing {done}"


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: Any = None
        self.started = time.monotonic()
        self.last: tuple[float, int, int] = (self.started, 0, 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 60.0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self.last = (self.started, 0, 0)
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def queue_size(self) -> int | None:
        scheduler = self.crawler.engine.scheduler
        try:
            return len(scheduler) if scheduler is not None else None  # type: ignore[arg-type]
        except Exception:  # a Redis hiccup must not stop the crawl
            return None

    def line(self) -> str:
        stats = self.crawler.stats.get_stats()
        now = time.monotonic()
        pages = int(stats.get("response_received_count", 0))
        items = int(stats.get("item_scraped_count", 0))
        then, last_pages, last_items = self.last
        minutes = max(now - then, 1e-6) / 60
        self.last = (now, pages, items)
        parts = [
            f"progress {self.crawler.spider.name if self.crawler.spider else '?'}: {_duration(now - self.started)}",
            f"pages {pages} ({(pages - last_pages) / minutes:.0f}/min)",
            f"items {items} ({(items - last_items) / minutes:.0f}/min)",
        ]
        if "jobs/stored" in stats:
            parts.append(f"stored {stats['jobs/stored']}")
        dropped = sum(v for k, v in stats.items() if k.startswith("item_dropped_reasons_count/"))
        if dropped:
            parts.append(f"dropped {dropped}")
        queue = self.queue_size()
        if queue is not None:
            parts.append(f"queue {queue}")
        parts.append(f"in flight {len(self.crawler.engine.downloader.active)}")
        listing = listing_progress(stats, self.crawler.spider)
        if listing:
            parts.append(listing)
        return ", ".join(parts)

    def log(self) -> None:
        logger.info(self.line())
