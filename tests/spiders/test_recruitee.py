"""Recruitee offers API spider: per-company host, offer mapping, salary, robots.txt, errors, end to end."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.platforms.recruitee import (
    Board,
    RecruiteeSpider,
    description_html,
    recruitee_time_iso,
    salary_fields,
)
from spiders.recruitee import RecruiteeCompaniesSpider
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

ACME = "boards/recruitee/recruitee_offers_careerkit.json"


def offer_items(spider: RecruiteeSpider, board: Board) -> list[JobPosting]:
    return list(spider.parse_board(fixture_response(ACME, spider.board_url(board)), board))


def test_acme_offers() -> None:
    spider = make_spider(RecruiteeCompaniesSpider, companies="acme")
    items = offer_items(spider, Board("acme"))
    assert [i.source_id for i in items] == ["2700825", "2697184"]
    first = items[0]
    assert first.source == "recruitee"
    assert first.title == "(Senior) Financial Accountant (f/m/d) - Berlin/Brandenburg Region, Germany"
    assert first.company == "Acme"
    assert (
        first.url
        == "https://jobs.acme.com/o/senior-financial-accountant-fmd-berlinbrandenburg-region-germany"
    )
    assert first.apply_url == (
        "https://jobs.acme.com/o/senior-financial-accountant-fmd-berlinbrandenburg-region-germany/c/new"
    )
    assert first.location_raw == ["Berlin, Berlin, Germany"]
    assert first.workplace_raw == ["hybrid"]  # hybrid: true, remote/on_site: false
    assert first.employment_type_raw == ["fulltime_permanent"]
    assert first.seniority_raw == ["experienced"]
    assert first.posted_raw == "2026-08-05T10:10:39Z"  # published_at "2026-08-05 10:10:39 UTC"
    assert first.valid_through_raw is None  # close_at: null
    assert first.tags == ["Finance"]
    assert (first.salary_min, first.salary_max, first.salary_currency, first.salary_period) == (
        60000.0,
        75000.0,
        "EUR",
        "YEAR",
    )
    assert first.salary_raw == "EUR 60,000–75,000 per year"
    assert first.description_html is not None
    assert first.description_html.startswith("<p><strong>How you will make an impact</strong></p>")
    assert "<p><strong>What we expect from you</strong></p>" in first.description_html  # requirements
    assert "description" not in first.raw and "requirements" not in first.raw
    assert "description" not in first.raw["translations"]["en"]
    assert (
        first.raw["translations"]["en"]["sharing_title"]
        == "We are hiring a (Senior) Financial Accountant in Berlin"
    )
    assert first.raw["created_at"] == "2026-08-05 09:41:37 UTC"
    assert first.raw["locations"][0]["street"] == "Dircksenstraße 47"
    assert first.raw["_board"] == "acme"

    second = items[1]
    assert second.title == "Partner Development Representative (f/m/d) - Berlin, Germany"
    assert (second.salary_min, second.salary_max) == (75000.0, 90000.0)
    assert second.seniority_raw == ["mid_level"]
    assert second.posted_raw == "2026-07-31T22:26:40Z"
    assert second.tags == ["Sales"]
    assert stats(spider)["jobs/listed"] == 2


def test_host_template_and_path_prefix() -> None:
    default = make_spider(RecruiteeCompaniesSpider)
    assert [b.slug for b in default.boards][:2] == ["dataroots", "blueforest"]
    assert default.base_url == "https://{company}.recruitee.com"
    assert default.board_url(Board("dataroots")) == "https://dataroots.recruitee.com/api/offers/"
    local = make_spider(RecruiteeCompaniesSpider, base_url="http://127.0.0.1:8080/")
    assert local.board_url(Board("acme")) == "http://127.0.0.1:8080/acme/api/offers/"
    mirror = make_spider(
        RecruiteeCompaniesSpider, settings={"RECRUITEE_BASE_URL": "https://mirror.example/{company}/x"}
    )
    assert mirror.board_url(Board("acme")) == "https://mirror.example/acme/x/api/offers/"


def test_field_rules() -> None:
    assert recruitee_time_iso("2026-08-05 09:41:37 UTC") == "2026-08-05T09:41:37Z"
    assert recruitee_time_iso("2026-08-05T09:41:37Z") == "2026-08-05T09:41:37Z"
    assert recruitee_time_iso(None) is None
    assert salary_fields({"min": "20", "max": "25.5", "period": "hour", "currency": "usd"}) == {
        "salary_min": 20.0,
        "salary_max": 25.5,
        "salary_currency": "USD",
        "salary_period": "HOUR",
        "salary_raw": "USD 20–25.50 per hour",
    }
    odd = salary_fields({"min": "3000", "max": None, "period": "fortnight", "currency": "EUR"})
    assert (odd["salary_min"], odd["salary_period"], odd["salary_raw"]) == (
        3000.0,
        None,
        "EUR 3,000 (fortnight)",
    )
    assert salary_fields({"min": None, "max": None, "period": "year", "currency": "EUR"}) == {}
    assert salary_fields({"min": "60k", "max": "", "currency": "EUR"}) == {}  # not guessed
    # description from the first translation when the offer has none at the top level
    assert description_html(
        {"translations": {"de": {"description": "<p>Hallo</p>", "requirements": None}}}
    ) == ("<p>Hallo</p>")


def test_flags_tags_and_fallbacks() -> None:
    spider = make_spider(RecruiteeCompaniesSpider, companies="x")
    body = (
        '{"offers": [{"id": 7, "title": "", "translations": {"en": {"title": "Support Lead"}},'
        ' "remote": true, "on_site": true, "hybrid": false, "location": "Remote job", "locations": [],'
        ' "department": "Support", "tags": ["Zendesk", "", "Support"], "created_at": "2026-08-10 10:00:00 UTC",'
        ' "close_at": "2026-09-30 23:59:00 UTC"}, {"title": "no id"}]}'
    )
    (item,) = spider.parse_board(
        text_response(body, "https://x.recruitee.com/api/offers/"), Board("x", "X BV")
    )
    assert (item.source_id, item.title, item.company) == ("7", "Support Lead", "X BV")
    assert item.workplace_raw == ["remote", "on_site"]
    assert item.location_raw == ["Remote job"]
    assert item.tags == ["Support", "Zendesk"]
    assert (item.posted_raw, item.valid_through_raw) == ("2026-08-10T10:00:00Z", "2026-09-30T23:59:00Z")
    assert item.salary_min is None and item.salary_raw is None
    assert stats(spider)["jobs/parse_error/job"] == 1


def test_normalized_values() -> None:
    spider = make_spider(RecruiteeCompaniesSpider, companies="acme")
    first = offer_items(spider, Board("acme"))[0]
    normalize_posting(first)
    assert first.workplace == "hybrid"
    assert first.locations == [{"city": "Berlin", "region": "Berlin", "country": "DE"}]
    assert first.employment_type == "FULL_TIME"
    assert (first.salary_min, first.salary_max, first.salary_currency, first.salary_period) == (
        60000.0,
        75000.0,
        "EUR",
        "YEAR",
    )
    assert first.posted_at == "2026-08-05T10:10:39Z"


def test_company_404_malformed_and_robots(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(RecruiteeCompaniesSpider, companies="gone,broken")
    assert spider.settings.getbool("ROBOTSTXT_OBEY") is True
    url = "https://x.recruitee.com/api/offers/"
    with caplog.at_level(logging.WARNING):
        assert (
            list(spider.parse_board(text_response('{"error":"Not found"}', url, 404), Board("gone"))) == []
        )
        assert list(spider.parse_board(text_response('{"offers": [', url), Board("broken"))) == []
        assert list(spider.parse_board(text_response('{"offer": []}', url), Board("odd"))) == []
        failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
        failure.request = Request("https://snappet.recruitee.com/api/offers/")  # type: ignore[attr-defined]
        spider.request_failed(failure)
    assert stats(spider)["jobs/company_not_found"] == 1
    assert stats(spider)["jobs/parse_error/json"] == 2
    assert stats(spider)["jobs/robots_forbidden"] == 1
    messages = [r.getMessage() for r in caplog.records]
    assert any("recruitee board 'gone' not found (404)" in m for m in messages)
    assert any("request not sent (Forbidden by robots.txt)" in m for m in messages)


# --- end to end ----------------------------------------------------------------------------------
def test_crawl_recruitee_survives_404_and_malformed_json(tmp_path: Path) -> None:
    routes = {
        "/acme/api/offers/": Route.file(ACME),
        "/broken/api/offers/": Route.text('{"offers": [{"id": 1', content_type="application/json"),
        # /removed/api/offers/: no route -> 404
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "recruitee",
            # no {company} in the base URL: the company becomes the first path segment
            args={"companies": "removed,acme,broken", "base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert "/robots.txt" in paths and "/acme/api/offers/" in paths
    by_id = {i["source_id"]: i for i in result.items}
    assert set(by_id) == {"2700825", "2697184"}
    partner = by_id["2697184"]
    assert (partner["company"], partner["salary_min"], partner["salary_max"], partner["salary_period"]) == (
        "Acme",
        75000.0,
        90000.0,
        "YEAR",
    )
    assert partner["workplace_raw"] == ["hybrid"]
    assert "recruitee board 'removed' not found (404)" in result.log
    assert "Recruitee company 'broken': response is not JSON" in result.log
    assert logged_stat(result.log, "jobs/company_not_found") == 1
    assert logged_stat(result.log, "jobs/parse_error/json") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]


def test_crawl_recruitee_host_template_and_robots(tmp_path: Path) -> None:
    """``{company}`` in the base URL; a host whose robots.txt disallows everything is skipped."""
    routes = {
        "/robots.txt": Route.text("User-agent: *\nDisallow: /\n", content_type="text/plain"),
        "/acme/api/offers/": Route.file(ACME),
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "recruitee",
            args={"companies": "acme", "base_url": server.base_url + "/{company}"},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert paths == ["/robots.txt"]
    assert result.items == []
    assert logged_stat(result.log, "jobs/robots_forbidden") == 1
