"""Streaming exports of ``open_jobs`` or ``postings`` to CSV, JSON Lines or Parquet.

Rows are read with a server-side cursor on PostgreSQL (``stream_results``) and in
``batch_size`` partitions on both backends, and each partition is written before the next
is fetched: memory stays bounded by one batch whatever the table size.  The file is
written next to its destination and renamed into place at the end, so a failed export
never leaves half a file under the requested name.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import JSON, Boolean, DateTime, Engine, Float, Integer, Select, select
from sqlalchemy.sql.elements import ColumnElement

from crawler.analytics import views
from crawler.db.models import postings

FORMATS = ("csv", "jsonl", "parquet")
WHATS = ("open_jobs", "postings")
#: rows per Parquet row group (batches are buffered as Arrow data until there are this many)
ROW_GROUP_ROWS = 20_000
#: postings columns left out of exports (binary dedupe index data)
EXCLUDED_POSTING_COLUMNS = frozenset({"dedupe_signature"})


@dataclass
class ExportFilter:
    since: datetime | None = None  # first_seen_at >= since
    sources: list[str] = field(default_factory=list)
    workplace: str | None = None


def parse_since(value: str) -> datetime:
    """``2026-11-01`` or an ISO 8601 timestamp -> aware UTC datetime (naive = UTC)."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"--since {value!r}: expected a date (YYYY-MM-DD) or an ISO 8601 timestamp"
        ) from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def export_query(what: str, flt: ExportFilter) -> Select[Any]:
    if what == "postings":
        table = postings
        cols = [c for c in postings.columns if c.name not in EXCLUDED_POSTING_COLUMNS]
        order = postings.c.id
    elif what == "open_jobs":
        table = views.open_jobs
        cols = list(table.columns)
        order = table.c.posting_id
    else:
        raise ValueError(f"unknown export {what!r}: one of {', '.join(WHATS)}")
    conds: list[ColumnElement[bool]] = []
    if flt.since is not None:
        conds.append(table.c.first_seen_at >= flt.since)
    if flt.sources:
        conds.append(table.c.source.in_(flt.sources))
    if flt.workplace:
        conds.append(table.c.workplace == flt.workplace)
    return select(*cols).where(*conds).order_by(order)


# --- value conversion ----------------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes: they are stored in UTC
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _text_value(value: Any, is_json: bool) -> Any:
    """A cell of a CSV file: JSON columns as compact JSON, timestamps as ISO 8601 UTC."""
    if value is None:
        return ""
    if is_json:
        return _json_text(value)
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- writers ---------------------------------------------------------------------------------


class Writer:
    def __init__(self, out: IO[Any], names: Sequence[str], json_cols: set[str], types: dict[str, Any]):
        self.out, self.names, self.json_cols, self.types = out, list(names), json_cols, types

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class CsvWriter(Writer):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.csv = csv.writer(self.out)
        self.csv.writerow(self.names)
        self.flags = [n in self.json_cols for n in self.names]

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        flags = self.flags
        self.csv.writerows([_text_value(v, j) for v, j in zip(row, flags, strict=True)] for row in rows)


class JsonlWriter(Writer):
    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        names, write = self.names, self.out.write
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_value).encode
        for row in rows:
            write(dumps({n: _json_value(v) for n, v in zip(names, row, strict=True)}))
            write("\n")


class ParquetWriter(Writer):
    """One row group per batch; JSON columns as JSON text, timestamps as ``timestamp[us, UTC]``."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        import pyarrow as pa  # imported only for Parquet exports
        import pyarrow.parquet as pq

        self.pa = pa
        fields = []
        self.converters: list[Callable[[Any], Any] | None] = []
        for name in self.names:
            kind = self.types[name]
            if name in self.json_cols:
                fields.append(pa.field(name, pa.string()))
                self.converters.append(lambda v: None if v is None else _json_text(v))
            elif isinstance(kind, DateTime):
                fields.append(pa.field(name, pa.timestamp("us", tz="UTC")))
                self.converters.append(lambda v: None if v is None else _utc(v))
            elif isinstance(kind, Boolean):
                fields.append(pa.field(name, pa.bool_()))
                self.converters.append(None)
            elif isinstance(kind, Integer):
                fields.append(pa.field(name, pa.int64()))
                self.converters.append(None)
            elif isinstance(kind, Float):
                fields.append(pa.field(name, pa.float64()))
                self.converters.append(None)
            else:
                fields.append(pa.field(name, pa.string()))
                self.converters.append(lambda v: None if v is None else str(v))
        self.schema = pa.schema(fields)
        self.pq = pq.ParquetWriter(self.out, self.schema, compression="zstd")
        self.pending: list[Any] = []
        self.pending_rows = 0

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        pa, columns = self.pa, []
        for i, (conv, fld) in enumerate(zip(self.converters, self.schema, strict=True)):
            values = [row[i] for row in rows]
            columns.append(pa.array(values if conv is None else [conv(v) for v in values], type=fld.type))
        self.pending.append(pa.RecordBatch.from_arrays(columns, schema=self.schema))
        self.pending_rows += len(rows)
        if self.pending_rows >= ROW_GROUP_ROWS:
            self.flush()

    def flush(self) -> None:
        """The buffered batches (Arrow memory, compact) become one row group."""
        if self.pending:
            self.pq.write_table(self.pa.Table.from_batches(self.pending), row_group_size=self.pending_rows)
            self.pending, self.pending_rows = [], 0

    def close(self) -> None:
        self.flush()
        self.pq.close()


def _generic(kind: Any) -> Any:
    try:
        return kind.as_generic()
    except NotImplementedError:
        return kind


WRITERS: dict[str, type[Writer]] = {"csv": CsvWriter, "jsonl": JsonlWriter, "parquet": ParquetWriter}


def export(
    engine: Engine,
    what: str,
    fmt: str,
    output: str | Path,
    flt: ExportFilter | None = None,
    batch_size: int = 1000,
) -> int:
    """Write ``what`` (``open_jobs`` | ``postings``) as ``fmt`` to ``output`` (``-``: stdout,
    CSV/JSON Lines only); returns the number of rows written."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    query = export_query(what, flt or ExportFilter())
    names = [c.name for c in query.selected_columns]
    types = {c.name: _generic(c.type) for c in query.selected_columns}
    json_cols = {n for n, t in types.items() if isinstance(t, JSON)}
    to_stdout = str(output) == "-"
    if to_stdout and fmt == "parquet":
        raise ValueError("Parquet cannot be written to stdout: give a file name with -o")
    target = Path(output)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    binary = fmt == "parquet"
    n = 0
    with _open(tmp, binary, to_stdout) as out:
        writer = WRITERS[fmt](out, names, json_cols, types)
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch_size).execute(query)
            while True:
                rows: Sequence[Any] | None = result.fetchmany(batch_size)
                if not rows:
                    break
                writer.write(rows)
                n += len(rows)
                rows = None  # let this batch go before the next one is fetched
        writer.close()
    if not to_stdout:
        os.replace(tmp, target)
    return n


class _open:
    """The temporary file (text: UTF-8, universal newlines off for CSV) or stdout."""

    def __init__(self, path: Path, binary: bool, to_stdout: bool) -> None:
        self.path, self.binary, self.to_stdout = path, binary, to_stdout
        self.fh: IO[Any] | None = None

    def __enter__(self) -> IO[Any]:
        if self.to_stdout:
            return sys.stdout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = self.path.open("wb") if self.binary else self.path.open("w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self.fh is not None:
            self.fh.close()
            if exc_type is not None:
                self.path.unlink(missing_ok=True)


def rows_of(path: Path, fmt: str) -> Iterable[dict[str, Any]]:
    """Read an export back (tests, spot checks): CSV as strings, JSON Lines as JSON, Parquet as Python."""
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as fh:
            yield from csv.DictReader(fh)
    elif fmt == "jsonl":
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches():
            yield from batch.to_pylist()


__all__ = ["FORMATS", "WHATS", "ExportFilter", "export", "parse_since", "rows_of"]
