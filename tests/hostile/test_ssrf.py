"""SSRF guard (crawler/middlewares/ssrf.py): links from crawled content never reach internal addresses.

The unit tests drive :class:`SsrfGuardMiddleware` with a fake resolver (no DNS, no network).  The
crawl tests run real ``scrapy crawl`` subprocesses against local servers whose pages link and
redirect to ``127.0.0.2``, ``10.0.0.1``, ``169.254.169.254``, ``[::1]``, ``localhost`` (real DNS:
it resolves to loopback), another local port, ``file:`` and ``data:`` URLs.  A tripwire middleware
(``tests/hostile/tripwire.py``), placed after every other middleware, records what would have been
downloaded and refuses any host but ``127.0.0.1``, so not a single packet can go to a non-loopback
address even if the guard failed; the only server allowed is the test's own (its ``base_url``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.resolver import dnscache
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError

from crawler.middlewares.ssrf import (
    AllowList,
    SsrfBlocked,
    SsrfGuardAddon,
    SsrfGuardMiddleware,
    address_problem,
    safe_url,
)
from tests.crawl import CrawlResult, run_crawl
from tests.hostile.tripwire import PRIORITY as TRIPWIRE_PRIORITY
from tests.mockserver import MockServer, Route
from tests.spiders import crawl_env

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


# --- addresses ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),  # carrier-grade NAT
        ("fd00::1", "private"),  # unique local (fd00::/8)
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("168.63.129.16", "metadata"),
        ("169.254.1.1", "link_local"),
        ("fe80::1", "link_local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "metadata"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:a00:1::1", "private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 of 169.254.169.254
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_problem(address: str, problem: str | None) -> None:
    assert address_problem(ipaddress.ip_address(address)) == problem


def test_reserved_and_documentation_ranges_are_blocked() -> None:
    for address in ("240.0.0.1", "255.255.255.255", "192.0.2.1", "198.51.100.7", "2001:db8::1", "198.18.0.1"):
        assert address_problem(ipaddress.ip_address(address)) is not None, address


def test_allow_list() -> None:
    allowed = AllowList.parse(
        ["127.0.0.1:8000", "mirror.internal", "*.corp.example:443", "[::1]:9000", "10.20.0.0/16", "http://a.test"]
    )
    assert allowed.allows_host("127.0.0.1", 8000)
    assert not allowed.allows_host("127.0.0.1", 8001)
    assert allowed.allows_host("MIRROR.internal.", 1234)  # no port given: any port; case/dot normalized
    assert allowed.allows_host("jobs.corp.example", 443) and not allowed.allows_host("jobs.corp.example", 80)
    assert not allowed.allows_host("corp.example.evil", 443)
    assert allowed.allows_host("::1", 9000) and not allowed.allows_host("::1", 9001)
    assert allowed.allows_host("a.test", 80) and not allowed.allows_host("a.test", 443)
    assert allowed.allows_address(ipaddress.ip_address("10.20.3.4"))
    assert not allowed.allows_address(ipaddress.ip_address("10.21.3.4"))
    template = AllowList.parse(["https://{company}.recruitee.com"])
    assert template.allows_host("acme.recruitee.com", 443) and not template.allows_host("recruitee.com.evil", 443)
    with pytest.raises(ValueError):
        AllowList.parse(["host:notaport"])


def test_safe_url_hides_credentials() -> None:
    assert safe_url("http://user:s3cret@10.0.0.1:8080/x?y=1") == "http://***@10.0.0.1:8080/x?y=1"
    assert "s3cret" not in safe_url("https://:s3cret@[::1]/")


# --- the middleware with a fake resolver ----------------------------------------------------------------------
class BaseSpider(Spider):
    name = "ssrf_unit"
    base_url = "http://127.0.0.1:8000"


class FakeResolver:
    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host not in self.answers:
            raise OSError("Name or service not known")
        return self.answers[host]


@pytest.fixture
def clean_dnscache() -> Iterator[None]:
    before = set(dnscache)
    yield
    for key in set(dnscache) - before:
        del dnscache[key]


def guard(answers: dict[str, list[str]] | None = None, **settings: Any) -> tuple[SsrfGuardMiddleware, FakeResolver]:
    crawler = get_crawler(BaseSpider, settings_dict=settings)
    crawler.spider = BaseSpider()
    resolver = FakeResolver(answers or {})
    return SsrfGuardMiddleware(crawler, resolver=resolver), resolver


def check(mw: SsrfGuardMiddleware, url: str, **meta: Any) -> str | None:
    """``None`` when the request may go, else the block reason."""
    try:
        asyncio.run(mw.process_request(Request(url, meta=meta)))
    except SsrfBlocked as exc:
        return exc.reason
    return None


def stats(mw: SsrfGuardMiddleware) -> dict[str, Any]:
    assert mw.stats is not None
    return mw.stats.get_stats()


@pytest.mark.usefixtures("clean_dnscache")
def test_blocks_internal_targets_without_resolving_literals(caplog: pytest.LogCaptureFixture) -> None:
    mw, resolver = guard()
    cases = {
        "http://127.0.0.2:8000/jobs/1": "loopback",
        "http://127.0.0.1:8001/": "loopback",  # the allowed server's host, another port
        "http://10.0.0.1/": "private",
        "http://169.254.169.254/latest/meta-data/": "metadata",
        "http://[::1]:8000/": "loopback",
        "http://[fd00::1]/": "private",
        "http://0.0.0.0:8000/": "unspecified",
        "https://[::ffff:7f00:1]/": "loopback",
        "file:///etc/passwd": "scheme",
        "data:text/html,<script>alert(1)</script>": "scheme",
        "ftp://10.0.0.1/x": "scheme",  # (javascript: URLs cannot even become a scrapy.Request)
        "gopher://127.0.0.1:6379/_INFO": "scheme",
        "http://:80/": "invalid_host",
    }
    with caplog.at_level(logging.WARNING, logger="crawler.middlewares.ssrf"):
        for url, reason in cases.items():
            assert check(mw, url) == reason, url
    assert resolver.calls == []  # literals and schemes are decided without DNS
    assert stats(mw)["ssrf/blocked"] == len(cases)
    assert stats(mw)["ssrf/blocked/loopback"] == 4
    assert stats(mw)["ssrf/blocked/scheme"] == 4
    assert "SSRF guard: not fetching http://169.254.169.254/latest/meta-data/: metadata" in caplog.text


@pytest.mark.usefixtures("clean_dnscache")
def test_names_are_checked_after_resolution_and_pinned() -> None:
    mw, resolver = guard(
        {
            "internal.example": ["10.1.2.3"],
            "mixed.example": ["93.184.216.34", "127.0.0.1"],  # one bad address is enough
            "v6.example": ["2606:4700::1", "fe80::1%eth0"],
            "public.example": ["93.184.216.34", "2606:2800:220:1::1"],
        }
    )
    assert check(mw, "https://internal.example/jobs") == "private"
    assert check(mw, "https://mixed.example/") == "loopback"
    assert check(mw, "https://v6.example/") == "link_local"
    assert check(mw, "https://public.example/jobs?page=2") is None
    # the checked IPv4 is what Scrapy's resolver will answer: no second, different lookup (DNS rebinding)
    assert dnscache["public.example"] == "93.184.216.34"
    calls = len(resolver.calls)
    assert check(mw, "https://public.example/jobs?page=3") is None
    assert len(resolver.calls) == calls  # the cached (checked) answer is used
    dnscache["rebound.example"] = "127.0.0.1"  # an answer cached by the resolver is checked as cached
    assert check(mw, "https://rebound.example/") == "loopback"


def test_unresolvable_name_fails_like_the_downloader() -> None:
    mw, _ = guard(DNSCACHE_ENABLED=False)
    with pytest.raises(DNSLookupError):
        asyncio.run(mw.process_request(Request("https://does-not-exist.example/")))
    assert stats(mw)["ssrf/dns_error"] == 1
    assert "ssrf/blocked" not in stats(mw)


def test_allowed_hosts_base_url_and_start_requests() -> None:
    mw, _ = guard({"intranet.local": ["10.9.9.9"]}, SSRF_ALLOWED_HOSTS="127.0.0.2:9000, 10.9.0.0/16")
    assert check(mw, "http://127.0.0.1:8000/robots.txt") is None  # the spider's base URL
    assert check(mw, "http://127.0.0.2:9000/") is None  # SSRF_ALLOWED_HOSTS, with its port
    assert check(mw, "http://127.0.0.2:9001/") == "loopback"
    assert check(mw, "http://intranet.local/") is None  # resolves into an allowed network
    # a start request (operator's URL) allows its host:port; a redirect of it does not
    assert check(mw, "http://127.0.0.3:7000/page", is_start_request=True) is None
    assert check(mw, "http://127.0.0.3:7000/other") is None
    assert check(mw, "http://169.254.169.254/", is_start_request=True, redirect_urls=["http://x/"]) == "metadata"
    off, _ = guard(SSRF_ALLOW_START_URLS=False, SSRF_ALLOW_BASE_URL=False)
    assert check(off, "http://127.0.0.3:7000/page", is_start_request=True) == "loopback"
    assert check(off, "http://127.0.0.1:8000/") == "loopback"


def test_addon_installs_the_guard_even_over_custom_settings() -> None:
    from spiders.linkedin import LinkedInSpider

    crawler = get_crawler(LinkedInSpider, settings_dict={"ADDONS": {SsrfGuardAddon: 0}})
    crawler.addons.load_settings(crawler.settings)
    middlewares = crawler.settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert "crawler.middlewares.blocks.BlockMiddleware" in middlewares  # LinkedIn's own dictionary
    assert SsrfGuardMiddleware in middlewares
    disabled = get_crawler(LinkedInSpider, settings_dict={"ADDONS": {SsrfGuardAddon: 0}, "SSRF_GUARD_ENABLED": False})
    disabled.addons.load_settings(disabled.settings)
    assert SsrfGuardMiddleware not in disabled.settings.getwithbase("DOWNLOADER_MIDDLEWARES")


# --- real crawls ------------------------------------------------------------------------------------------------
BOARD = {
    "name": "ssrftest",
    "title": "SSRF test board (built test data)",
    "start_paths": ["/list"],
    "link": "a.job",
    "next_page": "a.next",
    "fields": {"title": "h1", "description": ".desc", "apply": "a.apply"},
    "verified": True,
}


def tripwire_settings(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "ITEM_PIPELINES": "{}",
        "STORE_ENABLED": "0",
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "0",
        "RETRY_ENABLED": "0",
        "LOG_LEVEL": "INFO",
        "DOWNLOADER_MIDDLEWARES": json.dumps({"tests.hostile.tripwire.TripwireMiddleware": TRIPWIRE_PRIORITY}),
        "TRIPWIRE_FILE": str(tmp_path / "tripwire.txt"),
        **extra,
    }


def stat(log: str, key: str) -> int | None:
    match = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(match.group(1)) if match else None


def tripped(tmp_path: Path) -> list[str]:
    path = tmp_path / "tripwire.txt"
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def job_page(title: str, apply: str = "https://example.org/apply") -> Route:
    return Route.text(f'<html><body><h1>{title}</h1><div class="desc">ok</div><a class="apply" href="{apply}">a</a>')


def test_crawl_never_fetches_internal_links_or_redirects(tmp_path: Path) -> None:
    with MockServer({"/": Route.text("internal service")}) as other:  # e.g. a Redis/admin port on the host
        routes: dict[str, Any] = {
            "/jobs/ok": job_page("Allowed posting", apply="http://10.0.0.1/apply"),
            "/jobs/ok2": job_page("Allowed after a redirect"),
            "/redirect/ok": Route(302, headers={"Location": "/jobs/ok2"}),
            "/redirect/meta": Route(302, headers={"Location": "http://169.254.169.254/latest/meta-data/a"}),
            "/redirect/loopback": Route(302, headers={"Location": "http://127.0.0.2:1/jobs/r"}),
            "/redirect/chain": Route(302, headers={"Location": "/redirect/hop"}),
            "/redirect/hop": Route(302, headers={"Location": "http://169.254.169.254/chain"}),
            "/refresh": Route.text('<html><head><meta http-equiv="refresh" content="0;url=http://10.0.0.1/refresh">'),
        }
        with MockServer(routes) as server:
            port = server.port
            links = [
                "/jobs/ok",
                "/redirect/ok",
                "/redirect/meta",
                "/redirect/loopback",
                "/redirect/chain",
                "/refresh",
                f"http://127.0.0.2:{port}/jobs/a",
                "http://10.0.0.1/jobs/b",
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                f"http://[::1]:{port}/jobs/c",
                f"http://localhost:{port}/jobs/d",  # a name: resolved (for real), loopback
                f"http://127.0.0.1:{other.port}/",  # the allowed host, another port
                "file:///etc/passwd",
                "data:text/html,<h1>data</h1>",
                "javascript:alert(1)",  # the spider itself never follows these
            ]
            anchors = "".join(f'<a class="job" href="{href}">x</a>' for href in links)
            server.routes["/list"] = Route.text(
                f'<html><body>{anchors}<a class="next" href="http://169.254.169.254/next">next</a></body></html>'
            )
            config = tmp_path / "board.json"
            config.write_text(json.dumps(BOARD), encoding="utf-8")
            output = tmp_path / "out.jsonl"
            result = run_crawl(
                "aggregator",
                args={"config": str(config), "base_url": server.base_url},
                settings=tripwire_settings(tmp_path),
                env=crawl_env(tmp_path),
                output=output,
            )
            served = server.paths()
            base = server.base_url
        other_paths = other.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(item["title"] for item in result.items) == ["Allowed after a redirect", "Allowed posting"]
    # the allowed server was crawled (redirects on it followed) ...
    assert {"/list", "/jobs/ok", "/jobs/ok2", "/redirect/ok", "/redirect/chain", "/redirect/hop"} <= set(served)
    # ... the other local service was never contacted, and nothing but 127.0.0.1:<port> got past the guard
    assert other_paths == []
    assert all(url.startswith(base + "/") for url in tripped(tmp_path)), tripped(tmp_path)
    assert stat(result.log, "ssrf/blocked/metadata") == 4  # a link, a redirect, a redirect chain, pagination
    assert stat(result.log, "ssrf/blocked/loopback") == 5  # 127.0.0.2 (link, redirect), [::1], localhost, port
    assert stat(result.log, "ssrf/blocked/private") == 2  # a link, a meta refresh
    assert stat(result.log, "ssrf/blocked/scheme") == 2  # file:, data:
    assert stat(result.log, "ssrf/blocked") == 13
    assert "SSRF guard: not fetching http://169.254.169.254/chain: metadata (169.254.169.254), linked from" in (
        result.log
    )
    assert f"not fetching http://localhost:{port}/jobs/d: loopback" in result.log


def _linkedin_routes(detail_location: str) -> dict[str, Any]:
    search = (FIXTURES / "linkedin" / "search_page_rust_developer_sf_bay_area_single_card.html").read_text(
        encoding="utf-8"
    )
    return {
        "/jobs-guest/jobs/api/seeMoreJobPostings/search": lambda req: (
            Route.text(search) if "start=0" in req.query else Route.text("")
        ),
        "/jobs-guest/jobs/api/jobPosting/4334692903": Route(302, headers={"Location": detail_location}),
    }


def test_linkedin_keeps_the_guard_despite_its_own_middlewares(tmp_path: Path) -> None:
    """LinkedIn's custom_settings replace DOWNLOADER_MIDDLEWARES: the add-on still installs the guard."""
    with MockServer(_linkedin_routes("http://169.254.169.254/latest/meta-data/")) as server:
        output = tmp_path / "out.jsonl"
        result: CrawlResult = run_crawl(
            "linkedin",
            args={"keywords": "rust", "base_url": server.base_url, "refresh": "1"},
            settings={
                **tripwire_settings(tmp_path),
                "LINKEDIN_DOWNLOAD_DELAY": "0",
                "LINKEDIN_STATE_DIR": "",
                # what LinkedIn's custom_settings say, plus the tripwire (cmdline outranks the spider)
                "DOWNLOADER_MIDDLEWARES": json.dumps(
                    {
                        "crawler.middlewares.blocks.BlockMiddleware": 585,
                        "tests.hostile.tripwire.TripwireMiddleware": TRIPWIRE_PRIORITY,
                    }
                ),
            },
            env=crawl_env(tmp_path),
            output=output,
        )
        base = server.base_url
    assert result.returncode == 0, result.log[-3000:]
    assert stat(result.log, "ssrf/blocked/metadata") == 1
    assert all(url.startswith(base + "/") for url in tripped(tmp_path))
    (item,) = result.items  # the card is still stored: nothing is lost
    assert item["source_id"] == "4334692903"
    assert "SSRF guard" in item["raw"]["detail_error"]
