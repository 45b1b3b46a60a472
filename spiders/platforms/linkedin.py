"""LinkedIn guest ("logged-out") job pages: search arguments, card and detail parsing.

Pure functions over HTML (``parsel``), no Scrapy engine: tested on the recorded
pages in ``tests/fixtures/linkedin``.  The spider lives in ``spiders/linkedin.py``.

Pages
    * search fragment ``/jobs-guest/jobs/api/seeMoreJobPostings/search?...&start=N``:
      a bare list of ``<li>`` cards (about 10 per call), an empty body at the end.
      The full search page ``/jobs/search`` carries the same cards.
    * detail fragment ``/jobs-guest/jobs/api/jobPosting/{id}`` and the full page
      ``/jobs/view/{id}`` (which may also carry a JSON-LD ``JobPosting``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from parsel import Selector, SelectorList

from crawler.items import EMPLOYMENT_TYPES
from crawler.structured import (
    find_typed,
    loads_json,
    loads_jsonld,
    location_strings,
    organization_name,
    organization_url,
)

CANONICAL_HOST = "https://www.linkedin.com"
SEARCH_PATH = "/jobs-guest/jobs/api/seeMoreJobPostings/search"
DETAIL_API_PATH = "/jobs-guest/jobs/api/jobPosting/{id}"
DETAIL_VIEW_PATH = "/jobs/view/{id}/"
#: LinkedIn answers at most about 1,000 results per search
MAX_RESULTS = 1000

#: body markers of LinkedIn block pages (authwall page, the HTTP 999 JavaScript redirect)
BLOCK_BODY_PATTERNS = [r"urn:li:page:auth_wall", r"/authwall\?"]
BLOCK_URL_PATTERNS = [r"^/authwall", r"^/login", r"^/checkpoint", r"^/uas/login"]

_JOB_URN = re.compile(r"urn:li:jobPosting:(\d+)")
_JOB_LINK = re.compile(r"/jobs/view/(?:[^/?#]*?-)?(\d{5,})(?:[/?#]|$)")
_WS = re.compile(r"\s+")


# --- search arguments -----------------------------------------------------------------------
WORKPLACES = {"onsite": "1", "remote": "2", "hybrid": "3"}
JOB_TYPES = {
    "full_time": "F",
    "part_time": "P",
    "contract": "C",
    "temporary": "T",
    "internship": "I",
    "volunteer": "V",
    "other": "O",
}
EXPERIENCE_LEVELS = {
    "internship": "1",
    "entry": "2",
    "associate": "3",
    "mid_senior": "4",
    "director": "5",
    "executive": "6",
}
_ALIASES = {
    "on_site": "onsite",
    "fulltime": "full_time",
    "parttime": "part_time",
    "contractor": "contract",
    "temp": "temporary",
    "intern": "internship",
    "entry_level": "entry",
    "midsenior": "mid_senior",
    "mid": "mid_senior",
    "senior": "mid_senior",
}
_UNITS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "d": 86400,
    "day": 86400,
    "w": 604800,
    "week": 604800,
    "mo": 2592000,
    "month": 2592000,
}


def _key(value: str) -> str:
    return value.strip().lower().replace("-", "_").replace(" ", "_")


def parse_choice(arg: str, value: str | None, choices: dict[str, str]) -> list[str]:
    """``"remote,hybrid"`` -> ``["2", "3"]``; codes (``"2"``, ``"F"``) accepted too; ValueError otherwise."""
    if value is None or not value.strip():
        return []
    codes: list[str] = []
    by_code = {code.lower(): code for code in choices.values()}
    for part in value.split(","):
        if not part.strip():
            continue
        key = _key(part)
        key = _ALIASES.get(key, key)
        code = choices.get(key) or by_code.get(key)
        if code is None:
            names = ", ".join(choices)
            letters = ", ".join(choices.values())
            raise ValueError(f"-a {arg}={value!r}: {part.strip()!r} is not one of {names} (or {letters})")
        if code not in codes:
            codes.append(code)
    return codes


def parse_posted_within(value: str | None) -> int | None:
    """``"24h"``, ``"7d"``, ``"30d"``, ``"2w"``, ``"3600"`` (seconds) or ``"r86400"`` -> seconds."""
    if value is None or not value.strip():
        return None
    text = value.strip().lower()
    named = {"past_24h": 86400, "day": 86400, "past_week": 604800, "week": 604800, "past_month": 2592000}
    if text in named:
        return named[text]
    m = re.fullmatch(r"r?(\d+)\s*([a-z]*)", text)
    if m and (m.group(2) in _UNITS or m.group(2) == ""):
        seconds = int(m.group(1)) * _UNITS.get(m.group(2), 1)
        if seconds > 0:
            return seconds
    raise ValueError(f"-a posted_within={value!r}: expected a duration such as 24h, 7d, 30d, 2w or seconds")


@dataclass
class SearchQuery:
    keywords: str | None = None
    location: str | None = None
    geo_id: str | None = None
    posted_within: int | None = None  # seconds -> f_TPR=r<seconds>
    workplace: list[str] = field(default_factory=list)  # f_WT codes
    job_type: list[str] = field(default_factory=list)  # f_JT codes
    experience: list[str] = field(default_factory=list)  # f_E codes

    @classmethod
    def from_args(
        cls,
        keywords: str | None = None,
        location: str | None = None,
        geo_id: str | None = None,
        posted_within: str | None = None,
        workplace: str | None = None,
        job_type: str | None = None,
        experience: str | None = None,
    ) -> SearchQuery:
        if geo_id is not None and geo_id.strip() and not geo_id.strip().isdigit():
            raise ValueError(f"-a geo_id={geo_id!r}: a LinkedIn geoId is a number (e.g. 103350119)")
        query = cls(
            keywords=(keywords or "").strip() or None,
            location=(location or "").strip() or None,
            geo_id=(geo_id or "").strip() or None,
            posted_within=parse_posted_within(posted_within),
            workplace=parse_choice("workplace", workplace, WORKPLACES),
            job_type=parse_choice("job_type", job_type, JOB_TYPES),
            experience=parse_choice("experience", experience, EXPERIENCE_LEVELS),
        )
        if not (query.keywords or query.location or query.geo_id):
            raise ValueError("linkedin needs -a keywords=... and/or -a location=... (or -a geo_id=...)")
        return query

    def identity(self) -> dict[str, str]:
        """The arguments that define this search, in a canonical form (``crawl_runs.args``)."""
        names = {v: k for k, v in WORKPLACES.items()}, {v: k for k, v in JOB_TYPES.items()}
        levels = {v: k for k, v in EXPERIENCE_LEVELS.items()}
        out: dict[str, str] = {}
        if self.keywords:
            out["keywords"] = self.keywords
        if self.location:
            out["location"] = self.location
        if self.geo_id:
            out["geo_id"] = self.geo_id
        if self.posted_within:
            out["posted_within"] = f"{self.posted_within}s"
        if self.workplace:
            out["workplace"] = ",".join(names[0][c] for c in self.workplace)
        if self.job_type:
            out["job_type"] = ",".join(names[1][c] for c in self.job_type)
        if self.experience:
            out["experience"] = ",".join(levels[c] for c in self.experience)
        return out

    def params(self, tpr_seconds: int | None = None) -> dict[str, str]:
        """Query parameters without ``start``; ``tpr_seconds`` overrides ``posted_within``."""
        params: dict[str, str] = {}
        if self.keywords:
            params["keywords"] = self.keywords
        if self.location:
            params["location"] = self.location
        if self.geo_id:
            params["geoId"] = self.geo_id
        seconds = tpr_seconds if tpr_seconds is not None else self.posted_within
        if seconds:
            params["f_TPR"] = f"r{int(seconds)}"
        if self.workplace:
            params["f_WT"] = ",".join(self.workplace)
        if self.job_type:
            params["f_JT"] = ",".join(self.job_type)
        if self.experience:
            params["f_E"] = ",".join(self.experience)
        params["sortBy"] = "DD"
        return params


def search_url(base_url: str, params: dict[str, str], start: int) -> str:
    return f"{base_url.rstrip('/')}{SEARCH_PATH}?{urlencode({**params, 'start': str(start)})}"


def canonical_job_url(job_id: str) -> str:
    """``https://www.linkedin.com/jobs/view/{id}/`` (always that host, whatever was crawled)."""
    return f"{CANONICAL_HOST}/jobs/view/{job_id}/"


def strip_query(url: str | None) -> str | None:
    """A URL without its query string and fragment (LinkedIn's ``trk``/``refId`` tracking)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def job_id_from_url(url: str | None) -> str | None:
    if not url:
        return None
    m = _JOB_LINK.search(urlsplit(url).path + "/")
    return m.group(1) if m else None


def _first(nodes: SelectorList[Selector]) -> Selector | None:
    return nodes[0] if nodes else None


def _text(nodes: SelectorList[Selector] | Selector) -> str | None:
    parts = nodes.xpath(".//text()").getall()
    text = _WS.sub(" ", " ".join(parts).replace("\u00a0", " ")).strip()
    return text or None


def _classes(node: Selector) -> set[str]:
    return set((node.attrib.get("class") or "").split())


def _comment_value(node: Selector | None) -> str | None:
    """The value LinkedIn hides in ``<code id=..><!--"value"--></code>`` (JSON string or bare)."""
    if node is None:
        return None
    comment = node.xpath("comment()").get()
    if comment is None:
        return None
    body = comment.strip()
    body = body.removeprefix("<!--").removesuffix("-->").strip()
    if body.startswith('"'):
        try:
            value = loads_json(body)
        except ValueError:
            value = body.strip('"')
        return str(value).strip() or None
    return body or None


# --- cards -----------------------------------------------------------------------------------
@dataclass
class Card:
    """One search-result card: what the listing says about a posting."""

    job_id: str
    url: str | None = None  # card link, tracking parameters removed
    title: str | None = None
    company: str | None = None
    company_url: str | None = None
    location: str | None = None
    salary: str | None = None
    listdate: str | None = None  # ``datetime`` attribute of the card's <time>
    listdate_text: str | None = None  # "1 week ago"
    listdate_new: bool = False  # ``job-search-card__listdate--new``
    benefits: list[str] = field(default_factory=list)  # "Actively Hiring", "Be an early applicant"

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], False)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Card:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def card_nodes(sel: Selector) -> SelectorList[Selector]:
    """Card elements, whether the outer element is a ``<div>`` or an ``<a>``."""
    return sel.css(".job-search-card")


def parse_card(node: Selector) -> Card | None:
    urn = node.attrib.get("data-entity-urn") or ""
    link = node.attrib.get("href") if node.root.tag == "a" else None
    link = link or node.css("a.base-card__full-link::attr(href)").get()
    m = _JOB_URN.search(urn)
    job_id = m.group(1) if m else job_id_from_url(link)
    if not job_id:
        return None
    times = node.css("time.job-search-card__listdate, time.job-search-card__listdate--new")
    listdate = times[0] if times else None
    subtitle = node.css(".base-search-card__subtitle")
    return Card(
        job_id=job_id,
        url=strip_query(link),
        title=_text(node.css(".base-search-card__title")),
        company=_text(subtitle),
        company_url=strip_query(subtitle.css("a::attr(href)").get()),
        location=_text(node.css(".job-search-card__location")),
        salary=_text(node.css(".job-search-card__salary-info")),
        listdate=(listdate.attrib.get("datetime") or None) if listdate is not None else None,
        listdate_text=_text(listdate) if listdate is not None else None,
        listdate_new=listdate is not None and "job-search-card__listdate--new" in _classes(listdate),
        benefits=[t for t in (_text(b) for b in node.css(".job-posting-benefits__text")) if t],
    )


def parse_cards(html: str | Selector) -> list[Card]:
    """Every job card of a search page or ``seeMoreJobPostings`` fragment, in page order."""
    sel = html if isinstance(html, Selector) else Selector(text=html, type="html")  # never "json"
    cards = []
    for node in card_nodes(sel):
        card = parse_card(node)
        if card is not None:
            cards.append(card)
    return cards


# --- detail ------------------------------------------------------------------------------------
#: criteria labels (lower-cased) -> field; EN/FR/IT seen in the recorded pages, the others are
#: LinkedIn's labels in those UI languages (position is the fallback when a label is unknown)
CRITERIA_LABELS = {
    "seniority level": "seniority",
    "niveau hiérarchique": "seniority",
    "livello di anzianità": "seniority",
    "nivel de antigüedad": "seniority",
    "nível de experiência": "seniority",
    "karrierestufe": "seniority",
    "employment type": "employment_type",
    "type d’emploi": "employment_type",
    "type d'emploi": "employment_type",
    "tipo di impiego": "employment_type",
    "tipo de empleo": "employment_type",
    "tipo de emprego": "employment_type",
    "beschäftigungsverhältnis": "employment_type",
    "job function": "job_function",
    "fonction": "job_function",
    "funzione lavorativa": "job_function",
    "función laboral": "job_function",
    "função": "job_function",
    "tätigkeitsbereich": "job_function",
    "industries": "industries",
    "secteurs": "industries",
    "settori": "industries",
    "sectores": "industries",
    "setores": "industries",
    "branchen": "industries",
}
CRITERIA_ORDER = ("seniority", "employment_type", "job_function", "industries")
#: "Be among the first 25 applicants": an upper bound, not a count
_FIRST_APPLICANTS = re.compile(r"\b(first|premiers|primi|primeros|primeiros|ersten)\b", re.I)


def parse_applicants(text: str | None) -> int | None:
    """``"157 applicants"`` -> 157; ``"Over 200 applicants"``/``"Plus de 200 candidats"`` -> 200;
    ``"Be among the first 25 applicants"`` -> None (a bound, not a count)."""
    if not text or _FIRST_APPLICANTS.search(text):
        return None
    m = re.search(r"\d[\d.,\s\u00a0\u202f]*", text)
    if not m:
        return None
    digits = re.sub(r"\D", "", m.group(0))
    return int(digits) if digits else None


def decode_apply_url(value: str | None) -> str | None:
    """The off-site target of LinkedIn's ``/jobs/view/externalApply/{id}?url=...`` redirect."""
    if not value:
        return None
    parts = urlsplit(value)
    if "externalApply" in parts.path or "/redir/" in parts.path:
        target = parse_qs(parts.query).get("url")
        if target and target[0].strip():
            return target[0].strip()
    return value


@dataclass
class Detail:
    job_id: str | None = None
    title: str | None = None
    company: str | None = None
    company_url: str | None = None
    location: str | None = None
    posted_text: str | None = None
    posted_new: bool = False
    applicants: int | None = None
    applicants_text: str | None = None
    salary: str | None = None
    salary_label: str | None = None
    description_html: str | None = None
    criteria: dict[str, str] = field(default_factory=dict)  # label as shown -> value
    seniority: str | None = None
    employment_type: str | None = None
    job_function: str | None = None
    industries: str | None = None
    apply_url: str | None = None
    apply_url_raw: str | None = None
    apply_offsite: bool = False
    page_key: str | None = None
    jsonld: dict[str, Any] | None = None

    @property
    def empty(self) -> bool:
        return not (self.title or self.description_html)


def _inner_html(node: Selector) -> str | None:
    html = "".join(node.xpath("node()").getall()).strip()
    return html or None


def _jsonld_posting(sel: Selector) -> dict[str, Any] | None:
    for script in sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = loads_jsonld(script)
        except ValueError:
            continue
        postings = find_typed(data, "JobPosting")
        if postings:
            return postings[0]
    return None


def _find(sel: Selector, path: str, cls: str) -> Selector | None:
    """The first element of ``path`` (an XPath step without predicate) with class ``cls``."""
    for node in sel.xpath(f"{path}[contains(@class, '{cls}')]"):
        if cls in _classes(node):
            return node
    return None


def _scopes(sel: Selector) -> tuple[Selector, Selector]:
    """(top card, job details) of a detail page; the whole page for a part not found.

    A class query over the whole page visits every element (about 1 ms on a 300 KB
    ``/jobs/view`` page); the fields live in these two small parts, found by tag (cheap; the
    details are the top card's next sibling on every recorded page) and then queried inside."""
    top = _find(sel, "//section", "top-card-layout")
    details = None
    if top is not None:
        details = _find(top, "following-sibling::div", "decorated-job-posting__details")
    if details is None:
        details = _find(sel, "//div", "decorated-job-posting__details")
    return (sel if top is None else top), (sel if details is None else details)


_OFFSITE_ICON = "[data-svg-class-name='apply-button__offsite-apply-icon-svg']"
_OFFSITE_LINK = ".//*[contains(@data-tracking-control-name, 'apply-link-offsite')]"


def parse_detail(html: str | Selector) -> Detail:
    """Fields of a detail fragment (``jobs-guest/jobs/api/jobPosting``) or a ``/jobs/view`` page.

    Top-card fields (title, company, location, posted, applicants) are read in the top card
    (``section.top-card-layout``), salary, description and criteria in the job details
    (``div.decorated-job-posting__details``); a page without those containers is read whole.
    """
    sel = html if isinstance(html, Selector) else Selector(text=html, type="html")  # never "json"
    top, details = _scopes(sel)
    codes: dict[str, Selector] = {}  # <code id=...> by id, the first of each (one walk, not three)
    for code in sel.xpath("//code[@id]"):
        codes.setdefault(code.attrib["id"], code)
    d = Detail()
    d.job_id = _comment_value(codes.get("decoratedJobPostingId"))
    d.page_key = sel.css("meta[name=pageKey]::attr(content)").get() or _comment_value(codes.get("pageKey"))
    d.title = _text(top.css(".top-card-layout__title")[:1])
    org = top.css("a.topcard__org-name-link")[:1]
    if org:
        d.company = _text(org)
        d.company_url = strip_query(org.attrib.get("href"))
    else:
        d.company = _text(top.css(".topcard__flavor-row .topcard__flavor:not(.topcard__flavor--bullet)")[:1])
    d.location = _text(top.css("span.topcard__flavor--bullet:not(.num-applicants__caption)")[:1])
    posted = top.css(".posted-time-ago__text")[:1]
    if posted:
        d.posted_text = _text(posted)
        d.posted_new = "posted-time-ago__text--new" in _classes(posted[0])
    d.applicants_text = _text(top.css(".num-applicants__caption")[:1])
    d.applicants = parse_applicants(d.applicants_text)
    d.salary = _text(details.css(".compensation__salary")[:1])
    if d.salary:
        d.salary_label = _text(
            details.css(".compensation__salary-range h3, .compensation__salary-range h2")[:1]
        )
    markup = details.css(".description__text .show-more-less-html__markup") or details.css(
        ".show-more-less-html__markup"
    )
    if not markup and details is not sel:
        markup = sel.css(".description__text .show-more-less-html__markup") or sel.css(
            ".show-more-less-html__markup"
        )
    if markup:
        d.description_html = _inner_html(markup[0])
    items = details.css("li.description__job-criteria-item")
    for index, item in enumerate(items):
        label = _text(item.css(".description__job-criteria-subheader")) or ""
        value = _text(item.css(".description__job-criteria-text"))
        if not value:
            continue
        d.criteria[label or str(index)] = value
        name = CRITERIA_LABELS.get(label.lower().replace("\u2019", "’"))
        if name is None and len(items) == len(CRITERIA_ORDER):
            name = CRITERIA_ORDER[index]
        if name and getattr(d, name) is None:
            setattr(d, name, value)
    d.apply_url_raw = _comment_value(codes.get("applyUrl"))
    d.apply_url = decode_apply_url(d.apply_url_raw)
    d.apply_offsite = bool(
        d.apply_url_raw
        or top.css(_OFFSITE_ICON)
        or top.xpath(_OFFSITE_LINK)
        or (top is not sel and (sel.css(_OFFSITE_ICON) or sel.xpath(_OFFSITE_LINK)))
    )
    d.jsonld = _jsonld_posting(sel)
    return d


# --- the posting ------------------------------------------------------------------------------------
def _dedupe(values: list[str | None]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def posting_fields(job_id: str, card: Card | None, detail: Detail | None) -> dict[str, Any]:
    """:class:`~crawler.items.JobPosting` fields from a card and/or a detail page (raw values only)."""
    raw: dict[str, Any] = {}
    fields: dict[str, Any] = {"source_id": job_id, "url": canonical_job_url(job_id)}
    if card is not None:
        raw["card"] = card.as_dict()
        if card.listdate:
            raw["listdate"] = card.listdate
        if card.benefits:
            raw["benefits"] = card.benefits
    jsonld = detail.jsonld if detail is not None else None
    org = jsonld.get("hiringOrganization") if jsonld else None
    d = detail or Detail()
    c = card or Card(job_id=job_id)
    fields["title"] = d.title or c.title or (str(jsonld["title"]) if jsonld and jsonld.get("title") else None)
    fields["company"] = d.company or c.company or (organization_name(org) if org else None)
    fields["company_url"] = (
        d.company_url or c.company_url or (strip_query(organization_url(org)) if org else None)
    )
    locations = _dedupe([c.location, d.location])
    if not locations and jsonld:
        locations = location_strings(jsonld.get("jobLocation"))
    fields["location_raw"] = locations
    fields["salary_raw"] = d.salary or c.salary
    date_posted = str(jsonld["datePosted"]) if jsonld and jsonld.get("datePosted") else None
    fields["posted_raw"] = date_posted or c.listdate or d.posted_text or c.listdate_text
    if jsonld and jsonld.get("validThrough"):
        fields["valid_through_raw"] = str(jsonld["validThrough"])
    jsonld_types = jsonld.get("employmentType") if jsonld else None
    jsonld_types = [jsonld_types] if isinstance(jsonld_types, str) else list(jsonld_types or [])
    fields["employment_type_raw"] = _dedupe([d.employment_type, *[str(t) for t in jsonld_types]])
    if len(jsonld_types) == 1 and str(jsonld_types[0]).upper() in EMPLOYMENT_TYPES:
        fields["employment_type"] = str(jsonld_types[0]).upper()
    fields["seniority_raw"] = _dedupe([d.seniority])
    fields["description_html"] = d.description_html
    fields["apply_url"] = d.apply_url
    if detail is not None:
        raw.update(
            {
                k: v
                for k, v in {
                    "criteria": d.criteria or None,
                    "job_function": d.job_function,
                    "industries": d.industries,
                    "applicants": d.applicants,
                    "applicants_text": d.applicants_text,
                    "posted_text": d.posted_text,
                    "salary_label": d.salary_label,
                    "apply_url_raw": d.apply_url_raw,
                    "apply_offsite": d.apply_offsite or None,
                    "page_key": d.page_key,
                }.items()
                if v is not None
            }
        )
        if jsonld:
            raw["jsonld"] = {k: v for k, v in jsonld.items() if k != "description"}
    return {**fields, "raw": raw}
