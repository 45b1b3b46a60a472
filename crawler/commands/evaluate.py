"""``scrapy evaluate``: score normalization against the labelled set (see :mod:`crawler.evaluate`)."""

from __future__ import annotations

import argparse
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from crawler.evaluate import add_arguments, run


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--field F] [--misses N] [--json] [--min-accuracy X] [--min-skills-f1 X]"

    def short_desc(self) -> str:
        return "Score normalization against the labelled postings (tests/eval/postings.jsonl)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_arguments(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        self.exitcode = run(opts)
