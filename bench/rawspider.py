"""Baseline (a) of ``bench/crawl.py``: plain Scrapy, a spider that parses the pages and discards.

Also the settings module of that run (``SCRAPY_SETTINGS_MODULE=bench.rawspider``): Scrapy's
defaults, none of the project's pipelines, extensions, add-ons or middlewares.  The bench
passes the same politeness settings (``-s``) to this run and to the real crawl (b)::

    SCRAPY_SETTINGS_MODULE=bench.rawspider .venv/bin/python -m scrapy crawl bench_raw \\
        -a base_url=http://127.0.0.1:PORT -a max_results=5000 -s DOWNLOAD_DELAY=0 ...

It fetches the same pages as ``scrapy crawl linkedin -a keywords=... -a max_results=N``: the
search fragments ``start=0, 10, ...`` (same query string) until ``max_results`` cards, and the
``jobPosting/{id}`` detail of every card.  On each page it does the parsing an idiomatic Scrapy
spider would do for the same fields (cards: id, link, title, company, location, date, benefits;
detail: title, company, location, posted, applicants, salary, description HTML, criteria,
apply URL, JSON-LD), then drops the result.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

# --- settings of the baseline run (this module is its SCRAPY_SETTINGS_MODULE) ----------------------
BOT_NAME = "bench_raw"
SPIDER_MODULES = ["bench.rawspider"]
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

SEARCH_PATH = "/jobs-guest/jobs/api/seeMoreJobPostings/search"
DETAIL_PATH = "/jobs-guest/jobs/api/jobPosting/{id}"


def _clean(value: str | None) -> str | None:
    return " ".join(value.split()) if value else None


class RawLinkedInSpider(scrapy.Spider):
    name = "bench_raw"

    def __init__(
        self, base_url: str, max_results: str, keywords: str = "python developer", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.max_results = int(max_results)
        self.keywords = keywords
        self.parsed = 0

    def search_request(self, start: int) -> scrapy.Request:
        query = urlencode({"keywords": self.keywords, "sortBy": "DD", "start": str(start)})
        return scrapy.Request(
            f"{self.base_url}{SEARCH_PATH}?{query}", callback=self.parse_search, cb_kwargs={"start": start}
        )

    async def start(self) -> AsyncIterator[Any]:
        yield self.search_request(0)

    def parse_search(self, response: Response, start: int) -> Iterator[scrapy.Request]:
        cards = response.css(".job-search-card")[: max(0, self.max_results - start)]
        for node in cards:
            urn = node.attrib.get("data-entity-urn", "")
            job_id = urn.rsplit(":", 1)[-1]
            card = {
                "job_id": job_id,
                "url": (node.css("a.base-card__full-link::attr(href)").get() or "").split("?", 1)[0],
                "title": _clean(" ".join(node.css(".base-search-card__title ::text").getall())),
                "company": _clean(" ".join(node.css(".base-search-card__subtitle ::text").getall())),
                "company_url": node.css(".base-search-card__subtitle a::attr(href)").get(),
                "location": _clean(node.css(".job-search-card__location::text").get()),
                "listdate": node.css("time::attr(datetime)").get(),
                "benefits": [_clean(t) for t in node.css(".job-posting-benefits__text::text").getall()],
            }
            yield scrapy.Request(
                self.base_url + DETAIL_PATH.format(id=job_id),
                callback=self.parse_detail,
                cb_kwargs={"card": card},
                priority=1,
            )
        if cards and start + len(cards) < self.max_results:
            yield self.search_request(start + len(cards))

    def parse_detail(self, response: Response, card: dict[str, Any]) -> None:
        criteria = {
            _clean(item.css(".description__job-criteria-subheader::text").get()): _clean(
                item.css(".description__job-criteria-text::text").get()
            )
            for item in response.css("li.description__job-criteria-item")
        }
        jsonld = []
        for script in response.xpath("//script[@type='application/ld+json']/text()").getall():
            try:
                jsonld.append(json.loads(script))
            except ValueError:
                pass
        markup = response.css(".show-more-less-html__markup")[:1]
        detail = {
            "job_id": response.css("code#decoratedJobPostingId").xpath("comment()").get(),
            "title": _clean(" ".join(response.css(".top-card-layout__title ::text").getall())),
            "company": _clean(" ".join(response.css("a.topcard__org-name-link ::text").getall())),
            "company_url": response.css("a.topcard__org-name-link::attr(href)").get(),
            "location": _clean(response.css("span.topcard__flavor--bullet::text").get()),
            "posted": _clean(response.css(".posted-time-ago__text::text").get()),
            "applicants": _clean(response.css(".num-applicants__caption::text").get()),
            "salary": _clean(" ".join(response.css(".compensation__salary ::text").getall())),
            "description_html": "".join(markup.xpath("node()").getall()).strip(),
            "criteria": criteria,
            "apply_url": response.css("code#applyUrl").xpath("comment()").get(),
            "jsonld": jsonld,
        }
        if detail["title"] or detail["description_html"]:
            self.parsed += 1  # and discard
        del card

    def closed(self, reason: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.set_value("bench/details_parsed", self.parsed)
