"""A rotating proxy pool that learns which exits are blocked.

Off unless ``PROXY_ENABLED`` (a spider's ``custom_settings`` or ``-s PROXY_ENABLED=1``); the
add-on :class:`crawler.proxies.ProxyAddon` (``ADDONS`` in ``settings.py``) installs this
middleware for such crawls at priority 570 and checks the configuration (``PROXIES``,
``PROXY_FILE``: see :mod:`crawler.proxies`) before the first request.

Assignment
    Every http(s) request gets an exit, round-robin over the exits that are not cooling down:
    ``request.meta["proxy"]`` (the URL with credentials, which Scrapy's ``HttpProxyMiddleware``
    at 750 turns into a ``Proxy-Authorization`` header and strips from the meta) and
    ``request.meta["proxy_exit"]`` (the masked exit id, for spiders and logs).  A request keeps
    its exit across redirects and Scrapy's own retries while the exit is not benched.
    ``meta["dont_proxy"] = True`` sends a request directly.  Requests rendered by
    scrapy-playwright (``meta["playwright"]`` with its download handler installed) get a
    browser context per exit (``playwright_context`` ``<context>@proxy:<id>``, the proxy in
    ``playwright_context_kwargs``) instead of ``meta["proxy"]``: the browser must not send a
    ``Proxy-Authorization`` header to the site.  The download slot stays the site's: the
    site's delay and concurrency apply to the crawl as a whole, exits do not multiply them.

Sticky sessions (``PROXY_STICKY``)
    ``meta``: requests with the same ``meta["proxy_session"]`` go through the same exit until
    it is benched; then the session moves to another exit (stat ``proxies/sessions/moved``).
    ``1``/``True``/``referer``: the same, and a request without a session inherits the one of
    the page it was found on (its ``Referer``), or starts a new one: a listing and its detail
    pages (and the listing's next page) share an exit.  ``0`` (default): no stickiness, not
    even for ``meta["proxy_session"]``.

Bans and failures
    A *ban* of an exit is a block signal for a request sent through it:
    ``BlockMiddleware`` (when the spider enables it) offers every signal to this middleware
    first through its ``block_detected`` hook, so the detection is the spider's own (429/999/403,
    authwall redirects, authwall/CAPTCHA pages through ``BLOCK_BODY_PATTERNS``, the spider's
    ``block_reason``).  For spiders without ``BlockMiddleware`` this middleware applies the
    same detection itself (same ``BLOCK_*`` settings).  A *failure* is a transport error
    through the exit (connection refused or lost, timeout, DNS, tunnel refused) or a ``407``
    from the proxy.  Either benches the exit for
    ``min(PROXY_BACKOFF_MAX, PROXY_BACKOFF_BASE * 2 ** (n - 1))`` seconds (n-th ban in a row
    of that exit; at least the ``Retry-After`` it sent), takes the requests already queued
    for it out of the downloader (they are reassigned), and retries the request at once
    through another available exit, at most ``PROXY_MAX_RETRIES`` times per request.  A ban
    of a request that left before the exit's current bench is the same episode (retried,
    not counted again).  A good response through an exit resets its streak.  A block
    reason given by the spider's own hook (e.g. LinkedIn's ambiguous empty page) is weaker
    evidence: the request is retried through another exit but the exit is not benched (a
    request of a sticky session stays on its exit: ``BlockMiddleware`` handles it as without
    proxies).

When every exit is cooling down (or the request used its ``PROXY_MAX_RETRIES``)
    A ban then is *not* claimed: ``BlockMiddleware``'s spider-wide back-off and stop apply as
    without proxies (for spiders without it and for transport failures the request goes on to
    ``RetryMiddleware``/the errback).  A request that finds every exit cooling down waits
    for the first one to come back, at most ``PROXY_MAX_WAIT`` seconds; when none comes back
    within that, the pool gives up: the spider stops with close reason ``"blocked"``
    (``crawl_runs.status = 'blocked'``) through ``BlockMiddleware.stop`` when it is enabled
    (every pending request fails with ``BlockedStop``, unsent; errbacks run), the same way
    otherwise.  ``PROXY_MAX_WAIT = 0`` gives up as soon as every exit is cooling down.

Stats (never credentials: exits are named by their masked id)
    ``proxies/exits``; ``proxies/<id>/requests`` (requests that went out through the exit: a
    response or a transport failure), ``proxies/<id>/blocks`` (block signals, the spider's
    weaker ones included), ``proxies/<id>/failures``, ``proxies/<id>/benched`` (cool-downs
    started); ``proxies/benched`` (cool-downs, all exits), ``proxies/cooling_at_close``,
    ``proxies/rotations`` (retries through another exit), ``proxies/retries_exhausted``,
    ``proxies/waits``, ``proxies/wait_seconds``, ``proxies/sessions/moved``,
    ``proxies/gave_up`` (and ``proxies/stopped_at_url`` without BlockMiddleware).

Priority 570: ``process_request`` runs before ``BlockMiddleware`` (585) and
``HttpProxyMiddleware`` (750); ``process_response`` and ``process_exception`` run after
``BlockMiddleware`` (which turns blocks into retries before they get here) and before
``RetryMiddleware`` (550), so a failed exit is rotated before Scrapy retries the same exit.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from time import monotonic
from typing import Any

from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    CloseSpider,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure

from crawler.middlewares.blocks import (
    META_SKIP,
    STOP_REASON,
    BlockedStop,
    BlockMiddleware,
    BlockSignal,
    block_detected,
)
from crawler.middlewares.engine import engine_of, engine_running
from crawler.proxies import PoolSettings, ProxyExit, ProxyPool, check_settings

logger = logging.getLogger(__name__)

#: request meta: the masked id of the exit the request went through (set here)
META_EXIT = "proxy_exit"
#: request meta: sticky-session key (``PROXY_STICKY``)
META_SESSION = "proxy_session"
#: request meta: send this request directly, not through the pool
META_DONT_PROXY = "dont_proxy"
#: request meta: how many times this request was moved to another exit
META_ROTATIONS = "proxy_retry_times"
_META_SENT = "_proxy_assigned_at"
_META_AVOID = "_proxy_avoid"
_META_PW_CONTEXT = "_proxy_pw_context"
_META_PW_KWARGS = "_proxy_pw_kwargs"
#: block reasons of BlockMiddleware's own detection; any other reason comes from the spider's hook
HARD_REASONS = frozenset({"status", "redirect", "url", "body"})
#: transport errors that mean the exit failed (connecting to the proxy, or the proxy's tunnel)
FAILURES: tuple[type[BaseException], ...] = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
    TunnelError,
    twisted_errors.ConnectError,
    twisted_errors.ConnectionLost,
    twisted_errors.ConnectionDone,
    twisted_errors.TimeoutError,
    TimeoutError,
    ConnectionError,
)
#: scrapy-playwright (browser) network errors that mean the proxy failed
_BROWSER_FAILURE = re.compile(r"net::ERR_(?:PROXY|TUNNEL|CONNECTION|TIMED_OUT|EMPTY_RESPONSE|SOCKS)\w*")
#: longest single sleep while a request waits for an exit (a shutdown is not delayed by it)
_WAIT_STEP = 1.0
#: pages remembered for PROXY_STICKY=referer
_MAX_PAGES = 10_000
_MAX_SESSIONS = 10_000


class ProxyExitBenched(Exception):
    """A queued request taken out of the downloader because its exit was benched; reassigned."""


class ProxyMiddleware:
    """Downloader middleware: see the module documentation."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("PROXY_ENABLED", False):
            raise NotConfigured
        self.crawler = crawler
        exits = check_settings(settings)
        self.config = PoolSettings.from_settings(settings)
        self.pool = ProxyPool(exits, self.config.backoff_base, self.config.backoff_max)
        handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
        self.browser = any("scrapy_playwright" in str(handlers.get(s)) for s in ("http", "https"))
        #: sticky session -> exit id
        self.sessions: OrderedDict[str, str] = OrderedDict()
        #: page URL -> sticky session of the request that fetched it (PROXY_STICKY=referer)
        self.pages: OrderedDict[str, str] = OrderedDict()
        self._session_count = 0
        #: BlockMiddleware of this crawl, if enabled (found when the engine starts)
        self.blocks: BlockMiddleware | None = None
        #: detection for spiders without BlockMiddleware
        self.detector: BlockMiddleware | None = None
        self._ready = False
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.engine_started, signal=signals.engine_started)
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(mw.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(mw.block_detected, signal=block_detected)
        return mw

    # -- signals -------------------------------------------------------------------------------------
    def engine_started(self) -> None:
        if not self._ready:
            self._setup()

    def _setup(self) -> None:
        """Find BlockMiddleware in the chain (or build the fallback detector); log the pool once."""
        self._ready = True
        engine = engine_of(self.crawler)
        middlewares = engine.downloader.middleware.middlewares if engine is not None else ()
        self.blocks = next((m for m in middlewares if isinstance(m, BlockMiddleware)), None)
        if self.blocks is None:
            try:
                # not in the chain: used only for its detection (status, URL and body patterns, spider hook)
                self.detector = BlockMiddleware(self.crawler)
            except NotConfigured:  # BLOCK_ENABLED=False: transport failures only
                self.detector = None
        self._stats().set_value("proxies/exits", len(self.pool.exits))
        logger.info(
            "Proxy pool: %d exits (%s), sticky sessions: %s, bans detected by %s",
            len(self.pool.exits),
            ", ".join(e.id for e in self.pool.exits),
            self.config.sticky,
            "BlockMiddleware" if self.blocks else "the pool (BLOCK_* settings)",
        )

    def spider_idle(self) -> None:
        if self.stopping:
            raise CloseSpider(STOP_REASON)

    def spider_closed(self) -> None:
        now = monotonic()
        self._stats().set_value(
            "proxies/cooling_at_close", sum(not e.available(now) for e in self.pool.exits)
        )

    def response_downloaded(self, response: Response, request: Request) -> None:
        proxy = self._exit_of(request)
        if proxy is not None:
            self._stats().inc_value(f"proxies/{proxy.id}/requests")

    def block_detected(self, request: Request, block: BlockSignal) -> bool:
        """``BlockMiddleware``'s hook: claim the block when another exit can take the request."""
        if self._exit_of(request) is None:
            return False
        return self._exit_problem(request, "blocks", block.reason, block.status, block.retry_after)

    # -- downloader middleware API -------------------------------------------------------------------
    async def process_request(self, request: Request) -> Request | None:
        if not self._ready:
            self._setup()
        if self.stopping:
            raise BlockedStop(f"spider stopping: every proxy exit is cooling down: {request.url}")
        if request.meta.get(META_DONT_PROXY) or urlparse_cached(request).scheme not in ("http", "https"):
            return None
        walls = self.blocks or self.detector
        if (
            walls is not None
            and request.meta.get("redirect_urls")
            and not request.meta.get(META_SKIP)
            and walls.is_block_url(request.url)
        ):
            # a redirect to a login wall: never fetched
            if self.blocks is not None:
                return None  # BlockMiddleware applies what was decided when the 3xx arrived
            if self._exit_of(request) is not None:  # spiders without BlockMiddleware
                original = BlockMiddleware._original_request(request)
                reasons = request.meta.get("redirect_reasons") or [None]
                status = reasons[-1] if isinstance(reasons[-1], int) else None
                if self._exit_problem(original, "blocks", "redirect", status, None):
                    return self._retry(original)
        proxy = await self._choose(request)
        self._assign(request, proxy)
        return None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        proxy = self._exit_of(request)
        if proxy is None:
            return response
        if response.status == 407:
            self._stats().inc_value(f"proxies/{proxy.id}/failures")
            if self._exit_problem(request, "failures", "proxy auth (407)", 407, None):
                return self._retry(request)
            return response
        if self.detector is not None and not request.meta.get(META_SKIP):
            signal = self.detector.detect(request, response)
            if signal is not None:
                if self._exit_problem(request, "blocks", signal.reason, signal.status, signal.retry_after):
                    return self._retry(request)
                return response
        self.pool.good(proxy, float(request.meta.get(_META_SENT, 0.0)))
        session = request.meta.get(META_SESSION)
        if self.config.sticky == "referer" and session is not None:
            self._remember(self.pages, response.url, str(session), _MAX_PAGES)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if isinstance(exception, ProxyExitBenched):
            retry = self._retry(request)
            retry.meta.pop(META_EXIT, None)
            return retry
        proxy = self._exit_of(request)
        if proxy is None or isinstance(exception, IgnoreRequest):
            return None
        browser_failure = _BROWSER_FAILURE.search(str(exception)) if request.meta.get("playwright") else None
        if not isinstance(exception, FAILURES) and browser_failure is None:
            return None
        stats = self._stats()
        stats.inc_value(f"proxies/{proxy.id}/requests")
        stats.inc_value(f"proxies/{proxy.id}/failures")
        reason = browser_failure.group(0) if browser_failure else type(exception).__name__
        if self._exit_problem(request, "failures", reason, None, None):
            return self._retry(request)
        return None

    # -- choosing an exit ----------------------------------------------------------------------------
    async def _choose(self, request: Request) -> ProxyExit:
        session = self._session(request)
        now = monotonic()
        current = self._exit_of(request)
        if (
            current is not None
            and current.available(now)
            and current.id not in request.meta.get(_META_AVOID, ())
        ):
            chosen: ProxyExit | None = current
        elif session is not None and (sticky := self.pool.by_id.get(self.sessions.get(session, ""))):
            chosen = sticky if sticky.available(now) else None
        else:
            chosen = None
        if chosen is None:
            chosen = self.pool.pick(now, request.meta.get(_META_AVOID, ()))
        if chosen is None:
            chosen = await self._wait_for_exit(request)
        if session is not None:
            previous = self.sessions.get(session)
            if previous is not None and previous != chosen.id:
                self._stats().inc_value("proxies/sessions/moved")
                logger.info("Proxy session %r moved from %s to %s", session, previous, chosen.id)
            self._remember(self.sessions, session, chosen.id, _MAX_SESSIONS)
        return chosen

    def _session(self, request: Request) -> str | None:
        if self.config.sticky == "off":
            return None
        session = request.meta.get(META_SESSION)
        if session is not None:
            return str(session)
        if self.config.sticky != "referer":
            return None
        referer = request.headers.get(b"Referer")
        session = self.pages.get(referer.decode("latin-1")) if referer else None
        if session is None:
            self._session_count += 1
            session = f"s{self._session_count}"
        request.meta[META_SESSION] = session  # redirects and retries keep it
        return session

    async def _wait_for_exit(self, request: Request) -> ProxyExit:
        """Every exit is cooling down: wait for the first to come back, at most ``PROXY_MAX_WAIT``."""
        started = monotonic()
        deadline = started + self.config.max_wait
        self._stats().inc_value("proxies/waits")
        logged = False
        while True:
            now = monotonic()
            proxy = self.pool.pick(now, request.meta.get(_META_AVOID, ()))
            if proxy is not None:
                self._stats().inc_value("proxies/wait_seconds", round(now - started, 1))
                return proxy
            soonest = self.pool.soonest()
            if soonest > deadline:
                self._give_up(request, soonest - now)
            if self.stopping or (self.blocks and self.blocks.stopping) or not engine_running(self.crawler):
                raise BlockedStop(f"spider stopping while {request.url} waited for a proxy exit")
            if not logged:
                logger.info(
                    "Every proxy exit is cooling down: %s waits %.1fs for the first to come back",
                    request.url,
                    soonest - now,
                )
                logged = True
            await sleep(max(0.01, min(soonest - now, _WAIT_STEP)))

    def _assign(self, request: Request, proxy: ProxyExit) -> None:
        meta = request.meta
        meta[META_EXIT] = proxy.id
        meta[_META_SENT] = monotonic()
        if self.browser and meta.get("playwright"):
            # a browser context per exit; never meta["proxy"]: HttpProxyMiddleware would put the
            # credentials into a header the browser sends to the site
            base = meta.setdefault(_META_PW_CONTEXT, meta.get("playwright_context", "default"))
            kwargs = dict(meta.setdefault(_META_PW_KWARGS, meta.get("playwright_context_kwargs") or {}))
            server: dict[str, str] = {"server": proxy.server}
            if proxy.username:
                server["username"] = proxy.username
                server["password"] = proxy.password or ""
            kwargs["proxy"] = server
            meta["playwright_context"] = f"{base}@proxy:{proxy.id}"
            meta["playwright_context_kwargs"] = kwargs
            meta.pop("proxy", None)
            return
        # HttpProxyMiddleware (750) turns the credentials into Proxy-Authorization and strips them
        meta["proxy"] = proxy.url

    # -- bans and failures ---------------------------------------------------------------------------
    def _exit_problem(
        self, request: Request, kind: str, reason: str, status: int | None, retry_after: float | None
    ) -> bool:
        """Book a ban/failure on the request's exit; True when the request can go through another exit.

        The exit goes on the request's avoid list, so its retry (ours, BlockMiddleware's or
        RetryMiddleware's) gets another exit when there is one; ``meta["proxy_exit"]`` keeps naming
        the exit that fetched this response.
        """
        proxy = self._exit_of(request)
        if proxy is None:
            return False
        stats = self._stats()
        meta = request.meta
        now = monotonic()
        if kind == "blocks":
            stats.inc_value(f"proxies/{proxy.id}/blocks")
        hard = kind == "failures" or reason in HARD_REASONS
        if not hard and self.config.sticky != "off" and meta.get(META_SESSION) is not None:
            return False  # weak evidence does not break a sticky session: BlockMiddleware decides
        if hard:
            wait = self.pool.bench(proxy, now, float(meta.get(_META_SENT, 0.0)), retry_after)
            if wait is not None:
                stats.inc_value("proxies/benched")
                stats.inc_value(f"proxies/{proxy.id}/benched")
                logger.warning(
                    "Proxy exit %s benched for %.1fs (%s%s; ban %d in a row)",
                    proxy.id,
                    wait,
                    reason,
                    f" {status}" if status is not None else "",
                    proxy.streak,
                )
                self._drain(proxy.id)
        meta[_META_AVOID] = [*meta.get(_META_AVOID, ()), proxy.id]
        rotations = int(meta.get(META_ROTATIONS, 0))
        if rotations >= self.config.max_retries:
            stats.inc_value("proxies/retries_exhausted")
            return False
        if self.pool.pick(now, [proxy.id], advance=False) in (None, proxy):
            return False  # every other exit is cooling down: the spider-wide back-off applies
        meta[META_ROTATIONS] = rotations + 1
        stats.inc_value("proxies/rotations")
        logger.debug("Retrying %s through another exit (%s on %s)", request.url, reason, proxy.id)
        return True

    @staticmethod
    def _retry(request: Request) -> Request:
        return request.replace(dont_filter=True)

    def _drain(self, exit_id: str) -> None:
        """Take the requests queued in the downloader for ``exit_id`` out: they get another exit."""
        engine = engine_of(self.crawler)
        if engine is None:
            return
        for key, slot in list(engine.downloader.slots.items()):
            if not slot.queue:
                continue
            queued = list(slot.queue)
            slot.queue.clear()
            for item in queued:
                if item[0].meta.get(META_EXIT) != exit_id:
                    slot.queue.append(item)
            for queued_request, dfd in queued:
                if queued_request.meta.get(META_EXIT) == exit_id:
                    dfd.errback(
                        Failure(
                            ProxyExitBenched(f"exit {exit_id} benched: {queued_request.url} (slot {key})")
                        )
                    )

    def _give_up(self, request: Request, first_back: float) -> None:
        why = (
            f"every proxy exit is cooling down and the first comes back in {first_back:.0f}s "
            f"(PROXY_MAX_WAIT={self.config.max_wait:g}s)"
        )
        self._stats().set_value("proxies/gave_up", 1)
        if self.blocks is not None:
            self.blocks.stop(request, BlockSignal("proxies", None, request.url), why)
        elif not self.stopping:
            self.stopping = True
            self._stats().set_value("proxies/stopped_at_url", request.url)
            logger.warning("Stopping the spider as blocked at %s: %s", request.url, why)
            engine = engine_of(self.crawler)
            for slot in list(engine.downloader.slots.values()) if engine is not None else ():
                while slot.queue:
                    queued, dfd = slot.queue.popleft()
                    dfd.errback(Failure(BlockedStop(f"spider stopping after a block: {queued.url}")))
        raise BlockedStop(f"blocked: every proxy exit is cooling down: {request.url}")

    # -- helpers ---------------------------------------------------------------------------------------
    def _exit_of(self, request: Request) -> ProxyExit | None:
        exit_id = request.meta.get(META_EXIT)
        return self.pool.by_id.get(exit_id) if isinstance(exit_id, str) else None

    @staticmethod
    def _remember(table: OrderedDict[str, str], key: str, value: str, limit: int) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > limit:
            table.popitem(last=False)

    def _stats(self) -> Any:
        stats = self.crawler.stats
        assert stats is not None
        return stats

