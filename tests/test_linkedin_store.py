"""LinkedIn and its republishers, through every pipeline into PostgreSQL.

* ``scrapy crawl linkedin`` against a local copy of LinkedIn's guest endpoints
  (``tests/sites.py``: cards of a recorded search page, recorded detail pages) stores
  every card's posting, normalized.
* The seed posting as Job For Dev republished it joins the same job as the LinkedIn
  posting it came from.  The Job For Dev page and the LinkedIn detail page for the seed's
  job are built here as test data (no recording exists): the LinkedIn one is the recorded
  detail fragment's markup with the seed's title and text put in.
"""

from __future__ import annotations

import html
from pathlib import Path

from sqlalchemy import select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs, postings
from tests.conftest import PG_PASSWORD
from tests.crawl import run_crawl
from tests.mockserver import FIXTURES, MockServer, Route
from tests.sites import LINKEDIN_DETAIL, LINKEDIN_SEARCH, RECORDED_DETAILS, linkedin_cards
from tests.spiders.test_aggregator_boards import jobfordev_detail, jobfordev_listing, seed_lines

FAST = {"LINKEDIN_DOWNLOAD_DELAY": "0", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0"}


def test_linkedin_search_into_postgres(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    env = {
        "DATABASE_URL": pg_url,
        "STORE_SPOOL_DIR": str(tmp_path / "spool"),
        "LINKEDIN_STATE_DIR": str(tmp_path),
    }
    site = RECORDED_DETAILS
    with site.server() as srv:
        base_url = srv.base_url
        result = run_crawl(
            "linkedin",
            args={"keywords": "python", "location": "Brazil", "base_url": srv.base_url},
            settings=FAST,
            env=env,
        )
    assert result.returncode == 0, result.log[-3000:]
    assert PG_PASSWORD not in result.log
    with get_engine(pg_url).connect() as conn:
        rows = {r["source_id"]: r for r in conn.execute(select(postings)).mappings()}
        run = conn.execute(select(crawl_runs)).mappings().one()
    ids = site.ids
    assert sorted(rows) == sorted(ids)  # every card of the recorded page, once
    assert run["status"] == "finished" and run["items_stored"] == 60
    assert run["args"] == {"keywords": "python", "location": "Brazil", "base_url": base_url}
    for r in rows.values():
        assert (
            r["title"]
            and r["company"]
            and r["url"] == f"https://www.linkedin.com/jobs/view/{r['source_id']}/"
        )
        assert r["posted_at"] is not None  # every card has a listdate datetime
        assert r["locations"] or r["remote_regions"] or r["workplace"] == "remote"
    adobe = rows[ids[0]]  # recorded API detail fragment
    assert adobe["company"] == "Adobe" and adobe["employment_type"] == "FULL_TIME"
    assert adobe["description_text"] and "The Opportunity" in adobe["description_text"]
    assert adobe["raw"]["applicants"] == 200
    pay = rows[ids[11]]  # recorded /jobs/view page with "Base pay range"
    assert (pay["salary_min"], pay["salary_max"], pay["salary_currency"], pay["salary_period"]) == (
        70.0,
        100.0,
        "USD",
        "HOUR",
    )
    cohere = rows[ids[20]]  # French page: JSON-LD and an off-site apply URL
    assert cohere["apply_url"].startswith("https://jobs.ashbyhq.com/cohere/")
    assert cohere["employment_type"] == "INTERN"


def seed_linkedin_pages(job_id: str) -> tuple[str, str]:
    """A card and a guest-API detail fragment for the seed's LinkedIn job (built test data)."""
    title, *description = seed_lines()
    body = "".join(f"<p>{html.escape(line)}</p>" for line in description[1:-2])
    card = linkedin_cards()[0]
    card = card.replace("4408519973", job_id)
    detail = (FIXTURES / "linkedin" / "job_posting_api_4330361169.html").read_text(encoding="utf-8")
    detail = detail.replace("4330361169", job_id).replace("Software Development Engineer", html.escape(title))
    start = detail.index('<div class="show-more-less-html__markup')
    start = detail.index(">", start) + 1
    end = detail.index("</div>", start)
    return card, detail[:start] + body + detail[end:]


def test_republished_posting_joins_the_linkedin_job(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    job_id = "4012345678"
    card, detail = seed_linkedin_pages(job_id)
    lines = seed_lines()
    slug = "senior-principal-backend-engineer-ruby-on-rails"
    apply_link = (
        f'<a class="apply-button" href="https://www.linkedin.com/jobs/view/{job_id}/">Candidatar-se</a>'
    )
    routes = {
        "/robots.txt": Route.text("User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/vagas": Route.text(jobfordev_listing([f"/vagas/{slug}"], None)),
        f"/vagas/{slug}": Route.text(jobfordev_detail(lines[0], lines[1:], extra=apply_link)),
        LINKEDIN_SEARCH: lambda req: Route.text(card if "start=0" in req.query.split("&") else ""),
        f"/jobs-guest/jobs/api/jobPosting/{job_id}": Route.text(detail),
    }
    assert LINKEDIN_DETAIL.match(f"/jobs-guest/jobs/api/jobPosting/{job_id}")
    env = {
        "DATABASE_URL": pg_url,
        "STORE_SPOOL_DIR": str(tmp_path / "spool"),
        "LINKEDIN_STATE_DIR": str(tmp_path),
    }
    with MockServer(routes) as srv:
        # the repost first, then the original: the link must hold in this order too
        agg = run_crawl("jobfordev", args={"base_url": srv.base_url}, settings=FAST, env=env)
        li = run_crawl(
            "linkedin", args={"keywords": "rails", "base_url": srv.base_url}, settings=FAST, env=env
        )
    assert agg.returncode == 0 and li.returncode == 0, agg.log[-2000:] + li.log[-2000:]
    with get_engine(pg_url).connect() as conn:
        rows = {r["source"]: r for r in conn.execute(select(postings)).mappings()}
    assert set(rows) == {"jobfordev", "linkedin"}
    repost, original = rows["jobfordev"], rows["linkedin"]
    assert (repost["origin"], repost["origin_id"]) == ("linkedin", job_id)
    assert repost["origin_url"] == f"https://www.linkedin.com/jobs/view/{job_id}/"
    assert original["source_id"] == job_id
    assert repost["job_id"] == original["job_id"] is not None  # one job, two postings
    # the repost is normalized as the seed's expected.json says
    assert (
        repost["salary_min"] == 8000
        and repost["salary_currency"] == "USD"
        and repost["salary_period"] == "MONTH"
    )
    assert repost["workplace"] == "remote" and repost["remote_regions"] == ["LATAM"]
    assert "Vaga originalmente publicada em" not in repost["description_text"]
