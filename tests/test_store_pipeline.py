"""The storage pipeline: batching, back-pressure, spooling when the database is down, replay."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from crawler.db.engine import get_engine
from crawler.db.migrate import SchemaNotReady, upgrade
from crawler.db.models import postings
from crawler.items import JobPosting
from pipelines.store import StorePipeline


def make_items(n: int, source: str = "greenhouse") -> list[JobPosting]:
    return [
        JobPosting(source=source, source_id=str(i), title=f"Engineer {i}", description_text="x\x00y" if i == 0 else "d")
        for i in range(n)
    ]


def run_pipeline(settings: dict, items: list[JobPosting]) -> tuple[StorePipeline, dict]:
    crawler = get_crawler(settings_dict=settings)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    pipeline = StorePipeline.from_crawler(crawler)

    async def drive() -> None:
        await pipeline.open_spider()
        for item in items:
            assert await pipeline.process_item(item) is item
        await pipeline.close_spider()

    asyncio.run(drive())
    return pipeline, crawler.stats.get_stats()


def count(url: str) -> int:
    with get_engine(url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(postings)).scalar_one())


def test_batches_and_final_flush(db_url: str, tmp_path: Path) -> None:
    upgrade(db_url)
    settings = {"DATABASE_URL": db_url, "STORE_BATCH_SIZE": 40, "STORE_SPOOL_DIR": str(tmp_path / "spool")}
    _, stats = run_pipeline(settings, make_items(101))
    assert stats["jobs/stored"] == 101
    assert stats["jobs/store/batches"] == 3  # 40 + 40 + the final 21
    assert count(db_url) == 101
    with get_engine(db_url).connect() as conn:
        assert conn.execute(select(postings.c.description_text).where(postings.c.source_id == "0")).scalar_one() == "xy"


def test_time_bounded_flush(sqlite_url: str, tmp_path: Path) -> None:
    """A slow trickle of items is written after STORE_FLUSH_INTERVAL, not only at the end."""
    settings = {"DATABASE_URL": sqlite_url, "STORE_BATCH_SIZE": 1000, "STORE_FLUSH_INTERVAL": 0.2,
                "STORE_SPOOL_DIR": str(tmp_path / "spool")}
    crawler = get_crawler(settings_dict=settings)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    pipeline = StorePipeline.from_crawler(crawler)
    seen_midway: list[int] = []

    async def drive() -> None:
        await pipeline.open_spider()  # SQLite: migrated on first use
        for item in make_items(3):
            await pipeline.process_item(item)
        await asyncio.sleep(1.5)
        seen_midway.append(count(sqlite_url))
        await pipeline.close_spider()

    asyncio.run(drive())
    assert seen_midway == [3]


def test_postgres_without_schema_fails_with_a_clear_message(pg_url: str, tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"DATABASE_URL": pg_url, "STORE_SPOOL_DIR": str(tmp_path)})
    pipeline = StorePipeline.from_crawler(crawler)
    with pytest.raises(SchemaNotReady, match="scrapy migrate") as err:
        asyncio.run(pipeline.open_spider())
    assert "s3cr3t" not in str(err.value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_database_down_spools_then_next_run_replays(pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spool = tmp_path / "spool"
    down_url = f"postgresql+psycopg://postgres:s3cr3t-test-pw@127.0.0.1:{free_port()}/nowhere"
    caplog.set_level(logging.INFO)
    _, stats = run_pipeline({"DATABASE_URL": down_url, "STORE_BATCH_SIZE": 10, "STORE_SPOOL_DIR": str(spool)}, make_items(25))
    assert stats.get("jobs/stored", 0) == 0
    assert stats["jobs/store/spooled"] == 25 and stats["jobs/store/spool_pending"] == 25
    files = list(spool.glob("spool-*.jsonl"))
    assert len(files) == 1
    spooled = [json.loads(line) for line in files[0].read_text().splitlines()]
    assert sorted(int(i["source_id"]) for i in spooled) == list(range(25))
    assert "s3cr3t-test-pw" not in caplog.text
    assert "could not write 10 postings" in caplog.text

    # the database is back: the next run replays the spool before crawling
    upgrade(pg_url)
    _, stats = run_pipeline({"DATABASE_URL": pg_url, "STORE_SPOOL_DIR": str(spool)}, make_items(5, source="lever"))
    assert stats["jobs/store/replayed"] == 25 and stats["jobs/store/spool_pending"] == 0
    assert count(pg_url) == 30
    assert list(spool.glob("*.jsonl")) == []
