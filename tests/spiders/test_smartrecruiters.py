"""SmartRecruiters Posting API spider: list, paging, posting details, robots.txt, errors, end to end."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.platforms.smartrecruiters import Board, SmartRecruitersSpider, job_ad_html, location_string
from spiders.smartrecruiters import SmartRecruitersCompaniesSpider
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

KNIGHT = "boards/smartrecruiters/smartrecruiters_postings_careerkit.json"
EXAMPLECO = "boards/smartrecruiters/TESTDATA_postings_exampleco.json"
DETAIL = "boards/smartrecruiters/TESTDATA_posting_detail_744000100000001.json"
API = "https://api.smartrecruiters.com"


def list_output(
    spider: SmartRecruitersSpider, relpath: str, board: Board, offset: int = 0
) -> list[JobPosting | Request]:
    response = fixture_response(relpath, spider.postings_url(board, offset))
    return list(spider.parse_postings(response, board, offset, set()))


def test_knight_list_without_details() -> None:
    spider = make_spider(SmartRecruitersCompaniesSpider, companies="knight", details="0")
    (item,) = list_output(spider, KNIGHT, Board("knight"))
    assert isinstance(item, JobPosting)
    assert item.source == "smartrecruiters"
    assert item.source_id == "743999671674844"
    assert item.title == "CNA  / LPN - Consistent Hours. Start Next Week."  # as given (normalization cleans)
    assert item.company == "Knight Gayles"
    assert item.url == "https://jobs.smartrecruiters.com/Knight/743999671674844"  # company.identifier
    assert item.apply_url is None  # only the detail has applyUrl
    assert item.location_raw == ["St. Louis, MO, United States"]
    assert item.workplace_raw == []  # remote: false, hybrid: false
    assert item.employment_type_raw == ["Part-time"]
    assert item.seniority_raw == ["Not Applicable"]
    assert item.posted_raw == "2018-06-08T02:11:28.000Z"
    assert item.tags == ["Health Care Provider"]  # department is {}: only the function
    assert item.description_html is None
    assert item.raw["refNumber"] == "REF30D"
    assert item.raw["location"]["postalCode"] == "63303"
    assert item.raw["customField"][1]["valueLabel"] == "Knight Gayles"
    assert item.raw["_board"] == "knight"
    assert stats(spider)["jobs/listed"] == 1


def test_details_by_default_and_detail_mapping() -> None:
    spider = make_spider(SmartRecruitersCompaniesSpider, companies="ExampleCo")
    assert spider.details is True
    requests = list_output(spider, EXAMPLECO, Board("ExampleCo"))
    assert all(isinstance(r, Request) for r in requests)
    assert [r.url for r in requests if isinstance(r, Request)] == [
        f"{API}/v1/companies/ExampleCo/postings/744000100000001",
        f"{API}/v1/companies/ExampleCo/postings/744000100000002",
        f"{API}/v1/companies/ExampleCo/postings/744000100000003",
    ]  # totalFound 3 = this page: no next page
    request = requests[0]
    assert isinstance(request, Request)
    item = request.cb_kwargs["item"]
    (detailed,) = spider.parse_detail(fixture_response(DETAIL, request.url, request=request), item=item)
    assert detailed is item
    assert (
        item.url
        == "https://jobs.smartrecruiters.com/ExampleCo/744000100000001-senior-software-engineer-java-"
    )
    assert item.apply_url == (
        "https://jobs.smartrecruiters.com/ExampleCo/744000100000001-senior-software-engineer-java-?oga=true"
    )
    assert item.description_html == (
        "<h3>Company Description</h3>\n<p>ExampleCo builds example software for logistics teams.</p>\n"
        "<h3>Job Description</h3>\n<p>Design and run Java services for our routing platform.</p>"
        "<ul><li>Java 21, Spring Boot</li><li>PostgreSQL, Kafka</li></ul>\n"
        "<h3>Qualifications</h3>\n<ul><li>5+ years of backend development</li><li>Advanced English</li></ul>\n"
        "<h3>Additional Information</h3>\n<p>Hybrid: 2 days a week in our São Paulo office.</p>"
    )
    # list fields stay
    assert (item.title, item.company, item.location_raw, item.workplace_raw) == (
        "Senior Software Engineer (Java)",
        "ExampleCo Inc.",
        ["São Paulo, SP, Brazil"],
        ["hybrid"],
    )
    assert (item.employment_type_raw, item.seniority_raw, item.tags) == (
        ["Full-time"],
        ["Mid-Senior Level"],
        ["Engineering"],
    )
    assert item.raw["active"] is True and "jobAd" not in item.raw
    assert item.raw["referralUrl"].endswith("?dcr_ci=ExampleCo")


def test_list_locations_and_flags() -> None:
    spider = make_spider(SmartRecruitersCompaniesSpider, companies="ExampleCo", details="false")
    items = [i for i in list_output(spider, EXAMPLECO, Board("ExampleCo")) if isinstance(i, JobPosting)]
    remote, warehouse = items[1], items[2]
    assert remote.location_raw == ["Lisbon, Portugal"]  # "Lisbon, , Portugal": empty part dropped
    assert remote.workplace_raw == ["remote"]
    assert remote.tags == ["Customer Service"]
    assert warehouse.location_raw == ["Austin, TX, US"]  # no fullLocation: parts + ISO code
    assert (warehouse.employment_type_raw, warehouse.seniority_raw) == (["Part-time"], ["Entry Level"])
    assert (
        location_string(
            {"city": "Poland", "region": "Remote", "country": "pl", "fullLocation": "Poland, Remote, Poland"}
        )
        == "Poland, Remote"
    )
    assert job_ad_html({"jobAd": {"sections": {"videos": {"urls": []}}}}) is None


def test_paging() -> None:
    spider = make_spider(SmartRecruitersCompaniesSpider, companies="ExampleCo", details="0", page_size="2")
    body = json.loads((FIXTURES / EXAMPLECO).read_text(encoding="utf-8"))
    first_page = {**body, "limit": 2, "totalFound": 10, "content": body["content"][:2]}
    seen: set[str] = set()
    out = list(
        spider.parse_postings(
            text_response(json.dumps(first_page), spider.postings_url(Board("ExampleCo"), 0)),
            Board("ExampleCo"),
            0,
            seen,
        )
    )
    assert [i.source_id for i in out if isinstance(i, JobPosting)] == ["744000100000001", "744000100000002"]
    (next_page,) = [r for r in out if isinstance(r, Request)]
    assert next_page.url == f"{API}/v1/companies/ExampleCo/postings?offset=2&limit=2"
    # a server that ignores offset: the same page again stops the company
    again = list(
        spider.parse_postings(
            text_response(json.dumps(first_page), next_page.url), Board("ExampleCo"), 2, seen
        )
    )
    assert again == []
    assert stats(spider)["jobs/pagination_repeat"] == 1
    assert make_spider(SmartRecruitersCompaniesSpider, page_size="500").limit == 100  # API maximum


def test_detail_failures_keep_the_list_data(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(SmartRecruitersCompaniesSpider, companies="ExampleCo")
    url = f"{API}/v1/companies/ExampleCo/postings/1"
    with caplog.at_level(logging.WARNING):
        for body, status in (('{"message": "not found"}', 404), ('{"jobAd": ', 200), ("[]", 200)):
            item = spider.new_item(source_id="1", title="Kept")
            assert list(spider.parse_detail(text_response(body, url, status), item=item)) == [item]
            assert item.description_html is None
        item = spider.new_item(source_id="1", title="Kept")
        failure = Failure(ConnectionRefusedError("refused"))
        failure.request = Request(url, cb_kwargs={"item": item})  # type: ignore[attr-defined]
        assert list(spider.detail_failed(failure)) == [item]
    assert stats(spider)["jobs/detail_failed"] == 4
    assert any("detail HTTP 404, kept without description" in r.getMessage() for r in caplog.records)


def test_robots_forbidden_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(SmartRecruitersCompaniesSpider, companies="ExampleCo")
    assert spider.settings.getbool("ROBOTSTXT_OBEY") is True
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = Request(spider.postings_url(Board("ExampleCo"), 0))  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING):
        spider.request_failed(failure)
    assert stats(spider)["jobs/robots_forbidden"] == 1
    assert "jobs/request_failed" not in stats(spider)
    assert any("ROBOTSTXT_OBEY=False overrides it" in r.getMessage() for r in caplog.records)


def test_company_404_and_malformed_list(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(SmartRecruitersCompaniesSpider, companies="gone,broken")
    url = f"{API}/v1/companies/x/postings?offset=0&limit=100"
    with caplog.at_level(logging.WARNING):
        gone = text_response('{"message":"not found"}', url, 404)
        assert list(spider.parse_postings(gone, Board("gone"), 0, set())) == []
        broken = text_response('{"content": [', url)
        assert list(spider.parse_postings(broken, Board("broken"), 0, set())) == []
        odd = text_response('{"totalFound": 0}', url)
        assert list(spider.parse_postings(odd, Board("odd"), 0, set())) == []
        body = '{"totalFound": 2, "content": [{"name": "no id"}, {"id": "9", "name": "ok"}]}'
        (ok,) = spider.parse_postings(text_response(body, url), Board("Acme", "Acme Corp"), 0, set())
    assert isinstance(ok, Request) and ok.cb_kwargs["item"].company == "Acme Corp"
    assert ok.cb_kwargs["item"].url == "https://jobs.smartrecruiters.com/Acme/9"
    assert stats(spider)["jobs/company_not_found"] == 1
    assert stats(spider)["jobs/parse_error/json"] == 2
    assert stats(spider)["jobs/parse_error/job"] == 1


def test_normalized_values() -> None:
    spider = make_spider(SmartRecruitersCompaniesSpider, companies="knight", details="0")
    (item,) = list_output(spider, KNIGHT, Board("knight"))
    assert isinstance(item, JobPosting)
    normalize_posting(item)
    assert item.locations == [{"city": "St. Louis", "region": "MO", "country": "US"}]
    assert item.employment_type == "PART_TIME"
    assert item.title == "CNA / LPN - Consistent Hours. Start Next Week."
    assert item.posted_at == "2018-06-08T02:11:28Z"


def test_companies_and_base_url() -> None:
    default = make_spider(SmartRecruitersCompaniesSpider)
    assert [b.slug for b in default.boards][:2] == ["smartrecruiters", "Visa"]
    assert default.base_url == API
    assert (
        default.postings_url(Board("Visa"), 200) == f"{API}/v1/companies/Visa/postings?offset=200&limit=100"
    )
    assert default.detail_url(Board("Visa"), "7440") == f"{API}/v1/companies/Visa/postings/7440"


# --- end to end ----------------------------------------------------------------------------------
def paged(relpath: str) -> mockserver.Handler:
    """Serve a postings list the way SmartRecruiters pages it (``offset``/``limit``/``totalFound``)."""
    body = json.loads((FIXTURES / relpath).read_text(encoding="utf-8"))

    def handler(request: mockserver.Request) -> Route:
        query = parse_qs(request.query)
        offset = int(query.get("offset", ["0"])[0])
        limit = int(query.get("limit", ["100"])[0])
        page = {**body, "offset": offset, "limit": limit, "content": body["content"][offset : offset + limit]}
        return Route(200, json.dumps(page).encode("utf-8"), {"Content-Type": "application/json"})

    return handler


def test_crawl_smartrecruiters_pages_details_and_errors(tmp_path: Path) -> None:
    routes: dict[str, Route | mockserver.Handler] = {
        "/v1/companies/knight/postings": Route.file(KNIGHT),
        # the knight detail has no route: 404, the posting is kept without description
        "/v1/companies/ExampleCo/postings": paged(EXAMPLECO),
        "/v1/companies/ExampleCo/postings/744000100000001": Route.file(DETAIL),
        "/v1/companies/ExampleCo/postings/744000100000002": Route.text(
            '{"jobAd": {', content_type="application/json"
        ),
        "/v1/companies/broken/postings": Route.text('{"content": [{', content_type="application/json"),
        # /v1/companies/removed/postings: no route -> 404
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "smartrecruiters",
            args={
                "companies": "removed,knight,ExampleCo,broken",
                "page_size": "2",
                "base_url": server.base_url,
            },
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert "/robots.txt" in paths  # robots.txt is obeyed (404 here: everything allowed)
    assert [p for p in paths if p.startswith("/v1/companies/ExampleCo/postings?")] == [
        "/v1/companies/ExampleCo/postings?offset=0&limit=2",
        "/v1/companies/ExampleCo/postings?offset=2&limit=2",
    ]
    by_id = {i["source_id"]: i for i in result.items}
    assert set(by_id) == {"743999671674844", "744000100000001", "744000100000002", "744000100000003"}
    java = by_id["744000100000001"]
    assert java["description_html"].startswith("<h3>Company Description</h3>")
    assert java["url"].endswith("/ExampleCo/744000100000001-senior-software-engineer-java-")
    assert java["workplace_raw"] == ["hybrid"]
    knight = by_id["743999671674844"]
    assert (knight["company"], knight["description_html"], knight["location_raw"]) == (
        "Knight Gayles",
        None,
        ["St. Louis, MO, United States"],
    )
    assert by_id["744000100000002"]["description_html"] is None  # malformed detail
    assert "smartrecruiters board 'removed' not found (404)" in result.log
    assert "SmartRecruiters company 'broken': response is not JSON" in result.log
    assert logged_stat(result.log, "jobs/company_not_found") == 1
    assert logged_stat(result.log, "jobs/detail_failed") == 3  # knight 404, 002 malformed, 003 404
    assert logged_stat(result.log, "jobs/parse_error/json") == 2  # broken list + malformed detail
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]


def test_crawl_smartrecruiters_obeys_robots_txt(tmp_path: Path) -> None:
    routes = {
        "/robots.txt": Route.text(
            "User-agent: LinkedInBot\nAllow: /v1/companies/\nUser-agent: *\nDisallow: /\n",
            content_type="text/plain",
        ),
        "/v1/companies/knight/postings": Route.file(KNIGHT),
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "smartrecruiters",
            args={"companies": "knight", "base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert paths == ["/robots.txt"]
    assert result.items == []
    assert logged_stat(result.log, "jobs/robots_forbidden") == 1
    assert "robots.txt is obeyed, -s ROBOTSTXT_OBEY=False overrides it" in result.log
