"""Measure normalization against hand labels: ``python -m crawler.evaluate`` (or ``scrapy evaluate``).

The labelled set is ``tests/eval/postings.jsonl`` (documented in ``tests/eval/README.md``): one
posting per line,

    {"ref": {"source": "remoteok", "fixture": "tests/fixtures/boards/remoteok/…json", "id": "1130788"},
     "lang": "en", "expected": {"workplace": "remote", "salary_min": 60000, …}}

``ref`` points into a recorded fixture; the posting is rebuilt from it by the **real spider
code**: the spider builds its own request, the recorded body answers it and the request's
callback parses it, as in a crawl, without network.  :func:`crawler.normalize.posting.normalize_posting`
then fills the normalized fields, so the evaluation measures spider extraction + normalization
together.  No posting text is copied into the label file.

Scores
- single-valued fields (:data:`SINGLE_FIELDS`): accuracy = exact matches / labelled postings;
  ``seniority``, ``remote_regions`` and ``languages`` compare as sets (exact set match),
  ``location_country``/``location_city`` are those of the first location;
- ``skills``: precision / recall / F1 micro-averaged over postings (true positives, false
  positives and false negatives summed over the set);
- speed: postings normalized per second (spider parsing not timed; best of
  ``--speed-rounds`` extra rounds, the first one pays for lazy imports and cold caches).

Relative dates ("8 hours ago") are counted back from :data:`NOW`, and ``posted_at`` labels of
such postings are written against that clock.

Options: ``--field F`` (repeatable), ``--misses N``, ``--json``, ``--min-accuracy`` (0.95),
``--min-skills-f1`` (0.90), ``--speed-rounds``, ``--dataset``.  Exit code 1 when a field is
below its floor.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting

ROOT: Final = Path(__file__).resolve().parent.parent
DATASET: Final = ROOT / "tests" / "eval" / "postings.jsonl"
#: the evaluation clock: relative dates ("2 days ago") are counted back from here
NOW: Final = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)

#: field → how it is read from a normalized JobPosting
SINGLE_FIELDS: Final = (
    "workplace",
    "remote_regions",
    "location_country",
    "location_city",
    "employment_type",
    "contract_type",
    "seniority",
    "experience_years_min",
    "experience_years_max",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "languages",
    "posted_at",
)
SET_FIELDS: Final = frozenset({"seniority", "remote_regions", "languages"})
ALL_FIELDS: Final = (*SINGLE_FIELDS, "skills")


# --------------------------------------------------------------------------------------
# Rebuilding postings from the recorded fixtures with the spiders' own parse code
# --------------------------------------------------------------------------------------


def _spider(cls: type[Any], **kwargs: Any) -> Any:
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(cls, settings_dict={"LOG_ENABLED": False})
    return cls.from_crawler(crawler, **kwargs)


def _answer(request: Any, path: Path, html: bool = False) -> list[JobPosting]:
    """Answer ``request`` with the recorded body and run its callback, as the engine would."""
    from scrapy.http import HtmlResponse, TextResponse

    cls = HtmlResponse if html else TextResponse
    response = cls(url=request.url, body=path.read_bytes(), encoding="utf-8", request=request)
    return [i for i in request.callback(response, **request.cb_kwargs) if isinstance(i, JobPosting)]


def _spider_loader(
    module: str, cls_name: str, first_request: Callable[[Any], Any], **kwargs: str
) -> Callable[[Path], list[JobPosting]]:
    """A loader for one spider: build it with ``kwargs``, answer its first request with the fixture."""

    def load(path: Path) -> list[JobPosting]:
        import importlib

        spider = _spider(getattr(importlib.import_module(module), cls_name), **kwargs)
        return _answer(first_request(spider), path)

    return load


def _board(spider: Any) -> Any:
    return spider.board_request(spider.boards[0])


def _load_linkedin(path: Path) -> list[JobPosting]:
    """A search page → one posting per card (``details=0``); a job page → one posting."""
    from spiders.linkedin import LinkedInSpider
    from spiders.platforms.linkedin import Card, parse_cards

    spider = _spider(LinkedInSpider, keywords="eval", details="0")
    if parse_cards(path.read_text(encoding="utf-8")):
        spider.params = spider.query.params()
        return _answer(spider.search_request(0, expect_cards=True), path, html=True)
    match = re.search(r"\d{6,}", path.name)  # job_view_<id>_….html, job_posting_api_<id>.html
    if match is None:
        raise ValueError(f"{path.name}: no job id in the file name")
    request = spider.detail_request(Card(job_id=match.group(0)))
    return _answer(request, path, html=True)


def _load_github(path: Path) -> list[JobPosting]:
    """A recorded page of GitHub issues of backend-br/vagas (no token: nothing is sent)."""
    from scrapy import Request

    from spiders.github_vagas import GithubVagasSpider

    spider = _spider(GithubVagasSpider, repos="backend-br/vagas")
    spider._pending += 1  # as issues_request() counts the request it builds
    match = re.search(r"page(\d+)", path.name)
    page = int(match.group(1)) if match else 1
    url = f"https://api.github.com/repos/backend-br/vagas/issues?state=open&per_page=100&page={page}"
    request = Request(url, callback=spider.parse_issues, cb_kwargs={"repo": "backend-br/vagas", "page": page})
    return _answer(request, path)


def _load_programathor(path: Path) -> list[JobPosting]:
    """One Programathor posting page (the request ``parse_listing`` yields for it)."""
    from scrapy import Request

    from spiders.programathor import ProgramathorSpider

    spider = _spider(ProgramathorSpider)
    match = re.search(r"job_(\d+)", path.name)
    if match is None:
        raise ValueError(f"{path.name}: no job id in the file name")
    job_id = match.group(1)
    url = f"https://programathor.com.br/jobs/{job_id}"
    return _answer(Request(url, callback=spider.parse_job, cb_kwargs={"job_id": job_id}), path, html=True)


def _load_seed(path: Path) -> list[JobPosting]:
    """The seed text (no page was recorded): first line = title, rest = description, as in test_seed."""
    title, _, rest = path.read_text(encoding="utf-8").partition("\n")
    return [JobPosting(source="jobfordev", source_id="seed", title=title, description_text=rest)]


_WWR_FEED: Final = "https://weworkremotely.com/categories/remote-back-end-programming-jobs.rss"

LOADERS: Final[dict[str, Callable[[Path], list[JobPosting]]]] = {
    "greenhouse": _spider_loader("spiders.greenhouse", "GreenhouseBoardsSpider", _board, companies="gitlab"),
    "lever": _spider_loader("spiders.lever", "LeverSitesSpider", _board, companies="idealistconsulting"),
    "ashby": _spider_loader("spiders.ashby", "AshbyBoardsSpider", _board, companies="notion"),
    "smartrecruiters": _spider_loader(
        "spiders.smartrecruiters", "SmartRecruitersCompaniesSpider", _board, companies="knight", details="0"
    ),
    "recruitee": _spider_loader("spiders.recruitee", "RecruiteeCompaniesSpider", _board, companies="acme"),
    "gupy": _spider_loader(
        "spiders.gupy",
        "GupyPortalSpider",
        lambda s: s.page_request(s.keywords[0], 0, set()),
        keywords="engenheiro de dados",
    ),
    "remoteok": _spider_loader(
        "spiders.remoteok", "RemoteOkSpider", lambda s: s.feed_request("https://remoteok.com/api")
    ),
    "remotive": _spider_loader(
        "spiders.remotive", "RemotiveSpider", lambda s: s.feed_request("https://remotive.com/api/remote-jobs")
    ),
    "weworkremotely": _spider_loader(
        "spiders.weworkremotely", "WeWorkRemotelySpider", lambda s: s.feed_request(_WWR_FEED)
    ),
    "himalayas": _spider_loader(
        "spiders.himalayas",
        "HimalayasSpider",
        lambda s: s.feed_request("https://himalayas.app/jobs/api?limit=20&offset=0"),
    ),
    "arbeitnow": _spider_loader(
        "spiders.arbeitnow",
        "ArbeitnowSpider",
        lambda s: s.feed_request("https://www.arbeitnow.com/api/job-board-api?page=1"),
    ),
    "linkedin": _load_linkedin,
    "github_vagas": _load_github,
    "programathor": _load_programathor,
    "jobfordev": _load_seed,
}


@cache
def fixture_postings(source: str, fixture: str) -> tuple[JobPosting, ...]:
    """Every posting the source's spider extracts from one fixture (parsed once per run)."""
    if source not in LOADERS:
        raise ValueError(f"no loader for source {source!r}")
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)  # the spiders' warnings about recorded quirks are not news here
    try:
        return tuple(LOADERS[source](ROOT / fixture))
    finally:
        logging.disable(previous)


def build_posting(ref: dict[str, Any]) -> JobPosting:
    """A fresh (not yet normalized) copy of the posting ``ref`` points at."""
    import copy

    items = fixture_postings(ref["source"], ref["fixture"])
    if "id" in ref:
        found = [i for i in items if i.source_id == str(ref["id"])]
        if len(found) != 1:
            raise LookupError(f"{ref}: {len(found)} postings with that id")
        item = found[0]
    else:
        item = items[int(ref["index"])]
    return copy.deepcopy(item)


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------


def load_dataset(path: Path = DATASET) -> list[dict[str, Any]]:
    """The labelled rows (JSON Lines; blank lines and ``//`` comment lines are skipped)."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as exc:
            raise ValueError(f"{path.name}:{n}: {exc}") from None
    return rows


def ref_label(ref: dict[str, Any]) -> str:
    return f"{ref['source']}:{ref.get('id', ref.get('index'))}"


def is_built(ref: dict[str, Any]) -> bool:
    """Hand-written test data (``TESTDATA_*`` fixtures), not a recording."""
    return "TESTDATA_" in Path(ref["fixture"]).name


def _comparable(name: str, value: Any) -> Any:
    if name == "languages":
        return frozenset((d.get("language"), d.get("level")) for d in value or [])
    if name in SET_FIELDS or name == "skills":
        return frozenset(value or [])
    if name in ("salary_min", "salary_max") and value is not None:
        return float(value)
    return value


def observed(item: JobPosting, name: str) -> Any:
    """One evaluated field of a normalized posting, in comparable form."""
    if name in ("location_country", "location_city"):
        first = item.locations[0] if item.locations else None
        return first.get(name.removeprefix("location_")) if first else None
    return _comparable(name, getattr(item, name))


def expected_value(expected: dict[str, Any], name: str) -> Any:
    """One labelled field in comparable form (locations: the first one's country/city)."""
    if name in ("location_country", "location_city"):
        locations = expected.get("locations") or []
        return locations[0].get(name.removeprefix("location_")) if locations else None
    return _comparable(name, expected.get(name))


def labelled(expected: dict[str, Any], name: str) -> bool:
    if name in ("location_country", "location_city"):
        return "locations" in expected
    return name in expected


def _show(value: Any) -> Any:
    """A comparable value back in JSON form (sorted lists, language dicts)."""
    if not isinstance(value, frozenset):
        return value
    items = sorted(value, key=str)
    if items and isinstance(items[0], tuple):
        return [{"language": code, "level": level} for code, level in items]
    return items


@dataclass
class Miss:
    ref: str
    field: str
    expected: Any
    got: Any


@dataclass
class Report:
    postings: int = 0
    correct: dict[str, int] = field(default_factory=dict)
    counted: dict[str, int] = field(default_factory=dict)
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[Miss] = field(default_factory=list)
    seconds: float = 0.0
    composition: dict[str, Any] = field(default_factory=dict)

    def accuracy(self, name: str) -> float:
        n = self.counted.get(name, 0)
        return self.correct.get(name, 0) / n if n else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speed(self) -> float:
        """Postings normalized per second (best timed round)."""
        return self.postings / self.seconds if self.seconds else 0.0

    def as_dict(self, misses: int | None = None) -> dict[str, Any]:
        return {
            "postings": self.postings,
            "composition": self.composition,
            "accuracy": {f: round(self.accuracy(f), 4) for f in SINGLE_FIELDS if f in self.counted},
            "labelled": {f: self.counted[f] for f in SINGLE_FIELDS if f in self.counted},
            "skills": {
                "precision": round(self.precision, 4),
                "recall": round(self.recall, 4),
                "f1": round(self.f1, 4),
                "tp": self.tp,
                "fp": self.fp,
                "fn": self.fn,
            },
            "normalize_postings_per_second": round(self.speed, 1),
            "misses": [
                {"ref": m.ref, "field": m.field, "expected": _show(m.expected), "got": _show(m.got)}
                for m in self.misses[:misses]
            ],
        }


def composition(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts of the set: postings, per source, per language, recorded vs built test data."""
    sources: dict[str, int] = {}
    langs: dict[str, int] = {}
    for row in rows:
        source, lang = row["ref"]["source"], row.get("lang") or "?"
        sources[source] = sources.get(source, 0) + 1
        langs[lang] = langs.get(lang, 0) + 1
    built = sum(1 for row in rows if is_built(row["ref"]))
    return {
        "postings": len(rows),
        "recorded": len(rows) - built,
        "built": built,
        "sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
        "languages": dict(sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _normalize_all(items: Sequence[JobPosting]) -> float:
    started = time.perf_counter()
    for item in items:
        normalize_posting(item, now=NOW)
    return time.perf_counter() - started


def evaluate(
    rows: Sequence[dict[str, Any]], fields: Sequence[str] | None = None, speed_rounds: int = 0
) -> Report:
    """Rebuild every labelled posting with its spider, normalize it and score it.

    Only normalization is timed (not spider parsing); ``speed_rounds`` extra rounds on fresh
    copies give a steady-state figure (the first round pays for lazy imports and cold caches).
    """
    import copy

    wanted = list(fields or ALL_FIELDS)
    report = Report(composition=composition(rows), postings=len(rows))
    pristine = [build_posting(row["ref"]) for row in rows]
    items = [copy.deepcopy(i) for i in pristine]
    report.seconds = _normalize_all(items)
    for _ in range(speed_rounds):
        report.seconds = min(report.seconds, _normalize_all([copy.deepcopy(i) for i in pristine]))
    for row, item in zip(rows, items, strict=True):
        expected, ref = row["expected"], ref_label(row["ref"])
        for name in wanted:
            if not labelled(expected, name):
                continue
            exp, got = expected_value(expected, name), observed(item, name)
            if name == "skills":
                report.tp += len(exp & got)
                report.fp += len(got - exp)
                report.fn += len(exp - got)
                if exp != got:  # expected = labelled but not found, got = found but not labelled
                    report.misses.append(Miss(ref, name, exp - got, got - exp))
                continue
            report.counted[name] = report.counted.get(name, 0) + 1
            if exp == got:
                report.correct[name] = report.correct.get(name, 0) + 1
            else:
                report.misses.append(Miss(ref, name, exp, got))
    return report


def below_floor(report: Report, min_accuracy: float, min_f1: float) -> list[str]:
    """The fields under the floors (empty: the evaluation passes)."""
    failed: list[str] = [
        f for f in SINGLE_FIELDS if f in report.counted and report.accuracy(f) < min_accuracy
    ]
    if report.tp + report.fp + report.fn and report.f1 < min_f1:
        failed.append("skills")
    return failed


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def format_report(report: Report, misses: int, min_accuracy: float, min_f1: float) -> str:
    comp = report.composition
    lines = [
        f"{comp['postings']} postings ({comp['recorded']} recorded, {comp['built']} built test data)",
        "sources:   " + ", ".join(f"{k} {v}" for k, v in comp["sources"].items()),
        "languages: " + ", ".join(f"{k} {v}" for k, v in comp["languages"].items()),
        "",
        f"{'field':<22} {'accuracy':>9} {'correct':>8} {'labelled':>9}",
    ]
    for name in SINGLE_FIELDS:
        if name in report.counted:
            acc = report.accuracy(name)
            flag = "" if acc >= min_accuracy else "   < floor"
            lines.append(
                f"{name:<22} {acc:>8.1%} {report.correct.get(name, 0):>8} {report.counted[name]:>9}{flag}"
            )
    if report.tp + report.fp + report.fn:
        flag = "" if report.f1 >= min_f1 else "   < floor"
        lines.append(
            f"{'skills':<22} P {report.precision:.3f}  R {report.recall:.3f}  F1 {report.f1:.3f}"
            f"  (tp {report.tp}, fp {report.fp}, fn {report.fn}; micro-averaged){flag}"
        )
    lines += [
        "",
        f"normalize speed: {report.speed:,.0f} postings/s ({report.seconds * 1000:.0f} ms for {report.postings})",
    ]
    if misses and report.misses:
        lines += [
            "",
            f"misses ({len(report.misses)}; skills: expected = labelled but not found, got = found but not labelled):",
        ]
        for m in report.misses[:misses]:
            lines.append(
                f"  {m.ref:<52} {m.field:<20} expected {json.dumps(_show(m.expected), ensure_ascii=False)}"
                f"  got {json.dumps(_show(m.got), ensure_ascii=False)}"
            )
        if len(report.misses) > misses:
            lines.append(f"  … {len(report.misses) - misses} more (--misses N)")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset",
        default=str(DATASET),
        help="the labelled set in JSON Lines, by default tests/eval/postings.jsonl",
    )
    parser.add_argument(
        "--field", action="append", choices=ALL_FIELDS, help="score only this field (repeatable)"
    )
    parser.add_argument("--misses", type=int, default=50, help="list at most N misses (default 50, 0: none)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--min-accuracy", type=float, default=0.95, help="floor for every single-valued field"
    )
    parser.add_argument("--min-skills-f1", type=float, default=0.90, help="floor for skills F1")
    parser.add_argument(
        "--speed-rounds",
        type=int,
        default=3,
        help="extra timed normalization rounds for the speed figure (default 3)",
    )


def run(opts: argparse.Namespace) -> int:
    """Evaluate, print; 1 when a field is below its floor, else 0."""
    report = evaluate(load_dataset(Path(opts.dataset)), opts.field, opts.speed_rounds)
    failed = below_floor(report, opts.min_accuracy, opts.min_skills_f1)
    if opts.json:
        data = report.as_dict(max(opts.misses, 0))
        data["below_floor"] = failed
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(format_report(report, max(opts.misses, 0), opts.min_accuracy, opts.min_skills_f1))
    sys.stdout.flush()
    if failed:
        print(f"below the floor: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.evaluate",
        description="Score normalization against tests/eval/postings.jsonl.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
