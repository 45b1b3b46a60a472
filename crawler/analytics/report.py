"""``scrapy report``: one self-contained HTML file with plots of the analysts' database.

Everything is inline: the plots are SVG drawn by matplotlib (Agg, text as paths, so no
font is fetched either), the styles are a ``<style>`` block, and there is no script and
no external reference — the file opens offline, from a mail attachment or a CI artifact.

Sections: summary numbers; new postings per source per day (and closed per day); open
postings by workplace; salary distribution by seniority, one panel per currency/period
(amounts are only compared within the same currency and period); top 20 skills of the
open jobs; field coverage of the open postings per source; the last runs (status, items,
requests, responses by status, coverage from the run's stats when the monitor recorded it).
"""

from __future__ import annotations

import html
import io
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure
from sqlalchemy import Engine, case, desc, func, select, text

from crawler.analytics import views
from crawler.db.models import crawl_runs, postings
from crawler.items import SENIORITIES

PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
)  # fmt: skip
#: coverage heat map: (label, SQL predicate builder name)
COVERAGE_FIELDS = (
    "company", "location", "workplace", "salary", "description", "posted_at", "seniority",
    "employment_type", "skills",
)  # fmt: skip
RC: Any = {"svg.hashsalt": "jobcrawler-report", "svg.fonttype": "path", "font.size": 9, "axes.spines.top": False,
      "axes.spines.right": False}  # fmt: skip


# --- data --------------------------------------------------------------------------------------


@dataclass
class ReportData:
    generated_at: datetime
    database: str
    totals: dict[str, int] = field(default_factory=dict)
    per_day: list[tuple[date, str, int, int]] = field(default_factory=list)
    by_workplace: list[tuple[str, int]] = field(default_factory=list)
    #: (currency, period) -> seniority -> amounts
    salaries: dict[tuple[str, str], dict[str, list[float]]] = field(default_factory=dict)
    skills: list[tuple[str, int]] = field(default_factory=list)
    coverage: dict[str, dict[str, float]] = field(default_factory=dict)
    coverage_n: dict[str, int] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _nonempty_json(col: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return case(
            (func.jsonb_typeof(col) == "array", func.jsonb_array_length(col) > 0),
            else_=False,
        )
    return func.coalesce(func.json_type(col) == "array", False) & (
        func.coalesce(func.json_array_length(col), 0) > 0
    )


def database_label(engine: Engine) -> str:
    """``sqlite database jobs.db`` / ``postgresql database jobs on db.internal`` (no path, no password)."""
    url = engine.url
    name = Path(url.database or "").name or "(memory)"
    where = f" on {url.host}" if url.host else ""
    return f"{url.get_backend_name()} database {name}{where}"


def collect(engine: Engine, days: int = 90, runs: int = 20, now: datetime | None = None) -> ReportData:
    now = now or datetime.now(UTC)
    dialect = engine.dialect.name
    data = ReportData(generated_at=now, database=database_label(engine))
    oj = views.open_jobs
    with engine.connect() as conn:
        data.totals = {
            "postings": conn.execute(select(func.count()).select_from(postings)).scalar_one(),
            "open postings": conn.execute(select(func.count()).select_from(oj)).scalar_one(),
            "open jobs": conn.execute(select(func.count(func.distinct(oj.c.job_id)))).scalar_one(),
            "sources": conn.execute(select(func.count(func.distinct(postings.c.source)))).scalar_one(),
            "changes recorded (7 days)": conn.execute(
                text("SELECT count(*) FROM posting_changes WHERE changed_at >= :t"),
                {"t": now - timedelta(days=7)},
            ).scalar_one(),
        }
        jpd = views.jobs_per_day
        since = (now - timedelta(days=days)).date()
        data.per_day = [
            (_as_date(r.day), r.source, int(r.new_postings or 0), int(r.closed_postings or 0))
            for r in conn.execute(select(jpd).where(jpd.c.day >= since).order_by(jpd.c.day, jpd.c.source))
        ]
        workplace = func.coalesce(oj.c.workplace, "unknown")
        data.by_workplace = [
            (w, int(n))
            for w, n in conn.execute(
                select(workplace, func.count()).group_by(workplace).order_by(desc(func.count()))
            )
        ]
        data.salaries = _salaries(conn)
        data.skills = _top_skills(conn, dialect)
        data.coverage, data.coverage_n = _coverage(conn, dialect)
        rows = conn.execute(select(crawl_runs).order_by(crawl_runs.c.id.desc()).limit(runs)).mappings().all()
        data.runs = [dict(r) for r in rows]
    return data


def _salaries(conn: Any) -> dict[tuple[str, str], dict[str, list[float]]]:
    oj = views.open_jobs
    query = (
        select(
            oj.c.job_id,
            oj.c.posting_id,
            oj.c.seniority,
            oj.c.salary_min,
            oj.c.salary_max,
            oj.c.salary_currency,
            oj.c.salary_period,
        )
        .where(
            oj.c.salary_currency.is_not(None),
            oj.c.salary_period.is_not(None),
            func.coalesce(oj.c.salary_min, oj.c.salary_max).is_not(None),
        )
        .order_by(oj.c.posting_id)
    )
    out: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    seen_jobs: set[int] = set()
    for r in conn.execution_options(yield_per=5000).execute(query):
        if r.job_id is not None:
            if r.job_id in seen_jobs:
                continue  # one salary per job (cross-source reposts count once)
            seen_jobs.add(r.job_id)
        lo, hi = r.salary_min, r.salary_max
        amount = (lo + hi) / 2 if lo is not None and hi is not None else (lo if lo is not None else hi)
        levels = [s for s in (r.seniority or []) if isinstance(s, str)] or ["unspecified"]
        for level in dict.fromkeys(levels):
            out[(r.salary_currency, r.salary_period)][level].append(float(amount))
    return {k: dict(v) for k, v in out.items()}


def _top_skills(conn: Any, dialect: str, limit: int = 20) -> list[tuple[str, int]]:
    if dialect == "postgresql":
        sql = (
            "SELECT s.value AS skill, count(DISTINCT COALESCE(o.job_id, -o.posting_id)) AS n FROM open_jobs o "
            "CROSS JOIN LATERAL jsonb_array_elements_text("
            "CASE WHEN jsonb_typeof(o.skills) = 'array' THEN o.skills END) AS s(value) "
            "GROUP BY s.value ORDER BY n DESC, skill LIMIT :limit"
        )
    else:
        sql = (
            "SELECT s.value AS skill, count(DISTINCT COALESCE(o.job_id, -o.posting_id)) AS n FROM open_jobs o "
            "JOIN json_each(CASE WHEN json_type(o.skills) = 'array' THEN o.skills END) AS s "
            "GROUP BY s.value ORDER BY n DESC, skill LIMIT :limit"
        )
    return [(str(s), int(n)) for s, n in conn.execute(text(sql), {"limit": limit})]


def _coverage(conn: Any, dialect: str) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    oj = views.open_jobs

    def has(expr: Any) -> Any:
        return func.sum(case((expr, 1), else_=0))

    preds = {
        "company": oj.c.company.is_not(None),
        "location": _nonempty_json(oj.c.locations, dialect) | _nonempty_json(oj.c.remote_regions, dialect),
        "workplace": oj.c.workplace.is_not(None),
        "salary": func.coalesce(oj.c.salary_min, oj.c.salary_max).is_not(None),
        "description": oj.c.description_text.is_not(None),
        "posted_at": oj.c.posted_at.is_not(None),
        "seniority": _nonempty_json(oj.c.seniority, dialect),
        "employment_type": oj.c.employment_type.is_not(None),
        "skills": _nonempty_json(oj.c.skills, dialect),
    }
    query = select(oj.c.source, func.count(), *(has(preds[f]) for f in COVERAGE_FIELDS)).group_by(oj.c.source)
    coverage: dict[str, dict[str, float]] = {}
    counts: dict[str, int] = {}
    for row in conn.execute(query.order_by(oj.c.source)):
        source, n = row[0], int(row[1])
        counts[source] = n
        coverage[source] = {
            f: (int(v or 0) / n if n else 0.0) for f, v in zip(COVERAGE_FIELDS, row[2:], strict=True)
        }
    return coverage, counts


# --- plots -------------------------------------------------------------------------------------


def svg(fig: Figure) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    out = buf.getvalue()
    return out[out.index("<svg") :]


def _figure(width: float = 8, height: float = 3.6) -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=(width, height), layout="constrained")


def _empty(fig: Figure, message: str = "no data yet") -> str:
    ax = fig.subplots()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#777")
    return svg(fig)


def plot_per_day(data: ReportData) -> str:
    with matplotlib.rc_context(RC):
        fig = _figure(9, 3.8)
        if not data.per_day:
            return _empty(fig)
        days = sorted({d for d, *_ in data.per_day})
        totals = Counter[str]()
        for _, src, new, _closed in data.per_day:
            totals[src] += new
        top = [s for s, _ in totals.most_common(len(PALETTE) - 1)]
        series: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        closed: dict[date, int] = defaultdict(int)
        for d, src, new, n_closed in data.per_day:
            series[src if src in top else "other"][d] += new
            closed[d] += n_closed
        ax = fig.subplots()
        x = list(range(len(days)))
        bottom = [0] * len(days)
        for i, src in enumerate([*top, "other"] if "other" in series else top):
            values = [series[src].get(d, 0) for d in days]
            ax.bar(x, values, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=src, width=0.8)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        if any(closed.values()):
            ax.bar(
                x, [-closed.get(d, 0) for d in days], color="#999", width=0.8, label="closed (all sources)"
            )
            ax.axhline(0, color="#333", linewidth=0.6)
        step = max(1, len(days) // 12)
        ax.set_xticks(x[::step], [d.isoformat() for d in days][::step], rotation=30, ha="right")
        ax.set_ylabel("postings")
        ax.set_title("New postings per source per day (first seen); closed per day below zero")
        ax.legend(loc="upper left", fontsize=8, ncols=min(5, len(top) + 1), frameon=False)
        return svg(fig)


def plot_workplace(data: ReportData) -> str:
    with matplotlib.rc_context(RC):
        fig = _figure(6, 2.8)
        if not data.by_workplace:
            return _empty(fig)
        ax = fig.subplots()
        labels = [w for w, _ in data.by_workplace]
        values = [n for _, n in data.by_workplace]
        bars = ax.barh(labels, values, color=PALETTE[: len(labels)])
        ax.bar_label(bars, padding=3)
        ax.invert_yaxis()
        ax.set_xlabel("open postings")
        ax.set_title("Open postings by workplace")
        return svg(fig)


def _level_order(levels: Sequence[str]) -> list[str]:
    rank = {s: i for i, s in enumerate((*SENIORITIES, "unspecified"))}
    return sorted(levels, key=lambda s: (rank.get(s, len(rank)), s))


def plot_salaries(data: ReportData, panels: int = 4, min_rows: int = 3) -> str:
    """One box plot per currency/period (the ``panels`` largest with at least ``min_rows`` salaries;
    the largest one anyway), boxes per seniority level."""
    with matplotlib.rc_context(RC):
        sizes = {k: sum(len(v) for v in levels.values()) for k, levels in data.salaries.items()}
        ranked = sorted(sizes, key=lambda k: (-sizes[k], k))
        combos = [k for k in ranked if sizes[k] >= min_rows][:panels] or ranked[:1]
        cols = 2 if len(combos) > 1 else 1
        rows = (len(combos) + cols - 1) // cols
        fig = _figure(10 if cols == 2 else 8, 3.4 * rows)
        if not combos:
            return _empty(fig, "no open posting states a salary")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, (currency, period) in zip(axes, combos, strict=False):
            by_level = data.salaries[(currency, period)]
            levels = _level_order(list(by_level))
            ax.boxplot(
                [by_level[lv] for lv in levels],
                tick_labels=[f"{lv}\n(n={len(by_level[lv])})" for lv in levels],
                patch_artist=True,
                boxprops={"facecolor": "#cfe0f1"},
                medianprops={"color": "#e15759"},
            )
            ax.set_ylabel(f"{currency} per {period.lower()}")
            ax.set_title(f"{currency} / {period}: {sizes[(currency, period)]} jobs")
            ax.ticklabel_format(axis="y", style="plain")
            ax.tick_params(axis="x", labelsize=7)
        for ax in axes[len(combos) :]:
            ax.axis("off")
        others = len(data.salaries) - len(combos)
        fig.suptitle(
            "Salary by seniority (midpoint of the stated range)"
            + (f"; {others} smaller currency/period groups left out" if others else "")
        )
        return svg(fig)


def plot_skills(data: ReportData) -> str:
    with matplotlib.rc_context(RC):
        fig = _figure(7, 0.25 * max(8, len(data.skills)) + 0.8)
        if not data.skills:
            return _empty(fig)
        ax = fig.subplots()
        bars = ax.barh([s for s, _ in data.skills], [n for _, n in data.skills], color=PALETTE[0])
        ax.bar_label(bars, padding=3, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("open jobs mentioning the skill")
        ax.set_title(f"Top {len(data.skills)} skills of the open jobs")
        return svg(fig)


def plot_coverage(data: ReportData) -> str:
    with matplotlib.rc_context(RC):
        sources = list(data.coverage)
        fig = _figure(9, 0.4 * max(3, len(sources)) + 1.6)
        if not sources:
            return _empty(fig)
        ax = fig.subplots()
        grid = [[data.coverage[s][f] for f in COVERAGE_FIELDS] for s in sources]
        ax.imshow(grid, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(COVERAGE_FIELDS)), COVERAGE_FIELDS, rotation=30, ha="right")
        ax.set_yticks(range(len(sources)), [f"{s} (n={data.coverage_n[s]})" for s in sources])
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8, color="black")
        ax.set_title("Field coverage of the open postings per source")
        return svg(fig)


# --- HTML --------------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:.85rem} figure{margin:1rem 0} figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:.8rem;width:100%} th,td{border:1px solid #ddd;padding:.25rem .4rem;text-align:right}
th{background:#f4f4f4} td.l,th.l{text-align:left} .kpis{display:flex;gap:1rem;flex-wrap:wrap}
.kpi{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;min-width:8rem}.kpi b{display:block;font-size:1.4rem}
.s-finished{color:#2e7d32}.s-failed,.s-blocked,.s-high_error_rate{color:#c62828}.s-degraded,.s-too_few_items,.s-interrupted{color:#ef6c00}
"""


def _fmt_ts(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _duration(run: dict[str, Any]) -> str:
    start, end = run.get("started_at"), run.get("finished_at")
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return ""
    seconds = int((end.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds())
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def run_summary(run: dict[str, Any]) -> dict[str, str]:
    """The cells of one run's row (stats JSON -> requests, responses by status, drops, coverage)."""
    stats = run.get("stats") or {}
    if isinstance(stats, str):
        try:
            stats = json.loads(stats)
        except ValueError:
            stats = {}
    statuses = sorted(
        (k.rsplit("/", 1)[-1], v)
        for k, v in stats.items()
        if k.startswith("downloader/response_status_count/")
    )
    drops = sorted(
        (k.split("/", 2)[-1], v) for k, v in stats.items() if k.startswith("jobs/dropped/")
    ) or sorted(
        (k.split("/", 1)[-1], v) for k, v in stats.items() if k.startswith("item_dropped_reasons_count/")
    )
    coverage = sorted(
        (k.rsplit("/", 1)[-1], v)
        for k, v in stats.items()
        if (k.startswith("ops/coverage/") or k.startswith("coverage/"))
        and k.count("/") == (2 if k.startswith("ops/") else 1)
        and isinstance(v, int | float)
        and not k.endswith(("/items", "/baseline_runs", "/partial_skipped"))
    )
    return {
        "requests": str(stats.get("downloader/request_count", "")),
        "responses": ", ".join(f"{s}: {n}" for s, n in statuses),
        "dropped": ", ".join(f"{r}: {n}" for r, n in drops),
        "coverage": ", ".join(f"{f} {float(v):.0%}" for f, v in coverage),
        "closed": str(stats.get("history/closed", "")),
    }


def render(data: ReportData) -> str:
    e = html.escape
    kpis = "".join(f'<div class="kpi">{e(k)}<b>{v:,}</b></div>' for k, v in data.totals.items())
    run_rows = []
    for r in data.runs:
        s = run_summary(r)
        run_rows.append(
            "<tr>"
            f"<td>{r['id']}</td><td class=l>{e(str(r['spider']))}</td>"
            f"<td class='l s-{e(str(r['status']))}'>{e(str(r['status']))}</td>"
            f"<td class=l>{e(_fmt_ts(r['started_at']))}</td><td>{_duration(r)}</td>"
            f"<td>{r['items_scraped']}</td><td>{r['items_stored']}</td><td>{r['items_dropped']}</td>"
            f"<td>{r['errors']}</td><td>{e(s['requests'])}</td><td class=l>{e(s['responses'])}</td>"
            f"<td class=l>{e(s['dropped'])}</td><td>{e(s['closed'])}</td><td class=l>{e(s['coverage'])}</td>"
            "</tr>"
        )
    runs_table = (
        "<table><thead><tr><th>run</th><th class=l>spider</th><th class=l>status</th><th class=l>started (UTC)</th>"
        "<th>took</th><th>scraped</th><th>stored</th><th>dropped</th><th>errors</th><th>requests</th>"
        "<th class=l>responses by status</th><th class=l>dropped by reason</th><th>closed</th>"
        "<th class=l>coverage (run stats)</th></tr></thead><tbody>"
        + ("".join(run_rows) or "<tr><td colspan=14 class=l>no runs recorded</td></tr>")
        + "</tbody></table>"
    )
    sections = [
        ("New and closed postings per day", plot_per_day(data), "From the <code>jobs_per_day</code> view."),
        ("Open postings by workplace", plot_workplace(data), "From the <code>open_jobs</code> view."),
        (
            "Salary distribution by seniority",
            plot_salaries(data),
            "Open jobs that state a salary, one per job; amounts are compared only within one currency "
            "and period (see <code>salary_stats</code> for annualized figures).",
        ),
        ("Top 20 skills", plot_skills(data), "Distinct open jobs per skill."),
        ("Field coverage per source", plot_coverage(data), "Share of the open postings that have the field."),
    ]
    body = "".join(
        f"<h2>{e(title)}</h2><figure>{figure}<figcaption class=meta>{caption}</figcaption></figure>"
        for title, figure, caption in sections
    )
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>jobcrawler report {e(_fmt_ts(data.generated_at))}</title><style>{CSS}</style></head><body>"
        f"<h1>jobcrawler — postings report</h1><p class=meta>generated {e(_fmt_ts(data.generated_at))} UTC "
        f"from {e(data.database)}</p><div class=kpis>{kpis}</div>{body}"
        f"<h2>Last {len(data.runs)} runs</h2>{runs_table}</body></html>\n"
    )


def write_report(engine: Engine, output: str | Path, days: int = 90, runs: int = 20) -> Path:
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(collect(engine, days=days, runs=runs)), encoding="utf-8")
    return path
