"""Run a hostile case the way a crawl would, and account for everything that happens.

For one :class:`~tests.hostile.corpus.Case`:

1. the response is built like Scrapy's downloader builds it (``responsetypes`` picks
   ``TextResponse``/``HtmlResponse``/``XmlResponse``/plain ``Response`` from the Content-Type and
   the body; the charset comes from the header, a BOM or the body, never from the test);
2. the target's callback runs on a fresh spider (``cb_kwargs`` as its real requests carry them);
   every item and request it yields is collected;
3. each item goes through ``ValidatePipeline`` → ``NormalizePipeline`` → ``DedupePipeline`` on the
   spider's crawler (so their stats land in the same collector);
4. each surviving item is encoded for storage (``crawler.db.store.to_rows``, the PostgreSQL COPY
   text included) and for the JSON Lines feed, and written to an SQLite database.

A *crash* is any exception that escapes one of these stages, plus the failures the code catches
and hides: a normalizer step that raised (``jobs/normalize/<step>/error``) or the normalize
pipeline's own guard (``jobs/errors/normalize``).  A *rejection* is a counted refusal: every
``jobs/...`` stat the case incremented (spider-level ``input`` rejections such as
``jobs/parse_error/json``, ``item`` drops such as ``jobs/dropped/missing_title``, ``field``
rejections such as ``jobs/normalize/salary/absurd``).  A case that loses its input silently
(no item, no request, no stat, no log line) is reported as ``silent``.
"""

from __future__ import annotations

import asyncio
import atexit
import copy
import ipaddress
import logging
import shutil
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.serialize import ScrapyJSONEncoder
from scrapy.utils.test import get_crawler

from crawler.db.engine import get_engine
from crawler.db.migrate import ensure_schema
from crawler.db.store import PostingWriter, item_fields, parse_ts, to_rows
from pipelines.dedupe import DedupePipeline
from pipelines.normalize import NormalizePipeline
from pipelines.validate import ValidatePipeline
from tests.hostile.corpus import DEFAULT_CT, TARGETS_BY_NAME, Case, Target, cases, item_cases

#: stats that describe work, not refusals
INFO_STATS = frozenset(
    {
        "jobs/validated",
        "jobs/listed",
        "jobs/listing_pages",
        "jobs/aggregator/listing_pages",
        "jobs/aggregator/links",
        "linkedin/pages",
        "linkedin/cards",
        "linkedin/detail_fallback_view",
    }
)
STAGES = ("spider", "validate", "normalize", "dedupe", "encode", "store")


#: refusals the source itself asks for (an unlisted job, a deleted comment, a repeat): debug-logged
SKIP_STATS = ("jobs/skipped/", "jobs/duplicate_in_feed", "jobs/duplicate_search_hit", "linkedin/duplicate_cards",
              "linkedin/detail_empty", "linkedin/detail_skipped_known")  # fmt: skip


def rejection_kind(key: str) -> str | None:
    """``input`` / ``skip`` / ``item`` / ``field`` for a stat that counts a refusal, ``None`` otherwise.

    ``input``: the spider refused (part of) a response (``jobs/parse_error/*``, ...), always with a
    log line; ``skip``: an entry the source marks as not a posting; ``item``: a posting dropped by a
    pipeline; ``field``: one value refused (``jobs/normalize/salary/absurd``, ``jobs/truncated/*``).
    """
    if key in INFO_STATS or not key.startswith(("jobs/", "linkedin/")) or key.endswith("/error"):
        return None  # ("<step>/error": a swallowed crash, counted as a crash)
    if key.startswith(SKIP_STATS):
        return "skip"
    if key.startswith("jobs/dropped/"):
        return "item"
    if key.startswith(("jobs/normalize/", "jobs/truncated/", "jobs/invalid_field/")):
        return "field"
    if key.startswith("jobs/errors/"):
        return None  # a crash, not a rejection
    return "input"


@dataclass
class Crash:
    case: str
    stage: str
    error: str
    traceback: str = ""

    def __str__(self) -> str:
        return f"{self.case} [{self.stage}] {self.error}\n{self.traceback}"


@dataclass
class CaseResult:
    case: str
    target: str
    kind: str
    items: int = 0  # yielded by the spider
    requests: int = 0  # yielded by the spider
    passed: int = 0  # through validate -> normalize -> dedupe
    stored: int = 0  # written to SQLite
    rejections: Counter[str] = field(default_factory=Counter)
    crashes: list[Crash] = field(default_factory=list)
    logged: int = 0  # the project's log records (not Scrapy's) at INFO or above
    unsafe_requests: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def silent(self) -> bool:
        """Nothing came out and nothing says why."""
        return not (self.items or self.requests or self.rejections or self.crashes or self.logged)


# --- building responses ----------------------------------------------------------------------------------------
def make_response(target: Target, case: Case, request: Request) -> Response:
    """The response Scrapy's downloader would build for this body and Content-Type."""
    content_type = target.content_type if case.content_type == DEFAULT_CT else case.content_type
    headers = Headers({"Content-Type": content_type} if content_type else {})
    body = case.data()
    cls = responsetypes.from_args(headers=headers, url=target.url, body=body)
    return cls(url=target.url, status=200, headers=headers, body=body, request=request)


def make_spider(target: Target) -> Spider:
    crawler = get_crawler(target.spider, settings_dict=dict(target.settings))
    kwargs = {"base_url": "https://hostile.test", **target.spider_kwargs}
    spider = target.spider.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


# --- accounting helpers ----------------------------------------------------------------------------------------------
#: loggers that say nothing about the input (crawler set-up, warnings machinery)
_NOT_OURS = ("scrapy", "py.warnings", "twisted", "asyncio", "filelock")


class _Counter(logging.Handler):
    """Counts the project's log records (spiders, pipelines, crawler.*) at INFO and above."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(_NOT_OURS):
            self.records += 1


@contextmanager
def counting_logs() -> Iterator[_Counter]:
    root = logging.getLogger()
    handler, level = _Counter(), root.level
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO) if level else logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def unsafe_url(url: str) -> str | None:
    """Why a URL a spider wants to follow would be dangerous to fetch (a static check, no DNS)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "unparsable"
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme or '(none)'}"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None if host else "no host"
    return None if address.is_global else f"address {address}"


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def _tb(exc: BaseException) -> str:
    lines = traceback.format_exception(exc)
    return "".join(lines[-8:])


def explain_normalize(item: Any, now: datetime | None) -> str:
    """The traceback a swallowed normalizer step error hides: re-run with steps that raise."""
    from crawler.normalize import posting

    original = posting._run

    def raising(problems: Any, step: str, fn: Any) -> None:
        fn()

    posting._run = raising  # type: ignore[assignment]
    try:
        posting.normalize_posting(item, now=now)
    except Exception as exc:
        return _tb(exc)
    finally:
        posting._run = original  # type: ignore[assignment]
    return "(did not reproduce)"


@cache
def store_writer() -> PostingWriter:
    """One SQLite database per test process for everything the corpus stores."""
    directory = tempfile.mkdtemp(prefix="hostile-store-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    url = f"sqlite:///{directory}/hostile.db"
    ensure_schema(url, auto_migrate=True)
    return PostingWriter(get_engine(url))


_feed_encoder = ScrapyJSONEncoder(ensure_ascii=False)


def encode_for_storage(item: Any) -> None:
    """Raises what PostgreSQL's COPY path, SQLite and the feed exporter would raise on this item."""
    now = datetime.now(UTC)
    for row in to_rows([item_fields(item)], now, None, encode_json=True):
        for value in row:
            if isinstance(value, str):
                value.encode("utf-8")  # the COPY stream and the drivers encode UTF-8
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
                raise OverflowError(f"integer {str(value)[:20]}... does not fit a BIGINT/REAL column")
    _feed_encoder.encode(ItemAdapter(item).asdict()).encode("utf-8")


# --- the pipeline chain ------------------------------------------------------------------------------------------------
class Chain:
    """validate -> normalize -> dedupe on one crawler, with crash accounting."""

    def __init__(self, spider: Spider) -> None:
        crawler = spider.crawler
        self.stats = crawler.stats
        self.validate = ValidatePipeline(crawler)
        self.normalize = NormalizePipeline(crawler)
        self.normalize.workers = 0  # every posting normalized in place (the pool has its own tests)
        self.dedupe = DedupePipeline(crawler)

    def run(self, item: Any, result: CaseResult) -> Any | None:
        assert self.stats is not None
        try:
            item = self.validate.process_item(item)
        except DropItem:
            return None
        except Exception as exc:
            result.crashes.append(Crash(result.case, "validate", _error(exc), _tb(exc)))
            return None
        before = dict(self.stats.get_stats())
        snapshot = copy.copy(item)  # normalize_posting assigns fields, it does not mutate them in place
        try:
            item = asyncio.run(self.normalize.process_item(item))  # in place: no worker pool here
        except Exception as exc:
            result.crashes.append(Crash(result.case, "normalize", _error(exc), _tb(exc)))
            return None
        after = self.stats.get_stats()
        hidden = [
            k
            for k, v in after.items()
            if v != before.get(k)
            and (k == "jobs/errors/normalize" or (k.startswith("jobs/normalize/") and k.endswith("/error")))
        ]
        if hidden:
            now = parse_ts(getattr(snapshot, "fetched_at", None))
            result.crashes.append(
                Crash(result.case, "normalize", f"swallowed: {', '.join(sorted(hidden))}", explain_normalize(snapshot, now))
            )
        try:
            item = self.dedupe.process_item(item)
        except DropItem:
            return None
        except Exception as exc:
            result.crashes.append(Crash(result.case, "dedupe", _error(exc), _tb(exc)))
            return None
        try:
            encode_for_storage(item)
        except Exception as exc:
            result.crashes.append(Crash(result.case, "encode", _error(exc), _tb(exc)))
        return item


def store(items: list[Any], result: CaseResult) -> None:
    """Write the case's postings; a failing batch is retried one by one to name the culprit."""
    if not items:
        return
    writer = store_writer()
    try:
        result.stored += writer.write(items)
        return
    except Exception:
        pass
    for item in items:
        try:
            result.stored += writer.write([item])
        except Exception as exc:
            result.crashes.append(Crash(result.case, "store", _error(exc), _tb(exc)))


# --- running ----------------------------------------------------------------------------------------------------------------
def run_case(target: Target, case: Case) -> CaseResult:
    result = CaseResult(case.id, target.name, case.kind)
    started = time.perf_counter()
    with counting_logs() as logs:
        spider = make_spider(target)
        stats = spider.crawler.stats
        assert stats is not None
        before = dict(stats.get_stats())
        cb_kwargs = target.cb_kwargs(spider)
        request = Request(target.url, cb_kwargs=cb_kwargs)
        items: list[Any] = []
        try:
            response = make_response(target, case, request)
            for out in getattr(spider, target.callback)(response, **cb_kwargs) or ():
                if isinstance(out, Request):
                    result.requests += 1
                    reason = unsafe_url(out.url)
                    if reason:
                        result.unsafe_requests.append(f"{out.url[:120]} ({reason})")
                elif out is not None:
                    items.append(out)
        except CloseSpider as exc:
            result.rejections[f"closespider/{exc.reason}"] += 1
        except Exception as exc:
            result.crashes.append(Crash(case.id, "spider", _error(exc), _tb(exc)))
        result.items = len(items)
        chain = Chain(spider)
        passed = [p for p in (chain.run(item, result) for item in items) if p is not None]
        result.passed = len(passed)
        store(passed, result)
        for key, value in stats.get_stats().items():
            if isinstance(value, int) and value != before.get(key, 0) and rejection_kind(key):
                result.rejections[key] += value - before.get(key, 0)
    result.logged = logs.records
    result.seconds = time.perf_counter() - started
    return result


def run_items() -> list[CaseResult]:
    """The postings of :func:`item_cases`, through the pipelines (one spider, one dedupe)."""
    target = TARGETS_BY_NAME["remotive.parse_feed"]  # any spider: only its crawler is used
    spider = make_spider(target)
    chain = Chain(spider)
    stats = spider.crawler.stats
    assert stats is not None
    results = []
    for label, item in item_cases():
        result = CaseResult(f"pipelines:item:{label}", "pipelines", "item", items=1)
        before = dict(stats.get_stats())
        with counting_logs() as logs:
            passed = chain.run(item, result)
            if passed is not None:
                result.passed = 1
                store([passed], result)
        for key, value in stats.get_stats().items():
            if isinstance(value, int) and value != before.get(key, 0) and rejection_kind(key):
                result.rejections[key] += value - before.get(key, 0)
        result.logged = logs.records
        results.append(result)
    return results


def run_target(name: str) -> list[CaseResult]:
    if name == "pipelines":
        return run_items()
    target = TARGETS_BY_NAME[name]
    return [run_case(target, case) for case in cases()[name]]

