"""Per-page and per-item DEBUG lines are only built when DEBUG is logged."""

from __future__ import annotations

from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.items import JobPosting
from crawler.logformatter import JobLogFormatter


def formatter(level: str) -> JobLogFormatter:
    return JobLogFormatter.from_crawler(get_crawler(settings_dict={"LOG_LEVEL": level}))


def test_crawled_and_scraped_lines_only_at_debug() -> None:
    spider = Spider.from_crawler(get_crawler(Spider), name="t")
    request = Request("http://127.0.0.1/jobs/1")
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    item = JobPosting(source="t", source_id="1", url=request.url, title="Engineer")
    for level in ("INFO", "WARNING", "ERROR"):
        quiet = formatter(level)
        assert quiet.crawled(request, response, spider) is None
        assert quiet.scraped(item, response, spider) is None
    loud = formatter("DEBUG")
    crawled = loud.crawled(request, response, spider)
    scraped = loud.scraped(item, response, spider)
    assert crawled is not None and crawled["msg"].startswith("Crawled")
    assert scraped is not None and scraped["msg"].startswith("Scraped")
    # what is logged at any level is unchanged: a dropped item names only source:id
    dropped = formatter("INFO").dropped(item, ValueError("missing_title"), response, spider)
    assert dropped["args"]["item"] == "t:1"
