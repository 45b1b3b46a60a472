"""Offline demo: recorded real pages -> real spiders and pipelines -> a SQLite file -> summary.

    bash scripts/demo.sh                       # or: python -m crawler.demo
    python -m crawler.demo --database-url postgresql+psycopg://user@127.0.0.1/jobs

A local HTTP server (``tests/mockserver.py``) serves the recorded API responses
and pages under ``tests/fixtures/`` at the paths the real sites use; each spider
runs as ``scrapy crawl <spider> -a base_url=http://127.0.0.1:PORT`` exactly as an
operator would run it against the real site.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from crawler.db.engine import get_engine, mask_url
from crawler.db.models import crawl_runs, postings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mockserver import MockServer, Request, Route  # noqa: E402
from tests.sites import LINKEDIN_SEARCH, LinkedInSite  # noqa: E402

LI = "linkedin/"


def routes() -> dict[str, Route | Callable[[Request], Route]]:
    linkedin = LinkedInSite()  # the 60 cards of a recorded guest search page, 10 per API call
    return {
        LINKEDIN_SEARCH: linkedin.search,
        "/robots.txt": Route.text("User-agent: *\nAllow: /\n", content_type="text/plain"),
        # Greenhouse and Lever public APIs (recorded responses)
        "/v1/boards/gitlab/jobs": Route.file(
            "boards/greenhouse/greenhouse_board_jobs_gitlab_content_breteai.json"
        ),
        "/v0/postings/idealistconsulting": Route.file(
            "boards/lever/lever_postings_idealistconsulting_careerkit.json"
        ),
        # career pages with schema.org JobPosting JSON-LD (recorded LinkedIn job pages)
        "/careers/cohere-intern": Route.file(LI + "job_view_4218586823_fr_jsonld.html"),
        "/careers/rai-data-analyst": Route.file(LI + "job_view_3946498763_it_prettified_jsonld.html"),
    }


def crawl(
    spider: str, args: dict[str, str], env: dict[str, str], settings: dict[str, str] | None = None
) -> int:
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in args.items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    tail = [line for line in proc.stderr.splitlines() if "ERROR" in line or "CRITICAL" in line][-3:]
    print(f"  scrapy crawl {spider:<12} exit {proc.returncode}  {time.monotonic() - t0:5.1f}s")
    for line in tail:
        print(f"    {line[:200]}")
    return proc.returncode


def summary(url: str) -> None:
    engine = get_engine(url)
    with engine.connect() as conn:
        print(f"\nPostings stored in {mask_url(url)}:")
        per_source = conn.execute(
            select(postings.c.source, func.count()).group_by(postings.c.source).order_by(postings.c.source)
        ).all()
        for source, n in per_source:
            print(f"  {source:<12}{n:>5}")
        print("\nLast runs:")
        for run in conn.execute(
            select(crawl_runs).order_by(crawl_runs.c.id.desc()).limit(len(per_source) + 2)
        ).mappings():
            print(
                f"  #{run['id']:<4}{run['spider']:<12}{run['status']:<12}stored {run['items_stored']:>4}  dropped {run['items_dropped']}"
            )
        print("\nA few normalized postings:")
        rows = conn.execute(
            select(postings)
            .order_by(postings.c.salary_min.is_(None), postings.c.source, postings.c.id)
            .limit(6)
        ).mappings()
        for r in rows:
            loc = (
                ", ".join(
                    filter(
                        None,
                        [(r["locations"] or [{}])[0].get("city"), (r["locations"] or [{}])[0].get("country")],
                    )
                )
                if r["locations"]
                else "-"
            )
            salary = (
                f"{r['salary_min']:,.0f}-{r['salary_max']:,.0f} {r['salary_currency'] or '?'}/{r['salary_period'] or '?'}"
                if r["salary_min"] is not None
                else "-"
            )
            print(f"  [{r['source']}] {r['title'][:60]}")
            print(
                f"      company={r['company']}  workplace={r['workplace']}  location={loc}  "
                f"type={r['employment_type']}  seniority={r['seniority']}  salary={salary}"
            )
            print(f"      skills={(r['skills'] or [])[:8]}  posted={r['posted_at']}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Offline demo crawl of recorded pages into a database.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "sqlite:///jobs.db"))
    opts = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": opts.database_url, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    failures = 0
    with MockServer(routes()) as srv:
        print(f"Serving recorded pages at {srv.base_url}; crawling into {mask_url(opts.database_url)}")
        base = {"base_url": srv.base_url}
        failures += crawl("greenhouse", {**base, "companies": "gitlab"}, env) != 0
        failures += crawl("lever", {**base, "companies": "idealistconsulting|Idealist Consulting"}, env) != 0
        linkedin_env = {**env, "LINKEDIN_DOWNLOAD_DELAY": "0", "LINKEDIN_STATE_DIR": ""}
        linkedin_args = {**base, "keywords": "it support intern", "location": "Remote", "details": "0"}
        # the end of results right after a full page is ambiguous (LinkedIn sends empty pages when it
        # blocks too): the spider backs off once before accepting it; keep that pause short here
        failures += crawl("linkedin", linkedin_args, linkedin_env, {"BLOCK_BACKOFF_BASE": "1"}) != 0
        failures += (
            crawl("jsonld", {**base, "urls": "/careers/cohere-intern,/careers/rai-data-analyst"}, env) != 0
        )
    summary(opts.database_url)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
