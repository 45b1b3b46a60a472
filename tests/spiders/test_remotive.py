"""Remotive API spider: the real capture, free-text salary, arguments, errors, ``scrapy crawl remotive``."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.remotive import RemotiveSpider
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

CAPTURE = "boards/remotive/remotive_remote_jobs_breteai.json"
API = "https://remotive.com/api/remote-jobs"


def parse(spider: RemotiveSpider, response: object) -> list[JobPosting]:
    out = list(spider.parse_feed(response, page=1, feed=API))  # type: ignore[arg-type]
    return [i for i in out if isinstance(i, JobPosting)]


@pytest.fixture
def items() -> list[JobPosting]:
    return parse(make_spider(RemotiveSpider), fixture_response(CAPTURE, API))


def test_capture_fields(items: list[JobPosting]) -> None:
    assert [i.source_id for i in items] == ["2091093", "1680495", "2086540"]
    face, office, sales = items
    assert face.source == "remotive"
    assert face.title == "Face Deduplication Collection"
    assert face.company == "TELUS Digital"
    assert face.url == "https://remotive.com/remote-jobs/all-others/face-deduplication-collection-2091093"
    assert face.apply_url is None  # the API has no apply link
    assert face.location_raw == ["USA"]
    assert face.workplace_raw == ["remote"]
    assert face.employment_type_raw == ["part_time"]
    assert face.posted_raw == "2026-08-13T06:25:53"
    assert face.tags == ["All others", "research"]
    assert face.salary_raw == "Pay per task"
    assert face.salary_min is None  # free text only: the normalizers parse it
    assert face.description_html is not None and face.description_html.startswith(
        '<p style="border-color: #e5e7eb;'
    )
    assert (
        "description" not in face.raw
        and face.raw["company_logo_url"] == "https://remotive.com/job/2091093/logo"
    )
    assert office.company == "Coalition Technologies"  # trailing space stripped
    assert office.location_raw == ["Worldwide"]
    assert office.employment_type_raw == ["full_time"]
    assert office.salary_raw == "$31,2k- $52k"
    assert office.tags[:4] == ["Marketing", "CSS", "excel", "frontend"] and len(office.tags) == 20
    assert (sales.title, sales.company, sales.salary_raw) == (
        "Inside Sales Contractor",
        "Credit Wellness, LLC",
        "OTE $25k - $35k",
    )
    assert sales.posted_raw == "2026-08-08T21:48:06"


def test_normalized_remote_scope(items: list[JobPosting]) -> None:
    face, office, _ = items
    normalize_posting(face)
    normalize_posting(office)
    assert face.workplace == "remote" and office.workplace == "remote"
    assert "US" in face.remote_regions


def test_category_and_search_arguments() -> None:
    assert make_spider(RemotiveSpider).feed_urls() == [API]
    spider = make_spider(
        RemotiveSpider, category="software-dev", search="python django", base_url="http://m/"
    )
    assert spider.feed_urls() == ["http://m/api/remote-jobs?category=software-dev&search=python+django"]


def test_bad_bodies(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(RemotiveSpider)
    with caplog.at_level(logging.WARNING):
        assert parse(spider, text_response('{"jobs": [{"id": 1,', API)) == []
        assert parse(spider, text_response('{"0-legal-notice": "x", "job-count": 0}', API)) == []
        kept = parse(
            spider,
            text_response('{"jobs": [{"title": "no id"}, {"id": 9, "title": "Ok", "tags": "x"}]}', API),
        )
    assert [(i.source_id, i.title, i.tags) for i in kept] == [("9", "Ok", ["x"])]
    assert stats(spider)["jobs/parse_error/json"] == 2
    assert stats(spider)["jobs/parse_error/job"] == 1


def test_crawl_remotive(tmp_path: Path) -> None:
    routes = {
        "/api/remote-jobs?category=software-dev": Route.file(CAPTURE),
        "/api/remote-jobs": Route.text("<html>maintenance</html>"),
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "remotive",
            args={"base_url": server.base_url, "category": "software-dev"},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        malformed = run_crawl(
            "remotive",
            args={"base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out2.jsonl",
        )
    assert result.returncode == 0, result.log[-3000:]
    assert [i["source_id"] for i in result.items] == ["2091093", "1680495", "2086540"]
    assert result.items[1]["salary_raw"] == "$31,2k- $52k"
    assert result.items[1]["location_raw"] == ["Worldwide"]
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
    assert malformed.returncode == 0 and malformed.items == []
    assert logged_stat(malformed.log, "jobs/parse_error/json") == 1
