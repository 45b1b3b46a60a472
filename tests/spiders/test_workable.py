"""Workable widget API spider: job mapping, locations, errors, ``scrapy crawl workable``.

No real capture of the widget endpoint exists in the shared fixtures: the account used here
is built test data (``TESTDATA_``; see tests/fixtures/boards/SOURCES.md).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.platforms.workable import Board, WorkableSpider, description_html, location_names
from spiders.workable import WorkableAccountsSpider
from tests.crawl import run_crawl
from tests.mockserver import MockServer, Route
from tests.spiders import (
    crawl_env,
    crawl_settings,
    fixture_response,
    logged_stat,
    make_spider,
    stats,
    text_response,
)

EXAMPLECO = "boards/workable/TESTDATA_widget_account_exampleco.json"
API = "https://apply.workable.com"


def account_items(spider: WorkableSpider, board: Board) -> list[JobPosting]:
    response = fixture_response(EXAMPLECO, f"{API}/api/v1/widget/accounts/{board.slug}?details=true")
    return list(spider.parse_board(response, board))


def test_exampleco_account() -> None:
    spider = make_spider(WorkableAccountsSpider, companies="exampleco")
    items = account_items(spider, Board("exampleco", "Name From List"))
    assert [i.source_id for i in items] == ["A1B2C3D4E5", "F6E5D4C3B2", "0C1D2E3F4A"]
    first = items[0]
    assert first.source == "workable"
    assert first.title == "Senior Data Engineer"
    assert first.company == "ExampleCo"  # the response's name wins over the list's
    assert first.url == "https://apply.workable.com/j/A1B2C3D4E5"
    assert first.apply_url == "https://apply.workable.com/j/A1B2C3D4E5/apply"
    assert first.location_raw == ["São Paulo, São Paulo, Brazil", "Lisbon, Lisbon, Portugal"]
    assert first.workplace_raw == ["Remote"]  # telecommuting: true
    assert first.employment_type_raw == ["Full-time"]
    assert first.seniority_raw == ["Mid-Senior level"]
    assert first.posted_raw == "2026-07-20"  # published_on, not created_at
    assert first.tags == ["Data", "Engineering"]
    assert first.description_html is not None
    assert first.description_html.startswith(
        "<p>Build and run our data platform (Python, Airflow, BigQuery).</p>"
    )
    assert first.salary_min is None and first.salary_raw is None
    assert "description" not in first.raw
    assert (first.raw["code"], first.raw["education"], first.raw["_board"]) == (
        "ENG-042",
        "Bachelor's Degree",
        "exampleco",
    )

    office = items[1]
    assert office.location_raw == ["Athens, Attica, Greece"]  # empty locations[]: top-level fields
    assert office.workplace_raw == []  # telecommuting: false says nothing
    assert office.tags == ["Operations"]  # empty function dropped
    assert (office.employment_type_raw, office.seniority_raw) == (["Part-time"], ["Entry level"])

    sdr = items[2]
    assert sdr.location_raw == ["Munich, Bavaria, Germany"]  # the hidden Berlin entry is not shown
    assert stats(spider)["jobs/listed"] == 3


def test_description_sections_and_fallbacks() -> None:
    job = {
        "description": "<p>About the role</p>",
        "requirements": "<ul><li>SQL</li></ul>",
        "benefits": "<p>Health plan</p>",
    }
    assert description_html(job) == (
        "<p>About the role</p>\n<h3>Requirements</h3>\n<ul><li>SQL</li></ul>\n<h3>Benefits</h3>\n<p>Health plan</p>"
    )
    assert description_html({"full_description": "<p>All in one</p>"}) == "<p>All in one</p>"
    assert description_html({}) is None
    assert location_names({"locations": [], "city": "", "state": "", "country": "Brazil"}) == ["Brazil"]
    assert location_names({"locations": [{"hidden": True, "city": "X"}]}) == []


def test_account_without_name_uses_the_list_name() -> None:
    spider = make_spider(WorkableAccountsSpider, companies="acme")
    body = '{"name": "", "jobs": [{"shortcode": "AB12", "title": "Engineer", "telecommuting": true}]}'
    (item,) = spider.parse_board(
        text_response(body, f"{API}/api/v1/widget/accounts/acme"), Board("acme", "Acme")
    )
    assert (item.source_id, item.company, item.workplace_raw, item.location_raw) == (
        "AB12",
        "Acme",
        ["Remote"],
        [],
    )


def test_normalized_values() -> None:
    spider = make_spider(WorkableAccountsSpider, companies="exampleco")
    first = account_items(spider, Board("exampleco"))[0]
    normalize_posting(first)
    assert first.workplace == "remote"
    assert first.locations == [
        {"city": "São Paulo", "region": "SP", "country": "BR"},
        {"city": "Lisbon", "region": "Lisbon", "country": "PT"},
    ]
    assert first.employment_type == "FULL_TIME"
    assert first.seniority == ["senior"]
    assert first.posted_at == "2026-07-20T00:00:00Z"


def test_account_404_malformed_and_errors(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(WorkableAccountsSpider, companies="gone,broken,odd")
    url = f"{API}/api/v1/widget/accounts/x?details=true"
    with caplog.at_level(logging.WARNING):
        assert (
            list(spider.parse_board(text_response('{"error":"Not found"}', url, 404), Board("gone"))) == []
        )
        assert (
            list(spider.parse_board(text_response('{"name": "X", "jobs": [', url), Board("broken"))) == []
        )
        assert list(spider.parse_board(text_response("[]", url), Board("odd"))) == []
        body = '{"jobs": [{"title": "no shortcode"}, {"shortcode": "OK1", "title": "ok"}]}'
        items = list(spider.parse_board(text_response(body, url), Board("partial")))
    assert [i.source_id for i in items] == ["OK1"]
    assert stats(spider)["jobs/company_not_found"] == 1
    assert stats(spider)["jobs/parse_error/json"] == 2
    assert stats(spider)["jobs/parse_error/job"] == 1
    messages = [r.getMessage() for r in caplog.records]
    assert any("workable board 'gone' not found (404)" in m for m in messages)
    assert any("'broken'" in m and "not JSON" in m for m in messages)


def test_companies_and_base_url() -> None:
    default = make_spider(WorkableAccountsSpider)
    assert [b.slug for b in default.boards][:2] == ["huggingface", "kahoot"]
    assert default.base_url == API
    assert default.board_url(Board("toggl")) == f"{API}/api/v1/widget/accounts/toggl?details=true"
    mirror = make_spider(WorkableAccountsSpider, base_url="http://127.0.0.1:9/")
    assert mirror.board_url(Board("a b")) == "http://127.0.0.1:9/api/v1/widget/accounts/a%20b?details=true"


# --- end to end ----------------------------------------------------------------------------------
def test_crawl_workable_survives_404_and_malformed_json(tmp_path: Path) -> None:
    routes = {
        "/api/v1/widget/accounts/exampleco": Route.file(EXAMPLECO),
        "/api/v1/widget/accounts/broken": Route.text('{"jobs": [{', content_type="application/json"),
        # /api/v1/widget/accounts/removed: no route -> 404
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "workable",
            args={"companies": "removed,exampleco,broken", "base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert "/api/v1/widget/accounts/exampleco?details=true" in paths
    by_id = {i["source_id"]: i for i in result.items}
    assert set(by_id) == {"A1B2C3D4E5", "F6E5D4C3B2", "0C1D2E3F4A"}
    sdr = by_id["0C1D2E3F4A"]
    assert (sdr["title"], sdr["company"], sdr["employment_type_raw"], sdr["posted_raw"]) == (
        "Sales Development Representative",
        "ExampleCo",
        ["Contract"],
        "2026-07-01",
    )
    assert "workable board 'removed' not found (404)" in result.log
    assert "Workable account 'broken': response is not JSON" in result.log
    assert logged_stat(result.log, "jobs/company_not_found") == 1
    assert logged_stat(result.log, "jobs/parse_error/json") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
