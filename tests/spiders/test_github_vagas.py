"""GitHub-issue job boards (backend-br/vagas, ...): labels, title parsing, paging, token, rate limit, ``scrapy crawl``.

The issue pages are built test data (``TESTDATA_github_issues_page*.json``, see SOURCES.md).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider
from scrapy.http import TextResponse

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting
from spiders.github_vagas import GithubVagasSpider
from spiders.platforms.github_issues import GithubIssuesSpider, next_link, parse_title
from tests.crawl import run_crawl
from tests.mockserver import FIXTURES, MockServer, Route
from tests.mockserver import Request as ServerRequest
from tests.spiders import crawl_env, crawl_settings, json_route, logged_stat, make_spider, stats

PAGE1 = "boards/github/TESTDATA_github_issues_page1.json"
PAGE2 = "boards/github/TESTDATA_github_issues_page2.json"
API = "https://api.github.com"
LIST = f"{API}/repos/backend-br/vagas/issues?state=open&per_page=100"


def response(
    relpath: str | None,
    url: str = LIST,
    status: int = 200,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> TextResponse:
    data = (FIXTURES / relpath).read_bytes() if relpath else (body or "").encode("utf-8")
    return TextResponse(
        url=url, body=data, status=status, encoding="utf-8", headers=headers or {}, request=Request(url)
    )


def items_of(out: Iterable[object]) -> list[JobPosting]:
    return [i for i in out if isinstance(i, JobPosting)]


def test_page1_issues_pull_request_skipped() -> None:
    spider = make_spider(GithubVagasSpider)
    out = list(spider.parse_issues(response(PAGE1), repo="backend-br/vagas", page=1))
    items = items_of(out)
    assert [i.source_id for i in items] == [
        "backend-br/vagas#9101",
        "backend-br/vagas#9100",
        "backend-br/vagas#9098",
    ]
    assert stats(spider)["jobs/skipped/pull_request"] == 1
    assert stats(spider)["jobs/listed"] == 4
    python, java, go = items
    assert python.source == "github"
    assert python.url == "https://github.com/backend-br/vagas/issues/9101"
    assert python.title == "Desenvolvedor(a) Backend Python Pleno"
    assert python.company == "Empresa Fictícia Ltda"
    assert python.workplace_raw == ["Remoto"]
    assert python.employment_type_raw == ["CLT"]
    assert python.seniority_raw == ["Pleno"]
    assert python.tags == ["Python", "Django"]
    assert python.location_raw == []
    assert python.posted_raw == "2026-03-02T12:15:30Z"
    assert python.description_text is not None and python.description_text.startswith("## Nossa empresa")
    assert "R$ 9.000 a R$ 12.000" in python.description_text
    assert (
        python.salary_min is None and python.salary_raw is None
    )  # salary is in the body: the normalizers' job
    assert python.raw["title"] == "[Remoto] Desenvolvedor(a) Backend Python Pleno na Empresa Fictícia Ltda"
    assert python.raw["state"] == "open" and python.raw["closed_at"] is None
    assert python.raw["_repo"] == "backend-br/vagas" and python.raw["id"] == 3100009101
    assert "body" not in python.raw
    assert (java.title, java.company) == ("Engenheiro de Software Sênior", "Exemplo Pagamentos")
    assert java.location_raw == ["São Paulo/SP"]  # title tag that is not a known word
    assert java.workplace_raw == ["Híbrido"]
    assert java.employment_type_raw == ["PJ"] and java.seniority_raw == ["Sênior"]
    assert java.tags == ["Java", "AWS"]
    assert (go.title, go.company) == ("Vaga para Especialista em Go", None)  # no " na X": not guessed
    assert go.seniority_raw == ["Especialista"]
    assert not [r for r in out if isinstance(r, Request)]  # no Link header: last page


def test_page2_closed_issue_raw_keys() -> None:
    spider = make_spider(GithubVagasSpider, state="all")
    items = items_of(list(spider.parse_issues(response(PAGE2), repo="backend-br/vagas", page=2)))
    intern, closed = items
    assert intern.title == "Estágio em Desenvolvimento Web"
    assert intern.company == "Startup Modelo"
    assert intern.workplace_raw == ["Presencial"]
    assert intern.employment_type_raw == ["Estágio"] and intern.seniority_raw == ["Estágio"]
    assert closed.source_id == "backend-br/vagas#9080"
    assert (closed.title, closed.company) == ("Desenvolvedora Front-end Júnior", "Loja Exemplo")
    assert closed.raw["state"] == "closed"
    assert closed.raw["closed_at"] == "2026-02-25T16:45:10Z"
    assert closed.raw["state_reason"] == "completed"
    assert closed.closed_at == "2026-02-25T16:45:10Z" and intern.closed_at is None  # storage closes it


def test_normalized_values() -> None:
    spider = make_spider(GithubVagasSpider)
    python, java, _ = items_of(list(spider.parse_issues(response(PAGE1), repo="backend-br/vagas", page=1)))
    normalize_posting(python)
    normalize_posting(java)
    assert python.workplace == "remote" and java.workplace == "hybrid"
    assert python.contract_type == "CLT" and java.contract_type == "PJ"
    assert python.seniority == ["mid"] and java.seniority == ["senior"]


def test_link_header_next_page_and_state() -> None:
    spider = make_spider(GithubVagasSpider, state="all", repos="backend-br/vagas")
    url = f"{API}/repos/backend-br/vagas/issues?state=all&per_page=100"
    assert spider.issues_url("backend-br/vagas") == url
    link = f'<{url}&page=2>; rel="next", <{url}&page=7>; rel="last"'
    out = list(
        spider.parse_issues(response(PAGE1, url, headers={"Link": link}), repo="backend-br/vagas", page=1)
    )
    (following,) = [r for r in out if isinstance(r, Request)]
    assert following.url == f"{url}&page=2"
    assert following.cb_kwargs == {"repo": "backend-br/vagas", "page": 2}
    assert following.headers.get("Accept") == b"application/vnd.github+json"
    assert (
        next_link('<https://x/a?page=3>; rel="prev", <https://x/a?page=5>; rel="next"')
        == "https://x/a?page=5"
    )
    assert next_link(None) is None
    with pytest.raises(ValueError):
        make_spider(GithubVagasSpider, state="merged")


def test_rate_limit_stops_cleanly(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(GithubVagasSpider, repos="backend-br/vagas")
    link = f'<{LIST}&page=2>; rel="next"'
    resp = response(
        PAGE1, headers={"Link": link, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1772800000"}
    )
    seen: list[object] = []
    with caplog.at_level(logging.WARNING), pytest.raises(CloseSpider) as stop:
        for out in spider.parse_issues(resp, repo="backend-br/vagas", page=1):
            seen.append(out)
    assert stop.value.reason == "blocked"
    assert len(items_of(seen)) == 3  # the page's issues were still yielded, no next-page request
    assert not [r for r in seen if isinstance(r, Request)]
    assert stats(spider)["jobs/rate_limited"] == 1
    assert any(
        "rate limit" in r.getMessage() and "2026-03-06T12:26:40+00:00" in r.getMessage()
        for r in caplog.records
    )
    # a 403 refusal: nothing to yield, stop
    refused = make_spider(GithubVagasSpider)
    with pytest.raises(CloseSpider):
        list(
            refused.parse_issues(
                response(
                    None,
                    status=403,
                    body='{"message": "API rate limit exceeded"}',
                    headers={"X-RateLimit-Remaining": "0"},
                ),
                repo="backend-br/vagas",
                page=1,
            )
        )
    # remaining 0 on the very last page: nothing more was needed, no stop
    done = make_spider(GithubVagasSpider)
    done._pending = 1  # this response's own request
    assert (
        len(
            items_of(
                list(
                    done.parse_issues(
                        response(PAGE2, headers={"X-RateLimit-Remaining": "0"}),
                        repo="backend-br/vagas",
                        page=1,
                    )
                )
            )
        )
        == 2
    )
    assert stats(done)["jobs/rate_limited"] == 1


def test_errors_do_not_crash(caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(GithubVagasSpider)
    with caplog.at_level(logging.WARNING):
        assert (
            list(
                spider.parse_issues(
                    response(None, status=404, body='{"message": "Not Found"}'), repo="gone/vagas", page=1
                )
            )
            == []
        )
        assert (
            list(spider.parse_issues(response(None, body='[{"number": 1,'), repo="backend-br/vagas", page=1))
            == []
        )
        assert (
            list(
                spider.parse_issues(
                    response(None, body='{"message": "Moved"}'), repo="backend-br/vagas", page=1
                )
            )
            == []
        )
        mixed = items_of(
            list(
                spider.parse_issues(
                    response(
                        None,
                        body='[{"title": "sem número"}, "x", {"number": 7, "title": "Dev na Acme", "labels": ["Remoto"]}]',
                    ),
                    repo="a/b",
                    page=1,
                )
            )
        )
    assert [(i.source_id, i.company, i.workplace_raw) for i in mixed] == [("a/b#7", "Acme", ["Remoto"])]
    assert stats(spider)["jobs/repo_not_found"] == 1
    assert stats(spider)["jobs/parse_error/json"] == 2
    assert stats(spider)["jobs/parse_error/job"] == 2


def test_title_parsing_rules() -> None:
    assert parse_title("[Remoto] Desenvolvedor Backend Python na Empresa X") == (
        "Desenvolvedor Backend Python",
        "Empresa X",
        ["Remoto"],
    )
    assert parse_title("Senior Engineer at Stripe") == ("Senior Engineer", "Stripe", [])
    assert parse_title("Dev Node @ Acme Inc.") == ("Dev Node", "Acme Inc.", [])
    assert parse_title("Analista na Área de Dados na Empresa X") == (
        "Analista na Área de Dados",
        "Empresa X",
        [],
    )
    assert parse_title("Vaga na área de dados") == (
        "Vaga na área de dados",
        None,
        [],
    )  # lower case: no company
    assert parse_title("") == (None, None, [])


def test_repos_from_argument_and_data_file() -> None:
    assert make_spider(GithubVagasSpider).repos == ["backend-br/vagas", "frontendbr/vagas"]
    assert make_spider(GithubVagasSpider, repos="a/b, not-a-repo ,a/b,c/d").repos == ["a/b", "c/d"]

    class ReactBrasil(GithubIssuesSpider):
        name = "react_brasil"
        default_repos = ("react-brasil/vagas",)

    spider = make_spider(ReactBrasil, settings={"GITHUB_BASE_URL": "http://ghe.local/api/v3/"})
    assert spider.repos == ["react-brasil/vagas"] and spider.source_name == "github"
    assert (
        spider.issues_url("react-brasil/vagas")
        == "http://ghe.local/api/v3/repos/react-brasil/vagas/issues?state=open&per_page=100"
    )


# --- end to end ----------------------------------------------------------------------------------
def paged(relpath: str, next_query: str | None, remaining: str = "4990") -> object:
    def handler(req: ServerRequest) -> Route:
        route = Route.file(relpath)
        route.headers.update({"X-RateLimit-Remaining": remaining, "X-RateLimit-Reset": "1772800000"})
        if next_query:
            base = f"http://{req.headers.get('Host')}"
            route.headers["Link"] = f'<{base}{req.path}?{next_query}>; rel="next"'
        return route

    return handler


def test_crawl_github_vagas(tmp_path: Path) -> None:
    routes = {
        "/repos/backend-br/vagas/issues?state=all&per_page=100": paged(
            PAGE1, "state=all&per_page=100&page=2"
        ),
        "/repos/backend-br/vagas/issues?state=all&per_page=100&page=2": paged(PAGE2, None),
        "/repos/frontendbr/vagas/issues?state=all&per_page=100": Route.text(
            '[{"number": 1, "title": ', content_type="application/json"
        ),
        # /repos/gone/vagas/issues: no route -> 404
    }
    with MockServer(routes) as server:  # type: ignore[arg-type]
        result = run_crawl(
            "github_vagas",
            args={
                "base_url": server.base_url,
                "repos": "backend-br/vagas,frontendbr/vagas,gone/vagas",
                "state": "all",
            },
            settings=crawl_settings(),
            env={**crawl_env(tmp_path), "GITHUB_TOKEN": "ghp_TESTDATA_secret_token"},
            output=tmp_path / "out.jsonl",
        )
        requests = list(server.requests)
    assert result.returncode == 0, result.log[-3000:]
    paths = [r.path + "?" + r.query for r in requests]
    assert "/repos/backend-br/vagas/issues?state=all&per_page=100&page=2" in paths
    headers = [{k.lower(): v for k, v in r.headers.items()} for r in requests]
    assert all(h.get("authorization") == "Bearer ghp_TESTDATA_secret_token" for h in headers)
    assert all(h.get("x-github-api-version") == "2022-11-28" for h in headers)
    assert "ghp_TESTDATA_secret_token" not in result.log
    assert "ghp_TESTDATA_secret_token" not in json.dumps(result.items)
    by_id = {i["source_id"]: i for i in result.items}
    assert sorted(by_id) == [
        "backend-br/vagas#9080",
        "backend-br/vagas#9090",
        "backend-br/vagas#9098",
        "backend-br/vagas#9100",
        "backend-br/vagas#9101",
    ]
    closed = by_id["backend-br/vagas#9080"]
    assert (closed["raw"]["state"], closed["raw"]["closed_at"]) == ("closed", "2026-02-25T16:45:10Z")
    assert by_id["backend-br/vagas#9101"]["company"] == "Empresa Fictícia Ltda"
    assert logged_stat(result.log, "jobs/skipped/pull_request") == 1
    assert logged_stat(result.log, "jobs/parse_error/json") == 1
    assert logged_stat(result.log, "jobs/repo_not_found") == 1
    assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]


def test_crawl_github_rate_limited(tmp_path: Path) -> None:
    routes = {
        "/repos/backend-br/vagas/issues?state=open&per_page=100": paged(
            PAGE1, "state=open&per_page=100&page=2", remaining="0"
        ),
        "/repos/backend-br/vagas/issues?state=open&per_page=100&page=2": json_route([]),
    }
    with MockServer(routes) as server:  # type: ignore[arg-type]
        result = run_crawl(
            "github_vagas",
            args={"base_url": server.base_url, "repos": "backend-br/vagas"},
            settings=crawl_settings(),
            env={**crawl_env(tmp_path), "GITHUB_TOKEN": ""},
            output=tmp_path / "out.jsonl",
        )
        requests = list(server.requests)
    assert result.returncode == 3, result.log[-3000:]  # blocked (crawler/exitcodes.py)
    assert len(requests) == 1 and "authorization" not in {k.lower() for k in requests[0].headers}
    assert len(result.items) == 3
    assert logged_stat(result.log, "jobs/rate_limited") == 1
    assert "'finish_reason': 'blocked'" in result.log
    assert "GitHub rate limit reached" in result.log
