"""HN "Who is hiring?" via the Algolia API (built test data, see SOURCES.md): first-line parsing, ``scrapy crawl``."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.hackernews import HackerNewsSpider
from spiders.platforms.hn import first_line, parse_first_line
from tests.crawl import run_crawl
from tests.mockserver import MockServer, Route
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

THREAD = "boards/hackernews/TESTDATA_hn_whoishiring_item.json"
API = "https://hn.algolia.com/api/v1/items/47000000"


@pytest.fixture
def spider() -> HackerNewsSpider:
    return make_spider(HackerNewsSpider, story_id="47000000")


def test_top_level_comments_are_postings(spider: HackerNewsSpider) -> None:
    items = list(spider.parse_story(fixture_response(THREAD, API)))
    assert [i.source_id for i in items] == [
        "47000101",
        "47000102",
        "47000104",
        "47000106",
    ]  # reply and deleted out
    assert stats(spider)["jobs/listed"] == 5 and stats(spider)["jobs/skipped/deleted"] == 1
    acme, beta, solo, gamma = items
    assert acme.source == "hackernews"
    assert acme.url == "https://news.ycombinator.com/item?id=47000101"
    assert (acme.company, acme.title) == ("Acme Robotics", "Senior Backend Engineer (Go)")
    assert acme.location_raw == ["Berlin, Germany", "REMOTE (EU)"]
    assert acme.workplace_raw == ["REMOTE (EU)"]
    assert acme.salary_raw == "€85k-€105k" and acme.salary_min is None
    assert acme.posted_raw == "2026-03-02T16:02:39.000Z"
    assert acme.description_html is not None and acme.description_html.startswith("Acme Robotics | Senior")
    assert (
        acme.raw["author"] == "acme_cto" and acme.raw["_story_title"] == "Ask HN: Who is hiring? (March 2026)"
    )
    assert "children" not in acme.raw and "text" not in acme.raw
    assert (beta.company, beta.title) == ("Beta Health", "Staff Data Engineer, ML Platform Engineer")
    assert beta.location_raw == ["San Francisco, CA"] and beta.workplace_raw == ["Hybrid"]
    assert beta.employment_type_raw == ["Full-time"]
    assert beta.salary_raw == "$190k-$240k + equity"
    assert beta.company_url == "https://beta-health.example"  # &#x2F; decoded
    assert (solo.company, solo.title, solo.salary_raw) == (None, None, None)  # no "|" line: nothing guessed
    assert (gamma.title, gamma.location_raw, gamma.workplace_raw) == (
        "Founding Engineer",
        ["New York, NY"],
        ["ONSITE"],
    )
    assert gamma.employment_type_raw == ["Contract"]


def test_normalized_values(spider: HackerNewsSpider) -> None:
    acme = next(iter(spider.parse_story(fixture_response(THREAD, API))))
    normalize_posting(acme)
    assert acme.workplace == "remote"
    assert acme.salary_currency == "EUR"


def test_first_line_rules() -> None:
    assert first_line("A | B<br>rest") == "A | B"
    assert first_line("A &amp; Co | <b>Dev</b>\nmore") == "A & Co | Dev"
    assert parse_first_line("Only one part") == {}
    fields = parse_first_line("Delta | Remote | Multiple roles | 120-150k EUR")
    assert (fields["title"], fields["workplace_raw"], fields["location_raw"], fields["salary_raw"]) == (
        "Multiple roles",
        ["Remote"],
        [],
        "120-150k EUR",
    )


def test_story_id_argument() -> None:
    with pytest.raises(ValueError):
        make_spider(HackerNewsSpider, story_id="latest")
    assert make_spider(HackerNewsSpider).story_id is None


def test_bad_bodies(spider: HackerNewsSpider, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert list(spider.parse_story(text_response('{"id": 1, "children": [', API))) == []
        assert list(spider.parse_story(text_response('{"error": "not found"}', API))) == []
        kept = list(
            spider.parse_story(
                text_response('{"id": 1, "children": [{"text": "x"}, {"id": 2, "text": "A | Dev"}]}', API)
            )
        )
    assert [(i.source_id, i.company, i.title) for i in kept if isinstance(i, JobPosting)] == [
        ("2", "A", "Dev")
    ]
    assert stats(spider)["jobs/parse_error/json"] == 2
    assert stats(spider)["jobs/parse_error/job"] == 1


def test_crawl_hackernews_newest_thread(tmp_path: Path) -> None:
    search = {
        "hits": [
            {"title": "Ask HN: Who wants to be hired? (March 2026)", "objectID": "47000001"},
            {"title": "Ask HN: Who is hiring? (March 2026)", "objectID": "47000000"},
        ]
    }
    routes = {
        "/api/v1/search_by_date?tags=story%2Cauthor_whoishiring&hitsPerPage=20": json_route(search),
        "/api/v1/items/47000000": Route.file(THREAD),
        "/api/v1/items/1": Route.text('{"id": 1, "children": [', content_type="application/json"),
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "hackernews",
            args={"base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        broken = run_crawl(
            "hackernews",
            args={"base_url": server.base_url, "story_id": "1"},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out2.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert "/api/v1/items/47000001" not in paths
    assert [i["source_id"] for i in result.items] == ["47000101", "47000102", "47000104", "47000106"]
    assert result.items[0]["salary_raw"] == "€85k-€105k"
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
    assert broken.returncode == 0 and broken.items == []
    assert logged_stat(broken.log, "jobs/parse_error/json") == 1
