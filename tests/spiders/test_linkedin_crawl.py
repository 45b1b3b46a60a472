"""End to end: ``scrapy crawl linkedin`` against local servers built from the recorded pages.

No ``seeMoreJobPostings`` fragment was ever recorded: the fragments served here are cut,
in this module, from the 60 ``<li>`` cards of the recorded full search page
``search_page_it_support_intern_remote.html`` (the guest API answers the same cards,
about 10 per call, and an empty body at the end).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from parsel import Selector

from spiders.platforms.linkedin import parse_cards
from tests.crawl import CrawlResult, run_crawl
from tests.mockserver import MockServer, Request, Route

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "linkedin"
SEARCH = "/jobs-guest/jobs/api/seeMoreJobPostings/search"
DETAIL = re.compile(r"^/jobs-guest/jobs/api/jobPosting/(\d+)$")
VIEW = re.compile(r"^/jobs/view/(\d+)/?$")
HTML = "text/html; charset=utf-8"


def search_cards() -> list[str]:
    """The 60 card ``<li>`` elements of a recorded search page (fragment material)."""
    page = (FIXTURES / "search_page_it_support_intern_remote.html").read_text(encoding="utf-8")
    items = Selector(text=page).css("ul.jobs-search__results-list > li").getall()
    assert len(items) == 60
    return items


LIS = search_cards()
CARDS = [parse_cards(li)[0] for li in LIS]
ALL_IDS = [c.job_id for c in CARDS]


def fragment(start: int, sizes: list[int] | None = None) -> str:
    """``seeMoreJobPostings`` body for ``start``: page sizes follow ``sizes`` (default 10 each)."""
    size = 10
    if sizes:
        offset = 0
        for s in sizes:
            if offset == start:
                size = s
                break
            offset += s
    return "\n".join(LIS[start : start + size])


def settings(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "ITEM_PIPELINES": "{}",
        "STORE_ENABLED": "0",
        "LINKEDIN_DOWNLOAD_DELAY": "0",
        "LINKEDIN_STATE_DIR": str(tmp_path / "state"),
        "BLOCK_BACKOFF_BASE": "0.2",
        "LOG_LEVEL": "INFO",
        **extra,
    }


def stat(log: str, name: str) -> Any:
    m = re.search(rf"'{re.escape(name)}': ([^,\n}}]+)", log)
    return None if m is None else m.group(1).strip().strip("'")


def starts(paths: list[str]) -> list[int]:
    return [int(parse_qs(p.split("?", 1)[1])["start"][0]) for p in paths if p.startswith(SEARCH + "?")]


def crawl(
    srv: MockServer, tmp_path: Path, name: str, args: dict[str, str] | None = None, **extra: str
) -> CrawlResult:
    return run_crawl(
        "linkedin",
        args={
            "keywords": "it support intern",
            "location": "Remote",
            "base_url": srv.base_url,
            **(args or {}),
        },
        settings=settings(tmp_path, **extra),
        output=tmp_path / f"{name}.jsonl",
        timeout=120,
    )


# --- the full crawl ------------------------------------------------------------------------------------
def test_search_and_details_end_to_end(tmp_path: Path) -> None:
    sizes = [10, 7, 10, 10, 10, 10, 3]  # uneven pages: start must follow the cards actually returned
    by_id = {c.job_id: c for c in CARDS}
    api_fragment = ALL_IDS[0]  # recorded API fragment (Adobe)
    pay_range = ALL_IDS[11]  # /jobs/view page with a salary block, served on the API path
    fr_fallback = ALL_IDS[20]  # API 404 -> /jobs/view (French page, JSON-LD, off-site apply URL)
    it_fallback = ALL_IDS[35]  # API answers an empty body -> /jobs/view (Italian page)
    files = {
        api_fragment: "job_posting_api_4330361169.html",
        pay_range: "job_view_4424075463_base_pay_range.html",
    }
    views = {
        fr_fallback: "job_view_4218586823_fr_jsonld.html",
        it_fallback: "job_view_3946498763_it_prettified_jsonld.html",
    }

    def search(req: Request) -> Route:
        query = parse_qs(req.query)
        assert query["sortBy"] == ["DD"] and query["keywords"] == ["it support intern"]
        return Route.text(fragment(int(query["start"][0]), sizes))

    def other(req: Request) -> Route:
        if m := DETAIL.match(req.path):
            if m.group(1) in files:
                return Route.file(f"linkedin/{files[m.group(1)]}")
            if m.group(1) == it_fallback:
                return Route.text("")
        if (m := VIEW.match(req.path)) and m.group(1) in views:
            return Route.file(f"linkedin/{views[m.group(1)]}")
        return Route.text("not found", status=404)

    with MockServer({SEARCH: search}, default=other) as srv:
        result = crawl(srv, tmp_path, "full")
        paths = srv.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert "Spider closed (finished)" in result.log
    assert starts(paths) == [0, 10, 17, 27, 37, 47, 57, 60]
    items = {i["source_id"]: i for i in result.items}
    assert len(result.items) == 60 and sorted(items) == sorted(ALL_IDS)  # every card, once
    for job_id, item in items.items():
        card = by_id[job_id]
        assert item["source"] == "linkedin"
        assert item["url"] == f"https://www.linkedin.com/jobs/view/{job_id}/"
        assert card.location in item["location_raw"]
        assert item["raw"]["card"]["title"] == card.title
        if job_id not in files and job_id not in views:
            # card only (the detail 404'd twice): nothing lost
            assert item["title"] == card.title and item["company"] == card.company
            assert item["company_url"] == card.company_url
            assert item["posted_raw"] == card.listdate
            assert item["raw"]["detail_error"] == "http 404"
    new_cards = [c for c in CARDS if c.listdate_new]
    assert len(new_cards) == 6 and all(items[c.job_id]["posted_raw"] == c.listdate for c in new_cards)

    adobe = items[api_fragment]
    assert adobe["title"] == "Software Development Engineer" and adobe["company"] == "Adobe"
    assert adobe["description_html"].startswith("<strong>The Opportunity")
    assert adobe["seniority_raw"] == ["Not Applicable"] and adobe["employment_type_raw"] == ["Full-time"]
    assert adobe["raw"]["job_function"] == "Engineering and Information Technology"
    assert adobe["raw"]["applicants"] == 200 and adobe["raw"]["applicants_text"] == "Over 200 applicants"
    assert adobe["posted_raw"] == by_id[api_fragment].listdate  # the card's datetime
    assert adobe["raw"]["posted_text"] == "8 hours ago"
    assert adobe["raw"]["detail_source"] == "api"

    pay = items[pay_range]
    assert pay["salary_raw"] == "$70.00/hr - $100.00/hr"
    assert pay["raw"]["applicants"] == 157
    assert pay["employment_type_raw"] == ["Contract"] and pay["seniority_raw"] == ["Associate"]

    fr = items[fr_fallback]
    assert fr["raw"]["detail_source"] == "view"
    assert (
        fr["apply_url"]
        == "https://jobs.ashbyhq.com/cohere/b6c994c7-a435-4fd7-975b-4fb2e10a1a30?utm_source=jKNDxYPz51"
    )
    assert (
        fr["posted_raw"] == "2025-06-12T12:57:52.000Z"
        and fr["valid_through_raw"] == "2025-07-30T00:54:05.000Z"
    )
    assert fr["employment_type"] == "INTERN"
    assert fr["raw"]["industries"] == "Développement de logiciels"

    it = items[it_fallback]
    assert it["raw"]["detail_source"] == "view"
    assert (
        it["apply_url"]
        == "https://adecco.ncoreplat.com/jobposition/575024/data-analyst-roma-it/catania-industrial"
    )
    assert it["seniority_raw"] == ["Livello medio"] and it["raw"]["applicants"] == 200
    assert f"/jobs/view/{it_fallback}/" in paths and f"/jobs/view/{fr_fallback}/" in paths
    assert not (tmp_path / "state").exists() or not list((tmp_path / "state").iterdir())


def test_bad_argument_fails_before_any_request(tmp_path: Path) -> None:
    with MockServer(default=Route.text("")) as srv:
        result = crawl(srv, tmp_path, "bad", {"workplace": "moon"})
        assert srv.paths() == []
    assert result.returncode != 0
    assert "-a workplace='moon'" in result.log and "onsite, remote, hybrid" in result.log


# --- blocks, back-off, clean stop, resume ------------------------------------------------------------------
class RateLimitedLinkedIn:
    """Healthy for ``ok_first`` requests, then 429 (``Retry-After: 1``) for ``limited`` requests,
    healthy again until request ``wall_after``, then a 302 to ``/authwall`` for everything."""

    def __init__(self, ok_first: int, limited: int, wall_after: int) -> None:
        self.ok_first, self.limited, self.wall_after = ok_first, limited, wall_after
        self.healthy = False
        self.lock = threading.Lock()
        self.log: list[tuple[float, str, int]] = []  # (monotonic time, path?query, status)
        self.served_ids: set[str] = set()  # ids on search pages answered with cards
        self.detail = (FIXTURES / "job_posting_api_4330361169.html").read_bytes()

    def __call__(self, req: Request) -> Route:
        with self.lock:
            n = len(self.log) + 1
            route = self._route(req, n)
            self.log.append(
                (time.monotonic(), req.path + ("?" + req.query if req.query else ""), route.status)
            )
            return route

    def _route(self, req: Request, n: int) -> Route:
        if not self.healthy:
            if self.ok_first < n <= self.ok_first + self.limited:
                return Route.text("slow down", status=429, content_type="text/plain", **{"Retry-After": "1"})
            if n > self.wall_after:
                location = "/authwall?trk=bf&trkInfo=bf&sessionRedirect=" + req.path
                return Route(302, b"", {"Location": location})
        if req.path == SEARCH:
            body = fragment(int(parse_qs(req.query)["start"][0]))
            self.served_ids.update(c.job_id for c in parse_cards(body))
            return Route.text(body)
        if DETAIL.match(req.path):
            return Route(200, self.detail, {"Content-Type": HTML})
        return Route.text("not found", status=404)


def route_all(handler: Callable[[Request], Route]) -> MockServer:
    return MockServer({SEARCH: handler}, default=handler)


def test_rate_limited_server_slows_down_stops_blocked_and_resumes(tmp_path: Path) -> None:
    server = RateLimitedLinkedIn(ok_first=4, limited=2, wall_after=16)
    extra = {"BLOCK_MAX_RETRIES": "2"}
    with route_all(server) as srv:
        base_url = srv.base_url
        first = crawl(srv, tmp_path, "blocked", **extra)
        log1 = list(server.log)
        state_files = list((tmp_path / "state").glob("linkedin-*.json"))
        assert len(state_files) == 1, first.log[-3000:]
        state = json.loads(state_files[0].read_text(encoding="utf-8"))
        served_before_block = set(server.served_ids)
        server.healthy = True
        server.log.clear()
        second = crawl(srv, tmp_path, "resumed", {"resume": "1"}, **extra)
        log2 = list(server.log)

    # -- the blocked run -------------------------------------------------------------------------------
    assert first.returncode == 3, first.log[-3000:]  # blocked (crawler/exitcodes.py)
    assert "Closing spider (blocked)" in first.log
    assert stat(first.log, "finish_reason") == "blocked"
    assert [status for _, _, status in log1].count(429) == 2
    # it slowed down: after each 429 the next request came at least Retry-After (1 s) later
    for i, (t, _, status) in enumerate(log1[:-1]):
        if status == 429:
            assert log1[i + 1][0] - t >= 1.0, log1
    # the authwall itself was never fetched; every redirect was retried, then the spider stopped
    assert not any(path.startswith("/authwall") for _, path, _ in log1)
    assert [s for _, _, s in log1].count(302) == 3  # BLOCK_MAX_RETRIES=2: 2 retries, stop on the 3rd
    assert int(stat(first.log, "blocks/count")) == 5
    assert stat(first.log, "blocks/last_status") == "302"
    stopped_url = stat(first.log, "blocks/stopped_at_url")
    assert stopped_url and stopped_url.startswith(base_url + "/jobs-guest/jobs/api/")
    stopped_at = int(stat(first.log, "linkedin/stopped_at_start"))
    items1 = {i["source_id"]: i for i in first.items}
    # every card received before the block is in the feed (with its detail or card-only)
    assert served_before_block and served_before_block <= set(items1)
    assert stopped_at == max(starts([p for _, p, s in log1 if s == 200])) + 10
    blocked_details = {k for k, v in items1.items() if v["raw"].get("detail_error") == "blocked"}
    for job_id in blocked_details:
        assert items1[job_id]["title"] == CARDS[ALL_IDS.index(job_id)].title  # card data kept
    assert state["start"] == stopped_at and state["reason"] == "blocked"
    assert {c["job_id"] for c in state["unfetched"]} == blocked_details

    # -- the resumed run, server healthy again ------------------------------------------------------------
    assert second.returncode == 0, second.log[-3000:]
    assert "Spider closed (finished)" in second.log
    assert starts([p for _, p, _ in log2])[0] == stopped_at
    items2 = {i["source_id"]: i for i in second.items}
    assert set(items1) | set(items2) == set(ALL_IDS)  # nothing skipped across the two runs
    assert blocked_details <= set(items2)  # details dropped by the stop were fetched this time
    assert all(items2[k]["description_html"] for k in blocked_details)
    assert not set(items2) & (set(items1) - blocked_details)  # the rest was not fetched twice
    assert not list((tmp_path / "state").glob("linkedin-*.json"))  # search complete: state removed
    assert int(stat(second.log, "linkedin/resumed_from_start")) == stopped_at


def test_no_resume_state_starts_from_the_beginning(tmp_path: Path) -> None:
    with MockServer(
        {
            SEARCH: lambda req: Route.text(
                fragment(int(parse_qs(req.query)["start"][0])) if "start=0" in req.query else ""
            )
        },
        default=Route.text("", status=404),
    ) as srv:
        result = crawl(
            srv, tmp_path, "noresume", {"resume": "1", "details": "0"}, **{"LINKEDIN_EMPTY_PAGE_RETRIES": "0"}
        )
        assert starts(srv.paths()) == [0, 10]
    assert "no saved state for this search" in result.log
    assert len(result.items) == 10 and all("detail_error" not in i["raw"] for i in result.items)


@pytest.mark.parametrize("status", [999, 403])
def test_block_status_stops_cleanly_on_first_page(tmp_path: Path, status: int) -> None:
    body = (FIXTURES / "block_999_js_authwall_redirect.html").read_bytes()
    with MockServer(default=Route(status, body, {"Content-Type": HTML})) as srv:
        result = crawl(srv, tmp_path, f"s{status}", **{"BLOCK_MAX_RETRIES": "1"})
        assert len(srv.paths()) == 2
    assert "Closing spider (blocked)" in result.log
    assert stat(result.log, "linkedin/stopped_at_start") == "0"
    assert result.items == []


# --- incremental runs against a real (SQLite) database -------------------------------------------------------
def test_incremental_run_and_known_ids_with_the_database(tmp_path: Path) -> None:
    """Second run: ``f_TPR`` from the first run's start, and no detail request for stored ids.

    Uses ``location`` only: the run recorder currently masks any argument whose name
    contains "key" (so ``keywords`` is stored as ``***`` and never matches).
    """
    api = (FIXTURES / "job_posting_api_4330361169.html").read_bytes()

    def search(req: Request) -> Route:  # 25 results: pages of 10, 10, 5, then an empty body
        start = int(parse_qs(req.query)["start"][0])
        return Route.text("\n".join(LIS[start : min(start + 10, 25)]))

    def other(req: Request) -> Route:
        return (
            Route(200, api, {"Content-Type": HTML}) if DETAIL.match(req.path) else Route.text("", status=404)
        )

    pipelines = json.dumps({"pipelines.validate.ValidatePipeline": 100, "pipelines.store.StorePipeline": 400})
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.db'}", "STORE_SPOOL_DIR": str(tmp_path / "spool")}
    results = []
    with MockServer({SEARCH: search}, default=other) as srv:
        for name, extra in (("first", {}), ("second", {"incremental": "1"})):
            srv.requests.clear()
            result = run_crawl(
                "linkedin",
                args={"location": "Italy", "base_url": srv.base_url, **extra},
                settings={**settings(tmp_path), "STORE_ENABLED": "1", "ITEM_PIPELINES": pipelines},
                env=env,
                output=tmp_path / f"{name}.jsonl",
            )
            assert result.returncode == 0, result.log[-3000:]
            results.append((result, srv.paths()))
    (first, paths1), (second, paths2) = results
    assert len(first.items) == 25 and sum("/jobPosting/" in p for p in paths1) == 25
    assert "f_TPR" not in paths1[0]
    window = int(stat(second.log, "linkedin/incremental_window"))
    assert 3600 <= window <= 3600 + 120  # seconds since the first run started + the 1 h margin
    assert all(f"f_TPR=r{window}" in p for p in paths2 if p.startswith(SEARCH))
    assert not any("/jobPosting/" in p for p in paths2)  # every id already stored
    assert len(second.items) == 25 and all(i["raw"]["detail_skipped"] is True for i in second.items)
