"""The normalize pipeline's worker pool gives exactly what normalizing in place gives, and a
broken pool loses nothing (real labelled postings, a real ProcessPoolExecutor)."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import os
import signal
from typing import Any

from scrapy.utils.test import get_crawler

from crawler.evaluate import build_posting, load_dataset
from crawler.normalize.pool import normalize_one
from pipelines.normalize import NormalizePipeline


def postings(n: int) -> list[Any]:
    rows = load_dataset()
    return [build_posting(row["ref"]) for row in rows[:n]]


def pipeline(**settings: Any) -> NormalizePipeline:
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    return NormalizePipeline.from_crawler(crawler)


async def run_all(pipe: NormalizePipeline, items: list[Any], until_warm: bool = True) -> list[Any]:
    out = [await pipe.process_item(items[0])]  # starts the pool (NORMALIZE_POOL_AFTER=0)
    while until_warm and not pipe.pool_ready:
        await asyncio.sleep(0.05)
    out += await asyncio.gather(*(pipe.process_item(item) for item in items[1:]))
    return out


def test_pool_gives_the_same_postings_and_stats_as_in_place() -> None:
    items = postings(60)
    expected = [normalize_one(copy.deepcopy(item))[0] for item in items]
    pipe = pipeline(NORMALIZE_WORKERS=1, NORMALIZE_POOL_AFTER=0, NORMALIZE_BATCH=8)
    inline = pipeline(NORMALIZE_WORKERS=0)

    async def both() -> tuple[list[Any], list[Any]]:
        pooled = await run_all(pipe, [copy.deepcopy(i) for i in items])
        await pipe.close_spider()
        alone = [await inline.process_item(copy.deepcopy(i)) for i in items]
        return pooled, alone

    pooled, alone = asyncio.run(both())
    assert pipe.pool is None  # shut down by close_spider
    assert [dataclasses.asdict(i) for i in pooled] == [dataclasses.asdict(i) for i in expected]
    assert [dataclasses.asdict(i) for i in alone] == [dataclasses.asdict(i) for i in expected]
    normalize_stats = {k: v for k, v in pipe.stats.get_stats().items() if k.startswith("jobs/normalize/")}
    assert normalize_stats == {
        k: v for k, v in inline.stats.get_stats().items() if k.startswith("jobs/normalize/")
    }
    assert all(i.content_hash for i in pooled)


def test_small_crawls_never_start_a_process() -> None:
    pipe = pipeline(NORMALIZE_WORKERS=1, NORMALIZE_POOL_AFTER=200)
    items = postings(20)

    async def go() -> list[Any]:
        return [await pipe.process_item(i) for i in items]

    done = asyncio.run(go())
    assert pipe.pool is None and all(i.content_hash for i in done)


def test_a_killed_worker_loses_no_posting() -> None:
    items = postings(80)
    expected = [dataclasses.asdict(normalize_one(copy.deepcopy(item))[0]) for item in items]
    pipe = pipeline(NORMALIZE_WORKERS=1, NORMALIZE_POOL_AFTER=0, NORMALIZE_BATCH=4)

    async def go() -> list[Any]:
        first = await run_all(pipe, items[:10])
        assert pipe.pool is not None
        for pid in list(pipe.pool._processes):  # the worker dies (OOM killer, kill -9)
            os.kill(pid, signal.SIGKILL)
        rest = await asyncio.gather(*(pipe.process_item(i) for i in items[10:]))
        await pipe.close_spider()
        return first + list(rest)

    done = asyncio.run(go())
    assert [dataclasses.asdict(i) for i in done] == expected
    assert pipe.stats.get_value("jobs/normalize_pool/broken") == 1
    assert pipe.pool is None
