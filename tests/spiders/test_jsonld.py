"""JSON-LD JobPosting extraction: library functions, the mixin, and ``scrapy crawl jsonld``."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from w3lib.url import canonicalize_url

from crawler.items import JobPosting
from crawler.structured import (
    base_salary,
    find_typed,
    identifier_value,
    jobposting_fields,
    loads_jsonld,
    location_strings,
    split_description,
    unescape_html_once,
)
from spiders.jsonld import JsonLdSpider, read_url_file
from tests.crawl import run_crawl
from tests.mockserver import MockServer, Route
from tests.spiders import crawl_env, crawl_settings, fixture_response, logged_stat, make_spider, stats

COHERE = "linkedin/job_view_4218586823_fr_jsonld.html"
COHERE_URL = "https://fr.linkedin.com/jobs/view/software-engineer-intern-co-op-fall-2025-at-cohere-4218586823"
RAI = "linkedin/job_view_3946498763_it_prettified_jsonld.html"
RAI_URL = "https://it.linkedin.com/jobs/view/data-analyst-at-rai-radiotelevisione-italiana-3946498763?trk=public_jobs"
GRAPH = "jsonld/TESTDATA_malformed_block_and_graph.html"
GRAPH_URL = "https://careers.example.org/jobs/de-42?utm_source=feed"
ITEMLIST = "jsonld/TESTDATA_itemlist_and_mainentity.html"
ITEMLIST_URL = "https://www.example.com.br/vagas"


def parse(relpath: str, url: str) -> tuple[JsonLdSpider, list[JobPosting]]:
    spider = make_spider(JsonLdSpider, urls=url)
    return spider, list(spider.parse_jsonld(fixture_response(relpath, url, html=True)))


# --- real pages ------------------------------------------------------------------------------
def test_linkedin_cohere_page_french_ui() -> None:
    _, items = parse(COHERE, COHERE_URL)
    assert len(items) == 1
    item = items[0]
    assert item.source == "jsonld"
    assert item.title == "Software Engineer Intern/Co-op (Fall 2025)"
    assert item.company == "Cohere"
    assert item.company_url == "https://ca.linkedin.com/company/cohere-ai"
    assert item.location_raw == ["San Francisco, CA, US"]
    assert item.employment_type_raw == ["INTERN"]
    assert item.workplace_raw == []
    assert item.posted_raw == "2025-06-12T12:57:52.000Z"
    assert item.valid_through_raw == "2025-07-30T00:54:05.000Z"
    # the page's <link rel="canonical">
    assert (
        item.url
        == "https://www.linkedin.com/jobs/view/software-engineer-intern-co-op-fall-2025-at-cohere-4218586823"
    )
    # identifier.value present -> scoped by host
    assert item.source_id == "fr.linkedin.com:W-K=OQ+$%1MS)m;_r*FSuvcXnj*)PVQx5)XR}zqG"
    # the description was HTML-escaped inside the JSON: decoded once (&amp;amp; -> &amp;)
    assert item.description_html is not None
    assert item.description_html.startswith(
        "<strong>Who are we?<br><br></strong>Our mission is to scale intelligence"
    )
    assert "leaders &amp; mentors" in item.description_html
    assert item.description_text is None
    assert item.salary_min is None and item.salary_raw is None
    # raw: the posting as found, without the big description
    assert "description" not in item.raw
    assert item.raw["industry"] == "Développement de logiciels"
    assert item.raw["identifier"]["name"] == "Cohere"
    assert item.fetched_at


def test_linkedin_rai_page_prettified_italian() -> None:
    _, items = parse(RAI, RAI_URL)
    assert len(items) == 1
    item = items[0]
    assert item.title == "DATA ANALYST"
    assert item.company == "Rai - Radiotelevisione Italiana"
    assert item.company_url == "https://it.linkedin.com/company/rai-radiotelevisione-italiana"
    assert item.location_raw == ["Rome, IT"]
    assert item.employment_type_raw == ["FULL_TIME"]
    assert item.posted_raw == "2024-06-11T13:47:28.000Z"
    assert item.valid_through_raw == "2024-07-11T13:47:27.000Z"
    assert (
        item.url
        == "https://it.linkedin.com/jobs/view/data-analyst-at-rai-radiotelevisione-italiana-3946498763"
    )
    # identifier is a PropertyValue with a name only -> no id: the canonicalized page URL
    assert item.source_id == canonicalize_url(RAI_URL)
    assert item.description_html is not None
    assert item.description_html.startswith("<p>RAI ricerca un/a Data Analyst")
    assert "<li>conoscenza della lingua inglese almeno livello B2.</li>" in item.description_html


# --- built test pages -----------------------------------------------------------------------------
def test_malformed_block_does_not_lose_the_others(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        spider, items = parse(GRAPH, GRAPH_URL)
    assert stats(spider)["jobs/parse_error/jsonld"] == 1
    assert any(
        "malformed JSON-LD block 1 of 3" in r.getMessage() and GRAPH_URL in r.getMessage()
        for r in caplog.records
    )
    assert len(items) == 1  # the application/json script is not JSON-LD
    item = items[0]
    assert item.title == "Remote Data Engineer"
    assert item.company == "Acme Analytics"  # hiringOrganization as a plain string
    assert item.company_url is None
    assert item.source_id == "careers.example.org:DE-42"  # identifier as a plain string
    assert (
        item.url == "https://careers.example.org/jobs/de-42"
    )  # the posting's own relative url, made absolute
    assert (
        item.description_html
        == "<p>Build pipelines &amp; dashboards.</p><ul><li>Python</li><li>SQL</li></ul>"
    )
    assert item.workplace_raw == ["TELECOMMUTE"]
    assert item.location_raw == ["Brazil", "Portugal"]  # applicantLocationRequirements
    assert item.employment_type_raw == ["FULL_TIME", "CONTRACTOR"]
    assert item.posted_raw == "2026-05-01"
    assert item.valid_through_raw == "2026-06-30T23:59"
    assert (item.salary_min, item.salary_max, item.salary_currency, item.salary_period) == (
        90.0,
        120.0,
        "BRL",
        "HOUR",
    )
    assert item.salary_raw == "BRL 90–120 per hour"


def test_itemlist_and_main_entity_postings() -> None:
    spider, items = parse(ITEMLIST, ITEMLIST_URL)
    assert [i.title for i in items] == ["Desenvolvedor(a) Python Pleno", "Estágio em Dados", "Tech Lead"]
    first, second, third = items
    # identifiers are not distinct on the page (two missing) -> page URL + index for all
    assert [i.source_id for i in items] == [f"{ITEMLIST_URL}#0", f"{ITEMLIST_URL}#1", f"{ITEMLIST_URL}#2"]
    assert {i.url for i in items} == {ITEMLIST_URL}  # no canonical link, no posting url

    # @type as an IRI, escaped description, sameAs list, jobLocation list (string + PostalAddress with Country)
    assert first.description_html == "<p>Vaga CLT, híbrida.</p><ul><li>Django &amp; FastAPI</li></ul>"
    assert first.company == "Empresa Exemplo"
    assert first.company_url == "https://www.example.com.br"
    assert first.location_raw == ["Av. Paulista, 1000 - São Paulo, SP", "Campinas, SP, BR"]
    assert (first.salary_min, first.salary_max, first.salary_currency, first.salary_period) == (
        8500.0,
        8500.0,
        "BRL",
        "MONTH",
    )
    assert first.salary_raw == "BRL 8,500 per month"

    # plain-text description, organization list, location string, non-numeric salary kept raw only
    assert second.description_html is None
    assert second.description_text == "Plain text only & no markup."
    assert second.company == "Empresa Exemplo"
    assert second.location_raw == ["Remoto"]
    assert second.employment_type_raw == ["INTERN"]
    assert second.salary_min is None and second.salary_max is None
    assert second.salary_raw == "A combinar"

    # mainEntity; baseSalary list whose first amount is a 0 placeholder; min/max on the MonetaryAmount
    assert third.location_raw == ["Lisboa, PT"]
    assert third.company_url == "https://www.example.com.br"
    assert (third.salary_min, third.salary_max, third.salary_currency, third.salary_period) == (
        5000.0,
        6500.0,
        "EUR",
        "MONTH",
    )
    assert "jobs/parse_error/jsonld" not in stats(spider)


def test_page_without_jobposting_counts() -> None:
    spider = make_spider(JsonLdSpider, urls="https://example.org/")
    response = fixture_response(
        "boards/greenhouse/TESTDATA_board_exampleco_jobs.json", "https://example.org/", html=True
    )
    assert list(spider.parse_jsonld(response)) == []
    assert stats(spider)["jobs/jsonld/no_jobposting"] == 1


def test_fields_override_and_source_id_hook() -> None:
    class LinkedInLike(JsonLdSpider):
        name = "linkedin_like"
        source = "linkedin"

    spider = make_spider(LinkedInLike, urls=COHERE_URL)
    response = fixture_response(COHERE, COHERE_URL, html=True)
    (item,) = spider.parse_jsonld(response, source_id="4218586823", apply_url="https://jobs.example/apply")
    assert (item.source, item.source_id, item.apply_url) == (
        "linkedin",
        "4218586823",
        "https://jobs.example/apply",
    )
    assert item.company == "Cohere"


def test_url_arguments(tmp_path: Path) -> None:
    url_file = tmp_path / "urls.txt"
    url_file.write_text(
        "# career pages\n\nhttps://a.example/jobs/1\n  https://b.example/jobs#frag  \n# https://skipped.example/\n"
    )
    assert read_url_file(url_file) == ["https://a.example/jobs/1", "https://b.example/jobs#frag"]
    spider = make_spider(
        JsonLdSpider, urls="https://c.example/x, https://d.example/y", url_file=str(url_file)
    )
    assert spider.urls == [
        "https://c.example/x",
        "https://d.example/y",
        "https://a.example/jobs/1",
        "https://b.example/jobs#frag",
    ]
    with pytest.raises(ValueError, match="urls"):
        make_spider(JsonLdSpider)


# --- library functions -----------------------------------------------------------------------------
def test_loads_jsonld_tolerates_wrappers_and_raw_newlines() -> None:
    assert loads_jsonld('  //<![CDATA[\n{"@type": "JobPosting", "title": "A"}\n//]]>  ') == {
        "@type": "JobPosting",
        "title": "A",
    }
    assert loads_jsonld('<!-- {"a": 1} -->') == {"a": 1}
    assert loads_jsonld('{"description": "line one\nline two"};') == {"description": "line one\nline two"}
    with pytest.raises(ValueError):
        loads_jsonld('{"a": 1,}')
    with pytest.raises(ValueError):
        loads_jsonld("   ")


def test_find_typed_walks_graph_lists_and_type_variants() -> None:
    data = [
        {"@graph": [{"@type": "Organization"}, {"@type": ["Thing", "JobPosting"], "title": "A"}]},
        {"@type": "WebPage", "mainEntity": {"@type": "schema:JobPosting", "title": "B"}},
        {
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "ListItem", "item": {"@type": "https://schema.org/JobPosting", "title": "C"}}
            ],
        },
        {"@type": "JobPostingX", "title": "not a posting"},
    ]
    assert [p["title"] for p in find_typed(data, "JobPosting")] == ["A", "B", "C"]


def test_value_shapes() -> None:
    assert identifier_value({"@type": "PropertyValue", "name": "X", "value": 1234567}) == "1234567"
    assert identifier_value({"@type": "PropertyValue", "name": "X"}) is None
    assert identifier_value(["", {"value": "R-1"}]) == "R-1"
    assert location_strings({"@type": "Place", "address": "Recife, PE"}) == ["Recife, PE"]
    assert location_strings("Anywhere", {"@type": "State", "name": "California"}) == [
        "Anywhere",
        "California",
    ]
    assert location_strings(
        [{"address": {"addressLocality": "Porto", "addressCountry": "PT"}}, "Porto, PT"]
    ) == ["Porto, PT"]
    assert split_description("Text &amp; more") == (None, "Text & more")
    assert split_description("&lt;b&gt;x&lt;/b&gt;") == ("<b>x</b>", None)
    assert unescape_html_once("<p>a &amp;lt; b</p>") == "<p>a &amp;lt; b</p>"  # real markup left alone


def test_base_salary_shapes() -> None:
    hourly = base_salary(
        {"currency": "usd", "value": {"minValue": 20, "maxValue": "25.5", "unitText": "hour"}}
    )
    assert hourly is not None
    assert (hourly.salary_min, hourly.salary_max, hourly.salary_currency, hourly.salary_period) == (
        20.0,
        25.5,
        "USD",
        "HOUR",
    )
    assert hourly.salary_raw == "USD 20–25.50 per hour"
    single = base_salary({"@type": "MonetaryAmount", "currency": "EUR", "value": 50000})
    assert single is not None and (single.salary_min, single.salary_max, single.salary_period) == (
        50000.0,
        50000.0,
        None,
    )
    odd_unit = base_salary({"currency": "GBP", "value": {"value": 400, "unitText": "SHIFT"}})
    assert odd_unit is not None and odd_unit.salary_period is None and odd_unit.salary_min == 400.0
    assert (
        base_salary({"currency": "USD", "value": {"minValue": "50,000"}}) is None
    )  # separators are not guessed
    assert base_salary(None) is None


def test_jobposting_fields_on_odd_types() -> None:
    fields = jobposting_fields(
        {
            "@type": "JobPosting",
            "name": "Fallback title",
            "hiringOrganization": {
                "@type": "Organization",
                "legalName": "Legal Name GmbH",
                "sameAs": "https://legal.example",
            },
            "jobLocation": {
                "@type": "Place",
                "address": {"addressCountry": {"@type": "Country", "name": "DE"}},
            },
            "jobLocationType": ["TELECOMMUTE"],
            "employmentType": "PART_TIME",
        }
    )
    assert fields["title"] == "Fallback title"
    assert fields["company"] == "Legal Name GmbH"
    assert fields["company_url"] == "https://legal.example"
    assert fields["location_raw"] == ["DE"]
    assert fields["workplace_raw"] == ["TELECOMMUTE"]
    assert fields["employment_type_raw"] == ["PART_TIME"]
    assert fields["description_html"] is None and fields["description_text"] is None


# --- end to end ----------------------------------------------------------------------------------------
def test_crawl_jsonld_url_file(tmp_path: Path) -> None:
    routes = {
        "/jobs/view/cohere-4218586823": Route.file(COHERE),
        "/jobs/view/rai-3946498763": Route.file(RAI),
        "/careers/de-42": Route.file(GRAPH),
        "/vagas": Route.file(ITEMLIST),
    }
    with MockServer(routes) as server:
        url_file = tmp_path / "urls.txt"
        url_file.write_text(
            "# JSON-LD pages\n"
            + "\n".join(server.url(p) for p in [*routes, "/gone"])
            + "\n# "
            + server.url("/commented-out")
            + "\n",
            encoding="utf-8",
        )
        output = tmp_path / "out.jsonl"
        result = run_crawl(
            "jsonld",
            args={"url_file": str(url_file)},
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=output,
        )
        paths = server.paths()
        vagas_url = server.url("/vagas")
    assert result.returncode == 0, result.log[-3000:]
    assert "/commented-out" not in paths
    titles = sorted(item["title"] for item in result.items)
    assert titles == sorted(
        [
            "Software Engineer Intern/Co-op (Fall 2025)",
            "DATA ANALYST",
            "Remote Data Engineer",
            "Desenvolvedor(a) Python Pleno",
            "Estágio em Dados",
            "Tech Lead",
        ]
    )
    by_title = {item["title"]: item for item in result.items}
    assert all(item["source"] == "jsonld" for item in result.items)
    assert by_title["DATA ANALYST"]["company"] == "Rai - Radiotelevisione Italiana"
    assert by_title["Remote Data Engineer"]["salary_min"] == 90.0
    assert by_title["Remote Data Engineer"]["source_id"] == "127.0.0.1:DE-42"
    assert by_title["Tech Lead"]["source_id"] == vagas_url + "#2"
    # the malformed block and the 404 page were survived, logged and counted
    assert "malformed JSON-LD block 1 of 3" in result.log
    assert logged_stat(result.log, "jobs/parse_error/jsonld") == 1
    assert logged_stat(result.log, "jobs/request_failed") == 1
    assert "/gone" in result.log
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]


def test_relative_urls_need_base_url() -> None:
    spider = make_spider(JsonLdSpider, urls="/jobs/1,https://x.example/2", base_url="http://127.0.0.1:9/")
    assert spider.absolute_urls() == ["http://127.0.0.1:9/jobs/1", "https://x.example/2"]
    spider = make_spider(JsonLdSpider, urls="/jobs/1,https://x.example/2")
    assert spider.base_url == ""
    assert spider.absolute_urls() == ["https://x.example/2"]
    assert stats(spider)["jobs/bad_url"] == 1
