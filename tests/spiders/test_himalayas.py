"""Himalayas jobs API spider: the real capture (annual and hourly pay, placeholders), paging, ``scrapy crawl``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from scrapy import Request

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.himalayas import HimalayasSpider
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

CAPTURE = "boards/himalayas/himalayas_jobs_api_breteai.json"
API = "https://himalayas.app/jobs/api?limit=20&offset=0"


def parse(spider: HimalayasSpider, response: object, page: int = 1) -> list[JobPosting | Request]:
    return list(spider.parse_feed(response, page=page, feed=API))  # type: ignore[arg-type]


@pytest.fixture
def items() -> list[JobPosting]:
    out = parse(make_spider(HimalayasSpider), fixture_response(CAPTURE, API))
    assert all(isinstance(i, JobPosting) for i in out)  # 3 < limit: no next page
    return [i for i in out if isinstance(i, JobPosting)]


def test_capture_fields(items: list[JobPosting]) -> None:
    nurse, seo, audio = items
    assert nurse.source == "himalayas"
    assert nurse.source_id == (
        "alignment-health/inpatient-review-nurse-remote-california-rn-lvn-license-required-pacific-ti-9255085839"
    )
    assert (
        nurse.url == f"https://himalayas.app/companies/alignment-health/jobs/{nurse.source_id.split('/')[1]}"
    )
    assert nurse.apply_url == nurse.url  # applicationLink
    assert nurse.title == "Inpatient Review Nurse (Remote | California RN/LVN License Required | Pacific Ti"
    assert nurse.location_raw == ["United States"]
    assert nurse.workplace_raw == ["remote"]
    assert nurse.employment_type_raw == ["Full Time"]
    assert nurse.seniority_raw == ["Mid-level"]
    assert nurse.posted_raw == "2026-08-15T17:00:32+00:00"  # pubDate 1786813232
    assert nurse.valid_through_raw == "2026-10-14T17:00:31+00:00"  # expiryDate 1791997231
    assert (
        nurse.tags[:2] == ["Inpatient-Clinical-Review-Nurse", "Inpatient-Review-Nurse"]
        and len(nurse.tags) == 9
    )
    assert nurse.raw["timezoneRestrictions"] == [-10, -9, -8, -7, -6, -5, 14]
    assert nurse.description_html is not None and nurse.description_html.startswith(
        '<p><a href="https://himalayas.app/companies/alignment-health">Alignment Health</a> is breaking'
    )
    assert seo.title == "SEO & Product Page Marketing Specialist for Supplement Brand"
    assert seo.tags[-1] == "Marketing"  # parentCategories after categories
    assert audio.location_raw == ["India"]
    assert audio.employment_type_raw == ["Contractor"]


def test_salaries_annual_none_and_hourly(items: list[JobPosting]) -> None:
    nurse, seo, audio = items
    assert (nurse.salary_min, nurse.salary_max, nurse.salary_currency, nurse.salary_period) == (
        77905.0,
        116858.0,
        "USD",
        "YEAR",
    )
    assert nurse.salary_raw == "USD 77,905–116,858 per year"
    assert (seo.salary_min, seo.salary_max, seo.salary_currency, seo.salary_period, seo.salary_raw) == (
        None,
        None,
        None,
        None,
        None,
    )  # salaryPeriod "annual" without numbers says nothing
    assert (audio.salary_min, audio.salary_max, audio.salary_currency, audio.salary_period) == (
        14.0,
        14.0,
        "USD",
        "HOUR",
    )
    assert audio.salary_raw == "USD 14 per hour"


def test_placeholder_company_names(items: list[JobPosting]) -> None:
    nurse, seo, audio = items
    assert nurse.raw["companyName"] == "name" and nurse.raw["companyLogo"] == "thumbnail_url"
    assert nurse.company == "Alignment Health"  # the description's link to /companies/alignment-health
    assert seo.company is None and audio.company is None  # no such link: unknown, not "name"
    spider = make_spider(HimalayasSpider)
    real = {
        "guid": "https://himalayas.app/companies/acme/jobs/dev",
        "companyName": "Acme Inc",
        "title": "Dev",
    }
    nested = {
        "guid": "https://himalayas.app/companies/b/jobs/x",
        "company": {"name": "Beta", "thumbnail_url": "u"},
    }
    got = parse(spider, text_response(json.dumps({"jobs": [real, nested]}), API))
    assert [(i.company, i.source_id) for i in got if isinstance(i, JobPosting)] == [
        ("Acme Inc", "acme/dev"),
        ("Beta", "b/x"),
    ]


def test_normalized_salary_and_scope(items: list[JobPosting]) -> None:
    audio = items[2]
    normalize_posting(audio)
    assert (audio.salary_min, audio.salary_currency, audio.salary_period) == (14.0, "USD", "HOUR")
    assert audio.workplace == "remote"


def test_paging() -> None:
    spider = make_spider(HimalayasSpider, limit="2")
    page1 = {
        "jobs": [{"guid": f"https://himalayas.app/companies/c/jobs/j{n}"} for n in (1, 2)],
        "totalCount": 5,
        "offset": 0,
    }
    out = parse(spider, text_response(json.dumps(page1), "https://himalayas.app/jobs/api?limit=2&offset=0"))
    assert [r.url for r in out if isinstance(r, Request)] == [
        "https://himalayas.app/jobs/api?limit=2&offset=2"
    ]
    last = {"jobs": [{"guid": "https://himalayas.app/companies/c/jobs/j5"}], "totalCount": 5, "offset": 4}
    assert not [
        r for r in parse(spider, text_response(json.dumps(last), API), page=3) if isinstance(r, Request)
    ]
    # a server ignoring the offset repeats page 1: stop
    repeat = parse(
        spider, text_response(json.dumps(page1), "https://himalayas.app/jobs/api?limit=2&offset=2"), page=2
    )
    assert repeat == [] and stats(spider)["jobs/pagination_repeat"] == 1


def test_bad_bodies(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(HimalayasSpider)
    with caplog.at_level(logging.WARNING):
        assert parse(spider, text_response("<html>Just a moment...</html>", API)) == []
        kept = parse(
            spider,
            text_response(
                '{"jobs": [{"title": "no guid"}, {"guid": "https://himalayas.app/x", "minSalary": "abc"}]}',
                API,
            ),
        )
    assert [(i.source_id, i.salary_min) for i in kept if isinstance(i, JobPosting)] == [
        ("https://himalayas.app/x", None)
    ]
    assert stats(spider)["jobs/parse_error/json"] == 1
    assert stats(spider)["jobs/parse_error/job"] == 1


def test_crawl_himalayas_pages(tmp_path: Path) -> None:
    capture = json.loads((FIXTURES / CAPTURE).read_bytes())
    page1 = {"jobs": capture["jobs"][:2], "totalCount": 3, "offset": 0, "limit": 2}
    page2 = {"jobs": capture["jobs"][2:], "totalCount": 3, "offset": 2, "limit": 2}
    routes = {
        "/jobs/api?limit=2&offset=0": json_route(page1),
        "/jobs/api?limit=2&offset=2": json_route(page2),
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "himalayas",
            args={"base_url": server.base_url, "limit": "2"},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert paths == ["/jobs/api?limit=2&offset=0", "/jobs/api?limit=2&offset=2"]
    assert [i["company"] for i in result.items] == ["Alignment Health", None, None]
    audio = result.items[2]
    assert (audio["salary_min"], audio["salary_max"], audio["salary_currency"], audio["salary_period"]) == (
        14.0,
        14.0,
        "USD",
        "HOUR",
    )
    assert logged_stat(result.log, "jobs/listed") == 3
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]


def test_crawl_himalayas_malformed(tmp_path: Path) -> None:
    with MockServer(
        {"/jobs/api": Route.text('{"jobs": [{"guid": ', content_type="application/json")}
    ) as server:
        result = run_crawl(
            "himalayas",
            args={"base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
    assert result.returncode == 0 and result.items == []
    assert logged_stat(result.log, "jobs/parse_error/json") == 1
