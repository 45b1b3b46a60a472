"""The proxy pool: configuration, masked exit ids, per-exit cool-down, and the add-on that installs
:class:`crawler.middlewares.proxies.ProxyMiddleware` for spiders that opt in.

Configuration (settings, ``-s NAME=value``, a spider's ``custom_settings``; ``PROXIES`` and
``PROXY_FILE`` also from the environment through ``settings.py``):

``PROXY_ENABLED``
    off by default; a spider opts in (``custom_settings``) or a run does (``-s PROXY_ENABLED=1``).
``PROXIES``
    a list, or one string of URLs separated by commas, spaces or newlines.
``PROXY_FILE``
    a file with one URL per line (blank lines and ``#`` comments ignored).  Both sources add up
    (duplicates dropped).

A proxy URL is ``http://[user:password@]host:port`` (``host:port`` alone means ``http://``).
Scrapy's HTTP/1.1 download handler talks to HTTP proxies only: ``https://`` sites go through an
HTTP ``CONNECT`` tunnel of the same proxy.  ``socks4://``/``socks5://`` and ``https://`` proxy
URLs (TLS to the proxy, which that handler cannot combine with ``https://`` sites) are
configuration errors, as are malformed URLs and an empty pool: the crawl stops before its first
request with a :class:`ProxyConfigError` naming the entry (credentials masked).

Credentials never reach logs or stats: every exit is named by :func:`exit_id`, ``host:port``
or, with credentials, ``<6 hex of a hash of user:password>@host:port`` (stable across runs).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

#: priority of ProxyMiddleware: process_request after RetryMiddleware (550), before BlockMiddleware (585)
#: and HttpProxyMiddleware (750); process_response/process_exception after BlockMiddleware, before
#: RetryMiddleware (see the middleware's documentation)
MIDDLEWARE_PRIORITY = 570
DEFAULT_MAX_RETRIES = 5
DEFAULT_BACKOFF_BASE = 30.0
DEFAULT_BACKOFF_MAX = 1800.0
DEFAULT_MAX_WAIT = 300.0
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off", "none"})
_SOCKS = frozenset({"socks", "socks4", "socks4a", "socks5", "socks5h"})
_USERINFO = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*://)?[^/@\s]*@", re.I)


class ProxyConfigError(ValueError):
    """A proxy configuration that cannot work (raised before the first request)."""


def mask(raw: str) -> str:
    """``scheme://user:pass@host:port`` -> ``scheme://***@host:port`` (for error messages)."""
    return _USERINFO.sub(lambda m: f"{m.group('scheme') or ''}***@", raw.strip(), count=1)


def exit_id(host: str, port: int, userinfo: str | None) -> str:
    """The public name of an exit: ``host:port``, or ``<hash>@host:port`` when it has credentials."""
    hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if not userinfo:
        return hostport
    digest = hashlib.sha256(userinfo.encode("utf-8")).hexdigest()[:6]
    return f"{digest}@{hostport}"


@dataclass(eq=False)
class ProxyExit:
    """One proxy of the pool and its cool-down state (times are ``time.monotonic()`` seconds)."""

    id: str
    #: the URL with credentials: only ever put into ``request.meta["proxy"]``, never logged
    url: str = field(repr=False)
    host: str
    port: int
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    #: consecutive bans (reset by a good response sent after the last bench)
    streak: int = 0
    #: cooling down until this time
    until: float = 0.0
    #: when it was last benched (``-inf``: never)
    benched_at: float = -math.inf

    @property
    def server(self) -> str:
        """``http://host:port`` without credentials (a browser context's ``proxy.server``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def available(self, now: float) -> bool:
        return now >= self.until


def parse_proxy_url(raw: str, where: str = "PROXIES") -> ProxyExit:
    """One proxy URL -> :class:`ProxyExit`; :class:`ProxyConfigError` (credentials masked) if unusable."""
    text = raw.strip()
    shown = mask(text)
    if not text or any(c.isspace() for c in text):
        raise ProxyConfigError(f"{where}: {shown!r} is not a proxy URL")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in _SOCKS:
        raise ProxyConfigError(
            f"{where}: {shown!r}: SOCKS proxies are not supported (Scrapy's HTTP/1.1 download handler "
            "speaks to HTTP proxies only); use the provider's http:// endpoint or a local HTTP-to-SOCKS bridge"
        )
    if scheme == "https":
        raise ProxyConfigError(
            f"{where}: {shown!r}: https:// proxy URLs (TLS to the proxy) do not work for https:// sites in "
            "Scrapy's HTTP/1.1 download handler; use http://host:port (https sites still go through an "
            "encrypted CONNECT tunnel)"
        )
    if scheme != "http":
        raise ProxyConfigError(f"{where}: {shown!r}: unsupported scheme {scheme!r} (expected http://)")
    try:
        port = parts.port
    except ValueError:
        raise ProxyConfigError(f"{where}: {shown!r}: invalid port") from None
    host = parts.hostname
    if not host:
        raise ProxyConfigError(f"{where}: {shown!r}: missing host")
    if port is None:
        raise ProxyConfigError(f"{where}: {shown!r}: missing port (http://host:port)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ProxyConfigError(f"{where}: {shown!r}: a proxy URL has no path or query")
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else None
    if userinfo is not None and not parts.username:
        raise ProxyConfigError(f"{where}: {shown!r}: empty user name before '@'")
    hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    url = f"http://{userinfo}@{hostport}" if userinfo else f"http://{hostport}"
    return ProxyExit(
        id=exit_id(host, port, userinfo),
        url=url,
        host=host,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def _entries(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in re.split(r"[\s,]+", value) if p]
    if isinstance(value, Iterable):
        out: list[str] = []
        for item in value:
            out.extend(_entries(item))
        return out
    raise ProxyConfigError(f"PROXIES: expected a list or a string of URLs, got {type(value).__name__}")


def read_proxy_file(path: str | Path) -> list[tuple[str, str]]:
    """``(where, url)`` for each line of a proxy file (blank lines and ``#`` comments skipped)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProxyConfigError(f"PROXY_FILE {str(path)!r}: cannot read it: {exc}") from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = re.split(r"\s+#", line.strip(), maxsplit=1)[0].strip()  # "url  # comment"
        if entry and not entry.startswith("#"):
            out.append((f"PROXY_FILE {str(path)!r} line {number}", entry))
    return out


def load_exits(settings: BaseSettings) -> list[ProxyExit]:
    """Every exit of ``PROXIES`` and ``PROXY_FILE`` (in that order, duplicates dropped)."""
    sources = [(f"PROXIES entry {i}", e) for i, e in enumerate(_entries(settings.get("PROXIES")), 1)]
    path = settings.get("PROXY_FILE")
    if path:
        sources += read_proxy_file(path)
    exits: dict[str, ProxyExit] = {}
    seen: set[str] = set()
    for where, raw in sources:
        proxy = parse_proxy_url(raw, where)
        if proxy.url in seen:
            continue
        seen.add(proxy.url)
        name, n = proxy.id, 1
        while name in exits:  # same host:port with different credentials and a hash collision
            n += 1
            name = f"{proxy.id}#{n}"
        proxy.id = name
        exits[name] = proxy
    if not exits:
        raise ProxyConfigError(
            "PROXY_ENABLED is set but the pool is empty: give PROXIES (setting or environment variable, "
            "comma-separated URLs) or PROXY_FILE (one URL per line)"
        )
    return list(exits.values())


def sticky_mode(value: Any) -> str:
    """``PROXY_STICKY``: ``off`` (0/False), ``meta`` or ``referer`` (1/True)."""
    text = str(value if value is not None else "").strip().lower()
    if text in _FALSE:
        return "off"
    if text in _TRUE or text == "referer":
        return "referer"
    if text == "meta":
        return "meta"
    raise ProxyConfigError(f"PROXY_STICKY={value!r}: expected 0, 1, 'meta' or 'referer'")


@dataclass(frozen=True)
class PoolSettings:
    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_base: float = DEFAULT_BACKOFF_BASE
    backoff_max: float = DEFAULT_BACKOFF_MAX
    max_wait: float = DEFAULT_MAX_WAIT
    sticky: str = "off"

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> PoolSettings:
        try:
            values = cls(
                max_retries=settings.getint("PROXY_MAX_RETRIES", DEFAULT_MAX_RETRIES),
                backoff_base=settings.getfloat("PROXY_BACKOFF_BASE", DEFAULT_BACKOFF_BASE),
                backoff_max=settings.getfloat("PROXY_BACKOFF_MAX", DEFAULT_BACKOFF_MAX),
                max_wait=settings.getfloat("PROXY_MAX_WAIT", DEFAULT_MAX_WAIT),
                sticky=sticky_mode(settings.get("PROXY_STICKY", False)),
            )
        except ValueError as exc:
            if isinstance(exc, ProxyConfigError):
                raise
            raise ProxyConfigError(f"proxy settings: {exc}") from None
        for name in ("max_retries", "backoff_base", "backoff_max", "max_wait"):
            if getattr(values, name) < 0:
                raise ProxyConfigError(f"PROXY_{name.upper()} must be >= 0")
        return values


class ProxyPool:
    """Round-robin over the exits that are not cooling down; exponential cool-down per exit.

    Pure state (the caller passes the clock), so it is tested without a crawl.
    """

    def __init__(self, exits: Sequence[ProxyExit], backoff_base: float, backoff_max: float) -> None:
        if not exits:
            raise ProxyConfigError("the proxy pool is empty")
        self.exits = list(exits)
        self.by_id = {e.id: e for e in self.exits}
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._next = 0

    def available(self, now: float) -> list[ProxyExit]:
        return [e for e in self.exits if e.available(now)]

    def pick(self, now: float, avoid: Iterable[str] = (), advance: bool = True) -> ProxyExit | None:
        """The next available exit in round-robin order (skipping ``avoid`` unless nothing else is left)."""
        avoid = set(avoid)
        n = len(self.exits)
        fallback: tuple[int, ProxyExit] | None = None
        for step in range(n):
            index = (self._next + step) % n
            candidate = self.exits[index]
            if not candidate.available(now):
                continue
            if candidate.id in avoid:
                fallback = fallback or (index, candidate)
                continue
            if advance:
                self._next = index + 1
            return candidate
        if fallback is not None and advance:
            self._next = fallback[0] + 1
        return fallback[1] if fallback else None

    def soonest(self) -> float:
        """When the first exit comes back (``time.monotonic()`` seconds)."""
        return min(e.until for e in self.exits)

    def cooldown(self, streak: int, retry_after: float | None = None) -> float:
        wait = float(min(self.backoff_max, self.backoff_base * 2 ** max(0, streak - 1)))
        return max(wait, retry_after) if retry_after is not None else wait

    def bench(
        self, proxy: ProxyExit, now: float, sent_at: float, retry_after: float | None = None
    ) -> float | None:
        """Cool ``proxy`` down after a ban of a request sent at ``sent_at``: the cool-down in seconds, or
        ``None`` when the request left before the current bench (same episode: not counted again)."""
        if sent_at < proxy.benched_at:
            return None
        proxy.streak += 1
        wait = self.cooldown(proxy.streak, retry_after)
        proxy.benched_at = now
        proxy.until = max(proxy.until, now + wait)
        return wait

    def good(self, proxy: ProxyExit, sent_at: float) -> None:
        """A good response through ``proxy``: its ban streak starts over (if sent after the last bench)."""
        if sent_at >= proxy.benched_at:
            proxy.streak = 0


class ProxyAddon:
    """Scrapy add-on (``ADDONS`` in ``settings.py``): for a crawl with ``PROXY_ENABLED`` it checks the
    configuration (a :class:`ProxyConfigError` stops the crawl before it starts) and puts
    :class:`~crawler.middlewares.proxies.ProxyMiddleware` into ``DOWNLOADER_MIDDLEWARES``, whichever
    dictionary the spider uses (a spider's ``custom_settings`` replaces the project's)."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.getbool("PROXY_ENABLED", False):
            return
        check_settings(settings)
        from crawler.middlewares.proxies import ProxyMiddleware

        settings.setdefault_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", ProxyMiddleware, MIDDLEWARE_PRIORITY
        )


def check_settings(settings: BaseSettings) -> list[ProxyExit]:
    """Every check of the proxy configuration; the exits when it is usable."""
    exits = load_exits(settings)
    PoolSettings.from_settings(settings)
    if any(e.username for e in exits) and not settings.getbool("HTTPPROXY_ENABLED", True):
        raise ProxyConfigError(
            "proxies with credentials need HTTPPROXY_ENABLED (Scrapy's HttpProxyMiddleware sends them "
            "as Proxy-Authorization)"
        )
    return exits
