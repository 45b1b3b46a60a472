"""SQL-looking input is data: every item field, through the store pipeline, into PostgreSQL and SQLite.

Postings whose every text field, list, location, language and ``raw`` key/value carries SQL
(``'; DROP TABLE postings; --``, ``" OR 1=1``, ``$$`` dollar quoting, backslashes and ``\\x00``,
PostgreSQL ``E''`` escapes, ``COPY`` tab/newline separators) go through :class:`StorePipeline`
(the PostgreSQL path ``COPY``-es them into a staging table, the SQLite path binds parameters)
and come back verbatim (NUL bytes stripped, which PostgreSQL cannot store); every table is
still there afterwards, with the right row counts.  A second pass upserts the same keys (the
``ON CONFLICT`` path) and a partial re-sighting (``partial=True``) goes through the seen-only
upsert.  A real crawl then carries SQL in its ``-a`` arguments and in the served JSON into
``crawl_runs`` and ``postings``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler
from sqlalchemy import func, inspect, select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs, jobs, postings
from crawler.items import JobPosting
from pipelines.link import LinkPipeline
from pipelines.store import StorePipeline
from tests.crawl import run_crawl
from tests.mockserver import MockServer, Route

PAYLOADS = (
    "'; DROP TABLE postings; --",
    '" OR 1=1 --',
    "' OR '1'='1",
    "$$; DROP TABLE jobs; $$",
    "$tag$ x $tag$",
    "\\'; SELECT pg_sleep(10); --\\",
    "back\\slash\\\\ and \\x00 and \\N",
    "nul\x00byte\x00",
    "E'\\x27' || chr(39)",
    "tab\there\nnewline\r\nCOPY \\. end",
    "1; UPDATE postings SET title = 'pwned'",
    "%s %(title)s ? :name $1",
    "); DELETE FROM crawl_runs; --",
    "ユニコード ' \u2028 \"",
)
#: (column, limit) of the short String columns: payloads cut to fit (the value, not the query, is tested)
SHORT = {"source": 64, "source_id": 255, "origin": 64, "origin_id": 255}
TEXT_FIELDS = (
    "url", "origin_url", "apply_url", "title", "company", "company_url", "description_text",
    "description_html", "salary_raw",
)  # fmt: skip


def strip(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [strip(v) for v in value]
    if isinstance(value, dict):
        return {strip(k): strip(v) for k, v in value.items()}
    return value


def hostile_item(n: int, partial: bool = False) -> JobPosting:
    p = PAYLOADS[n % len(PAYLOADS)]
    q = PAYLOADS[(n + 1) % len(PAYLOADS)]
    item = JobPosting(
        source=f"src{p}"[: SHORT["source"]],
        source_id=f"{n}:{p}"[: SHORT["source_id"]],
        origin=None,
        raw={p: q, "list": [p, {q: p}], "nested": {"deeper": [list(PAYLOADS)]}},
        locations=[{"city": p, "region": q, "country": "BR"}],
        remote_regions=[p],
        seniority=[q],
        languages=[{"language": p, "level": q}],
        skills=list(PAYLOADS),
        salary_min=1.0,
        salary_max=2.0,
        partial=partial,
    )
    for i, name in enumerate(TEXT_FIELDS):
        setattr(item, name, PAYLOADS[(n + i) % len(PAYLOADS)])
    return item


def store(db_url: str, tmp_path: Path, items: list[JobPosting]) -> dict[str, Any]:
    crawler = get_crawler(
        settings_dict={"DATABASE_URL": db_url, "STORE_BATCH_SIZE": 5, "STORE_SPOOL_DIR": str(tmp_path / "spool")}
    )
    assert crawler.stats is not None
    crawler.stats.open_spider()
    pipeline = StorePipeline.from_crawler(crawler)
    linker = LinkPipeline.from_crawler(crawler)  # PostgreSQL: the link stage links what was stored

    async def drive() -> None:
        await pipeline.open_spider()
        await linker.open_spider()
        for item in items:
            await linker.process_item(await pipeline.process_item(item))
        await pipeline.close_spider()
        await linker.close_spider()

    asyncio.run(drive())
    return crawler.stats.get_stats()


def read_back(db_url: str) -> dict[tuple[str, str], dict[str, Any]]:
    with get_engine(db_url).connect() as conn:
        rows = conn.execute(select(postings)).mappings().all()
    return {(r["source"], r["source_id"]): dict(r) for r in rows}


def test_sql_in_every_field_is_stored_verbatim(db_url: str, tmp_path: Path) -> None:
    upgrade(db_url)
    items = [hostile_item(n) for n in range(len(PAYLOADS))]
    stats = store(db_url, tmp_path, items)
    assert stats.get("jobs/stored") == len(items), stats
    assert not stats.get("jobs/store/spooled"), stats
    rows = read_back(db_url)
    assert len(rows) == len(items)
    for item in items:
        row = rows[(strip(item.source), strip(item.source_id))]
        for name in TEXT_FIELDS:
            assert row[name] == strip(getattr(item, name)), name
        for name in ("raw", "locations", "remote_regions", "seniority", "languages", "skills"):
            assert row[name] == strip(getattr(item, name)), name
    # the tables are all there, and nothing ran: no row was deleted or retitled
    names = set(inspect(get_engine(db_url)).get_table_names())
    assert {"postings", "jobs", "crawl_runs"} <= names
    with get_engine(db_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(postings)).scalar_one() == len(items)
        assert conn.execute(select(func.count()).select_from(jobs)).scalar_one() >= 1
        assert conn.execute(select(func.count()).select_from(crawl_runs)).scalar_one() == 0
        assert conn.execute(select(func.count()).where(postings.c.title == "pwned")).scalar_one() == 0

    # the same keys again (ON CONFLICT DO UPDATE), then card-only re-sightings (seen-only upsert)
    again = [hostile_item(n) for n in range(len(PAYLOADS))]
    for item in again:
        item.title = f"{item.title} (updated) ' --"
    store(db_url, tmp_path, again)
    store(db_url, tmp_path, [hostile_item(n, partial=True) for n in range(len(PAYLOADS))])
    rows = read_back(db_url)
    assert len(rows) == len(items)
    for item in again:
        assert rows[(strip(item.source), strip(item.source_id))]["title"] == strip(item.title)


def test_sql_in_crawl_arguments_and_responses(db_url: str, tmp_path: Path) -> None:
    """A real crawl: SQL in ``-a companies=`` (recorded in crawl_runs.args) and in the served postings."""
    upgrade(db_url)
    slug = "x'; DROP TABLE postings; --"
    board = {
        "jobs": [
            {"id": 1, "title": "'; DROP TABLE jobs; --", "company_name": '" OR 1=1 --', "content": "<p>$$ \\ ' \"</p>"},
            {"id": "2'--", "title": "Robert'); DROP TABLE crawl_runs;--", "location": {"name": "São Paulo' --"}},
        ]
    }
    body = json.dumps(board).encode()
    with MockServer(default=Route(body=body, headers={"Content-Type": "application/json"})) as server:
        result = run_crawl(
            "greenhouse",
            args={"companies": slug, "base_url": server.base_url},
            settings={"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "STORE_FLUSH_INTERVAL": "0.2"},
            env={"DATABASE_URL": db_url, "STORE_SPOOL_DIR": str(tmp_path / "spool")},
            output=tmp_path / "out.jsonl",
        )
    assert result.returncode == 0, result.log[-3000:]
    with get_engine(db_url).connect() as conn:
        titles = sorted(conn.execute(select(postings.c.title)).scalars())
        args = conn.execute(select(crawl_runs.c.args)).scalar_one()
        assert conn.execute(select(func.count()).select_from(jobs)).scalar_one() >= 1
    assert titles == sorted(["'; DROP TABLE jobs; --", "Robert'); DROP TABLE crawl_runs;--"])
    assert args["companies"] == slug
