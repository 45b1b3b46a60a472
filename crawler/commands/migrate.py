"""``scrapy migrate [--revision REV] [--show]``: run the Alembic migrations on DATABASE_URL."""

from __future__ import annotations

import argparse
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.db.engine import DatabaseConfigError, get_engine, mask_url
from crawler.db.migrate import current_revision, downgrade, head_revision, upgrade


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--revision REV] [--show]"

    def short_desc(self) -> str:
        return "Create or upgrade the database schema (Alembic migrations) at DATABASE_URL"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--revision", default="head", help="target revision (default: head)")
        parser.add_argument("--downgrade", action="store_true", help="downgrade to --revision instead")
        parser.add_argument("--show", action="store_true", help="only print the current and head revisions")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = self.settings.get("DATABASE_URL")
        try:
            engine = get_engine(url)
        except DatabaseConfigError as exc:
            raise UsageError(str(exc)) from None
        before = current_revision(engine)
        if opts.show:
            print(f"{mask_url(url)}: current {before or 'none'}, head {head_revision()}")
            return
        if opts.downgrade:
            downgrade(url, opts.revision)
        else:
            upgrade(url, opts.revision)
        print(f"{mask_url(url)}: {before or 'none'} -> {current_revision(engine) or 'none'}")
