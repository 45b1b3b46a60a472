"""Which job does each new posting belong to?  Pure decision code, no I/O.

The storage layer (``crawler/db/store.py``) gathers, for one batch, in a few set-based
queries: the stored origin links, and the stored postings that share an index key
(:func:`index_keys`) with a posting of the batch.  :func:`assign` then decides, in this
order of evidence:

1. **origin** — the posting republishes a stored posting (``origin``/``origin_id``), or a
   stored posting republishes it: that posting's job;
2. **URL** — the same canonical job URL (``url`` or ``apply_url``, tracking parameters
   stripped, :func:`crawler.dedupe.keys.canonical_url`) and titles that do not contradict
   each other;
3. **near-duplicate** — :func:`verify`: similar company and title, no conflicting level,
   compatible places, similar description (estimated Jaccard ≥ :data:`JACCARD_MIN`, or a
   truncated copy: containment ≥ :data:`CONTAINMENT_MIN`), and the stored posting was
   not closed before this one appeared (a job re-opened after closing is a new job).

Postings of the same batch that match each other share one job.  Everything else gets a
new job.  Thresholds were tuned on ``tests/eval/pairs.jsonl`` (``python -m
crawler.dedupe.evaluate``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from rapidfuzz import fuzz

from crawler.dedupe.keys import norm_company, places, split_title, title_key, url_keys
from crawler.dedupe.signature import Signature, containment, jaccard

#: ``posting_bands.band`` of the non-LSH keys (LSH bands are 0..BANDS-1)
BAND_URL: Final = 100
BAND_TITLE: Final = 101

COMPANY_MIN: Final = 88.0  # rapidfuzz token_set_ratio of the normalized companies
TITLE_MIN: Final = 80.0  # token_sort_ratio of the title words (levels compared apart)
SUBSET_SCORE: Final = 90.0  # title score when one title's words contain the other's
JACCARD_MIN: Final = 0.45  # estimated Jaccard of the descriptions' shingles
#: weaker title evidence (a subset title, a level on one side only) needs closer descriptions
JACCARD_WEAK_TITLE: Final = 0.8
CONTAINMENT_MIN: Final = 0.8  # a truncated copy of the other description
#: ... when company, title words and levels are the same (an aggregator's snippet of the text)
CONTAINMENT_SAME_TITLE: Final = 0.55
URL_TITLE_MIN: Final = 50.0  # an URL match only needs titles that do not contradict
#: newest stored postings considered per index key (a boilerplate band shared by thousands
#: of postings of one company must not make a batch fetch them all)
MAX_PER_KEY: Final = 50


@dataclass(slots=True)
class Profile:
    """What the matcher compares, for a posting of the batch or a stored one."""

    source: str
    source_id: str
    origin: str | None
    origin_id: str | None
    company: str  # normalized
    title: str  # title words, sorted, without levels and noise
    levels: frozenset[str]
    cities: frozenset[str]
    countries: frozenset[str]
    signature: Signature | None
    url_keys: list[int]
    posted_at: datetime | None = None
    closed_at: datetime | None = None
    job_id: int | None = None
    posting_id: int | None = None
    raw_title: str | None = None
    raw_company: str | None = None


def profile(fields: Mapping[str, Any], signature: Signature | None) -> Profile:
    """A profile from posting fields (an item mapping or a stored row)."""
    cities, countries = places(fields.get("locations"))
    core, levels = split_title(fields.get("title"))
    company = fields.get("company")
    return Profile(
        source=str(fields.get("source")),
        source_id=str(fields.get("source_id")),
        origin=fields.get("origin"),
        origin_id=fields.get("origin_id"),
        company=norm_company(company),
        title=core,
        levels=levels,
        cities=cities,
        countries=countries,
        signature=signature,
        url_keys=url_keys((fields.get("url"), fields.get("apply_url"))),
        posted_at=_ts(fields.get("posted_at")),
        closed_at=_ts(fields.get("closed_at")),
        job_id=fields.get("job_id"),
        posting_id=fields.get("id"),
        raw_title=fields.get("title"),
        raw_company=company,
    )


def _ts(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # SQLite: naive UTC
    if isinstance(value, str) and value:
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt
    return None


def index_keys(fields: Mapping[str, Any], signature: Signature | None) -> list[tuple[int, int]]:
    """``(band, hash)`` rows of ``posting_bands`` for a posting.

    URL keys always; the company+title key and the description's LSH bands only when the
    posting has a company (a near-duplicate match needs one on both sides)."""
    keys = [(BAND_URL, k) for k in url_keys((fields.get("url"), fields.get("apply_url")))]
    company = fields.get("company")
    if company and norm_company(company):
        tk = title_key(company, fields.get("title"))
        if tk is not None:
            keys.append((BAND_TITLE, tk))
        if signature is not None:
            keys.extend(enumerate(signature.bands))
    return keys


class Batch:
    """The postings of one write: fields, signatures, index keys; profiles built on demand
    (only postings that meet a candidate are compared)."""

    def __init__(
        self, fields: Sequence[Mapping[str, Any]], sigs: Sequence[Signature | None], index: bool = True
    ) -> None:
        self.fields = fields
        self.sigs = sigs
        self.keys: list[list[tuple[int, int]]] = (
            [index_keys(f, s) for f, s in zip(fields, sigs, strict=True)] if index else [[] for _ in fields]
        )
        self._profiles: dict[int, Profile] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def profile(self, i: int) -> Profile:
        p = self._profiles.get(i)
        if p is None:
            p = self._profiles[i] = profile(self.fields[i], self.sigs[i])
        return p

    def ident(self, i: int) -> tuple[str, str]:
        f = self.fields[i]
        return str(f["source"]), str(f["source_id"])


def titles_agree(a: Profile, b: Profile, minimum: float) -> tuple[bool, float]:
    """(compatible, score); score 100 = the same words, < 100 fuzzy, a "subset" match scores 90.

    Levels: different level sets are different jobs ("Senior X" / "Junior X", "PL/SR" /
    "PL/Junior"), unless one contains the other ("PL/SR" / "SR").  Numbers in a title are
    requisition or team numbers: "Data Engineer #53" / "Data Engineer #71" are two jobs."""
    if a.levels and b.levels and not (a.levels <= b.levels or b.levels <= a.levels):
        return False, 0.0
    if not a.title or not b.title:
        return False, 0.0
    if a.title == b.title:
        return True, 100.0
    na = {t for t in a.title.split() if t.isdigit()}
    nb = {t for t in b.title.split() if t.isdigit()}
    if na and nb and na != nb:
        return False, 0.0
    score = fuzz.token_sort_ratio(a.title, b.title)
    if score >= minimum:
        return True, min(score, 99.0)
    if min(a.title.count(" "), b.title.count(" ")) >= 1 and fuzz.token_set_ratio(a.title, b.title) >= 100:
        return (
            True,
            SUBSET_SCORE,
        )  # one title's words contain the other's ("Data Engineer" / "Data Engineer GCP")
    return False, score


def companies_agree(a: Profile, b: Profile) -> tuple[bool, float]:
    if not a.company or not b.company:
        return False, 0.0
    if a.company == b.company:
        return True, 100.0
    score = fuzz.token_set_ratio(a.company, b.company)
    return score >= COMPANY_MIN, score


def places_agree(a: Profile, b: Profile) -> bool:
    if a.cities and b.cities and not (a.cities & b.cities):
        return False
    return not (a.countries and b.countries and not (a.countries & b.countries))


def reopened(stored: Profile, new: Profile) -> bool:
    """The stored posting was closed before the new one was posted (or, undated, seen): a new job."""
    if stored.closed_at is None:
        return False
    return new.posted_at is None or new.posted_at > stored.closed_at


def verify(stored: Profile, new: Profile) -> float | None:
    """Score of "the same job" (higher is better) or None."""
    if stored.signature is None or new.signature is None or reopened(stored, new):
        return None
    ok, company = companies_agree(stored, new)
    if not ok:
        return None
    ok, title = titles_agree(stored, new, TITLE_MIN)
    if not ok or not places_agree(stored, new):
        return None
    j = jaccard(stored.signature, new.signature)
    weak = title <= SUBSET_SCORE or (bool(stored.levels) != bool(new.levels))
    if j >= (JACCARD_WEAK_TITLE if weak else JACCARD_MIN):
        return j + company / 100.0 + title / 100.0
    same_title = title == 100.0 and company == 100.0 and stored.levels == new.levels
    c = containment(stored.signature, new.signature, j)
    if c >= (CONTAINMENT_SAME_TITLE if same_title else CONTAINMENT_MIN) and not weak:
        return c / 2 + company / 100.0 + title / 100.0
    return None


def same_url(stored: Profile, new: Profile) -> bool:
    if not set(stored.url_keys) & set(new.url_keys):
        return False
    if stored.company and new.company and companies_agree(stored, new)[1] < 60.0:
        return False
    if not stored.title or not new.title:
        return True
    return titles_agree(stored, new, URL_TITLE_MIN)[0] or fuzz.token_set_ratio(stored.title, new.title) >= 80


#: evidence ranks: a lower number wins
ORIGIN, URL, NEAR = 0, 1, 2


def match_stored(new: Profile, candidates: Iterable[Profile]) -> tuple[int, int] | None:
    """(rank, job_id) of the best stored posting for ``new`` among ``candidates``."""
    best: tuple[int, float, int] | None = None
    for c in candidates:
        if c.job_id is None or (c.source == new.source and c.source_id == new.source_id):
            continue
        if same_url(c, new):
            found = (URL, -1.0, c.job_id)
        else:
            score = verify(c, new)
            if score is None:
                continue
            found = (NEAR, -score, c.job_id)
        if best is None or found < best:
            best = found
    return None if best is None else (best[0], best[2])


def assign(
    batch: Batch,
    needs: Sequence[int],
    origin_jobs: Mapping[int, int],
    candidates: Mapping[int, Sequence[Profile]],
) -> dict[int, int]:
    """Job of every posting in ``needs`` (indexes into ``batch``).

    ``origin_jobs``: the job of a stored origin/repost of the posting (evidence 1);
    ``candidates``: stored postings per index hash.  Returns index → job id, where a
    negative id ``-(n+1)`` means "new job number n" (postings sharing it are one job).
    """
    found: dict[int, tuple[int, int]] = {}
    for i in needs:
        if i in origin_jobs:
            found[i] = (ORIGIN, origin_jobs[i])
            continue
        if not candidates:
            continue
        seen: dict[int, Profile] = {}
        for _, h in batch.keys[i]:
            for c in candidates.get(h, ()):
                if c.posting_id is not None:
                    seen.setdefault(c.posting_id, c)
        if seen:
            m = match_stored(batch.profile(i), seen.values())
            if m is not None:
                found[i] = m
    # postings of the batch that are one job: union-find over origin, URL and near-duplicate links
    parent = {i: i for i in needs}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    if any(batch.fields[i].get("origin_id") is not None for i in needs):
        by_ident = {batch.ident(i): i for i in needs}
        for i in needs:
            origin_id = batch.fields[i].get("origin_id")
            if origin_id is not None:
                j = by_ident.get((str(batch.fields[i].get("origin")), str(origin_id)))
                if j is not None:
                    union(i, j)
    # keys shared inside the batch (most keys are not: count them in C first)
    counts = Counter(h for i in needs for _, h in batch.keys[i])
    shared = {h for h, c in counts.items() if c > 1}
    buckets: dict[int, list[int]] = {}
    if shared:
        for i in needs:
            for _, h in batch.keys[i]:
                if h in shared:
                    buckets.setdefault(h, []).append(i)
    tried: set[tuple[int, int]] = set()
    for bucket in buckets.values():
        for n, i in enumerate(bucket[1:], 1):
            p = batch.profile(i)
            for j in bucket[max(0, n - MAX_PER_KEY) : n]:
                if root(i) == root(j) or (j, i) in tried:
                    continue
                tried.add((j, i))
                q = batch.profile(j)
                if same_url(q, p) or verify(q, p) is not None:
                    union(i, j)
    clusters: dict[int, list[int]] = {}
    for i in needs:
        clusters.setdefault(root(i), []).append(i)
    out: dict[int, int] = {}
    new_jobs = 0
    for members in clusters.values():
        known = sorted(found[i] for i in members if i in found)
        job = known[0][1] if known else None
        if job is None:
            new_jobs += 1
            job = -new_jobs
        for i in members:
            out[i] = found[i][1] if i in found else job
    return out
