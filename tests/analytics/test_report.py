"""`scrapy report`: real crawls of recorded boards -> one HTML file that headless Chromium draws offline.

``REPORT_SCREENSHOT=docs/report.png pytest tests/analytics/test_report.py`` also keeps the
screenshot (that is how ``docs/report.png`` is made).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs

from playwright.sync_api import sync_playwright

from crawler.analytics.report import collect, render
from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from tests import mockserver
from tests.analytics.test_views import load
from tests.crawl import ROOT, CrawlResult, run_crawl
from tests.mockserver import FIXTURES, MockServer, Route

GITLAB = "boards/greenhouse/greenhouse_board_jobs_gitlab_content_breteai.json"
IDEALIST = "boards/lever/lever_postings_idealistconsulting_careerkit.json"
EXAMPLECORP = "boards/lever/TESTDATA_postings_with_salary_range.json"
RADAR = "boards/gupy/gupy_portal_api_radar-vagas.json"
REMOTEOK = "boards/remoteok/remoteok_api_jackas5_2026-03.json"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


def lever_pages(relpath: str) -> mockserver.Handler:
    postings = json.loads((FIXTURES / relpath).read_text(encoding="utf-8"))

    def handler(request: mockserver.Request) -> Route:
        query = parse_qs(request.query)
        skip, limit = int(query.get("skip", ["0"])[0]), int(query.get("limit", ["100"])[0])
        return Route(200, json.dumps(postings[skip : skip + limit]).encode(), {"Content-Type": "application/json"})

    return handler


def gupy_pages() -> mockserver.Handler:
    jobs = json.loads((FIXTURES / RADAR).read_text(encoding="utf-8"))["data"]

    def handler(request: mockserver.Request) -> Route:
        query = parse_qs(request.query)
        offset, limit = int(query.get("offset", ["0"])[0]), int(query.get("limit", ["10"])[0])
        body = {"data": jobs[offset : offset + limit], "pagination": {"total": len(jobs), "limit": limit, "offset": offset}}
        return Route(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    return handler


def crawl_fixtures(url: str, tmp_path: Path) -> list[CrawlResult]:
    """greenhouse, lever, gupy and remoteok from their recorded responses, at once, into ``url``."""
    upgrade(url)  # before the parallel crawls (none of them migrates then)
    routes: dict[str, Route | mockserver.Handler] = {
        "/v1/boards/gitlab/jobs": Route.file(GITLAB),
        "/v0/postings/idealistconsulting": lever_pages(IDEALIST),
        "/v0/postings/examplecorp": lever_pages(EXAMPLECORP),
        "/api/v1/jobs": gupy_pages(),
        "/api": Route.file(REMOTEOK),
    }
    settings = {"AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0", "LOG_LEVEL": "INFO"}
    with MockServer(routes) as srv:
        jobs = [
            ("greenhouse", {"companies": "gitlab"}),
            ("lever", {"companies": "idealistconsulting,examplecorp|Example Corp"}),
            ("gupy", {"keywords": "dados", "page_size": "20"}),
            ("remoteok", {}),
        ]
        with ThreadPoolExecutor(len(jobs)) as pool:
            futures = [
                pool.submit(
                    run_crawl,
                    spider,
                    args={**args, "base_url": srv.base_url},
                    settings=settings,
                    env={"DATABASE_URL": url, "STORE_SPOOL_DIR": str(tmp_path / f"spool-{spider}")},
                )
                for spider, args in jobs
            ]
            return [f.result() for f in futures]


def test_report_of_real_crawls_renders_offline_in_chromium(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    for result in crawl_fixtures(url, tmp_path):
        assert result.returncode == 0, result.log[-3000:]
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "-o", str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    page_html = out.read_text(encoding="utf-8")
    assert "no data yet" not in page_html and "<script" not in page_html
    for source in ("greenhouse", "lever", "gupy", "remoteok"):
        assert source in page_html

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(out.as_uri(), wait_until="load")
            figures = page.evaluate(
                """() => [...document.querySelectorAll('figure')].map(f => {
                    const svg = f.querySelector('svg');
                    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
                    return {paths: f.querySelectorAll('svg path').length, width: box.width, height: box.height,
                            title: f.previousElementSibling.textContent};
                })"""
            )
            runs = page.evaluate("() => document.querySelectorAll('table tbody tr').length")
            shot = Path(os.environ.get("REPORT_SCREENSHOT") or tmp_path / "report.png")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert [f["title"] for f in figures] == [
        "New and closed postings per day",
        "Open postings by workplace",
        "Salary distribution by seniority",
        "Top 20 skills",
        "Field coverage per source",
    ]
    assert all(f["paths"] > 20 and f["width"] > 300 and f["height"] > 100 for f in figures), figures
    assert runs == 4
    assert requests == [out.as_uri()]  # nothing but the file itself: no network, no other file
    assert shot.stat().st_size > 50_000


def test_report_on_postgres(pg_url: str) -> None:
    load(pg_url)
    data = collect(get_engine(pg_url))
    assert data.totals["open postings"] == 8 and data.totals["sources"] == 4
    assert ("BRL", "MONTH") in data.salaries and data.salaries[("USD", "YEAR")] == {"senior": [130000.0]}
    assert data.skills[0] == ("Python", 4) and {s for s, _ in data.skills} == {"Python", "SQL", "Go"}
    assert data.coverage["greenhouse"]["salary"] == 1.0 and data.coverage_n["greenhouse"] == 3
    html = render(data)
    assert html.count("<svg") == 5 and "no data yet" not in html and "pg_url" not in html
    assert "s3cr3t" not in html
