"""Every spider callback, then validate -> normalize -> dedupe -> storage, on the hostile corpus.

``tests/hostile/corpus.py`` builds the inputs (from the real fixtures and ``tests/hostile/files``),
``tests/hostile/harness.py`` runs them.  One test per target (they spread over the xdist workers)
and a summary that adds them up and prints the totals::

    .venv/bin/python -m pytest tests/hostile/test_corpus.py -k summary -s

The assertions: no crash anywhere (an exception escaping a callback or a pipeline, a normalizer
step that raised and was swallowed, an item that cannot be encoded or stored), except the
:data:`KNOWN_ISSUES` in code owned elsewhere (each one reported, with its input); every input
that yields nothing says why (a stat or a log line); every posting that passes the pipelines is
stored or accounted for by a crash.  Followed requests with a non-HTTP(S) scheme or an internal
address are listed (the SSRF guard, tested in ``test_ssrf.py``, stops them).
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request

from tests.hostile.corpus import FILES, TARGETS, TARGETS_BY_NAME, cases, item_cases
from tests.hostile.harness import (
    CaseResult,
    Crash,
    make_response,
    make_spider,
    rejection_kind,
    run_case,
    run_target,
)

NAMES = [t.name for t in TARGETS] + ["pipelines"]


@dataclass(frozen=True)
class KnownIssue:
    """A crash in code this suite's owner may not change; reported, tracked here until fixed."""

    name: str
    owner: str
    stages: frozenset[str]
    pattern: str  # regex on the error and the traceback

    def matches(self, crash: Crash) -> bool:
        return (
            crash.stage in self.stages
            and re.search(self.pattern, f"{crash.error}\n{crash.traceback}") is not None
        )


KNOWN_ISSUES: tuple[KnownIssue, ...] = ()  # all fixed: every input must pass without a crash


def known_issue(crash: Crash) -> KnownIssue | None:
    return next((k for k in KNOWN_ISSUES if k.matches(crash)), None)


# --- sharing results between xdist workers ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def results_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A directory every worker of this session sees (and only this session)."""
    base = tmp_path_factory.getbasetemp()
    path = (base if worker_id == "master" else base.parent) / "hostile-results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save(path: Path, name: str, results: list[CaseResult]) -> None:
    tmp = path / f"{name}.tmp"
    rows = []
    for r in results:
        row = {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}
        row["rejections"] = dict(r.rejections)
        row["crashes"] = [dataclasses.asdict(c) for c in r.crashes]
        rows.append(row)
    tmp.write_text(json.dumps(rows), encoding="utf-8")
    tmp.replace(path / f"{name}.json")


def _load(path: Path, name: str) -> list[CaseResult]:
    out = []
    for data in json.loads((path / f"{name}.json").read_text(encoding="utf-8")):
        data["rejections"] = Counter(data["rejections"])
        data["crashes"] = [Crash(**c) for c in data["crashes"]]
        out.append(CaseResult(**data))
    return out


def results_for(path: Path, name: str, wait: float = 240.0) -> list[CaseResult]:
    """This target's results: computed by its test in any worker, else here."""
    if (path / f"{name}.json").exists():
        return _load(path, name)
    if (path / f"{name}.started").exists():  # the other worker is on it
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if (path / f"{name}.json").exists():
                return _load(path, name)
            time.sleep(0.2)
    results = run_target(name)
    _save(path, name, results)
    return results


# --- the tests ------------------------------------------------------------------------------------------------------
def test_corpus_has_enough_inputs() -> None:
    per_target = {name: len(c) for name, c in cases().items()}
    assert len(per_target) == len(TARGETS)
    assert all(n >= 30 for n in per_target.values()), per_target
    assert sum(per_target.values()) + len(item_cases()) >= 200
    kinds = Counter(case.kind for c in cases().values() for case in c)
    for kind in ("truncated", "charset", "nul", "generic", "huge", "wrong_types", "absurd_numbers", "dates",
                 "xss", "urls", "strings", "nested", "handwritten"):  # fmt: skip
        assert kinds[kind] > 0, kind
    assert {p.name for p in FILES.glob("*") if p.suffix != ".md"} == {
        f for t in TARGETS for f in t.handwritten
    }  # every hand-written file is used


def _describe(crashes: list[Crash]) -> str:
    return "\n\n".join(str(c) for c in crashes[:5]) + (
        f"\n... and {len(crashes) - 5} more" if len(crashes) > 5 else ""
    )


@pytest.mark.parametrize("name", NAMES)
def test_target_survives_hostile_input(name: str, results_dir: Path) -> None:
    (results_dir / f"{name}.started").touch()
    results = run_target(name)
    _save(results_dir, name, results)
    crashes = [c for r in results for c in r.crashes]
    unknown = [c for c in crashes if known_issue(c) is None]
    assert not unknown, _describe(unknown)
    # an empty list is how a list API says "no jobs": nothing is lost, nothing needs saying
    silent = [r.case for r in results if r.silent and not r.case.endswith(":generic:json-empty-list")]
    assert not silent, f"inputs lost without a stat or a log line: {silent}"
    for r in results:
        store_crashes = sum(c.stage == "store" for c in r.crashes)
        assert r.passed - r.stored == store_crashes, f"{r.case}: {r.passed} passed, {r.stored} stored"
        if any(rejection_kind(k) == "input" for k in r.rejections):
            assert r.logged, f"{r.case}: rejected ({dict(r.rejections)}) without a log line"


def test_xxe_and_entity_expansion_are_inert() -> None:
    """An RSS feed with an external entity (file:///etc/passwd) and one with a billion laughs."""
    target = TARGETS_BY_NAME["weworkremotely.parse_feed"]
    for label in ("rss_xxe.xml", "rss_billion_laughs.xml"):
        (case,) = [c for c in cases()[target.name] if c.label == label]
        started = time.perf_counter()
        result = run_case(target, case)
        assert time.perf_counter() - started < 10 and not result.crashes
        spider = make_spider(target)
        response = make_response(target, case, Request(target.url))
        items = [
            i for i in spider.parse_feed(response, page=1, feed=target.url) if not isinstance(i, Request)
        ]
        for item in items:
            text = json.dumps(dataclasses.asdict(item), default=str)
            assert "root:" not in text  # /etc/passwd was never read
            assert len(text) < 20_000  # "lol" x 10^9 was never expanded


def _totals(all_results: dict[str, list[CaseResult]]) -> dict[str, Any]:
    flat = [r for rs in all_results.values() for r in rs]
    crashes = [c for r in flat for c in r.crashes]
    rejections: dict[str, Counter[str]] = {k: Counter() for k in ("input", "skip", "item", "field")}
    for r in flat:
        for key, n in r.rejections.items():
            kind = rejection_kind(key)
            if kind:
                rejections[kind][key] += n
    return {
        "inputs": len(flat),
        "targets": len(all_results),
        "items": sum(r.items for r in flat),
        "passed": sum(r.passed for r in flat),
        "stored": sum(r.stored for r in flat),
        "requests": sum(r.requests for r in flat),
        "crashes": crashes,
        "rejections": rejections,
        "unsafe_requests": [u for r in flat for u in r.unsafe_requests],
        "seconds": sum(r.seconds for r in flat),
        "slowest": max(flat, key=lambda r: r.seconds),
    }


def _report(t: dict[str, Any]) -> Iterator[str]:
    spiders = len({name.split(".")[0] for name in NAMES if name != "pipelines"})
    yield (
        f"hostile corpus: {t['inputs']} inputs through {t['targets'] - 1} callbacks of {spiders} spiders "
        "and the pipelines; "
        f"{t['items']} items yielded, {t['passed']} through validate/normalize/dedupe, {t['stored']} stored; "
        f"{t['requests']} requests to follow"
    )
    rej = t["rejections"]
    yield (
        f"rejections: {sum(rej['input'].values())} inputs refused by spiders, {sum(rej['skip'].values())} entries "
        f"skipped, {sum(rej['item'].values())} items dropped, {sum(rej['field'].values())} field values refused"
    )
    for kind in ("input", "skip", "item", "field"):
        for key, n in rej[kind].most_common():
            yield f"  {kind:5s} {n:6d}  {key}"
    by_issue = Counter(
        (known_issue(c) or KnownIssue("UNKNOWN", "?", frozenset(), "")).name for c in t["crashes"]
    )
    yield f"crashes: {len(t['crashes'])}" + (f" (known, reported: {dict(by_issue)})" if t["crashes"] else "")
    yield f"followed links the SSRF guard must stop: {len(t['unsafe_requests'])}"
    for url in t["unsafe_requests"]:
        yield f"  {url}"
    slow = t["slowest"]
    yield f"time: {t['seconds']:.1f} s of callbacks + pipelines; slowest input {slow.case} ({slow.seconds:.2f} s)"


def test_summary(results_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    all_results = {name: results_for(results_dir, name) for name in NAMES}
    totals = _totals(all_results)
    with capsys.disabled():
        print("\n" + "\n".join(_report(totals)))
    assert totals["inputs"] >= 200
    assert totals["items"] > 1000
    assert not [c for c in totals["crashes"] if known_issue(c) is None]
    assert sum(totals["rejections"]["input"].values()) > 0
