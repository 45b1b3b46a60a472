"""We Work Remotely RSS spider: the real back-end feed, "Company: Role", countries, broken XML, ``scrapy crawl``."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.weworkremotely import WeWorkRemotelySpider, split_company_title, split_countries, split_skills
from tests.crawl import run_crawl
from tests.mockserver import FIXTURES, MockServer, Route
from tests.spiders import crawl_env, crawl_settings, logged_stat, make_spider, stats, text_response

CAPTURE = "boards/weworkremotely/wwr_backend_rss_radar-vagas.xml"
FEED = "https://weworkremotely.com/categories/remote-back-end-programming-jobs.rss"


def parse(spider: WeWorkRemotelySpider, body: bytes | str, url: str = FEED) -> list[JobPosting]:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    out = list(spider.parse_feed(text_response(text, url), page=1, feed=url))
    return [i for i in out if isinstance(i, JobPosting)]


@pytest.fixture
def items() -> list[JobPosting]:
    return parse(make_spider(WeWorkRemotelySpider), (FIXTURES / CAPTURE).read_bytes())


def by_id(items: list[JobPosting], source_id: str) -> JobPosting:
    return next(i for i in items if i.source_id == source_id)


def test_33_items_company_role_split(items: list[JobPosting]) -> None:
    assert len(items) == 33
    first = items[0]
    assert first.source == "weworkremotely"
    assert (first.company, first.title) == (
        "JetBrains",
        "Backend Customer Success Engineer (Kotlin Ecosystem)",
    )
    assert first.source_id == "jetbrains-backend-customer-success-engineer-kotlin-ecosystem"
    assert first.url == f"https://weworkremotely.com/remote-jobs/{first.source_id}"
    assert first.apply_url == first.url  # the "To apply:" link
    assert first.location_raw == ["Anywhere in the World"]
    assert first.workplace_raw == ["remote"]
    assert first.employment_type_raw == ["Full-Time"]
    assert first.tags == ["Back-End Programming"]
    assert first.posted_raw == "2026-07-24T07:01:22+00:00"  # Fri, 24 Jul 2026 07:01:22 +0000
    assert first.valid_through_raw == "2026-08-23T07:01:22+00:00"
    assert first.raw["headquarters"] == "Foster City, California; Marlton, New Jersey; Remote, United States"
    assert first.raw["_feed"] == "remote-back-end-programming-jobs"
    assert first.raw["region"] == "Anywhere in the World" and first.raw["state"] is None
    assert "description" not in first.raw
    assert first.description_html is not None
    assert first.description_html.startswith("<p>\n  <strong>Headquarters:</strong> Foster City")
    assert "&lt;" not in first.description_html  # entity-escaped in the XML, HTML here
    assert sum(1 for i in items if i.company == "Coinbase") == 10
    checkout = by_id(items, "stripe-software-engineer-optimized-checkout-link")
    assert (checkout.company, checkout.title) == ("Stripe", "Software Engineer, Optimized Checkout & Link")
    assert items[-1].source_id == "tether-ai-research-engineer"
    assert all(i.raw["region"] == "Anywhere in the World" for i in items)


def test_stray_variation_selector_and_country_list(items: list[JobPosting]) -> None:
    maptiler = by_id(items, "maptiler-location-services-engineer-maps-platform-remote-in-europe")
    assert maptiler.company == "MapTiler"
    assert maptiler.title == "Location Services Engineer | Maps Platform (Remote in Europe)"  # U+FE0F dropped
    assert maptiler.location_raw[:3] == ["Anywhere in the World", "Andorra", "Albania"]
    assert "United Kingdom of Great Britain and Northern Ireland" in maptiler.location_raw
    assert "Moldova (Republic of)" in maptiler.location_raw
    assert (
        maptiler.location_raw[-1] == "Ukraine" and len(maptiler.location_raw) == 48
    )  # region + 47 countries
    assert maptiler.tags == ["Back-End Programming", "Data Structures and Algorithms", "Database"]
    assert maptiler.company_url == "https://www.maptiler.com/"
    assert maptiler.raw["state"] == "Plzeňský kraj"
    assert maptiler.raw["media:content"] == "https://wwr-pro.s3.amazonaws.com/logos/0144/3523/logo.gif"
    us_only = [i for i in items if "United States of America" in i.location_raw]
    assert len(us_only) == 1


def test_skills_and_company_url(items: list[JobPosting]) -> None:
    proxify = by_id(items, "proxify-ab-senior-java-backend-developer")
    assert (proxify.company, proxify.title) == ("Proxify AB", "Senior Java Backend Developer")
    assert proxify.tags == ["Back-End Programming", "Java", "Back-End Dev"]
    assert proxify.raw["state"] == "Stockholm" and proxify.raw["headquarters"] == "Sweden"
    rails = by_id(items, "proxify-ab-senior-ruby-on-rails-developer-3")
    assert rails.company_url == "http://career.proxify.io"
    assert rails.tags == ["Back-End Programming", "Ruby", "Ruby on Rails"]
    assert split_skills("Cross-Browser Development, Version Control, DevOps, and Cross-Selling") == [
        "Cross-Browser Development",
        "Version Control",
        "DevOps",
        "Cross-Selling",
    ]
    assert split_skills("Email Marketing and Automation, Accounting") == [
        "Email Marketing and Automation",
        "Accounting",
    ]


def test_pay_text_stays_in_the_description(items: list[JobPosting]) -> None:
    assert all(i.salary_min is None and i.salary_raw is None for i in items)
    with_pay = [
        i for i in items if "$96,000" in (i.description_html or "") or "/yr" in (i.description_html or "")
    ]
    assert with_pay


def test_helpers() -> None:
    assert split_company_title("Acme: Dev: Backend") == ("Acme", "Dev: Backend")
    assert split_company_title("No company here") == (None, "No company here")
    assert split_countries("🇺🇸 United States of America") == ["United States of America"]
    assert split_countries("🇩🇪 Germany and 🇦🇹 Austria") == ["Germany", "Austria"]
    assert split_countries("Canada") == ["Canada"]
    assert split_countries("") == []


def test_normalized_remote_scope(items: list[JobPosting]) -> None:
    first = items[0]
    normalize_posting(first)
    assert first.workplace == "remote"


def test_broken_and_wrong_xml(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(WeWorkRemotelySpider)
    cut = (FIXTURES / CAPTURE).read_bytes()[:30000]  # cut inside the 3rd item
    with caplog.at_level(logging.WARNING):
        recovered = parse(spider, cut)
        assert parse(spider, "this is not xml at all") == []
        assert parse(spider, '<?xml version="1.0"?><html><body>blocked</body></html>') == []
        missing = parse(spider, "<rss><channel><item><title>A: B</title></item></channel></rss>")
    assert [i.source_id for i in recovered][:2] == [
        "jetbrains-backend-customer-success-engineer-kotlin-ecosystem",
        "launchdarkly-backend-engineer-flag-delivery",
    ]
    assert missing == []
    assert stats(spider)["jobs/parse_error/xml"] == 3
    assert stats(spider)["jobs/parse_error/job"] == 2  # the cut 3rd item and the item without a link
    assert any("malformed XML" in r.getMessage() for r in caplog.records)


def test_categories_argument() -> None:
    default = make_spider(WeWorkRemotelySpider)
    assert default.feed_urls()[0] == FEED and len(default.feed_urls()) == 4
    chosen = make_spider(
        WeWorkRemotelySpider, categories="remote-design-jobs, remote-devops-sysadmin-jobs.rss"
    )
    assert chosen.feed_urls() == [
        "https://weworkremotely.com/categories/remote-design-jobs.rss",
        "https://weworkremotely.com/categories/remote-devops-sysadmin-jobs.rss",
    ]


def test_crawl_weworkremotely(tmp_path: Path) -> None:
    routes = {
        "/categories/remote-back-end-programming-jobs.rss": Route.file(CAPTURE),
        # the same jobs in a second category: yielded once
        "/categories/remote-full-stack-programming-jobs.rss": Route.file(CAPTURE),
        "/categories/remote-front-end-programming-jobs.rss": Route.text(
            "<rss><channel><item><title>Broken: feed", content_type="application/rss+xml"
        ),
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "weworkremotely",
            args={
                "base_url": server.base_url,
                "categories": "remote-back-end-programming-jobs,remote-full-stack-programming-jobs,"
                "remote-front-end-programming-jobs,remote-gone-jobs",
            },
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) == 33
    first = result.items[0]
    assert (first["company"], first["title"]) == (
        "JetBrains",
        "Backend Customer Success Engineer (Kotlin Ecosystem)",
    )
    assert logged_stat(result.log, "jobs/duplicate_in_feed") == 33
    assert logged_stat(result.log, "jobs/parse_error/xml") == 1
    assert logged_stat(result.log, "jobs/parse_error/job") == 1  # the broken feed's item has no link
    assert logged_stat(result.log, "jobs/feed_not_found") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
