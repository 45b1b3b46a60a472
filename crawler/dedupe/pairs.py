"""Labelled posting pairs for the cross-source matcher: ``tests/eval/pairs.jsonl``.

Every posting of a pair is a **real** posting of a recorded fixture (``tests/fixtures/``),
rebuilt by the spider's own parse code (:func:`crawler.evaluate.fixture_postings`), then
changed by a *recipe* the way another source renders the same job (HTML → text,
aggregator boilerplate, tracking parameters on the apply URL, a truncated snippet, the
title reordered, a company suffix, a later posting date …), then normalized by
:func:`crawler.normalize.posting.normalize_posting` like any scraped item.  The file
holds only fixture references and recipes, never posting text.

One line::

    {"id": "pos-017", "label": "same", "kind": "ats_linkedin",
     "a": {"ref": {"source": "gupy", "fixture": "tests/fixtures/…json", "id": "11760779"}, "recipe": []},
     "b": {"ref": {…same…}, "recipe": [{"op": "as_source", "source": "linkedin", "id": "…"}, …]}}

``label``: ``same`` (one job) or ``different`` (hard negative).  Recipe operations
(:data:`OPS`): ``as_source``, ``text``, ``reflow``, ``boilerplate``, ``truncate``,
``title``, ``title_reorder``, ``title_level``, ``title_of``, ``company``, ``apply_url``,
``location``, ``posted``, ``closed``, ``drop_sentences``, ``origin``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from crawler.items import JobPosting

ROOT: Final = Path(__file__).resolve().parents[2]
PAIRS: Final = ROOT / "tests" / "eval" / "pairs.jsonl"
#: when a fixture posting has no date: the evaluation clock
DEFAULT_POSTED: Final = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_LEVEL = re.compile(r"\b(senior|sr\.?|s[êe]nior|junior|jr\.?|j[úu]nior|pleno|lead|staff|principal)\b", re.I)


def fixture_posting(ref: dict[str, Any]) -> JobPosting:
    """A fresh copy of the (not yet normalized) fixture posting ``ref`` names."""
    from crawler.evaluate import fixture_postings

    items = fixture_postings(ref["source"], ref["fixture"])
    found = [i for i in items if i.source_id == str(ref["id"])]
    if len(found) != 1:
        raise LookupError(f"{ref}: {len(found)} postings with that id")
    return copy.deepcopy(found[0])


def _text(item: JobPosting) -> str:
    """The posting's description as plain text (the HTML rendered as text if need be)."""
    from crawler.normalize.text import html_to_text

    if item.description_html:
        return html_to_text(item.description_html)
    return item.description_text or ""


def _set_text(item: JobPosting, text: str) -> None:
    item.description_text = text
    item.description_html = None


def _posted(item: JobPosting) -> datetime:
    from crawler.db.store import parse_ts

    for value in (item.posted_at, item.posted_raw):
        dt = parse_ts(value) if isinstance(value, str) else None
        if dt is not None:
            return dt
    return DEFAULT_POSTED


def op_as_source(item: JobPosting, source: str, id: str, url: str | None = None) -> None:
    """Published by another site: its own id and page URL (no apply link unless a later op sets one)."""
    item.source, item.source_id = source, id
    item.url = url or f"https://{source}.example/jobs/{id}"
    item.apply_url = None
    item.raw = {}


def op_text(item: JobPosting) -> None:
    _set_text(item, _text(item))


def op_reflow(item: JobPosting) -> None:
    """One paragraph per blank line collapsed, bullets re-drawn: another site's text layout."""
    text = _text(item)
    text = re.sub(r"^\s*[-*•]\s*", "• ", text, flags=re.M)
    _set_text(item, re.sub(r"\n{2,}", "\n", text).replace("\n", "  \n"))


def op_boilerplate(item: JobPosting, prefix: str = "", suffix: str = "") -> None:
    _set_text(item, f"{prefix}\n\n{_text(item)}\n\n{suffix}".strip())


def op_truncate(item: JobPosting, chars: int) -> None:
    text = _text(item)
    cut = text[:chars].rsplit(" ", 1)[0]
    _set_text(item, cut + " …")


def op_drop_sentences(item: JobPosting, every: int) -> None:
    """Every n-th sentence left out (an edited repost)."""
    parts = re.split(r"(?<=[.!?])\s+", _text(item))
    _set_text(item, " ".join(p for n, p in enumerate(parts, 1) if n % every))


def op_title(item: JobPosting, value: str) -> None:
    item.title = value


def op_title_reorder(item: JobPosting) -> None:
    """ "Senior Backend Engineer" → "Backend Engineer (Senior)"; "A - B" → "B - A"."""
    title = item.title or ""
    m = _LEVEL.search(title)
    if m:
        rest = (title[: m.start()] + title[m.end() :]).strip(" -–,")
        item.title = f"{' '.join(rest.split())} ({m.group(0)})"
    elif " - " in title:
        head, _, tail = title.partition(" - ")
        item.title = f"{tail} - {head}"
    else:
        item.title = f"{title} (m/f/d)"


def op_title_level(item: JobPosting, level: str) -> None:
    """The same title at another level: "Senior X" → "Junior X"."""
    title = item.title or ""
    item.title = _LEVEL.sub(level, title, count=1) if _LEVEL.search(title) else f"{level} {title}"


def op_title_of(item: JobPosting, ref: dict[str, Any]) -> None:
    item.title = fixture_posting(ref).title


def op_company(item: JobPosting, value: str) -> None:
    item.company = value


def op_apply_url(item: JobPosting, base: str, query: str) -> None:
    """``apply_url`` = the ``url``/``apply_url`` of the fixture posting + tracking parameters."""
    item.apply_url = f"{base}{'&' if '?' in base else '?'}{query}"


def op_location(item: JobPosting, value: str) -> None:
    item.location_raw = [value]
    item.locations = []
    item.raw = {k: v for k, v in item.raw.items() if "location" not in k.lower()}


def op_posted(item: JobPosting, days: int) -> None:
    """Posted ``days`` after the fixture posting's own date."""
    item.posted_raw = (_posted(item) + timedelta(days=days)).isoformat()
    item.posted_at = None


def op_closed(item: JobPosting, days: int) -> None:
    """Closed by the source ``days`` after it was posted."""
    item.closed_at = (_posted(item) + timedelta(days=days)).isoformat()


def op_origin(item: JobPosting, source: str, id: str) -> None:
    item.origin, item.origin_id = source, id


OPS: Final[dict[str, Callable[..., None]]] = {
    name.removeprefix("op_"): fn for name, fn in globals().items() if name.startswith("op_")
}


def build(side: dict[str, Any]) -> JobPosting:
    """One side of a pair: the fixture posting, the recipe applied, normalized."""
    from crawler.normalize.posting import normalize_posting

    item = fixture_posting(side["ref"])
    base_urls = {"url": item.url, "apply_url": item.apply_url or item.url}
    posted = _posted(item)
    for step in side.get("recipe", ()):
        args = {k: v for k, v in step.items() if k != "op"}
        if step["op"] == "apply_url":
            args["base"] = base_urls[args.get("base", "url")] or ""
        OPS[step["op"]](item, **args)
    if item.posted_raw is None and item.posted_at is None:
        item.posted_raw = posted.isoformat()
    normalize_posting(item, now=posted + timedelta(days=400))
    return item


def load_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("//"):
            rows.append(json.loads(line))
    return rows


def build_pair(row: dict[str, Any]) -> tuple[JobPosting, JobPosting]:
    return build(row["a"]), build(row["b"])


# --------------------------------------------------------------------------------------
# How the file was made: ``python -m crawler.dedupe.pairs --generate`` (deterministic)
# --------------------------------------------------------------------------------------

FIXTURES: Final = (
    ("greenhouse", "tests/fixtures/boards/greenhouse/greenhouse_board_jobs_gitlab_content_breteai.json"),
    ("gupy", "tests/fixtures/boards/gupy/gupy_portal_api_radar-vagas.json"),
    ("remoteok", "tests/fixtures/boards/remoteok/remoteok_api_jackas5_2026-03.json"),
    ("weworkremotely", "tests/fixtures/boards/weworkremotely/wwr_backend_rss_radar-vagas.xml"),
    ("lever", "tests/fixtures/boards/lever/lever_postings_idealistconsulting_careerkit.json"),
    ("ashby", "tests/fixtures/boards/ashby/ashby_posting_api_notion_breteai.json"),
    ("remotive", "tests/fixtures/boards/remotive/remotive_remote_jobs_breteai.json"),
    ("himalayas", "tests/fixtures/boards/himalayas/himalayas_jobs_api_breteai.json"),
    ("arbeitnow", "tests/fixtures/boards/arbeitnow/arbeitnow_job_board_api_breteai.json"),
    ("recruitee", "tests/fixtures/boards/recruitee/recruitee_offers_careerkit.json"),
)
CITY_PAIRS: Final = (
    ("São Paulo, SP, Brasil", "Rio de Janeiro, RJ, Brasil"),
    ("Belo Horizonte, MG, Brasil", "Curitiba, PR, Brasil"),
    ("Berlin, Germany", "Munich, Germany"),
    ("New York, NY", "Austin, TX"),
    ("London, United Kingdom", "Manchester, United Kingdom"),
    ("Toronto, ON, Canada", "Vancouver, BC, Canada"),
)
BOILERPLATE: Final = (
    ("Descrição da vaga:", "Vaga originalmente publicada em: linkedin"),
    ("", "💼 Encontre as melhores oportunidades para desenvolvedores no Job For Dev"),
    ("Job description", "This job was originally posted on LinkedIn."),
    ("About the job", "Apply via the link below. Good luck!"),
)
TRACKING: Final = (
    "utm_source=linkedin&utm_medium=jobboard&utm_campaign=li_jobs",
    "gh_src=8f3a1b2c1us&utm_source=LinkedIn",
    "lever-source=LinkedIn&lever-origin=applied",
    "ref=remotar&source=aggregator",
    "trk=public_jobs_topcard-title&refId=a1b2c3",
)


def generate() -> list[dict[str, Any]]:  # pragma: no cover - how the committed file was made
    import random
    from collections import defaultdict

    from crawler.evaluate import fixture_postings
    from crawler.normalize.posting import normalize_posting

    rng = random.Random(20261125)
    pool: list[tuple[dict[str, Any], JobPosting]] = []
    for source, fixture in FIXTURES:
        for raw in fixture_postings(source, fixture):
            item = copy.deepcopy(raw)
            normalize_posting(item)
            if item.company and item.title and len(item.description_text or "") >= 400:
                pool.append(({"source": source, "fixture": fixture, "id": raw.source_id}, item))
    rng.shuffle(pool)
    rows: list[dict[str, Any]] = []

    def add(label: str, kind: str, a: dict[str, Any], b: dict[str, Any]) -> None:
        prefix = "pos" if label == "same" else "neg"
        rows.append({"id": f"{prefix}-{len(rows) + 1:03d}", "label": label, "kind": kind, "a": a, "b": b})

    def new_id() -> str:
        return str(rng.randrange(4_000_000_000, 4_400_000_000))

    # --- same job -------------------------------------------------------------------------
    kinds = ("aggregator_repost", "ats_linkedin", "linkedin_no_link", "repost_weeks_apart", "truncated")
    for n, (ref, item) in enumerate(pool[:125]):
        kind = kinds[n % len(kinds)]
        a = {"ref": ref, "recipe": []}
        if kind == "aggregator_repost":
            pre, post = rng.choice(BOILERPLATE)
            board = rng.choice(("jobfordev", "remotar"))
            recipe: list[dict[str, Any]] = [
                {"op": "as_source", "source": board, "id": f"{board}-{new_id()}"},
                {"op": "text"},
                {"op": "boilerplate", "prefix": pre, "suffix": post},
            ]
        elif kind == "ats_linkedin":
            li = new_id()
            recipe = [
                {
                    "op": "as_source",
                    "source": "linkedin",
                    "id": li,
                    "url": f"https://www.linkedin.com/jobs/view/{li}/",
                },
                {"op": "reflow"},
                {"op": "title_reorder"},
                {"op": "apply_url", "base": "apply_url", "query": rng.choice(TRACKING)},
            ]
        elif kind == "linkedin_no_link":
            li = new_id()
            suffix = rng.choice(("Inc.", "Ltda.", "S.A.", "GmbH", "LLC"))
            recipe = [
                {
                    "op": "as_source",
                    "source": "linkedin",
                    "id": li,
                    "url": f"https://www.linkedin.com/jobs/view/{li}/",
                },
                {"op": "text"},
                {"op": "title_reorder"},
                {"op": "company", "value": f"{item.company} {suffix}"},
                {"op": "drop_sentences", "every": 12},
            ]
        elif kind == "repost_weeks_apart":
            recipe = [
                {"op": "as_source", "source": ref["source"], "id": f"{ref['id']}-repost"},
                {"op": "posted", "days": rng.randrange(14, 42)},
                {"op": "drop_sentences", "every": 20},
            ]
        else:
            recipe = [
                {"op": "as_source", "source": "remotar", "id": f"remotar-{new_id()}"},
                {"op": "truncate", "chars": rng.randrange(500, 900)},
            ]
        add("same", kind, a, {"ref": ref, "recipe": recipe})

    # --- hard negatives -------------------------------------------------------------------
    by_company: dict[str, list[tuple[dict[str, Any], JobPosting]]] = defaultdict(list)
    for ref, item in pool:
        by_company[str(item.company)].append((ref, item))
    same_company = [
        (group[i], group[j])
        for group in by_company.values()
        for i in range(len(group))
        for j in range(i + 1, len(group))
        if group[i][1].title != group[j][1].title
    ]
    rng.shuffle(same_company)
    for n, ((ra, _), (rb, _)) in enumerate(same_company[:45]):
        recipe = [] if n % 2 else [{"op": "as_source", "source": "linkedin", "id": new_id()}, {"op": "text"}]
        add("different", "same_company_other_role", {"ref": ra, "recipe": []}, {"ref": rb, "recipe": recipe})
    others = pool[125:] + pool[:125]
    for n in range(25):
        ra, ia = others[n]
        rb = next(r for r, i in others[n + 1 :] if i.company != ia.company)
        add(
            "different",
            "same_title_other_company",
            {"ref": ra, "recipe": []},
            {
                "ref": rb,
                "recipe": [
                    {"op": "title_of", "ref": ra},
                    {"op": "as_source", "source": "linkedin", "id": new_id()},
                ],
            },
        )
    for n, (ref, _) in enumerate(pool[10:35]):
        city_a, city_b = CITY_PAIRS[n % len(CITY_PAIRS)]
        add(
            "different",
            "same_role_other_city",
            {"ref": ref, "recipe": [{"op": "location", "value": city_a}]},
            {
                "ref": ref,
                "recipe": [
                    {"op": "as_source", "source": ref["source"], "id": f"{ref['id']}-2"},
                    {"op": "location", "value": city_b},
                ],
            },
        )
    for ref, _ in pool[40:60]:
        add(
            "different",
            "reopened_after_closing",
            {"ref": ref, "recipe": [{"op": "closed", "days": 30}]},
            {
                "ref": ref,
                "recipe": [
                    {"op": "as_source", "source": ref["source"], "id": f"{ref['id']}-reopened"},
                    {"op": "posted", "days": rng.randrange(60, 120)},
                ],
            },
        )
    levels = [(r, i) for r, i in pool if _LEVEL.search(i.title or "")]
    for ref, item in levels[:12]:
        found = _LEVEL.search(item.title or "")
        other = "Junior" if found and found.group(0).lower()[:1] in "sp" else "Senior"
        add(
            "different",
            "other_level",
            {"ref": ref, "recipe": []},
            {
                "ref": ref,
                "recipe": [
                    {"op": "as_source", "source": ref["source"], "id": f"{ref['id']}-{other.lower()}"},
                    {"op": "title_level", "level": other},
                ],
            },
        )
    return rows


if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:] != ["--generate"]:
        raise SystemExit("usage: python -m crawler.dedupe.pairs --generate > tests/eval/pairs.jsonl")
    for row in generate():
        print(json.dumps(row, ensure_ascii=False))
