"""``scrapy export --format csv|jsonl|parquet --what open_jobs|postings [filters] -o FILE``."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.analytics.export import FORMATS, WHATS, ExportFilter, export, parse_since
from crawler.db.engine import DatabaseConfigError, get_engine, mask_url
from crawler.db.migrate import SchemaNotReady, ensure_schema


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "--format csv|jsonl|parquet --what open_jobs|postings [--since DATE] [--source X] [--workplace W] -o FILE"

    def short_desc(self) -> str:
        return "Export open jobs or postings from DATABASE_URL to CSV, JSON Lines or Parquet (streamed)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--format", choices=FORMATS, help="output format (default: from the file extension)"
        )
        parser.add_argument(
            "--what", choices=WHATS, default="open_jobs", help="what to export (default: open_jobs)"
        )
        parser.add_argument("--since", help="only postings first seen at or after this date/time (UTC)")
        parser.add_argument(
            "--source", action="append", default=[], help="only this source (repeat or comma-separate)"
        )
        parser.add_argument("--workplace", choices=("remote", "hybrid", "onsite"), help="only this workplace")
        parser.add_argument(
            "-o", "--output", required=True, help="output file ('-' = stdout, CSV/JSON Lines)"
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="rows fetched and written at a time")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = self.settings.get("DATABASE_URL")
        fmt = opts.format or _format_from_name(opts.output)
        try:
            since = parse_since(opts.since) if opts.since else None
            engine = get_engine(url)
            ensure_schema(url, auto_migrate=False)
        except (ValueError, DatabaseConfigError, SchemaNotReady) as exc:
            raise UsageError(str(exc)) from None
        sources = [s.strip() for arg in opts.source for s in arg.split(",") if s.strip()]
        flt = ExportFilter(since=since, sources=sources, workplace=opts.workplace)
        started = time.monotonic()
        try:
            n = export(engine, opts.what, fmt, opts.output, flt, batch_size=max(1, opts.batch_size))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        print(
            f"{opts.what}: {n} rows from {mask_url(url)} -> {opts.output} ({fmt}, {time.monotonic() - started:.1f} s)",
            file=sys.stderr,
        )


def _format_from_name(name: str) -> str:
    for fmt, suffixes in (
        ("csv", (".csv",)),
        ("jsonl", (".jsonl", ".ndjson")),
        ("parquet", (".parquet", ".pq")),
    ):
        if name.lower().endswith(suffixes):
            return fmt
    raise UsageError("--format csv|jsonl|parquet is required when the file name does not say it")
