"""A local LinkedIn guest site for the end-to-end benchmark (``bench/crawl.py``), served from memory.

    .venv/bin/python -m bench.site --jobs 5000 [--first-id 4500000000] [--port 0]

Answers the two guest endpoints the ``linkedin`` spider uses:

* ``/jobs-guest/jobs/api/seeMoreJobPostings/search?...&start=N``: 10 ``<li>`` cards per call
  (LinkedIn's page size) for jobs ``N .. N+9``; an empty body past the last job;
* ``/jobs-guest/jobs/api/jobPosting/{id}``: the job's detail page.

**The pages are generated, not recorded**, from the *shapes* of recorded pages in
``tests/fixtures/linkedin`` (see its ``SOURCES.md``):

* card markup: the 120 ``<li>`` cards of the recorded search pages
  ``search_page_it_support_intern_remote.html`` and ``search_page_frontend_developer_chennai.html``
  (re-serialized by lxml, as the tests do), with the job id, title, company and location
  replaced per job;
* detail markup: the recorded detail fragment ``job_posting_api_4330361169.html`` (70% of the
  jobs) and the three recorded full ``/jobs/view`` pages (10% each; two carry a JSON-LD
  ``JobPosting``), served on the API path as ``tests/sites.py`` does, with the job id, title,
  company, HTML description and the JSON-LD's title, company and description replaced per job.
  Other text of the pages (page title, similar-jobs cards, criteria, dates) stays as recorded;
* titles, companies and locations: drawn per job from those of the recorded cards;
* descriptions: per job, 3 to 5 sections in the markup style of the template page, made of
  headings and sentences drawn at random from the descriptions of the recorded LinkedIn pages
  and of the recorded job-board captures in ``tests/fixtures/boards`` (files not named
  ``TESTDATA_*``), so no two postings share their description (estimated Jaccard well below
  the dedupe threshold) while the text stays real-world text.

Everything is deterministic for a given ``(seed, job id)``.  Pages are rendered from
pre-encoded byte segments (one join per response), the server is a bare asyncio HTTP/1.1
server with keep-alive in its own process, so that it costs the crawl as little CPU as possible.
``/__stats`` answers the request counts per kind as JSON (``/__stats?reset=1`` resets them).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from spiders.platforms.linkedin import parse_cards, parse_detail

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
LINKEDIN = FIXTURES / "linkedin"
SEARCH_PATH = "/jobs-guest/jobs/api/seeMoreJobPostings/search"
DETAIL_PREFIX = "/jobs-guest/jobs/api/jobPosting/"
PAGE_SIZE = 10
FIRST_ID = 4_500_000_000

CARD_PAGES = ("search_page_it_support_intern_remote.html", "search_page_frontend_developer_chennai.html")
#: recorded detail page -> share of the jobs rendered with it
DETAIL_PAGES = {
    "job_posting_api_4330361169.html": 0.7,
    "job_view_4424075463_base_pay_range.html": 0.1,
    "job_view_4218586823_fr_jsonld.html": 0.1,
    "job_view_3946498763_it_prettified_jsonld.html": 0.1,
}

_MARK = re.compile(r"@@BENCH:(\w+)@@")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_WS = re.compile(r"\s+")
_TAGS = re.compile(r"<[^>]+>")
_JSON_STR = r'"((?:[^"\\]|\\.)*)"'


def mark(name: str) -> str:
    return f"@@BENCH:{name}@@"


class Template:
    """A page cut at its ``@@BENCH:name@@`` marks into pre-encoded literal segments."""

    def __init__(self, text: str) -> None:
        pieces = _MARK.split(text)
        self.literals = [p.encode("utf-8") for p in pieces[0::2]]
        self.names = pieces[1::2]

    def render(self, values: dict[str, bytes]) -> bytes:
        out = [self.literals[0]]
        for name, literal in zip(self.names, self.literals[1:], strict=True):
            out.append(values[name])
            out.append(literal)
        return b"".join(out)


def _sub_once(pattern: str, repl: str, text: str, flags: int = re.S) -> str:
    new, n = re.subn(
        pattern, lambda m: m.group(1) + repl + m.group(m.lastindex or 1), text, count=1, flags=flags
    )
    if n != 1:
        raise ValueError(f"template: {pattern!r} not found")
    return new


def _element_inner_span(text: str, start_tag: re.Match[str], tag: str) -> tuple[int, int]:
    """(start, end) of the inner HTML of the element whose start tag matched (nesting-aware)."""
    pos, depth = start_tag.end(), 1
    opener, closer = re.compile(rf"<{tag}\b"), f"</{tag}>"
    while depth:
        close = text.find(closer, pos)
        if close < 0:
            raise ValueError(f"template: unclosed <{tag}>")
        nested = opener.search(text, pos, close)
        if nested is not None:
            depth, pos = depth + 1, nested.end()
        else:
            depth, pos = depth - 1, close + len(closer)
    return start_tag.end(), pos - len(closer)


# --- recorded material ----------------------------------------------------------------------------
def recorded_cards() -> list[str]:
    cards: list[str] = []
    for page in CARD_PAGES:
        text = (LINKEDIN / page).read_text(encoding="utf-8")
        cards += Selector(text=text).css("ul.jobs-search__results-list > li").getall()
    return cards


def card_template(li: str) -> Template | None:
    """A recorded card with marks for id, title, company, location; None when it does not fit."""
    cards = parse_cards(li)
    if len(cards) != 1:
        return None
    text = li.replace(cards[0].job_id, mark("id"))
    try:
        text = _sub_once(r'(<h3 class="base-search-card__title"[^>]*>).*?(</h3>)', mark("title_h"), text)
        if re.search(r'<h4 class="base-search-card__subtitle"[^>]*>\s*<a\b', text):
            text = _sub_once(
                r'(<h4 class="base-search-card__subtitle"[^>]*>\s*<a\b[^>]*>).*?(</a>)',
                mark("company_h"),
                text,
            )
        else:
            text = _sub_once(
                r'(<h4 class="base-search-card__subtitle"[^>]*>).*?(</h4>)', mark("company_h"), text
            )
        text = _sub_once(
            r'(<span class="job-search-card__location"[^>]*>).*?(</span>)', mark("location_h"), text
        )
    except ValueError:
        return None
    template = Template(text)
    probe = parse_cards(template.render(_probe_values()).decode("utf-8"))
    ok = (
        len(probe) == 1
        and probe[0].job_id == "4000000001"
        and probe[0].title == "Probe Title & Co"
        and probe[0].company == "Probe Company"
        and probe[0].location == "Probe City"
    )
    return template if ok else None


def detail_template(name: str) -> Template:
    text = (LINKEDIN / name).read_text(encoding="utf-8")
    original = parse_detail(text)
    job_id = re.search(r"_(\d{9,})_?", name)
    assert job_id is not None
    text = text.replace(job_id.group(1), mark("id"))
    text = _sub_once(r"(<h[12]\b[^>]*top-card-layout__title[^>]*>).*?(</h[12]>)", mark("title_h"), text)
    text = _sub_once(r"(<a\b[^>]*topcard__org-name-link[^>]*>).*?(</a>)", mark("company_h"), text)
    start = re.search(r"<div\b[^>]*show-more-less-html__markup[^>]*>", text)
    if start is None:
        raise ValueError(f"{name}: no description markup")
    a, b = _element_inner_span(text, start, "div")
    text = text[:a] + mark("description_h") + text[b:]
    script = re.search(r"(<script[^>]*ld\+json[^>]*>)(.*?)(</script>)", text, re.S)
    if script is not None:
        body = script.group(2)
        body = _sub_once(r'("title":)' + _JSON_STR + r"()", '"' + mark("title_j") + '"', body)
        body = _sub_once(r'("description":)' + _JSON_STR + r"()", '"' + mark("description_j") + '"', body)
        body = _sub_once(
            r'("hiringOrganization":\{[^{}]*?"name":)' + _JSON_STR + r"()",
            '"' + mark("company_j") + '"',
            body,
        )
        text = text[: script.start(2)] + body + text[script.end(2) :]
    template = Template(text)
    probe = parse_detail(template.render(_probe_values()).decode("utf-8"))
    if not (
        probe.title == "Probe Title & Co"
        and probe.company == "Probe Company"
        and probe.description_html == "<p>Probe description</p>"
        and probe.job_id in ("4000000001", None)
        and bool(probe.jsonld) == bool(original.jsonld)
        and (probe.jsonld is None or probe.jsonld.get("title") == "Probe Title & Co")
    ):
        raise ValueError(f"{name}: the generated page does not parse back")
    return template


def _probe_values() -> dict[str, bytes]:
    return job_values(
        "4000000001", "Probe Title & Co", "Probe Company", "Probe City", "<p>Probe description</p>"
    )


def _json_escape(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1].replace("</", "<\\/")


def job_values(
    job_id: str, title: str, company: str, location: str, description_html: str
) -> dict[str, bytes]:
    return {
        "id": job_id.encode(),
        "title_h": html.escape(title, quote=False).encode(),
        "company_h": html.escape(company, quote=False).encode(),
        "location_h": html.escape(location, quote=False).encode(),
        "description_h": description_html.encode(),
        "title_j": _json_escape(title).encode(),
        "company_j": _json_escape(company).encode(),
        # LinkedIn's JSON-LD description is entity-escaped HTML
        "description_j": _json_escape(html.escape(description_html, quote=False)).encode(),
    }


def _texts_of(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _texts_of(v)
    elif isinstance(value, list):
        for v in value:
            yield from _texts_of(v)
    elif isinstance(value, str) and len(value) > 300:
        yield value


def _sentences(text: str) -> list[str]:
    plain = _WS.sub(" ", html.unescape(_TAGS.sub(" ", html.unescape(text)))).strip()
    return [s.strip() for s in _SENTENCE_END.split(plain) if 30 <= len(s.strip()) <= 320]


def recorded_text() -> tuple[list[str], list[str]]:
    """(sentences, headings) from the recorded descriptions (LinkedIn pages, job-board captures)."""
    sentences: list[str] = []
    headings: list[str] = []
    for name in DETAIL_PAGES:
        sel = Selector(text=(LINKEDIN / name).read_text(encoding="utf-8"))
        markup = sel.css(".show-more-less-html__markup")[0]
        for strong in markup.css("strong"):
            heading = _WS.sub(" ", " ".join(strong.xpath(".//text()").getall())).strip().rstrip(":")
            if 3 <= len(heading) <= 60:
                headings.append(heading)
        sentences += _sentences(markup.get())
    for path in sorted((FIXTURES / "boards").rglob("*.json")):
        if path.name.startswith("TESTDATA_"):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for text in _texts_of(data):
            sentences += _sentences(text)
    return list(dict.fromkeys(sentences)), list(dict.fromkeys(headings))


# --- the site ------------------------------------------------------------------------------------------
@dataclass
class Job:
    job_id: str
    title: str
    company: str
    location: str
    detail: int  # index into Site.details


class Site:
    """Jobs ``first_id .. first_id + jobs - 1``, their search fragments and detail pages."""

    def __init__(self, jobs: int, first_id: int = FIRST_ID, seed: int = 1) -> None:
        self.jobs = jobs
        self.first_id = first_id
        self.seed = seed
        cards = recorded_cards()
        parsed = [c for li in cards for c in parse_cards(li)]
        self.titles = sorted({c.title for c in parsed if c.title})
        self.companies = sorted({c.company for c in parsed if c.company})
        self.locations = sorted({c.location for c in parsed if c.location})
        self.cards = [t for t in (card_template(li) for li in cards) if t is not None]
        if len(self.cards) < 50:
            raise RuntimeError(f"only {len(self.cards)} usable card templates")
        self.details = [detail_template(name) for name in DETAIL_PAGES]
        self.detail_styles = ["br", "p", "br", "p"]  # markup of the recorded descriptions
        self.detail_weights = list(DETAIL_PAGES.values())
        self.sentences, self.headings = recorded_text()
        self.counts: Counter[str] = Counter()

    def job(self, index: int) -> Job:
        rng = random.Random(self.seed * 1_000_003 + index)
        return Job(
            job_id=str(self.first_id + index),
            title=rng.choice(self.titles),
            company=rng.choice(self.companies),
            location=rng.choice(self.locations),
            detail=rng.choices(range(len(self.details)), weights=self.detail_weights)[0],
        )

    def description(self, index: int, style: str) -> str:
        rng = random.Random(-(self.seed * 1_000_003 + index))
        parts: list[str] = []
        for _ in range(rng.randint(3, 5)):
            heading = html.escape(rng.choice(self.headings), quote=False)
            para = html.escape(" ".join(rng.sample(self.sentences, rng.randint(2, 4))), quote=False)
            items = "".join(
                f"<li>{html.escape(s, quote=False)}</li>"
                for s in rng.sample(self.sentences, rng.randint(3, 6))
            )
            if style == "br":
                parts.append(f"<strong>{heading}<br><br></strong>{para}<br><br><ul>{items}</ul>")
            else:
                parts.append(f"<p><strong>{heading}</strong></p><p>{para}</p><ul>{items}</ul><p><br></p>")
        return "".join(parts)

    def listing(self, start: int) -> bytes:
        out: list[bytes] = []
        for index in range(max(0, start), min(self.jobs, start + PAGE_SIZE)):
            job = self.job(index)
            template = self.cards[index % len(self.cards)]
            out.append(template.render(job_values(job.job_id, job.title, job.company, job.location, "")))
        return b"\n".join(out)

    def detail(self, job_id: str) -> bytes | None:
        index = int(job_id) - self.first_id if job_id.isdigit() else -1
        if not 0 <= index < self.jobs:
            return None
        job = self.job(index)
        description = self.description(index, self.detail_styles[job.detail])
        values = job_values(job.job_id, job.title, job.company, job.location, description)
        return self.details[job.detail].render(values)

    def respond(self, target: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a request target (path and query)."""
        parts = urlsplit(target)
        if parts.path == SEARCH_PATH:
            self.counts["listing"] += 1
            try:
                start = int(parse_qs(parts.query).get("start", ["0"])[0])
            except ValueError:
                start = 0
            return 200, "text/html; charset=utf-8", self.listing(start)
        if parts.path.startswith(DETAIL_PREFIX):
            body = self.detail(parts.path[len(DETAIL_PREFIX) :].strip("/"))
            if body is not None:
                self.counts["detail"] += 1
                return 200, "text/html; charset=utf-8", body
        if parts.path == "/__stats":
            body = json.dumps(dict(self.counts)).encode()
            if "reset=1" in parts.query:
                self.counts.clear()
            return 200, "application/json", body
        self.counts["not_found"] += 1
        return 404, "text/plain", b"not found"


# --- the server ----------------------------------------------------------------------------------------
_REASONS = {200: b"OK", 404: b"Not Found", 400: b"Bad Request"}


class _HttpProtocol(asyncio.Protocol):
    """HTTP/1.1 GET with keep-alive (and pipelining); no request bodies."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            line, _, headers = head.partition(b"\r\n")
            fields = line.split(b" ")
            if len(fields) != 3:
                status, ctype, body = 400, "text/plain", b"bad request"
            else:
                status, ctype, body = self.site.respond(fields[1].decode("latin-1"))
            close = b"connection: close" in headers.lower()
            self.transport.write(
                b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
                % (
                    status,
                    _REASONS.get(status, b"OK"),
                    ctype.encode(),
                    len(body),
                    b"Connection: close\r\n" if close else b"",
                )
                + body
            )
            if close:
                self.transport.close()
                self.transport = None


async def serve(site: Site, host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _HttpProtocol(site), host, port, backlog=512)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on http://{host}:{bound}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the benchmark's generated LinkedIn guest site.")
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--first-id", type=int, default=FIRST_ID)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    site = Site(args.jobs, args.first_id, args.seed)
    try:
        asyncio.run(serve(site, args.host, args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
