"""Remote OK (remoteok.com): ``scrapy crawl remoteok``.

One request, ``GET {base_url}/api`` (default ``https://remoteok.com``): a JSON list
whose first element is a legal notice (``last_updated``, ``legal``), not a job; it
is recognised by its shape (no ``id``, a ``legal`` key), not by its position, and
skipped (``jobs/skipped/notice``).  Remote OK's terms ask every API user to link
back to Remote OK as the source (``url`` is kept for that).

Mapping: ``id`` → ``source_id``; ``url`` → ``url`` and ``apply_url`` → ``apply_url``
(host lower-cased: the API writes ``remoteOK.com``); ``position`` → ``title``;
``company``; ``tags``; ``location`` (free text, ``""`` = none) → ``location_raw``;
``date`` (else ``epoch``) → ``posted_raw``; ``description`` (HTML) →
``description_html``; ``workplace_raw = ["remote"]`` (the whole board is remote).
``salary_min``/``salary_max``: 0 means unknown; other values are what Remote OK
documents them to be, USD per year, so they become ``salary_min``/``salary_max``,
``USD``, ``YEAR`` and a ``salary_raw`` such as ``USD 180,000–210,000 per year``
(a poster who typed an hourly figure gives e.g. 30–30: the normalizer's
plausibility check, not the spider, decides about those).

The API's text is UTF-8 that was decoded as Latin-1 somewhere upstream
(``\\u00e2\\u0080\\u0099`` for ``’``, ``ZÃ³calo`` for ``Zócalo``): title, company,
location, tags and description are repaired with ``ftfy.fix_encoding``; ``raw``
keeps the source object as found (without the description).
"""

from __future__ import annotations

from typing import Any, ClassVar

from scrapy.http import Response

from crawler.items import JobPosting
from crawler.structured import clean_str
from spiders.platforms.feeds import FeedSpider, epoch_iso, fix_text, lower_host, numeric_salary, strings


class RemoteOkSpider(FeedSpider):
    name = "remoteok"
    default_base_url: ClassVar[str] = "https://remoteok.com"

    def feed_urls(self) -> list[str]:
        return [f"{self.base_url}/api"]

    def entries(self, data: Any) -> list[Any] | None:
        return data if isinstance(data, list) else None

    def entry_item(self, entry: Any, response: Response) -> JobPosting | None:
        if not isinstance(entry, dict):
            self.logger.warning("remoteok: entry that is not an object skipped: %r", entry)
            self.count("parse_error/job")
            return None
        source_id = clean_str(entry.get("id"))
        if not source_id:
            if "legal" in entry or "last_updated" in entry:
                self.count("skipped/notice")  # the API's legal notice
            else:
                self.logger.warning("remoteok: entry without id skipped: %s", sorted(entry)[:10])
                self.count("parse_error/job")
            return None
        location = fix_text(entry.get("location"))
        return self.new_item(
            source_id=source_id,
            url=lower_host(clean_str(entry.get("url"))),
            apply_url=lower_host(clean_str(entry.get("apply_url"))),
            title=fix_text(entry.get("position")),
            company=fix_text(entry.get("company")),
            description_html=fix_text(entry.get("description")),
            location_raw=[location] if location else [],
            workplace_raw=["remote"],
            posted_raw=clean_str(entry.get("date")) or epoch_iso(entry.get("epoch")),
            tags=strings(entry.get("tags"), fix=True),
            raw={k: v for k, v in entry.items() if k != "description"},
            **numeric_salary(entry.get("salary_min"), entry.get("salary_max"), "USD", "YEAR"),
        )
