"""The analysts' views on both backends: exact numbers from a small hand-made data set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from crawler.analytics import views
from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import postings
from crawler.db.store import PostingWriter, parse_ts
from crawler.items import JobPosting

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


def p(source: str, sid: str, country: str = "BR", **kw: Any) -> JobPosting:
    salary = kw.pop("salary", None)  # (min, max, currency, period)
    if salary:
        kw.update(salary_min=salary[0], salary_max=salary[1], salary_currency=salary[2], salary_period=salary[3])
    return JobPosting(
        source=source,
        source_id=sid,
        title=kw.pop("title", f"Role {source} {sid}"),
        company=kw.pop("company", f"Company {sid}"),
        url=f"https://{source}.example/{sid}",
        locations=[{"city": None, "region": None, "country": country}],
        **kw,
    )


BRL = "BRL"


def load(url: str) -> None:
    upgrade(url)
    writer = PostingWriter(get_engine(url))
    expired = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    writer.write(
        [
            p("linkedin", "li-1", seniority=["senior"], skills=["Python", "SQL"], workplace="remote",
              salary=(4000.0, 6000.0, BRL, "MONTH"), posted_at="2026-10-20T00:00:00Z"),
            p("greenhouse", "g-2", seniority=["junior"], skills=["Python"], workplace="hybrid",
              salary=(3000.0, None, BRL, "MONTH")),
            p("greenhouse", "g-3", seniority=["senior"], skills=["Python", "Go"], workplace="remote",
              salary=(7000.0, 9000.0, BRL, "MONTH")),
            p("greenhouse", "g-4", "PT", seniority=["senior"], skills=["Go"], workplace="onsite",
              salary=(None, 10000.0, BRL, "MONTH")),
            p("lever", "l-5", "US", seniority=["senior"], skills=["Python"], workplace="remote",
              salary=(120000.0, 140000.0, "USD", "YEAR")),
            p("greenhouse", "g-7", skills=["Rust"], salary=(1.0, 2.0, BRL, "MONTH")),  # closed below
            p("greenhouse", "g-8", skills=["Rust"], salary=(1.0, 2.0, BRL, "MONTH"), valid_through=expired),
            p("greenhouse", "g-9", skills=["Python"], posted_at="2026-10-28T12:00:00Z"),  # closed below
            p("jobfordev", "jfd-2", origin="linkedin", origin_id="li-2", workplace="remote",
              posted_at="2026-10-20T00:00:00Z"),
        ],
        now=T0,
    )  # fmt: skip
    writer.write(
        [
            # a repost of li-1 (same job): its salary must not count twice
            p("jobfordev", "jfd-1", origin="linkedin", origin_id="li-1", seniority=["senior"],
              salary=(9000.0, 11000.0, BRL, "MONTH"), skills=["Python"]),
            # the original of jfd-2, seen a day later: it states the salary of that job
            p("linkedin", "li-2", "DE", salary=(60000.0, 70000.0, "EUR", "YEAR"), posted_at="2026-10-18T00:00:00Z"),
        ],
        now=T1,
    )  # fmt: skip
    with get_engine(url).begin() as conn:
        for sid, closed in (("g-7", T0 + timedelta(days=2)), ("g-9", T1)):
            conn.execute(update(postings).where(postings.c.source_id == sid).values(closed_at=closed))


@pytest.fixture
def url(db_url: str) -> str:
    load(db_url)
    return db_url


def q(url: str, query: Any) -> list[Any]:
    with get_engine(url).connect() as conn:
        return list(conn.execute(query))


def test_open_jobs(url: str) -> None:
    oj = views.open_jobs
    rows = {r.source_id: r for r in q(url, select(oj))}
    assert set(rows) == {"li-1", "g-2", "g-3", "g-4", "l-5", "jfd-2", "jfd-1", "li-2"}  # not closed, not expired
    assert rows["g-4"].country == "PT" and rows["li-2"].country == "DE"
    assert rows["li-1"].skills == ["Python", "SQL"] and rows["li-1"].salary_max == 6000.0
    assert rows["jfd-1"].job_id == rows["li-1"].job_id and rows["jfd-2"].job_id == rows["li-2"].job_id
    assert parse_ts(rows["li-2"].first_seen_at) == T1


def test_jobs_best(url: str) -> None:
    jb = views.jobs_best
    rows = q(url, select(jb))
    pair = [r for r in rows if r.n_postings == 2]
    assert len(pair) == 2 and len(rows) == 9  # 11 postings, 2 reposts joined
    li1 = next(r for r in pair if r.salary_currency == BRL)
    li2 = next(r for r in pair if r.salary_currency == "EUR")
    # both postings of li-1 state a range: the earliest seen (linkedin) wins
    assert (li1.salary_min, li1.salary_max, li1.salary_period, li1.salary_source) == (4000.0, 6000.0, "MONTH", "linkedin")
    assert sorted(li1.urls) == ["https://jobfordev.example/jfd-1", "https://linkedin.example/li-1"]
    # jfd-2 came first without a salary; its original states one
    assert (li2.salary_min, li2.salary_max, li2.salary_source) == (60000.0, 70000.0, "linkedin")
    assert parse_ts(li2.posted_at) == datetime(2026, 10, 18, tzinfo=UTC)  # the earliest posted_at
    assert parse_ts(li2.first_seen_at) == T0 and parse_ts(li2.last_seen_at) == T1
    assert sorted(li2.sources) == ["jobfordev", "linkedin"]
    assert bool(li2.is_open) and li2.closed_at is None
    closed = [r for r in rows if not r.is_open]
    assert len(closed) == 3  # g-7, g-9 closed; g-8 expired


def test_jobs_per_day(url: str) -> None:
    jpd = views.jobs_per_day
    rows = {(r.day, r.source): (r.new_postings, r.closed_postings) for r in q(url, select(jpd))}
    assert rows == {
        (date(2026, 11, 1), "greenhouse"): (6, 0),
        (date(2026, 11, 1), "jobfordev"): (1, 0),
        (date(2026, 11, 1), "lever"): (1, 0),
        (date(2026, 11, 1), "linkedin"): (1, 0),
        (date(2026, 11, 2), "jobfordev"): (1, 0),
        (date(2026, 11, 2), "linkedin"): (1, 0),
        (date(2026, 11, 2), "greenhouse"): (0, 1),
        (date(2026, 11, 3), "greenhouse"): (0, 1),
    }


def test_salary_stats_comparable_rows_percentiles_and_annualized(url: str) -> None:
    ss = views.salary_stats
    rows = {(r.dimension, r.value, r.salary_currency, r.salary_period): r for r in q(url, select(ss))}

    def stats(key: tuple[str, str, str, str]) -> tuple[Any, ...]:
        r = rows[key]
        return (r.n, r.p25, r.median, r.p75, r.min_amount, r.max_amount, r.annualized)

    # BRL/MONTH open, one per job: 5000 (li-1; its repost jfd-1 excluded), 3000, 8000, 10000
    assert stats(("all", "all", BRL, "MONTH")) == (4, 4500.0, 6500.0, 8500.0, 3000.0, 10000.0, 78000.0)
    assert stats(("seniority", "senior", BRL, "MONTH")) == (3, 6500.0, 8000.0, 9000.0, 5000.0, 10000.0, 96000.0)
    assert stats(("skill", "Python", BRL, "MONTH")) == (3, 4000.0, 5000.0, 6500.0, 3000.0, 8000.0, 60000.0)
    assert stats(("country", "PT", BRL, "MONTH")) == (1, 10000.0, 10000.0, 10000.0, 10000.0, 10000.0, 120000.0)
    assert stats(("workplace", "remote", BRL, "MONTH"))[:3] == (2, 5750.0, 6500.0)
    assert stats(("all", "all", "USD", "YEAR")) == (1, 130000.0, 130000.0, 130000.0, 130000.0, 130000.0, 130000.0)
    assert rows[("all", "all", BRL, "MONTH")].annualized_p25 == 54000.0
    assert stats(("all", "all", "EUR", "YEAR"))[0] == 1
    # currencies/periods are never mixed, closed and expired postings never count
    assert ("skill", "Rust", BRL, "MONTH") not in rows
    assert {k[2:] for k in rows} == {(BRL, "MONTH"), ("USD", "YEAR"), ("EUR", "YEAR")}


def test_top_skills_by_month(url: str) -> None:
    ts = views.top_skills_by_month
    rows = {(r.month, r.skill): (r.postings, r.jobs, r.rank) for r in q(url, select(ts))}
    # month of the earlier of posted_at and first_seen_at: li-1 and g-9 were posted in October
    assert rows[("2026-10", "Python")] == (2, 2, 1)
    assert rows[("2026-10", "SQL")] == (1, 1, 2)
    # November: g-2, g-3, l-5 and jfd-1 (li-1's repost, first seen in November)
    assert rows[("2026-11", "Python")] == (4, 4, 1)
    assert rows[("2026-11", "Rust")] == (2, 2, 2) and rows[("2026-11", "Go")] == (2, 2, 2)


def test_time_to_close(url: str) -> None:
    ttc = views.time_to_close
    rows = {r.source: r for r in q(url, select(ttc))}
    assert set(rows) == {"greenhouse"}
    g = rows["greenhouse"]
    # g-7: first seen T0, closed T0+2d -> 2 days; g-9: posted 10-28 12:00, closed T1 (11-02 12:00) -> 5 days
    assert (g.closed, g.avg_days, g.p25_days, g.median_days, g.p75_days, g.max_days) == pytest.approx(
        (2, 3.5, 2.75, 3.5, 4.25, 5.0)
    )


def test_views_answer_the_readme_queries(url: str) -> None:
    """The example queries of docs/analytics.md run on both backends."""
    queries = [
        "SELECT source, count(*) AS open FROM open_jobs GROUP BY source ORDER BY open DESC",
        "SELECT value AS skill, n, median, annualized FROM salary_stats WHERE dimension = 'skill' "
        "AND salary_currency = 'BRL' AND salary_period = 'MONTH' AND n >= 1 ORDER BY median DESC",
        "SELECT month, skill, jobs FROM top_skills_by_month WHERE rank <= 10 ORDER BY month DESC, rank",
        "SELECT day, sum(new_postings) AS new, sum(closed_postings) AS closed FROM jobs_per_day "
        "GROUP BY day ORDER BY day",
        "SELECT p.source, p.source_id, c.field, c.old_value, c.new_value, c.changed_at FROM posting_changes c "
        "JOIN postings p ON p.id = c.posting_id ORDER BY c.changed_at DESC LIMIT 50",
        "SELECT job_id, title, salary_min, salary_max, salary_currency, salary_period, sources FROM jobs_best "
        "WHERE is_open AND salary_currency IS NOT NULL",
    ]
    with get_engine(url).connect() as conn:
        counts = [len(conn.execute(text(sql)).all()) for sql in queries]
    assert counts[0] == 4 and counts[1] == 3 and counts[2] > 0 and counts[3] == 3 and counts[5] == 6
