"""Guards ``bench/crawl.py`` (the end-to-end benchmark) against rot: the generated site serves
pages the spider parses, and a tiny real run of (a) and (b) fetches and stores every page.
No timing is asserted."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

from bench.crawl import (
    area_of,
    check,
    compare,
    compare_profiles,
    parse_stats,
    read_pyspy,
    site,
    summarize_pyspy,
)
from bench.site import FIRST_ID, Site
from spiders.platforms.linkedin import parse_cards, parse_detail


def test_site_pages_parse_and_differ() -> None:
    s = Site(25)
    first = parse_cards(s.listing(0).decode())
    assert [c.job_id for c in first] == [str(FIRST_ID + i) for i in range(10)]
    assert len(parse_cards(s.listing(20).decode())) == 5
    assert s.listing(30) == b""
    details = [parse_detail(s.detail(c.job_id).decode()) for c in first]  # type: ignore[union-attr]
    for card, detail in zip(first, details, strict=True):
        assert detail.title == card.title and detail.company == card.company
        assert detail.description_html and len(detail.description_html) > 500
    assert len({d.description_html for d in details}) == len(details)
    assert s.detail(str(FIRST_ID + 25)) is None
    assert s.detail(str(FIRST_ID)) == Site(25).detail(str(FIRST_ID))  # deterministic


def test_site_process_serves_with_keep_alive() -> None:
    with site(12) as proc:
        host, port = proc.base_url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            conn.request("GET", "/jobs-guest/jobs/api/seeMoreJobPostings/search?keywords=x&start=10")
            resp = conn.getresponse()
            assert resp.status == 200
            assert len(parse_cards(resp.read().decode())) == 2
            conn.request("GET", f"/jobs-guest/jobs/api/jobPosting/{FIRST_ID + 3}")  # same connection
            resp = conn.getresponse()
            assert resp.status == 200 and parse_detail(resp.read().decode()).title
            conn.request("GET", "/jobs/view/1/")
            resp = conn.getresponse()
            assert resp.status == 404
            resp.read()
        finally:
            conn.close()
        assert proc.stats(reset=True) == {"listing": 1, "detail": 1, "not_found": 1}
        assert proc.stats() == {}


def test_tiny_end_to_end_run() -> None:
    raw, full = compare(45)
    assert check(raw, 45) == [] and check(full, 45) == []
    assert raw.responses == full.responses == 45 + 5
    assert full.stats["jobs/stored"] == 45
    assert raw.stats["bench/details_parsed"] == 45
    assert raw.pages_per_s > 0 and full.pages_per_s > 0 and full.peak_rss_mb > 0


def test_parse_stats_and_profile_summary(tmp_path: Path) -> None:
    log = (
        "2026-01-01 [scrapy.statscollectors] INFO: Dumping Scrapy stats:\n"
        "{'elapsed_time_seconds': 2.5,\n 'finish_time': datetime.datetime(2026, 1, 1, 0, 0, "
        "tzinfo=datetime.timezone.utc),\n 'response_received_count': 10}\n"
        "2026-01-01 [scrapy.core.engine] INFO: Spider closed (finished)\n"
    )
    assert parse_stats(log) == {
        "elapsed_time_seconds": 2.5,
        "finish_time": None,
        "response_received_count": 10,
    }
    raw = tmp_path / "p.txt"
    raw.write_text(
        "process 1;run (scrapy/cmdline.py:1);process_item (pipelines/validate.py:10);sub (re/__init__.py:2) 3\n"
        "process 1;run (scrapy/cmdline.py:1);parse_detail (spiders/linkedin.py:5) 1\n",
        encoding="utf-8",
    )
    summary = summarize_pyspy(raw)
    assert "validate" in summary and "75.0%" in summary
    assert area_of(["a (twisted/x.py:1)", "b (scrapy/y.py:2)"]) == "Scrapy core"
    prof = read_pyspy(raw, rate=200)
    assert prof.total == 4 and prof.areas == {"validate": 3, "spider parsing": 1}
    table = compare_profiles(prof, 2, prof, 2)
    assert "validate" in table and "7.50" in table  # 3 samples at 200 Hz over 2 pages
    assert json.dumps(summary)
