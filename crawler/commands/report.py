"""``scrapy report -o report.html [--days N] [--runs N]``: one self-contained HTML file with plots."""

from __future__ import annotations

import argparse
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.db.engine import DatabaseConfigError, get_engine, mask_url
from crawler.db.migrate import SchemaNotReady, ensure_schema


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "-o report.html [--days 90] [--runs 20]"

    def short_desc(self) -> str:
        return "Write an HTML report (plots, last runs) of DATABASE_URL; opens offline"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", default="report.html", help="HTML file (default: report.html)")
        parser.add_argument("--days", type=int, default=90, help="days of history in the per-day plot")
        parser.add_argument("--runs", type=int, default=20, help="runs in the last-runs table")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = self.settings.get("DATABASE_URL")
        try:
            engine = get_engine(url)
            ensure_schema(url, auto_migrate=False)
        except (DatabaseConfigError, SchemaNotReady) as exc:
            raise UsageError(str(exc)) from None
        from crawler.analytics.report import write_report  # matplotlib: only when a report is made

        path = write_report(engine, opts.output, days=opts.days, runs=opts.runs)
        print(f"report of {mask_url(url)} written to {path}")
