"""Batched, idempotent writes of postings (storage knows nothing about sites).

``PostingWriter.write(items)`` upserts one batch in one transaction:

1. duplicates inside the batch collapse (last one wins) and keys are sorted, so
   concurrent writers lock rows in the same order and cannot deadlock;
2. ``INSERT .. ON CONFLICT (source, source_id) DO UPDATE``: ``first_seen_at``
   is kept, ``last_seen_at`` moves; ``closed_at`` takes the item's value, so a
   posting seen open re-opens and one the source reports closed (a closed GitHub
   issue) is closed;
3. cross-source job assignment (``crawler/dedupe``) for the postings that have no
   job yet, inside the same transaction: a few set-based queries fetch the stored
   origin links and the stored postings sharing an index key (canonical job URL,
   company+title, LSH band of the description) with the batch, Python decides
   (:func:`crawler.dedupe.matcher.assign`), new jobs are inserted, and the batch's
   keys are added to ``posting_bands``.  No per-row queries.  On PostgreSQL the
   assignment runs under a transaction-level advisory lock, so two writers (threads or
   processes) never both create a job for the same new job; the COPY of the batch
   happens before the lock, in parallel.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg.errors import UniqueViolation
from sqlalchemy import JSON, Engine, bindparam, func, insert, select, tuple_, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from crawler.db.models import POSTING_DATA_COLUMNS, jobs, posting_bands, postings
from crawler.dedupe.matcher import MAX_PER_KEY, Batch, Profile, assign, index_keys, profile
from crawler.dedupe.signature import Signature, signatures
from crawler.timestamps import parse_ts

#: ``pg_advisory_xact_lock`` key serializing job assignment between writers ("jobs")
DEDUPE_LOCK_KEY = 0x6A6F6273
#: stored columns the matcher reads (candidates and the batch's own stored rows)
PROFILE_COLUMNS: tuple[str, ...] = (
    "id", "job_id", "source", "source_id", "origin", "origin_id", "title", "company", "locations",
    "url", "apply_url", "posted_at", "closed_at", "dedupe_signature",
)  # fmt: skip
DATETIME_COLUMNS = frozenset({"posted_at", "valid_through", "fetched_at", "closed_at"})
JSON_COLUMNS = frozenset(c.name for c in postings.columns if isinstance(c.type.as_generic(), JSON))
#: item fields copied into a row (bookkeeping columns are set by the writer)
ITEM_COLUMNS: tuple[str, ...] = tuple(
    c for c in POSTING_DATA_COLUMNS if c not in ("last_seen_at", "last_run_id")
)
_TEXT, _JSON, _TIME = 0, 1, 2
#: (column, how a value is converted) for each item column, in row order
_COLUMN_KINDS: tuple[tuple[str, int], ...] = tuple(
    (c, _JSON if c in JSON_COLUMNS else _TIME if c in DATETIME_COLUMNS else _TEXT) for c in ITEM_COLUMNS
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

#: stored postings sharing an index key with a batch (the newest MAX_PER_KEY per key)
PG_CANDIDATES = (
    f"SELECT h.hash, {', '.join(f'p.{c}' for c in PROFILE_COLUMNS)} "
    "FROM unnest(%s::text::bigint[]) AS h(hash) CROSS JOIN LATERAL "
    "(SELECT b.posting_id FROM posting_bands b WHERE b.hash = h.hash "
    f"ORDER BY b.posting_id DESC LIMIT {MAX_PER_KEY}) c "
    "JOIN postings p ON p.id = c.posting_id WHERE p.job_id IS NOT NULL"
)

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


_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


def json_text(value: Any) -> str:
    """Compact JSON without NUL characters (PostgreSQL's jsonb rejects ``\\u0000``).

    orjson (~10x the standard library's speed); values it refuses (lone surrogates, integers
    beyond 64 bits) go through the standard library encoder."""
    try:
        text = orjson.dumps(value, default=str, option=_ORJSON_OPTIONS).decode()
    except (orjson.JSONEncodeError, TypeError):
        text = _encode_json(value)
    if "\\u0000" in text:
        return json_text(strip_nul(value))
    return text


def int_array(values: Iterable[int | None]) -> str:
    """A PostgreSQL array literal of integers (cast ``::text::bigint[]``): ~10x cheaper to send
    than a Python list, whose every element psycopg would adapt on its own."""
    return "{" + ",".join("NULL" if v is None else str(int(v)) for v in values) + "}"


def is_unique_violation(exc: BaseException) -> bool:
    """A unique key violated, raised by SQLAlchemy (wrapped) or by psycopg on a raw cursor (COPY)."""
    return isinstance(exc, UniqueViolation) or isinstance(getattr(exc, "orig", None), UniqueViolation)


def item_fields(item: Any) -> Mapping[str, Any]:
    """A JobPosting dataclass or a mapping -> a read-only field mapping (no copy when possible)."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        names = _FIELD_NAMES.get(type(item))
        if names is None:
            names = _FIELD_NAMES[type(item)] = tuple(f.name for f in dataclasses.fields(item))
        attrs = getattr(item, "__dict__", None)
        if attrs is not None and len(attrs) == len(names):  # exactly the fields: read them in place
            return attrs
        return {name: getattr(item, name) for name in names}
    return item


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def collapse(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Shallow copies of ``items``, duplicate keys collapsed (last wins), sorted by key."""
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        copy = dict(item)
        copy["source"] = source = str(item["source"]).replace("\x00", "")
        copy["source_id"] = source_id = str(item["source_id"]).replace("\x00", "")
        by_key[(source, source_id)] = copy
    return [by_key[k] for k in sorted(by_key)]


def dedupe_batch(
    group: list[dict[str, Any]], near_duplicates: bool = True, indexed: Collection[int] = ()
) -> Batch:
    """Signatures (stored in ``dedupe_signature``) and index keys of a collapsed batch; without
    ``near_duplicates`` neither (only origin links can then join postings).

    ``indexed``: positions of postings already stored in a job and indexed, whose description
    did not change (a re-sighting): no signature is computed (the stored one is kept: the
    upsert keeps a stored signature when given none), only their URL and title keys."""
    if not near_duplicates:
        return Batch(group, [None] * len(group), index=False)
    todo = [i for i in range(len(group)) if i not in indexed]
    sigs: list[Signature | None] = [None] * len(group)
    for i, sig in zip(todo, signatures([group[i].get("description_text") for i in todo]), strict=True):
        sigs[i] = sig
        group[i]["dedupe_signature"] = Signature.encode(sig)
    return Batch(group, sigs)


def stored_profile(row: Mapping[str, Any]) -> Profile:
    """A matcher profile of a stored posting (a row with :data:`PROFILE_COLUMNS`)."""
    return profile(row, Signature.from_bytes(row.get("dedupe_signature")))


def new_keys(batch: Batch, i: int, old: Mapping[str, Any] | None) -> list[tuple[int, int]]:
    """Index rows to add for posting ``i``: all of them when it is new or was never indexed
    (stored before the index existed: no signature), else those it did not have (a changed
    description, title or URL)."""
    keys = batch.keys[i]
    if old is None or old.get("dedupe_signature") is None:
        return keys
    old_sig = Signature.from_bytes(old["dedupe_signature"])
    have = {h for _, h in index_keys(old, old_sig)}  # the URL and title keys it had
    new_sig = batch.sigs[i]
    same_text = (new_sig.fingerprint if new_sig else 0) == (old_sig.fingerprint if old_sig else 0)
    return [(b, h) for b, h in keys if (h not in have if b >= 100 else not same_text)]


def to_rows(
    items: Iterable[Mapping[str, Any]], now: datetime, run_id: int | None, encode_json: bool
) -> list[tuple[Any, ...]]:
    """Items -> row tuples in ``ROW_COLUMNS`` order, in one pass.

    Duplicate keys collapse (last wins), rows come out sorted by key, NUL bytes
    are stripped, timestamps parsed; JSON columns are encoded to text when
    ``encode_json`` (the PostgreSQL COPY path).
    """
    by_key: dict[tuple[str, str], tuple[Any, ...]] = {}
    tail = (now, now, run_id)
    for item in items:
        source, source_id = (
            str(item["source"]).replace("\x00", ""),
            str(item["source_id"]).replace("\x00", ""),
        )
        row: list[Any] = [source, source_id]
        get = item.get
        for col, kind in _COLUMN_KINDS:
            value = get(col)
            if value is None:
                pass
            elif kind == _TEXT:
                if type(value) is str and "\x00" in value:
                    value = value.replace("\x00", "")
            elif kind == _JSON:
                value = json_text(value) if encode_json else strip_nul(value)
            else:
                value = parse_ts(value)
            row.append(value)
        row.extend(tail)
        by_key[(source, source_id)] = tuple(row)
    return [by_key[k] for k in sorted(by_key)]


class PostingWriter:
    """Writes batches of postings to one database (thread-safe: one transaction per call).

    PostgreSQL: the batch is ``COPY``-ed into a per-connection temporary staging
    table, job ids are decided (see the module docstring) and the batch is moved with
    one ``INSERT .. SELECT .. ON CONFLICT DO UPDATE`` (close to COPY speed).  SQLite:
    one ``executemany`` upsert, then the job assignment.
    """

    def __init__(self, engine: Engine, near_duplicates: bool = True, link: bool = True) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        #: False: no description signatures and no posting_bands (no near-duplicate matching;
        #: origin links still join a repost to its original) - for a database of one source
        self.near_duplicates = near_duplicates
        #: False (PostgreSQL): only store; new and changed postings are marked ``link_pending``
        #: and the link stage (:class:`crawler.db.link.Linker`) links them.  SQLite always links.
        self.link = link or self.dialect != "postgresql"
        #: store only: the last batch held no stored posting, so the next is COPY-ed at once (a
        #: stored key in it fails the COPY, rolled back to a savepoint: then the keys are looked up)
        self._all_new = False
        stmt = sqlite.insert(postings)
        update_cols: dict[str, Any] = {c: stmt.excluded[c] for c in POSTING_DATA_COLUMNS}
        # a write without near-duplicate matching keeps the stored signature (NULL = never indexed)
        update_cols["dedupe_signature"] = func.coalesce(
            stmt.excluded.dedupe_signature, postings.c.dedupe_signature
        )
        key_cols = (postings.c.id, postings.c.job_id, postings.c.source, postings.c.source_id)
        self._sqlite_upsert = stmt.on_conflict_do_update(
            index_elements=["source", "source_id"], set_=update_cols
        ).returning(*key_cols)
        seen_cols: dict[str, Any] = {c: stmt.excluded[c] for c in SEEN_COLUMNS}
        self._sqlite_upsert_seen = stmt.on_conflict_do_update(
            index_elements=["source", "source_id"], set_=seen_cols
        ).returning(*key_cols)
        cols = ", ".join(ROW_COLUMNS)
        scols = ", ".join(f"s.{c}" for c in ROW_COLUMNS)
        updates = ", ".join(
            f"{c} = COALESCE(EXCLUDED.{c}, postings.{c})" if c == "dedupe_signature" else f"{c} = EXCLUDED.{c}"
            for c in POSTING_DATA_COLUMNS
        )
        self._pg_copy = f"COPY postings_stage ({cols}) FROM STDIN"
        # one staging table per connection (and a narrow one for job ids), emptied by each commit
        self._pg_create_stage = (
            f"CREATE TEMP TABLE IF NOT EXISTS postings_stage ON COMMIT DELETE ROWS AS "
            f"SELECT {cols} FROM postings WITH NO DATA; "
            "CREATE TEMP TABLE IF NOT EXISTS postings_stage_jobs "
            "(source text, source_id text, job_id bigint) ON COMMIT DELETE ROWS"
        )
        # the batch's stored rows and origin links (repost -> original, original <- repost), from the
        # batch's keys as arrays; ids reserved for new postings (COPY-ed straight into postings) and
        # job ids for postings without a job (unused reservations leave gaps: harmless)
        self._pg_facts = (
            "SELECT k.source, k.source_id, p.id, p.job_id, p.title, p.company, p.url, p.apply_url, "
            "p.dedupe_signature, "
            "(SELECT o.job_id FROM postings o WHERE o.source = k.origin AND o.source_id = k.origin_id) "
            "AS fwd, (SELECT min(o.job_id) FROM postings o WHERE o.origin = k.source "
            "AND o.origin_id = k.source_id) AS rev, "
            "CASE WHEN p.id IS NULL THEN nextval(pg_get_serial_sequence('postings', 'id')) END AS new_id, "
            "CASE WHEN p.job_id IS NULL THEN nextval(pg_get_serial_sequence('jobs', 'id')) END AS reserved "
            "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) AS k(source, source_id, origin, origin_id) "
            "LEFT JOIN postings p ON p.source = k.source AND p.source_id = k.source_id"
        )
        self._pg_copy_new = f"COPY postings (id, {cols}, job_id) FROM STDIN"
        merge = (
            f"INSERT INTO postings ({cols}, job_id) SELECT {scols}, j.job_id FROM postings_stage s "
            "LEFT JOIN postings_stage_jobs j ON j.source = s.source AND j.source_id = s.source_id "
            "ORDER BY s.source, s.source_id ON CONFLICT (source, source_id) DO UPDATE SET {updates}, "
            "job_id = COALESCE(postings.job_id, EXCLUDED.job_id) RETURNING id, source, source_id"
        )
        self._pg_merge = merge.format(updates=updates)
        seen_updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in SEEN_COLUMNS)
        self._pg_merge_seen = merge.format(updates=seen_updates)
        # store only (``link=False``): the batch's stored keys; new postings are COPY-ed into
        # postings, stored ones merged, and what is new or changed is left to the link stage
        self._pg_stored_keys = (
            "SELECT p.source, p.source_id FROM unnest(%s::text[], %s::text[]) AS k(source, source_id) "
            "JOIN postings p ON p.source = k.source AND p.source_id = k.source_id"
        )
        self._pg_copy_pending = f"COPY postings ({cols}, link_pending) FROM STDIN"
        store_merge = (
            f"INSERT INTO postings ({cols}, link_pending) SELECT {scols}, true FROM postings_stage s "
            "ORDER BY s.source, s.source_id ON CONFLICT (source, source_id) DO UPDATE SET {updates}"
        )
        # pending again: never linked, content changed, or (matching on) never indexed
        self._pg_store_merge = store_merge.format(
            updates=f"{updates}, link_pending = postings.link_pending OR postings.job_id IS NULL "
            "OR postings.content_hash IS DISTINCT FROM EXCLUDED.content_hash"
            + (" OR postings.dedupe_signature IS NULL" if near_duplicates else "")
        )
        self._pg_store_merge_seen = store_merge.format(updates=seen_updates)
        self._profile_cols = [postings.c[c] for c in PROFILE_COLUMNS]

    def write(self, items: Sequence[Any], run_id: int | None = None, now: datetime | None = None) -> int:
        """Upsert ``items`` (JobPosting objects or field mappings); returns postings written."""
        if not items:
            return 0
        now = now or datetime.now(UTC)
        fields = [item_fields(i) for i in items]
        if not self.link:
            return self._store(fields, now, run_id)
        groups = []
        pg = self.dialect == "postgresql"
        for group, seen_only in (
            (collapse(f for f in fields if not f.get("partial")), False),
            (collapse(f for f in fields if f.get("partial")), True),
        ):
            if group:  # signatures, keys and rows are computed before the transaction
                indexed = self._indexed(group, same_content=not seen_only) if self.near_duplicates else ()
                batch = dedupe_batch(group, self.near_duplicates, indexed)  # sets rows' dedupe_signature
                groups.append((to_rows(group, now, run_id, encode_json=pg), batch, seen_only))
        # without near-duplicate matching, PostgreSQL writers need not wait for each other: should
        # two of them store the same new posting at once, the loser retries behind the lock
        lock = self.near_duplicates
        while True:
            try:
                written = 0
                with self.engine.begin() as conn:
                    for rows, batch, seen_only in groups:
                        if pg:
                            written += self._write_pg(
                                conn, rows, batch, now, seen_only, first=written == 0, lock=lock
                            )
                        else:
                            written += self._write_sqlite(conn, rows, batch, now, seen_only)
                return written
            except (IntegrityError, UniqueViolation) as exc:
                if lock or not is_unique_violation(exc):
                    raise
                lock = True

    def _store(self, fields: list[Mapping[str, Any]], now: datetime, run_id: int | None) -> int:
        """PostgreSQL without linking: COPY for new postings, a staged merge for stored ones."""
        groups = [
            (rows, seen_only)
            for rows, seen_only in (
                (to_rows((f for f in fields if not f.get("partial")), now, run_id, encode_json=True), False),
                (to_rows((f for f in fields if f.get("partial")), now, run_id, encode_json=True), True),
            )
            if rows
        ]
        # writers need not wait for each other: one that lost a race on a new key (another writer
        # inserted it after the stored-keys query) writes the batch again through the merge alone
        merge_all = False
        while True:
            try:
                written = 0
                with self.engine.begin() as conn:
                    for rows, seen_only in groups:
                        written += self._store_pg(conn, rows, seen_only, first=written == 0, merge_all=merge_all)
                return written
            except (IntegrityError, UniqueViolation) as exc:
                if merge_all or not is_unique_violation(exc):
                    raise
                merge_all = True

    def _store_pg(
        self, conn: Connection, rows: list[tuple[Any, ...]], seen_only: bool, first: bool, merge_all: bool
    ) -> int:
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur:
            if not merge_all and self._all_new:  # the last batch was all new: so is this one, likely
                cur.execute("SAVEPOINT new_postings")
                try:
                    return self._copy_new(cur, rows, frozenset())
                except UniqueViolation:  # some are stored: undo, ask which, and merge those
                    cur.execute("ROLLBACK TO SAVEPOINT new_postings")
                    self._all_new = False
            if merge_all:
                stored = {(r[0], r[1]) for r in rows}
            else:
                cur.execute(self._pg_stored_keys, ([r[0] for r in rows], [r[1] for r in rows]))
                stored = set(cur.fetchall())
                self._all_new = not stored
            written = self._copy_new(cur, rows, stored) if len(stored) < len(rows) else 0
            if stored:
                self._stage(conn, cur, first)
                with cur.copy(self._pg_copy) as copy:
                    for row in rows:
                        if (row[0], row[1]) in stored:
                            copy.write_row(row)
                cur.execute(self._pg_store_merge_seen if seen_only else self._pg_store_merge)
                written += cur.rowcount
            return written

    def _copy_new(self, cur: Any, rows: list[tuple[Any, ...]], stored: Collection[tuple[str, str]]) -> int:
        """COPY the rows whose key is not in ``stored`` into ``postings``, queued for the link stage."""
        written = 0
        with cur.copy(self._pg_copy_pending) as copy:
            for row in rows:
                if (row[0], row[1]) not in stored:
                    copy.write_row((*row, True))
                    written += 1
        return written

    def _stage(self, conn: Connection, cur: Any, first: bool) -> None:
        """An empty staging table on this connection (created once per connection)."""
        if not conn.connection.info.get("postings_stage"):
            self._create_stage(cur)
            conn.connection.info["postings_stage"] = True
        elif not first:  # the batch's first group may have used it
            cur.execute("DELETE FROM postings_stage; DELETE FROM postings_stage_jobs")

    def _indexed(self, group: list[dict[str, Any]], same_content: bool) -> set[int]:
        """Positions in ``group`` of postings stored in a job, indexed, and (``same_content``) with
        the item's ``content_hash``: their signature need not be computed again.  One indexed
        query per source and 500 ids; a failure only means every signature is computed."""
        by_source: dict[str, dict[str, int]] = {}
        for i, f in enumerate(group):
            if f.get("content_hash") or not same_content:
                by_source.setdefault(f["source"], {})[f["source_id"]] = i
        found: set[int] = set()
        p = postings.c
        try:
            with self.engine.connect() as conn:
                for source, ids in by_source.items():
                    keys = list(ids)
                    for n in range(0, len(keys), 500):
                        query = select(p.source_id, p.content_hash).where(
                            p.source == source,
                            p.source_id.in_(keys[n : n + 500]),
                            p.job_id.is_not(None),
                            p.dedupe_signature.is_not(None),
                        )
                        for source_id, content_hash in conn.execute(query):
                            i = ids[source_id]
                            if not same_content or content_hash == group[i].get("content_hash"):
                                found.add(i)
        except SQLAlchemyError:
            return set()
        return found

    # --- PostgreSQL -----------------------------------------------------------------------

    def _write_pg(
        self,
        conn: Connection,
        rows: list[tuple[Any, ...]],
        batch: Batch,
        now: datetime,
        seen_only: bool,
        first: bool,
        lock: bool = True,
    ) -> int:
        """One group of a batch: new postings are COPY-ed straight into ``postings`` (ids reserved
        by the facts query), stored ones go through the staging table and one ``INSERT .. ON
        CONFLICT DO UPDATE``.  With ``lock``, everything after the advisory lock, so no other
        writer inserts one of the batch's new keys or jobs in between."""
        raw = conn.connection.driver_connection
        assert raw is not None
        index = {batch.ident(i): i for i in range(len(batch))}
        with raw.cursor() as cur:
            # jit off: the candidate query's estimates (LIMIT per key) would trigger a ~150 ms compile
            cur.execute(
                f"SET LOCAL jit = off; SELECT pg_advisory_xact_lock({DEDUPE_LOCK_KEY})"
                if lock
                else "SET LOCAL jit = off"
            )
            o, oid = ROW_COLUMNS.index("origin"), ROW_COLUMNS.index("origin_id")
            cur.execute(
                self._pg_facts,
                ([r[0] for r in rows], [r[1] for r in rows], [r[o] for r in rows], [r[oid] for r in rows]),
            )
            names = [d.name for d in cur.description or ()]
            stored: dict[int, dict[str, Any]] = {}
            origin_jobs: dict[int, int] = {}
            needs: list[int] = []
            reserved: dict[int, int] = {}
            new_ids: dict[int, int] = {}
            for rec in cur.fetchall():
                r = dict(zip(names[2:], rec[2:], strict=True))
                i = index[(rec[0], rec[1])]
                if r["id"] is not None:
                    stored[i] = r
                else:
                    new_ids[i] = r["new_id"]
                if r["job_id"] is None:
                    needs.append(i)
                    reserved[i] = r["reserved"]
                    link = r["fwd"] if r["fwd"] is not None else r["rev"]
                    if link is not None:
                        origin_jobs[i] = link
            decided = assign_jobs_pg(cur, batch, needs, origin_jobs, reserved, now)
            ids = dict(new_ids)
            if new_ids:
                with cur.copy(self._pg_copy_new) as copy:
                    for i, row in enumerate(rows):  # rows and batch share the key order
                        if i in new_ids:
                            copy.write_row((new_ids[i], *row, decided.get(i)))
            if stored:
                self._stage(conn, cur, first)
                with cur.copy(self._pg_copy) as copy:
                    for i, row in enumerate(rows):
                        if i in stored:
                            copy.write_row(row)
                jobs_of_stored = [(i, j) for i, j in decided.items() if i in stored]
                if jobs_of_stored:
                    with cur.copy("COPY postings_stage_jobs (source, source_id, job_id) FROM STDIN") as copy:
                        for i, job_id in jobs_of_stored:
                            copy.write_row((*batch.ident(i), job_id))
                cur.execute(self._pg_merge_seen if seen_only else self._pg_merge)
                ids.update((index[(src, sid)], pid) for pid, src, sid in cur.fetchall())
            band_rows = self._band_rows(batch, stored, ids, seen_only)
            if band_rows:
                with cur.copy("COPY posting_bands (band, hash, posting_id) FROM STDIN") as copy:
                    copy.write("".join(f"{b}\t{h}\t{p}\n" for b, h, p in band_rows))
            return len(ids)

    def _create_stage(self, cur: Any) -> None:
        cur.execute(self._pg_create_stage)
        # values keep their compression when moved to postings: compress them as postings does
        cur.execute(
            "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'postings'::regclass "
            "AND attcompression <> ''"
        )
        for name, method in cur.fetchall():
            method = {"l": "lz4", "p": "pglz"}[method]
            cur.execute(f"ALTER TABLE postings_stage ALTER COLUMN {name} SET COMPRESSION {method}")

    @staticmethod
    def _band_rows(
        batch: Batch, stored: dict[int, dict[str, Any]], ids: dict[int, int], seen_only: bool
    ) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        for i, pid in ids.items():
            old = stored.get(i)
            if old is not None and seen_only:
                continue  # a partial re-sighting writes no content
            out.extend((band, h, pid) for band, h in new_keys(batch, i, old))
        return out

    # --- SQLite ---------------------------------------------------------------------------

    def _write_sqlite(
        self,
        conn: Connection,
        rows: list[tuple[Any, ...]],
        batch: Batch,
        now: datetime,
        seen_only: bool,
    ) -> int:
        index = {batch.ident(i): i for i in range(len(batch))}
        stored: dict[int, dict[str, Any]] = {}
        keys = list(index)
        for n in range(0, len(keys), 400):
            chunk = keys[n : n + 400]
            query = select(*self._profile_cols).where(
                tuple_(postings.c.source, postings.c.source_id).in_(chunk)
            )
            for r in conn.execute(query).mappings():
                stored[index[(r["source"], r["source_id"])]] = dict(r)
        params = [dict(zip(ROW_COLUMNS, r, strict=True)) for r in rows]
        returned = conn.execute(self._sqlite_upsert_seen if seen_only else self._sqlite_upsert, params).all()
        ids = {index[(src, sid)]: pid for pid, _, src, sid in returned}
        needs = [index[(src, sid)] for _, job_id, src, sid in returned if job_id is None]
        if needs:
            self._assign_sqlite(conn, batch, needs, ids, now)
        band_rows = self._band_rows(batch, stored, ids, seen_only)
        if band_rows:
            conn.execute(
                insert(posting_bands), [{"band": b, "hash": h, "posting_id": p} for b, h, p in band_rows]
            )
        return len(returned)

    def _assign_sqlite(
        self, conn: Connection, batch: Batch, needs: list[int], ids: dict[int, int], now: datetime
    ) -> None:
        p, o = postings, postings.alias("o")
        forward = (
            select(o.c.job_id)
            .where(o.c.source == p.c.origin, o.c.source_id == p.c.origin_id, o.c.job_id.is_not(None))
            .limit(1)
            .scalar_subquery()
        )
        reverse = (
            select(o.c.job_id)
            .where(o.c.origin == p.c.source, o.c.origin_id == p.c.source_id, o.c.job_id.is_not(None))
            .order_by(o.c.job_id)
            .limit(1)
            .scalar_subquery()
        )
        by_id = {ids[i]: i for i in needs}
        origin_jobs: dict[int, int] = {}
        need_ids = sorted(by_id)
        for n in range(0, len(need_ids), 500):
            query = select(p.c.id, forward, reverse).where(p.c.id.in_(need_ids[n : n + 500]))
            for pid, fwd, rev in conn.execute(query):
                link = fwd if fwd is not None else rev
                if link is not None:
                    origin_jobs[by_id[pid]] = link
        hashes = sorted({h for i in needs if i not in origin_jobs for _, h in batch.keys[i]})
        candidates: dict[int, list[Profile]] = {}
        cache: dict[int, Profile] = {}
        b = posting_bands
        for n in range(0, len(hashes), 500):
            query = (
                select(b.c.hash, *self._profile_cols)
                .join(p, p.c.id == b.c.posting_id)
                .where(b.c.hash.in_(hashes[n : n + 500]), p.c.job_id.is_not(None))
                .order_by(b.c.hash, p.c.id.desc())
            )
            for r in conn.execute(query).mappings():
                found = candidates.setdefault(r["hash"], [])
                if len(found) < MAX_PER_KEY:
                    prof = cache.get(r["id"])
                    if prof is None:
                        prof = cache[r["id"]] = stored_profile(dict(r))
                    found.append(prof)
        decided = assign(batch, needs, origin_jobs, candidates)
        seeds: dict[int, int] = {}
        for i in sorted(decided):
            if decided[i] < 0:
                seeds.setdefault(decided[i], i)
        if seeds:
            new = conn.execute(
                insert(jobs).returning(jobs.c.id, jobs.c.seed_posting_id, sort_by_parameter_order=True),
                [
                    {
                        "seed_posting_id": ids[i],
                        "title": seed_title(batch.fields[i]),
                        "company": seed_company(batch.fields[i]),
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in seeds.values()
                ],
            ).all()
            job_of_seed = {seed: job for job, seed in new}
            decided = {i: (job_of_seed[ids[seeds[j]]] if j < 0 else j) for i, j in decided.items()}
        conn.execute(
            update(postings).where(postings.c.id == bindparam("pid")).values(job_id=bindparam("jid")),
            [{"pid": ids[i], "jid": j} for i, j in decided.items()],
        )


def assign_jobs_pg(
    cur: Any,
    batch: Batch,
    needs: list[int],
    origin_jobs: dict[int, int],
    reserved: dict[int, int],
    now: datetime,
) -> dict[int, int]:
    """Job ids for the postings ``needs`` of ``batch`` (PostgreSQL, under the advisory lock):
    candidates through ``posting_bands``, :func:`assign`, new jobs COPY-ed with the ids
    ``reserved`` for their first posting."""
    if not needs:
        return {}
    hashes = sorted({h for i in needs if i not in origin_jobs for _, h in batch.keys[i]})
    candidates: dict[int, list[Profile]] = {}
    if hashes:
        cur.execute(PG_CANDIDATES, (int_array(hashes),))
        names = [d.name for d in cur.description or ()]
        cache: dict[int, Profile] = {}
        for rec in cur.fetchall():
            pid = rec[1]
            prof = cache.get(pid)
            if prof is None:
                prof = cache[pid] = stored_profile(dict(zip(names[1:], rec[1:], strict=True)))
            candidates.setdefault(rec[0], []).append(prof)
    decided = assign(batch, needs, origin_jobs, candidates)
    seeds: dict[int, int] = {}  # new job number -> its first posting, whose reserved id it takes
    for i in sorted(decided):
        if decided[i] < 0:
            seeds.setdefault(decided[i], i)
    if seeds:
        with cur.copy("COPY jobs (id, title, company, created_at, updated_at) FROM STDIN") as copy:
            for i in seeds.values():
                f = batch.fields[i]
                copy.write_row((reserved[i], seed_title(f), seed_company(f), now, now))
        decided = {i: (reserved[seeds[j]] if j < 0 else j) for i, j in decided.items()}
    return decided


def seed_title(fields: Mapping[str, Any]) -> str | None:
    return strip_nul(fields.get("title"))


def seed_company(fields: Mapping[str, Any]) -> str | None:
    return strip_nul(fields.get("company"))
