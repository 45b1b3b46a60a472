"""Storage benchmark: the real storage pipeline vs PostgreSQL's own COPY, same rows, same run.

    .venv/bin/python -m bench.store [--rows 20000] [--batch-size 1000]

Each method writes the same postings into the ``postings`` table of a fresh database:

- COPY of rows encoded beforehand (the server's own speed) and COPY from the same
  in-memory postings (encode + COPY: the baseline every ratio is printed against);
- ``executemany`` of ``INSERT .. ON CONFLICT DO UPDATE`` (the plain way to upsert);
- ``pipelines.store.StorePipeline`` (buffer -> writer threads -> batched upsert) with
  ``DEDUPE_NEAR_DUPLICATES`` off (storage and origin links only) and on (the default: the
  cross-source near-duplicate index is maintained and consulted in the same transaction),
  and the default again on the same postings a second time (the update path of a re-run);
- COPY of exactly what the default pipeline wrote (postings with their job ids, the ``jobs``
  rows and the ``posting_bands`` index rows, dumped from its database): the like-for-like
  bulk load the write path can be compared with.
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


def bench_executemany(url: str, items: list[JobPosting]) -> float:
    """``executemany`` of one ``INSERT .. ON CONFLICT (source, source_id) DO UPDATE`` per posting."""
    upgrade(url)
    cols = ", ".join(ROW_COLUMNS)
    marks = ", ".join(["%s"] * len(ROW_COLUMNS))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in ROW_COLUMNS if c not in ("source", "source_id"))
    sql = (
        f"INSERT INTO postings ({cols}) VALUES ({marks}) "
        f"ON CONFLICT (source, source_id) DO UPDATE SET {updates}"
    )
    t0 = time.perf_counter()
    rows = to_rows([item_fields(i) for i in items], datetime.now(UTC), None, encode_json=True)
    with psycopg.connect(libpq_dsn(url)) as conn, conn.cursor() as cur:
        for n in range(0, len(rows), 1000):
            cur.executemany(sql, rows[n : n + 1000])
        conn.commit()
    return time.perf_counter() - t0


#: what the pipeline writes, in foreign-key order
WRITTEN_TABLES = ("jobs", "postings", "posting_bands")


def dump_written(url: str) -> dict[str, bytes]:
    """The rows the pipeline wrote (``COPY .. TO STDOUT``), table by table."""
    out: dict[str, bytes] = {}
    with psycopg.connect(libpq_dsn(url)) as conn, conn.cursor() as cur:
        for table in WRITTEN_TABLES:
            with cur.copy(f"COPY {table} TO STDOUT") as copy:
                out[table] = b"".join(bytes(chunk) for chunk in copy)
    return out


def bench_copy_written(url: str, dumped: dict[str, bytes]) -> float:
    """COPY of exactly the rows the pipeline wrote (postings with job ids, jobs, the dedupe index)."""
    upgrade(url)
    t0 = time.perf_counter()
    with psycopg.connect(libpq_dsn(url)) as conn, conn.cursor() as cur:
        for table in WRITTEN_TABLES:
            with cur.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(dumped[table])
        conn.commit()
    return time.perf_counter() - t0


async def _drive_pipeline(pipeline: StorePipeline, items: list[JobPosting]) -> None:
    await pipeline.open_spider()
    for item in items:
        await pipeline.process_item(item)
    await pipeline.close_spider()


def bench_pipeline(
    url: str, items: list[JobPosting], batch_size: int, near_duplicates: bool = True, passes: int = 1
) -> tuple[float, Any]:
    """Seconds of the last of ``passes`` runs of the pipeline over ``items`` and what it stored."""
    upgrade(url)
    elapsed, stored = 0.0, None
    for _ in range(passes):
        crawler = get_crawler(
            settings_dict={
                "DATABASE_URL": url,
                "STORE_BATCH_SIZE": batch_size,
                "STORE_SPOOL_DIR": "/nonexistent-spool",
                "DEDUPE_NEAR_DUPLICATES": near_duplicates,
            }
        )
        crawler.stats.open_spider()
        pipeline = StorePipeline.from_crawler(crawler)
        t0 = time.perf_counter()
        asyncio.run(_drive_pipeline(pipeline, items))
        elapsed, stored = time.perf_counter() - t0, crawler.stats.get_value("jobs/stored")
    return elapsed, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(42)
    items = [synthetic_posting(i, rng) for i in range(args.rows)]
    size = sum(len(json.dumps(item_fields(i), default=str)) for i in items[:200]) / 200
    print(f"{args.rows} postings, ~{size / 1024:.1f} KB each")
    results: list[tuple[str, float]] = []
    with scratch_database() as url:
        results.append(("COPY, rows encoded beforehand", bench_copy(url, items, encode_in_timing=False)))
    with scratch_database() as url:
        results.append(("COPY from the same items (baseline)", bench_copy(url, items, encode_in_timing=True)))
    with scratch_database() as url:
        results.append(("executemany INSERT .. ON CONFLICT", bench_executemany(url, items)))
    dumped: dict[str, bytes] = {}
    for label, near, passes in (
        ("StorePipeline, near-duplicates off", False, 1),
        ("StorePipeline (default)", True, 1),
        ("StorePipeline (default), same rows again", True, 2),
    ):
        with scratch_database() as url:
            t, stored = bench_pipeline(url, items, args.batch_size, near_duplicates=near, passes=passes)
            if near and passes == 1:
                dumped = dump_written(url)
        assert stored == args.rows, f"{label}: stored {stored} of {args.rows}"
        results.append((label, t))
    with scratch_database() as url:  # like for like: everything the default pipeline wrote
        results.append(("COPY of all the default pipeline wrote", bench_copy_written(url, dumped)))
    base = args.rows / results[1][1]
    print(f"batch size {args.batch_size}; ratio = rows/s / rows/s of COPY from the same items")
    bands = dumped["posting_bands"].count(b"\n")
    print("(the last line COPYs the default pipeline's output again: postings with job ids, their jobs")
    print(f" and {bands:,} dedupe index rows; its rows/s counts postings)")
    print(f"{'method':<44}{'seconds':>9}{'rows/s':>10}{'ratio':>8}")
    for name, t in results:
        rate = args.rows / t
        print(f"{name:<44}{t:>9.2f}{rate:>10,.0f}{rate / base:>8.2f}")


if __name__ == "__main__":
    main()
