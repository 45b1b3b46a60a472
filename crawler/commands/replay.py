"""``scrapy replay``: write the postings spooled while the database was unreachable."""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand

from crawler.db.engine import get_engine, is_sqlite, mask_url
from crawler.db.migrate import ensure_schema
from crawler.db.store import PostingWriter
from pipelines.store import Spool, replay_spool


class Command(ScrapyCommand):
    requires_project = True

    def short_desc(self) -> str:
        return "Replay spooled postings (STORE_SPOOL_DIR) into DATABASE_URL"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = self.settings.get("DATABASE_URL")
        ensure_schema(url, auto_migrate=is_sqlite(url) and self.settings.getbool("DB_AUTO_MIGRATE_SQLITE"))
        spool = Spool(self.settings.get("STORE_SPOOL_DIR", ".spool"))
        written, files = replay_spool(
            PostingWriter(get_engine(url), self.settings.getbool("DEDUPE_NEAR_DUPLICATES", True)),
            spool, self.settings.getint("STORE_BATCH_SIZE", 500)
        )
        print(f"replayed {written} postings from {files} spool file(s) into {mask_url(url)}")
