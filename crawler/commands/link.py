"""``scrapy link``: link the postings waiting for the link stage (PostgreSQL).

A crawl links what it stores before it finishes; this command is for postings left
pending by a crawl that was killed, by one run with the link stage disabled, or by a
failure of the link stage (cron it, or run it by hand).  ``--limit N`` stops after N.
"""

from __future__ import annotations

import argparse
import time

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.db.engine import get_engine, is_sqlite, mask_url
from crawler.db.link import Linker
from crawler.db.migrate import ensure_schema


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--limit N]"

    def short_desc(self) -> str:
        return "Link postings waiting for cross-source job ids (DATABASE_URL, PostgreSQL)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--limit", type=int, default=None, help="link at most N postings")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = self.settings.get("DATABASE_URL")
        if is_sqlite(url):
            print(f"{mask_url(url)}: SQLite links postings as it stores them; nothing to do")
            return
        if opts.limit is not None and opts.limit < 1:
            raise UsageError("--limit must be a positive number")
        ensure_schema(url, auto_migrate=False)
        linker = Linker(
            get_engine(url),
            self.settings.getbool("DEDUPE_NEAR_DUPLICATES", True),
            self.settings.getint("LINK_BATCH_SIZE", 250),
        )
        before = linker.pending()
        t0 = time.perf_counter()
        linked = linker.drain(limit=opts.limit)
        seconds = time.perf_counter() - t0
        print(
            f"linked {linked} of {before} pending postings in {mask_url(url)} in {seconds:.1f} s; "
            f"{linker.pending()} still pending"
        )
