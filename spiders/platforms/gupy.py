"""Gupy public job portal API (``portal.api.gupy.io``): keyword searches across every Gupy company.

Gupy is an ATS widely used by Brazilian employers; its public portal
(portal.gupy.io) searches every company's published jobs through
``{base_url}/api/v1/jobs?jobName={keyword}&offset=N&limit=N``.  A source is a
set of keywords, not a company list::

    class GupyDataSpider(GupySpider):
        name = "gupy_dados"
        default_keywords = ("engenheiro de dados", "cientista de dados")

Each keyword is one search, paged on with ``offset += len(data)`` while
``offset < pagination.total``.  A page that only repeats postings already seen
in the same search stops it (logged, ``jobs/pagination_repeat``).  A posting
found by several searches is yielded once per run (the others are counted as
``jobs/duplicate_search_hit``).

Arguments (``-a``):

- ``keywords=python,dados`` — one search per keyword (default: the class's
  ``default_keywords``).
- ``remote=1`` — only remote jobs (adds ``isRemoteWork=true`` to each search).
- ``page_size=N`` — ``limit`` per request (default 60, the portal's own page size in
  the recorded response; larger values are untested against the live API).
- ``base_url=`` — another API host (tests, mirror); also the settings
  ``{NAME}_BASE_URL`` and ``GUPY_BASE_URL``.

Identity: ``source`` = ``gupy``; ``source_id`` = ``str(id)`` (Gupy job ids are
global).  ``companyId`` and the search keyword stay in ``raw`` (``raw["_keyword"]``
is the first search that found it).

Mapping: ``name`` (stripped: titles come with trailing spaces) → ``title``;
``careerPageName`` → ``company``; the ``careerPageUrl`` host
(``https://{company}.gupy.io``, without the base64 tracking path) →
``company_url``; ``jobUrl`` without its ``jobBoardSource`` tracking parameter →
``url`` and ``apply_url`` (candidates apply on the job page); ``description``
(plain text with HTML entities, no tags) → ``description_text`` (or
``description_html`` if a job ever carries tags); ``type`` (``vacancy_type_effective``
= CLT, ``vacancy_legal_entity`` = PJ, ``vacancy_type_temporary``,
``vacancy_type_associate``, ``vacancy_type_internship``, ``vacancy_type_apprentice``,
… as given; the normalizer maps them) → ``employment_type_raw``; ``workplaceType``
(``remote``/``hybrid``/``on-site``), else ``"remote"`` for ``isRemoteWork: true``,
→ ``workplace_raw``; non-empty ``city``, ``state``, ``country`` → ``location_raw``
("Campinas, São Paulo, Brasil"); ``publishedDate`` → ``posted_raw``;
``applicationDeadline`` → ``valid_through_raw``; ``skills`` → ``tags``.
``badges`` (``friendlyBadge``, ``isPWD``) and ``disabilities`` stay in ``raw``.
The portal gives no salary.

Errors: a body that is not JSON, or JSON without a ``data`` list, is a warning
and ``jobs/parse_error/json`` and ends that search; the other searches go on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.http import Response
from w3lib.url import url_query_cleaner

from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe, split_description
from spiders.base import JobSpider, split_arg, truthy

#: tracking parameters removed from ``jobUrl``
TRACKING_PARAMS = ("jobBoardSource",)


def clean_job_url(url: Any) -> str | None:
    """``jobUrl`` without the ``jobBoardSource`` tracking parameter."""
    text = clean_str(url)
    if not text:
        return None
    return url_query_cleaner(text, TRACKING_PARAMS, remove=True)


def career_page_origin(url: Any) -> str | None:
    """``https://stefanini.gupy.io/eyJzb3Vy…`` → ``https://stefanini.gupy.io``."""
    text = clean_str(url)
    parts = urlsplit(text) if text else None
    if parts is None or not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def location_string(job: dict[str, Any]) -> str | None:
    parts = (clean_str(job.get(key)) for key in ("city", "state", "country"))
    return ", ".join(p for p in parts if p) or None


def workplace_values(job: dict[str, Any]) -> list[str]:
    workplace = clean_str(job.get("workplaceType"))
    if workplace:
        return [workplace]
    return ["remote"] if job.get("isRemoteWork") is True else []


def skill_names(skills: Any) -> list[str]:
    values = skills if isinstance(skills, list) else []
    return dedupe(clean_str(s.get("name")) if isinstance(s, dict) else clean_str(s) for s in values)


class GupySpider(JobSpider):
    """Gupy portal keyword searches (subclass it with a ``name`` and ``default_keywords``)."""

    source: ClassVar[str | None] = "gupy"
    default_base_url: ClassVar[str] = "https://portal.api.gupy.io"
    platform_setting: ClassVar[str] = "GUPY_BASE_URL"
    default_keywords: ClassVar[Sequence[str]] = ()
    #: the page size of the recorded portal response (``pagination.limit`` 60)
    page_size: ClassVar[int] = 60

    def __init__(
        self,
        *args: Any,
        keywords: str | None = None,
        remote: str | None = None,
        page_size: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.keywords: list[str] = dedupe(split_arg(keywords) or list(self.default_keywords))
        self.remote_only: bool = truthy(remote)
        self.limit: int = max(1, int(page_size)) if page_size else self.page_size
        #: ids yielded in this run, across searches
        self.yielded: set[str] = set()

    def search_url(self, keyword: str, offset: int) -> str:
        params: dict[str, Any] = {"jobName": keyword, "offset": offset, "limit": self.limit}
        if self.remote_only:
            params["isRemoteWork"] = "true"
        return f"{self.base_url}/api/v1/jobs?{urlencode(params)}"

    def page_request(self, keyword: str, offset: int, seen: set[str]) -> scrapy.Request:
        return scrapy.Request(
            self.search_url(keyword, offset),
            callback=self.parse_search,
            errback=self.request_failed,
            cb_kwargs={"keyword": keyword, "offset": offset, "seen": seen},
        )

    async def start(self) -> AsyncIterator[Any]:
        if not self.keywords:
            self.logger.error("no Gupy keywords: pass -a keywords=python,dados")
        for keyword in self.keywords:
            yield self.page_request(keyword, 0, set())

    def parse_search(
        self, response: Response, keyword: str, offset: int, seen: set[str]
    ) -> Iterator[JobPosting | scrapy.Request]:
        what = f"Gupy search {keyword!r} at offset {offset}"
        data = self.load_json(response, what)
        if data is None:
            return
        jobs = data.get("data") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(jobs, list):
            self.logger.warning("%s: no 'data' list in the response: %s", what, response.url)
            self.count("parse_error/json")
            return
        pagination = data.get("pagination")
        total = pagination.get("total") if isinstance(pagination, dict) else None
        if offset == 0:
            self.logger.info("Gupy search %r: %s jobs", keyword, total if total is not None else "?")
        self.count("listed", len(jobs))
        new = 0
        for job in jobs:
            item = self.job_item(job, keyword)
            if item is None or item.source_id in seen:
                continue
            source_id = str(item.source_id)
            seen.add(source_id)
            new += 1
            if source_id in self.yielded:
                self.count("duplicate_search_hit")
                continue
            self.yielded.add(source_id)
            yield item
        next_offset = offset + len(jobs)
        if jobs and isinstance(total, int) and not isinstance(total, bool) and next_offset < total:
            if new:
                yield self.page_request(keyword, next_offset, seen)
            else:
                self.logger.warning("%s repeats earlier postings, stopping", what)
                self.count("pagination_repeat")

    def job_item(self, job: Any, keyword: str) -> JobPosting | None:
        """One search result → item; ``None`` (logged, counted) when it has no id."""
        source_id = clean_str(job.get("id")) if isinstance(job, dict) else None
        if not isinstance(job, dict) or not source_id:
            self.logger.warning("Gupy search %r: job without id skipped", keyword)
            self.count("parse_error/job")
            return None
        url = clean_job_url(job.get("jobUrl"))
        body_html, body_text = split_description(job.get("description"))
        raw = {k: v for k, v in job.items() if k != "description"}
        raw["_keyword"] = keyword
        return self.new_item(
            source_id=source_id,
            url=url,
            apply_url=url,
            title=clean_str(job.get("name")),
            company=clean_str(job.get("careerPageName")),
            company_url=career_page_origin(job.get("careerPageUrl")),
            description_html=body_html,
            description_text=body_text,
            location_raw=dedupe([location_string(job)]),
            workplace_raw=workplace_values(job),
            employment_type_raw=dedupe([clean_str(job.get("type"))]),
            posted_raw=clean_str(job.get("publishedDate")),
            valid_through_raw=clean_str(job.get("applicationDeadline")),
            tags=skill_names(job.get("skills")),
            raw=raw,
        )
