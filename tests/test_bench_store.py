"""Guards ``bench/store.py`` against rot: one small round of every method, into real PostgreSQL
databases; each method must have stored every posting and the default pipeline's output must be
complete (every posting in a job, its index rows written).  No timing is asserted."""

from __future__ import annotations

import random

from bench.common import synthetic_posting
from bench.store import BASELINE, STORE, one_round


def test_one_round_of_every_method_stores_everything(pg_url: str) -> None:
    rng = random.Random(7)
    items = [synthetic_posting(i, rng) for i in range(120)]
    seconds, dumped = one_round(items, batch_size=50)
    assert {BASELINE, STORE, "  then the link stage (jobs, dedupe index)"} <= set(seconds)
    assert all(t > 0 for t in seconds.values())
    assert len(dumped["postings"].splitlines()) == 120
    jobs = dumped["jobs"].splitlines()
    assert 0 < len(jobs) <= 120
    # (one_round itself fails if the link stage left a posting unlinked: jobs/link/pending)
    assert dumped["posting_bands"].count(b"\n") >= 120
