"""Gupy portal API spider: keyword searches, paging, cross-search dedupe, job mapping, end to end."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from scrapy import Request

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.gupy import GupyPortalSpider
from spiders.platforms.gupy import GupySpider, career_page_origin, clean_job_url
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

RADAR = "boards/gupy/gupy_portal_api_radar-vagas.json"
API = "https://portal.api.gupy.io"


def search_output(spider: GupySpider, keyword: str = "engenheiro de dados") -> list[JobPosting | Request]:
    response = fixture_response(RADAR, spider.search_url(keyword, 0))
    return list(spider.parse_search(response, keyword, 0, set()))


def test_radar_search() -> None:
    spider = make_spider(GupyPortalSpider, keywords="engenheiro de dados")
    items = [i for i in search_output(spider) if isinstance(i, JobPosting)]
    assert len(items) == 38  # pagination.total 38, limit 60: one page, no next request
    assert len(search_output(make_spider(GupyPortalSpider))) == 38
    first = items[0]
    assert first.source == "gupy"
    assert first.source_id == "11760779"
    assert first.title == "Engenheiro de Dados SR"
    assert first.company == "Grupo SysMap"
    assert first.company_url == "https://gruposysmap.gupy.io"
    # the jobBoardSource tracking parameter is gone
    assert (
        first.url
        == "https://gruposysmap.gupy.io/job/eyJqb2JJZCI6MTE3NjA3NzksInNvdXJjZSI6Imd1cHlfcG9ydGFsIn0="
    )
    assert first.apply_url == first.url
    assert first.location_raw == ["Brasil"]  # city and state are ""
    assert first.workplace_raw == ["remote"]
    assert first.employment_type_raw == ["vacancy_type_effective"]
    assert first.posted_raw == "2026-07-24T20:56:40.423Z"
    assert first.valid_through_raw == "2026-09-28"
    assert first.tags == []  # skills: []
    assert first.description_html is None
    assert first.description_text is not None
    assert first.description_text.startswith(
        "Você é movido(a) por tecnologia, dados e inovação? 🚀Na Triggo.ai"
    )
    assert first.salary_min is None
    assert "description" not in first.raw
    assert first.raw["companyId"] == 89830
    assert first.raw["badges"] == {"friendlyBadge": True, "isPWD": True}
    assert first.raw["jobUrl"].endswith("?jobBoardSource=gupy_portal")  # kept as found
    assert first.raw["_keyword"] == "engenheiro de dados"

    by_id = {i.source_id: i for i in items}
    assert by_id["11783052"].title == "Engenheiro de Dados sênior"  # trailing space trimmed
    pagbank = by_id["11415236"]
    assert (pagbank.title, pagbank.company, pagbank.location_raw) == (
        "Engenheiro de Dados Sr.",
        "PagBank",
        ["Sao Paulo, São Paulo"],
    )
    assert by_id["11749818"].employment_type_raw == ["vacancy_legal_entity"]  # PJ
    temporary = next(i for i in items if i.employment_type_raw == ["vacancy_type_temporary"])
    assert (
        temporary.title == "Pessoa Engenheira de Dados III (Diretoria de Dados) - Tempo Determinado (6 meses)"
    )
    assert temporary.company == "Grupo Boticário"
    campinas = [i for i in items if i.location_raw == ["Campinas, São Paulo, Brasil"]]
    assert [(i.title, i.valid_through_raw) for i in campinas] == [
        ("Engenheiro de Dados PL/SR", None),
        ("Engenheiro de Dados", None),
    ]
    assert stats(spider)["jobs/listed"] == 38


def test_search_urls_and_arguments() -> None:
    spider = make_spider(GupyPortalSpider, keywords="python, dados ,python", remote="1", page_size="20")
    assert spider.keywords == ["python", "dados"]
    assert spider.search_url("engenheiro de dados", 40) == (
        f"{API}/api/v1/jobs?jobName=engenheiro+de+dados&offset=40&limit=20&isRemoteWork=true"
    )
    default = make_spider(GupyPortalSpider)
    assert default.keywords[:2] == ["desenvolvedor", "engenheiro de software"]
    assert default.search_url("java", 0) == f"{API}/api/v1/jobs?jobName=java&offset=0&limit=60"
    assert (
        clean_job_url("https://x.gupy.io/job/abc=?jobBoardSource=gupy_portal&a=1")
        == "https://x.gupy.io/job/abc=?a=1"
    )
    assert career_page_origin("not a url") is None


def test_paging_and_dedupe_across_searches() -> None:
    spider = make_spider(GupyPortalSpider, keywords="dados,engenheiro", page_size="10")
    body = json.loads((FIXTURES / RADAR).read_text(encoding="utf-8"))

    def page(offset: int) -> str:
        data = body["data"][offset : offset + 10]
        return json.dumps({"data": data, "pagination": {"total": 38, "limit": 10, "offset": offset}})

    seen: set[str] = set()
    out = list(spider.parse_search(text_response(page(0), spider.search_url("dados", 0)), "dados", 0, seen))
    assert len([i for i in out if isinstance(i, JobPosting)]) == 10
    (next_page,) = [r for r in out if isinstance(r, Request)]
    assert next_page.url == f"{API}/api/v1/jobs?jobName=dados&offset=10&limit=10"
    assert next_page.cb_kwargs == {"keyword": "dados", "offset": 10, "seen": seen}
    # the same ids found by another search: not yielded again
    other = list(
        spider.parse_search(
            text_response(page(0), spider.search_url("engenheiro", 0)), "engenheiro", 0, set()
        )
    )
    assert [r.url for r in other] == [f"{API}/api/v1/jobs?jobName=engenheiro&offset=10&limit=10"]
    assert stats(spider)["jobs/duplicate_search_hit"] == 10
    # a server ignoring offset: the same page again stops the search
    assert list(spider.parse_search(text_response(page(0), next_page.url), "dados", 10, seen)) == []
    assert stats(spider)["jobs/pagination_repeat"] == 1
    # the last page asks for nothing more
    last = list(
        spider.parse_search(text_response(page(30), spider.search_url("dados", 30)), "dados", 30, seen)
    )
    assert len(last) == 8 and all(isinstance(i, JobPosting) for i in last)


def test_malformed_responses(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(GupyPortalSpider, keywords="x")
    url = spider.search_url("x", 0)
    with caplog.at_level(logging.WARNING):
        assert list(spider.parse_search(text_response('{"data": [', url), "x", 0, set())) == []
        assert list(spider.parse_search(text_response('{"message": "error"}', url), "x", 0, set())) == []
        body = '{"data": [{"name": "no id"}, {"id": 5, "name": " ok ", "isRemoteWork": true}], "pagination": {"total": 2}}'
        (item,) = spider.parse_search(text_response(body, url), "x", 0, set())
    assert isinstance(item, JobPosting)
    assert (item.source_id, item.title, item.workplace_raw, item.url, item.company) == (
        "5",
        "ok",
        ["remote"],
        None,
        None,
    )
    assert stats(spider)["jobs/parse_error/json"] == 2
    assert stats(spider)["jobs/parse_error/job"] == 1
    assert any("Gupy search 'x' at offset 0: response is not JSON" in r.getMessage() for r in caplog.records)


def test_normalized_values() -> None:
    spider = make_spider(GupyPortalSpider, keywords="engenheiro de dados")
    items = {i.source_id: i for i in search_output(spider) if isinstance(i, JobPosting)}
    pj = items["11749818"]
    normalize_posting(pj)
    assert (pj.employment_type, pj.contract_type) == ("CONTRACTOR", "PJ")
    assert pj.workplace == "remote"
    assert pj.locations == [{"city": None, "region": None, "country": "BR"}]
    assert pj.valid_through == "2026-09-20T00:00:00Z"
    clt = items["11415236"]
    normalize_posting(clt)
    assert (clt.employment_type, clt.contract_type) == ("FULL_TIME", "CLT")
    assert clt.locations == [{"city": "Sao Paulo", "region": "SP", "country": "BR"}]


# --- end to end ----------------------------------------------------------------------------------
def portal() -> mockserver.Handler:
    """The recorded search served the way the portal pages it; "quebrado" answers broken JSON."""
    jobs = json.loads((FIXTURES / RADAR).read_text(encoding="utf-8"))["data"]

    def handler(request: mockserver.Request) -> Route:
        query = parse_qs(request.query)
        if query.get("jobName") == ["quebrado"]:
            return Route.text('{"data": [{"id": 1,', content_type="application/json")
        offset = int(query.get("offset", ["0"])[0])
        limit = int(query.get("limit", ["10"])[0])
        body = {
            "data": jobs[offset : offset + limit],
            "pagination": {"total": len(jobs), "limit": limit, "offset": offset},
        }
        return Route(200, json.dumps(body).encode("utf-8"), {"Content-Type": "application/json"})

    return handler


def test_crawl_gupy_pages_dedupes_and_survives_bad_json(tmp_path: Path) -> None:
    with MockServer({"/api/v1/jobs": portal()}) as server:
        result = run_crawl(
            "gupy",
            args={
                "keywords": "engenheiro de dados,quebrado,dados",
                "page_size": "15",
                "base_url": server.base_url,
            },
            settings=crawl_settings(),
            env=crawl_env(tmp_path),
            output=tmp_path / "out.jsonl",
        )
        paths = server.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert [p for p in paths if "jobName=dados" in p] == [
        "/api/v1/jobs?jobName=dados&offset=0&limit=15",
        "/api/v1/jobs?jobName=dados&offset=15&limit=15",
        "/api/v1/jobs?jobName=dados&offset=30&limit=15",
    ]
    ids = [i["source_id"] for i in result.items]
    assert len(ids) == 38 and len(set(ids)) == 38  # both searches found all 38: each yielded once
    by_id = {i["source_id"]: i for i in result.items}
    stefanini = by_id["11783052"]
    assert (stefanini["title"], stefanini["company"], stefanini["source"]) == (
        "Engenheiro de Dados sênior",
        "Stefanini Group",
        "gupy",
    )
    assert (
        stefanini["url"]
        == "https://stefanini.gupy.io/job/eyJqb2JJZCI6MTE3ODMwNTIsInNvdXJjZSI6Imd1cHlfcG9ydGFsIn0="
    )
    assert logged_stat(result.log, "jobs/duplicate_search_hit") == 38
    assert logged_stat(result.log, "jobs/parse_error/json") == 1
    assert "Gupy search 'quebrado' at offset 0: response is not JSON" in result.log
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
