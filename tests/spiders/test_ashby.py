"""Ashby posting API spider: job mapping, compensation → salary, errors, ``scrapy crawl ashby``."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.ashby import AshbyBoardsSpider
from spiders.platforms.ashby import AshbySpider, Board, compensation_salary
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

NOTION = "boards/ashby/ashby_posting_api_notion_breteai.json"
EXAMPLECO = "boards/ashby/TESTDATA_job_board_exampleco_with_compensation.json"
API = "https://api.ashbyhq.com"


def board_items(spider: AshbySpider, relpath: str, board: Board) -> list[JobPosting]:
    response = fixture_response(relpath, f"{API}/posting-api/job-board/{board.slug}?includeCompensation=true")
    return list(spider.parse_board(response, board))


def test_notion_board() -> None:
    spider = make_spider(AshbyBoardsSpider, companies="notion")
    items = board_items(spider, NOTION, Board("notion", "Notion"))
    assert [i.source_id for i in items] == [
        "05e14247-17c4-4e98-9a13-53828a4e2f13",
        "b21fef72-4864-4a3e-a627-91557a0f8a36",
        "d177d052-ef57-4900-acf2-d58e9eded620",
    ]
    first = items[0]
    assert first.source == "ashby"
    assert first.title == "Business Development Representative, New York"
    assert first.company == "Notion"  # from the board list: the API has no organization name
    assert first.url == "https://jobs.ashbyhq.com/notion/05e14247-17c4-4e98-9a13-53828a4e2f13"
    assert (
        first.apply_url == "https://jobs.ashbyhq.com/notion/05e14247-17c4-4e98-9a13-53828a4e2f13/application"
    )
    assert first.location_raw == ["New York, New York"]
    # isRemote is true on these hybrid jobs: workplaceType decides
    assert first.workplace_raw == ["Hybrid"]
    assert first.employment_type_raw == ["FullTime"]
    assert first.posted_raw == "2026-04-02T21:00:55.755+00:00"
    assert first.tags == ["Early Career"]
    assert first.description_html is not None
    assert first.description_html.startswith('<h1>Who We Are</h1><p style="min-height:1.5em">Notion is')
    assert first.description_text is None  # the HTML is there; descriptionPlain is not repeated
    assert (first.salary_min, first.salary_raw) == (None, None)  # captured without compensation
    assert "descriptionHtml" not in first.raw and "descriptionPlain" not in first.raw
    assert first.raw["isRemote"] is True
    assert first.raw["address"]["postalAddress"]["addressLocality"] == "New York"
    assert first.raw["_board"] == "notion"
    designer = items[2]
    assert designer.title == "Product Designer"
    assert designer.location_raw == ["San Francisco, California", "New York, New York"]  # + secondary
    assert designer.tags == ["Product Design"]
    assert stats(spider)["jobs/listed"] == 3


def test_compensation_from_summary_and_tiers() -> None:
    spider = make_spider(AshbyBoardsSpider, companies="exampleco")
    items = board_items(spider, EXAMPLECO, Board("exampleco", "ExampleCo"))
    by_title = {i.title: i for i in items}
    assert "Confidential Executive Search" not in by_title  # isListed: false
    assert stats(spider)["jobs/skipped/unlisted"] == 1
    assert stats(spider)["jobs/listed"] == 4

    backend = by_title["Senior Backend Engineer"]
    # summaryComponents' Salary: 160K (zone B minimum) – 210K (zone A maximum)
    assert (backend.salary_min, backend.salary_max, backend.salary_currency, backend.salary_period) == (
        160000.0,
        210000.0,
        "USD",
        "YEAR",
    )
    assert backend.salary_raw == "$160K – $210K • 0.05% – 0.1% • Offers Bonus"
    assert backend.workplace_raw == ["OnSite"]
    assert backend.location_raw == ["San Francisco, California", "New York, New York"]
    assert backend.tags == ["Engineering", "Platform"]
    assert backend.raw["compensation"]["compensationTiers"][0]["title"] == "Zone A (San Francisco, New York)"

    support = by_title["Customer Support Specialist (Portuguese)"]
    # no summaryComponents: the tiers' Salary components
    assert (support.salary_min, support.salary_max, support.salary_currency, support.salary_period) == (
        45.0,
        60.0,
        "BRL",
        "HOUR",
    )
    assert support.salary_raw == "R$45 – R$60 per hour"
    assert support.employment_type_raw == ["PartTime"]
    assert support.workplace_raw == ["Remote"]

    intern = by_title["Product Design Intern"]
    assert intern.salary_min is None and intern.salary_raw is None  # empty compensation block
    assert intern.workplace_raw == ["Remote"]  # no workplaceType: isRemote
    assert intern.employment_type_raw == ["Intern"]


def test_compensation_rules() -> None:
    def salary(value: float, high: float, currency: str, interval: str) -> dict[str, object]:
        return {
            "compensationType": "Salary",
            "interval": interval,
            "currencyCode": currency,
            "minValue": value,
            "maxValue": high,
        }

    tiers = {
        "compensationTiers": [
            {
                "title": "US",
                "tierSummary": "$100K – $120K",
                "components": [salary(100000, 120000, "USD", "1 YEAR")],
            },
            {
                "title": "EU",
                "tierSummary": "€90K – €110K",
                "components": [salary(90000, 110000, "EUR", "1 YEAR")],
            },
        ]
    }
    mixed = compensation_salary(tiers)
    # two currencies: the first one only; salary_raw keeps every tier
    assert (mixed["salary_min"], mixed["salary_max"], mixed["salary_currency"]) == (100000.0, 120000.0, "USD")
    assert mixed["salary_raw"] == "US $100K – $120K; EU €90K – €110K"
    monthly = compensation_salary({"summaryComponents": [salary(5000, 7000, "CAD", "1 MONTH")]})
    assert (monthly["salary_period"], monthly["salary_raw"]) == ("MONTH", "CAD 5,000–7,000 per month")
    odd = compensation_salary({"summaryComponents": [salary(1000, 2000, "USD", "2 WEEK")]})
    assert odd["salary_min"] == 1000.0 and odd["salary_period"] is None  # unknown interval: no guess
    equity_only = {
        "compensationTierSummary": "0.5% – 1% • Offers Equity",
        "summaryComponents": [
            {"compensationType": "EquityPercentage", "interval": "NONE", "minValue": 0.5, "maxValue": 1}
        ],
    }
    assert compensation_salary(equity_only) == {"salary_raw": "0.5% – 1% • Offers Equity"}
    assert compensation_salary(None) == {}
    assert compensation_salary({"summaryComponents": [salary(0, 0, "USD", "1 YEAR")]}) == {}


def test_normalized_values() -> None:
    spider = make_spider(AshbyBoardsSpider, companies="exampleco")
    support = next(
        i for i in board_items(spider, EXAMPLECO, Board("exampleco")) if i.employment_type_raw == ["PartTime"]
    )
    normalize_posting(support)
    assert support.workplace == "remote"
    assert support.locations == [{"city": None, "region": None, "country": "BR"}]
    assert support.employment_type == "PART_TIME"
    assert (support.salary_min, support.salary_max, support.salary_currency, support.salary_period) == (
        45.0,
        60.0,
        "BRL",
        "HOUR",
    )
    assert support.posted_at == "2026-07-02T12:00:00Z"


def test_board_404_malformed_and_no_jobs(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(AshbyBoardsSpider, companies="gone,broken,odd")
    url = f"{API}/posting-api/job-board/x"
    with caplog.at_level(logging.WARNING):
        assert list(spider.parse_board(text_response('{"success":false}', url, 404), Board("gone"))) == []
        assert list(spider.parse_board(text_response('{"jobs": [{"id":', url), Board("broken"))) == []
        assert list(spider.parse_board(text_response('{"apiVersion": "1"}', url), Board("odd"))) == []
    assert stats(spider)["jobs/company_not_found"] == 1
    assert stats(spider)["jobs/parse_error/json"] == 2
    messages = [r.getMessage() for r in caplog.records]
    assert any("ashby board 'gone' not found (404)" in m for m in messages)
    assert any("'broken'" in m and "not JSON" in m for m in messages)


def test_job_without_id_is_skipped() -> None:
    spider = make_spider(AshbyBoardsSpider, companies="x")
    body = '{"jobs": [{"title": "no id"}, "junk", {"id": "j-1", "title": "ok"}]}'
    items = list(
        spider.parse_board(text_response(body, f"{API}/posting-api/job-board/x"), Board("x", "X Corp"))
    )
    assert [(i.source_id, i.title, i.company, i.workplace_raw) for i in items] == [
        ("j-1", "ok", "X Corp", [])
    ]
    assert stats(spider)["jobs/parse_error/job"] == 2


def test_companies_and_base_url() -> None:
    default = make_spider(AshbyBoardsSpider)
    assert [b.slug for b in default.boards][:3] == ["notion", "openai", "ramp"]
    assert all(b.name for b in default.boards)
    assert default.base_url == API
    assert (
        default.board_url(Board("notion")) == f"{API}/posting-api/job-board/notion?includeCompensation=true"
    )
    chosen = make_spider(AshbyBoardsSpider, companies="linear,acme|Acme Inc.")
    assert chosen.boards == [Board("linear", "Linear"), Board("acme", "Acme Inc.")]  # name from the data file
    mirror = make_spider(AshbyBoardsSpider, settings={"ASHBY_BASE_URL": "http://mirror/"})
    assert mirror.base_url == "http://mirror"


# --- end to end ----------------------------------------------------------------------------------
def test_crawl_ashby_survives_404_and_malformed_json(tmp_path: Path) -> None:
    routes = {
        "/posting-api/job-board/notion": Route.file(NOTION),
        "/posting-api/job-board/exampleco": Route.file(EXAMPLECO),
        "/posting-api/job-board/broken": Route.text('{"jobs": [{"id": 1,', content_type="application/json"),
        # /posting-api/job-board/removed: no route -> 404
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "ashby",
            args={"companies": "removed,notion,broken,exampleco|ExampleCo", "base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert "/posting-api/job-board/notion?includeCompensation=true" in paths
    by_id = {i["source_id"]: i for i in result.items}
    assert len(by_id) == 6  # 3 notion + 3 listed exampleco jobs
    notion = by_id["d177d052-ef57-4900-acf2-d58e9eded620"]
    assert (notion["title"], notion["company"], notion["source"]) == ("Product Designer", "Notion", "ashby")
    assert notion["posted_raw"] == "2026-07-02T17:18:41.823+00:00"
    backend = by_id["3f0c2b8e-5a1d-4c7e-9b2a-6d1e0f4a7c01"]
    assert (backend["company"], backend["salary_min"], backend["salary_max"], backend["salary_currency"]) == (
        "ExampleCo",
        160000.0,
        210000.0,
        "USD",
    )
    assert "ashby board 'removed' not found (404)" in result.log
    assert "Ashby board 'broken': response is not JSON" in result.log
    assert logged_stat(result.log, "jobs/company_not_found") == 1
    assert logged_stat(result.log, "jobs/parse_error/json") == 1
    assert logged_stat(result.log, "jobs/skipped/unlisted") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
