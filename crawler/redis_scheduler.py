"""Scale-out: one Redis frontier (scheduler queue + dupefilter) shared by any number of workers.

``SCHEDULER_BACKEND=redis`` (environment or ``-s``) makes :class:`RedisFrontierAddon` switch
the crawl to scrapy-redis' priority queue and request dupefilter on ``REDIS_URL``, under
``REDIS_KEY_PREFIX:<spider>:…``.  Every ``scrapy crawl <spider>`` started that way, on any
machine, is a worker of the same crawl:

* **seeding** — the first worker to join runs the spider's ``async def start()``; the others
  skip it (:class:`SeedOnceMiddleware`) and take requests from the shared queue.  (Running
  ``start()`` everywhere would be harmless for requests, which the shared dupefilter drops, but
  would repeat every item a ``start()`` yields and every API call it makes.)
* **taking work** — a request is popped and its worker marked busy in one Lua script, so a
  request is never "in nobody's hands" as seen from Redis;
* **the end** — a worker whose engine is idle keeps waiting while the queue has requests,
  another worker is busy (it may still add requests) or seeding is not done; when the queue is
  empty and every live worker has been idle for ``FRONTIER_IDLE_CLOSE`` seconds, all of them
  close with reason ``finished`` (:class:`crawler.extensions.frontier.FrontierIdleClose`).
  The last worker out deletes the crawl's keys, so the next run starts fresh.
* **restarts** — keys survive an interrupted run (SIGTERM, crash): workers started later resume
  the queue with the dupefilter intact.  A worker that joins when no worker is alive and the
  queue is empty starts a new crawl (the old dupefilter is cleared).  A worker not heard from
  for ``FRONTIER_WORKER_TTL`` seconds counts as gone; a request it had popped is lost to this
  run (scrapy-redis has no acknowledgements) and is crawled again by the next one.

scrapy-redis' own ``SCHEDULER_IDLE_BEFORE_CLOSE`` is a *blocking* pop, which would stall the
reactor of every worker; it stays 0 and the close-when-idle extension does that job.
Passwords in ``REDIS_URL`` are masked in every log line (:func:`mask_redis_url`).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis import Redis, RedisError
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler as ScrapyRedisScheduler

logger = logging.getLogger(__name__)

FRONTIER_ATTR = "jobcrawler_frontier"
QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"


def redis_backend(settings: Any) -> bool:
    return str(settings.get("SCHEDULER_BACKEND") or "memory").strip().lower() == "redis"


def mask_redis_url(url: str) -> str:
    """``redis://user:secret@host:6379/0`` -> ``redis://user:***@host:6379/0`` (also ``redis://:secret@``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable Redis URL>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))


def get_frontier(crawler: Crawler | None) -> Frontier | None:
    return getattr(crawler, FRONTIER_ATTR, None) if crawler is not None else None


class FrontierUnavailable(RuntimeError):
    """Redis cannot be reached (the message carries the masked URL)."""


# -- Lua: every decision that involves several keys is one atomic script -----------------------------
# A worker entry in the workers hash is "<busy|idle>|<redis server time>": one clock for all machines.
_LIVE = """
local function alive(v, now, ttl)
  if not v then return false end
  local ts = tonumber(string.match(v, '|(%d+)$'))
  return ts ~= nil and now - ts <= ttl
end
"""

#: KEYS queue, dupefilter, seed, workers; ARGV worker, ttl -> {seeder, reset, queued}
JOIN = (
    _LIVE
    + """
local now = tonumber(redis.call('TIME')[1])
local ttl = tonumber(ARGV[2])
local live = 0
local w = redis.call('HGETALL', KEYS[4])
for i = 1, #w, 2 do
  if alive(w[i + 1], now, ttl) then live = live + 1 else redis.call('HDEL', KEYS[4], w[i]) end
end
local reset = 0
if live == 0 and redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3])
  reset = 1
end
redis.call('HSET', KEYS[4], ARGV[1], 'busy|' .. now)
local seeder = 0
local seed = redis.call('GET', KEYS[3])
if not seed or (seed ~= 'done' and not alive(redis.call('HGET', KEYS[4], seed), now, ttl)) then
  redis.call('SET', KEYS[3], ARGV[1])
  seeder = 1
end
return {seeder, reset, redis.call('ZCARD', KEYS[1])}
"""
)

#: KEYS queue, workers; ARGV worker -> the highest-priority request, its worker marked busy
POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], ARGV[1], 'busy|' .. redis.call('TIME')[1])
return r[1]
"""

#: KEYS workers; ARGV worker, state
MARK = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. redis.call('TIME')[1])
return 1
"""

#: KEYS queue, seed, workers; ARGV worker, ttl -> {queued, other busy workers, seeding}
SNAPSHOT = (
    _LIVE
    + """
local now = tonumber(redis.call('TIME')[1])
local ttl = tonumber(ARGV[2])
local busy = 0
local w = redis.call('HGETALL', KEYS[3])
for i = 1, #w, 2 do
  if w[i] ~= ARGV[1] and alive(w[i + 1], now, ttl) and string.sub(w[i + 1], 1, 5) == 'busy|' then
    busy = busy + 1
  end
end
local seeding = 0
local seed = redis.call('GET', KEYS[2])
if seed and seed ~= 'done' and alive(redis.call('HGET', KEYS[3], seed), now, ttl) then seeding = 1 end
return {redis.call('ZCARD', KEYS[1]), busy, seeding}
"""
)

#: KEYS queue, dupefilter, seed, workers; ARGV worker, ttl, finished -> 1 when the keys were removed
LEAVE = (
    _LIVE
    + """
redis.call('HDEL', KEYS[4], ARGV[1])
if ARGV[3] ~= '1' then return 0 end
local now = tonumber(redis.call('TIME')[1])
local ttl = tonumber(ARGV[2])
local w = redis.call('HGETALL', KEYS[4])
for i = 1, #w, 2 do
  if alive(w[i + 1], now, ttl) then return 0 end
end
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return 1
"""
)


class Frontier:
    """This worker's view of the shared frontier of one spider."""

    def __init__(self, server: Redis, queue_key: str, dupefilter_key: str, ttl: int) -> None:
        self.server = server
        base = queue_key.rsplit(":", 1)[0]
        self.queue_key = queue_key
        self.dupefilter_key = dupefilter_key
        self.seed_key = f"{base}:seed"
        self.workers_key = f"{base}:workers"
        self.ttl = ttl
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.state = "busy"
        self.seeder = False
        self._join = server.register_script(JOIN)
        self._pop = server.register_script(POP)
        self._mark = server.register_script(MARK)
        self._snapshot = server.register_script(SNAPSHOT)
        self._leave = server.register_script(LEAVE)

    def join(self) -> tuple[bool, bool, int]:
        """Register this worker; returns (this worker seeds, a stale frontier was reset, queued)."""
        keys = [self.queue_key, self.dupefilter_key, self.seed_key, self.workers_key]
        seeder, reset, queued = self._join(keys=keys, args=[self.worker, self.ttl])
        self.seeder = bool(seeder)
        return self.seeder, bool(reset), int(queued)

    def pop(self) -> bytes | None:
        data = self._pop(keys=[self.queue_key, self.workers_key], args=[self.worker])
        if data:
            self.state = "busy"
            return bytes(data)
        return None

    def mark(self, state: str | None = None) -> None:
        """Record this worker's state (default: the current one, refreshing its heartbeat)."""
        if state is not None:
            self.state = state
        self._mark(keys=[self.workers_key], args=[self.worker, self.state])

    def snapshot(self) -> tuple[int, int, bool]:
        """(queued requests, other busy workers, seeding still running), read atomically."""
        queued, busy, seeding = self._snapshot(
            keys=[self.queue_key, self.seed_key, self.workers_key], args=[self.worker, self.ttl]
        )
        return int(queued), int(busy), bool(seeding)

    def seeding_done(self) -> None:
        self.server.set(self.seed_key, "done")

    def leave(self, finished: bool) -> bool:
        """Unregister; the last worker of a finished crawl removes its keys (returns True then)."""
        keys = [self.queue_key, self.dupefilter_key, self.seed_key, self.workers_key]
        return bool(self._leave(keys=keys, args=[self.worker, self.ttl, "1" if finished else "0"]))


class RedisScheduler(ScrapyRedisScheduler):
    """scrapy-redis' scheduler with the frontier protocol above (priority queue + request dupefilter)."""

    crawler: Crawler
    frontier: Frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        settings = crawler.settings
        url = settings.get("REDIS_URL") or ""
        server = get_redis_from_settings(settings)
        try:
            server.ping()
        except RedisError as exc:
            raise FrontierUnavailable(
                f"Redis frontier at {mask_redis_url(url)} unreachable: {exc.__class__.__name__}: {exc}"
            ) from None
        prefix = settings.get("REDIS_KEY_PREFIX") or "jobcrawler"
        scheduler = cls(
            server=server,
            persist=True,  # never scrapy-redis' flush-on-close: the other workers still use the frontier
            flush_on_start=False,
            queue_key=f"{prefix}:%(spider)s:requests",
            queue_cls=QUEUE_CLASS,
            dupefilter_key=f"{prefix}:%(spider)s:dupefilter",
            idle_before_close=0,
        )
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        scheduler.url = url
        return scheduler

    def open(self, spider: Spider) -> None:
        self.df = RFPDupeFilter(
            self.server,
            key=self.dupefilter_key % {"spider": spider.name},
            debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"),
        )
        super().open(spider)
        self.frontier = Frontier(
            self.server,
            self.queue.key,
            self.df.key,
            ttl=max(2, self.crawler.settings.getint("FRONTIER_WORKER_TTL", 30)),
        )
        seeder, reset, queued = self.frontier.join()
        setattr(self.crawler, FRONTIER_ATTR, self.frontier)
        logger.info(
            "Redis frontier %s on %s: worker %s joined (%s%s; %d requests queued)",
            self.queue.key.rsplit(":", 1)[0],
            mask_redis_url(self.url),
            self.frontier.worker,
            "seeding from start()" if seeder else "another worker seeds",
            "; the previous crawl's dupefilter was cleared" if reset else "",
            queued,
        )

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            if self.stats is not None:
                self.stats.inc_value("dupefilter/filtered")
            return False
        self.queue.push(request)
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        data = self.frontier.pop()
        if data is None:
            return None
        request: Request = self.queue._decode_request(data)
        if self.stats is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason: str) -> None:
        frontier = getattr(self, "frontier", None)
        if frontier is None:
            return
        try:
            cleaned = frontier.leave(finished=reason == "finished")
        except RedisError as exc:
            logger.warning("could not leave the Redis frontier: %s", exc.__class__.__name__)
            return
        if cleaned:
            logger.info("Redis frontier finished: this was the last worker, its keys were removed")
        elif reason != "finished":
            logger.info("Redis frontier kept (close reason %s): workers started later resume it", reason)


class SeedOnceMiddleware:
    """Spider middleware: only the worker that seeds the frontier runs the spider's ``start()``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeedOnceMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        frontier = get_frontier(self.crawler)
        if frontier is not None and not frontier.seeder:
            logger.info("another worker runs start(): this one takes requests from the shared frontier")
            self.crawler.stats.set_value("frontier/seeded", False)
            return
        try:
            async for item_or_request in start:
                yield item_or_request
        finally:
            if frontier is not None:
                frontier.seeding_done()
                self.crawler.stats.set_value("frontier/seeded", True)


class RedisFrontierAddon:
    """Scrapy add-on (``ADDONS``): ``SCHEDULER_BACKEND=redis`` switches to the shared frontier."""

    def update_settings(self, settings: Settings) -> None:
        if not redis_backend(settings):
            return
        settings.set("SCHEDULER", "crawler.redis_scheduler.RedisScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("SCHEDULER_IDLE_BEFORE_CLOSE", 0, "addon")
        settings["SPIDER_MIDDLEWARES"]["crawler.redis_scheduler.SeedOnceMiddleware"] = 5
        settings["EXTENSIONS"]["crawler.extensions.frontier.FrontierIdleClose"] = 600
