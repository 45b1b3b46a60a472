"""Job boards that republish postings (often LinkedIn's), driven by a per-board configuration.

A board is a few lines of data (``spiders/data/aggregators/<name>.json``)::

    {
      "name": "jobfordev",                      # spider name and JobPosting.source
      "title": "Job For Dev",
      "base_url": null,                          # default site root (or -a base_url= / JOBFORDEV_BASE_URL)
      "start_paths": ["/vagas"],                 # listing pages, relative to the base URL
      "link": "a.job-card",                      # selector of the detail links on a listing page
      "link_pattern": "/vagas/[^/?#]+$",         # optional regex the link must match
      "next_page": "a[rel=next]",                # optional selector of the next listing page
      "id_pattern": "/vagas/(?P<id>[^/?#]+)",    # optional regex (group "id") on the detail URL
      "fields": {"title": "h1", "company": ".company", "location": ".location",
                 "description": ".job-description", "posted": "time::attr(datetime)"},
      "render_js": false,                        # true | "listing" | "detail": scrapy-playwright
      "wait_for": null,                          # CSS selector to wait for when rendering
      "max_pages": 50
    }

Selectors are CSS (parsel, ``::text``/``::attr()`` allowed) or XPath when prefixed
``xpath:``.  A selector that matches elements gives their text (``link``/``next_page``:
their ``href``).  Field names: ``title``, ``company``, ``company_url``, ``location``
(every match is one location), ``description`` (HTML and text of the matched
elements; the text keeps every line, e.g. "Vaga originalmente publicada em: linkedin",
for the normalizers), ``posted``, ``valid_through``, ``salary``, ``employment_type``,
``workplace``, ``apply`` (a link), ``tags`` (every match).  Fields the page leaves
empty are filled from a JSON-LD ``JobPosting`` when the page has one.

The spider only extracts: ``source`` is the board name, ``source_id`` the id from
``id_pattern`` (else the last path segment of the URL); origin detection and
boilerplate removal are the normalizers' job.  ``ROBOTSTXT_OBEY`` is on.

Arguments: ``-a board=NAME`` (a data file) or ``-a config=PATH`` (a JSON file) for the
generic ``aggregator`` spider; ``-a base_url=``; ``-a render_js=0|1|listing|detail``
overrides the board's setting; ``-a max_pages=N``.

Browser rendering: only when the board (or ``-a render_js``) asks for it, this spider
installs scrapy-playwright's download handler (``DOWNLOAD_HANDLERS`` at spider
priority) and marks the listing and/or detail requests ``meta["playwright"] = True``;
every other request (robots.txt, non-rendered pages) is fetched by Scrapy's own HTTP
handler, which the playwright handler delegates to for requests without that meta.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Self
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector, SelectorList
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from crawler.structured import find_typed, jobposting_fields, loads_jsonld
from spiders.base import JobSpider

logger = logging.getLogger(__name__)

BOARDS_DIR = Path(__file__).resolve().parent.parent / "data" / "aggregators"
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
FIELD_NAMES = (
    "title",
    "company",
    "company_url",
    "location",
    "description",
    "posted",
    "valid_through",
    "salary",
    "employment_type",
    "workplace",
    "apply",
    "tags",
)
_WS = re.compile(r"[ \t\r\f\v\u00a0]+")


def parse_render(value: Any) -> str | None:
    """``render_js`` -> ``None`` (no browser), ``"all"``, ``"listing"`` or ``"detail"``."""
    if value is None or value is False:
        return None
    if value is True:
        return "all"
    text = str(value).strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return None
    if text in ("1", "true", "yes", "on", "all"):
        return "all"
    if text in ("listing", "detail"):
        return text
    raise ValueError(f"render_js={value!r}: expected true/false, 'listing' or 'detail'")


@dataclass
class BoardConfig:
    name: str
    link: str
    start_paths: list[str] = field(default_factory=lambda: ["/"])
    title: str | None = None
    base_url: str | None = None
    link_pattern: str | None = None
    next_page: str | None = None
    id_pattern: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    render_js: str | None = None
    wait_for: str | None = None
    wait_timeout_ms: int = 15000
    max_pages: int = 50
    verified: bool = False
    notes: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BoardConfig:
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"board config: unknown keys {sorted(unknown)}")
        for key in ("name", "link"):
            if not data.get(key):
                raise ValueError(f"board config: {key!r} is required")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(data["name"])):
            raise ValueError(f"board config: name {data['name']!r} must be lower-case letters, digits, _")
        bad_fields = set(data.get("fields") or {}) - set(FIELD_NAMES)
        if bad_fields:
            raise ValueError(
                f"board {data['name']}: unknown fields {sorted(bad_fields)}; known: {FIELD_NAMES}"
            )
        if "title" not in (data.get("fields") or {}):
            raise ValueError(f"board {data['name']}: fields.title is required")
        values = dict(data)
        values["render_js"] = parse_render(data.get("render_js"))
        for key in ("link_pattern", "id_pattern"):
            if values.get(key):
                re.compile(values[key])
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path) -> BoardConfig:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"board config {path}: {exc}") from exc
        return cls.from_dict(data)

    def renders(self, kind: str) -> bool:
        return self.render_js == "all" or self.render_js == kind


def board_configs(directory: Path = BOARDS_DIR) -> list[BoardConfig]:
    """Every board configuration shipped in ``spiders/data/aggregators``."""
    return [BoardConfig.load(p) for p in sorted(directory.glob("*.json"))]


# --- extraction -----------------------------------------------------------------------------------
def select(sel: Selector | SelectorList[Selector], expr: str) -> SelectorList[Selector]:
    if expr.startswith("xpath:"):
        return sel.xpath(expr[len("xpath:") :])
    return sel.css(expr)


def _is_element(node: Selector) -> bool:
    return not isinstance(node.root, str)


def node_text(node: Selector, keep_lines: bool = False) -> str | None:
    if not _is_element(node):
        text = str(node.root)
    else:
        parts = [
            _WS.sub(" ", t).strip()
            # descendant::, not .//: libxml2 evaluates ".//text()[predicate]" in quadratic time
            # (a 20 MB page took hours and blocked the reactor)
            for t in node.xpath("descendant::text()[not(ancestor::script or ancestor::style)]").getall()
        ]
        text = ("\n" if keep_lines else " ").join(p for p in parts if p)
    text = text.strip() if keep_lines else re.sub(r"\s+", " ", text).strip()
    return text or None


def select_texts(sel: Selector, expr: str | None, keep_lines: bool = False) -> list[str]:
    if not expr:
        return []
    return [t for t in (node_text(n, keep_lines) for n in select(sel, expr)) if t]


def select_links(sel: Selector, expr: str | None, base: str) -> list[str]:
    """Absolute URLs of the matched links (``href`` of elements, or the selected attribute/text)."""
    if not expr:
        return []
    out: list[str] = []
    for node in select(sel, expr):
        value = node.attrib.get("href") if _is_element(node) else str(node.root)
        if value and value.strip() and not value.strip().lower().startswith(("javascript:", "mailto:", "#")):
            try:
                url = urljoin(base, value.strip()).split("#", 1)[0]
            except ValueError:  # "http://[::1" and the like: not a URL
                continue
            if url not in out:
                out.append(url)
    return out


def source_id_from_url(url: str, id_pattern: str | None) -> str | None:
    if id_pattern:
        m = re.search(id_pattern, url)
        if m:
            if "id" in m.groupdict():
                return m.group("id")
            return m.group(1) if m.groups() else m.group(0)
    path = urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1] or None


def extract_posting(config: BoardConfig, sel: Selector, url: str) -> dict[str, Any]:
    """:class:`~crawler.items.JobPosting` fields of one detail page (raw values, nothing guessed)."""
    f = config.fields

    def first(name: str) -> str | None:
        values = select_texts(sel, f.get(name))
        return values[0] if values else None

    found: dict[str, Any] = {}
    description_nodes = select(sel, f["description"]) if f.get("description") else []
    description_html = "\n".join(n.get() for n in description_nodes if _is_element(n)) or None
    description_text = (
        "\n".join(t for t in (node_text(n, keep_lines=True) for n in description_nodes) if t) or None
    )
    apply_links = select_links(sel, f.get("apply"), url)
    company_links = select_links(sel, f.get("company_url"), url)
    found = {
        "title": first("title"),
        "company": first("company"),
        "company_url": company_links[0] if company_links else None,
        "location_raw": select_texts(sel, f.get("location")),
        "description_html": description_html,
        "description_text": description_text,
        "posted_raw": first("posted"),
        "valid_through_raw": first("valid_through"),
        "salary_raw": first("salary"),
        "employment_type_raw": select_texts(sel, f.get("employment_type")),
        "workplace_raw": select_texts(sel, f.get("workplace")),
        "apply_url": apply_links[0] if apply_links else None,
        "tags": select_texts(sel, f.get("tags")),
    }
    raw: dict[str, Any] = {"board": config.name}
    jsonld = _jsonld_posting(sel)
    if jsonld is not None:
        structured = jobposting_fields(jsonld)
        for key, value in structured.items():
            if key != "raw" and value and not found.get(key):
                found[key] = value
        raw["jsonld"] = structured.get("raw")
    canonical = sel.xpath("//link[@rel='canonical']/@href").get()
    return {
        **found,
        "source_id": source_id_from_url(url, config.id_pattern),
        "url": urljoin(url, canonical.strip()) if canonical else url,
        "raw": raw,
    }


def _jsonld_posting(sel: Selector) -> dict[str, Any] | None:
    for script in sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            postings = find_typed(loads_jsonld(script), "JobPosting")
        except ValueError:
            continue
        if postings:
            return postings[0]
    return None


# --- the spider ------------------------------------------------------------------------------------
class AggregatorSpider(JobSpider):
    """Generic board spider: ``scrapy crawl aggregator -a board=jobfordev`` or ``-a config=board.json``.

    ``spiders/aggregators.py`` also registers one named spider per shipped board
    (``scrapy crawl jobfordev``).
    """

    name = "aggregator"
    #: set on the per-board subclasses
    board: ClassVar[BoardConfig | None] = None

    custom_settings = {  # noqa: RUF012 (Scrapy's own attribute)
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": 1.0,
        "AUTOTHROTTLE_ENABLED": True,
    }

    def __init__(
        self,
        *args: Any,
        board: str | None = None,
        config: str | None = None,
        render_js: str | None = None,
        max_pages: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.board is not None:
            cfg = self.board
        elif config:
            cfg = BoardConfig.load(config)
        elif board:
            path = BOARDS_DIR / f"{board}.json"
            if not path.exists():
                known = ", ".join(c.name for c in board_configs())
                raise ValueError(f"-a board={board!r}: no such board (known: {known})")
            cfg = BoardConfig.load(path)
        else:
            raise ValueError("aggregator needs -a board=NAME or -a config=PATH")
        self.config = cfg
        if render_js is not None:
            self.config = replace(cfg, render_js=parse_render(render_js))
        if max_pages is not None:
            if not str(max_pages).strip().isdigit():
                raise ValueError(f"-a max_pages={max_pages!r}: expected a whole number")
            self.config = replace(self.config, max_pages=int(max_pages))
        self._seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.config.render_js:
            # only now: a spider that never renders keeps Scrapy's plain HTTP handlers
            handlers = {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}
            crawler.settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
        return spider

    @property
    def source_name(self) -> str:
        return self.config.name

    @property
    def base_url(self) -> str:
        url = self._base_url_arg
        if not url and hasattr(self, "settings"):
            url = self.settings.get(f"{self.config.name.upper()}_BASE_URL")
        url = url or self.config.base_url
        if not url:
            raise ValueError(
                f"board {self.config.name!r} has no default base URL: pass -a base_url=... "
                f"or set {self.config.name.upper()}_BASE_URL"
            )
        return url.rstrip("/")

    def _request(self, url: str, kind: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        meta: dict[str, Any] = {"aggregator_page": kind}
        if self.config.renders(kind):
            meta["playwright"] = True
            if self.config.wait_for and kind == "listing":
                from scrapy_playwright.page import PageMethod

                meta["playwright_page_methods"] = [
                    PageMethod("wait_for_selector", self.config.wait_for, timeout=self.config.wait_timeout_ms)
                ]
        return scrapy.Request(url, callback=callback, meta=meta, **kwargs)

    async def start(self) -> Any:
        if not self.config.verified:
            logger.info("board %s: selectors not verified against the live site", self.config.name)
        for path in self.config.start_paths:
            yield self._request(
                urljoin(self.base_url + "/", path.lstrip("/")),
                "listing",
                self.parse_listing,
                cb_kwargs={"page": 1},
            )

    def not_text(self, response: Response) -> bool:
        """True (after a warning and ``jobs/parse_error/not_text``) for a body that is not text."""
        if isinstance(response, TextResponse):
            return False
        logger.warning("board %s: response is not text, skipped: %s", self.config.name, response.url)
        self.count("parse_error/not_text")
        return True

    def parse_listing(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        if self.not_text(response):
            return
        sel = Selector(text=response.text, type="html")  # never auto-detected as JSON
        links = select_links(sel, self.config.link, response.url)
        if self.config.link_pattern:
            links = [u for u in links if re.search(self.config.link_pattern, u)]
        self.count("aggregator/listing_pages")
        self.count("aggregator/links", len(links))
        logger.info("board %s: %d posting links on %s", self.config.name, len(links), response.url)
        for url in links:
            if url in self._seen:
                continue
            self._seen.add(url)
            yield from self._follow(url, "detail", self.parse_posting)
        if page >= self.config.max_pages:
            return
        for url in select_links(sel, self.config.next_page, response.url)[:1]:
            yield from self._follow(url, "listing", self.parse_listing, cb_kwargs={"page": page + 1})

    def _follow(self, url: str, kind: str, callback: Any, **kwargs: Any) -> Iterator[scrapy.Request]:
        try:
            yield self._request(url, kind, callback, **kwargs)
        except ValueError as exc:  # Scrapy refuses the URL ("Missing scheme"): one bad link, not the page
            logger.warning("board %s: link not followed (%s)", self.config.name, exc)
            self.count("aggregator/bad_link")

    def parse_posting(self, response: Response) -> Iterator[Any]:
        if self.not_text(response):
            return
        fields = extract_posting(self.config, Selector(text=response.text, type="html"), response.url)
        if not fields.get("title"):
            self.count("aggregator/no_title")
            logger.warning("board %s: no title on %s", self.config.name, response.url)
        yield self.new_item(**fields)
