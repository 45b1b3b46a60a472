"""Storage benchmark: the real storage pipeline vs PostgreSQL's own COPY, same rows, same run.

    .venv/bin/python -m bench.store [--rows 20000]

Prints rows/s of (a) COPY of the rows into the ``postings`` table of a fresh
database and (b) ``pipelines.store.StorePipeline`` (buffer -> worker thread ->
batched upsert + job linking) into another fresh database, and the ratio b/a.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from datetime import UTC, datetime
from typing import Any

import psycopg
from scrapy.utils.test import get_crawler
from sqlalchemy.engine import make_url

from bench.common import scratch_database, synthetic_posting
from crawler.db.migrate import upgrade
from crawler.db.store import ROW_COLUMNS, item_fields, to_rows
from crawler.items import JobPosting
from pipelines.store import StorePipeline


def libpq_dsn(url: str) -> str:
    u = make_url(url)
    return f"host={u.host} port={u.port} user={u.username} dbname={u.database}"


def bench_copy(url: str, items: list[JobPosting], encode_in_timing: bool) -> float:
    """PostgreSQL's COPY of the same rows into ``postings``.

    ``encode_in_timing``: time the row encoding too (what any loader starting
    from the same in-memory postings pays); otherwise only the COPY itself.
    """
    upgrade(url)
    t0 = time.perf_counter()
    rows = to_rows([item_fields(i) for i in items], datetime.now(UTC), None, encode_json=True)
    with psycopg.connect(libpq_dsn(url)) as conn, conn.cursor() as cur:
        if not encode_in_timing:
            t0 = time.perf_counter()
        with cur.copy(f"COPY postings ({', '.join(ROW_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - t0


async def _drive_pipeline(pipeline: StorePipeline, items: list[JobPosting]) -> None:
    await pipeline.open_spider()
    for item in items:
        await pipeline.process_item(item)
    await pipeline.close_spider()


def bench_pipeline(url: str, items: list[JobPosting], batch_size: int) -> tuple[float, Any]:
    upgrade(url)
    crawler = get_crawler(
        settings_dict={
            "DATABASE_URL": url,
            "STORE_BATCH_SIZE": batch_size,
            "STORE_SPOOL_DIR": "/nonexistent-spool",
        }
    )
    crawler.stats.open_spider()
    pipeline = StorePipeline.from_crawler(crawler)
    t0 = time.perf_counter()
    asyncio.run(_drive_pipeline(pipeline, items))
    return time.perf_counter() - t0, crawler.stats.get_value("jobs/stored")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(42)
    items = [synthetic_posting(i, rng) for i in range(args.rows)]
    size = sum(len(json.dumps(item_fields(i), default=str)) for i in items[:200]) / 200
    print(f"{args.rows} postings, ~{size / 1024:.1f} KB each")
    with scratch_database() as url:
        t_copy_wire = bench_copy(url, items, encode_in_timing=False)
    with scratch_database() as url:
        t_copy_items = bench_copy(url, items, encode_in_timing=True)
    with scratch_database() as url:
        t_pipe, stored = bench_pipeline(url, items, args.batch_size)
    assert stored == args.rows, f"pipeline stored {stored} of {args.rows}"
    pipe_rate = args.rows / t_pipe
    print(f"{'method':<40}{'seconds':>9}{'rows/s':>10}{'pipeline/this':>15}")
    for name, t in (
        ("COPY, rows encoded beforehand", t_copy_wire),
        ("COPY from the same items (encode+COPY)", t_copy_items),
        (f"StorePipeline (batch {args.batch_size})", t_pipe),
    ):
        print(f"{name:<40}{t:>9.2f}{args.rows / t:>10,.0f}{pipe_rate / (args.rows / t):>15.2f}")


if __name__ == "__main__":
    main()
