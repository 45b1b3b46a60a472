"""Base class shared by every spider of the project."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import JobPosting
from crawler.structured import loads_json


def split_arg(value: str | Iterable[str] | None) -> list[str]:
    """``-a companies=a,b , c`` -> ``["a", "b", "c"]`` (lists pass through, blanks dropped)."""
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else list(value)
    return [p.strip() for p in parts if p and p.strip()]


TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def truthy(value: Any) -> bool:
    """``-a refresh=1`` / ``yes`` / ``true`` / ``on`` -> True."""
    return str(value or "").strip().lower() in TRUE_VALUES


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class JobSpider(scrapy.Spider):
    """A spider that yields :class:`JobPosting` items.

    Every spider takes its base URL from, in order: ``-a base_url=``, the
    setting ``<NAME>_BASE_URL`` (e.g. ``GREENHOUSE_BASE_URL``, also read from
    the environment by ``settings.py``), then ``default_base_url``.  Tests and
    the demo point spiders at a local server this way.
    """

    default_base_url: ClassVar[str] = ""
    #: platform-wide base-URL setting (e.g. ``GREENHOUSE_BASE_URL`` for every Greenhouse source),
    #: read after ``-a base_url`` and ``<NAME>_BASE_URL``
    platform_setting: ClassVar[str] = ""
    #: value of ``JobPosting.source``; defaults to the spider name
    source: ClassVar[str | None] = None
    #: the ``-a`` arguments of this run (set by ``from_crawler``), recorded in ``crawl_runs.args``
    spider_args: dict[str, Any]

    def __init__(self, *args: Any, base_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._base_url_arg = base_url

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # the ``-a`` arguments of this run, recorded in ``crawl_runs.args`` (a spider may set its own
        # canonical form in ``__init__``, e.g. LinkedIn's search identity)
        if "spider_args" not in spider.__dict__:
            spider.spider_args = {k: v for k, v in kwargs.items() if not k.startswith("_")}
        return spider

    @property
    def base_url(self) -> str:
        """The configured base URL without a trailing slash ("" when none is configured).

        (Never raises: Scrapy's feed exporter reads every spider attribute.)
        """
        url = self._base_url_arg
        settings = getattr(self, "settings", None)
        if not url and settings is not None:
            url = settings.get(f"{self.name.upper()}_BASE_URL")
            if not url and self.platform_setting:
                url = settings.get(self.platform_setting)
        url = url or self.default_base_url
        return (url or "").rstrip("/")

    @property
    def source_name(self) -> str:
        return self.source or self.name

    def new_item(self, **fields: Any) -> JobPosting:
        """A posting stamped with this spider's source and the fetch time."""
        item = JobPosting(source=self.source_name, fetched_at=utc_now_iso())
        for key, value in fields.items():
            setattr(item, key, value)
        return item

    def count(self, key: str, n: int = 1) -> None:
        """Increment a ``jobs/...`` stat (``self.count("parse_error/json")``)."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(f"jobs/{key}", n)

    def request_failed(self, failure: Failure) -> None:
        """Errback: a request that failed for good is a warning and ``jobs/request_failed``;
        one that robots.txt forbids (``ROBOTSTXT_OBEY``) is ``jobs/robots_forbidden``."""
        request = getattr(failure, "request", None)
        url = getattr(request, "url", "?")
        if (
            failure.check(IgnoreRequest)
            and not failure.check(HttpError)
            and "robots.txt" in failure.getErrorMessage()
        ):
            self.logger.warning(
                "request not sent (%s): %s; robots.txt is obeyed, -s ROBOTSTXT_OBEY=False overrides it",
                failure.getErrorMessage(),
                url,
            )
            self.count("robots_forbidden")
            return
        self.logger.warning("request failed: %s (%s)", url, failure.getErrorMessage())
        self.count("request_failed")

    def load_json(self, response: Response, what: str | None = None) -> Any:
        """The JSON body, or ``None`` after a warning and ``jobs/parse_error/json``."""
        try:
            data = loads_json(response.body)  # ValueError also for JSON nested too deeply for Python
        except ValueError as exc:
            self.logger.warning(
                "%s: response is not JSON (%s): %s", what or self.source_name, exc, response.url
            )
            self.count("parse_error/json")
            return None
        if data is None:  # a bare "null": nothing to read, and callers take None as "failed, said so"
            self.logger.warning("%s: response is JSON null: %s", what or self.source_name, response.url)
            self.count("parse_error/json")
        return data
