"""Helpers shared by the benchmarks: a scratch PostgreSQL database and synthetic postings."""

from __future__ import annotations

import itertools
import os
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from crawler.items import JobPosting

PG: dict[str, Any] = {
    "host": os.environ.get("PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("PG_PORT", "5432")),
    "user": os.environ.get("PG_USER", "postgres"),
}

ROLES = (
    "Backend Engineer",
    "Data Engineer",
    "Frontend Developer",
    "DevOps Engineer",
    "Product Designer",
    "Data Analyst",
    "Mobile Developer",
    "QA Engineer",
    "Site Reliability Engineer",
    "ML Engineer",
)
WORDS = (
    "design build maintain scalable backend services APIs Ruby Rails Python PostgreSQL Redis caching "
    "concurrency distributed systems team product reliability performance mentor review cloud AWS data "
    "pipelines observability remote Latin America experience years senior engineer customers platform"
).split()


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new PostgreSQL database for one benchmark run (dropped afterwards)."""
    name = f"jc_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        from crawler.db.engine import dispose_engines

        dispose_engines()
        with psycopg.connect(**PG, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _Vocabulary:
    """20,000 made-up words with Zipf-like frequencies: text whose postings differ like real ones do
    (a 38-word vocabulary would make every description a near-duplicate of every other)."""

    def __init__(self, seed: int = 11) -> None:
        rng = random.Random(seed)
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.words = WORDS + ["".join(rng.choices(letters, k=rng.randint(3, 11))) for _ in range(20_000)]
        self.cum = list(itertools.accumulate(1 / (r + 10) for r in range(len(self.words))))


_VOCABULARY = _Vocabulary()


def synthetic_posting(i: int, rng: random.Random, desc_bytes: int = 2000) -> JobPosting:
    """A normalized posting of about 2.5 KB (description ~2 KB), shaped like real ones."""
    words: list[str] = []
    size = 0
    while size < desc_bytes:
        chunk = rng.choices(_VOCABULARY.words, cum_weights=_VOCABULARY.cum, k=40)
        words.extend(chunk)
        size += sum(len(w) + 1 for w in chunk)
    return JobPosting(
        source=rng.choice(["greenhouse", "lever", "linkedin", "gupy"]),
        source_id=str(1_000_000 + i),
        url=f"https://example.org/jobs/{i}",
        apply_url=f"https://example.org/jobs/{i}/apply",
        title=f"{rng.choice(['Senior', 'Junior', 'Staff', 'Lead', ''])} {rng.choice(ROLES)}".strip(),
        company=f"Company {rng.randrange(50_000)}",
        description_text=" ".join(words),
        locations=[{"city": "São Paulo", "region": "SP", "country": "BR"}],
        remote_regions=["LATAM"],
        workplace="remote",
        employment_type="FULL_TIME",
        seniority=["senior"],
        experience_years_min=5,
        salary_min=8000.0,
        salary_max=10000.0,
        salary_currency="USD",
        salary_period="MONTH",
        skills=["Python", "PostgreSQL", "Redis"],
        languages=[{"language": "en", "level": "C1"}],
        posted_at="2026-11-20T10:00:00+00:00",
        fetched_at="2026-11-25T10:00:00+00:00",
        content_hash=f"{i:064x}",
        raw={"id": i},
    )
