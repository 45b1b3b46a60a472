"""Hostile HTML in job descriptions, through real crawls and every pipeline, into the database.

Two real ``scrapy crawl`` runs per backend (SQLite and PostgreSQL, ``db_url``): ``greenhouse``
against a board whose ``content`` carries every vector of :data:`tests.hostile.corpus.XSS`
(raw, entity-escaped as Greenhouse does, and escaped twice), and ``jobfordev`` against a detail
page with script, iframe, ``onerror=``, ``javascript:``/``JaVaScRiPt:``/``jav&#x09;ascript:``/
entity-encoded hrefs, style expressions, svg onload, forms and a ``<base>``
(``tests/hostile/files/aggregator_detail_hostile.html``).  What is stored in
``postings.description_html`` (and written to the feed) is parsed and checked by
:func:`tests.hostile.safety.dangerous`: nothing that can run survives, while the text does.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from sqlalchemy import select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import postings
from tests.crawl import run_crawl
from tests.hostile.corpus import FILES, XSS_HTML
from tests.hostile.safety import dangerous
from tests.mockserver import MockServer, Route

SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "LOG_LEVEL": "INFO", "STORE_FLUSH_INTERVAL": "0.2"}


def board() -> bytes:
    title = '<script>alert("t")</script>Senior <b>Engineer</b>'
    jobs = [
        {"id": 1, "title": title, "content": html.escape(XSS_HTML), "absolute_url": "javascript:alert(1)"},
        {"id": 2, "title": title, "content": XSS_HTML, "absolute_url": "https://boards.example/jobs/2"},
        {"id": 3, "title": title, "content": html.escape(html.escape(XSS_HTML))},
    ]
    return json.dumps({"jobs": jobs, "meta": {"total": 3}}).encode()


def crawl(spider: str, args: dict[str, str], routes: dict[str, Route], db_url: str, tmp_path: Path) -> list[dict]:
    with MockServer(routes) as server:
        output = tmp_path / f"{spider}.jsonl"
        result = run_crawl(
            spider,
            args={**args, "base_url": server.base_url},
            settings=SETTINGS,
            env={"DATABASE_URL": db_url, "STORE_SPOOL_DIR": str(tmp_path / "spool")},
            output=output,
        )
    assert result.returncode == 0, result.log[-3000:]
    assert "log_count/ERROR" not in result.log, result.log[-3000:]
    return result.items


def test_stored_description_html_is_inert(db_url: str, tmp_path: Path) -> None:
    upgrade(db_url)
    greenhouse = crawl(
        "greenhouse",
        {"companies": "xss"},
        {"/v1/boards/xss/jobs": Route(body=board(), headers={"Content-Type": "application/json"})},
        db_url,
        tmp_path,
    )
    listing = '<html><body><ul><li class="job"><a href="/vagas/dev-xss">vaga</a></li></ul></body></html>'
    jobfordev = crawl(
        "jobfordev",
        {},
        {"/vagas": Route.text(listing), "/vagas/dev-xss": Route.file("aggregator_detail_hostile.html", root=FILES)},
        db_url,
        tmp_path,
    )
    assert len(greenhouse) == 3 and len(jobfordev) == 1
    with get_engine(db_url).connect() as conn:
        rows = conn.execute(
            select(postings.c.source, postings.c.source_id, postings.c.title, postings.c.description_html)
        ).all()
    assert len(rows) == 4
    for source, source_id, _title, stored in rows:
        assert stored, (source, source_id)  # the description is kept ...
        assert not dangerous(stored), (source, source_id, dangerous(stored), stored)  # ... without anything that runs
    by_id = {(s, i): h for s, i, _, h in rows}
    assert "Job description." in by_id[("greenhouse", "2")] and "The end." in by_id[("greenhouse", "2")]
    assert "texto escapado" in by_id[("jobfordev", "dev-xss")]
    for item in greenhouse + jobfordev:  # the feed carries the same sanitized HTML
        assert not dangerous(item["description_html"] or ""), item["description_html"]


def test_meta_refresh_to_javascript_does_not_lose_the_posting(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="refresh" content="0;url=javascript:alert(1)"></head>'
        '<body><h1>Dev Python</h1><section class="job-description"><p>ok</p></section></body></html>'
    )
    listing = '<html><body><ul><li class="job"><a href="/vagas/dev-refresh">vaga</a></li></ul></body></html>'
    items = crawl(
        "jobfordev",
        {},
        {"/vagas": Route.text(listing), "/vagas/dev-refresh": Route.text(page)},
        f"sqlite:///{tmp_path / 'jobs.db'}",
        tmp_path,
    )
    assert [item["title"] for item in items] == ["Dev Python"]
