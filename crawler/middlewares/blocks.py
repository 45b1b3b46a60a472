"""Block detection, back-off and a clean stop for sites that rate-limit or wall off crawlers.

Generic: enable it for a spider in its ``custom_settings`` and configure it with
settings (which ``custom_settings`` may override)::

    custom_settings = {
        "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.blocks.BlockMiddleware": 585},
        "BLOCK_HTTP_CODES": [429, 999, 403],
        "BLOCK_URL_PATTERNS": ["^/authwall", "^/login", "^/checkpoint", "^/uas/login"],
        "BLOCK_BODY_PATTERNS": ["urn:li:page:auth_wall"],
    }

Block signals
    * a response status in ``BLOCK_HTTP_CODES`` (default 429, 999, 403);
    * a redirect to a URL whose *path* matches one of ``BLOCK_URL_PATTERNS``
      (regular expressions, ``re.search`` on the path; default ``^/authwall``,
      ``^/login``, ``^/checkpoint``, ``^/uas/login``): read from the ``Location``
      header when the 3xx arrives; the request ``RedirectMiddleware`` then builds
      for the wall is caught in ``process_request`` and never sent;
    * a final response URL matching those patterns (browser-followed redirects);
    * a text body matching one of ``BLOCK_BODY_PATTERNS`` (regular expressions);
    * the spider's own verdict: an optional spider method
      ``block_reason(request, response) -> str | None`` (e.g. an empty result page
      where cards were expected); a non-empty string is the reason.
    Requests with ``meta["dont_block_check"] = True`` are never checked.

Rerouting (hook)
    Before any back-off, every block signal is offered to the handlers of the Scrapy
    signal :data:`block_detected` (``request``, ``block``: the :class:`BlockSignal`).
    A handler returning ``True`` claims it: the request is retried at once (with the
    meta the handler left on it), the slot is not paused and the signal does not count
    toward ``BLOCK_MAX_RETRIES`` (stat ``blocks/rerouted``).  The proxy pool
    (``crawler/middlewares/proxies.py``) claims a block on one exit while another exit
    is available; only when none is does the back-off below apply.

On a block signal
    The request is retried after a pause of its download slot: the pause is
    ``min(BLOCK_BACKOFF_MAX, BLOCK_BACKOFF_BASE * 2 ** (n - 1))`` seconds for the
    n-th consecutive signal, and at least the ``Retry-After`` the server sent
    (delta-seconds or an HTTP date).  A ``Retry-After`` longer than
    ``BLOCK_BACKOFF_MAX`` stops the spider at once (waiting hours inside one crawl
    helps nobody; resume later).  The pause holds every request of that slot:
    the ones already queued in the downloader slot are taken out and rescheduled,
    and every request of the slot entering the downloader waits in
    :meth:`BlockMiddleware.process_request` until the pause is over (an
    asynchronous wait: the reactor keeps running, other slots keep going).
    Status and redirect signals are decided in the ``response_downloaded`` signal,
    before the downloader frees the slot for the next queued request, so nothing
    leaves during the pause; body and spider-hook signals need the decoded response
    and are decided in ``process_response`` (with no download delay, one queued
    request may already be out by then: it comes back in the same episode).
    Signals arriving during a pause belong to the same episode: those requests
    are retried after the pause but do not count again.  Any good response
    outside a pause resets the count.

Stop
    After ``BLOCK_MAX_RETRIES`` consecutive signals (the next one), the middleware
    stops the spider: every request still scheduled, queued or arriving fails
    with :class:`BlockedStop` (an ``IgnoreRequest``) *without being sent*, so
    spiders' errbacks still run and can emit what they know (nothing scraped is
    lost); when the spider is idle it is closed with reason ``"blocked"``.
    Stats: ``blocks/count``, ``blocks/reason/<reason>``, ``blocks/last_status``,
    ``blocks/last_reason``, ``blocks/last_url``, ``blocks/backoff_seconds``,
    ``blocks/max_backoff``, ``blocks/retries``, and on stop
    ``blocks/stopped_at_url`` (the URL the spider wanted when it gave up).

Priority 585 (between ``MetaRefreshMiddleware`` 580 and
``HttpCompressionMiddleware`` 590): responses reach it decompressed and before
``RetryMiddleware`` (550), so a 429 is handled here with back-off instead of an
immediate retry.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.asyncio import sleep
from twisted.python.failure import Failure

from crawler.middlewares.engine import engine_of, engine_running

logger = logging.getLogger(__name__)

#: close reason of a spider stopped by this middleware (``crawl_runs.status = 'blocked'``)
STOP_REASON = "blocked"
DEFAULT_HTTP_CODES = (429, 999, 403)
DEFAULT_URL_PATTERNS = (r"^/authwall", r"^/login", r"^/checkpoint", r"^/uas/login")
DEFAULT_MAX_RETRIES = 5
DEFAULT_BACKOFF_BASE = 10.0
DEFAULT_BACKOFF_MAX = 600.0
#: request meta: never check this request for blocks
META_SKIP = "dont_block_check"
#: request meta set on retries: how many block signals this request met
META_RETRIES = "block_retry_times"
_REDIRECT_META = ("redirect_times", "redirect_ttl", "redirect_urls", "redirect_reasons")
#: request meta (internal): the decision taken when the response arrived
_META_DECISION = "_block_decision"
#: longest single wait step while a request is held (so a shutdown is not delayed by a long pause)
_HOLD_STEP = 1.0


#: Scrapy signal sent for each block signal before the back-off (see "Rerouting" above);
#: arguments ``request`` and ``block``; a handler returning ``True`` claims the signal
block_detected = object()


class BlockedStop(IgnoreRequest):
    """A request dropped without being sent because the spider stops after a block."""


class _Drained(Exception):
    """A request taken out of a paused download slot's queue; rescheduled by ``process_exception``."""


def parse_retry_after(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds from delta-seconds (``"120"``) or an HTTP date; ``None`` if absent/invalid."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else str(value)).strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential back-off for the ``attempt``-th consecutive block signal (1-based), capped."""
    return float(min(cap, base * 2 ** max(0, attempt - 1)))


@dataclass(frozen=True)
class BlockSignal:
    #: ``status``, ``redirect``, ``url``, ``body`` or a reason given by the spider
    reason: str
    status: int | None
    url: str
    retry_after: float | None = None


_REGEX_META = frozenset(".^$*+?{}[]|()")


def literal_of(pattern: str) -> str | None:
    """The text ``pattern`` matches if it is a plain literal (``\\?``-style escapes of punctuation
    allowed), else None: ``r"/authwall\\?"`` -> ``"/authwall?"``, ``r"auth.*wall"`` -> None."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 < len(pattern) and not pattern[i + 1].isalnum() and not pattern[i + 1].isspace():
                out.append(pattern[i + 1])
                i += 2
                continue
            return None
        if ch in _REGEX_META:
            return None
        out.append(ch)
        i += 1
    return "".join(out)


class BlockMiddleware:
    """Downloader middleware: see the module documentation."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("BLOCK_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.http_codes: set[int] = {
            int(c) for c in settings.getlist("BLOCK_HTTP_CODES", list(DEFAULT_HTTP_CODES))
        }
        self.url_patterns: list[re.Pattern[str]] = [
            re.compile(p) for p in settings.getlist("BLOCK_URL_PATTERNS", list(DEFAULT_URL_PATTERNS))
        ]
        self.body_literals: list[bytes] = []  # plain-text patterns: a substring search (~20x a regex)
        self.body_patterns: list[re.Pattern[bytes]] = []
        for p in settings.getlist("BLOCK_BODY_PATTERNS", []):
            literal = literal_of(p) if isinstance(p, str) else None
            if literal:
                self.body_literals.append(literal.encode("utf-8"))
            else:
                self.body_patterns.append(re.compile(p.encode("utf-8") if isinstance(p, str) else p))
        self.max_retries = settings.getint("BLOCK_MAX_RETRIES", DEFAULT_MAX_RETRIES)
        self.backoff_base = settings.getfloat("BLOCK_BACKOFF_BASE", DEFAULT_BACKOFF_BASE)
        self.backoff_max = settings.getfloat("BLOCK_BACKOFF_MAX", DEFAULT_BACKOFF_MAX)
        #: block signals since the last good response (one per episode)
        self.consecutive = 0
        self.stopping = False
        self._paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(mw.response_downloaded, signal=signals.response_downloaded)
        return mw

    # -- signals --------------------------------------------------------------------------
    def spider_idle(self) -> None:
        if self.stopping:
            raise CloseSpider(STOP_REASON)

    def response_downloaded(self, response: Response, request: Request) -> None:
        """Decide on status/redirect signals as soon as the response arrives.

        This signal fires before the downloader frees the slot and sends the next
        queued request, so the pause starts before anything else goes out (with a
        short delay, or a response slower than the delay, the next request would
        otherwise leave before ``process_response`` runs).  Body and spider-hook
        signals need the decoded response and are decided in ``process_response``.
        """
        if self.stopping or request.meta.get(META_SKIP):
            return
        signal = self.detect_early(request, response)
        if signal is not None:
            request.meta[_META_DECISION] = self._decide(request, signal)

    # -- downloader middleware API -----------------------------------------------------------
    async def process_request(self, request: Request) -> Request | None:
        if self.stopping:
            raise BlockedStop(f"spider stopping after a block: {request.url}")
        if request.meta.get(META_SKIP):
            return None
        if request.meta.get("redirect_urls") and self.is_block_url(request.url):
            # RedirectMiddleware followed a redirect to a login wall: never fetch the wall.
            # The 3xx was already decided on when it arrived (the decision rides in the copied meta).
            decision = request.meta.get(_META_DECISION)
            if decision is None:
                reasons = request.meta.get("redirect_reasons") or [None]
                status = reasons[-1] if isinstance(reasons[-1], int) else None
                decision = self._decide(
                    self._original_request(request), BlockSignal("redirect", status, request.url)
                )
            return self._apply(decision)
        key = self._slot_key(request)
        if self._paused_until.get(key, 0.0) > monotonic():
            await self._hold(key)
            if self.stopping:
                raise BlockedStop(f"spider stopping after a block: {request.url}")
            if not engine_running(self.crawler):
                raise IgnoreRequest(f"engine stopped while {request.url} waited for a block pause")
        return None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get(META_SKIP):
            return response
        decision = request.meta.pop(_META_DECISION, None)
        if decision is not None:
            return self._apply(decision)
        signal = self.detect(request, response)
        if self.stopping:
            if signal is not None:
                raise BlockedStop(f"blocked ({signal.reason}) while stopping: {request.url}")
            return response  # sent before the stop: keep what it brought
        if signal is None:
            if self._paused_until.get(self._slot_key(request), 0.0) <= monotonic():
                self.consecutive = 0
            return response
        return self._apply(self._decide(request, signal))

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if isinstance(exception, _Drained):
            if self.stopping:
                raise BlockedStop(f"spider stopping after a block: {request.url}") from exception
            # taken out of a paused slot: reschedule; process_request holds it until the pause ends
            return request.replace(dont_filter=True)
        return None

    # -- detection ---------------------------------------------------------------------------------
    def is_block_url(self, url: str) -> bool:
        path = urlsplit(url).path or "/"
        return any(p.search(path) for p in self.url_patterns)

    def detect_early(self, request: Request, response: Response) -> BlockSignal | None:
        """Signals readable before the body is decoded: status, ``Location``, final URL."""
        status = response.status
        if status in self.http_codes:
            retry_after = parse_retry_after(response.headers.get(b"Retry-After"))
            return BlockSignal("status", status, response.url, retry_after)
        location = response.headers.get(b"Location")
        if 300 <= status < 400 and location:
            target = urljoin(response.url, location.decode("latin-1"))
            if self.is_block_url(target):
                return BlockSignal("redirect", status, target)
        if self.is_block_url(response.url) and not self.is_block_url(request.url):
            return BlockSignal("url", status, response.url)
        return None

    def detect(self, request: Request, response: Response) -> BlockSignal | None:
        """The block signal carried by ``response``, if any."""
        signal = self.detect_early(request, response)
        if signal is not None:
            return signal
        if (self.body_literals or self.body_patterns) and isinstance(response, TextResponse):
            body = response.body
            if any(lit in body for lit in self.body_literals) or any(p.search(body) for p in self.body_patterns):
                return BlockSignal("body", response.status, response.url)
        hook = getattr(self.crawler.spider, "block_reason", None)
        if callable(hook):
            reason = hook(request, response)
            if reason:
                return BlockSignal(str(reason), response.status, response.url)
        return None

    # -- handling ------------------------------------------------------------------------------------
    @staticmethod
    def _apply(decision: Request | BlockedStop) -> Request:
        if isinstance(decision, BlockedStop):
            raise decision
        return decision

    def _decide(self, request: Request, signal: BlockSignal) -> Request | BlockedStop:
        """Count the signal and pause the slot: the retry request, or the stop exception."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("blocks/count")
        stats.inc_value(f"blocks/reason/{signal.reason}")
        stats.set_value("blocks/last_status", signal.status)
        stats.set_value("blocks/last_reason", signal.reason)
        stats.set_value("blocks/last_url", signal.url)
        if self.stopping:
            return BlockedStop(f"blocked ({signal.reason}) while stopping: {request.url}")
        if self._rerouted(request, signal):
            stats.inc_value("blocks/rerouted")
            return self._retry(request)
        key = self._slot_key(request)
        now = monotonic()
        if self._paused_until.get(key, 0.0) > now:
            # sent before the current pause began: same episode, retried after the pause
            logger.debug("Block signal (%s) during a pause, retried later: %s", signal.reason, request.url)
            return self._retry(request)
        self.consecutive += 1
        if self.consecutive > self.max_retries:
            self.stop(request, signal, f"{self.max_retries} retries with back-off did not help")
            return BlockedStop(f"blocked: {request.url}")
        wait = backoff_delay(self.consecutive, self.backoff_base, self.backoff_max)
        if signal.retry_after is not None:
            if signal.retry_after > self.backoff_max:
                self.stop(
                    request,
                    signal,
                    f"Retry-After {signal.retry_after:.0f}s is above BLOCK_BACKOFF_MAX={self.backoff_max:.0f}s",
                )
                return BlockedStop(f"blocked: {request.url}")
            wait = max(wait, signal.retry_after)
        self._pause(key, wait)
        stats.inc_value("blocks/backoff_seconds", round(wait))
        stats.max_value("blocks/max_backoff", wait)
        stats.inc_value("blocks/retries")
        logger.warning(
            "Block signal (%s, status %s) for %s: pausing slot %r for %.1fs, retry %d/%d",
            signal.reason,
            signal.status,
            request.url,
            key,
            wait,
            self.consecutive,
            self.max_retries,
        )
        return self._retry(request)

    def _rerouted(self, request: Request, signal: BlockSignal) -> bool:
        """True when a :data:`block_detected` handler claimed the signal (e.g. another proxy exit)."""
        results = self.crawler.signals.send_catch_log(block_detected, request=request, block=signal)
        return any(result is True for _, result in results)

    def stop(self, request: Request, signal: BlockSignal, why: str) -> None:
        """Stop the crawl: fail every pending request unsent; close with ``"blocked"`` when idle."""
        if self.stopping:
            return
        self.stopping = True
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value("blocks/stopped_at_url", request.url)
        logger.warning(
            "Stopping the spider as blocked at %s (%s, status %s): %s",
            request.url,
            signal.reason,
            signal.status,
            why,
        )
        self._drain(None, BlockedStop)

    def _retry(self, request: Request) -> Request:
        retry = request.replace(dont_filter=True)
        retry.meta.pop(_META_DECISION, None)
        retry.meta[META_RETRIES] = int(request.meta.get(META_RETRIES, 0)) + 1
        return retry

    def _pause(self, key: str, seconds: float) -> None:
        until = monotonic() + seconds
        self._paused_until[key] = max(self._paused_until.get(key, 0.0), until)
        # requests already waiting in the downloader slot would go out during the pause otherwise
        self._drain(key, _Drained)

    def _drain(self, key: str | None, exc_type: type[Exception]) -> None:
        """Fail the requests queued in download slot ``key`` (all slots if ``None``) with ``exc_type``."""
        engine = engine_of(self.crawler)
        if engine is None:
            return
        slots = engine.downloader.slots
        for slot_key in [key] if key is not None else list(slots):
            slot = slots.get(slot_key) if slot_key is not None else None
            if slot is None:
                continue
            while slot.queue:
                queued, dfd = slot.queue.popleft()
                dfd.errback(Failure(exc_type(f"taken out of download slot {slot_key!r}: {queued.url}")))

    async def _hold(self, key: str) -> None:
        """Wait (without blocking the reactor) until the pause of slot ``key`` ends or the crawl stops."""
        while not self.stopping and engine_running(self.crawler):
            remaining = self._paused_until.get(key, 0.0) - monotonic()
            if remaining <= 0:
                return
            await sleep(min(remaining, _HOLD_STEP))

    def _slot_key(self, request: Request) -> str:
        key = request.meta.get("download_slot")
        if isinstance(key, str):
            return key
        engine = engine_of(self.crawler)
        if engine is None:
            return urlsplit(request.url).hostname or ""
        return engine.downloader.get_slot_key(request)

    @staticmethod
    def _original_request(redirected: Request) -> Request:
        """The request that was redirected (first URL of the chain), without redirect bookkeeping."""
        urls: list[str] = redirected.meta.get("redirect_urls") or [redirected.url]
        meta: dict[str, Any] = {
            k: v for k, v in redirected.meta.items() if k not in _REDIRECT_META and k != _META_DECISION
        }
        return redirected.replace(url=urls[0], meta=meta)
