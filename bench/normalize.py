"""Normalization benchmark: the validate + normalize pipelines over real postings.

    .venv/bin/python -m bench.normalize                  # ≥ 3 s of timed rounds
    .venv/bin/python -m bench.normalize --seconds 10 --all-fixtures --profile 30

Inputs: the 187 labelled postings of ``tests/eval/postings.jsonl``, rebuilt from the recorded
fixtures by the spiders' own parse code exactly as ``scrapy evaluate`` does
(:func:`crawler.evaluate.build_posting`); ``--all-fixtures`` adds every other posting of the same
recorded pages (~540 postings).  ``fetched_at`` is set to the evaluation clock
(:data:`crawler.evaluate.NOW`) so relative dates resolve the same way in every run.

What is timed: ``ValidatePipeline.process_item`` then ``NormalizePipeline.process_item`` (with a
real Scrapy stats collector) on fresh deep copies of the postings, round after round until
``--seconds`` have passed; copying is not timed.  The first round is reported apart ("cold"):
it pays for lazy imports and empty caches.  Caches are keyed by short repeated values
(location strings, company names, salary strings) — as in a real crawl, where they repeat too;
no cache holds more descriptions than a round has postings, so repeated rounds do not turn the
description work into cache hits.

Baselines, measured in the same run on the same postings (their ratios do not depend on the
machine or its load, the absolute figures do):

- **copy/parse** — ``json.loads`` of each posting's JSON + ``dataclasses.replace``: what merely
  decoding and materializing an item costs, the floor of any per-item work in a pipeline;
- **lxml parse** — ``lxml.html.fromstring`` of each posting's description (the HTML, else the
  text): one HTML parse of the same text.  Normalization reads every description many times
  (HTML cleanup, sanitizing, a dozen field extractors); "normalize = N lxml parses" says how
  much work that is in a unit every reader knows.

Per-step breakdown: every step of :func:`crawler.normalize.posting.normalize_posting` runs
through its ``_run`` wrapper; a separate instrumented pass replaces it with a timing one
(µs per posting and share of the total per step; "other" is the work between steps: adapter,
input coercion).  ``--profile N`` prints the N most expensive functions (cProfile, tottime).
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import dataclasses
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import lxml.html
from scrapy.utils.test import get_crawler

from crawler.evaluate import NOW, build_posting, fixture_postings, load_dataset
from crawler.items import JobPosting
from crawler.normalize import posting as posting_module
from pipelines.normalize import NormalizePipeline
from pipelines.validate import ValidatePipeline


def load_postings(all_fixtures: bool = False) -> list[JobPosting]:
    """The labelled postings (and with ``all_fixtures`` every other posting of their fixtures)."""
    rows = load_dataset()
    items = [build_posting(row["ref"]) for row in rows]
    if all_fixtures:
        seen_ids = {(i.source, i.source_id) for i in items}
        for key in dict.fromkeys((row["ref"]["source"], row["ref"]["fixture"]) for row in rows):
            for item in fixture_postings(*key):
                if (item.source, item.source_id) not in seen_ids:
                    seen_ids.add((item.source, item.source_id))
                    items.append(copy.deepcopy(item))
    stamp = NOW.isoformat()
    return [dataclasses.replace(i, fetched_at=stamp) for i in items]


class Pipelines:
    """The two pipelines as a crawl runs them (one crawler, real stats collector)."""

    def __init__(self) -> None:
        crawler = get_crawler(settings_dict={"LOG_ENABLED": False})
        assert crawler.stats is not None
        crawler.stats.open_spider()
        self.validate = ValidatePipeline(crawler)
        self.normalize = NormalizePipeline(crawler)

    def run(self, items: Sequence[JobPosting]) -> float:
        """Seconds for validate + normalize over ``items`` (modified in place)."""
        validate, normalize = self.validate.process_item, self.normalize.normalize_in_place
        started = time.perf_counter()
        for item in items:
            normalize(validate(item))
        return time.perf_counter() - started


def _timed_rounds(fn: Callable[[], float], seconds: float, min_rounds: int = 3) -> list[float]:
    times: list[float] = []
    budget = time.perf_counter() + seconds
    while len(times) < min_rounds or time.perf_counter() < budget:
        times.append(fn())
    return times


def baseline_copy_parse(items: Sequence[JobPosting], seconds: float) -> list[float]:
    """``json.loads`` of each posting + ``dataclasses.replace`` (JSON encoded beforehand, untimed)."""
    blobs = [json.dumps(dataclasses.asdict(i), ensure_ascii=False, default=str) for i in items]
    protos = list(items)

    def once() -> float:
        started = time.perf_counter()
        for blob, proto in zip(blobs, protos, strict=True):
            dataclasses.replace(proto, **json.loads(blob))
        return time.perf_counter() - started

    return _timed_rounds(once, seconds)


def baseline_lxml(items: Sequence[JobPosting], seconds: float) -> list[float]:
    """``lxml.html.fromstring`` of each posting's description (HTML, else text)."""
    texts = [i.description_html or i.description_text or "" for i in items]
    texts = [t if t.strip() else "<p></p>" for t in texts]

    def once() -> float:
        started = time.perf_counter()
        for text in texts:
            lxml.html.fromstring(text)
        return time.perf_counter() - started

    return _timed_rounds(once, seconds)


def step_breakdown(pipes: Pipelines, pristine: Sequence[JobPosting], rounds: int) -> dict[str, Any]:
    """µs per posting per normalizer step, plus validate, other and per-posting percentiles."""
    totals: dict[str, float] = {}
    original = posting_module._run

    def timing_run(problems: Any, step: str, fn: Callable[[], None]) -> None:
        started = time.perf_counter()
        try:
            original(problems, step, fn)
        finally:
            totals[step] = totals.get(step, 0.0) + time.perf_counter() - started

    per_posting: list[float] = []
    validate_total = normalize_total = 0.0
    posting_module._run = timing_run
    try:
        for _ in range(rounds):
            for item in copy.deepcopy(list(pristine)):
                t0 = time.perf_counter()
                pipes.validate.process_item(item)
                t1 = time.perf_counter()
                pipes.normalize.normalize_in_place(item)
                t2 = time.perf_counter()
                validate_total += t1 - t0
                normalize_total += t2 - t1
                per_posting.append(t2 - t0)
    finally:
        posting_module._run = original
    n = rounds * len(pristine)
    steps = {"validate": validate_total}
    steps.update(sorted(totals.items(), key=lambda kv: -kv[1]))
    steps["other (between steps)"] = normalize_total - sum(totals.values())
    whole = validate_total + normalize_total
    per_posting.sort()
    return {
        "steps_us": {k: v / n * 1e6 for k, v in steps.items()},
        "steps_share": {k: v / whole for k, v in steps.items()},
        "instrumented_us": whole / n * 1e6,
        "p50_us": per_posting[len(per_posting) // 2] * 1e6,
        "p95_us": per_posting[int(len(per_posting) * 0.95)] * 1e6,
        "max_us": per_posting[-1] * 1e6,
    }


def measure(seconds: float, all_fixtures: bool, breakdown_rounds: int) -> dict[str, Any]:
    pristine = load_postings(all_fixtures)
    n = len(pristine)
    pipes = Pipelines()
    cold = pipes.run(copy.deepcopy(pristine))

    def once() -> float:
        items = copy.deepcopy(pristine)  # not timed
        return pipes.run(items)

    warm = _timed_rounds(once, seconds)
    best = min(warm)
    median = statistics.median(warm)
    copy_parse = min(baseline_copy_parse(pristine, min(1.0, seconds / 3)))
    lxml_parse = min(baseline_lxml(pristine, min(1.0, seconds / 3)))
    chars = sum(len(i.description_html or i.description_text or "") for i in pristine)
    return {
        "postings": n,
        "description_chars_mean": round(chars / n),
        "rounds": len(warm),
        "cold_round_us": cold / n * 1e6,
        "best_us": best / n * 1e6,
        "median_us": median / n * 1e6,
        "postings_per_s": n / median,
        "best_postings_per_s": n / best,
        "baseline_copy_parse_us": copy_parse / n * 1e6,
        "baseline_lxml_us": lxml_parse / n * 1e6,
        "ratio_copy_parse": median / copy_parse,
        "ratio_lxml": median / lxml_parse,
        **step_breakdown(pipes, pristine, breakdown_rounds),
    }


def format_result(r: dict[str, Any]) -> str:
    lines = [
        f"{r['postings']} real postings (mean description {r['description_chars_mean']:,} chars), "
        f"{r['rounds']} timed rounds",
        "",
        f"validate + normalize   {r['postings_per_s']:>9,.0f} postings/s   {r['median_us']:>8,.1f} µs/posting"
        f"   (median round; best {r['best_us']:,.1f} µs, cold first round {r['cold_round_us']:,.1f} µs)",
        f"baseline copy/parse    {1e6 / r['baseline_copy_parse_us']:>9,.0f} postings/s   "
        f"{r['baseline_copy_parse_us']:>8,.1f} µs/posting   (json.loads + dataclasses.replace)",
        f"baseline lxml parse    {1e6 / r['baseline_lxml_us']:>9,.0f} postings/s   "
        f"{r['baseline_lxml_us']:>8,.1f} µs/posting   (lxml.html.fromstring of the description)",
        "",
        f"ratio: normalize = {r['ratio_copy_parse']:.1f} × copy/parse = {r['ratio_lxml']:.1f} × one lxml parse",
        "",
        f"per step (instrumented pass, {r['instrumented_us']:,.1f} µs/posting; "
        f"p50 {r['p50_us']:,.0f} µs, p95 {r['p95_us']:,.0f} µs, max {r['max_us']:,.0f} µs):",
    ]
    for step, us in r["steps_us"].items():
        lines.append(f"  {step:<24} {us:>8,.1f} µs  {r['steps_share'][step]:>6.1%}")
    return "\n".join(lines)


def profile(top: int, all_fixtures: bool) -> None:
    pristine = load_postings(all_fixtures)
    pipes = Pipelines()
    pipes.run(copy.deepcopy(pristine))
    batches = [copy.deepcopy(pristine) for _ in range(5)]
    prof = cProfile.Profile()
    prof.enable()
    for items in batches:
        pipes.run(items)
    prof.disable()
    pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(top)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.normalize", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="timed rounds for at least this long")
    parser.add_argument("--all-fixtures", action="store_true", help="every posting of the recorded pages")
    parser.add_argument("--breakdown-rounds", type=int, default=3, help="rounds of the per-step pass")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the top N functions")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    opts = parser.parse_args(argv)
    result = measure(opts.seconds, opts.all_fixtures, opts.breakdown_rounds)
    print(json.dumps(result, indent=2) if opts.json else format_result(result))
    if opts.profile:
        profile(opts.profile, opts.all_fixtures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
