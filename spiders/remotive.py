"""Remotive (remotive.com): ``scrapy crawl remotive [-a category=software-dev] [-a search=python]``.

One request, ``GET {base_url}/api/remote-jobs`` (default ``https://remotive.com``),
with ``?category=`` (a Remotive category slug: ``software-dev``, ``data``,
``devops``, ...) and/or ``?search=`` when given.  The response is
``{"jobs": [...]}`` (plus a legal notice and a count, ignored).  Remotive asks API
users to call it sparingly (a few times a day) and to link back: one request per run.

Mapping: ``id`` → ``source_id``; ``url`` → ``url`` (Remotive's page; the API gives
no separate apply link, so ``apply_url`` stays empty); ``title``; ``company_name``
→ ``company``; ``category`` + ``tags`` → ``tags``; ``job_type`` (``full_time``,
``part_time``, ``contract``, ...) → ``employment_type_raw``; ``publication_date`` →
``posted_raw``; ``candidate_required_location`` ("Worldwide", "USA", "LATAM", ...)
→ ``location_raw`` (the normalizers turn it into ``remote_regions``);
``salary`` (free text: "$31,2k- $52k", "Pay per task") → ``salary_raw`` only;
``description`` (HTML) → ``description_html``; ``workplace_raw = ["remote"]``.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlencode

from scrapy.http import Response

from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe
from spiders.platforms.feeds import FeedSpider, http_url, strings


class RemotiveSpider(FeedSpider):
    name = "remotive"
    default_base_url: ClassVar[str] = "https://remotive.com"

    def __init__(
        self, *args: Any, category: str | None = None, search: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.category = clean_str(category)
        self.search = clean_str(search)

    def feed_urls(self) -> list[str]:
        params = {k: v for k, v in (("category", self.category), ("search", self.search)) if v}
        query = f"?{urlencode(params)}" if params else ""
        return [f"{self.base_url}/api/remote-jobs{query}"]

    def entries(self, data: Any) -> list[Any] | None:
        jobs = data.get("jobs") if isinstance(data, dict) else None
        return jobs if isinstance(jobs, list) else None

    def entry_item(self, entry: Any, response: Response) -> JobPosting | None:
        source_id = clean_str(entry.get("id")) if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not source_id:
            self.logger.warning("remotive: job without id skipped: %s", response.url)
            self.count("parse_error/job")
            return None
        location = clean_str(entry.get("candidate_required_location"))
        return self.new_item(
            source_id=source_id,
            url=http_url(entry.get("url")),
            title=clean_str(entry.get("title")),
            company=clean_str(entry.get("company_name")),
            description_html=clean_str(entry.get("description")),
            location_raw=[location] if location else [],
            workplace_raw=["remote"],
            employment_type_raw=strings(entry.get("job_type")),
            posted_raw=clean_str(entry.get("publication_date")),
            tags=dedupe([clean_str(entry.get("category")), *strings(entry.get("tags"))]),
            salary_raw=clean_str(entry.get("salary")),
            raw={k: v for k, v in entry.items() if k != "description"},
        )
