"""Storage benchmark: the real storage pipeline vs PostgreSQL's own COPY, same rows, same run.

    .venv/bin/python -m bench.store [--rows 20000] [--batch-size 1000] [--repeat 3]

Each method writes the same postings into the ``postings`` table of a fresh database:

- COPY of rows encoded beforehand (the server's own speed) and COPY from the same
  in-memory postings (encode + COPY: the baseline every ratio is printed against);
- ``executemany`` of ``INSERT .. ON CONFLICT DO UPDATE`` (the plain way to upsert);
- ``pipelines.store.StorePipeline`` (buffer -> writer threads -> batched upsert; on
  PostgreSQL it only stores: new postings are COPY-ed, stored ones merged, and new or
  changed ones marked ``link_pending``), then the link stage (``pipelines.link``) that
  assigns their cross-source jobs and fills the dedupe index, each timed on its own and
  together, as a crawl runs them;
- the store again on the same postings (the update path of a re-run), and the store with
  ``STORE_LINK_INLINE`` (jobs assigned inside the write transaction);
- COPY of exactly what the store and the link stage wrote (postings with their job ids,
  the ``jobs`` rows and the ``posting_bands`` index rows, dumped from its database): the
  like-for-like bulk load the whole write path can be compared with.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
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
from pipelines.link import LinkPipeline
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


async def _drive(store: StorePipeline, link: LinkPipeline, items: list[JobPosting]) -> tuple[float, float]:
    """Items through the store then the link stage, as a crawl does; (store seconds, link seconds).

    The link stage's periodic pass is off: it links everything after the store has written
    its last posting (what a crawl shorter than ``LINK_INTERVAL`` does)."""
    t0 = time.perf_counter()
    await store.open_spider()
    await link.open_spider()
    for item in items:
        await link.process_item(await store.process_item(item))
    await store.close_spider()
    t1 = time.perf_counter()
    await link.close_spider()
    return t1 - t0, time.perf_counter() - t1


def bench_pipeline(
    url: str, items: list[JobPosting], batch_size: int, passes: int = 1, **settings: Any
) -> tuple[float, float, Any]:
    """(store seconds, link seconds) of the last of ``passes`` runs over ``items``, postings stored."""
    upgrade(url)
    elapsed: tuple[float, float] = (0.0, 0.0)
    stored = None
    for _ in range(passes):
        crawler = get_crawler(
            settings_dict={
                "DATABASE_URL": url,
                "STORE_BATCH_SIZE": batch_size,
                "STORE_SPOOL_DIR": "/nonexistent-spool",
                "LINK_INTERVAL": 0,
                **settings,
            }
        )
        crawler.stats.open_spider()
        store, link = StorePipeline.from_crawler(crawler), LinkPipeline.from_crawler(crawler)
        elapsed = asyncio.run(_drive(store, link, items))
        stored = crawler.stats.get_value("jobs/stored")
        assert not crawler.stats.get_value("jobs/link/pending"), "postings left unlinked"
    return elapsed[0], elapsed[1], stored


BASELINE = "COPY from the same items (baseline)"
STORE = "StorePipeline (default)"


def one_round(items: list[JobPosting], batch_size: int) -> tuple[dict[str, float], dict[str, bytes]]:
    """Seconds of every method once, each into a fresh database; and what the default pipeline wrote."""
    rows = len(items)
    out: dict[str, float] = {}
    with scratch_database() as url:
        out["COPY, rows encoded beforehand"] = bench_copy(url, items, encode_in_timing=False)
    with scratch_database() as url:
        out[BASELINE] = bench_copy(url, items, encode_in_timing=True)
    with scratch_database() as url:
        out["executemany INSERT .. ON CONFLICT"] = bench_executemany(url, items)
    dumped: dict[str, bytes] = {}
    for label, passes, settings in (
        (STORE, 1, {}),
        ("StorePipeline (default), same rows again", 2, {}),
        ("StorePipeline, jobs linked in its transaction", 1, {"STORE_LINK_INLINE": True}),
    ):
        with scratch_database() as url:
            store_s, link_s, stored = bench_pipeline(url, items, batch_size, passes, **settings)
            if passes == 1 and not settings:
                dumped = dump_written(url)
        assert stored == rows, f"{label}: stored {stored} of {rows}"
        out[label] = store_s
        if passes == 1 and not settings:
            out["  then the link stage (jobs, dedupe index)"] = link_s
            out["  store + link stage"] = store_s + link_s
    with scratch_database() as url:  # like for like: everything the default pipeline wrote
        out["COPY of all store + link stage wrote"] = bench_copy_written(url, dumped)
    return out, dumped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of every method, interleaved; medians are printed"
    )
    args = parser.parse_args()
    rng = random.Random(42)
    items = [synthetic_posting(i, rng) for i in range(args.rows)]
    size = sum(len(json.dumps(item_fields(i), default=str)) for i in items[:200]) / 200
    print(f"{args.rows} postings, ~{size / 1024:.1f} KB each; {args.repeat} round(s)")
    rounds: list[dict[str, float]] = []
    dumped: dict[str, bytes] = {}
    for n in range(max(1, args.repeat)):
        result, dumped = one_round(items, args.batch_size)
        rounds.append(result)
        ratio = result[BASELINE] / result[STORE]
        print(
            f"round {n + 1}: COPY {args.rows / result[BASELINE]:,.0f} rows/s, store {args.rows / result[STORE]:,.0f} "
            f"rows/s, ratio {ratio:.2f}"
        )
    print(
        f"batch size {args.batch_size}; ratio = rows/s / rows/s of COPY from the same items, median of the rounds"
    )
    print("(each round's ratio is to that round's own COPY: the range shows how much the machine moved)")
    bands = dumped["posting_bands"].count(b"\n")
    print("(the last line COPYs the store's and link stage's output again: postings with job ids, their jobs")
    print(f" and {bands:,} dedupe index rows; its rows/s counts postings)")
    base = args.rows / statistics.median(r[BASELINE] for r in rounds)
    print(f"{'method':<50}{'seconds':>9}{'rows/s':>10}{'ratio':>8}  {'ratio range':>11}")
    for name in rounds[0]:
        t = statistics.median(r[name] for r in rounds)
        per_round = [r[BASELINE] / r[name] for r in rounds]
        rate = args.rows / t
        span = f"{min(per_round):.2f}-{max(per_round):.2f}" if len(rounds) > 1 else ""
        print(f"{name:<50}{t:>9.2f}{rate:>10,.0f}{rate / base:>8.2f}  {span:>11}")


if __name__ == "__main__":
    main()
