"""An unexpected exception in one item's processing: counted, logged with the id, dead-lettered, replayable."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs, postings
from tests.crawl import run_crawl
from tests.mockserver import MockServer, Route

GITLAB = "boards/greenhouse/greenhouse_board_jobs_gitlab_content_breteai.json"
WITH_FAULT = json.dumps(
    {
        "pipelines.validate.ValidatePipeline": 100,
        "pipelines.normalize.NormalizePipeline": 200,
        "tests.reliability.faulty.FaultyPipeline": 250,
        "pipelines.dedupe.DedupePipeline": 300,
        "pipelines.store.StorePipeline": 400,
    }
)


def test_failed_item_goes_to_dead_letters_and_replays(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    dead = tmp_path / "dead"
    env = {"DATABASE_URL": pg_url, "DEAD_LETTER_DIR": str(dead), "STORE_SPOOL_DIR": str(tmp_path / "spool")}
    with MockServer({"/v1/boards/gitlab/jobs": Route.file(GITLAB)}) as srv:
        first = run_crawl(
            "greenhouse",
            args={"companies": "gitlab", "base_url": srv.base_url},
            settings={"ITEM_PIPELINES": WITH_FAULT},
            env={**env, "FAIL_TITLE": "AI Engineer"},
        )
    assert first.returncode == 1, first.log[-3000:]  # status failed (crawler/exitcodes.py)
    assert "Error processing greenhouse:8556658002" in first.log  # logged with the posting's id
    files = list(dead.glob("dead-greenhouse-*.jsonl"))
    assert len(files) == 1
    (record,) = [json.loads(line) for line in files[0].read_text().splitlines()]
    assert record["item"]["source_id"] == "8556658002" and "injected failure" in record["error"]
    with get_engine(pg_url).connect() as conn:
        assert sorted(conn.execute(select(postings.c.source_id)).scalars()) == ["8503792002", "8638232002"]
        run = conn.execute(select(crawl_runs)).mappings().one()
    assert run["stats"]["jobs/dead_letter"] == 1 and run["status"] == "failed"

    # the cause is fixed: the replay stores the item through every pipeline, and the file is gone
    replay = run_crawl("deadletter", env=env)
    assert replay.returncode == 0, replay.log[-3000:]
    with get_engine(pg_url).connect() as conn:
        stored = conn.execute(select(postings).where(postings.c.source_id == "8556658002")).mappings().one()
    assert stored["title"] == "AI Engineer" and stored["description_text"]
    assert list(dead.glob("*.jsonl")) == []
