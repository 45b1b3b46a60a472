"""Precision/recall of the cross-source matcher on labelled pairs: ``python -m crawler.dedupe.evaluate``.

For every pair of ``tests/eval/pairs.jsonl`` (:mod:`crawler.dedupe.pairs`) a fresh,
empty index is made — an in-memory SQLite database with the real schema — and the real
storage path runs: ``PostingWriter.write([A])``, then ``PostingWriter.write([B])`` in a
later transaction (signatures, index keys, candidate lookup, verification, job ids); the
pair is predicted "same job" when A and B end up with the same ``job_id``.

precision = same-job predictions that are right; recall = same-job pairs found.
Exit code 1 when precision < ``--min-precision`` (0.98) or recall < ``--min-recall`` (0.95).

From Python (e.g. a combined report)::

    from crawler.dedupe.evaluate import evaluate
    report = evaluate()              # a Report; report.as_dict() for JSON
    print(report.summary())
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import create_engine, select
from sqlalchemy.pool import StaticPool

from crawler.db.models import metadata, postings
from crawler.db.store import PostingWriter, parse_ts
from crawler.dedupe.pairs import PAIRS, build_pair, load_pairs

MIN_PRECISION: Final = 0.98
MIN_RECALL: Final = 0.95


@dataclass
class Report:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)  # ids of pairs predicted wrong
    by_kind: Counter[str] = field(default_factory=Counter)  # kind -> pairs predicted right
    kinds: Counter[str] = field(default_factory=Counter)  # kind -> pairs

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.tp + self.fp + self.fn + self.tn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "wrong": self.errors,
            "by_kind": {k: f"{self.by_kind[k]}/{n}" for k, n in sorted(self.kinds.items())},
            "seconds": round(self.seconds, 2),
        }

    def summary(self) -> str:
        lines = [
            f"dedupe: {self.tp + self.fp + self.fn + self.tn} labelled pairs, "
            f"precision {self.precision:.3f}, recall {self.recall:.3f} "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn}, tn {self.tn}) in {self.seconds:.1f} s"
        ]
        for kind, n in sorted(self.kinds.items()):
            lines.append(f"  {kind:<28} {self.by_kind[kind]:>3}/{n:<3} right")
        if self.errors:
            lines.append(f"  wrong: {', '.join(self.errors)}")
        return "\n".join(lines)


def _when(item: Any, default: datetime) -> datetime:
    return parse_ts(item.posted_at) or default


def same_job(a: Any, b: Any) -> bool:
    """Write A, then B, into a fresh index; do they share a job?"""
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    try:
        metadata.create_all(engine)
        writer = PostingWriter(engine)
        t0 = datetime(2026, 3, 1, tzinfo=UTC)
        writer.write([a], now=_when(a, t0))
        writer.write([b], now=max(_when(b, t0), _when(a, t0)))
        with engine.connect() as conn:
            jobs = dict(conn.execute(select(postings.c.source_id, postings.c.job_id)).all())
        return jobs[str(a.source_id)] is not None and jobs[str(a.source_id)] == jobs[str(b.source_id)]
    finally:
        engine.dispose()


def evaluate(rows: Sequence[dict[str, Any]] | None = None, path: Path = PAIRS) -> Report:
    rows = load_pairs(path) if rows is None else rows
    report = Report()
    t0 = time.perf_counter()
    for row in rows:
        a, b = build_pair(row)
        predicted = same_job(a, b)
        actual = row["label"] == "same"
        report.kinds[row["kind"]] += 1
        if predicted == actual:
            report.by_kind[row["kind"]] += 1
        if predicted and actual:
            report.tp += 1
        elif predicted:
            report.fp += 1
            report.errors.append(row["id"])
        elif actual:
            report.fn += 1
            report.errors.append(row["id"])
        else:
            report.tn += 1
    report.seconds = time.perf_counter() - t0
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--min-precision", type=float, default=MIN_PRECISION)
    parser.add_argument("--min-recall", type=float, default=MIN_RECALL)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = evaluate(path=args.pairs)
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.summary())
    return 0 if report.precision >= args.min_precision and report.recall >= args.min_recall else 1


if __name__ == "__main__":
    sys.exit(main())
