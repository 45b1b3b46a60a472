"""LinkedIn public (logged-out) job search and job pages.  No account, no login cookies.

    scrapy crawl linkedin -a keywords="python developer" -a location=Italy \\
        -a posted_within=7d -a workplace=remote -a job_type=full_time -a experience=entry,associate

Arguments (``-a``)
    ``keywords``, ``location`` or ``geo_id`` (at least one); ``posted_within``
    (``24h``, ``7d``, ``30d``, ``2w``, seconds -> ``f_TPR=r<seconds>``); ``workplace``
    (``remote``/``hybrid``/``onsite`` or 2/3/1 -> ``f_WT``); ``job_type`` (``full_time``,
    ``part_time``, ``contract``, ``temporary``, ``internship``, ``volunteer``, ``other``
    or F/P/C/T/I/V/O -> ``f_JT``); ``experience`` (``internship``, ``entry``,
    ``associate``, ``mid_senior``, ``director``, ``executive`` or 1-6 -> ``f_E``).
    Lists are comma-separated.  ``max_results`` (default 1000, LinkedIn's cap);
    ``start`` (first offset, default 0); ``details`` (``0``: cards only);
    ``incremental=1`` (only postings newer than the last finished run of the same
    search, see below); ``refresh=1`` (fetch details of already-stored ids too);
    ``resume=1`` (continue where the last blocked/interrupted run of the same search
    stopped).  Invalid values raise ``ValueError`` before anything is fetched.

Pagination
    ``seeMoreJobPostings/search?...&sortBy=DD&start=N``: ``start`` advances by the
    number of cards the page actually returned.  Stops at an empty fragment, at
    ``max_results``, or when the same page comes back three times in a row.  Ids are deduped
    within the run.

Empty fragment rule (end of results vs. block)
    An empty fragment is the normal end, except when the page before it was
    full-sized (at least ``LINKEDIN_PAGE_SIZE`` = 10 cards) or the page is the first
    one of a resumed run: then it is ambiguous and reported to the block middleware
    as a block signal (reason ``empty_page``), which backs off and retries the same
    ``start``.  If it is still empty after ``LINKEDIN_EMPTY_PAGE_RETRIES`` (1)
    retries it is accepted as the end (stat ``linkedin/empty_page_accepted``).  An
    empty first page (``start=0``) is simply "no results".

Details
    Every new card gets ``jobs-guest/jobs/api/jobPosting/{id}`` (``/jobs/view/{id}/``
    when that is a 404 or carries no posting); the card data rides along in
    ``cb_kwargs`` and is merged into the posting.  When the detail fails for good the
    card-only posting is still emitted (``raw["detail_error"]``).  A stored posting whose
    card reads as when its detail was fetched (title, company, place, pay, posted date:
    :func:`card_marker`, kept in ``raw["_listing_hash"]``; ``crawler.incremental``) is not
    fetched again unless ``refresh=1``: its card-only posting is emitted with
    ``raw["detail_skipped"]``.  A changed card, or a posting whose detail never arrived, is
    fetched again (stat ``linkedin/detail_changed``).

Blocks and resume
    ``crawler.middlewares.blocks.BlockMiddleware`` handles 429/999/403, authwall/login
    redirects, authwall pages and the empty-page rule above (back-off, then close
    reason ``"blocked"``).  At close, if the search did not finish (blocked, interrupted,
    a search page failed) or details were left unfetched, the spider writes
    ``LINKEDIN_STATE_DIR/linkedin-<search hash>.json`` (offset to continue from, the
    exact query parameters used, the cards whose details are missing) and sets the
    stat ``linkedin/stopped_at_start``.  ``-a resume=1`` reads it back; a run that
    completes the search deletes it.  Resumed runs record ``resume`` in their
    arguments, so they never serve as the reference of an incremental run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.incremental import DetailPlan, IncrementalDetails, listing_hash, record_marker
from crawler.items import JobPosting
from crawler.middlewares.blocks import META_RETRIES, BlockedStop
from spiders.base import JobSpider
from spiders.platforms.linkedin import (
    BLOCK_BODY_PATTERNS,
    BLOCK_URL_PATTERNS,
    DETAIL_API_PATH,
    DETAIL_VIEW_PATH,
    MAX_RESULTS,
    Card,
    Detail,
    SearchQuery,
    parse_cards,
    parse_detail,
    posting_fields,
    search_url,
)

logger = logging.getLogger(__name__)

DEFAULT_DOWNLOAD_DELAY = 3.0
#: extra seconds added to the incremental window (clock skew, postings indexed late)
DEFAULT_INCREMENTAL_MARGIN = 3600
STATE_VERSION = 1


def _flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"-a {name}={value!r}: expected 1 or 0")


def _int_arg(value: str | None, name: str, default: int, minimum: int = 0) -> int:
    if value is None or str(value).strip() == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"-a {name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise ValueError(f"-a {name}={value!r}: must be >= {minimum}")
    return number


def card_marker(card: Card) -> str:
    """What a search card says that an edit of the posting changes (title, company, place, pay,
    posted date); not the relative date text or tracking ids, which change on their own."""
    return listing_hash([card.title, card.company, card.location, card.salary, card.listdate])


class LinkedInSpider(JobSpider):
    name = "linkedin"
    default_base_url = "https://www.linkedin.com"

    custom_settings = {  # noqa: RUF012 (Scrapy's own attribute)
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        # a callback yields at most 11 things (10 detail requests + the next page); Scrapy starts
        # CONCURRENT_ITEMS (default 100) asyncio tasks per response whatever it yields: ~8% of the CPU
        "CONCURRENT_ITEMS": 16,
        # DOWNLOAD_DELAY / AUTOTHROTTLE_START_DELAY come from LINKEDIN_DOWNLOAD_DELAY (update_settings)
        "DOWNLOAD_DELAY_JITTER": 0.5,  # Scrapy 2.19's RANDOMIZE_DOWNLOAD_DELAY: delay x [0.5, 1.5]
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.blocks.BlockMiddleware": 585},
        "BLOCK_HTTP_CODES": [429, 999, 403],
        "BLOCK_URL_PATTERNS": BLOCK_URL_PATTERNS,
        "BLOCK_BODY_PATTERNS": BLOCK_BODY_PATTERNS,
    }

    def __init__(
        self,
        *args: Any,
        keywords: str | None = None,
        location: str | None = None,
        geo_id: str | None = None,
        posted_within: str | None = None,
        workplace: str | None = None,
        job_type: str | None = None,
        experience: str | None = None,
        max_results: str | None = None,
        start: str | None = None,
        details: str | None = None,
        incremental: str | None = None,
        refresh: str | None = None,
        resume: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.query = SearchQuery.from_args(
            keywords=keywords,
            location=location,
            geo_id=geo_id,
            posted_within=posted_within,
            workplace=workplace,
            job_type=job_type,
            experience=experience,
        )
        self.max_results = _int_arg(max_results, "max_results", MAX_RESULTS, minimum=1)
        self.first_start = _int_arg(start, "start", 0)
        self.fetch_details = _flag(details, "details") if details is not None else True
        self.incremental = _flag(incremental, "incremental")
        self.refresh = _flag(refresh, "refresh")
        self.resume = _flag(resume, "resume")
        #: the search this run is about: crawl_runs.args, the incremental lookup, the state file name
        self.search_identity: dict[str, str] = dict(self.query.identity())
        if self._base_url_arg:
            self.search_identity["base_url"] = self._base_url_arg.rstrip("/")
        if max_results is not None:
            self.search_identity["max_results"] = str(self.max_results)
        if not self.fetch_details:
            self.search_identity["details"] = "0"
        self.spider_args = dict(self.search_identity)
        if self.first_start:
            self.spider_args["start"] = str(self.first_start)
        if self.resume:
            self.spider_args["resume"] = "1"
        # run state
        self.params: dict[str, str] = {}
        self._seen: set[str] = set()
        #: job id -> card of every detail request not answered yet
        self._pending: dict[str, Card] = {}
        #: cards whose detail was dropped because the crawl stopped (fetched again on resume)
        self._unfetched: dict[str, Card] = {}
        #: offset of the next search page not parsed yet; None once the search is complete
        self._next_start: int | None = self.first_start
        self._last_page_ids: list[str] = []
        self._repeated_pages = 0
        #: (response, its cards) parsed by block_reason, reused by parse_search (one parse per page)
        self._cards_of: tuple[Response, list[Card]] | None = None
        # one bound method per callback for the whole crawl: Scrapy checks every callback's source
        # (inspect + ast) for a generator returning a value and caches the verdict weakly per callback
        # object, so a fresh bound method on each request was parsed again (~2% of a crawl's CPU)
        self._on_search = self.parse_search
        self._on_search_failed = self.search_failed
        self._on_detail = self.parse_detail
        self._on_detail_failed = self.detail_failed

    # -- settings -------------------------------------------------------------------------------------
    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        delay = settings.getfloat("LINKEDIN_DOWNLOAD_DELAY", DEFAULT_DOWNLOAD_DELAY)
        settings.set("DOWNLOAD_DELAY", delay, priority="spider")
        settings.set("AUTOTHROTTLE_START_DELAY", delay, priority="spider")

    @property
    def page_size(self) -> int:
        return self.settings.getint("LINKEDIN_PAGE_SIZE", 10)

    @property
    def empty_page_retries(self) -> int:
        return self.settings.getint("LINKEDIN_EMPTY_PAGE_RETRIES", 1)

    def _stat(self, key: str, value: Any = None, inc: int | None = None) -> None:
        if self.crawler is None or self.crawler.stats is None:
            return
        if inc is not None:
            self.crawler.stats.inc_value(f"linkedin/{key}", inc)
        else:
            self.crawler.stats.set_value(f"linkedin/{key}", value)

    # -- start -----------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        tpr = self._incremental_window()
        self.params = self.query.params(tpr)
        expect_first = False
        if self.resume:
            state = self._load_state()
            if state is None:
                logger.warning(
                    "linkedin: -a resume=1 but no saved state for this search; starting at %d",
                    self.first_start,
                )
            else:
                self.params = dict(state["params"])
                self._next_start = state.get("start")
                self._seen.update(str(i) for i in state.get("seen", []))
                expect_first = True
                self._stat("resumed_from_start", self._next_start)
                pending = [Card.from_dict(c) for c in state.get("unfetched", [])]
                logger.info(
                    "linkedin: resuming at start=%s with %d unfetched details", self._next_start, len(pending)
                )
                for card in pending:
                    self._seen.add(card.job_id)
                    yield self.detail_request(card)
        if self._next_start is not None:
            yield self.search_request(self._next_start, expect_cards=expect_first)

    def _incremental_window(self) -> int | None:
        """``f_TPR`` seconds: since the last finished run of this search (+ margin) when incremental."""
        window = self.query.posted_within
        if not self.incremental:
            return window
        from crawler.db.queries import last_successful_run_started

        since = last_successful_run_started(self.settings, self.name, self.search_identity)
        if since is None:
            logger.info("linkedin: incremental run without a previous finished run: full window")
            return window
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        margin = self.settings.getint("LINKEDIN_INCREMENTAL_MARGIN", DEFAULT_INCREMENTAL_MARGIN)
        seconds = max(1, math.ceil((datetime.now(UTC) - since).total_seconds()) + margin)
        self._stat("incremental_since", since.isoformat())
        self._stat("incremental_window", seconds)
        logger.info("linkedin: incremental since %s (f_TPR=r%d)", since.isoformat(), seconds)
        return min(seconds, window) if window else seconds

    # -- search ----------------------------------------------------------------------------------------
    def search_request(self, start: int, expect_cards: bool) -> scrapy.Request:
        return scrapy.Request(
            search_url(self.base_url, self.params, start),
            callback=self._on_search,
            errback=self._on_search_failed,
            meta={"linkedin_start": start, "linkedin_expect_cards": expect_cards},
            cb_kwargs={"start": start},
        )

    def block_reason(self, request: scrapy.Request, response: Response) -> str | None:
        """Hook of the block middleware: an empty search page where cards were expected."""
        if "linkedin_start" not in request.meta or response.status != 200:
            return None
        if not isinstance(response, TextResponse):
            return None
        if not request.meta.get("linkedin_expect_cards"):
            return None
        cards = parse_cards(response.text)
        self._cards_of = (response, cards)
        if cards:
            return None
        if int(request.meta.get(META_RETRIES, 0)) < self.empty_page_retries:
            return "empty_page"
        self._stat("empty_page_accepted", inc=1)
        return None

    def parse_search(self, response: Response, start: int) -> Iterator[Any]:
        if not isinstance(response, TextResponse):  # binary body: unusable, the search stays resumable here
            logger.warning("linkedin: search page start=%d is not text: %s", start, response.url)
            self._stat("not_text", inc=1)
            return
        cached, self._cards_of = self._cards_of, None
        cards = cached[1] if cached is not None and cached[0] is response else parse_cards(response.text)
        self._stat("pages", inc=1)
        if not cards:
            logger.info("linkedin: empty page at start=%d: end of results", start)
            self._next_start = None
            return
        cards = cards[: max(0, self.max_results - start)]
        self._stat("cards", inc=len(cards))
        new = [c for c in cards if c.job_id not in self._seen]
        self._seen.update(c.job_id for c in new)
        if len(new) < len(cards):
            self._stat("duplicate_cards", inc=len(cards) - len(new))
        plan = self._detail_plan(new)
        for card in new:
            if not self.fetch_details:
                yield self.posting(card, None)
            elif plan.skip(card.job_id):
                self._stat("detail_skipped_known", inc=1)
                item = self.posting(card, None)
                item.raw["detail_skipped"] = True
                yield item
            else:
                if card.job_id in plan.changed:
                    self._stat("detail_changed", inc=1)
                yield self.detail_request(card)
        next_start = start + len(cards)
        page_ids = [c.job_id for c in cards]
        self._repeated_pages = self._repeated_pages + 1 if page_ids == self._last_page_ids else 0
        self._last_page_ids = page_ids
        if next_start >= self.max_results:
            logger.info("linkedin: max_results=%d reached", self.max_results)
            self._next_start = None
        elif self._repeated_pages >= 2:
            logger.warning(
                "linkedin: the same page came back three times (start=%d): stopping pagination", start
            )
            self._stat("pagination_stalled", 1)
            self._next_start = None
        else:
            self._next_start = next_start
            yield self.search_request(next_start, expect_cards=len(cards) >= self.page_size)

    def search_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        start = request.meta.get("linkedin_start")
        if failure.check(BlockedStop):
            logger.warning("linkedin: search stopped by a block at start=%s", start)
        else:
            logger.error("linkedin: search page start=%s failed: %s", start, failure.getErrorMessage())
        self._next_start = start

    def _detail_plan(self, cards: list[Card]) -> DetailPlan:
        """Which cards' details to fetch: a stored posting whose card reads as when its detail was
        fetched is skipped; a new, changed, closed or never-detailed one is fetched (one query)."""
        markers = {c.job_id: card_marker(c) for c in cards}
        if not self.fetch_details:
            return DetailPlan(new=frozenset(markers))
        return IncrementalDetails(enabled=not self.refresh).plan(self.settings, self.source_name, markers)

    # -- details ---------------------------------------------------------------------------------------
    def detail_request(self, card: Card, fallback: bool = False) -> scrapy.Request:
        path = (DETAIL_VIEW_PATH if fallback else DETAIL_API_PATH).format(id=card.job_id)
        self._pending[card.job_id] = card
        return scrapy.Request(
            self.base_url + path,
            callback=self._on_detail,
            errback=self._on_detail_failed,
            cb_kwargs={"card": card, "fallback": fallback},
            priority=1,  # finish the postings of a page before paging on
        )

    def parse_detail(self, response: Response, card: Card, fallback: bool) -> Iterator[Any]:
        if not isinstance(response, TextResponse):  # binary body: handled as an empty detail
            logger.warning("linkedin: detail of %s is not text: %s", card.job_id, response.url)
            self._stat("not_text", inc=1)
        detail = parse_detail(response.text) if isinstance(response, TextResponse) else Detail()
        if detail.empty:
            if not fallback:
                self._stat("detail_fallback_view", inc=1)
                yield self.detail_request(card, fallback=True)
                return
            self._pending.pop(card.job_id, None)
            self._stat("detail_empty", inc=1)
            item = self.posting(card, None)
            item.raw["detail_error"] = "empty"
            yield item
            return
        self._pending.pop(card.job_id, None)
        item = self.posting(card, detail)
        item.raw["detail_source"] = "view" if fallback else "api"
        yield item

    def detail_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        card: Card = request.cb_kwargs["card"]
        fallback: bool = request.cb_kwargs["fallback"]
        error = failure.value
        status = error.response.status if isinstance(error, HttpError) else None
        if status == 404 and not fallback:
            self._stat("detail_fallback_view", inc=1)
            yield self.detail_request(card, fallback=True)
            return
        self._pending.pop(card.job_id, None)
        if failure.check(BlockedStop):
            self._unfetched[card.job_id] = card
            reason = "blocked"
        else:
            reason = f"http {status}" if status else failure.getErrorMessage() or type(error).__name__
            logger.warning("linkedin: detail of %s failed (%s): emitting the card only", card.job_id, reason)
        self._stat("detail_failed", inc=1)
        item = self.posting(card, None)
        item.raw["detail_error"] = reason
        yield item

    def posting(self, card: Card, detail: Detail | None) -> JobPosting:
        # a card alone is a re-sighting: storage keeps a stored description rather than wiping it
        item = self.new_item(**posting_fields(card.job_id, card, detail), partial=detail is None)
        if detail is not None:  # the next run skips this detail while the card reads the same
            record_marker(item, card_marker(card))
        return item

    # -- close / resume state -----------------------------------------------------------------------------
    def closed(self, reason: str) -> None:
        # details still pending at close were never answered: keep them for the next run
        self._unfetched.update(self._pending)
        incomplete = self._next_start is not None or bool(self._unfetched)
        if self._next_start is not None:
            self._stat("stopped_at_start", self._next_start)
        if self._unfetched:
            self._stat("unfetched_details", len(self._unfetched))
        path = self.state_path()
        if path is None:
            return
        if incomplete:
            state = {
                "version": STATE_VERSION,
                "spider": self.name,
                "search": self.search_identity,
                "params": self.params,
                "start": self._next_start,
                "unfetched": [c.as_dict() for c in self._unfetched.values()],
                "seen": sorted(self._seen - set(self._unfetched)),
                "reason": reason,
                "stopped_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(path)
            logger.info("linkedin: search incomplete (%s); resume state written to %s", reason, path)
        elif path.exists():
            path.unlink()

    def state_path(self) -> Path | None:
        directory = self.settings.get("LINKEDIN_STATE_DIR", ".state")
        if not directory:
            return None
        digest = hashlib.sha1(
            json.dumps(self.search_identity, sort_keys=True).encode("utf-8"), usedforsecurity=False
        ).hexdigest()[:16]
        return Path(directory) / f"{self.name}-{digest}.json"

    def _load_state(self) -> dict[str, Any] | None:
        path = self.state_path()
        if path is None or not path.exists():
            return None
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("linkedin: unreadable resume state %s: %s", path, exc)
            return None
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION or "params" not in state:
            logger.warning("linkedin: resume state %s has an unknown format; ignored", path)
            return None
        return state
