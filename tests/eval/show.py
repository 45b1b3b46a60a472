"""Labelling aid: print the inputs of fixture postings compactly (what a labeller reads).

    .venv/bin/python -m tests.eval.show SOURCE FIXTURE [ID ...]     # every posting, or only these ids
    .venv/bin/python -m tests.eval.show --labelled [SOURCE]          # the postings of tests/eval/postings.jsonl

It prints what the spider extracted (title, raw location/workplace/type/seniority/salary/date
strings, tags, values a structured API gave) and the description as plain text.  It never
prints normalizer output: labels are written from this text by a person.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from crawler.evaluate import build_posting, fixture_postings, load_dataset, ref_label
from crawler.items import JobPosting
from crawler.normalize.text import html_to_text

RAW_FIELDS = (
    "company", "location_raw", "workplace_raw", "employment_type_raw", "seniority_raw", "salary_raw",
    "posted_raw", "valid_through_raw", "tags",
)  # fmt: skip
#: normalized fields a spider may already set from structured API values (shown as "api:")
API_FIELDS = (
    "locations", "remote_regions", "workplace", "employment_type", "contract_type", "seniority",
    "salary_min", "salary_max", "salary_currency", "salary_period", "languages", "skills", "posted_at",
    "experience_years_min", "experience_years_max",
)  # fmt: skip


def description(item: JobPosting) -> str:
    text = item.description_text or html_to_text(item.description_html or "")
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", text)).strip()


def show(label: str, item: JobPosting, max_chars: int) -> str:
    lines = [f"=== {label}", f"TITLE: {item.title}"]
    for name in RAW_FIELDS:
        value: Any = getattr(item, name)
        if value:
            lines.append(f"{name}: {value}")
    api = {n: getattr(item, n) for n in API_FIELDS if getattr(item, n) not in (None, [], "")}
    if api:
        lines.append(f"api: {api}")
    text = description(item)
    if max_chars and len(text) > max_chars:
        text = text[:max_chars] + " […]"
    lines.append(text)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?")
    parser.add_argument("fixture", nargs="?")
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--labelled", action="store_true", help="the postings of the labelled set")
    parser.add_argument("--max-chars", type=int, default=0, help="cut descriptions (0: whole text)")
    opts = parser.parse_args(argv)
    if opts.labelled:
        for row in load_dataset():
            if opts.source and row["ref"]["source"] != opts.source:
                continue
            print(show(ref_label(row["ref"]), build_posting(row["ref"]), opts.max_chars), end="\n\n")
        return 0
    if not (opts.source and opts.fixture):
        parser.error("SOURCE and FIXTURE, or --labelled")
    for n, item in enumerate(fixture_postings(opts.source, opts.fixture)):
        if opts.ids and item.source_id not in opts.ids:
            continue
        print(show(f"{opts.source}:{item.source_id} (index {n})", item, opts.max_chars), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
