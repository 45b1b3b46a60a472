"""Hacker News "Ask HN: Who is hiring?" threads through the Algolia HN API: :class:`HnHiringSpider`.

``GET {base_url}/api/v1/items/{story_id}`` (default base ``https://hn.algolia.com``)
returns the story with its whole comment tree; every **top-level** comment is one
posting (replies are discussion).  Without ``-a story_id=`` the newest thread is
found first with ``GET {base_url}/api/v1/search_by_date?tags=story,author_whoishiring``
(the monthly threads are posted by the ``whoishiring`` account; the first hit whose
title says "Who is hiring" is taken; "Who wants to be hired?" / "Freelancer?" threads
are not).

The thread's convention is a first line ``Company | Role | Location | REMOTE | Salary``,
in any order and with any number of parts.  :func:`parse_first_line` reads it:

- the first part → ``company``;
- parts naming a workplace (REMOTE, Onsite, Hybrid, "Remote (US)") → ``workplace_raw``,
  and also ``location_raw`` when they carry a scope ("Remote (EU)", "Remote US");
- parts with an amount and a currency sign/code or "k" ($150k-$200k, €80k, 120-150k
  EUR, "Salary: …", "Equity") → ``salary_raw`` (joined with " | "); the normalizers parse it;
- parts naming an employment type (Full-time, Part-time, Contract, Intern) → ``employment_type_raw``;
- a part that is only a URL → ``company_url``;
- of the rest, the first part that names a role (Engineer, Developer, Designer, Manager,
  Lead, SRE, ...; else simply the first part) → ``title``, the others → ``location_raw``.

Nothing is guessed beyond that split: a comment without ``|`` in its first line gives no
title or company (its text is still the description).  Deleted comments (no text) are
skipped (``jobs/skipped/deleted``).  Identity: ``source_id`` = the comment id; ``url`` =
``https://news.ycombinator.com/item?id={id}``; ``posted_raw`` = ``created_at``;
``description_html`` = the comment HTML; ``raw`` = the comment without ``children``
and ``text``, plus the thread's ``_story_id`` and ``_story_title``.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response
from w3lib.html import remove_tags

from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe
from spiders.base import JobSpider
from spiders.platforms.feeds import http_url

ITEM_URL = "https://news.ycombinator.com/item?id={id}"
_WORKPLACE = re.compile(r"\b(?:remote|on[- ]?site|in[- ]office|hybrid|onsite)\b", re.I)
_BARE_WORKPLACE = re.compile(
    r"^\s*(?:fully\s+|100%\s+)?(?:remote|on[- ]?site|onsite|hybrid|in[- ]office)\s*(?:only|ok|friendly)?\s*$",
    re.I,
)
_SALARY = re.compile(
    r"[$€£¥₹]\s?\d|\d\s?(?:k|K)\b|\b(?:USD|EUR|GBP|CAD|AUD|CHF|SEK|NOK|DKK|PLN|BRL|INR|JPY)\b|\bsalary\b|\bequity\b|\bcomp(?:ensation)?\b",
    re.I,
)
_EMPLOYMENT = re.compile(
    r"^\s*(?:(?:full|part)[- ]?time|contract(?:or)?|freelance|intern(?:ship)?|ft|pt)(?:\s*(?:,|/|&|and)\s*(?:(?:full|part)[- ]?time|contract(?:or)?|freelance|intern(?:ship)?))*\s*$",
    re.I,
)
_ROLE = re.compile(
    r"\b(?:engineers?|developers?|designers?|managers?|scientists?|analysts?|architects?|leads?|head|director|"
    r"sres?|devops|programmers?|founding|researchers?|specialists?|consultants?|administrators?|officer|cto|vp|"
    r"writer|recruiter|marketer|roles?|positions?)\b",
    re.I,
)
_URL_ONLY = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.I)
_FIRST_BREAK = re.compile(r"<p>|<br\s*/?>|\n", re.I)


def first_line(text_html: str | None) -> str:
    """The comment's first line as plain text (HTML tags removed, entities decoded)."""
    if not text_html:
        return ""
    head = _FIRST_BREAK.split(text_html, maxsplit=1)[0]
    return html.unescape(remove_tags(head)).strip()


def parse_first_line(line: str) -> dict[str, Any]:
    """Item fields from ``Company | Role | Location | REMOTE | Salary`` (see the module doc)."""
    parts = [p.strip() for p in line.split("|")]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return {}
    fields: dict[str, Any] = {"company": parts[0]}
    workplace: list[str] = []
    locations: list[str] = []
    salary: list[str] = []
    employment: list[str] = []
    rest: list[str] = []
    company_url = None
    for part in parts[1:]:
        if _URL_ONLY.match(part):
            company_url = company_url or (part if part.lower().startswith("http") else f"https://{part}")
        elif _EMPLOYMENT.match(part):
            employment.append(part)
        elif _WORKPLACE.search(part) and not _SALARY.search(part):
            workplace.append(part)
            if not _BARE_WORKPLACE.match(part):
                locations.append(part)
        elif _SALARY.search(part):
            salary.append(part)
        else:
            rest.append(part)
    if rest:
        roles = [p for p in rest if _ROLE.search(p)]
        title = roles[0] if roles else rest[0]
        fields["title"] = title
        locations = [p for p in rest if p is not title] + locations
    fields.update(
        workplace_raw=dedupe(workplace),
        location_raw=dedupe(locations),
        employment_type_raw=dedupe(employment),
        salary_raw=" | ".join(salary) or None,
        company_url=http_url(company_url),
    )
    return fields


class HnHiringSpider(JobSpider):
    """Base spider for "Who is hiring?" threads (no ``name``: subclass it)."""

    source: ClassVar[str | None] = "hackernews"
    default_base_url: ClassVar[str] = "https://hn.algolia.com"
    #: the account that posts the monthly threads
    hiring_author: ClassVar[str] = "whoishiring"
    hiring_title: ClassVar[re.Pattern[str]] = re.compile(r"who\s+is\s+hiring", re.I)

    def __init__(self, *args: Any, story_id: str | int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        text = str(story_id).strip() if story_id is not None else ""
        if text and not text.isdigit():
            raise ValueError(f"story_id={story_id!r}: expected the numeric id of the HN story")
        self.story_id: str | None = text or None

    def item_url(self, story_id: str) -> str:
        return f"{self.base_url}/api/v1/items/{story_id}"

    def search_url(self) -> str:
        query = urlencode({"tags": f"story,author_{self.hiring_author}", "hitsPerPage": 20})
        return f"{self.base_url}/api/v1/search_by_date?{query}"

    async def start(self) -> AsyncIterator[Any]:
        if self.story_id:
            yield scrapy.Request(
                self.item_url(self.story_id), callback=self.parse_story, errback=self.request_failed
            )
        else:
            yield scrapy.Request(self.search_url(), callback=self.parse_search, errback=self.request_failed)

    def parse_search(self, response: Response) -> Iterator[scrapy.Request]:
        data = self.load_json(response)
        hits = data.get("hits") if isinstance(data, dict) else None
        for hit in hits if isinstance(hits, list) else []:
            title = clean_str(hit.get("title")) if isinstance(hit, dict) else None
            story_id = (
                clean_str(hit.get("objectID") or hit.get("story_id")) if isinstance(hit, dict) else None
            )
            if title and story_id and self.hiring_title.search(title):
                self.logger.info("hackernews: newest hiring thread %s: %s", story_id, title)
                yield scrapy.Request(
                    self.item_url(story_id), callback=self.parse_story, errback=self.request_failed
                )
                return
        if data is not None:
            self.logger.warning("hackernews: no 'Who is hiring' thread found: %s", response.url)
            self.count("parse_error/no_thread")

    def parse_story(self, response: Response) -> Iterator[JobPosting]:
        story = self.load_json(response)
        if story is None:
            return
        children = story.get("children") if isinstance(story, dict) else None
        if not isinstance(children, list):
            self.logger.warning("hackernews: item without comments list: %s", response.url)
            self.count("parse_error/json")
            return
        self.count("listed", len(children))
        for comment in children:
            item = self.comment_item(comment, story)
            if item is not None:
                yield item

    def comment_item(self, comment: Any, story: dict[str, Any]) -> JobPosting | None:
        comment_id = clean_str(comment.get("id")) if isinstance(comment, dict) else None
        if not isinstance(comment, dict) or not comment_id:
            self.logger.warning("hackernews: comment without id skipped")
            self.count("parse_error/job")
            return None
        text = clean_str(comment.get("text"))
        if not text:
            self.count("skipped/deleted")
            return None
        raw = {k: v for k, v in comment.items() if k not in ("children", "text")}
        raw["_story_id"] = story.get("id")
        raw["_story_title"] = story.get("title")
        return self.new_item(
            source_id=comment_id,
            url=ITEM_URL.format(id=comment_id),
            description_html=text,
            posted_raw=clean_str(comment.get("created_at")),
            raw=raw,
            **parse_first_line(first_line(text)),
        )
