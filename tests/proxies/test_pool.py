"""The proxy pool in process: configuration, masking, cool-down, assignment, sessions, the hooks."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from time import monotonic
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware
from scrapy.exceptions import CloseSpider, DownloadConnectionRefusedError, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.middlewares.blocks import BlockedStop, BlockSignal
from crawler.middlewares.proxies import (
    META_EXIT,
    META_ROTATIONS,
    META_SESSION,
    ProxyMiddleware,
)
from crawler.proxies import (
    ProxyAddon,
    ProxyConfigError,
    ProxyPool,
    exit_id,
    load_exits,
    mask,
    parse_proxy_url,
    sticky_mode,
)

SECRET = "pa55word"
A = f"http://alice:{SECRET}@10.0.0.1:8080"
B = "http://10.0.0.2:3128"
C = "10.0.0.3:3128"


def run(coro: Any) -> Any:
    return asyncio.new_event_loop().run_until_complete(coro)


def middleware(**settings: Any) -> ProxyMiddleware:
    crawler = get_crawler(Spider, {"PROXY_ENABLED": True, "PROXIES": [A, B, C], **settings})
    return ProxyMiddleware.from_crawler(crawler)


def assign(mw: ProxyMiddleware, request: Request) -> Request:
    assert run(mw.process_request(request)) is None
    return request


# --- configuration ------------------------------------------------------------------------------------
def test_proxy_urls() -> None:
    a = parse_proxy_url(A)
    assert (a.host, a.port, a.username, a.password, a.url) == ("10.0.0.1", 8080, "alice", SECRET, A)
    assert a.server == "http://10.0.0.1:8080" and SECRET not in repr(a)
    c = parse_proxy_url(C)
    assert (c.url, c.id, c.username) == ("http://10.0.0.3:3128", "10.0.0.3:3128", None)
    encoded = parse_proxy_url("http://u%40corp:p%3Aw@proxy.example:80/")
    assert (encoded.username, encoded.password) == ("u@corp", "p:w")  # percent-decoded for browsers
    assert parse_proxy_url("http://[::1]:8888").id == "[::1]:8888"


def test_exit_ids_are_stable_and_masked() -> None:
    a = parse_proxy_url(A)
    assert a.id == exit_id("10.0.0.1", 8080, f"alice:{SECRET}") == parse_proxy_url(A).id
    assert a.id.endswith("@10.0.0.1:8080") and len(a.id.split("@")[0]) == 6
    assert "alice" not in a.id and SECRET not in a.id
    other = parse_proxy_url(f"http://bob:{SECRET}@10.0.0.1:8080")
    assert other.id != a.id  # one gateway, several accounts: distinct exits
    assert mask(A) == "http://***@10.0.0.1:8080" and mask("u:p@h:1") == "***@h:1" and mask(B) == B


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"socks5://alice:{SECRET}@10.0.0.1:1080", "SOCKS proxies are not supported"),
        (f"socks5h://alice:{SECRET}@10.0.0.1:1080", "SOCKS proxies are not supported"),
        (f"https://alice:{SECRET}@10.0.0.1:443", "https:// proxy URLs"),
        (f"ftp://alice:{SECRET}@10.0.0.1:21", "unsupported scheme 'ftp'"),
        (f"http://alice:{SECRET}@10.0.0.1:99999", "invalid port"),
        (f"http://alice:{SECRET}@10.0.0.1", "missing port"),
        (f"http://alice:{SECRET}@:8080", "missing host"),
        (f"http://alice:{SECRET}@10.0.0.1:8080/path", "no path or query"),
        (f"http://:{SECRET}@10.0.0.1:8080", "empty user name"),
    ],
)
def test_bad_urls_are_clear_errors_without_credentials(url: str, message: str) -> None:
    with pytest.raises(ProxyConfigError, match=message) as info:
        parse_proxy_url(url, "PROXIES entry 1")
    assert SECRET not in str(info.value) and "alice" not in str(info.value)
    assert str(info.value).startswith("PROXIES entry 1: ")


def test_pool_from_list_string_file_and_environment_style(tmp_path: Path) -> None:
    assert [e.url for e in load_exits(Settings({"PROXIES": [A, B]}))] == [A, B]
    assert [e.url for e in load_exits(Settings({"PROXIES": f"{A}, {B}\n{C}"}))] == [A, B, "http://" + C]
    path = tmp_path / "proxies.txt"
    path.write_text(f"# exits\n\n{B}\n  {C}   # office\n{B}\n", encoding="utf-8")
    exits = load_exits(Settings({"PROXIES": A, "PROXY_FILE": str(path)}))
    assert [e.id for e in exits] == [parse_proxy_url(A).id, "10.0.0.2:3128", "10.0.0.3:3128"]
    path.write_text(f"{B}\nsocks5://x:{SECRET}@h:1\n", encoding="utf-8")
    with pytest.raises(ProxyConfigError, match=r"PROXY_FILE '.*proxies.txt' line 2: 'socks5://\*\*\*@h:1'"):
        load_exits(Settings({"PROXY_FILE": str(path)}))


def test_empty_pool_and_unreadable_file_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ProxyConfigError, match="the pool is empty"):
        load_exits(Settings({"PROXIES": " , "}))
    with pytest.raises(ProxyConfigError, match="cannot read it"):
        load_exits(Settings({"PROXY_FILE": str(tmp_path / "missing.txt")}))


def test_sticky_modes() -> None:
    assert [sticky_mode(v) for v in (False, "0", None, True, "1", "referer", "meta")] == [
        "off",
        "off",
        "off",
        "referer",
        "referer",
        "referer",
        "meta",
    ]
    with pytest.raises(ProxyConfigError, match="PROXY_STICKY"):
        sticky_mode("sometimes")


def test_addon_installs_the_middleware_into_the_spiders_own_dict() -> None:
    settings = Settings({"PROXY_ENABLED": True, "PROXIES": B})
    settings.set("DOWNLOADER_MIDDLEWARES", {"crawler.middlewares.blocks.BlockMiddleware": 585}, "spider")
    ProxyAddon().update_settings(settings)
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares[ProxyMiddleware] == 570
    assert middlewares["crawler.middlewares.blocks.BlockMiddleware"] == 585
    off = Settings({"PROXIES": B})
    ProxyAddon().update_settings(off)
    assert not off.getdict("DOWNLOADER_MIDDLEWARES")
    with pytest.raises(ProxyConfigError, match="the pool is empty"):
        ProxyAddon().update_settings(Settings({"PROXY_ENABLED": "1"}))
    with pytest.raises(ProxyConfigError, match="HTTPPROXY_ENABLED"):
        ProxyAddon().update_settings(
            Settings({"PROXY_ENABLED": "1", "PROXIES": A, "HTTPPROXY_ENABLED": False})
        )
    with pytest.raises(ProxyConfigError, match="PROXY_MAX_WAIT"):
        ProxyAddon().update_settings(Settings({"PROXY_ENABLED": "1", "PROXIES": B, "PROXY_MAX_WAIT": -1}))


def test_disabled_by_default() -> None:
    with pytest.raises(NotConfigured):
        ProxyMiddleware.from_crawler(get_crawler(Spider, {"PROXIES": [B]}))


# --- the pool -----------------------------------------------------------------------------------------
def pool() -> ProxyPool:
    return ProxyPool([parse_proxy_url(u) for u in (A, B, C)], backoff_base=10, backoff_max=60)


def test_round_robin_skips_cooling_exits() -> None:
    p = pool()
    a, b, c = p.exits
    assert [p.pick(0.0) for _ in range(4)] == [a, b, c, a]
    p.bench(b, now=0.0, sent_at=0.0)
    assert [p.pick(1.0) for _ in range(3)] == [c, a, c]
    assert p.pick(1.0, avoid=[a.id], advance=False) is c
    assert p.soonest() == 0.0
    for e in (a, c):
        p.bench(e, now=1.0, sent_at=1.0)
    assert p.pick(2.0) is None and p.soonest() == 10.0  # b comes back first
    assert p.pick(10.0) is b


def test_cooldown_doubles_is_capped_honours_retry_after_and_counts_an_episode_once() -> None:
    p = pool()
    a = p.exits[0]
    assert p.bench(a, now=0.0, sent_at=0.0) == 10
    assert p.bench(a, now=1.0, sent_at=-1.0) is None  # sent before the bench: same episode
    assert a.streak == 1 and a.until == 10.0
    assert p.bench(a, now=20.0, sent_at=15.0) == 20
    assert p.bench(a, now=50.0, sent_at=45.0) == 40
    assert p.bench(a, now=100.0, sent_at=95.0) == 60  # capped
    assert p.bench(a, now=200.0, sent_at=195.0, retry_after=300.0) == 300.0  # at least Retry-After
    p.good(a, sent_at=150.0)  # sent before the last bench: proves nothing
    assert a.streak == 5
    p.good(a, sent_at=600.0)
    assert a.streak == 0 and p.bench(a, now=700.0, sent_at=650.0) == 10


# --- the middleware ----------------------------------------------------------------------------------
def test_assignment_with_scrapys_http_proxy_middleware() -> None:
    mw = middleware()
    httpproxy = HttpProxyMiddleware.from_crawler(mw.crawler)
    first = assign(mw, Request("https://www.linkedin.com/jobs/view/1/"))
    assert first.meta["proxy"] == A and first.meta[META_EXIT] == parse_proxy_url(A).id
    httpproxy.process_request(first)
    # credentials become a header, and leave the meta
    assert first.headers[b"Proxy-Authorization"] == b"Basic " + base64.b64encode(f"alice:{SECRET}".encode())
    assert first.meta["proxy"] == "http://10.0.0.1:8080"
    # a retry through another exit drops the old exit's header
    mw._exit_problem(first, "failures", "refused", None, None)
    retry = first.replace(dont_filter=True)
    assign(mw, retry)
    httpproxy.process_request(retry)
    assert retry.meta["proxy"] == B and b"Proxy-Authorization" not in retry.headers
    assert retry.meta[META_ROTATIONS] == 1
    direct = assign(mw, Request("https://example.com/", meta={"dont_proxy": True}))
    assert "proxy" not in direct.meta and META_EXIT not in direct.meta
    stats = mw.crawler.stats
    assert stats is not None
    assert all(SECRET not in key and "alice" not in key for key in stats.get_stats())


def test_block_hook_claims_while_another_exit_is_available() -> None:
    mw = middleware(PROXY_MAX_RETRIES=5)
    request = assign(mw, Request("https://www.linkedin.com/jobs/view/1/"))
    signal = BlockSignal("status", 429, request.url, retry_after=5.0)
    ids = [e.id for e in mw.pool.exits]
    assert mw.block_detected(request, signal) is True
    assert mw.pool.exits[0].until > 0 and request.meta[META_ROTATIONS] == 1
    for expected_exit in ids[1:]:
        retry = assign(mw, request.replace(dont_filter=True))
        assert retry.meta[META_EXIT] == expected_exit
        request = retry
        claimed = mw.block_detected(request, signal)
    assert claimed is False  # the last exit: every exit is cooling down, the spider-wide back-off decides
    stats = mw.crawler.stats
    assert stats is not None
    assert stats.get_value("proxies/benched") == 3
    # a request that is not the pool's is never claimed
    assert mw.block_detected(Request("https://x.test/"), signal) is False


def test_spider_reasons_rotate_without_benching() -> None:
    mw = middleware()
    request = assign(mw, Request("https://www.linkedin.com/jobs-guest/x"))
    first = request.meta[META_EXIT]
    assert mw.block_detected(request, BlockSignal("empty_page", 200, request.url)) is True
    assert all(e.until == 0 for e in mw.pool.exits)
    assert mw.pool.by_id[first].streak == 0
    retry = assign(mw, request.replace(dont_filter=True))
    assert retry.meta[META_EXIT] != first


def test_transport_failure_rotates_and_is_counted() -> None:
    mw = middleware()
    request = assign(mw, Request("https://www.linkedin.com/jobs/view/1/"))
    failed = request.meta[META_EXIT]
    retry = mw.process_exception(request, DownloadConnectionRefusedError("refused"))
    assert isinstance(retry, Request) and retry.dont_filter
    assert mw.process_exception(request, ValueError("a bug")) is None  # not the exit's fault
    stats = mw.crawler.stats
    assert stats is not None
    assert stats.get_value(f"proxies/{failed}/failures") == 1
    assert stats.get_value(f"proxies/{failed}/benched") == 1


def test_fallback_detection_without_block_middleware() -> None:
    mw = middleware()
    mw.engine_started()  # no engine, so no BlockMiddleware: the pool detects bans itself
    assert mw.blocks is None and mw.detector is not None
    request = assign(mw, Request("https://boards.example/jobs"))
    banned = HtmlResponse(request.url, status=403, body=b"", request=request)
    retry = mw.process_response(request, banned)
    assert isinstance(retry, Request) and retry.meta[META_ROTATIONS] == 1
    ok_request = assign(mw, retry)
    ok = HtmlResponse(request.url, status=200, body=b"<html></html>", request=ok_request)
    assert mw.process_response(ok_request, ok) is ok


def test_explicit_sessions_stick_until_benched() -> None:
    mw = middleware(PROXY_STICKY="meta")
    listing = assign(mw, Request("https://board.test/list?page=1", meta={META_SESSION: "search-1"}))
    other = assign(mw, Request("https://board.test/list?page=9", meta={META_SESSION: "search-2"}))
    assert listing.meta[META_EXIT] != other.meta[META_EXIT]
    for n in range(5):
        detail = assign(mw, Request(f"https://board.test/job/{n}", meta={META_SESSION: "search-1"}))
        assert detail.meta[META_EXIT] == listing.meta[META_EXIT]
    mw._exit_problem(detail, "blocks", "status", 429, None)
    moved = assign(mw, Request("https://board.test/job/9", meta={META_SESSION: "search-1"}))
    assert moved.meta[META_EXIT] != listing.meta[META_EXIT]
    again = assign(mw, Request("https://board.test/job/10", meta={META_SESSION: "search-1"}))
    assert again.meta[META_EXIT] == moved.meta[META_EXIT]
    stats = mw.crawler.stats
    assert stats is not None and stats.get_value("proxies/sessions/moved") == 1
    # "meta" mode derives nothing: a request without a session just rotates
    assert META_SESSION not in assign(mw, Request("https://board.test/job/11")).meta


def test_referer_sessions() -> None:
    mw = middleware(PROXY_STICKY=True)
    listing = assign(mw, Request("https://board.test/list"))
    assert listing.meta[META_SESSION] == "s1"
    mw.process_response(listing, HtmlResponse(listing.url, body=b"<html></html>", request=listing))
    other = assign(mw, Request("https://board.test/other"))
    assert other.meta[META_SESSION] == "s2" and other.meta[META_EXIT] != listing.meta[META_EXIT]
    for n in range(3):
        detail = assign(mw, Request(f"https://board.test/job/{n}", headers={"Referer": listing.url}))
        assert detail.meta[META_SESSION] == "s1" and detail.meta[META_EXIT] == listing.meta[META_EXIT]


def test_browser_requests_get_a_context_per_exit() -> None:
    mw = middleware(DOWNLOAD_HANDLERS={"https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"})
    request = assign(mw, Request("https://board.test/list", meta={"playwright": True}))
    first = parse_proxy_url(A)
    assert "proxy" not in request.meta  # no Proxy-Authorization header for the browser to send
    assert request.meta["playwright_context"] == f"default@proxy:{first.id}"
    assert request.meta["playwright_context_kwargs"] == {
        "proxy": {"server": "http://10.0.0.1:8080", "username": "alice", "password": SECRET}
    }
    mw._exit_problem(request, "failures", "net::ERR_PROXY_CONNECTION_FAILED", None, None)
    retry = assign(mw, request.replace(dont_filter=True))
    assert retry.meta["playwright_context"] == "default@proxy:10.0.0.2:3128"
    assert retry.meta["playwright_context_kwargs"] == {"proxy": {"server": "http://10.0.0.2:3128"}}


def test_without_block_middleware_the_pool_stops_the_spider_itself() -> None:
    mw = middleware(PROXY_MAX_WAIT=0)
    mw.engine_started()
    now = monotonic()
    for proxy in mw.pool.exits:
        mw.pool.bench(proxy, now=now, sent_at=now)
    with pytest.raises(BlockedStop, match="every proxy exit is cooling down"):
        assign(mw, Request("https://boards.example/jobs"))
    assert mw.stopping
    with pytest.raises(CloseSpider) as info:
        mw.spider_idle()
    assert info.value.reason == "blocked"
    with pytest.raises(BlockedStop):  # everything after that fails unsent
        assign(mw, Request("https://boards.example/jobs?page=2"))
    stats = mw.crawler.stats
    assert stats is not None and stats.get_value("proxies/gave_up") == 1
