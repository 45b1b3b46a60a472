"""Himalayas (himalayas.app) jobs API: ``scrapy crawl himalayas [-a limit=20] [-a max_pages=N]``.

``GET {base_url}/jobs/api?limit=N&offset=N`` (default base ``https://himalayas.app``),
``{"jobs": [...], "totalCount": ..., "offset": ..., "limit": ...}``.  Pages on with
``offset += limit`` while a page is full and ``offset < totalCount`` (when given),
up to ``max_pages`` pages.

Mapping: ``guid`` (the job page) → ``url``; ``source_id`` = ``{company}/{job}`` from
its path ``/companies/{company}/jobs/{job}`` (else the whole guid);
``applicationLink`` → ``apply_url``; ``title``; ``companyName`` → ``company``;
``employmentType`` → ``employment_type_raw``; ``seniority`` → ``seniority_raw``;
``categories`` + ``parentCategories`` → ``tags``; ``locationRestrictions`` (the
countries candidates may live in; empty = none stated) → ``location_raw``;
``timezoneRestrictions`` stay in ``raw``; ``pubDate``/``expiryDate`` (epoch
seconds) → ``posted_raw``/``valid_through_raw`` (ISO 8601 UTC); ``description``
(HTML) → ``description_html``; ``workplace_raw = ["remote"]`` (remote-only board).
Salary: ``minSalary``/``maxSalary`` + ``currency`` + ``salaryPeriod``
(``annual``/``monthly``/``weekly``/``daily``/``hourly``) → structured salary and
``salary_raw`` (``USD 14 per hour``); no numbers → no salary fields.

Company: ``companyName`` when it is a real name.  A published capture of this API
(our fixture) holds the placeholder values ``"name"``/``"thumbnail_url"`` in
``companyName``/``companyLogo``; such placeholders are not names, so the company is
then read from the description's link to the company's Himalayas page
(``<a href=".../companies/{companySlug}">Alignment Health</a>``), else left empty.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from scrapy.http import Response
from w3lib.html import remove_tags

from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe, salary_unit
from spiders.platforms.feeds import FeedSpider, epoch_iso, http_url, numeric_salary, strings

#: values seen in place of a company name / logo URL in a published capture
PLACEHOLDER_VALUES = frozenset({"name", "companyname", "thumbnail_url", "logo", "null", "undefined"})
_JOB_PATH = re.compile(r"/companies/(?P<company>[^/?#]+)/jobs/(?P<job>[^/?#]+)")


class HimalayasSpider(FeedSpider):
    name = "himalayas"
    default_base_url: ClassVar[str] = "https://himalayas.app"
    page_size: ClassVar[int] = 20

    def __init__(self, *args: Any, limit: str | int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit: int = max(1, int(limit)) if limit else self.page_size

    def page_url(self, offset: int) -> str:
        return f"{self.base_url}/jobs/api?limit={self.limit}&offset={offset}"

    def feed_urls(self) -> list[str]:
        return [self.page_url(0)]

    def entries(self, data: Any) -> list[Any] | None:
        jobs = data.get("jobs") if isinstance(data, dict) else None
        return jobs if isinstance(jobs, list) else None

    def next_page(self, response: Response, data: Any, page: int) -> str | None:
        jobs = data.get("jobs") or []
        offset = data.get("offset")
        offset = offset if isinstance(offset, int) else (page - 1) * self.limit
        following = offset + len(jobs)
        total = data.get("totalCount")
        if len(jobs) < self.limit or (isinstance(total, int) and following >= total):
            return None
        return self.page_url(following)

    def entry_item(self, entry: Any, response: Response) -> JobPosting | None:
        guid = http_url(entry.get("guid")) if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not guid:
            self.logger.warning("himalayas: job without guid skipped: %s", response.url)
            self.count("parse_error/job")
            return None
        path = _JOB_PATH.search(urlsplit(guid).path)
        description = clean_str(entry.get("description"))
        period = salary_unit(entry.get("salaryPeriod"))
        return self.new_item(
            source_id=f"{path['company']}/{path['job']}" if path else guid,
            url=guid,
            apply_url=http_url(entry.get("applicationLink")),
            title=clean_str(entry.get("title")),
            company=self.company_name(entry, description),
            description_html=description,
            location_raw=strings(entry.get("locationRestrictions")),
            workplace_raw=["remote"],
            employment_type_raw=strings(entry.get("employmentType")),
            seniority_raw=strings(entry.get("seniority")),
            posted_raw=epoch_iso(entry.get("pubDate")),
            valid_through_raw=epoch_iso(entry.get("expiryDate")),
            tags=dedupe([*strings(entry.get("categories")), *strings(entry.get("parentCategories"))]),
            raw={k: v for k, v in entry.items() if k != "description"},
            **numeric_salary(entry.get("minSalary"), entry.get("maxSalary"), entry.get("currency"), period),
        )

    @staticmethod
    def company_name(entry: dict[str, Any], description: str | None) -> str | None:
        company = entry.get("company")
        for value in (entry.get("companyName"), company.get("name") if isinstance(company, dict) else None):
            name = clean_str(value)
            if name and name.lower() not in PLACEHOLDER_VALUES:
                return name
        slug = clean_str(entry.get("companySlug"))
        if slug and description:
            link = re.search(
                rf"<a\s[^>]*href=\"[^\"]*/companies/{re.escape(slug)}/?\"[^>]*>(.*?)</a>", description, re.S
            )
            if link:
                return clean_str(remove_tags(link.group(1)))
        return None
