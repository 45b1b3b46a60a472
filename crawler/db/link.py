"""The link stage: cross-source job ids for stored postings (PostgreSQL).

The store (``PostingWriter(link=False)``) writes postings at COPY speed and marks the new
and changed ones ``link_pending``; :class:`Linker` works through that queue in batches,
oldest first, with the same evidence and matcher as the in-transaction path
(``crawler/dedupe``):

1. read a batch of pending postings (the partial index ``ix_postings_link_pending``) and
   compute their description signatures and index keys, outside any lock;
2. in one transaction, under the advisory lock every writer that assigns jobs takes: lock
   the rows in key order (as the store does, so the two never deadlock), skip any that
   another linker took or whose content changed again since step 1, read the stored
   origin links, assign jobs (:func:`crawler.db.store.assign_jobs_pg`), set ``job_id``,
   ``dedupe_signature`` and clear ``link_pending``, and add their ``posting_bands`` rows.

A linker that stops half-way leaves the rest pending: the next one (in the next crawl,
or ``scrapy link``) goes on from there.  Nothing is lost and nothing is linked twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from crawler.db.store import DEDUPE_LOCK_KEY, assign_jobs_pg, dedupe_batch, int_array

logger = logging.getLogger(__name__)

#: what the matcher reads of a pending posting (and its stored signature and job, if any)
READ_COLUMNS: tuple[str, ...] = (
    "id", "job_id", "dedupe_signature", "content_hash", "source", "source_id", "origin", "origin_id",
    "title", "company", "locations", "url", "apply_url", "posted_at", "closed_at",
)  # fmt: skip

# still pending, unchanged since read; origin links (repost -> original, original <- repost);
# a job id reserved for each posting without a job (unused reservations leave gaps: harmless)
_FACTS = (
    "SELECT p.id, p.job_id, p.link_pending AND p.content_hash IS NOT DISTINCT FROM u.content_hash, "
    "(SELECT o.job_id FROM postings o WHERE o.source = p.origin AND o.source_id = p.origin_id) AS fwd, "
    "(SELECT min(o.job_id) FROM postings o WHERE o.origin = p.source AND o.origin_id = p.source_id) AS rev, "
    "CASE WHEN p.job_id IS NULL THEN nextval(pg_get_serial_sequence('jobs', 'id')) END AS reserved "
    "FROM unnest(%s::text::bigint[], %s::text[]) AS u(id, content_hash) JOIN postings p ON p.id = u.id "
    # rows locked in key order, as the store's merge locks them: the two never deadlock
    "ORDER BY p.source, p.source_id FOR UPDATE OF p"
)
_UPDATE = (
    "UPDATE postings p SET job_id = COALESCE(p.job_id, u.job_id), "
    "dedupe_signature = COALESCE(u.sig, p.dedupe_signature), link_pending = false "
    "FROM unnest(%s::text::bigint[], %s::text::bigint[], %s::bytea[]) AS u(id, job_id, sig) WHERE p.id = u.id"
)
# keys of a posting that was already indexed: only those it does not have yet
_ADD_BANDS = (
    "INSERT INTO posting_bands (band, hash, posting_id) SELECT u.band, u.hash, u.posting_id "
    "FROM unnest(%s::smallint[], %s::bigint[], %s::bigint[]) AS u(band, hash, posting_id) "
    "WHERE NOT EXISTS (SELECT 1 FROM posting_bands b WHERE b.hash = u.hash AND b.posting_id = u.posting_id)"
)


class Linker:
    """Links ``link_pending`` postings into jobs, ``batch_size`` at a time (thread-safe: one
    transaction per batch; several linkers, in threads or processes, may run at once)."""

    def __init__(self, engine: Engine, near_duplicates: bool = True, batch_size: int = 250) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the link stage runs on PostgreSQL (SQLite links as it stores)")
        self.engine = engine
        self.near_duplicates = near_duplicates
        self.batch_size = max(1, batch_size)
        cols = list(READ_COLUMNS) + (["description_text"] if near_duplicates else [])
        self._read = (
            f"SELECT {', '.join(cols)} FROM postings WHERE link_pending ORDER BY id LIMIT %s"
        )

    def pending(self) -> int:
        """Postings waiting to be linked."""
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            row = raw.execute("SELECT count(*) FROM postings WHERE link_pending").fetchone()
            return int(row[0]) if row else 0

    def drain(self, limit: int | None = None) -> int:
        """Link pending postings until none is left (or ``limit`` were linked); returns how many."""
        linked = idle = 0
        while (limit is None or linked < limit) and idle < 3:
            read, n = self.link_batch(size=None if limit is None else limit - linked)
            if read == 0:
                break
            linked += n
            idle = idle + 1 if n == 0 else 0  # all taken by another linker or changed meanwhile
        return linked

    def link_batch(self, now: datetime | None = None, size: int | None = None) -> tuple[int, int]:
        """Link the oldest pending batch (of ``batch_size``, or ``size`` if smaller); returns
        (postings read, postings linked)."""
        now = now or datetime.now(UTC)
        with self.engine.connect() as conn:  # one connection (one pool checkout) for the batch
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur:
                cur.execute(self._read, (min(self.batch_size, size or self.batch_size),))
                names = [d.name for d in cur.description or ()]
                records = [dict(zip(names, rec, strict=True)) for rec in cur.fetchall()]
            conn.rollback()
            if not records:
                return 0, 0
            return len(records), self._link(conn, records, now)

    def _link(self, conn: Connection, records: list[dict[str, Any]], now: datetime) -> int:
        """Link ``records`` (pending rows as read); returns how many were linked."""
        # the matcher's view of each posting; its stored state kept apart
        group = [{k: v for k, v in r.items() if k not in ("id", "job_id", "dedupe_signature")} for r in records]
        batch = dedupe_batch(group, self.near_duplicates)  # signatures and index keys, no lock held
        ids = [r["id"] for r in records]
        with conn.begin():
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur:
                cur.execute(f"SET LOCAL jit = off; SELECT pg_advisory_xact_lock({DEDUPE_LOCK_KEY})")
                cur.execute(_FACTS, (int_array(ids), [r["content_hash"] for r in records]))
                position = {pid: i for i, pid in enumerate(ids)}
                todo: list[int] = []
                needs: list[int] = []
                origin_jobs: dict[int, int] = {}
                reserved: dict[int, int] = {}
                for pid, job_id, pending, fwd, rev, job_reserved in cur.fetchall():
                    if not pending:
                        continue  # linked by another linker, or changed again: its next turn
                    i = position[pid]
                    todo.append(i)
                    if job_id is None:
                        needs.append(i)
                        reserved[i] = job_reserved
                        link = fwd if fwd is not None else rev
                        if link is not None:
                            origin_jobs[i] = link
                    else:
                        records[i]["job_id"] = job_id  # stored in a job: re-indexed only
                if not todo:
                    return 0
                todo.sort()
                decided = assign_jobs_pg(cur, batch, needs, origin_jobs, reserved, now)
                cur.execute(
                    _UPDATE,
                    (
                        int_array(ids[i] for i in todo),
                        int_array(decided.get(i) for i in todo),
                        [group[i].get("dedupe_signature") for i in todo],
                    ),
                )
                fresh: list[tuple[int, int, int]] = []
                more: list[tuple[int, int, int]] = []
                for i in todo:  # a posting already in a job may have index rows: add what it lacks
                    rows = more if records[i]["job_id"] is not None else fresh
                    rows.extend((band, h, ids[i]) for band, h in batch.keys[i])
                if fresh:
                    with cur.copy("COPY posting_bands (band, hash, posting_id) FROM STDIN") as copy:
                        copy.write("".join(f"{b}\t{h}\t{p}\n" for b, h, p in fresh))
                if more:
                    cur.execute(_ADD_BANDS, tuple(map(list, zip(*more, strict=True))))
                return len(todo)


def link_pending_count(engine: Engine) -> int:
    """Postings waiting for the link stage (0 on SQLite, which links as it stores)."""
    if engine.dialect.name != "postgresql":
        return 0
    return Linker(engine).pending()
