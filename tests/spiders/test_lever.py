"""Lever Postings API spider: mapping, salary ranges, paging, errors, ``scrapy crawl lever``."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from scrapy import Request

from crawler.items import JobPosting
from spiders.lever import LeverSitesSpider
from spiders.platforms.greenhouse import Board
from spiders.platforms.lever import epoch_ms_iso, salary_range_fields
from tests import mockserver
from tests.crawl import run_crawl
from tests.mockserver import FIXTURES, MockServer, Route
from tests.spiders import (
    crawl_env,
    crawl_settings,
    fixture_response,
    logged_stat,
    make_spider,
    stats,
    text_response,
)

IDEALIST = "boards/lever/lever_postings_idealistconsulting_careerkit.json"
EXAMPLECORP = "boards/lever/TESTDATA_postings_with_salary_range.json"
API = "https://api.lever.co"


def page(spider: LeverSitesSpider, relpath: str, board: Board, skip: int = 0) -> list[JobPosting | Request]:
    url = spider.postings_url(board, skip)
    return list(spider.parse_postings(fixture_response(relpath, url), board=board, skip=skip, seen=set()))


def test_idealist_postings() -> None:
    spider = make_spider(LeverSitesSpider, companies="idealistconsulting")
    board = spider.boards[0]
    assert board == Board("idealistconsulting", "Idealist Consulting")  # name from spiders/data/lever.txt
    items = page(spider, IDEALIST, board)
    assert all(isinstance(i, JobPosting) for i in items)  # 2 < limit 100: no next page
    first, second = items
    assert isinstance(first, JobPosting) and isinstance(second, JobPosting)
    assert first.source == "lever"
    assert first.source_id == "a24ec4e5-5caa-473d-abd4-b71f09a8167b"
    assert first.title == "(1099 Contract) Nonprofit Salesforce Consultant: Enterprise Project Manager"
    assert first.company == "Idealist Consulting"
    assert first.url == "https://jobs.lever.co/idealistconsulting/a24ec4e5-5caa-473d-abd4-b71f09a8167b"
    assert (
        first.apply_url
        == "https://jobs.lever.co/idealistconsulting/a24ec4e5-5caa-473d-abd4-b71f09a8167b/apply"
    )
    assert first.location_raw == ["Chicago, IL"]
    assert first.workplace_raw == ["remote"]
    assert first.employment_type_raw == ["Contract"]
    assert first.tags == ["Services Team"]
    assert first.posted_raw == "2025-11-27T01:02:41.939Z"  # createdAt 1764205361939 ms
    assert first.description_html is not None
    assert first.description_html.startswith("<div>Are you tenacious, pragmatic, with a keen sense of humor?")
    assert "<h3>How You'll Contribute</h3>\n<ul><li>Guide full project life cycle" in first.description_html
    assert "Contractor hourly rates are set based on experience" in first.description_html  # additional
    assert first.description_text is None
    assert first.salary_min is None and first.salary_raw is None
    assert first.raw["createdAt"] == 1764205361939
    assert first.raw["country"] == "US"
    assert first.raw["_board"] == "idealistconsulting"
    assert "description" not in first.raw and "lists" not in first.raw

    assert second.source_id == "5d54d69b-e940-452e-b892-1170aa60f095"
    assert second.title == "(1099 Contract) Salesforce for Nonprofits: Solution Architect"
    assert second.location_raw == ["Washington, D.C."]
    assert second.posted_raw == "2023-01-29T02:28:23.769Z"
    assert stats(spider)["jobs/listed"] == 2


def test_salary_ranges_and_categories() -> None:
    spider = make_spider(LeverSitesSpider, companies="examplecorp|Example Corp")
    first, second = page(spider, EXAMPLECORP, spider.boards[0])
    assert isinstance(first, JobPosting) and isinstance(second, JobPosting)
    assert first.company == "Example Corp"
    assert (first.salary_min, first.salary_max, first.salary_currency, first.salary_period) == (
        85000.0,
        105000.0,
        "EUR",
        "YEAR",
    )
    assert first.salary_raw == "EUR 85,000–105,000 per year"
    assert first.location_raw == ["Berlin", "Lisbon"]  # allLocations
    assert first.workplace_raw == ["hybrid"]
    assert first.seniority_raw == ["Senior"]  # categories.level
    assert first.tags == ["Platform", "R&D"]
    assert first.posted_raw == "2026-01-01T00:00:00.000Z"
    assert first.description_html is not None
    assert "<h3>What you'll do</h3>" in first.description_html
    assert first.description_html.endswith("<div>The range depends on experience.</div>")  # salaryDescription
    assert first.raw["salaryRange"]["interval"] == "per-year-salary"

    assert (second.salary_min, second.salary_max, second.salary_currency, second.salary_period) == (
        22.5,
        28.0,
        "USD",
        "HOUR",
    )
    assert second.salary_raw == "USD 22.50–28 per hour"
    assert second.workplace_raw == ["on-site"]
    assert second.location_raw == ["Austin, TX"]
    assert second.employment_type_raw == ["Part-time"]
    assert second.seniority_raw == []


def test_salary_range_edge_cases() -> None:
    monthly = salary_range_fields(
        {"currency": "BRL", "interval": "per-month-salary", "min": 9000, "max": 12000}
    )
    assert monthly["salary_period"] == "MONTH"
    odd = salary_range_fields({"currency": "USD", "interval": "one-time", "min": 5000, "max": 5000})
    assert odd["salary_period"] is None and odd["salary_raw"] == "USD 5,000 (one-time)"
    assert salary_range_fields(None, "Competitive pay") == {"salary_raw": "Competitive pay"}
    assert salary_range_fields({"currency": "USD", "min": 0, "max": None}) == {}
    assert epoch_ms_iso(0) == "1970-01-01T00:00:00.000Z"
    assert epoch_ms_iso(None) is None


def test_paging_requests_next_page_until_short_page() -> None:
    spider = make_spider(LeverSitesSpider, companies="idealistconsulting", page_size="2")
    board = spider.boards[0]
    assert spider.postings_url(board, 0) == f"{API}/v0/postings/idealistconsulting?mode=json&skip=0&limit=2"
    seen: set[str] = set()
    out = list(
        spider.parse_postings(
            fixture_response(IDEALIST, spider.postings_url(board, 0)), board=board, skip=0, seen=seen
        )
    )
    assert [type(o).__name__ for o in out] == ["JobPosting", "JobPosting", "Request"]
    next_request = out[-1]
    assert isinstance(next_request, Request)
    assert next_request.url == f"{API}/v0/postings/idealistconsulting?mode=json&skip=2&limit=2"
    assert next_request.cb_kwargs["seen"] is seen and len(seen) == 2
    # the same page again (a server ignoring skip): nothing new, paging stops
    again = list(
        spider.parse_postings(fixture_response(IDEALIST, next_request.url), board=board, skip=2, seen=seen)
    )
    assert again == []
    assert stats(spider)["jobs/pagination_repeat"] == 1
    # an empty page ends the site
    assert (
        list(spider.parse_postings(text_response("[]", next_request.url), board=board, skip=2, seen=seen))
        == []
    )


def test_site_404_malformed_and_error_object(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(LeverSitesSpider, companies="gone")
    board = Board("gone")
    url = spider.postings_url(board, 0)
    with caplog.at_level(logging.WARNING):
        assert (
            list(
                spider.parse_postings(
                    text_response('{"ok":false,"error":"Document not found"}', url, 404),
                    board=board,
                    skip=0,
                    seen=set(),
                )
            )
            == []
        )
        assert (
            list(
                spider.parse_postings(
                    text_response("<html>oops</html>", url), board=board, skip=0, seen=set()
                )
            )
            == []
        )
        assert (
            list(
                spider.parse_postings(
                    text_response('{"ok":false,"error":"Rate limited"}', url), board=board, skip=0, seen=set()
                )
            )
            == []
        )
    assert stats(spider)["jobs/company_not_found"] == 1
    assert stats(spider)["jobs/parse_error/json"] == 2
    assert any("Rate limited" in r.getMessage() for r in caplog.records)


def test_companies_and_base_url() -> None:
    default = make_spider(LeverSitesSpider)
    assert [b.slug for b in default.boards][:2] == ["palantir", "spotify"]
    assert all(b.name for b in default.boards)
    unnamed = make_spider(LeverSitesSpider, companies="somecompany")
    assert unnamed.boards == [Board("somecompany")]  # no name: company stays None, never the slug
    assert default.base_url == API
    eu = make_spider(LeverSitesSpider, settings={"LEVER_BASE_URL": "https://api.eu.lever.co/"})
    assert eu.base_url == "https://api.eu.lever.co"


# --- end to end ----------------------------------------------------------------------------------
def paged(relpath: str) -> mockserver.Handler:
    """Serve a recorded postings list the way Lever pages it (``skip``/``limit``)."""
    postings = json.loads((FIXTURES / relpath).read_text(encoding="utf-8"))

    def handler(request: mockserver.Request) -> Route:
        query = parse_qs(request.query)
        skip = int(query.get("skip", ["0"])[0])
        limit = int(query.get("limit", ["100"])[0])
        body = json.dumps(postings[skip : skip + limit]).encode("utf-8")
        return Route(200, body, {"Content-Type": "application/json; charset=utf-8"})

    return handler


def test_crawl_lever_pages_and_survives_errors(tmp_path: Path) -> None:
    routes: dict[str, Route | mockserver.Handler] = {
        "/v0/postings/idealistconsulting": paged(IDEALIST),
        "/v0/postings/examplecorp": paged(EXAMPLECORP),
        "/v0/postings/broken": Route.text("[{", content_type="application/json"),
        "/v0/postings/gone": Route.text(
            '{"ok":false,"error":"Document not found"}', status=404, content_type="application/json"
        ),
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "lever",
            args={
                "companies": "gone,idealistconsulting,broken,examplecorp|Example Corp",
                "page_size": "1",
                "base_url": server.base_url,
            },
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    # one posting per page: skip=0, 1, then an empty page
    assert [p for p in paths if p.startswith("/v0/postings/idealistconsulting")] == [
        "/v0/postings/idealistconsulting?mode=json&skip=0&limit=1",
        "/v0/postings/idealistconsulting?mode=json&skip=1&limit=1",
        "/v0/postings/idealistconsulting?mode=json&skip=2&limit=1",
    ]
    by_id = {i["source_id"]: i for i in result.items}
    assert set(by_id) == {
        "a24ec4e5-5caa-473d-abd4-b71f09a8167b",
        "5d54d69b-e940-452e-b892-1170aa60f095",
        "00000000-0000-4000-8000-000000000001",
        "00000000-0000-4000-8000-000000000002",
    }
    idealist = by_id["5d54d69b-e940-452e-b892-1170aa60f095"]
    assert idealist["company"] == "Idealist Consulting"
    assert (
        idealist["apply_url"]
        == "https://jobs.lever.co/idealistconsulting/5d54d69b-e940-452e-b892-1170aa60f095/apply"
    )
    assert idealist["employment_type_raw"] == ["Contract"]
    example = by_id["00000000-0000-4000-8000-000000000001"]
    assert (example["company"], example["salary_min"], example["salary_max"], example["salary_period"]) == (
        "Example Corp",
        85000.0,
        105000.0,
        "YEAR",
    )
    assert "board 'gone' not found (404)" in result.log
    assert "Lever site 'broken': response is not JSON" in result.log
    assert logged_stat(result.log, "jobs/company_not_found") == 1
    assert logged_stat(result.log, "jobs/parse_error/json") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
