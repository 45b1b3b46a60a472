"""Scale-out: 3 worker processes share one Redis frontier and crawl a 2,000+ page site exactly once.

The site is GENERATED here (fictional companies and jobs): 80 listing pages
``/jobs?page=N`` of 25 posting links each, then an empty page (the listing's end), and 2,000
posting pages ``/jobs/<id>-<slug>`` carrying schema.org ``JobPosting`` JSON-LD: the shape of
the ``programathor`` spider's board, which crawls it unchanged.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs, postings
from crawler.exitcodes import ExitCode
from crawler.redis_scheduler import mask_redis_url
from tests.conftest import PG_PASSWORD
from tests.mockserver import MockServer, Request, Route
from tests.ops import ops_env, scrapy_cmd, start
from tests.ops.conftest import RedisTarget

PAGES, PER_PAGE, WORKERS = 80, 25, 3
FIRST_ID = 500_000
DETAIL = re.compile(r"^/jobs/(\d+)-generated-job$")
CITIES = [("São Paulo", "SP"), ("Recife", "PE"), ("Curitiba", "PR"), ("Porto Alegre", "RS")]


def listing_page(page: int) -> str:
    ids = range(FIRST_ID + (page - 1) * PER_PAGE, FIRST_ID + page * PER_PAGE) if page <= PAGES else []
    links = "\n".join(
        f'<div class="cell-list"><a href="/jobs/{i}-generated-job"><h3>Job {i}</h3></a></div>' for i in ids
    )
    nav = f'<a href="/jobs?page={page + 1}" rel="next">Próxima</a>' if ids else ""
    return (
        f"<!DOCTYPE html><html><body><!-- GENERATED test listing --><main>{links}</main>{nav}</body></html>"
    )


def detail_page(job_id: int) -> str:
    city, region = CITIES[job_id % len(CITIES)]
    posting = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": f"Desenvolvedor(a) Python {job_id}",
        "description": f"<p>GENERATED test posting {job_id}: APIs em Python e PostgreSQL.</p>",
        "datePosted": "2026-03-04",
        "employmentType": ["FULL_TIME"],
        "hiringOrganization": {"@type": "Organization", "name": f"Empresa Gerada {job_id % 37}"},
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": city,
                "addressRegion": region,
                "addressCountry": "BR",
            },
        },
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "BRL",
            "value": {"@type": "QuantitativeValue", "value": 8000 + job_id % 5000, "unitText": "MONTH"},
        },
    }
    return (
        "<!DOCTYPE html><html><head>"
        f'<script type="application/ld+json">{json.dumps(posting)}</script>'
        f"</head><body><h1>{posting['title']}</h1></body></html>"
    )


def site(req: Request) -> Route:
    if req.path == "/robots.txt":
        return Route.text("User-agent: *\nAllow: /\n", content_type="text/plain")
    if req.path == "/jobs":
        match = re.fullmatch(r"page=(\d+)", req.query)
        if match:
            return Route.text(listing_page(int(match.group(1))))
    detail = DETAIL.match(req.path)
    if detail and FIRST_ID <= int(detail.group(1)) < FIRST_ID + PAGES * PER_PAGE:
        return Route.text(detail_page(int(detail.group(1))))
    return Route.text("not found", status=404, content_type="text/plain")


def test_three_workers_share_one_frontier(pg_url: str, redis_target: RedisTarget, tmp_path: Path) -> None:
    upgrade(pg_url)
    settings = {
        "SCHEDULER_BACKEND": "redis",
        "REDIS_KEY_PREFIX": redis_target.prefix,
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": "8",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "FRONTIER_IDLE_CLOSE": "1",
        "STORE_BATCH_SIZE": "200",
    }
    env = ops_env(pg_url, tmp_path, REDIS_URL=redis_target.url, PROGRESS_INTERVAL="2")
    with MockServer(default=site) as srv:
        cmd = scrapy_cmd(
            "crawl", "programathor", args={"base_url": srv.base_url, "max_pages": "1000"}, settings=settings
        )
        logs = [tmp_path / f"worker{i}.log" for i in range(WORKERS)]
        began = time.monotonic()
        workers = [start(cmd, env, log) for log in logs]
        try:
            codes = [w.wait(timeout=150) for w in workers]
        finally:
            for w in workers:
                if w.poll() is None:
                    w.kill()
        took = time.monotonic() - began
        paths = srv.paths()
    texts = [log.read_text(errors="replace") for log in logs]
    assert codes == [ExitCode.OK] * WORKERS, "\n\n".join(t[-2500:] for t in texts)

    # every page fetched exactly once, counted at the server (robots.txt: once per worker)
    pages = Counter(p for p in paths if p != "/robots.txt")
    listing = [f"/jobs?page={n}" for n in range(1, PAGES + 2)]
    details = [f"/jobs/{i}-generated-job" for i in range(FIRST_ID, FIRST_ID + PAGES * PER_PAGE)]
    assert set(pages) == set(listing) | set(details)
    assert max(pages.values()) == 1, pages.most_common(3)
    assert len(pages) == PAGES + 1 + PAGES * PER_PAGE >= 2000

    # every posting stored exactly once: 2,000 rows, and the workers' stored counts add up to 2,000
    with get_engine(pg_url).connect() as conn:
        count = conn.execute(select(func.count()).select_from(postings)).scalar_one()
        distinct = conn.execute(select(func.count(func.distinct(postings.c.source_id)))).scalar_one()
        runs = conn.execute(select(crawl_runs.c.status, crawl_runs.c.items_stored, crawl_runs.c.stats)).all()
    assert count == distinct == PAGES * PER_PAGE
    assert [r.status for r in runs] == ["finished"] * WORKERS
    assert sum(r.items_stored for r in runs) == PAGES * PER_PAGE
    fetched = [int(r.stats.get("response_received_count", 0)) for r in runs]
    assert all(n > 0 for n in fetched), f"a worker did nothing: {fetched}"
    assert sum(fetched) == len(pages) + WORKERS  # + one robots.txt each
    assert sorted(bool(r.stats.get("frontier/seeded")) for r in runs) == [False, False, True]

    # all workers left; the last one removed the crawl's keys
    assert redis_target.keys() == []
    joined = "\n".join(texts)
    assert joined.count("frontier empty and every worker idle") == WORKERS
    assert "progress programathor:" in joined and "queue " in joined
    assert redis_target.password not in joined and PG_PASSWORD not in joined
    assert mask_redis_url(redis_target.url) in joined
    print(f"3 workers, {len(pages)} pages in {took:.1f}s; pages per worker {fetched}")


def test_mask_redis_url() -> None:
    assert mask_redis_url("redis://user:secret@h:6379/0") == "redis://user:***@h:6379/0"
    assert mask_redis_url("redis://:secret@h/1") == "redis://:***@h/1"
    assert mask_redis_url("rediss://h:6380/0") == "rediss://h:6380/0"
