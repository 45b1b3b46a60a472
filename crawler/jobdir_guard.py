"""JOBDIR after a hard kill: start over instead of trusting a half-written queue.

Scrapy's JOBDIR keeps the request queue and the seen-requests set on disk so a
stopped crawl resumes.  After ``kill -9`` that state can be inconsistent (a queue
file cut mid-record) and, worse, pages marked "seen" may have had their items
still in the store's write buffer: resuming would skip them and lose those
postings.  This extension leaves a marker in JOBDIR while a crawl runs and
removes it on a clean close (including Ctrl-C/SIGTERM, which Scrapy closes
gracefully).  A run that finds the marker knows the previous one died: it
discards the JOBDIR state and crawls again from the start; idempotent upserts
keep every posting exactly once in the database.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

MARKER = ".crawl-running"


class JobDirGuard:
    def __init__(self, crawler: Crawler, jobdir: Path) -> None:
        self.crawler = crawler
        self.jobdir = jobdir
        marker = jobdir / MARKER
        if marker.exists():
            logger.warning(
                "JOBDIR %s was left by a crawl that did not stop cleanly (pid %s): its queue may be "
                "inconsistent and its unwritten items are gone; starting this crawl from the beginning",
                jobdir,
                marker.read_text(encoding="utf-8").strip() or "?",
            )
            shutil.rmtree(jobdir)
            if crawler.stats is not None:
                crawler.stats.set_value("jobdir/discarded_after_crash", 1)
        jobdir.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(os.getpid()), encoding="utf-8")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobDirGuard:
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            from scrapy.exceptions import NotConfigured

            raise NotConfigured("no JOBDIR")
        ext = cls(crawler, Path(jobdir))
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        (self.jobdir / MARKER).unlink(missing_ok=True)
