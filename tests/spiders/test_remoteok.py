"""Remote OK API spider: the real 97-job capture, mojibake repair, salary, errors, ``scrapy crawl remoteok``."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy import Request

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.remoteok import RemoteOkSpider
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

CAPTURE = "boards/remoteok/remoteok_api_jackas5_2026-03.json"
API = "https://remoteok.com/api"


def parse(spider: RemoteOkSpider, response: object) -> list[JobPosting]:
    out = list(spider.parse_feed(response, page=1, feed=API))  # type: ignore[arg-type]
    assert all(isinstance(i, JobPosting) for i in out)
    return [i for i in out if isinstance(i, JobPosting)]


@pytest.fixture(scope="module")
def items() -> list[JobPosting]:
    return parse(make_spider(RemoteOkSpider), fixture_response(CAPTURE, API))


def by_id(items: list[JobPosting], source_id: str) -> JobPosting:
    return next(i for i in items if i.source_id == source_id)


def test_legal_notice_is_skipped_by_shape_97_jobs(items: list[JobPosting]) -> None:
    spider = make_spider(RemoteOkSpider)
    assert len(parse(spider, fixture_response(CAPTURE, API))) == 97  # 98 elements, the first is the notice
    assert stats(spider)["jobs/listed"] == 98
    assert stats(spider)["jobs/skipped/notice"] == 1
    assert "jobs/parse_error/job" not in stats(spider)
    assert items[0].source_id == "1130788" and items[-1].source_id == "1130672"
    assert len({i.source_id for i in items}) == 97
    # the notice is recognised by its shape, wherever it is
    moved = make_spider(RemoteOkSpider)
    body = '[{"id": "7", "position": "Dev"}, {"last_updated": 1773720015, "legal": "API Terms of Service"}]'
    assert [i.source_id for i in parse(moved, text_response(body, API))] == ["7"]
    assert stats(moved)["jobs/skipped/notice"] == 1


def test_first_job_fields(items: list[JobPosting]) -> None:
    first = items[0]
    assert first.source == "remoteok"
    assert first.title == "Benefits Advisor Leadership Training Program"
    assert first.company == "Fisher Agencies"
    slug = "remote-benefits-advisor-leadership-training-program-fisher-agencies-1130788"
    assert first.url == f"https://remoteok.com/remote-jobs/{slug}"  # API writes remoteOK.com
    assert first.apply_url == f"https://remoteok.com/remote-jobs/{slug}"
    assert first.posted_raw == "2026-03-16T00:00:03+00:00"
    assert first.tags == ["training", "support", "growth", "management"]
    assert first.location_raw == []  # "" is no location
    assert first.workplace_raw == ["remote"]
    assert first.salary_min is None and first.salary_raw is None  # 0/0 = unknown
    assert first.description_html is not None
    assert first.description_html.startswith("Launch Your Career in Leadership<p>Fisher Organization")
    assert "description" not in first.raw
    assert first.raw["slug"] == slug and first.raw["epoch"] == 1773619203
    assert first.raw["url"].startswith("https://remoteOK.com/")  # raw is kept as found


def test_salary_numbers_are_usd_per_year(items: list[JobPosting]) -> None:
    paid = [i for i in items if i.salary_min is not None]
    assert len(paid) == 18
    vp = by_id(items, "1130780")
    assert vp.title == "VP Corporate Marketing Brand & Communications"
    assert vp.company == "Blackpoint Cyber"
    assert (vp.salary_min, vp.salary_max, vp.salary_currency, vp.salary_period) == (
        180000.0,
        210000.0,
        "USD",
        "YEAR",
    )
    assert vp.salary_raw == "USD 180,000–210,000 per year"
    # an hourly figure typed into the yearly field is extracted as the API states it ...
    kastle = by_id(items, "1130776")
    assert (kastle.title, kastle.salary_min, kastle.salary_max) == ("AI Trainer", 30.0, 30.0)
    assert kastle.salary_raw == "USD 30 per year"
    # ... and the normalizer's plausibility check drops it
    assert "salary/implausible" in normalize_posting(kastle)
    assert kastle.salary_min is None


def test_mojibake_is_repaired(items: list[JobPosting]) -> None:
    zocalo = by_id(items, "1130733")
    assert zocalo.company == "Zócalo Health"  # API: "ZÃ³calo Health"
    assert zocalo.raw["company"] == "ZÃ³calo Health"
    assert zocalo.description_html is not None
    assert "<p>at Zócalo Health</p>" in zocalo.description_html
    assert "Compensation: $25 - $27 (per hour)" in zocalo.description_html
    graphcore = by_id(items, "1130779")
    assert graphcore.location_raw == ["Gdańsk"]  # API: "GdaÅ\x84sk"
    first = items[0]
    assert first.description_html is not None and "What You’ll Do" in first.description_html
    for item in items:
        text = (item.description_html or "") + (item.company or "") + (item.title or "")
        assert "\u00e2\u0080" not in text and "Ã³" not in text, item.source_id


def test_locations_free_text(items: list[JobPosting]) -> None:
    assert by_id(items, "1130779").title == "Engineering Manager Workload Management"
    locations = [i.location_raw for i in items if i.location_raw]
    assert ["Saint Louis, MO, USA"] in locations and ["Canada (Remote)"] in locations
    assert sum(1 for i in items if not i.location_raw) == sum(1 for i in items if not i.raw["location"])


def test_normalized_values(items: list[JobPosting]) -> None:
    vp = by_id(items, "1130780")
    problems = normalize_posting(vp)
    assert not [p for p in problems if p.startswith(("salary", "workplace"))], problems
    assert vp.workplace == "remote"
    assert (vp.salary_min, vp.salary_currency, vp.salary_period) == (180000.0, "USD", "YEAR")


def test_malformed_and_odd_bodies(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(RemoteOkSpider)
    with caplog.at_level(logging.WARNING):
        assert parse(spider, text_response('[{"id": "1", "position": ', API)) == []
        assert parse(spider, text_response('{"error": "rate limited"}', API)) == []
        good = parse(
            spider,
            text_response(
                '[{"legal": "x"}, "junk", {"position": "no id"}, {"id": 5, "position": "Ok"}]', API
            ),
        )
    assert [(i.source_id, i.title) for i in good] == [("5", "Ok")]
    assert stats(spider)["jobs/parse_error/json"] == 2
    assert stats(spider)["jobs/parse_error/job"] == 2
    assert any("not JSON" in r.getMessage() for r in caplog.records)


def test_start_url_and_base_url() -> None:
    assert make_spider(RemoteOkSpider).feed_urls() == ["https://remoteok.com/api"]
    assert make_spider(RemoteOkSpider, base_url="http://mirror/").feed_urls() == ["http://mirror/api"]
    assert make_spider(RemoteOkSpider, settings={"REMOTEOK_BASE_URL": "http://env"}).feed_urls() == [
        "http://env/api"
    ]
    request = make_spider(RemoteOkSpider).feed_request(API)
    assert isinstance(request, Request) and request.cb_kwargs == {"page": 1, "feed": API}


# --- end to end ----------------------------------------------------------------------------------
def test_crawl_remoteok(tmp_path: Path) -> None:
    with MockServer({"/api": Route.file(CAPTURE)}) as server:
        result = run_crawl(
            "remoteok",
            args={"base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) == 97
    vp = next(i for i in result.items if i["source_id"] == "1130780")
    assert (vp["salary_min"], vp["salary_max"], vp["salary_currency"], vp["salary_period"]) == (
        180000.0,
        210000.0,
        "USD",
        "YEAR",
    )
    assert next(i for i in result.items if i["source_id"] == "1130733")["company"] == "Zócalo Health"
    assert logged_stat(result.log, "jobs/skipped/notice") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]


def test_crawl_remoteok_malformed_body(tmp_path: Path) -> None:
    with MockServer({"/api": Route.text('[{"id": "1"', content_type="application/json")}) as server:
        result = run_crawl(
            "remoteok",
            args={"base_url": server.base_url},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
    assert result.returncode == 0, result.log[-3000:]
    assert result.items == []
    assert logged_stat(result.log, "jobs/parse_error/json") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
