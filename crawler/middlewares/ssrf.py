"""SSRF guard: never fetch an internal address or a non-HTTP(S) URL that crawled content points at.

Spiders follow URLs that come from the pages they crawl: pagination links, posting links,
``Link: rel="next"`` headers, JSON-LD ``url``s, redirects.  A hostile page can point them at the
crawler's own network: ``http://169.254.169.254/`` (cloud metadata, credentials),
``http://127.0.0.1:6379/`` (a local Redis), ``http://10.0.0.5/admin``, or at ``file:///etc/passwd``
(Scrapy has a ``file:`` and a ``data:`` download handler).  :class:`SsrfGuardMiddleware` checks
**every** request before anything is sent, robots.txt requests and redirect targets included
(``RedirectMiddleware`` returns the new request to the engine, which schedules it, so it comes
through ``process_request`` again), and drops the ones that

- use a scheme other than ``http``/``https`` (reason ``scheme``), or have no usable host
  (``invalid_host``);
- name, or resolve to, an address that is loopback (``loopback``), private or unique-local
  (``private``, also 100.64.0.0/10), link-local (``link_local``), a cloud metadata endpoint
  (``metadata``: 169.254.169.254, fd00:ec2::254, 169.254.170.2, 100.100.100.200, 168.63.129.16),
  unspecified (``unspecified``), multicast (``multicast``), reserved (``reserved``) or otherwise not
  globally routable (``not_global``).  IPv4 addresses embedded in IPv6 (``::ffff:127.0.0.1``,
  6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``, Teredo) are checked as the IPv4 address they carry.

Host names are resolved with ``socket.getaddrinfo`` in a thread (the reactor never blocks; at
most ``DNS_TIMEOUT`` seconds) and **every** address must pass.  The address checked is then put
in Scrapy's DNS cache (with the default ``CachingThreadedResolver``), so the connection goes to
exactly that address: a DNS answer that changes between the check and the connection (DNS
rebinding) cannot slip an internal address in.  A name already in that cache is checked as
cached.  (With another ``TWISTED_DNS_RESOLVER`` or ``DNSCACHE_ENABLED = False`` names are
checked but not pinned.)  A name that does not resolve fails the request with
``DNSLookupError``, as the downloader itself would (retried like any DNS error, counted as
``ssrf/dns_error``): nothing unchecked is ever sent.

A blocked request raises :class:`SsrfBlocked` (an ``IgnoreRequest``: the request's errback runs,
nothing is retried), is logged at WARNING with the page that linked it, and is counted:
``ssrf/blocked`` and ``ssrf/blocked/<reason>``.

Allowed, without any check (the operator's explicit choices):

- the spider's configured base URL (``-a base_url=``, ``<SPIDER>_BASE_URL`` or the spider's own
  default): its host and port (``SSRF_ALLOW_BASE_URL``, default on).  A template base URL
  (Recruitee's ``https://{company}.recruitee.com``) allows the hosts under that domain;
- the host and port of the spider's start requests, e.g. the ``-a urls=`` of the ``jsonld``
  spider (``SSRF_ALLOW_START_URLS``, default on).  Only requests Scrapy's start middleware marked
  ``is_start_request`` count, and never a redirect of one;
- ``SSRF_ALLOWED_HOSTS``: a list (or comma-separated string) of ``host``, ``host:port``,
  ``[v6]:port``, ``*.domain[:port]`` or a URL; and networks in CIDR form (``10.20.0.0/16``) whose
  addresses are accepted after resolution.  E.g. ``-s SSRF_ALLOWED_HOSTS=127.0.0.1:8000`` for a
  local mirror.

``SSRF_GUARD_ENABLED = False`` turns the guard off (not recommended).  :class:`SsrfGuardAddon`
(``ADDONS`` in ``settings.py``) installs it at priority 50, right after Scrapy's
``OffsiteMiddleware`` and before ``RobotsTxtMiddleware`` (100), so a blocked host is not even
asked for its robots.txt; an add-on, because a spider's ``custom_settings``
``DOWNLOADER_MIDDLEWARES`` (LinkedIn's) replaces the project's dictionary.

Not covered: sub-resources a browser fetches while rendering a page (``meta["playwright"]``
requests: scripts, images, XHR go out from Chromium, not through Scrapy), and requests sent
through a proxy, where the proxy resolves the name again.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Final, NoReturn
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

#: position in DOWNLOADER_MIDDLEWARES: after OffsiteMiddleware (50), before RobotsTxtMiddleware (100)
PRIORITY: Final = 50
SAFE_SCHEMES: Final = frozenset({"http", "https"})
DEFAULT_PORTS: Final = {"http": 80, "https": 443}
#: cloud metadata / host-agent endpoints (AWS, GCP, Azure, Alibaba, ECS task metadata)
METADATA_ADDRESSES: Final[frozenset[IPAddress]] = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200", "168.63.129.16")
)
_SHARED: Final = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not private, not global
_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_RESOLVERS: Final = frozenset({"scrapy.resolver.CachingThreadedResolver"})


class SsrfBlocked(IgnoreRequest):
    """A request the SSRF guard refused to send."""

    def __init__(self, reason: str, url: str, detail: str = "") -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"SSRF guard: {reason}{f' ({detail})' if detail else ''}: {url}")


# --- pure checks ---------------------------------------------------------------------------------------------
def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why connecting to ``address`` is not allowed (``"loopback"``, ``"private"``, ...), else ``None``."""
    embedded = _embedded_ipv4(address)
    if embedded is not None and (problem := address_problem(embedded)):
        return problem
    if address in METADATA_ADDRESSES:
        return "metadata"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link_local"
    if address.is_multicast:
        return "multicast"
    if address.is_private or (isinstance(address, ipaddress.IPv4Address) and address in _SHARED):
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "not_global"
    return None


def parse_ip(host: str) -> IPAddress | None:
    """``host`` as an IP address (brackets and an IPv6 zone allowed), else ``None``."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def normalize_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def safe_url(url: str) -> str:
    """The URL without user info (never log a password), cut to 300 characters."""
    try:
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            host = parts.hostname or ""
            netloc = f"[{host}]" if ":" in host else host
            if parts.port is not None:
                netloc += f":{parts.port}"
            url = urlunsplit(parts._replace(netloc=f"***@{netloc}"))
    except ValueError:
        pass
    return url if len(url) <= 300 else url[:300] + "..."


@dataclass
class AllowList:
    """Hosts (with or without a port), ``*.domain`` wildcards and networks that are never blocked."""

    hosts: set[tuple[str, int | None]] = field(default_factory=set)
    suffixes: set[tuple[str, int | None]] = field(default_factory=set)
    networks: list[IPNetwork] = field(default_factory=list)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        allowed = cls()
        for entry in entries:
            allowed.add(entry)
        return allowed

    def add(self, entry: str) -> None:
        """Add ``host``, ``host:port``, ``[v6]:port``, ``*.domain[:port]``, a URL or a CIDR network."""
        entry = entry.strip()
        if not entry:
            return
        if "/" in entry and "://" not in entry:
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
                return
            except ValueError:
                pass
        parts = urlsplit(entry if "://" in entry else f"//{entry}")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"SSRF_ALLOWED_HOSTS: bad port in {entry!r}") from None
        if port is None and "://" in entry:
            port = DEFAULT_PORTS.get(parts.scheme.lower())
        host = normalize_host(parts.hostname or "")
        if not host:
            raise ValueError(f"SSRF_ALLOWED_HOSTS: no host in {entry!r}")
        if host.startswith("*."):
            self.suffixes.add((host[1:], port))
        elif "{" in host:  # a template base URL: "{company}.recruitee.com" allows "*.recruitee.com"
            self.suffixes.add(("." + host.split(".", 1)[1] if "." in host else host, port))
        else:
            self.hosts.add((host, port))

    def allows_host(self, host: str, port: int) -> bool:
        host = normalize_host(host)
        if (host, port) in self.hosts or (host, None) in self.hosts:
            return True
        return any(host.endswith(suffix) and p in (None, port) for suffix, p in self.suffixes)

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks if network.version == address.version)


async def resolve_in_thread(host: str, port: int, timeout: float = 60.0) -> list[str]:
    """Every address ``host`` resolves to (``getaddrinfo`` in the reactor's thread pool)."""
    from twisted.internet import reactor
    from twisted.internet.threads import deferToThread

    def lookup() -> list[str]:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    deferred = deferToThread(lookup)
    deferred.addTimeout(timeout, reactor)
    return await maybe_deferred_to_future(deferred)


# --- the middleware ----------------------------------------------------------------------------------------------
class SsrfGuardMiddleware:
    """Downloader middleware: see the module documentation."""

    def __init__(self, crawler: Crawler, resolver: Resolver | None = None) -> None:
        settings = crawler.settings
        if not settings.getbool("SSRF_GUARD_ENABLED", True):
            raise NotConfigured("SSRF_GUARD_ENABLED is off")
        self.crawler = crawler
        self.stats = crawler.stats
        self.allowed = AllowList.parse(settings.getlist("SSRF_ALLOWED_HOSTS"))
        self.allow_base_url = settings.getbool("SSRF_ALLOW_BASE_URL", True)
        self.allow_start_urls = settings.getbool("SSRF_ALLOW_START_URLS", True)
        self.dns_timeout = settings.getfloat("DNS_TIMEOUT", 60.0)
        # pin only into the default resolver's cache (a deprecated DNS_RESOLVER override: no pinning)
        self.pin_dns = (
            settings.getbool("DNSCACHE_ENABLED", True)
            and (settings.getpriority("DNS_RESOLVER") or 0) <= SETTINGS_PRIORITIES["default"]
            and str(settings.get("TWISTED_DNS_RESOLVER")) in _DEFAULT_RESOLVERS
        )
        self.resolver: Resolver = resolver or (lambda host, port: resolve_in_thread(host, port, self.dns_timeout))
        self._spider_allowed: AllowList | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SsrfGuardMiddleware:
        return cls(crawler)

    # -- allowed hosts -------------------------------------------------------------------------------------
    def spider_allowed(self) -> AllowList:
        """The spider's own base URL (computed once, on the first request)."""
        if self._spider_allowed is None:
            self._spider_allowed = AllowList()
            spider = getattr(self.crawler, "spider", None)
            if self.allow_base_url and spider is not None:
                try:
                    base = str(getattr(spider, "base_url", "") or "")
                except Exception:  # e.g. an aggregator board without a base URL: nothing to allow
                    base = ""
                if base and "://" in base:
                    try:
                        self._spider_allowed.add(base)
                    except ValueError:
                        logger.warning("SSRF guard: base URL %s has no usable host", safe_url(base))
        return self._spider_allowed

    def _is_start_request(self, request: Request) -> bool:
        return bool(request.meta.get("is_start_request")) and not request.meta.get("redirect_urls")

    # -- checks ------------------------------------------------------------------------------------------------
    async def process_request(self, request: Request) -> None:
        try:
            parts = urlsplit(request.url)
            scheme = parts.scheme.lower()
            name = parts.hostname or ""  # as the downloader will resolve it (lower case, "host." kept)
            port = parts.port or DEFAULT_PORTS.get(scheme, 0)
        except ValueError:
            self.block(request, "invalid_host", "unparsable URL")
        if scheme not in SAFE_SCHEMES:
            self.block(request, "scheme", scheme or "no scheme")
        host = normalize_host(name)
        if not host:
            self.block(request, "invalid_host", "no host")
        if self.allowed.allows_host(host, port) or self.spider_allowed().allows_host(host, port):
            return None
        if self.allow_start_urls and self._is_start_request(request):
            self.spider_allowed().add(f"{host}:{port}" if ":" not in host else f"[{host}]:{port}")
            return None
        literal = parse_ip(host)
        if literal is not None:
            self.check_addresses(request, [literal])
            return None
        addresses = await self.addresses(request, name, port)
        self.check_addresses(request, addresses)
        self.pin(name, addresses)
        return None

    async def addresses(self, request: Request, host: str, port: int) -> list[IPAddress]:
        """The addresses the connection could use: Scrapy's cached answer, else a fresh resolution."""
        cached = self._cached(host)
        if cached:
            return cached
        try:
            resolved = await self.resolver(host, port)
        except UnicodeError:
            self.block(request, "invalid_host", "not a valid host name")
        except Exception as exc:  # gaierror, timeout: fail like the downloader would, unchecked = unsent
            if self.stats is not None:
                self.stats.inc_value("ssrf/dns_error")
            raise DNSLookupError(f"{host}: {exc.__class__.__name__}: {exc}") from None
        addresses = [a for a in (parse_ip(r) for r in resolved) if a is not None]
        if not addresses:
            raise DNSLookupError(f"{host}: no address")
        return addresses

    def check_addresses(self, request: Request, addresses: list[IPAddress]) -> None:
        for address in addresses:
            problem = address_problem(address)
            if problem and not self.allowed.allows_address(address):
                self.block(request, problem, str(address))

    def block(self, request: Request, reason: str, detail: str = "") -> NoReturn:
        if self.stats is not None:
            self.stats.inc_value("ssrf/blocked")
            self.stats.inc_value(f"ssrf/blocked/{reason}")
        referer = request.headers.get("Referer")
        logger.warning(
            "SSRF guard: not fetching %s: %s%s%s",
            safe_url(request.url),
            reason,
            f" ({detail})" if detail else "",
            f", linked from {safe_url(referer.decode('latin-1'))}" if referer else "",
        )
        raise SsrfBlocked(reason, safe_url(request.url), detail)

    # -- Scrapy's DNS cache ------------------------------------------------------------------------------------
    def _cached(self, host: str) -> list[IPAddress]:
        if not self.pin_dns:
            return []
        from scrapy.resolver import dnscache

        value = dnscache.get(host) if host in dnscache else None
        values = value if isinstance(value, list) else [value] if value else []
        out = []
        for v in values:
            address = parse_ip(str(getattr(v, "host", v)))
            if address is not None:
                out.append(address)
        return out

    def pin(self, host: str, addresses: list[IPAddress]) -> None:
        """Make the downloader connect to the address just checked (no second, different answer)."""
        if not self.pin_dns or self._cached(host):
            return
        from scrapy.resolver import dnscache

        ipv4 = next((a for a in addresses if a.version == 4), None)
        if ipv4 is not None and dnscache.limit:
            dnscache[host] = str(ipv4)


class SsrfGuardAddon:
    """Scrapy add-on (``ADDONS`` in ``settings.py``) that puts :class:`SsrfGuardMiddleware` into
    ``DOWNLOADER_MIDDLEWARES`` (priority :data:`PRIORITY`) whichever dictionary the crawl ends up
    with: a spider's ``custom_settings`` ``DOWNLOADER_MIDDLEWARES`` (LinkedIn's) replaces the
    project's instead of merging with it, so a plain entry in ``settings.py`` would silently switch
    the guard off for that spider.  An explicit entry (``None`` disables, another number moves it)
    is kept."""

    def update_settings(self, settings: BaseSettings) -> None:
        if settings.getbool("SSRF_GUARD_ENABLED", True):
            settings.setdefault_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", SsrfGuardMiddleware, PRIORITY)
