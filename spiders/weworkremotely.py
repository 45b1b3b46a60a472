"""We Work Remotely (weworkremotely.com) RSS feeds: ``scrapy crawl weworkremotely [-a categories=...]``.

One RSS 2.0 feed per category, ``GET {base_url}/categories/{category}.rss``
(default base ``https://weworkremotely.com``); ``-a categories=slug,slug`` chooses
them (default: :data:`DEFAULT_CATEGORIES`, the programming ones).  A job listed in
two categories is yielded once.  The feed is parsed with lxml (``recover=True``):
a broken feed is a warning and ``jobs/parse_error/xml``, and the items before the
damage are still read.

Mapping of an ``<item>``:

- ``<title>`` "Company: Role" → ``company`` and ``title`` (split at the first
  ": "; a title without one is all ``title``, no company);
- ``<link>`` (else ``<guid>``) → ``url``; ``source_id`` = the job slug, the last
  path segment (``jetbrains-backend-customer-success-engineer-kotlin-ecosystem``);
- the description's "To apply:" link → ``apply_url`` (else ``url``);
- ``<region>`` ("Anywhere in the World", "USA Only", ...) and ``<country>`` (a
  flag-prefixed list of countries, split into one string per country) →
  ``location_raw``, for the normalizers' remote scope; ``workplace_raw = ["remote"]``;
- ``<type>`` ("Full-Time", "Contract") → ``employment_type_raw``;
- ``<category>`` and ``<skills>`` ("Java and Back-End Dev", "A, B, and C") → ``tags``;
- ``<pubDate>`` / ``<expires_at>`` (RFC 822) → ``posted_raw`` / ``valid_through_raw`` as ISO 8601;
- ``<description>`` (entity-escaped HTML) → ``description_html``; the pay text inside it is
  left to the normalizers; its "URL:" line → ``company_url``;
- ``raw``: every child element's text (``media:content`` → its ``url``), the
  "Headquarters:" line of the description as ``raw["headquarters"]`` (it is the
  company's seat for some posts and the job's location for others, so it is not
  put in ``location_raw``), ``<state>`` likewise, and ``raw["_feed"]`` (the category).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from lxml import etree
from scrapy.http import Response

from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe, unescape_html_once
from spiders.base import split_arg
from spiders.platforms.feeds import FeedSpider, http_url, rfc822_iso

DEFAULT_CATEGORIES = (
    "remote-back-end-programming-jobs",
    "remote-front-end-programming-jobs",
    "remote-full-stack-programming-jobs",
    "remote-devops-sysadmin-jobs",
)
MEDIA_NS = "http://search.yahoo.com/mrss"
#: a flag emoji (two regional indicator symbols) starts each country of ``<country>``
_FLAG = re.compile("[\U0001f1e6-\U0001f1ff]{2}")
_HEADQUARTERS = re.compile(r"<strong>\s*Headquarters:\s*</strong>\s*([^<]*)", re.I)
_COMPANY_URL = re.compile(r"<strong>\s*URL:\s*</strong>\s*<a\s[^>]*href=\"([^\"]+)\"", re.I)
_APPLY = re.compile(r"<strong>\s*To apply:\s*</strong>\s*<a\s[^>]*href=\"([^\"]+)\"", re.I)
#: stray emoji variation selectors / joiners left at the edges of a title ("MapTiler:  ️ Location ...")
_EDGE_JUNK = " \t\r\n\u00a0\ufe0f\ufe0e\u200d"


def split_company_title(text: str | None) -> tuple[str | None, str | None]:
    """``"Company: Role"`` → ``("Company", "Role")``; no ": " → ``(None, text)``."""
    if not text:
        return None, None
    company, sep, role = text.partition(": ")
    if not sep or not company.strip() or not role.strip(_EDGE_JUNK):
        return None, text.strip(_EDGE_JUNK) or None
    return company.strip(_EDGE_JUNK), role.strip(_EDGE_JUNK)


def split_countries(text: str | None) -> list[str]:
    """``"🇦🇩 Andorra, 🇦🇱 Albania, and 🇺🇦 Ukraine"`` → ``["Andorra", "Albania", "Ukraine"]``.

    Countries are split at their flags (names like "United Kingdom of Great Britain
    and Northern Ireland" hold commas/"and" of their own); text without flags is one entry.
    """
    if not text or not text.strip():
        return []
    parts = _FLAG.split(text) if _FLAG.search(text) else [text]
    out = []
    for part in parts:
        name = re.sub(r"(?:,\s*|\s+)(?:and|&)?\s*$", "", part.strip()).strip(" ,")
        if name:
            out.append(name)
    return dedupe(out)


def split_skills(text: str | None) -> list[str]:
    """``"Java and Back-End Dev"`` → 2 skills; ``"A, B and C, and D"`` → split at commas, final "and" dropped."""
    if not text or not text.strip():
        return []
    if "," in text:
        parts = [re.sub(r"^and\s+", "", p.strip()) for p in text.split(",")]
    else:
        parts = text.rsplit(" and ", 1)
    return dedupe(parts)


def child_text(item: etree._Element, tag: str) -> str | None:
    element = item.find(tag)
    return clean_str(element.text) if element is not None else None


class WeWorkRemotelySpider(FeedSpider):
    name = "weworkremotely"
    feed_format: ClassVar[str] = "xml"
    default_base_url: ClassVar[str] = "https://weworkremotely.com"
    default_categories: ClassVar[tuple[str, ...]] = DEFAULT_CATEGORIES

    def __init__(self, *args: Any, categories: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories: list[str] = split_arg(categories) or list(self.default_categories)

    def feed_urls(self) -> list[str]:
        return [
            f"{self.base_url}/categories/{quote(c.removesuffix('.rss'), safe='')}.rss"
            for c in self.categories
        ]

    def entries(self, data: Any) -> list[Any] | None:
        if not isinstance(data, etree._Element) or etree.QName(data).localname not in ("rss", "channel"):
            return None
        return list(data.iter("item"))

    def entry_item(self, entry: Any, response: Response) -> JobPosting | None:
        link = http_url(child_text(entry, "link")) or http_url(child_text(entry, "guid"))
        slug = urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1] if link else None
        if not link or not slug:
            self.logger.warning("weworkremotely: item without a job link skipped: %s", response.url)
            self.count("parse_error/job")
            return None
        raw = self.raw_fields(entry)
        raw["_feed"] = urlsplit(response.url).path.rsplit("/", 1)[-1].removesuffix(".rss")
        company, title = split_company_title(raw.get("title"))
        description = unescape_html_once(raw.pop("description", None))
        headquarters = _HEADQUARTERS.search(description or "")
        raw["headquarters"] = clean_str(headquarters.group(1)) if headquarters else None
        company_url = _COMPANY_URL.search(description or "")
        apply = _APPLY.search(description or "")
        return self.new_item(
            source_id=slug,
            url=link,
            apply_url=http_url(apply.group(1)) if apply else link,
            title=title,
            company=company,
            company_url=http_url(company_url.group(1)) if company_url else None,
            description_html=description,
            location_raw=dedupe([raw.get("region"), *split_countries(raw.get("country"))]),
            workplace_raw=["remote"],
            employment_type_raw=dedupe([raw.get("type")]),
            posted_raw=rfc822_iso(raw.get("pubDate")),
            valid_through_raw=rfc822_iso(raw.get("expires_at")),
            tags=dedupe([raw.get("category"), *split_skills(raw.get("skills"))]),
            raw=raw,
        )

    @staticmethod
    def raw_fields(entry: etree._Element) -> dict[str, Any]:
        """Every child element of the item: text (``None`` when empty); ``media:content`` → its url."""
        raw: dict[str, Any] = {}
        for child in entry:
            if not isinstance(child.tag, str):
                continue  # comments, processing instructions
            qname = etree.QName(child)
            if qname.namespace == MEDIA_NS:
                raw[f"media:{qname.localname}"] = child.get("url")
            elif qname.localname not in raw:
                raw[qname.localname] = clean_str(child.text)
        return raw
