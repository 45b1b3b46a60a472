"""SmartRecruiters Posting API spider: list, paging, posting details, robots.txt, errors, end to end,
incremental runs (the generated site of ``bench.incremental``: copies of the recorded and
hand-built fixture shapes under new ids)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from sqlalchemy import event, select
from twisted.python.failure import Failure

from bench.incremental import SmartRecruitersSite, sr_detail_ids
from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import postings
from crawler.db.store import PostingWriter
from crawler.incremental import MARKER_KEY, listing_hash
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


# --- incremental runs ------------------------------------------------------------------------------
def stored_state(url: str) -> dict[str, Any]:
    with get_engine(url).connect() as conn:
        return {
            r.source_id: r
            for r in conn.execute(select(postings).where(postings.c.source == "smartrecruiters"))
        }


def test_incremental_list_page_skips_stored_unchanged_details(sqlite_url: str) -> None:
    """Run 1 stores 001 (detail read) and 002 (detail 404); run 2 skips only 001's detail."""
    upgrade(sqlite_url)
    settings = {"DATABASE_URL": sqlite_url}
    board = Board("ExampleCo")
    first = make_spider(SmartRecruitersCompaniesSpider, settings, companies="ExampleCo")
    r1, r2, r3 = list_output(first, EXAMPLECO, board)
    assert isinstance(r1, Request) and isinstance(r2, Request) and isinstance(r3, Request)
    assert stats(first)["jobs/detail_new"] == 3
    (read,) = first.parse_detail(fixture_response(DETAIL, r1.url, request=r1), **r1.cb_kwargs)
    (failed,) = first.parse_detail(text_response("{}", r2.url, 404, request=r2), **r2.cb_kwargs)
    entries = json.loads((FIXTURES / EXAMPLECO).read_text(encoding="utf-8"))["content"]
    assert read.raw[MARKER_KEY] == listing_hash(entries[0])  # the whole list entry, as sent
    assert MARKER_KEY not in failed.raw  # a failed detail is fetched again next time
    PostingWriter(get_engine(sqlite_url)).write([read, failed])

    selects: list[str] = []
    event.listen(
        get_engine(sqlite_url),
        "before_cursor_execute",
        lambda conn, cursor, statement, *a: selects.append(statement) if "SELECT" in statement[:20] else None,
    )
    second = make_spider(SmartRecruitersCompaniesSpider, settings, companies="ExampleCo")
    skipped, again, new = list_output(second, EXAMPLECO, board)
    assert len(selects) == 1  # the whole page: one lookup
    assert isinstance(skipped, JobPosting) and skipped.source_id == "744000100000001"
    assert skipped.partial is True and skipped.raw["detail_skipped"] is True
    assert skipped.title == "Senior Software Engineer (Java)" and skipped.description_html is None
    assert isinstance(again, Request) and again.url.endswith("/744000100000002")
    assert isinstance(new, Request) and new.url.endswith("/744000100000003")
    assert {k: v for k, v in stats(second).items() if k.startswith("jobs/detail_")} == {
        "jobs/detail_skipped_unchanged": 1,
        "jobs/detail_changed": 1,
        "jobs/detail_new": 1,
    }

    # the posting is re-released: its list entry changed, its detail is fetched again
    body = json.loads((FIXTURES / EXAMPLECO).read_text(encoding="utf-8"))
    body["content"][0]["releasedDate"] = "2026-08-01T09:15:00.000Z"
    changed = make_spider(SmartRecruitersCompaniesSpider, settings, companies="ExampleCo")
    out = list(
        changed.parse_postings(
            text_response(json.dumps(body), changed.postings_url(board, 0)), board, 0, set()
        )
    )
    assert all(isinstance(r, Request) for r in out) and len(out) == 3
    assert stats(changed)["jobs/detail_changed"] == 2

    # -a full=1 / -a incremental=0: every detail, no lookup
    for off in ({"full": "1"}, {"incremental": "0"}):
        selects.clear()
        forced = make_spider(SmartRecruitersCompaniesSpider, settings, companies="ExampleCo", **off)
        assert all(isinstance(r, Request) for r in list_output(forced, EXAMPLECO, board)), off
        assert selects == [] and "jobs/detail_skipped_unchanged" not in stats(forced)
    with pytest.raises(ValueError, match="expected 1 or 0"):
        make_spider(SmartRecruitersCompaniesSpider, settings, full="please")


def test_crawl_smartrecruiters_incremental_runs(db_url: str, tmp_path: Path) -> None:
    """Four real crawls through every pipeline: first, unchanged, 6 new + 2 updated, ``-a full=1``."""
    upgrade(db_url)
    site = SmartRecruitersSite(companies=3, per_company=30)
    env = {"DATABASE_URL": db_url, "STORE_SPOOL_DIR": str(tmp_path / "spool")}
    settings = {"AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0", "LOG_LEVEL": "INFO"}
    lists = [f"/v1/companies/{c}/postings?offset={o}&limit=20" for c in site.slugs for o in (0, 20)]

    with site.server() as server:

        def crawl(name: str, **extra: str) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
            server.requests.clear()
            result = run_crawl(
                "smartrecruiters",
                args={
                    "companies": ",".join(site.slugs),
                    "page_size": "20",
                    "base_url": server.base_url,
                    **extra,
                },
                settings=settings,
                env=env,
                output=tmp_path / f"{name}.jsonl",
            )
            assert result.returncode == 0, result.log[-3000:]
            assert logged_stat(result.log, "log_count/ERROR") is None, result.log[-3000:]
            return server.paths(), result.items, stored_state(db_url)

        paths1, _, rows1 = crawl("first")
        assert sorted(sr_detail_ids(paths1)) == sorted(site.ids) and len(site.ids) == 90
        assert all(r.description_text and r.raw[MARKER_KEY] for r in rows1.values())

        paths2, items2, rows2 = crawl("unchanged")
        assert sorted(paths2) == sorted(["/robots.txt", *lists])  # list pages only: 7 of 97 requests
        assert len(items2) == 90 and all(i["partial"] and i["raw"]["detail_skipped"] for i in items2)
        for posting_id, before in rows1.items():
            after = rows2[posting_id]
            assert (after.description_text, after.title, after.raw) == (
                before.description_text,
                before.title,
                before.raw,
            )
            assert after.last_seen_at > before.last_seen_at

        new = {i for slug in site.slugs for i in site.add(slug, 2)}
        updated = {site.ids[10], site.ids[50]}
        for posting_id in updated:
            site.update(posting_id)
        paths3, items3, rows3 = crawl("changed")
        assert sorted(sr_detail_ids(paths3)) == sorted(new | updated)  # those, and only those
        assert sum(not i["partial"] for i in items3) == 8 and len(items3) == 96
        for posting_id in updated:
            assert rows3[posting_id].title.endswith("(rev 1)")
            assert "revision 1 of this job ad" in rows3[posting_id].description_text
            assert rows3[posting_id].raw[MARKER_KEY] != rows2[posting_id].raw[MARKER_KEY]
        assert all(rows3[i].description_text for i in new)

        paths4, items4, _ = crawl("full", full="1")
        assert sorted(sr_detail_ids(paths4)) == sorted(site.ids)  # every detail again
        assert not any(i["partial"] for i in items4)
