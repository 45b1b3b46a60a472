"""Ashby public job-posting API (``api.ashbyhq.com/posting-api``): one base class for every Ashby board.

A source on Ashby is a few lines::

    class AcmeSpider(AshbySpider):
        name = "acme"
        default_companies = ("acme|Acme Inc.",)

Requests ``{base_url}/posting-api/job-board/{slug}?includeCompensation=true``
per board (developers.ashbyhq.com/docs/public-job-posting-api).  There is no
paging: one response holds every published job of the board.

Arguments (``-a``):

- ``companies=slug,slug|Name`` — job-board names (the ``{slug}`` of
  ``jobs.ashbyhq.com/{slug}``).  The API carries no organization name, so
  ``company`` is the ``| Name`` given here or in ``spiders/data/{companies_file}``,
  else ``None`` (never guessed from the slug).
- ``base_url=`` — another API host (tests, mirror); also the settings
  ``{NAME}_BASE_URL`` and ``ASHBY_BASE_URL``.

Identity: ``source`` = ``ashby``; ``source_id`` = the job ``id`` (a UUID, unique
across Ashby).  The board slug is kept in ``raw["_board"]``.

Mapping: ``jobUrl`` → ``url``, ``applyUrl`` → ``apply_url``; ``descriptionHtml``
→ ``description_html`` (``descriptionPlain`` only when there is no HTML);
``location`` + ``secondaryLocations[].location`` → ``location_raw``;
``workplaceType`` (``OnSite``/``Hybrid``/``Remote``) → ``workplace_raw``, or
``"Remote"`` when only the older ``isRemote: true`` is present (``isRemote`` is
true on hybrid jobs too, so it never overrides ``workplaceType``);
``employmentType`` (``FullTime``, ``PartTime``, ``Intern``, ``Contract``,
``Temporary``) → ``employment_type_raw``; department and team → ``tags``;
``publishedAt`` → ``posted_raw``.  Jobs with ``isListed: false`` (reachable by
link only) are skipped and counted (``jobs/skipped/unlisted``).

Salary (``compensation``, present because of ``includeCompensation=true``): the
``compensationType: "Salary"`` components of ``summaryComponents`` (Ashby's own
summary across tiers), else of every ``compensationTiers[].components``; several
components in one currency give the lowest minimum and the highest maximum;
``interval`` ``"1 YEAR"``/``"1 MONTH"``/``"1 WEEK"``/``"1 DAY"``/``"1 HOUR"`` →
``salary_period`` (any other interval leaves it empty).  Equity, bonus and
commission components are not salary: they stay in ``raw`` and in
``salary_raw``, which is Ashby's readable ``compensationTierSummary`` ("$81K –
$87K • 0.5% – 1.75% • Offers Bonus"), else the tiers' ``tierSummary`` values.

Errors: a 404 board is a warning and ``jobs/company_not_found``; a body that is
not JSON, or JSON without a ``jobs`` list, is ``jobs/parse_error/json``; the
other boards go on either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar
from urllib.parse import quote

from scrapy.http import Response

from crawler.items import JobPosting
from crawler.structured import clean_str, dedupe, format_salary, iso_currency, positive_number
from spiders.platforms.ats import AtsBoardSpider, Board

#: Ashby ``interval`` values → item ``salary_period``
INTERVALS = {
    "1 HOUR": "HOUR",
    "1 DAY": "DAY",
    "1 WEEK": "WEEK",
    "1 MONTH": "MONTH",
    "1 YEAR": "YEAR",
}
#: large text fields left out of ``raw`` (they are in the description fields)
RAW_DROPPED = frozenset({"descriptionHtml", "descriptionPlain"})


def _components(value: Any) -> list[dict[str, Any]]:
    return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []


def salary_components(compensation: Any) -> list[dict[str, Any]]:
    """The ``compensationType: "Salary"`` components: the summary's, else every tier's."""
    if not isinstance(compensation, dict):
        return []
    summary = [
        c for c in _components(compensation.get("summaryComponents")) if c.get("compensationType") == "Salary"
    ]
    if summary:
        return summary
    tiers = compensation.get("compensationTiers")
    return [
        c
        for tier in (tiers if isinstance(tiers, list) else [])
        if isinstance(tier, dict)
        for c in _components(tier.get("components"))
        if c.get("compensationType") == "Salary"
    ]


def compensation_summary(compensation: Any) -> str | None:
    """Ashby's readable summary: ``compensationTierSummary``, else the tiers' ``tierSummary`` values."""
    if not isinstance(compensation, dict):
        return None
    summary = clean_str(compensation.get("compensationTierSummary"))
    if summary:
        return summary
    tiers = compensation.get("compensationTiers")
    parts: Iterable[str | None] = (
        " ".join(filter(None, [clean_str(t.get("title")), clean_str(t.get("tierSummary"))]))
        for t in (tiers if isinstance(tiers, list) else [])
        if isinstance(t, dict)
    )
    return "; ".join(dedupe(parts)) or None


def compensation_salary(compensation: Any) -> dict[str, Any]:
    """Item salary fields from an Ashby ``compensation`` block (empty dict when it has no salary)."""
    usable = []
    for c in salary_components(compensation):
        low, high = positive_number(c.get("minValue")), positive_number(c.get("maxValue"))
        if low is not None or high is not None:
            usable.append((c, low, high))
    summary = compensation_summary(compensation)
    if not usable:
        return {"salary_raw": summary} if summary else {}
    currency = iso_currency(usable[0][0].get("currencyCode"))
    chosen = [u for u in usable if iso_currency(u[0].get("currencyCode")) == currency]
    periods = {INTERVALS.get(str(c.get("interval") or "").strip().upper()) for c, _, _ in chosen}
    period = periods.pop() if len(periods) == 1 else None
    lows = [low for _, low, _ in chosen if low is not None]
    highs = [high for _, _, high in chosen if high is not None]
    low, high = (min(lows) if lows else None), (max(highs) if highs else None)
    return {
        "salary_min": low,
        "salary_max": high,
        "salary_currency": currency,
        "salary_period": period,
        "salary_raw": summary or format_salary(low, high, currency, period),
    }


def location_names(job: dict[str, Any]) -> list[str]:
    """``location`` then each ``secondaryLocations`` entry (objects with ``location``, or strings)."""
    names: list[Any] = [job.get("location")]
    secondary = job.get("secondaryLocations")
    for entry in secondary if isinstance(secondary, list) else []:
        names.append(entry.get("location") if isinstance(entry, dict) else entry)
    return dedupe(n if isinstance(n, str) else None for n in names)


def workplace_values(job: dict[str, Any]) -> list[str]:
    workplace = clean_str(job.get("workplaceType"))
    if workplace:
        return [workplace]
    return ["Remote"] if job.get("isRemote") is True else []


class AshbySpider(AtsBoardSpider):
    """Base spider for Ashby job boards (no ``name``: subclass it)."""

    source: ClassVar[str | None] = "ashby"
    default_base_url: ClassVar[str] = "https://api.ashbyhq.com"
    platform_setting: ClassVar[str] = "ASHBY_BASE_URL"

    def board_url(self, board: Board) -> str:
        slug = quote(board.slug, safe="")
        return f"{self.base_url}/posting-api/job-board/{slug}?includeCompensation=true"

    def parse_board(self, response: Response, board: Board) -> Iterator[JobPosting]:
        if self.board_not_found(response, board):
            return
        data = self.load_json(response, f"Ashby board {board.slug!r}")
        if data is None:
            return
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            self.logger.warning(
                "Ashby board %r: no 'jobs' list in the response: %s", board.slug, response.url
            )
            self.count("parse_error/json")
            return
        if not jobs:
            self.logger.info("Ashby board %r lists no jobs", board.slug)
        self.count("listed", len(jobs))
        for job in jobs:
            item = self.job_item(job, board)
            if item is not None:
                yield item

    def job_item(self, job: Any, board: Board) -> JobPosting | None:
        """One job → item; ``None`` for a job without id (logged, counted) or an unlisted one."""
        source_id = clean_str(job.get("id")) if isinstance(job, dict) else None
        if not isinstance(job, dict) or not source_id:
            self.logger.warning("Ashby board %r: job without id skipped", board.slug)
            self.count("parse_error/job")
            return None
        if job.get("isListed") is False:
            self.logger.debug("Ashby board %r: unlisted job %s skipped", board.slug, source_id)
            self.count("skipped/unlisted")
            return None
        body = clean_str(job.get("descriptionHtml"))
        raw = {k: v for k, v in job.items() if k not in RAW_DROPPED}
        raw["_board"] = board.slug
        item = self.new_item(
            source_id=source_id,
            url=clean_str(job.get("jobUrl")),
            apply_url=clean_str(job.get("applyUrl")),
            title=clean_str(job.get("title")),
            company=board.name,
            description_html=body,
            description_text=None if body else clean_str(job.get("descriptionPlain")),
            location_raw=location_names(job),
            workplace_raw=workplace_values(job),
            employment_type_raw=dedupe([clean_str(job.get("employmentType"))]),
            posted_raw=clean_str(job.get("publishedAt")),
            tags=dedupe([clean_str(job.get("department")), clean_str(job.get("team"))]),
            raw=raw,
        )
        for key, value in compensation_salary(job.get("compensation")).items():
            setattr(item, key, value)
        return item
