"""Scale benchmark of the cross-source matcher: N synthetic postings, 10 % near-duplicates.

    .venv/bin/python -m bench.dedupe --n 20000          # quick
    .venv/bin/python -m bench.dedupe --n 1000000        # the 1M run (a few minutes)

What is measured: the matcher's core exactly as the store runs it — batch signatures
(:func:`crawler.dedupe.signature.signatures`), index keys (:class:`crawler.dedupe.matcher.Batch`),
candidate lookup by hash equality, verification and job assignment
(:func:`crawler.dedupe.matcher.assign`) — against an **in-memory** index with the layout of
``posting_bands`` (sorted runs of ``(hash, posting)`` int64/int32 arrays, merged like an
LSM tree) plus, per posting, what verification reads (job, 64 × 16-bit MinHash, shingle
count, company/title/city as one compact byte string).  Descriptions are generated per
batch and dropped after it: nothing holds them.  Not measured: generating the postings
and the database round trips (``python -m bench.store`` measures the storage path).

Prints postings/s of the matcher, the index's own memory (bytes of its arrays, and the
tracemalloc peak of the index structures with ``--trace``), the process's peak RSS
(``resource.getrusage``), and the near-duplicates found / false merges.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import time
import tracemalloc
from typing import Any

import numpy as np

from crawler.dedupe.matcher import MAX_PER_KEY, Batch, Profile, assign, profile
from crawler.dedupe.signature import K, Signature, signatures

SOURCES = ("greenhouse", "lever", "linkedin", "gupy", "remoteok", "jobfordev")
CITIES = ("São Paulo", "Rio de Janeiro", "Berlin", "London", "New York", "Austin", "Toronto", "Lisbon")
ROLES = ("Backend Engineer", "Frontend Developer", "Data Engineer", "SRE", "Product Designer",
         "Data Scientist", "Mobile Developer", "QA Analyst", "DevOps Engineer", "Engineering Manager")  # fmt: skip
LEVELS = ("Junior", "Senior", "Staff", "")
MAX_RUN = 4_000_000  # keys per sorted run of the in-memory index


class CompactIndex:
    """``posting_bands`` in memory: sorted runs of (hash, posting) merged LSM-style, plus the
    per-posting fields verification needs.  No description text."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        self.n = 0
        cap = 1 << 16
        self.job = np.zeros(cap, dtype=np.int32)
        self.mins = np.zeros((cap, K), dtype=np.uint16)
        self.size = np.zeros(cap, dtype=np.int32)
        self.meta_off = np.zeros(cap + 1, dtype=np.int64)
        self.meta = bytearray()

    def nbytes(self) -> int:
        runs = sum(k.nbytes + v.nbytes for k, v in self.runs)
        return (
            runs
            + self.job.nbytes
            + self.mins.nbytes
            + self.size.nbytes
            + self.meta_off.nbytes
            + len(self.meta)
        )

    def _grow(self, need: int) -> None:
        cap = len(self.job)
        if need <= cap:
            return
        while cap < need:
            cap *= 2
        self.job = np.resize(self.job, cap)
        self.mins = np.resize(self.mins, (cap, K))
        self.size = np.resize(self.size, cap)
        self.meta_off = np.resize(self.meta_off, cap + 1)

    def add(self, batch: Batch, jobs: list[int]) -> None:
        start, count = self.n, len(batch)
        self._grow(start + count)
        keys: list[int] = []
        ids: list[int] = []
        for i in range(count):
            f, sig = batch.fields[i], batch.sigs[i]
            pid = start + i
            self.job[pid] = jobs[i]
            if sig is not None:
                self.mins[pid] = sig.mins
                self.size[pid] = sig.size
            city = (f.get("locations") or [{}])[0].get("city") or ""
            self.meta += f"{f['source']}\x1f{f['company']}\x1f{f['title']}\x1f{city}".encode()
            self.meta_off[pid + 1] = len(self.meta)
            for _, h in batch.keys[i]:
                keys.append(h)
                ids.append(pid)
        self.n += count
        order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
        self.runs.append((np.array(keys, dtype=np.int64)[order], np.array(ids, dtype=np.int32)[order]))
        # merge the newest runs while a run is not at least twice the size of the next newer one
        # (runs stop growing at MAX_RUN keys: merging in place of two sorted runs stays cheap)
        while (
            len(self.runs) > 1
            and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0])
            and len(self.runs[-2][0]) + len(self.runs[-1][0]) <= MAX_RUN
        ):
            (k1, v1), (k2, v2) = self.runs.pop(), self.runs.pop()
            at = np.searchsorted(k2, k1, side="right") + np.arange(len(k1))
            small = np.zeros(len(k1) + len(k2), dtype=bool)
            small[at] = True
            k, v = np.empty(len(small), dtype=np.int64), np.empty(len(small), dtype=np.int32)
            k[at], v[at] = k1, v1
            k[~small], v[~small] = k2, v2
            self.runs.append((k, v))

    def stored(self, pid: int) -> Profile:
        source, company, title, city = (
            bytes(self.meta[self.meta_off[pid] : self.meta_off[pid + 1]]).decode().split("\x1f")
        )
        sig = Signature(int(self.size[pid]), 0, self.mins[pid], ()) if self.size[pid] else None
        fields = {"source": source, "source_id": str(pid), "company": company, "title": title,
                  "locations": [{"city": city}] if city else [], "job_id": int(self.job[pid]), "id": pid}  # fmt: skip
        return profile(fields, sig)

    def candidates(self, hashes: list[int]) -> dict[int, list[Profile]]:
        if not hashes or not self.runs:
            return {}
        q = np.unique(np.array(hashes, dtype=np.int64))
        found: dict[int, list[int]] = {}
        for keys, ids in self.runs:
            lo = np.searchsorted(keys, q, side="left")
            hi = np.searchsorted(keys, q, side="right")
            for n in np.flatnonzero(hi > lo).tolist():
                found.setdefault(int(q[n]), []).extend(ids[lo[n] : hi[n]].tolist())
        cache: dict[int, Profile] = {}
        out: dict[int, list[Profile]] = {}
        for h, pids in found.items():
            out[h] = [
                cache[p] if p in cache else cache.setdefault(p, self.stored(p))
                for p in sorted(pids)[-MAX_PER_KEY:]
            ]
        return out


class Generator:
    """Postings of ~2 KB: Zipf-distributed words of a 20,000-word vocabulary; every 10th one a
    near-duplicate of a recent posting as another source renders it."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.vocab = ["".join(self.rng.choices(letters, k=self.rng.randint(3, 11))) for _ in range(20_000)]
        self.cum_weights = list(itertools.accumulate(1 / (r + 10) for r in range(len(self.vocab))))
        self.recent: list[dict[str, Any]] = []
        self.n = 0

    def _text(self) -> str:
        words = self.rng.choices(self.vocab, cum_weights=self.cum_weights, k=300)
        sentences = [" ".join(words[i : i + 15]).capitalize() + "." for i in range(0, len(words), 15)]
        return "\n".join(sentences)

    def batch(self, size: int) -> tuple[list[dict[str, Any]], list[int]]:
        """Postings and, per posting, the number of the posting it duplicates (-1: none)."""
        out: list[dict[str, Any]] = []
        dup_of: list[int] = []
        for _ in range(size):
            n = self.n
            self.n += 1
            if n % 10 == 9 and self.recent:
                base = self.rng.choice(self.recent)
                parts = base["description_text"].split("\n")
                text = "\n".join(p for k, p in enumerate(parts) if k % 9 != 4)
                text = (
                    "Vaga originalmente publicada em: linkedin\n"
                    + text.upper()
                    + "\nApply on the company site."
                )
                title = base["title"]
                if " " in title:
                    head, _, tail = title.partition(" ")
                    title = f"{tail} ({head})" if head in LEVELS else title
                f = dict(base, source="jobfordev", source_id=f"d{n}", description_text=text, title=title,
                         url=f"https://jobfordev.example/{n}", apply_url=None)  # fmt: skip
                out.append(f)
                dup_of.append(base["_n"])
                continue
            company = f"Company {self.rng.randrange(50_000)}"
            f = {
                "_n": n,
                "source": self.rng.choice(SOURCES),
                "source_id": str(n),
                "url": f"https://jobs.example/{n}",
                "apply_url": f"https://ats.example/{company.split()[1]}/{n}?utm_source=x",
                "company": company,
                "title": f"{self.rng.choice(LEVELS)} {self.rng.choice(ROLES)}".strip(),
                "locations": [{"city": self.rng.choice(CITIES), "region": None, "country": None}],
                "description_text": self._text(),
            }
            out.append(f)
            dup_of.append(-1)
            self.recent.append(f)
            if len(self.recent) > 2000:
                self.recent.pop(0)
        return out, dup_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--trace", action="store_true", help="tracemalloc the index structures (slower)")
    args = parser.parse_args()
    gen = Generator()
    index = CompactIndex()
    job_of = np.zeros(args.n, dtype=np.int32)  # posting number -> job (for scoring only)
    used = np.zeros(args.n + 1, dtype=bool)  # jobs given so far
    next_job = 1
    found = missed = false_merge = 0
    matcher_s = 0.0
    if args.trace:
        tracemalloc.start()
    t_all = time.perf_counter()
    done = 0
    while done < args.n:
        fields, dup_of = gen.batch(min(args.batch_size, args.n - done))
        t0 = time.perf_counter()
        sigs = signatures([f["description_text"] for f in fields])
        batch = Batch(fields, sigs)
        needs = list(range(len(batch)))
        hashes = [h for keys in batch.keys for _, h in keys]
        decided = assign(batch, needs, {}, index.candidates(hashes))
        fresh: dict[int, int] = {}
        jobs = []
        for i in needs:
            j = decided[i]
            if j < 0:
                if j not in fresh:
                    fresh[j] = next_job
                    next_job += 1
                j = fresh[j]
            jobs.append(j)
        index.add(batch, jobs)
        matcher_s += time.perf_counter() - t0
        for i, f in enumerate(fields):
            if dup_of[i] >= 0:
                if jobs[i] == job_of[dup_of[i]]:
                    found += 1
                else:
                    missed += 1
            else:
                if jobs[i] in used:  # an original joined a job some other posting has
                    false_merge += 1
                job_of[f["_n"]] = jobs[i]
            used[jobs[i]] = True
        done += len(fields)
        if done % 100_000 == 0:
            print(
                f"  {done:>9,} postings, {done / matcher_s:,.0f}/s, index {index.nbytes() / 2**20:,.0f} MiB",
                flush=True,
            )
    total = time.perf_counter() - t_all
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.n:,} postings ({args.n // 10:,} near-duplicates), batches of {args.batch_size}")
    print(f"matcher (signatures + keys + lookup + verification + index insert): {matcher_s:.1f} s, "
          f"{args.n / matcher_s:,.0f} postings/s (whole run incl. generating postings: {total:.1f} s)")  # fmt: skip
    print(f"index: {index.nbytes() / 2**20:,.0f} MiB in arrays ({len(index.runs)} runs, "
          f"{sum(len(k) for k, _ in index.runs):,} keys); peak RSS of the process {peak_rss:,.0f} MiB")  # fmt: skip
    if args.trace:
        _, peak = tracemalloc.get_traced_memory()
        print(f"tracemalloc peak (index + one batch): {peak / 2**20:,.0f} MiB")
    print(f"near-duplicates joined to their original: {found:,} of {found + missed:,}; "
          f"originals merged into another job: {false_merge:,}")  # fmt: skip


if __name__ == "__main__":
    main()
