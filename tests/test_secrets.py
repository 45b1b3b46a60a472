"""No secret leaves the process: real crawls with a database password, a GitHub token and a Redis password.

``scrapy crawl github_vagas`` runs (as cron would, at DEBUG log level) against a local GitHub API
server with:

- ``DATABASE_URL`` = a PostgreSQL URL with a password (``tests/conftest.py``'s ``pg_url``);
- ``GITHUB_TOKEN`` in the environment (the server checks it arrives as ``Authorization: Bearer``);
- ``REDIS_URL`` in the environment with a password — unused by the in-memory scheduler, and used
  for real with ``SCHEDULER_BACKEND=redis`` (the local Redis accepts any password for its
  ``default`` user);
- a secret-looking spider argument (``-a api_key=...``).

Then the captured log, the JSON Lines feed, the crawl summary file, the ``crawl_runs`` row (its
arguments and full stats) and, for the Redis run, every key the crawl left in Redis are searched:
none of the secrets appears, in clear or URL-encoded.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import crawl_runs
from tests.conftest import PG_PASSWORD
from tests.crawl import run_crawl
from tests.mockserver import FIXTURES, MockServer, Request, Route

GITHUB_TOKEN = "ghp_T3stT0kenNeverLogged0123456789abcdef"
REDIS_PASSWORD = "r3dis-Pa55-never-logged"
API_KEY = "ak-s3cret-from-the-command-line"
SECRETS = (PG_PASSWORD, GITHUB_TOKEN, REDIS_PASSWORD, API_KEY)
ISSUES = "/repos/backend-br/vagas/issues"


def leaks(name: str, text: str) -> list[str]:
    return [f"{name} contains {s[:6]}…" for s in SECRETS if s in text or quote(s, safe="") in text]


def redis_leftovers(prefix: str) -> str:
    """Every key the crawl left in Redis under ``prefix`` and its value, as text (then deleted)."""
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    dump: list[str] = []
    for key in client.scan_iter(f"{prefix}:*"):
        kind = client.type(key).decode()
        if kind == "string":
            values: Any = [client.get(key)]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = client.zrange(key, 0, -1)
        elif kind == "hash":
            values = [f"{k!r}={v!r}" for k, v in client.hgetall(key).items()]
        else:
            values = []
        dump.append(f"{key!r}: {values!r}")
        client.delete(key)
    return "\n".join(dump)


@pytest.mark.parametrize("scheduler", ["memory", "redis"])
def test_secrets_never_reach_logs_feeds_stats_or_crawl_runs(scheduler: str, pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    seen_auth: list[str | None] = []

    def issues(req: Request) -> Route:
        seen_auth.append(req.headers.get("Authorization"))
        return Route.file("boards/github/TESTDATA_github_issues_page1.json", root=FIXTURES)

    prefix = f"jc_test_secrets_{uuid.uuid4().hex[:10]}"
    feed = tmp_path / "feed.jsonl"
    summary = tmp_path / "summary.json"
    with MockServer({ISSUES: issues}) as server:
        result = run_crawl(
            "github_vagas",
            args={"repos": "backend-br/vagas", "base_url": server.base_url, "api_key": API_KEY},
            settings={
                "LOG_LEVEL": "DEBUG",
                "DOWNLOAD_DELAY": "0",
                "AUTOTHROTTLE_ENABLED": "0",
                "STORE_FLUSH_INTERVAL": "0.2",
                "CRAWL_SUMMARY_FILE": str(summary),
                "SCHEDULER_BACKEND": scheduler,
                "REDIS_KEY_PREFIX": prefix,
                "FRONTIER_IDLE_CLOSE": "1",
            },
            env={
                "DATABASE_URL": pg_url,
                "GITHUB_TOKEN": GITHUB_TOKEN,
                "REDIS_URL": f"redis://default:{REDIS_PASSWORD}@127.0.0.1:6379/0",
                "STORE_SPOOL_DIR": str(tmp_path / "spool"),
            },
            output=feed,
        )
    leftovers = redis_leftovers(prefix)
    assert result.returncode == 0, result.log[-3000:]
    assert seen_auth and all(a == f"Bearer {GITHUB_TOKEN}" for a in seen_auth)  # the token was used
    assert len(result.items) == 3
    with get_engine(pg_url).connect() as conn:
        runs = [dict(r) for r in conn.execute(select(crawl_runs)).mappings()]
    assert len(runs) == 1 and runs[0]["stats"] and runs[0]["args"]["api_key"] == "***"
    if scheduler == "redis":
        assert "Redis frontier" in result.log and "default:***@" in result.log
    artifacts = {
        "log": result.log,
        "feed": feed.read_text(encoding="utf-8"),
        "summary": summary.read_text(encoding="utf-8") if summary.exists() else "",
        "crawl_runs": json.dumps(runs, default=str, ensure_ascii=False),
        "redis": leftovers,
    }
    assert "***" in result.log  # the database URL is logged, masked
    found = [leak for name, text in artifacts.items() for leak in leaks(name, text)]
    assert not found, found
