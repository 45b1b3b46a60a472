"""Job boards that publish their jobs as a JSON API or an RSS feed: :class:`FeedSpider`.

A board is a short subclass (RemoteOK, Remotive, We Work Remotely, Himalayas, Arbeitnow)::

    class AcmeSpider(FeedSpider):
        name = "acme"
        default_base_url = "https://acme.example"

        def feed_urls(self) -> list[str]:
            return [f"{self.base_url}/api/jobs"]

        def entries(self, data: Any) -> list[Any] | None:
            return data.get("jobs") if isinstance(data, dict) else None

        def entry_item(self, entry: Any, response: Response) -> JobPosting | None:
            return self.new_item(source_id=str(entry["id"]), title=entry.get("title"), ...)

What the base does, so the boards don't repeat it:

- parsing: ``feed_format = "json"`` (``json.loads``) or ``"xml"`` (lxml with
  ``recover=True``, no entity resolution, no network access).  A body that cannot
  be parsed at all is a warning and ``jobs/parse_error/<json|xml>``; an XML body
  that parsed only after recovery is counted the same way but the items that
  could be read are still yielded; a parsed body without the expected list of
  entries (``entries`` returns ``None``) is also ``jobs/parse_error/<kind>``.
- per entry: :meth:`entry_item` returns an item or ``None`` (skipped; it logs and
  counts its own reason).  An entry whose mapping raises (a field of an
  unexpected type) is a warning and ``jobs/parse_error/job``; the other entries
  go on.  ``jobs/listed`` counts the entries of every page.
- an id seen earlier in the run (the same job in two categories or on two pages)
  is yielded once (``jobs/duplicate_in_feed`` counts the others).
- pagination: :meth:`next_page` returns the next URL (or ``None``); at most
  ``max_pages`` pages per feed (``-a max_pages=N``; ``jobs/max_pages_reached``),
  and a page that adds no new id stops that feed (``jobs/pagination_repeat``) so a
  server that ignores the page parameter cannot loop forever.
- HTTP 404/410 of a feed is a warning and ``jobs/feed_not_found``; other failures
  go to :meth:`~spiders.base.JobSpider.request_failed` (``jobs/request_failed``).

Helpers for the mapping: :func:`epoch_iso`, :func:`rfc822_iso`, :func:`fix_text`
(mojibake repair: ``crawler.normalize.text.fix_mojibake``, ftfy), :func:`strings`, :func:`numeric_salary`,
:func:`rebase_url`, :func:`lower_host`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import scrapy
from lxml import etree
from scrapy.http import Response

from crawler.items import JobPosting
from crawler.normalize.text import fix_mojibake
from crawler.structured import clean_str, dedupe, format_salary, iso_currency, positive_number
from spiders.base import JobSpider

#: entry mapping errors that are the entry's fault (bad shape), not the spider's
ENTRY_ERRORS = (AttributeError, KeyError, TypeError, ValueError, IndexError)


# --- helpers ---------------------------------------------------------------------------------------
def epoch_iso(value: Any) -> str | None:
    """Epoch seconds (int, float or numeric string) → ``2026-03-16T00:00:03+00:00`` (UTC).

    Values above 10^11 are read as milliseconds.  Anything else → ``None``.
    """
    if isinstance(value, bool) or value is None:
        return None
    seconds = positive_number(value)
    if seconds is None:
        return None
    if seconds > 1e11:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


def rfc822_iso(value: Any) -> str | None:
    """An RSS date (``Fri, 24 Jul 2026 07:01:22 +0000``) → ISO 8601; unparseable text is kept as is."""
    text = clean_str(value)
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def fix_text(value: Any) -> str | None:
    """A string with its mojibake repaired (``\\u00e2\\u0080\\u0099`` → ``’``), stripped; ``None`` if empty.

    ``ftfy.fix_encoding`` (through ``fix_mojibake``) changes text only when its heuristics find UTF-8 that was
    decoded as Latin-1/Windows-1252; correct text (accents, emoji, curly quotes) is
    left alone and nothing else (entities, quotes, line breaks) is touched.
    """
    if not isinstance(value, str):
        return clean_str(value)
    return clean_str(fix_mojibake(value))


def strings(value: Any, fix: bool = False) -> list[str]:
    """The non-empty strings of a JSON list (or a single string), stripped, duplicates dropped."""
    values: Iterable[Any] = value if isinstance(value, list) else [value]
    return dedupe((fix_text(v) if fix else clean_str(v)) if isinstance(v, str) else None for v in values)


def numeric_salary(low: Any, high: Any, currency: Any, period: str | None) -> dict[str, Any]:
    """Item salary fields from numbers the source gives (``{}`` when neither is a positive number)."""
    lo, hi = positive_number(low), positive_number(high)
    if lo is None and hi is None:
        return {}
    code = iso_currency(currency)
    return {
        "salary_min": lo,
        "salary_max": hi,
        "salary_currency": code,
        "salary_period": period,
        "salary_raw": format_salary(lo, hi, code or clean_str(currency), period),
    }


def rebase_url(url: str, base_url: str) -> str:
    """``url`` moved onto ``base_url``'s scheme and host (path and query kept).

    Next-page links that an API returns absolute (``https://www.arbeitnow.com/api/...?page=2``)
    then stay on the host the spider was pointed at (a mirror, the test server).
    """
    parts, base = urlsplit(url), urlsplit(base_url)
    if not base.netloc or not parts.path:
        return url
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


def lower_host(url: str | None) -> str | None:
    """``https://remoteOK.com/x`` → ``https://remoteok.com/x`` (hosts are case-insensitive)."""
    if not url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.lower())) if parts.netloc else url


def http_url(value: Any) -> str | None:
    """A string that is an absolute http(s) URL, else ``None``."""
    text = clean_str(value)
    return text if text and urlsplit(text).scheme in ("http", "https") else None


# --- the base spider ---------------------------------------------------------------------------------
class FeedSpider(JobSpider):
    """One JSON API / RSS feed of jobs per board (no ``name``: subclass it)."""

    #: ``"json"`` or ``"xml"`` (RSS/Atom)
    feed_format: ClassVar[str] = "json"
    #: pages per feed at most (``-a max_pages=N`` overrides)
    default_max_pages: ClassVar[int] = 50

    def __init__(self, *args: Any, max_pages: str | int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_pages: int = max(1, int(max_pages)) if max_pages else self.default_max_pages
        self.seen_ids: set[str] = set()

    # -- what a board defines ----------------------------------------------------------------
    def feed_urls(self) -> list[str]:
        """The first page of every feed this run reads."""
        raise NotImplementedError

    def entries(self, data: Any) -> list[Any] | None:
        """The job entries of a parsed page; ``None`` when the page has not the expected shape."""
        raise NotImplementedError

    def entry_item(self, entry: Any, response: Response) -> JobPosting | None:
        """One entry → item, or ``None`` to skip it (the method logs/counts why)."""
        raise NotImplementedError

    def next_page(self, response: Response, data: Any, page: int) -> str | None:
        """The URL of the page after ``page`` (default: none; single-page feeds)."""
        return None

    # -- crawl ---------------------------------------------------------------------------------
    def feed_request(self, url: str, page: int = 1, feed: str | None = None) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_feed,
            errback=self.request_failed,
            cb_kwargs={"page": page, "feed": feed or url},
            meta={"handle_httpstatus_list": [404, 410]},
        )

    async def start(self) -> AsyncIterator[Any]:
        for url in self.feed_urls():
            yield self.feed_request(url)

    def parse_feed(self, response: Response, page: int, feed: str) -> Iterator[JobPosting | scrapy.Request]:
        if response.status in (404, 410):
            self.logger.warning("%s feed not found (%d): %s", self.source_name, response.status, response.url)
            self.count("feed_not_found")
            return
        data = self.load(response)
        if data is None:
            return
        entries = self.entries(data)
        if entries is None:
            self.logger.warning(
                "%s: the response has no list of jobs where one was expected: %s",
                self.source_name,
                response.url,
            )
            self.count(f"parse_error/{self.feed_format}")
            return
        self.count("listed", len(entries))
        new = 0
        for number, entry in enumerate(entries, start=1):
            try:
                item = self.entry_item(entry, response)
            except ENTRY_ERRORS as exc:
                self.logger.warning(
                    "%s: entry %d of %s unusable (%s: %s), skipped",
                    self.source_name,
                    number,
                    response.url,
                    type(exc).__name__,
                    exc,
                )
                self.count("parse_error/job")
                continue
            if item is None:
                continue
            key = str(item.source_id)
            if key in self.seen_ids:
                self.count("duplicate_in_feed")
                continue
            self.seen_ids.add(key)
            new += 1
            yield item
        next_url = self.next_page(response, data, page)
        if not next_url:
            return
        if entries and not new:
            self.logger.warning(
                "%s: page %d repeats earlier jobs, not following %s", self.source_name, page, next_url
            )
            self.count("pagination_repeat")
        elif page >= self.max_pages:
            self.logger.warning(
                "%s: stopped after %d pages (max_pages), next was %s", self.source_name, page, next_url
            )
            self.count("max_pages_reached")
        else:
            yield self.feed_request(next_url, page + 1, feed)

    # -- parsing --------------------------------------------------------------------------------
    def load(self, response: Response) -> Any:
        return self.load_xml(response) if self.feed_format == "xml" else self.load_json(response)

    def load_xml(self, response: Response) -> etree._Element | None:
        """The XML root (recovered when broken), or ``None`` after a warning and ``jobs/parse_error/xml``."""
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
        try:
            root = etree.fromstring(response.body, parser=parser)
        except etree.XMLSyntaxError as exc:
            root, detail = None, str(exc)
        else:
            detail = "; ".join(str(e) for e in list(parser.error_log)[:3])
        if root is None:
            self.logger.warning(
                "%s: response is not XML (%s): %s", self.source_name, detail or "empty", response.url
            )
            self.count("parse_error/xml")
            return None
        if len(parser.error_log):
            self.logger.warning(
                "%s: malformed XML, read what could be recovered (%s): %s",
                self.source_name,
                detail,
                response.url,
            )
            self.count("parse_error/xml")
        return root
