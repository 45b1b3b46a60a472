"""Browser rendering (scrapy-playwright + Debian chromium) only for the requests that ask for it.

The listing page below (test data built here) creates its job cards in JavaScript: without
rendering it has no links at all.  The board ``remotar`` renders listing pages only; its
detail pages (plain HTML) and robots.txt go through Scrapy's own HTTP handler.

Chromium missing: the test fails when ``CI=true`` (CI must install the ``chromium``
package), and is skipped elsewhere.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.crawl import run_crawl
from tests.mockserver import MockServer, Route
from tests.requirements import require_tool

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
JOBS = [
    {"id": 101, "slug": "backend-engineer", "title": "Backend Engineer"},
    {"id": 102, "slug": "data-analyst", "title": "Data Analyst"},
    {"id": 103, "slug": "sre", "title": "Site Reliability Engineer"},
]
LISTING = """<!doctype html><html><head><title>Vagas remotas</title></head><body>
<main id="results"><p class="loading">Carregando…</p></main>
<script>
  const jobs = %s;
  const main = document.getElementById("results");
  main.innerHTML = jobs.map(j =>
    `<a class="job-card" href="/job/${j.id}-${j.slug}"><h2>${j.title}</h2></a>`).join("");
</script></body></html>"""


def detail(job: dict[str, object]) -> str:
    return f"""<html><body><h1>{job["title"]}</h1><div class="company-name">Remote Co</div>
<div class="job-location">Brasil (remoto)</div><span class="job-workplace">Remoto</span>
<span class="job-contract">PJ</span><time datetime="2025-11-0{int(str(job["id"])) - 100}">há dias</time>
<div class="job-description"><p>Descrição da vaga {job["title"]}.</p>
<p>Vaga originalmente publicada em: linkedin</p></div>
<a class="apply" href="https://boards.greenhouse.io/remoteco/jobs/{job["id"]}">Aplicar</a></body></html>"""


@pytest.fixture
def chromium() -> Path:
    return require_tool(CHROMIUM, "apt-get install -y chromium")


def serve() -> MockServer:
    routes: dict[str, Route] = {
        "/robots.txt": Route.text("User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/search/jobs": Route.text(LISTING % json.dumps(JOBS)),
    }
    for job in JOBS:
        routes[f"/job/{job['id']}-{job['slug']}"] = Route.text(detail(job))
    return MockServer(routes)


def crawl(tmp_path: Path, base_url: str, name: str, **args: str) -> tuple[int, str, list[dict[str, object]]]:
    result = run_crawl(
        "remotar",
        args={"base_url": base_url, **args},
        settings={
            "ITEM_PIPELINES": "{}",
            "STORE_ENABLED": "0",
            "DOWNLOAD_DELAY": "0",
            "AUTOTHROTTLE_START_DELAY": "0",
        },
        env={"CHROMIUM_PATH": str(CHROMIUM)},
        output=tmp_path / f"{name}.jsonl",
        timeout=180,
    )
    return result.returncode, result.log, result.items


def test_js_listing_needs_rendering(tmp_path: Path, chromium: Path) -> None:
    with serve() as srv:
        code, log, items = crawl(tmp_path, srv.base_url, "rendered")
        rendered_paths = srv.paths()
        srv.requests.clear()
        code_off, log_off, items_off = crawl(tmp_path, srv.base_url, "plain", render_js="0")
        plain_paths = srv.paths()

    # rendering on: the cards built by JavaScript are found and followed
    assert code == 0, log[-3000:]
    by_id = {i["source_id"]: i for i in items}
    assert sorted(by_id) == ["101", "102", "103"]
    assert by_id["101"]["title"] == "Backend Engineer"
    assert by_id["101"]["source"] == "remotar"
    assert by_id["101"]["apply_url"] == "https://boards.greenhouse.io/remoteco/jobs/101"
    assert by_id["102"]["employment_type_raw"] == ["PJ"] and by_id["102"]["workplace_raw"] == ["Remoto"]
    assert "Vaga originalmente publicada em: linkedin" in str(by_id["103"]["description_text"])
    # only the listing went through the browser; robots.txt and the details were plain HTTP
    assert re.search(r"'playwright/page_count': 1,", log), log[-3000:]
    assert re.search(r"'jobs/aggregator/links': 3", log)
    assert rendered_paths.count("/search/jobs") == 1 and "/robots.txt" in rendered_paths

    # rendering off: the same page has no card at all, and no browser is started
    assert code_off == 0, log_off[-3000:]
    assert items_off == []
    assert re.search(r"'jobs/aggregator/links': 0", log_off)
    assert "playwright" not in log_off.split("Spider opened", 1)[1]
    assert plain_paths == ["/robots.txt", "/search/jobs"]
