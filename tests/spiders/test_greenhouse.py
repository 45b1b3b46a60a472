"""Greenhouse Job Board API spider: list parsing, pay ranges, errors, ``scrapy crawl greenhouse``."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy import Request

from crawler.items import JobPosting
from spiders.greenhouse import GreenhouseBoardsSpider
from spiders.platforms.greenhouse import Board, GreenhouseSpider, pay_period, pay_ranges_salary
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

GITLAB = "boards/greenhouse/greenhouse_board_jobs_gitlab_content_breteai.json"
EXAMPLECO = "boards/greenhouse/TESTDATA_board_exampleco_jobs.json"
PAY_DETAIL = "boards/greenhouse/TESTDATA_job_with_pay_input_ranges.json"
API = "https://boards-api.greenhouse.io"


def board_items(spider: GreenhouseSpider, relpath: str, slug: str) -> list[JobPosting | Request]:
    response = fixture_response(relpath, f"{API}/v1/boards/{slug}/jobs?content=true")
    return list(spider.parse_board(response, Board(slug)))


def test_gitlab_board() -> None:
    spider = make_spider(GreenhouseBoardsSpider, companies="gitlab")
    items = board_items(spider, GITLAB, "gitlab")
    assert all(isinstance(i, JobPosting) for i in items)
    assert [i.source_id for i in items if isinstance(i, JobPosting)] == [
        "8503792002",
        "8556658002",
        "8638232002",
    ]
    first = items[0]
    assert isinstance(first, JobPosting)
    assert first.source == "greenhouse"
    assert first.title == "Account Executive - Italy"
    assert first.company == "GitLab"
    assert first.url == "https://job-boards.greenhouse.io/gitlab/jobs/8503792002"
    assert first.apply_url == "https://job-boards.greenhouse.io/gitlab/jobs/8503792002"
    assert first.location_raw == ["Remote, Italy"]
    assert first.workplace_raw == []  # "Remote" stays in the location string
    assert first.posted_raw == "2026-04-17T05:58:03-04:00"  # first_published
    assert first.valid_through_raw is None
    assert first.tags == ["EMEA - Commercial"]
    assert first.employment_type_raw == []  # "Quota Coverage Type" is not an employment type
    # content is entity-escaped by the API: decoded once
    assert first.description_html is not None
    assert first.description_html.startswith(
        '<div class="content-intro"><p>GitLab is the intelligent orchestration platform'
    )
    assert "&lt;" not in first.description_html
    assert first.salary_min is None and first.salary_raw is None
    # raw: the job without its content, plus the board
    assert "content" not in first.raw
    assert first.raw["requisition_id"] == "6263"
    assert first.raw["internal_job_id"] == 6396658002
    assert first.raw["updated_at"] == "2026-08-10T16:52:46-04:00"
    assert first.raw["_board"] == "gitlab"
    last = items[2]
    assert isinstance(last, JobPosting)
    assert (last.title, last.location_raw, last.tags) == (
        "AI Transformation Owner, CRO",
        ["Remote, United States"],
        ["Enablement"],
    )
    assert stats(spider)["jobs/listed"] == 3


def test_pay_option_requests_each_job_detail() -> None:
    spider = make_spider(GreenhouseBoardsSpider, companies="exampleco", pay="1")
    assert (
        spider.board_url(Board("exampleco"))
        == f"{API}/v1/boards/exampleco/jobs?content=true&pay_transparency=true"
    )
    requests = board_items(spider, EXAMPLECO, "exampleco")
    assert all(isinstance(r, Request) for r in requests)
    assert [r.url for r in requests if isinstance(r, Request)] == [
        f"{API}/v1/boards/exampleco/jobs/1000001?pay_transparency=true",
        f"{API}/v1/boards/exampleco/jobs/1000002?pay_transparency=true",
    ]
    request = requests[0]
    assert isinstance(request, Request)
    item = request.cb_kwargs["item"]
    assert isinstance(item, JobPosting) and item.source_id == "1000001"

    (paid,) = spider.parse_pay(fixture_response(PAY_DETAIL, request.url, request=request), item=item)
    assert paid is item
    assert (paid.salary_min, paid.salary_max, paid.salary_currency, paid.salary_period) == (
        144000.0,
        210000.0,
        "USD",
        "YEAR",
    )
    assert paid.salary_raw == (
        "Zone 1 (San Francisco, New York) Annual Base Salary: USD 160,000–210,000; "
        "Zone 2 (All other US locations) Annual Base Salary: USD 144,000–189,000"
    )
    assert paid.raw["pay_input_ranges"][0]["min_cents"] == 16000000
    # the rest comes from the list entry
    assert paid.title == "Senior Backend Engineer"
    assert paid.company == "Example Co"
    assert paid.location_raw == ["San Francisco, CA; New York, NY"]
    assert paid.employment_type_raw == ["Full-time"]  # metadata "Employment Type"
    assert paid.valid_through_raw == "2026-04-30"
    assert paid.posted_raw == "2026-02-20T10:00:00-05:00"
    assert paid.tags == ["Engineering"]
    assert paid.description_html == (
        "<p>Example Co builds example software.</p><h3>What you will do</h3><ul><li>Design APIs &amp; services</li></ul>"
    )


def test_pay_ranges_already_in_the_list_need_no_detail_request() -> None:
    spider = make_spider(GreenhouseBoardsSpider, companies="exampleco", pay="true")
    body = (
        '{"jobs": [{"id": 7, "title": "Barista", "absolute_url": "https://job-boards.greenhouse.io/x/jobs/7",'
        ' "pay_input_ranges": [{"min_cents": 1800, "max_cents": 2200, "currency_type": "USD", "title": "Hourly Pay"}]}]}'
    )
    (item,) = spider.parse_board(text_response(body, f"{API}/v1/boards/x/jobs"), Board("x"))
    assert isinstance(item, JobPosting)
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == (
        18.0,
        22.0,
        "USD",
        "HOUR",
    )
    assert item.salary_raw == "Hourly Pay: USD 18–22"


def test_pay_detail_404_keeps_the_item(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(GreenhouseBoardsSpider, companies="exampleco", pay="1")
    item = spider.new_item(source_id="1000002", title="Support Specialist")
    url = f"{API}/v1/boards/exampleco/jobs/1000002?pay_transparency=true"
    with caplog.at_level(logging.WARNING):
        (kept,) = spider.parse_pay(text_response('{"status": 404}', url, status=404), item=item)
    assert kept is item and kept.salary_min is None
    assert stats(spider)["jobs/pay_detail_failed"] == 1


def test_board_404_and_malformed_json(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(GreenhouseBoardsSpider, companies="gone,broken")
    with caplog.at_level(logging.WARNING):
        assert (
            list(
                spider.parse_board(
                    text_response('{"status":404,"error":"Not found"}', f"{API}/v1/boards/gone/jobs", 404),
                    Board("gone"),
                )
            )
            == []
        )
        assert (
            list(
                spider.parse_board(
                    text_response('{"jobs": [', f"{API}/v1/boards/broken/jobs"), Board("broken")
                )
            )
            == []
        )
        assert (
            list(
                spider.parse_board(text_response('{"error": "x"}', f"{API}/v1/boards/odd/jobs"), Board("odd"))
            )
            == []
        )
    assert stats(spider)["jobs/company_not_found"] == 1
    assert stats(spider)["jobs/parse_error/json"] == 2
    messages = [r.getMessage() for r in caplog.records]
    assert any("board 'gone' not found (404)" in m for m in messages)
    assert any("'broken'" in m and "not JSON" in m for m in messages)


def test_job_without_id_is_skipped_not_fatal() -> None:
    spider = make_spider(GreenhouseBoardsSpider, companies="x")
    body = '{"jobs": [{"title": "no id"}, "junk", {"id": 5, "title": "ok"}]}'
    items = list(spider.parse_board(text_response(body, f"{API}/v1/boards/x/jobs"), Board("x", "X Corp")))
    assert [(i.source_id, i.title, i.company) for i in items if isinstance(i, JobPosting)] == [
        ("5", "ok", "X Corp")
    ]
    assert stats(spider)["jobs/parse_error/job"] == 2


def test_companies_from_argument_and_data_file() -> None:
    default = make_spider(GreenhouseBoardsSpider)
    slugs = [b.slug for b in default.boards]
    assert slugs[:3] == ["gitlab", "airbnb", "stripe"] and len(slugs) == 10
    chosen = make_spider(GreenhouseBoardsSpider, companies="stripe, acme|Acme Inc. ,stripe")
    assert chosen.boards == [Board("stripe"), Board("acme", "Acme Inc.")]
    assert chosen.pay is False


def test_base_url_resolution() -> None:
    assert make_spider(GreenhouseBoardsSpider).base_url == API
    platform = make_spider(GreenhouseBoardsSpider, settings={"GREENHOUSE_BASE_URL": "http://platform/"})
    assert platform.base_url == "http://platform"
    arg = make_spider(
        GreenhouseBoardsSpider, settings={"GREENHOUSE_BASE_URL": "http://platform"}, base_url="http://arg/"
    )
    assert arg.base_url == "http://arg"

    class AcmeSpider(GreenhouseSpider):
        name = "acme"
        default_companies = ("acme",)

    acme = make_spider(
        AcmeSpider, settings={"GREENHOUSE_BASE_URL": "http://platform", "ACME_BASE_URL": "http://acme"}
    )
    assert acme.base_url == "http://acme"
    assert acme.boards == [Board("acme")]
    assert acme.source_name == "greenhouse"


def test_pay_period_and_currency_rules() -> None:
    assert pay_period(["Annual Base Salary"]) == "YEAR"
    assert pay_period(["Hourly Pay Range"]) == "HOUR"
    assert pay_period(["Pay Range"]) is None
    assert pay_period(["Annual Salary", "Hourly Rate"]) is None  # conflicting: not guessed
    assert pay_period(["3 years of experience"]) is None
    # title says nothing: the blurb decides
    salary = pay_ranges_salary(
        [
            {
                "min_cents": 500000,
                "max_cents": 700000,
                "currency_type": "CAD",
                "title": "Pay",
                "blurb": "&lt;p&gt;This is the monthly salary range.&lt;/p&gt;",
            }
        ]
    )
    assert (
        salary["salary_min"],
        salary["salary_max"],
        salary["salary_currency"],
        salary["salary_period"],
    ) == (5000.0, 7000.0, "CAD", "MONTH")
    # several currencies: the first range only (all listed in salary_raw)
    mixed = pay_ranges_salary(
        [
            {"min_cents": 10000000, "max_cents": 12000000, "currency_type": "USD", "title": "US"},
            {"min_cents": 9000000, "max_cents": 11000000, "currency_type": "EUR", "title": "EU"},
        ]
    )
    assert (mixed["salary_min"], mixed["salary_max"], mixed["salary_currency"]) == (100000.0, 120000.0, "USD")
    assert mixed["salary_raw"] == "US: USD 100,000–120,000; EU: EUR 90,000–110,000"
    assert pay_ranges_salary([]) == {}
    assert pay_ranges_salary([{"min_cents": None, "max_cents": 0}]) == {}


# --- end to end ----------------------------------------------------------------------------------
def test_crawl_greenhouse_survives_404_and_malformed_json(tmp_path: Path) -> None:
    routes = {
        "/v1/boards/gitlab/jobs": Route.file(GITLAB),
        "/v1/boards/broken/jobs": Route.text('{"jobs": [{"id": 1,', content_type="application/json"),
        # /v1/boards/removed/jobs: no route -> 404
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "greenhouse",
            args={"companies": "removed,gitlab,broken", "base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert "/v1/boards/gitlab/jobs?content=true" in paths
    assert sorted(i["source_id"] for i in result.items) == ["8503792002", "8556658002", "8638232002"]
    by_id = {i["source_id"]: i for i in result.items}
    assert by_id["8556658002"]["title"] == "AI Engineer"
    assert by_id["8556658002"]["location_raw"] == ["Remote, Bangalore"]
    assert by_id["8556658002"]["company"] == "GitLab"
    assert by_id["8556658002"]["posted_raw"] == "2026-05-22T09:16:29-04:00"
    assert by_id["8556658002"]["description_html"].startswith('<div class="content-intro">')
    assert all(i["source"] == "greenhouse" for i in result.items)
    assert "board 'removed' not found (404)" in result.log
    assert "board 'broken'" in result.log and "not JSON" in result.log
    assert logged_stat(result.log, "jobs/company_not_found") == 1
    assert logged_stat(result.log, "jobs/parse_error/json") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]


def test_crawl_greenhouse_pay(tmp_path: Path) -> None:
    routes = {
        "/v1/boards/exampleco/jobs": Route.file(EXAMPLECO),
        "/v1/boards/exampleco/jobs/1000001": Route.file(PAY_DETAIL),
        "/v1/boards/exampleco/jobs/1000002": Route.text(
            '{"status":404,"error":"Job not found"}', status=404, content_type="application/json"
        ),
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "greenhouse",
            args={"companies": "exampleco", "pay": "1"},
            settings=crawl_settings(),
            env={**crawl_env(tmp_path), "GREENHOUSE_BASE_URL": server.base_url},  # via settings.py
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert "/v1/boards/exampleco/jobs?content=true&pay_transparency=true" in paths
    assert "/v1/boards/exampleco/jobs/1000001?pay_transparency=true" in paths
    by_id = {i["source_id"]: i for i in result.items}
    assert set(by_id) == {"1000001", "1000002"}
    paid = by_id["1000001"]
    assert (paid["salary_min"], paid["salary_max"], paid["salary_currency"], paid["salary_period"]) == (
        144000.0,
        210000.0,
        "USD",
        "YEAR",
    )
    assert by_id["1000002"]["salary_min"] is None
    assert by_id["1000002"]["title"] == "Support Specialist"
    assert logged_stat(result.log, "jobs/pay_detail_failed") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]


def test_pay_detail_network_failure_still_yields_the_item() -> None:
    from twisted.python.failure import Failure

    spider = make_spider(GreenhouseBoardsSpider, companies="exampleco", pay="1")
    item = spider.new_item(source_id="1000001", title="Senior Backend Engineer")
    failure = Failure(ConnectionRefusedError("refused"))
    request = Request(
        f"{API}/v1/boards/exampleco/jobs/1000001?pay_transparency=true", cb_kwargs={"item": item}
    )
    failure.request = request  # type: ignore[attr-defined]
    assert list(spider.pay_failed(failure)) == [item]
    assert stats(spider)["jobs/pay_detail_failed"] == 1
