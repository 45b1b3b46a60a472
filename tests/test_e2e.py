"""The whole slice: recorded API responses -> real `scrapy crawl` -> pipelines -> PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from crawler.db.engine import get_engine
from crawler.db.migrate import head_revision, upgrade
from crawler.db.models import crawl_runs, postings
from crawler.db.store import parse_ts
from tests.conftest import PG_PASSWORD
from tests.crawl import ROOT, run_crawl
from tests.mockserver import MockServer, Route

GITLAB = "boards/greenhouse/greenhouse_board_jobs_gitlab_content_breteai.json"
LEVER = "boards/lever/lever_postings_idealistconsulting_careerkit.json"

DESIGN_FIELDS = {
    "source",
    "source_id",
    "url",
    "origin",
    "origin_id",
    "origin_url",
    "apply_url",
    "raw",
    "fetched_at",
    "title",
    "company",
    "company_url",
    "description_text",
    "description_html",
    "locations",
    "remote_regions",
    "workplace",
    "employment_type",
    "contract_type",
    "seniority",
    "experience_years_min",
    "experience_years_max",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "salary_raw",
    "languages",
    "skills",
    "posted_at",
    "valid_through",
    "content_hash",
}


def greenhouse_server() -> MockServer:
    return MockServer(
        {
            "/v1/boards/gitlab/jobs": Route.file(GITLAB),
            "/v1/boards/removed/jobs": Route.text(
                '{"status":404,"error":"Job not found"}', status=404, content_type="application/json"
            ),
            "/v1/boards/broken/jobs": Route.text(
                '{"jobs": [{"id": 1, "title": "trunc', content_type="application/json"
            ),
        }
    )


def test_greenhouse_crawl_into_postgres_twice(pg_url: str, tmp_path: Path) -> None:
    # the operator's way: `scrapy migrate` on the configured DATABASE_URL
    migrate = subprocess.run(
        [sys.executable, "-m", "scrapy", "migrate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": pg_url, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert f"none -> {head_revision()}" in migrate.stdout and PG_PASSWORD not in migrate.stdout
    env = {"DATABASE_URL": pg_url, "STORE_SPOOL_DIR": str(tmp_path / "spool")}
    with greenhouse_server() as srv:
        args = {"companies": "gitlab,removed,broken", "base_url": srv.base_url}
        first = run_crawl("greenhouse", args=args, env=env, output=tmp_path / "first.jsonl")
        second = run_crawl("greenhouse", args=args, env=env)
    assert first.returncode == 0, first.log[-3000:]
    assert PG_PASSWORD not in first.log and PG_PASSWORD not in second.log
    assert "removed" in first.log and "jobs/company_not_found" in first.log

    engine = get_engine(pg_url)
    with engine.connect() as conn:
        rows = conn.execute(select(postings).order_by(postings.c.source_id)).mappings().all()
        runs = conn.execute(select(crawl_runs).order_by(crawl_runs.c.id)).mappings().all()
    assert [(r["source"], r["source_id"], r["title"]) for r in rows] == [
        ("greenhouse", "8503792002", "Account Executive - Italy"),
        ("greenhouse", "8556658002", "AI Engineer"),
        ("greenhouse", "8638232002", "AI Transformation Owner, CRO"),
    ]
    italy = rows[0]
    assert italy["company"] == "GitLab"
    assert italy["workplace"] == "remote"
    assert italy["locations"] and italy["locations"][0]["country"] == "IT"
    assert "<script" not in (italy["description_html"] or "")
    assert italy["description_text"] and "&lt;" not in italy["description_text"]
    assert italy["posted_at"] is not None and italy["content_hash"]
    # a re-run updates the same rows: first_seen kept, last_seen moved, one job per posting
    assert all(parse_ts(r["last_seen_at"]) > parse_ts(r["first_seen_at"]) for r in rows)  # type: ignore[operator]
    assert len({r["job_id"] for r in rows}) == 3

    assert [r["status"] for r in runs] == ["finished", "finished"]
    assert runs[0]["spider"] == "greenhouse"
    assert runs[0]["args"]["companies"] == "gitlab,removed,broken"
    assert runs[0]["items_scraped"] == 3 and runs[0]["items_stored"] == 3
    assert runs[0]["stats"]["jobs/company_not_found"] == 1
    assert runs[0]["stats"]["jobs/parse_error/json"] == 1
    assert {r["id"] for r in rows} and all(r["last_run_id"] == runs[1]["id"] for r in rows)

    # the feed carries the normalized field names exactly as DESIGN.md spells them
    assert len(first.items) == 3
    assert DESIGN_FIELDS <= set(first.items[0])
    assert json.dumps(first.items)  # plain JSON values


def test_bad_items_are_dropped_counted_and_valid_ones_kept(pg_url: str, tmp_path: Path) -> None:
    """A board where one job has no title and one an absurd salary: 2 stored, 1 dropped, counts recorded."""
    jobs = json.loads((ROOT / "tests/fixtures" / GITLAB).read_text())["jobs"]
    jobs[1]["title"] = ""
    jobs[2]["pay_input_ranges"] = [
        {"min_cents": -500, "max_cents": 10**14, "currency_type": "USD", "title": "Annual"}
    ]
    jobs.append(dict(jobs[0], id=1, title="Duplicate id test"))
    jobs.append(dict(jobs[0], id=1, title="Duplicate id test"))
    jobs.append(dict(jobs[0], id=2, title={"en": "Engineer"}))  # wrong type: no title
    jobs.append(dict(jobs[0], id=3, title="NUL\x00 in title", content="<p>text\x00</p>"))
    body = json.dumps({"jobs": jobs})
    upgrade(pg_url)
    routes = {
        "/v1/boards/gitlab/jobs": Route.text(body, content_type="application/json"),
        "/v1/boards/down/jobs": Route.text("upstream error", status=503, content_type="text/plain"),
        "/v1/boards/empty/jobs": Route.text("", content_type="application/json"),
    }
    with MockServer(routes) as srv:
        result = run_crawl(
            "greenhouse",
            args={"companies": "gitlab,down,empty", "base_url": srv.base_url},
            settings={"RETRY_TIMES": "1"},
            env={"DATABASE_URL": pg_url, "STORE_SPOOL_DIR": str(tmp_path)},
        )
    assert result.returncode == 0, result.log[-3000:]
    assert "Dropped greenhouse:8556658002: missing_title" in result.log
    with get_engine(pg_url).connect() as conn:
        ids = sorted(conn.execute(select(postings.c.source_id)).scalars())
        run = conn.execute(select(crawl_runs)).mappings().one()
        absurd = conn.execute(select(postings).where(postings.c.source_id == "8638232002")).mappings().one()
        nul = conn.execute(select(postings.c.title).where(postings.c.source_id == "3")).scalar_one()
    assert ids == ["1", "3", "8503792002", "8638232002"]
    assert run["items_dropped"] == 3 and run["items_stored"] == 4
    assert run["stats"]["jobs/dropped/missing_title"] == 2
    assert run["stats"]["jobs/dropped/duplicate"] == 1
    # an absurd salary is left empty (and counted); the posting itself is kept
    assert absurd["salary_min"] is None and absurd["salary_max"] is None
    assert run["stats"]["jobs/normalize/salary/absurd"] >= 1
    assert nul == "NUL in title"
    # a board answering 503 and one answering an empty body are logged and counted; the run goes on
    assert "down" in result.log and run["stats"]["jobs/parse_error/json"] == 1
    assert run["stats"].get("downloader/response_status_count/503", 0) >= 1


def test_complete_greenhouse_listing_closes_what_it_no_longer_shows(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    jobs = json.loads((ROOT / "tests/fixtures" / GITLAB).read_text())["jobs"]
    env = {"DATABASE_URL": pg_url, "STORE_SPOOL_DIR": str(tmp_path)}
    bodies = [json.dumps({"jobs": jobs}), json.dumps({"jobs": jobs[:2]}), json.dumps({"jobs": jobs})]
    for body in bodies:
        with MockServer({"/v1/boards/gitlab/jobs": Route.text(body, content_type="application/json")}) as srv:
            result = run_crawl("greenhouse", args={"companies": "gitlab", "base_url": srv.base_url}, env=env)
        assert result.returncode == 0, result.log[-3000:]
        with get_engine(pg_url).connect() as conn:
            closed = {
                r.source_id: r.closed_at
                for r in conn.execute(select(postings.c.source_id, postings.c.closed_at))
            }
        if body is bodies[1]:
            assert closed["8638232002"] is not None  # gone from the complete board listing: closed
            assert closed["8503792002"] is None and closed["8556658002"] is None
    assert all(v is None for v in closed.values())  # back on the board: reopened
