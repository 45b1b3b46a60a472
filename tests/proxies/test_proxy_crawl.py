"""End to end: ``scrapy crawl`` through real local forward proxies (``tests/proxies/forward_proxy.py``).

The spiders are pointed at a host name only the proxies resolve (``linkedin.test``: every proxy
forwards to the local site), so a request that went around the pool could not succeed, and the
site's request count equals the sum of what the proxies forwarded.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from tests.crawl import CrawlResult, run_crawl
from tests.mockserver import MockServer, Route
from tests.proxies.forward_proxy import ForwardProxy, refused_port
from tests.requirements import require_tool
from tests.sites import RECORDED_DETAILS, LinkedInSite

SECRET = "s3cret-proxy-pw"
CREDS = f"crawler:{SECRET}"
GITLAB = "boards/greenhouse/greenhouse_board_jobs_gitlab_content_breteai.json"
EXAMPLECO = "boards/greenhouse/TESTDATA_board_exampleco_jobs.json"


def stat(log: str, name: str) -> Any:
    m = re.search(rf"'{re.escape(name)}': ([^,\n}}]+)", log)
    return None if m is None else m.group(1).strip().strip("'")


def exit_stats(log: str) -> dict[str, dict[str, int]]:
    """``{exit id: {"requests": n, "blocks": n, ...}}`` from the dumped stats."""
    out: dict[str, dict[str, int]] = {}
    for exit_id, name, value in re.findall(r"'proxies/([^']+)/(\w+)': (\d+)", log):
        out.setdefault(exit_id, {})[name] = int(value)
    return out


def linkedin(
    srv: MockServer, tmp_path: Path, name: str, args: dict[str, str] | None = None, **settings: str
) -> CrawlResult:
    return run_crawl(
        "linkedin",
        args={"keywords": "it support", "location": "Remote", "base_url": f"http://linkedin.test:{srv.port}"}
        | (args or {}),
        settings={
            "ITEM_PIPELINES": "{}",
            "STORE_ENABLED": "0",
            # a small delay, no AutoThrottle: one request at a time, fast (with DOWNLOAD_DELAY=0 Scrapy
            # 2.19 sends everything queued in a slot at once, whatever CONCURRENT_REQUESTS_PER_DOMAIN says)
            "LINKEDIN_DOWNLOAD_DELAY": "0.01",
            "AUTOTHROTTLE_ENABLED": "0",
            "LINKEDIN_STATE_DIR": str(tmp_path / "state"),
            "BLOCK_BACKOFF_BASE": "0.2",
            "PROXY_ENABLED": "1",
            "PROXY_BACKOFF_BASE": "60",
            "LOG_LEVEL": "INFO",
            **settings,
        },
        env={"SOURCE_LOCK_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.db'}"},
        output=tmp_path / f"{name}.jsonl",
        timeout=60,
    )


@contextmanager
def proxies(upstream: MockServer, *specs: dict[str, Any]) -> Iterator[list[ForwardProxy]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(ForwardProxy(f"p{i}", upstream=("127.0.0.1", upstream.port), **spec))
            for i, spec in enumerate(specs)
        ]


def assert_no_secret(result: CrawlResult) -> None:
    header = base64.b64encode(CREDS.encode()).decode()  # the Proxy-Authorization value
    assert SECRET not in result.log and CREDS not in result.log and header not in result.log
    assert SECRET not in str(result.items) and header not in str(result.items)


def test_banned_exit_is_benched_and_the_crawl_completes_through_the_others(tmp_path: Path) -> None:
    with (
        RECORDED_DETAILS.server() as srv,
        proxies(srv, {"credentials": CREDS}, {}, {"mode": "429"}) as (auth, plain, banned),
    ):
        proxy_file = tmp_path / "proxies.txt"
        proxy_file.write_text(f"# pool\n{auth.url()}\n\n{auth.url()}  # listed twice\n", encoding="utf-8")
        result = run_env_crawl(srv, tmp_path, proxy_file, f"{banned.url()}, {plain.url()}")
        site_requests = len(srv.requests)

    assert result.returncode == 0, result.log[-3000:]
    assert "Spider closed (finished)" in result.log
    assert sorted(i["source_id"] for i in result.items) == sorted(RECORDED_DETAILS.ids[:30])  # nothing lost
    details = [i for i in result.items if i["raw"].get("detail_source")]
    assert len(details) == 3  # the recorded detail pages of the first 30 cards came through
    # the banned exit answered once, was benched, and never used again
    assert banned.received == 1 and banned.forwarded == []
    # the others shared the whole crawl, and nothing went around them
    assert len(auth.forwarded) >= 25 and len(plain.forwarded) >= 25
    assert abs(len(auth.forwarded) - len(plain.forwarded)) <= 2  # round-robin
    assert len(auth.forwarded) + len(plain.forwarded) == site_requests
    # credentials reached the proxy as Proxy-Authorization, and nowhere else
    expected = "Basic " + base64.b64encode(CREDS.encode()).decode()
    assert set(auth.auth_headers) == {expected} and set(plain.auth_headers) == {None}
    assert_no_secret(result)
    # stats, under masked ids
    exits = exit_stats(result.log)
    auth_id = next(e for e in exits if e.endswith(f"@127.0.0.1:{auth.port}"))
    assert re.fullmatch(rf"[0-9a-f]{{6}}@127\.0\.0\.1:{auth.port}", auth_id)
    assert exits[f"127.0.0.1:{banned.port}"] == {"requests": 1, "blocks": 1, "benched": 1}
    assert exits[auth_id]["requests"] == len(auth.forwarded)
    assert exits[f"127.0.0.1:{plain.port}"]["requests"] == len(plain.forwarded)
    assert int(stat(result.log, "proxies/exits")) == 3  # the duplicate line counted once
    assert int(stat(result.log, "proxies/benched")) == 1
    assert int(stat(result.log, "proxies/cooling_at_close")) == 1
    assert int(stat(result.log, "blocks/rerouted")) >= 1
    # one exit's ban rotated the exit; the spider itself never paused
    assert stat(result.log, "blocks/backoff_seconds") is None and "pausing slot" not in result.log
    assert f"Proxy exit 127.0.0.1:{banned.port} benched for 60.0s (status 429" in result.log


def run_env_crawl(srv: MockServer, tmp_path: Path, proxy_file: Path, env_proxies: str) -> CrawlResult:
    """The pool from the environment (``PROXIES``, read by settings.py) plus ``-s PROXY_FILE``."""
    return run_crawl(
        "linkedin",
        args={
            "keywords": "it support",
            "location": "Remote",
            "base_url": f"http://linkedin.test:{srv.port}",
            "max_results": "30",
        },
        settings={
            "ITEM_PIPELINES": "{}",
            "STORE_ENABLED": "0",
            # a small delay, no AutoThrottle: one request at a time, fast (with DOWNLOAD_DELAY=0 Scrapy
            # 2.19 sends everything queued in a slot at once, whatever CONCURRENT_REQUESTS_PER_DOMAIN says)
            "LINKEDIN_DOWNLOAD_DELAY": "0.01",
            "AUTOTHROTTLE_ENABLED": "0",
            "LINKEDIN_STATE_DIR": str(tmp_path / "state"),
            "BLOCK_BACKOFF_BASE": "0.2",
            "PROXY_ENABLED": "1",
            "PROXY_FILE": str(proxy_file),
            "PROXY_BACKOFF_BASE": "60",
        },
        env={
            "PROXIES": env_proxies,
            "SOURCE_LOCK_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.db'}",
        },
        output=tmp_path / "pool.jsonl",
        timeout=60,
    )


def test_every_exit_bad_stops_the_spider_as_blocked(tmp_path: Path) -> None:
    """429, a redirect to the authwall, connection refused: each exit is benched in turn, then the pool
    gives up and the spider closes as ``blocked`` (BlockMiddleware's stop: errbacks run, state saved)."""
    dead = f"http://{CREDS}@127.0.0.1:{refused_port()}"
    with (
        RECORDED_DETAILS.server() as srv,
        proxies(srv, {"mode": "429"}, {"mode": "authwall"}) as (banned, walled),
    ):
        result = linkedin(
            srv, tmp_path, "allbad", PROXIES=f"{banned.url()},{walled.url()},{dead}", PROXY_MAX_WAIT="0"
        )
        site_requests = len(srv.requests)
    assert "Closing spider (blocked)" in result.log, result.log[-3000:]
    assert stat(result.log, "finish_reason") == "blocked"
    assert site_requests == 0 and result.items == []
    assert banned.received == 1 and walled.received == 1  # the wall itself was never requested
    assert int(stat(result.log, "proxies/benched")) == 3
    assert int(stat(result.log, "proxies/gave_up")) == 1
    assert (
        stat(result.log, "blocks/reason/redirect") == "1" and stat(result.log, "blocks/reason/status") == "1"
    )
    exits = exit_stats(result.log)
    assert exits[f"127.0.0.1:{banned.port}"]["blocks"] == 1
    assert exits[f"127.0.0.1:{walled.port}"]["blocks"] == 1
    assert sum(e.get("failures", 0) for e in exits.values()) == 1
    assert "every proxy exit is cooling down" in result.log
    assert stat(result.log, "linkedin/stopped_at_start") == "0"  # the resume state says where to go on
    assert_no_secret(result)


def test_a_request_waits_for_a_cooling_exit_to_come_back(tmp_path: Path) -> None:
    """One exit, banned once for 1 s (``Retry-After``): the crawl waits for it and completes."""
    with (
        RECORDED_DETAILS.server() as srv,
        proxies(srv, {"mode": "429", "bad_first": 1, "retry_after": "1"}) as (flaky,),
    ):
        result = linkedin(
            srv, tmp_path, "wait", {"details": "0"}, PROXIES=flaky.url(), PROXY_BACKOFF_BASE="0.5"
        )
    assert "Spider closed (finished)" in result.log, result.log[-3000:]
    assert len(result.items) == 60
    assert flaky.received == len(flaky.forwarded) + 1
    assert int(stat(result.log, "proxies/waits")) >= 1
    assert "Every proxy exit is cooling down" in result.log


def test_sticky_session_keeps_the_exit_until_it_is_benched(tmp_path: Path) -> None:
    """``PROXY_STICKY=1``: listing pages and their detail pages (linked by ``Referer``) share an exit;
    when it is banned the session moves to another exit, and stays there."""
    with (
        RECORDED_DETAILS.server() as srv,
        proxies(srv, {"ok_first": 10, "mode": "429"}, {}, {}) as (first, second, third),
    ):
        result = linkedin(
            srv,
            tmp_path,
            "sticky",
            {"max_results": "20"},
            PROXIES=",".join(p.url() for p in (first, second, third)),
            PROXY_STICKY="1",
        )
        via = [r.headers.get("X-Proxy") for r in srv.requests]
    assert "Spider closed (finished)" in result.log, result.log[-3000:]
    assert len(result.items) == 20
    # one exit at a time, in order: 10 requests through the first, everything else through the second
    assert via == ["p0"] * 10 + ["p1"] * (len(via) - 10)
    assert len(via) > 30 and first.received == 11 and third.received == 0
    assert int(stat(result.log, "proxies/sessions/moved")) == 1
    assert "Proxy session 's1' moved" in result.log


def test_spider_without_block_middleware_rotates_too(tmp_path: Path) -> None:
    """Greenhouse has no BlockMiddleware: the pool applies the same detection (``BLOCK_HTTP_CODES``)."""
    server = MockServer(
        {
            "/v1/boards/gitlab/jobs": Route.file(GITLAB),
            "/v1/boards/exampleco/jobs": Route.file(EXAMPLECO),
        }
    )
    with server as srv, proxies(srv, {"mode": "429"}, {}) as (banned, healthy):
        result = run_crawl(
            "greenhouse",
            args={"companies": "gitlab,exampleco", "base_url": f"http://greenhouse.test:{srv.port}"},
            settings={
                "ITEM_PIPELINES": "{}",
                "STORE_ENABLED": "0",
                "AUTOTHROTTLE_ENABLED": "0",
                "DOWNLOAD_DELAY": "0",
                "PROXY_ENABLED": "1",
                "PROXIES": f"http://{CREDS}@127.0.0.1:{banned.port},{healthy.url()}",
            },
            env={"SOURCE_LOCK_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.db'}"},
            output=tmp_path / "gh.jsonl",
            timeout=60,
        )
    assert result.returncode == 0, result.log[-3000:]
    assert len({i["source_id"] for i in result.items}) == 5
    assert banned.received == 1 and len(healthy.forwarded) == 2
    assert "bans detected by the pool" in result.log
    assert int(stat(result.log, "proxies/benched")) == 1
    assert stat(result.log, "downloader/response_status_count/429") == "1"  # rotated, not retried on it
    assert_no_secret(result)


def test_bad_configuration_stops_before_any_request(tmp_path: Path) -> None:
    with LinkedInSite().server() as srv:
        result = linkedin(srv, tmp_path, "badcfg", PROXIES=f"socks5://{CREDS}@127.0.0.1:1080")
        assert srv.requests == []
    assert result.returncode != 0
    assert (
        "ProxyConfigError: PROXIES entry 1: 'socks5://***@127.0.0.1:1080': SOCKS proxies are not supported"
        in (result.log)
    )
    assert_no_secret(result)


def test_browser_rendered_pages_go_through_the_pool_too(tmp_path: Path) -> None:
    """A JS board (scrapy-playwright): the browser gets a context per exit, authenticates to the proxy
    itself, and a proxy the browser cannot reach is benched like any other."""
    from tests.spiders.test_playwright_render import CHROMIUM, serve

    require_tool(CHROMIUM, "apt-get install -y chromium")
    dead = f"http://127.0.0.1:{refused_port()}"
    with serve() as srv, proxies(srv, {}, {"credentials": CREDS}) as (plain, auth):
        # round-robin: robots.txt -> plain, the rendered listing -> dead (benched) -> auth, details alternate
        result = run_crawl(
            "remotar",
            args={"base_url": f"http://remotar.test:{srv.port}"},
            settings={
                "ITEM_PIPELINES": "{}",
                "STORE_ENABLED": "0",
                "DOWNLOAD_DELAY": "0",
                "AUTOTHROTTLE_START_DELAY": "0",
                "PROXY_ENABLED": "1",
                "PROXIES": f"{plain.url()},{dead},{auth.url()}",
            },
            env={"CHROMIUM_PATH": str(CHROMIUM), "SOURCE_LOCK_DIR": str(tmp_path)},
            output=tmp_path / "js.jsonl",
            timeout=120,
        )
        via = {r.path: r.headers.get("X-Proxy") for r in srv.requests}
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(i["source_id"] for i in result.items) == ["101", "102", "103"]
    assert re.search(r"'playwright/page_count': 2,", result.log)  # through the dead exit, then rendered
    assert via["/search/jobs"] == "p1"  # the browser's page, through the proxy that wants credentials
    assert set(via.values()) == {"p0", "p1"}
    expected = "Basic " + base64.b64encode(CREDS.encode()).decode()
    assert expected in auth.auth_headers
    assert f"Proxy exit 127.0.0.1:{dead.rsplit(':', 1)[1]} benched" in result.log
    assert "net::ERR_PROXY_CONNECTION_FAILED" in result.log
    assert_no_secret(result)
