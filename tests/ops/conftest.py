"""Redis for the ops tests: the real server on 127.0.0.1:6379 (``REDIS_HOST``/``REDIS_PORT``).

Each test gets its own ACL user (with a password, so tests can prove it never reaches a log)
allowed only on its own key prefix: runs never collide, and a test that touched another
prefix would fail.  A missing server fails the test; it is never skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis

REDIS_HOST = os.environ.get("REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("REDIS_PORT", "6379"))


@dataclass
class RedisTarget:
    url: str
    prefix: str
    password: str
    admin: redis.Redis

    def keys(self) -> list[bytes]:
        return list(self.admin.scan_iter(match=f"{self.prefix}:*", count=1000))


@pytest.fixture
def redis_target() -> Iterator[RedisTarget]:
    admin = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=5)
    try:
        admin.ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis is required at {REDIS_HOST}:{REDIS_PORT} (start it; see README): {exc}", pytrace=False
        )
    token = secrets.token_hex(6)
    user, password, prefix = f"jc_test_{token}", f"pw-{secrets.token_hex(8)}", f"jc_test_{token}"
    admin.acl_setuser(
        user, enabled=True, passwords=[f"+{password}"], keys=[f"{prefix}:*"], commands=["+@all"], reset=True
    )
    try:
        yield RedisTarget(f"redis://{user}:{password}@{REDIS_HOST}:{REDIS_PORT}/0", prefix, password, admin)
    finally:
        for key in admin.scan_iter(match=f"{prefix}:*", count=1000):
            admin.delete(key)
        admin.acl_deluser(user)
        admin.close()
