"""Programathor: listing pages → posting pages with JSON-LD (built test pages, see SOURCES.md), ``scrapy crawl``."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.platforms.jsonld_listing import JsonLdListingSpider
from spiders.programathor import ProgramathorSpider
from tests.crawl import run_crawl
from tests.mockserver import MockServer, Route
from tests.spiders import crawl_env, crawl_settings, fixture_response, logged_stat, make_spider, stats

DIR = "boards/programathor"
SITE = "https://programathor.com.br"
JOB1 = f"{SITE}/jobs/31001-desenvolvedor-a-back-end-ruby-on-rails-pleno"
JOB2 = f"{SITE}/jobs/31002-engenheira-o-de-dados-senior"
JOB3 = f"{SITE}/jobs/31003-desenvolvedor-a-front-end-react-junior"


def page(name: str, url: str) -> HtmlResponse:
    response = fixture_response(f"{DIR}/{name}", url, html=True)
    assert isinstance(response, HtmlResponse)
    return response


def detail(name: str, url: str, job_id: str) -> JobPosting:
    (item,) = make_spider(ProgramathorSpider).parse_job(page(name, url), job_id=job_id)
    return item


def test_settings_are_polite() -> None:
    settings = ProgramathorSpider.custom_settings or {}
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert settings["DOWNLOAD_DELAY"] == 1.0


def test_listing_pages() -> None:
    spider = make_spider(ProgramathorSpider)
    assert spider.listing_url(1) == f"{SITE}/jobs?page=1"
    out = list(spider.parse_listing(page("TESTDATA_listing_page1.html", f"{SITE}/jobs?page=1"), page=1))
    assert [(r.url, r.cb_kwargs) for r in out] == [
        (JOB1, {"job_id": "31001"}),
        (JOB2, {"job_id": "31002"}),  # ?utm_source dropped
        (f"{SITE}/jobs?page=2", {"page": 2}),
    ]
    out2 = list(spider.parse_listing(page("TESTDATA_listing_page2.html", f"{SITE}/jobs?page=2"), page=2))
    assert [r.url for r in out2] == [JOB3, f"{SITE}/jobs?page=3"]  # 31001 again: not requested twice
    assert (
        list(spider.parse_listing(page("TESTDATA_listing_page3_empty.html", f"{SITE}/jobs?page=3"), page=3))
        == []
    )
    assert stats(spider)["jobs/listing_pages"] == 3
    assert stats(spider)["jobs/listed"] == 4


def test_remote_job_with_monthly_brl_salary() -> None:
    item = detail("TESTDATA_job_31001.html", JOB1, "31001")
    assert item.source == "programathor"
    assert item.source_id == "31001"
    assert item.url == JOB1
    assert item.title == "Desenvolvedor(a) Back-end Ruby on Rails Pleno"
    assert item.company == "Empresa Fictícia Tecnologia"
    assert item.company_url == "https://empresaficticia.example.com.br"
    assert item.workplace_raw == ["TELECOMMUTE"]
    assert item.location_raw == ["Brasil"]  # applicantLocationRequirements
    assert item.employment_type_raw == ["FULL_TIME"]
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == (
        8000.0,
        11000.0,
        "BRL",
        "MONTH",
    )
    assert item.salary_raw == "BRL 8,000–11,000 per month"
    assert item.posted_raw == "2026-03-05"
    assert item.valid_through_raw == "2026-04-04T23:59:59-03:00"
    assert item.description_html is not None and item.description_html.startswith(
        "<p>A <strong>Empresa Fictícia"
    )
    normalize_posting(item)
    assert item.workplace == "remote"
    assert "BR" in item.remote_regions
    assert (item.salary_min, item.salary_currency, item.salary_period) == (8000.0, "BRL", "MONTH")


def test_onsite_job_with_single_salary_value() -> None:
    item = detail("TESTDATA_job_31002.html", JOB2 + "?utm_source=listing", "31002")
    assert item.url == JOB2  # query dropped
    assert (item.title, item.company) == ("Engenheira(o) de Dados Sênior", "Banco Modelo S.A.")
    assert item.location_raw == ["São Paulo, SP, BR"]
    assert item.workplace_raw == []
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == (
        16500.0,
        16500.0,
        "BRL",
        "MONTH",
    )


def test_malformed_block_does_not_hide_the_posting(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(ProgramathorSpider)
    with caplog.at_level(logging.WARNING):
        (item,) = spider.parse_job(page("TESTDATA_job_31003_malformed_block.html", JOB3), job_id="31003")
    assert (item.source_id, item.title, item.company) == (
        "31003",
        "Desenvolvedor(a) Front-end React Júnior",
        "Agência Exemplo Digital",
    )
    assert item.location_raw == ["Brasil", "Portugal"]
    assert item.employment_type_raw == ["CONTRACTOR"]
    assert item.description_text is not None and item.description_html is None  # plain-text description
    assert stats(spider)["jobs/parse_error/jsonld"] == 1
    assert any("malformed JSON-LD block 1 of 2" in r.getMessage() for r in caplog.records)


def test_pagination_guards() -> None:
    capped = make_spider(ProgramathorSpider, max_pages="1")
    out = list(capped.parse_listing(page("TESTDATA_listing_page1.html", f"{SITE}/jobs?page=1"), page=1))
    assert all("page=" not in r.url for r in out) and len(out) == 2
    assert stats(capped)["jobs/max_pages_reached"] == 1
    repeat = make_spider(ProgramathorSpider)
    list(repeat.parse_listing(page("TESTDATA_listing_page1.html", f"{SITE}/jobs?page=1"), page=1))
    assert (
        list(repeat.parse_listing(page("TESTDATA_listing_page1.html", f"{SITE}/jobs?page=2"), page=2)) == []
    )
    assert stats(repeat)["jobs/pagination_repeat"] == 1


def test_next_jsonld_board_is_a_few_lines() -> None:
    class AcmeJobs(JsonLdListingSpider):
        name = "acmejobs"
        default_base_url = "https://jobs.acme.example"
        listing_path = "/vagas/pagina/{page}"
        job_link_pattern = r"^/vaga/(?P<id>[a-z0-9-]+)$"

    spider = make_spider(AcmeJobs)
    assert spider.listing_url(1) == "https://jobs.acme.example/vagas/pagina/1"
    html = b'<a href="/vaga/dev-python-42">x</a><a href="/vaga/dev-python-42/">dup</a><a href="https://other.example/vaga/x">off-site</a>'
    response = HtmlResponse(url="https://jobs.acme.example/vagas/pagina/1", body=html, encoding="utf-8")
    out = list(spider.parse_listing(response, page=1))
    assert [r.url for r in out if isinstance(r, Request)] == [
        "https://jobs.acme.example/vaga/dev-python-42",
        "https://jobs.acme.example/vagas/pagina/2",
    ]


def test_crawl_programathor(tmp_path: Path) -> None:
    routes = {
        "/robots.txt": Route.text("User-agent: *\nDisallow: /admin\n", content_type="text/plain"),
        "/jobs?page=1": Route.file(f"{DIR}/TESTDATA_listing_page1.html"),
        "/jobs?page=2": Route.file(f"{DIR}/TESTDATA_listing_page2.html"),
        "/jobs?page=3": Route.file(f"{DIR}/TESTDATA_listing_page3_empty.html"),
        "/jobs/31001-desenvolvedor-a-back-end-ruby-on-rails-pleno": Route.file(
            f"{DIR}/TESTDATA_job_31001.html"
        ),
        "/jobs/31002-engenheira-o-de-dados-senior": Route.file(f"{DIR}/TESTDATA_job_31002.html"),
        "/jobs/31003-desenvolvedor-a-front-end-react-junior": Route.file(
            f"{DIR}/TESTDATA_job_31003_malformed_block.html"
        ),
    }
    with MockServer(routes) as server:
        result = run_crawl(
            "programathor",
            args={"base_url": server.base_url},
            settings=crawl_settings(),  # DOWNLOAD_DELAY=0 for the test
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
        base_url = server.base_url
    assert result.returncode == 0, result.log[-3000:]
    assert paths[0] == "/robots.txt"
    assert "/jobs?page=3" in paths and "/jobs?page=4" not in paths
    assert paths.count("/jobs/31001-desenvolvedor-a-back-end-ruby-on-rails-pleno") == 1
    by_id = {i["source_id"]: i for i in result.items}
    assert sorted(by_id) == ["31001", "31002", "31003"]
    first = by_id["31001"]
    assert (first["salary_min"], first["salary_max"], first["salary_currency"], first["salary_period"]) == (
        8000.0,
        11000.0,
        "BRL",
        "MONTH",
    )
    assert first["url"] == f"{base_url}/jobs/31001-desenvolvedor-a-back-end-ruby-on-rails-pleno"
    assert first["workplace_raw"] == ["TELECOMMUTE"]
    assert logged_stat(result.log, "jobs/parse_error/jsonld") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
