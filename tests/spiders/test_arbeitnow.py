"""Arbeitnow API spider: the real (German) capture, escaped HTML, ``links.next`` paging, ``scrapy crawl``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from scrapy import Request

from crawler.items import JobPosting
from spiders.arbeitnow import ArbeitnowSpider, decode_escaped_html
from tests.crawl import run_crawl
from tests.mockserver import FIXTURES, MockServer, Route
from tests.spiders import (
    crawl_env,
    crawl_settings,
    fixture_response,
    json_route,
    logged_stat,
    make_spider,
    stats,
    text_response,
)

CAPTURE = "boards/arbeitnow/arbeitnow_job_board_api_breteai.json"
API = "https://www.arbeitnow.com/api/job-board-api?page=1"


def parse(spider: ArbeitnowSpider, response: object, page: int = 1) -> list[JobPosting | Request]:
    return list(spider.parse_feed(response, page=page, feed=API))  # type: ignore[arg-type]


@pytest.fixture
def items() -> list[JobPosting]:
    out = parse(make_spider(ArbeitnowSpider), fixture_response(CAPTURE, API))
    assert all(isinstance(i, JobPosting) for i in out)  # no links.next in the trimmed capture: stop
    return [i for i in out if isinstance(i, JobPosting)]


def test_capture_fields(items: list[JobPosting]) -> None:
    praktikum, quereinsteiger, veeam = items
    assert praktikum.source == "arbeitnow"
    assert praktikum.source_id == "praktikant-marketing-event-student-in-offenburg-442686"
    assert praktikum.url == (
        "https://www.arbeitnow.com/jobs/companies/georg-kuhn-gmbh/praktikant-marketing-event-student-in-offenburg-442686"
    )
    assert praktikum.title == "Praktikant Marketing/Event (m/w/d) - Student: in"
    assert praktikum.company == "Georg Kuhn GmbH"
    assert praktikum.location_raw == ["Offenburg"]
    assert praktikum.workplace_raw == []  # remote: false is not "onsite"
    assert praktikum.employment_type_raw == []
    assert praktikum.tags == ["Marketing and Communication"]
    assert praktikum.posted_raw == "2026-08-15T15:30:24+00:00"  # created_at 1786807824
    assert praktikum.description_html is not None and praktikum.description_html.startswith(
        "<p>Wir bieten Studenten und Studentinnen die Möglichkeit"
    )
    assert quereinsteiger.employment_type_raw == ["Side"]
    assert (quereinsteiger.company, quereinsteiger.location_raw) == ("GITO mbH Verlag", ["Berlin"])
    assert veeam.title == "Senior Account Executive, Enterprise"
    assert veeam.company == "veeamsoftware"
    assert veeam.workplace_raw == ["remote"] and veeam.location_raw == ["Remote"]
    assert veeam.tags == ["Field Sales", "Central 1000030"]
    assert veeam.raw["remote"] is True and "description" not in veeam.raw


def test_escaped_description_with_real_footer(items: list[JobPosting]) -> None:
    veeam = items[2]
    assert veeam.description_html is not None
    assert veeam.description_html.startswith(
        '<div class="content-intro"><div class="elementToProof">\n<p>Veeam is'
    )
    assert "&lt;" not in veeam.description_html
    assert veeam.description_html.endswith(
        '<p>Find <a href="https://www.arbeitnow.com">Jobs in Germany</a> on Arbeitnow</a>'
    )
    assert decode_escaped_html("<p>a &amp; b</p>") == "<p>a &amp; b</p>"  # real HTML untouched
    assert decode_escaped_html("plain &amp; text") == "plain &amp; text"


def test_links_next_is_followed_on_the_configured_host() -> None:
    spider = make_spider(ArbeitnowSpider, base_url="http://127.0.0.1:9")
    body = {
        "data": [{"slug": "a-1", "title": "A"}],
        "links": {"next": "https://www.arbeitnow.com/api/job-board-api?page=2"},
    }
    out = parse(spider, text_response(json.dumps(body), "http://127.0.0.1:9/api/job-board-api?page=1"))
    assert [r.url for r in out if isinstance(r, Request)] == ["http://127.0.0.1:9/api/job-board-api?page=2"]
    last = {"data": [{"slug": "b-2"}], "links": {"next": None}}
    assert not [
        r for r in parse(spider, text_response(json.dumps(last), API), page=2) if isinstance(r, Request)
    ]
    capped = make_spider(ArbeitnowSpider, max_pages="1")
    assert not [r for r in parse(capped, text_response(json.dumps(body), API)) if isinstance(r, Request)]
    assert stats(capped)["jobs/max_pages_reached"] == 1


def test_bad_bodies(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(ArbeitnowSpider)
    with caplog.at_level(logging.WARNING):
        assert parse(spider, text_response('{"data": [', API)) == []
        assert parse(spider, text_response('{"message": "Server Error"}', API)) == []
        kept = parse(
            spider,
            text_response('{"data": [{"title": "no slug"}, {"slug": "ok-1", "created_at": "x"}]}', API),
        )
    assert [(i.source_id, i.posted_raw) for i in kept if isinstance(i, JobPosting)] == [("ok-1", None)]
    assert stats(spider)["jobs/parse_error/json"] == 2
    assert stats(spider)["jobs/parse_error/job"] == 1


def test_crawl_arbeitnow_two_pages(tmp_path: Path) -> None:
    capture = json.loads((FIXTURES / CAPTURE).read_bytes())
    page1 = {
        "data": capture["data"][:2],
        "links": {"next": "https://www.arbeitnow.com/api/job-board-api?page=2"},
    }
    page2 = {
        "data": capture["data"][2:],
        "links": {"next": "https://www.arbeitnow.com/api/job-board-api?page=3"},
    }
    routes = {
        "/api/job-board-api?page=1": json_route(page1),
        "/api/job-board-api?page=2": json_route(page2),
        "/api/job-board-api?page=3": Route.text('{"data": [{"slug": "x"', content_type="application/json"),
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "arbeitnow",
            args={"base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert paths == ["/api/job-board-api?page=1", "/api/job-board-api?page=2", "/api/job-board-api?page=3"]
    assert [i["source_id"] for i in result.items] == [
        "praktikant-marketing-event-student-in-offenburg-442686",
        "quereinsteiger-redaktion-marketing-vertrieb-berlin-308023",
        "remote-senior-account-executive-enterprise-165386",
    ]
    assert result.items[2]["workplace_raw"] == ["remote"]
    assert logged_stat(result.log, "jobs/parse_error/json") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
