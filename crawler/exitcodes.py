"""Process exit codes of ``scrapy crawl`` and ``scrapy crawlall`` (the one table; README "Scheduled runs").

``scrapy crawl`` exits with the code of its run's ``crawl_runs.status``; ``scrapy crawlall``
with the most severe code among its spiders (:data:`SEVERITY`).  Scrapy's own crawl command
exits 0 whenever the spider could be started, even if every request failed; ours does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    #: every run finished normally and passed its checks (``finished``)
    OK = 0
    #: the spider raised / errors were logged / items had to be spooled / the crawl could not
    #: start (unknown spider, bad argument, schema not migrated) / abnormal close (``failed``)
    FAILED = 1
    #: bad command line (Scrapy's own usage error)
    USAGE = 2
    #: the site blocked us: the spider stopped with close reason ``blocked`` (``blocked``)
    BLOCKED = 3
    #: stopped by SIGTERM/SIGINT (``interrupted``)
    INTERRUPTED = 4
    #: more request attempts failed (5xx, 429, network errors) than ``ERROR_RATE_MAX``,
    #: or every one did (``high_error_rate``)
    HIGH_ERROR_RATE = 5
    #: stored fewer postings than the source's minimum (``MIN_ITEMS``; ``too_few_items``)
    TOO_FEW_ITEMS = 6
    #: field coverage or validation failures got worse than the source's recent finished runs
    #: by more than ``COVERAGE_DROP_THRESHOLD`` (``degraded``)
    DEGRADED = 7
    #: another run of the same source holds its lock: nothing was crawled (no ``crawl_runs`` row)
    LOCKED = 8


#: ``crawl_runs.status`` -> exit code
STATUS_EXIT_CODES: dict[str, ExitCode] = {
    "finished": ExitCode.OK,
    "failed": ExitCode.FAILED,
    "blocked": ExitCode.BLOCKED,
    "interrupted": ExitCode.INTERRUPTED,
    "high_error_rate": ExitCode.HIGH_ERROR_RATE,
    "too_few_items": ExitCode.TOO_FEW_ITEMS,
    "degraded": ExitCode.DEGRADED,
    "locked": ExitCode.LOCKED,
}

#: most severe first: ``crawlall`` exits with the first of these that any spider returned
SEVERITY: tuple[ExitCode, ...] = (
    ExitCode.FAILED,
    ExitCode.USAGE,
    ExitCode.INTERRUPTED,
    ExitCode.BLOCKED,
    ExitCode.HIGH_ERROR_RATE,
    ExitCode.TOO_FEW_ITEMS,
    ExitCode.DEGRADED,
    ExitCode.LOCKED,
    ExitCode.OK,
)


def for_status(status: str | None) -> ExitCode:
    """The exit code of a run status (an unknown or missing status is a failure)."""
    return STATUS_EXIT_CODES.get(status or "", ExitCode.FAILED)


def from_returncode(code: int) -> ExitCode:
    """A child process's return code as an :class:`ExitCode` (killed or unknown -> ``FAILED``)."""
    try:
        return ExitCode(code)
    except ValueError:
        return ExitCode.FAILED


def worst(codes: Iterable[int]) -> ExitCode:
    """The most severe of ``codes`` (``OK`` for none)."""
    present = {from_returncode(c) for c in codes}
    for code in SEVERITY:
        if code in present:
            return code
    return ExitCode.OK
