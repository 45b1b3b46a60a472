"""Job boards kept as GitHub issues (``backend-br/vagas``, ``frontendbr/vagas``, ...): one issue = one posting.

A source on this platform is a few lines::

    class ReactBrasilSpider(GithubIssuesSpider):
        name = "react_brasil"
        default_repos = ("react-brasil/vagas",)

Requests ``{base_url}/repos/{owner}/{repo}/issues?state={state}&per_page={per_page}``
(GitHub REST API, default base ``https://api.github.com``) and follows the
``Link: <...>; rel="next"`` header page by page (at most ``max_pages`` per repository).

Arguments (``-a``):

- ``repos=owner/name,owner/name`` — repositories (default: the class's
  ``default_repos``, else the lines of ``spiders/data/{repos_file}``, ``#`` comments);
- ``state=open|closed|all`` — which issues (default ``open``).  A closed issue is
  yielded like an open one; its ``raw["state"]`` is ``"closed"`` and
  ``raw["closed_at"]`` and the item's ``closed_at`` the closing time (ISO 8601):
  storage marks the posting closed;
- ``per_page=N`` (default and GitHub's maximum: 100), ``max_pages=N`` (default 50);
- ``base_url=`` — another API host (GitHub Enterprise ``https://host/api/v3``, tests);
  also the settings ``{NAME}_BASE_URL`` and ``GITHUB_BASE_URL``.

Token: the ``GITHUB_TOKEN`` environment variable (else the ``GITHUB_TOKEN``
setting) is sent as ``Authorization: Bearer …`` (5,000 requests/hour instead of
60).  It is never logged and never put in an item; prefer the environment variable,
because Scrapy logs the settings given with ``-s``.

Rate limit: a response with ``X-RateLimit-Remaining: 0`` — or a 403/429 that says
it is a rate limit (``Retry-After``, remaining 0) — is a warning (with the reset
time) and ``jobs/rate_limited``; the page's issues are still yielded, and if more
requests were needed the spider stops cleanly with the close reason ``blocked``
(``crawl_runs.status = 'blocked'``) instead of burning requests on refusals.

Errors: a 404/410 repository (removed, renamed, issues disabled) is a warning and
``jobs/repo_not_found``; a body that is not a JSON list is ``jobs/parse_error/json``;
an issue without a number is ``jobs/parse_error/job``; pull requests (items with a
``pull_request`` key) are skipped (``jobs/skipped/pull_request``).

Mapping (the spider only extracts; the normalizers read the raw strings):

- ``source`` = ``github``; ``source_id`` = ``owner/repo#number``; ``url`` = ``html_url``;
- ``title``: the issue title without its leading ``[...]`` tags and, when the title
  names the company as `` na X`` / `` at X`` / ``@ X`` (the last such separator;
  X starting with a capital letter or a digit), without that suffix; ``company`` = that X, else ``None``
  (never guessed from the body).  The full title stays in ``raw["title"]``;
- ``[...]`` tags of the title and the issue labels: ``Remoto``/``Híbrido``/
  ``Presencial`` → ``workplace_raw``; ``CLT``/``PJ``/``Freela``/``Estágio`` →
  ``employment_type_raw``; ``Júnior``/``Pleno``/``Sênior``/``Especialista``/``Estágio``
  → ``seniority_raw``; other title tags (``[São Paulo/SP]``) → ``location_raw``;
  other labels → ``tags``;
- ``body`` (markdown) → ``description_text``; ``created_at`` → ``posted_raw``;
- ``raw`` = the issue object without ``body``, plus ``raw["_repo"]``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import JobPosting
from crawler.middlewares.blocks import STOP_REASON
from crawler.structured import clean_str, dedupe, loads_json
from spiders.base import JobSpider, split_arg
from spiders.platforms.ats import DATA_DIR, parse_boards, read_boards
from spiders.platforms.feeds import http_url, rebase_url

STATES = ("open", "closed", "all")
API_VERSION = "2022-11-28"

#: label / title-tag vocabulary, compared without accents and case
WORKPLACE_WORDS = frozenset(
    {
        "remoto",
        "remota",
        "remote",
        "100% remoto",
        "home office",
        "hibrido",
        "hybrid",
        "presencial",
        "on-site",
        "onsite",
    }
)
EMPLOYMENT_WORDS = frozenset(
    {"clt", "pj", "freela", "freelance", "freelancer", "estagio", "temporario", "contrato", "cooperado"}
)
SENIORITY_WORDS = frozenset(
    {
        "junior",
        "jr",
        "pleno",
        "senior",
        "sr",
        "especialista",
        "estagio",
        "estagiario",
        "trainee",
        "lead",
        "tech lead",
        "lider tecnico",
        "staff",
        "principal",
    }
)
_LEADING_TAGS = re.compile(r"^\s*((?:\[[^\]]*\]\s*|\([^)]*\)\s*(?=\[))+)")
_TAG = re.compile(r"\[([^\]]*)\]")
#: " na Empresa X" / " at Company" / "@ Company" / "@Company" at the end of a title
_COMPANY = re.compile(r"^(?P<role>.*\S)(?:\s+(?:na|at)\s+|\s*@\s*)(?P<company>[A-Z0-9À-Ý][^@]*?)\s*$")
_LINK_NEXT = re.compile(r"<([^>]+)>\s*;\s*rel=\"?next\"?")


def fold(text: str) -> str:
    """Lower case without accents: ``"Híbrido"`` → ``"hibrido"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip().lower()


def next_link(header: bytes | str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header."""
    if not header:
        return None
    text = header.decode("latin-1") if isinstance(header, bytes) else header
    for part in text.split(","):
        match = _LINK_NEXT.search(part)
        if match:
            return match.group(1).strip()
    return None


def header(response: Response, name: str) -> str | None:
    """A response header as text (``None`` when absent or empty)."""
    value = response.headers.get(name)
    return clean_str(value.decode("latin-1")) if value else None


def parse_title(title: str | None) -> tuple[str | None, str | None, list[str]]:
    """``"[Remoto] Desenvolvedor Python na Empresa X"`` → ``("Desenvolvedor Python", "Empresa X", ["Remoto"])``.

    Returns (role, company, leading ``[...]`` tags).  The company is taken only from
    a trailing `` na X`` / `` at X`` / ``@ X`` whose X starts with a capital letter or a
    digit; otherwise it is ``None`` and the role is the whole title without tags.
    """
    if not title or not title.strip():
        return None, None, []
    text = title.strip()
    tags: list[str] = []
    lead = _LEADING_TAGS.match(text)
    if lead:
        tags = [t.strip() for t in _TAG.findall(lead.group(1)) if t.strip()]
        text = text[lead.end() :].strip()
    company = None
    match = _COMPANY.match(text)  # greedy role: the last " na "/" at "/"@" wins
    if match:
        company = match.group("company").strip(" -–—|")
        text = match.group("role").strip(" -–—|")
    return text or None, company or None, tags


class GithubIssuesSpider(JobSpider):
    """Base spider for job boards kept as GitHub issues (no ``name``: subclass it)."""

    source: ClassVar[str | None] = "github"
    default_base_url: ClassVar[str] = "https://api.github.com"
    platform_setting: ClassVar[str] = "GITHUB_BASE_URL"
    #: repositories of this source (``owner/name``); empty = read ``repos_file``
    default_repos: ClassVar[Sequence[str]] = ()
    #: file in ``spiders/data/`` with one ``owner/name`` per line
    repos_file: ClassVar[str | None] = None
    default_max_pages: ClassVar[int] = 50

    def __init__(
        self,
        *args: Any,
        repos: str | None = None,
        state: str | None = None,
        per_page: str | int | None = None,
        max_pages: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.repos: list[str] = self.resolve_repos(split_arg(repos))
        self.state: str = (state or "open").strip().lower()
        if self.state not in STATES:
            raise ValueError(f"state={state!r}: expected one of {', '.join(STATES)}")
        self.per_page: int = min(100, max(1, int(per_page))) if per_page else 100
        self.max_pages: int = max(1, int(max_pages)) if max_pages else self.default_max_pages
        self.rate_limited = False
        self._pending = 0

    def resolve_repos(self, requested: list[str]) -> list[str]:
        if requested:
            entries = requested
        elif self.default_repos:
            entries = list(self.default_repos)
        elif self.repos_file:
            return [b.slug for b in read_boards(DATA_DIR / self.repos_file) if self.valid_repo(b.slug)]
        else:
            entries = []
        return [b.slug for b in parse_boards(entries) if self.valid_repo(b.slug)]

    def valid_repo(self, repo: str) -> bool:
        if re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
            return True
        self.logger.error("repository %r is not owner/name, skipped", repo)
        return False

    # -- requests ---------------------------------------------------------------------------------
    def token(self) -> str | None:
        settings = getattr(self, "settings", None)
        value = os.environ.get("GITHUB_TOKEN") or (settings.get("GITHUB_TOKEN") if settings else None)
        return clean_str(value)

    def issues_url(self, repo: str) -> str:
        owner, name = repo.split("/", 1)
        return (
            f"{self.base_url}/repos/{quote(owner, safe='')}/{quote(name, safe='')}/issues"
            f"?state={self.state}&per_page={self.per_page}"
        )

    def issues_request(self, url: str, repo: str, page: int) -> scrapy.Request:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
        token = self.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._pending += 1
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.parse_issues,
            errback=self.issues_failed,
            cb_kwargs={"repo": repo, "page": page},
            meta={"handle_httpstatus_list": [403, 404, 410, 429]},
        )

    async def start(self) -> AsyncIterator[Any]:
        if not self.repos:
            self.logger.error("no repositories: pass -a repos=owner/name or fill the repos file")
        for repo in self.repos:
            if self.rate_limited:
                return
            yield self.issues_request(self.issues_url(repo), repo, 1)

    def issues_failed(self, failure: Failure) -> None:
        self._pending -= 1
        self.request_failed(failure)

    # -- responses --------------------------------------------------------------------------------
    def parse_issues(self, response: Response, repo: str, page: int) -> Iterator[JobPosting | scrapy.Request]:
        self._pending -= 1
        remaining = header(response, "X-RateLimit-Remaining")
        if response.status in (403, 429) and (
            remaining == "0" or response.headers.get("Retry-After") is not None or response.status == 429
        ):
            self.stop_for_rate_limit(response, repo, more_needed=True)
            return
        if response.status in (403, 404, 410):
            self.logger.warning(
                "GitHub repository %r unavailable (HTTP %d): %s", repo, response.status, response.url
            )
            self.count("repo_not_found")
            return
        try:
            issues = loads_json(response.body)
        except ValueError as exc:
            self.logger.warning("GitHub %r: response is not JSON (%s): %s", repo, exc, response.url)
            self.count("parse_error/json")
            issues = None
        else:
            if not isinstance(issues, list):  # an object, or a bare null
                self.logger.warning("GitHub %r: expected a list of issues: %s", repo, response.url)
                self.count("parse_error/json")
                issues = None
        for issue in issues or []:
            item = self.issue_item(issue, repo)
            if item is not None:
                yield item
        if issues is not None:
            self.count("listed", len(issues))
        following = next_link(response.headers.get("Link")) if issues else None
        if following and page >= self.max_pages:
            self.logger.warning("GitHub %r: stopped after %d pages (max_pages)", repo, page)
            self.count("max_pages_reached")
            following = None
        if remaining == "0":
            self.stop_for_rate_limit(response, repo, more_needed=bool(following) or self._pending > 0)
            return
        if following:
            yield self.issues_request(rebase_url(following, self.base_url), repo, page + 1)

    def stop_for_rate_limit(self, response: Response, repo: str, more_needed: bool) -> None:
        reset = header(response, "X-RateLimit-Reset")
        when = (
            datetime.fromtimestamp(int(reset), UTC).isoformat(timespec="seconds")
            if reset and reset.isdigit()
            else "unknown"
        )
        self.logger.warning(
            "GitHub rate limit reached at %s (HTTP %d, repository %r); resets at %s%s",
            response.url,
            response.status,
            repo,
            when,
            ": stopping" if more_needed else "",
        )
        self.count("rate_limited")
        self.rate_limited = True
        if more_needed:
            raise CloseSpider(STOP_REASON)

    # -- mapping -----------------------------------------------------------------------------------
    def issue_item(self, issue: Any, repo: str) -> JobPosting | None:
        if isinstance(issue, dict) and "pull_request" in issue:
            self.count("skipped/pull_request")
            return None
        number = clean_str(issue.get("number")) if isinstance(issue, dict) else None
        if not isinstance(issue, dict) or not number:
            self.logger.warning("GitHub %r: issue without number skipped", repo)
            self.count("parse_error/job")
            return None
        title_text = clean_str(issue.get("title"))
        role, company, title_tags = parse_title(title_text)
        issue_labels = issue.get("labels")
        labels = [
            clean_str(label.get("name") if isinstance(label, dict) else label)
            for label in (issue_labels if isinstance(issue_labels, list) else [])
        ]
        workplace: list[str | None] = []
        employment: list[str | None] = []
        seniority: list[str | None] = []
        locations: list[str | None] = []
        tags: list[str | None] = []
        for value, from_title in [(t, True) for t in title_tags] + [(lb, False) for lb in labels]:
            if not value:
                continue
            key = fold(value)
            known = False
            for words, bucket in (
                (WORKPLACE_WORDS, workplace),
                (EMPLOYMENT_WORDS, employment),
                (SENIORITY_WORDS, seniority),
            ):
                if key in words:
                    bucket.append(value)
                    known = True
            if not known:
                (locations if from_title else tags).append(value)
        raw = {k: v for k, v in issue.items() if k != "body"}
        raw["_repo"] = repo
        return self.new_item(
            source_id=f"{repo}#{number}",
            url=http_url(issue.get("html_url")),
            title=role,
            company=company,
            description_text=clean_str(issue.get("body")),
            location_raw=dedupe(locations),
            workplace_raw=dedupe(workplace),
            employment_type_raw=dedupe(employment),
            seniority_raw=dedupe(seniority),
            posted_raw=clean_str(issue.get("created_at")),
            tags=dedupe(tags),
            raw=raw,
            # the source says so: a closed issue closes the stored posting
            closed_at=clean_str(issue.get("closed_at")) if issue.get("state") == "closed" else None,
        )
