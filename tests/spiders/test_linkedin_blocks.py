"""The block middleware (generic) and the LinkedIn spider's block/incremental hooks, in process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.blocks import (
    META_RETRIES,
    BlockedStop,
    BlockMiddleware,
    backoff_delay,
    literal_of,
    parse_retry_after,
)
from spiders.linkedin import LinkedInSpider
from spiders.platforms.linkedin import BLOCK_BODY_PATTERNS, BLOCK_URL_PATTERNS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "linkedin"
LINKEDIN_BLOCK_SETTINGS = {
    "BLOCK_URL_PATTERNS": BLOCK_URL_PATTERNS,
    "BLOCK_BODY_PATTERNS": BLOCK_BODY_PATTERNS,
    "BLOCK_MAX_RETRIES": 2,
    "BLOCK_BACKOFF_BASE": 1.0,
    "BLOCK_BACKOFF_MAX": 30.0,
}


def middleware(**settings: Any) -> BlockMiddleware:
    crawler = get_crawler(Spider, {**LINKEDIN_BLOCK_SETTINGS, **settings})
    return BlockMiddleware.from_crawler(crawler)


def html(url: str, body: bytes, status: int = 200, **headers: str) -> HtmlResponse:
    return HtmlResponse(url, status=status, body=body, headers=headers, encoding="utf-8")


def test_parse_retry_after() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(b"1") == 1.0
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(b"Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0  # in the past
    assert parse_retry_after(b"soon") is None
    assert parse_retry_after(None) is None


def test_backoff_is_exponential_and_capped() -> None:
    assert [backoff_delay(n, 10, 600) for n in (1, 2, 3, 4, 7, 20)] == [10, 20, 40, 80, 600, 600]


@pytest.mark.parametrize("name", ["authwall_jobs_search.html", "block_999_js_authwall_redirect.html"])
def test_block_pages_recognised(name: str) -> None:
    mw = middleware()
    body = (FIXTURES / name).read_bytes()
    request = Request(
        "https://www.linkedin.com/jobs-guest/jobs/api/seeMoreJobPostings/search?keywords=x&start=0"
    )
    signal = mw.detect(request, html(request.url, body))
    assert signal is not None and signal.reason == "body"
    signal = mw.detect(request, html(request.url, body, status=999))
    assert signal is not None and (signal.reason, signal.status) == ("status", 999)


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (r"urn:li:page:auth_wall", "urn:li:page:auth_wall"),
        (r"/authwall\?", "/authwall?"),
        (r"www\.linkedin\.com/login", "www.linkedin.com/login"),
        (r"auth_?wall", None),
        (r"(?i)authwall", None),
        (r"page:\w+", None),
        (r"a|b", None),
    ],
)
def test_plain_body_patterns_become_substring_searches(pattern: str, literal: str | None) -> None:
    assert literal_of(pattern) == literal


def test_regex_body_patterns_still_match() -> None:
    mw = middleware(BLOCK_BODY_PATTERNS=[r"urn:li:page:auth_?wall", r"never(?:seen)"])
    assert not mw.body_literals and len(mw.body_patterns) == 2
    request = Request("https://www.linkedin.com/jobs-guest/jobs/api/seeMoreJobPostings/search?start=0")
    body = (FIXTURES / "authwall_jobs_search.html").read_bytes()
    signal = mw.detect(request, html(request.url, body))
    assert signal is not None and signal.reason == "body"
    assert middleware().body_literals == [b"urn:li:page:auth_wall", b"/authwall?"]


@pytest.mark.parametrize(
    "name",
    [
        "job_posting_api_4330361169.html",
        "job_view_4424075463_base_pay_range.html",
        "job_view_4218586823_fr_jsonld.html",
        "job_view_3946498763_it_prettified_jsonld.html",
        "search_page_it_support_intern_remote.html",
        "search_page_frontend_developer_chennai.html",
        "search_page_no_results_fr.html",
        "search_cards_python_italy_li_dump_with_anchor_cards.html",
    ],
)
def test_normal_pages_are_not_blocks(name: str) -> None:
    mw = middleware()
    request = Request("https://www.linkedin.com/jobs/view/1/")
    assert mw.detect(request, html(request.url, (FIXTURES / name).read_bytes())) is None


def test_redirect_to_authwall_and_final_url() -> None:
    mw = middleware()
    request = Request("https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/1")
    redirect = Response(request.url, status=302, headers={"Location": "/authwall?trk=bf&sessionRedirect=x"})
    signal = mw.detect(request, redirect)
    assert signal is not None and (signal.reason, signal.status) == ("redirect", 302)
    assert signal.url == "https://www.linkedin.com/authwall?trk=bf&sessionRedirect=x"
    ok_redirect = Response(request.url, status=301, headers={"Location": "/jobs/view/1/"})
    assert mw.detect(request, ok_redirect) is None
    landed = html("https://www.linkedin.com/uas/login?session_redirect=x", b"<html></html>")
    assert mw.detect(request, landed) is not None
    assert mw.is_block_url("https://www.linkedin.com/checkpoint/lg/login")
    assert not mw.is_block_url("https://www.linkedin.com/jobs/view/login-engineer-123")


def test_retry_with_backoff_then_stop() -> None:
    mw = middleware()
    stats = mw.crawler.stats
    assert stats is not None
    request = Request("https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/1")
    too_many = Response(request.url, status=429, headers={"Retry-After": "3"})
    retry = mw.process_response(request, too_many)
    assert isinstance(retry, Request) and retry.dont_filter and retry.meta[META_RETRIES] == 1
    assert stats.get_value("blocks/count") == 1
    assert stats.get_value("blocks/last_status") == 429
    assert stats.get_value("blocks/max_backoff") == 3.0  # Retry-After beats the 1s base
    # a block arriving while the slot is paused is the same episode: retried, not counted
    again = mw.process_response(retry, too_many)
    assert isinstance(again, Request) and mw.consecutive == 1
    mw._paused_until.clear()  # the pause is over
    assert isinstance(mw.process_response(again, too_many), Request)
    assert mw.consecutive == 2
    mw._paused_until.clear()
    with pytest.raises(BlockedStop):
        mw.process_response(again, Response(request.url, status=999))
    assert mw.stopping
    assert stats.get_value("blocks/stopped_at_url") == request.url
    assert stats.get_value("blocks/count") == 4
    with pytest.raises(CloseSpider) as exc:
        mw.spider_idle()
    assert exc.value.reason == "blocked"
    # good responses to requests sent before the stop are kept; blocks are dropped
    good = html(request.url, b"<html>ok</html>")
    assert mw.process_response(request, good) is good
    with pytest.raises(BlockedStop):
        mw.process_response(request, too_many)


def test_good_response_resets_the_count() -> None:
    mw = middleware()
    request = Request("https://www.linkedin.com/jobs/view/1/")
    mw.process_response(request, Response(request.url, status=429))
    assert mw.consecutive == 1
    mw._paused_until.clear()
    mw.process_response(request, html(request.url, b"<html>ok</html>"))
    assert mw.consecutive == 0


def test_retry_after_above_the_cap_stops_at_once() -> None:
    mw = middleware()
    request = Request("https://www.linkedin.com/jobs/view/1/")
    with pytest.raises(BlockedStop):
        mw.process_response(request, Response(request.url, status=429, headers={"Retry-After": "3600"}))
    assert mw.stopping


def test_dont_block_check_meta() -> None:
    mw = middleware()
    request = Request("https://www.linkedin.com/jobs/view/1/", meta={"dont_block_check": True})
    response = Response(request.url, status=429)
    assert mw.process_response(request, response) is response


# --- the LinkedIn spider's hooks ---------------------------------------------------------------------------
def linkedin(settings: dict[str, Any] | None = None, **args: str) -> LinkedInSpider:
    crawler = get_crawler(LinkedInSpider, {"STORE_ENABLED": False, **(settings or {})})
    spider = LinkedInSpider.from_crawler(crawler, **args)
    crawler.spider = spider
    return spider


def search_request(spider: LinkedInSpider, start: int, expect: bool, retries: int = 0) -> Request:
    request = spider.search_request(start, expect_cards=expect)
    request.meta[META_RETRIES] = retries
    return request


def test_empty_page_rule() -> None:
    spider = linkedin(keywords="python")
    spider.params = spider.query.params()
    empty = b""
    url = "https://www.linkedin.com/jobs-guest/jobs/api/seeMoreJobPostings/search?start=0"
    # first page empty: no results, not a block
    assert spider.block_reason(search_request(spider, 0, False), html(url, empty)) is None
    # after a short page: the normal end
    assert spider.block_reason(search_request(spider, 37, False), html(url, empty)) is None
    # after a full page: ambiguous -> retried once, then accepted as the end
    assert spider.block_reason(search_request(spider, 40, True), html(url, empty)) == "empty_page"
    assert spider.block_reason(search_request(spider, 40, True, retries=1), html(url, empty)) is None
    cards = (FIXTURES / "search_page_finance_manager_three_cards.html").read_bytes()
    assert spider.block_reason(search_request(spider, 40, True), html(url, cards)) is None
    # detail requests are never empty pages
    assert spider.block_reason(Request("https://www.linkedin.com/jobs/view/1/"), html(url, empty)) is None


def test_spider_arguments_validated_and_recorded() -> None:
    with pytest.raises(ValueError, match="workplace"):
        linkedin(keywords="x", workplace="mars")
    with pytest.raises(ValueError, match="max_results"):
        linkedin(keywords="x", max_results="lots")
    with pytest.raises(ValueError, match="keywords"):
        linkedin()
    spider = linkedin(
        keywords="x", workplace="2", posted_within="24h", incremental="1", refresh="0", start="20"
    )
    assert spider.spider_args == {
        "keywords": "x",
        "workplace": "remote",
        "posted_within": "86400s",
        "start": "20",
    }
    assert spider.search_identity == {"keywords": "x", "workplace": "remote", "posted_within": "86400s"}


def test_linkedin_politeness_settings() -> None:
    crawler = get_crawler(LinkedInSpider, {"LINKEDIN_DOWNLOAD_DELAY": 4.5})
    s = crawler.settings
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert s.getfloat("DOWNLOAD_DELAY") == 4.5
    assert s.getfloat("DOWNLOAD_DELAY_JITTER") == 0.5
    assert s.getbool("AUTOTHROTTLE_ENABLED")
    assert s.getdict("DOWNLOADER_MIDDLEWARES")["crawler.middlewares.blocks.BlockMiddleware"] == 585
    assert get_crawler(LinkedInSpider).settings.getfloat("DOWNLOAD_DELAY") == 3.0


def test_incremental_window_uses_last_finished_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.db.queries as queries

    calls: list[tuple[str, dict[str, str]]] = []

    def last_run(settings: Any, spider: str, args: dict[str, str]) -> datetime:
        calls.append((spider, args))
        return datetime.now(UTC) - timedelta(hours=5)

    monkeypatch.setattr(queries, "last_successful_run_started", last_run)
    spider = linkedin({"LINKEDIN_INCREMENTAL_MARGIN": 600}, keywords="rust", incremental="1")
    seconds = spider._incremental_window()
    assert seconds is not None and 5 * 3600 + 600 <= seconds <= 5 * 3600 + 610
    assert calls == [("linkedin", {"keywords": "rust"})]
    # posted_within narrower than the window wins
    spider = linkedin(keywords="rust", incremental="1", posted_within="1h")
    assert spider._incremental_window() == 3600
    # no previous run: the full window
    monkeypatch.setattr(queries, "last_successful_run_started", lambda *a: None)
    assert linkedin(keywords="rust", incremental="1")._incremental_window() is None


def test_known_ids_skip_details_unless_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.db.queries as queries
    from spiders.linkedin import card_marker
    from spiders.platforms.linkedin import parse_cards

    body = (FIXTURES / "search_page_finance_manager_three_cards.html").read_bytes()
    cards = {c.job_id: c for c in parse_cards(body.decode("utf-8"))}
    stored = {  # 4288907322 stored as its card reads now; a second one stored from an older card
        "4288907322": card_marker(cards["4288907322"]),
        **{i: "an older card" for i in list(cards)[1:2] if i != "4288907322"},
    }
    monkeypatch.setattr(
        queries, "stored_markers", lambda settings, source, ids, key: {i: stored[i] for i in ids if i in stored}
    )
    spider = linkedin(keywords="finance")
    spider.params = spider.query.params()
    request = spider.search_request(0, expect_cards=False)
    out = list(spider.parse_search(html(request.url, body), start=0))
    items = [o for o in out if not isinstance(o, Request)]
    requests = [o for o in out if isinstance(o, Request)]
    assert [i.source_id for i in items] == ["4288907322"]
    assert items[0].raw["detail_skipped"] is True
    assert items[0].title == "Sr. Manager, Intercompany and Consolidation"
    details = [r for r in requests if "jobPosting" in r.url]
    assert len(details) == 2 and all(r.cb_kwargs["card"].job_id != "4288907322" for r in details)
    assert spider.crawler.stats.get_value("linkedin/detail_changed") == 1  # the edited card is refetched
    refresh = linkedin(keywords="finance", refresh="1")
    refresh.params = refresh.query.params()
    out = list(refresh.parse_search(html(request.url, body), start=0))
    assert sum(1 for o in out if isinstance(o, Request) and "jobPosting" in o.url) == 3
