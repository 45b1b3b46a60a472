"""Batched, idempotent writes of postings (storage knows nothing about sites).

``PostingWriter.write(items)`` upserts one batch in one transaction:

1. duplicates inside the batch collapse (last one wins) and keys are sorted, so
   concurrent writers lock rows in the same order and cannot deadlock;
2. ``INSERT .. ON CONFLICT (source, source_id) DO UPDATE``: ``first_seen_at``
   is kept, ``last_seen_at`` moves; ``closed_at`` takes the item's value, so a
   posting seen open re-opens and one the source reports closed (a closed GitHub
   issue) is closed;
3. cross-source linking by strong keys: a posting whose ``origin``/``origin_id``
   names another stored posting (an aggregator's repost of a LinkedIn job) joins
   that posting's ``job_id``, in either order of arrival; every other new posting
   gets a job of its own.  All set-based SQL, no per-row queries.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Engine, and_, bindparam, exists, insert, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection

from crawler.db.models import POSTING_DATA_COLUMNS, jobs, postings

DATETIME_COLUMNS = frozenset({"posted_at", "valid_through", "fetched_at", "closed_at"})
JSON_COLUMNS = frozenset(c.name for c in postings.columns if isinstance(c.type.as_generic(), JSON))
#: item fields copied into a row (bookkeeping columns are set by the writer)
ITEM_COLUMNS: tuple[str, ...] = tuple(
    c for c in POSTING_DATA_COLUMNS if c not in ("last_seen_at", "last_run_id")
)
ROW_COLUMNS: tuple[str, ...] = (
    "source",
    "source_id",
    *ITEM_COLUMNS,
    "first_seen_at",
    "last_seen_at",
    "last_run_id",
)
#: what a partial re-sighting (``JobPosting.partial``) updates on a stored posting
SEEN_COLUMNS: tuple[str, ...] = ("last_seen_at", "last_run_id", "fetched_at", "closed_at")

_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def strip_nul(value: Any) -> Any:
    """Remove NUL bytes from every string inside ``value`` (PostgreSQL rejects them)."""
    kind = type(value)
    if kind is str:
        return value.replace("\x00", "") if "\x00" in value else value
    if value is None or kind is int or kind is float or kind is bool:
        return value
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strip_nul(v) for v in value]
    return value


def json_text(value: Any) -> str:
    """Compact JSON without NUL characters (PostgreSQL's jsonb rejects ``\\u0000``)."""
    text = _encode_json(value)
    return _encode_json(strip_nul(value)) if "\\u0000" in text else text


def parse_ts(value: Any) -> datetime | None:
    """ISO 8601 string (``Z`` allowed) -> aware UTC datetime; None when unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def item_fields(item: Any) -> Mapping[str, Any]:
    """A JobPosting dataclass or a mapping -> a read-only field mapping (no deep copy)."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    return item


def to_rows(
    items: Iterable[Mapping[str, Any]], now: datetime, run_id: int | None, encode_json: bool
) -> list[tuple[Any, ...]]:
    """Items -> row tuples in ``ROW_COLUMNS`` order, in one pass.

    Duplicate keys collapse (last wins), rows come out sorted by key, NUL bytes
    are stripped, timestamps parsed; JSON columns are encoded to text when
    ``encode_json`` (the PostgreSQL COPY path).
    """
    by_key: dict[tuple[str, str], tuple[Any, ...]] = {}
    for item in items:
        source, source_id = (
            str(item["source"]).replace("\x00", ""),
            str(item["source_id"]).replace("\x00", ""),
        )
        row: list[Any] = [source, source_id]
        for col in ITEM_COLUMNS:
            value = item.get(col)
            if value is None:
                pass
            elif col in JSON_COLUMNS:
                value = json_text(value) if encode_json else strip_nul(value)
            elif col in DATETIME_COLUMNS:
                value = parse_ts(value)
            elif type(value) is str:
                if "\x00" in value:
                    value = value.replace("\x00", "")
            row.append(value)
        row += (now, now, run_id)
        by_key[(source, source_id)] = tuple(row)
    return [by_key[k] for k in sorted(by_key)]


class PostingWriter:
    """Writes batches of postings to one database (thread-safe: one transaction per call).

    PostgreSQL: the batch is ``COPY``-ed into a per-connection temporary staging
    table, then moved with one ``INSERT .. SELECT .. ON CONFLICT DO UPDATE``
    (close to COPY speed).  SQLite: one ``executemany`` upsert.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        stmt = sqlite.insert(postings)
        update_cols: dict[str, Any] = {c: stmt.excluded[c] for c in POSTING_DATA_COLUMNS}
        self._sqlite_upsert = stmt.on_conflict_do_update(
            index_elements=["source", "source_id"], set_=update_cols
        ).returning(postings.c.id, postings.c.job_id)
        seen_cols: dict[str, Any] = {c: stmt.excluded[c] for c in SEEN_COLUMNS}
        self._sqlite_upsert_seen = stmt.on_conflict_do_update(
            index_elements=["source", "source_id"], set_=seen_cols
        ).returning(postings.c.id, postings.c.job_id)
        cols = ", ".join(ROW_COLUMNS)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in POSTING_DATA_COLUMNS)
        seq = "nextval(pg_get_serial_sequence('jobs', 'id'))"
        self._pg_copy = f"COPY postings_stage ({cols}) FROM STDIN"
        # one staging table per connection, emptied by each commit
        self._pg_create_stage = (
            "CREATE TEMP TABLE IF NOT EXISTS postings_stage ON COMMIT DELETE ROWS AS "
            f"SELECT {cols}, job_id, false AS needs_job, false AS new_job FROM postings WITH NO DATA"
        )
        # job assignment happens in the staging table, so each posting row is written once
        self._pg_link = (
            # postings not stored yet (or stored without a job) need one
            "UPDATE postings_stage s SET needs_job = true WHERE NOT EXISTS (SELECT 1 FROM postings p "
            "WHERE p.source = s.source AND p.source_id = s.source_id AND p.job_id IS NOT NULL)",
            # a repost joins the job of its stored origin
            "UPDATE postings_stage s SET job_id = o.job_id FROM postings o WHERE s.needs_job "
            "AND s.origin_id IS NOT NULL AND o.source = s.origin AND o.source_id = s.origin_id "
            "AND o.job_id IS NOT NULL",
            # an original joins the job of a stored repost that names it
            "UPDATE postings_stage s SET job_id = (SELECT min(o.job_id) FROM postings o "
            "WHERE o.origin = s.source AND o.origin_id = s.source_id) WHERE s.needs_job AND s.job_id IS NULL "
            "AND EXISTS (SELECT 1 FROM postings o WHERE o.origin = s.source AND o.origin_id = s.source_id "
            "AND o.job_id IS NOT NULL)",
            f"UPDATE postings_stage SET job_id = {seq}, new_job = true "
            "WHERE needs_job AND job_id IS NULL AND origin_id IS NULL",
            # a repost whose origin is in the same batch
            "UPDATE postings_stage s SET job_id = o.job_id FROM postings_stage o WHERE s.needs_job "
            "AND s.job_id IS NULL AND o.source = s.origin AND o.source_id = s.origin_id AND o.job_id IS NOT NULL",
            f"UPDATE postings_stage SET job_id = {seq}, new_job = true WHERE needs_job AND job_id IS NULL",
            "INSERT INTO jobs (id, title, company, created_at, updated_at) "
            "SELECT job_id, title, company, first_seen_at, first_seen_at FROM postings_stage WHERE new_job",
        )
        merge = (
            f"INSERT INTO postings ({cols}, job_id) SELECT {cols}, job_id FROM postings_stage "
            "ORDER BY source, source_id ON CONFLICT (source, source_id) DO UPDATE SET {updates}, "
            "job_id = COALESCE(postings.job_id, EXCLUDED.job_id)"
        )
        self._pg_merge = merge.format(updates=updates)
        self._pg_merge_seen = merge.format(updates=", ".join(f"{c} = EXCLUDED.{c}" for c in SEEN_COLUMNS))

    def write(self, items: Sequence[Any], run_id: int | None = None, now: datetime | None = None) -> int:
        """Upsert ``items`` (JobPosting objects or field mappings); returns postings written."""
        if not items:
            return 0
        now = now or datetime.now(UTC)
        fields = [item_fields(i) for i in items]
        full = [f for f in fields if not f.get("partial")]
        seen = [f for f in fields if f.get("partial")]
        written = 0
        with self.engine.begin() as conn:
            for group, seen_only in ((full, False), (seen, True)):
                if not group:
                    continue
                if self.dialect == "postgresql":
                    rows = to_rows(group, now, run_id, encode_json=True)
                    written += self._write_pg(conn, rows, seen_only, first=written == 0)
                else:
                    written += self._write_sqlite(
                        conn, to_rows(group, now, run_id, encode_json=False), now, seen_only
                    )
        return written

    def _write_sqlite(
        self, conn: Connection, rows: list[tuple[Any, ...]], now: datetime, seen_only: bool
    ) -> int:
        params = [dict(zip(ROW_COLUMNS, r, strict=True)) for r in rows]
        returned = conn.execute(self._sqlite_upsert_seen if seen_only else self._sqlite_upsert, params).all()
        without_job = [pid for pid, job_id in returned if job_id is None]
        has_origin = any(p["origin_id"] for p in params)
        link_jobs(
            conn, without_job, now, has_origin=has_origin, sources=sorted({p["source"] for p in params})
        )
        return len(returned)

    def _write_pg(self, conn: Connection, rows: list[tuple[Any, ...]], seen_only: bool, first: bool) -> int:
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur:
            if not conn.connection.info.get("postings_stage"):
                cur.execute(self._pg_create_stage)
                conn.connection.info["postings_stage"] = True
            elif not first:
                cur.execute("DELETE FROM postings_stage")  # the batch's first group is still there
            with cur.copy(self._pg_copy) as copy:
                for row in rows:
                    copy.write_row(row)
            for sql in self._pg_link:
                cur.execute(sql)
            cur.execute(self._pg_merge_seen if seen_only else self._pg_merge)
            return int(cur.rowcount)


def link_jobs(
    conn: Connection,
    posting_ids: Sequence[int],
    now: datetime,
    has_origin: bool = True,
    sources: Sequence[str] = (),
) -> None:
    """Give every posting in ``posting_ids`` (postings without a job yet) a ``job_id``.

    Set-based; the origin links run only when the batch names origins or some
    stored posting names one of the batch's sources as its origin (an index
    lookup), so the common case is two statements per batch.
    """
    if not posting_ids:
        return
    if not has_origin and sources:
        has_origin = bool(conn.execute(select(exists().where(postings.c.origin.in_(list(sources))))).scalar())
    p = postings
    o = postings.alias("o")
    in_batch = and_(p.c.id.in_(bindparam("ids", expanding=True)), p.c.job_id.is_(None))

    def link_by_origin() -> None:
        # forward: p reposts o  (p.origin/origin_id -> o.source/source_id)
        forward = (
            select(o.c.job_id)
            .where(o.c.source == p.c.origin, o.c.source_id == p.c.origin_id, o.c.job_id.is_not(None))
            .limit(1)
            .scalar_subquery()
        )
        conn.execute(
            update(p).where(in_batch, p.c.origin_id.is_not(None)).values(job_id=forward),
            {"ids": list(posting_ids)},
        )
        # reverse: o reposts p  (o.origin/origin_id -> p.source/source_id)
        reverse = (
            select(o.c.job_id)
            .where(o.c.origin == p.c.source, o.c.origin_id == p.c.source_id, o.c.job_id.is_not(None))
            .order_by(o.c.job_id)
            .limit(1)
            .scalar_subquery()
        )
        conn.execute(update(p).where(in_batch).values(job_id=reverse), {"ids": list(posting_ids)})

    def new_jobs(only_originals: bool) -> None:
        cond = [in_batch]
        if only_originals:
            cond.append(p.c.origin_id.is_(None))
        conn.execute(
            insert(jobs).from_select(
                ["seed_posting_id", "title", "company", "created_at", "updated_at"],
                select(p.c.id, p.c.title, p.c.company, bindparam("now"), bindparam("now")).where(*cond),
            ),
            {"ids": list(posting_ids), "now": now},
        )
        seeded = select(jobs.c.id).where(jobs.c.seed_posting_id == p.c.id).scalar_subquery()
        conn.execute(update(p).where(in_batch).values(job_id=seeded), {"ids": list(posting_ids)})

    if has_origin:
        link_by_origin()
        new_jobs(only_originals=True)
        link_by_origin()
    new_jobs(only_originals=False)
