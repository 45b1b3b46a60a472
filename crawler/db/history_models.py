"""History tables of the analysts' database (migration 0003), on the shared ``metadata``.

``posting_changes`` is written only by the database trigger ``postings_record_changes``
(``crawler/analytics/sql_0003.py``): whenever an UPDATE of ``postings`` changes
``content_hash``, one row per changed field holds its old and new value as JSON, the
time (the new ``last_seen_at``) and the run (the new ``last_run_id``).  Storage code
knows nothing about it, so every writer (the PostgreSQL COPY-staged merge, the SQLite
upsert, a manual UPDATE) is covered.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table

from crawler.db.models import BigId, Json, UtcDateTime, metadata

#: a foreign key to a BigId primary key (INTEGER on SQLite)
_BigRef = BigInteger().with_variant(Integer(), "sqlite")

posting_changes = Table(
    "posting_changes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("posting_id", _BigRef, ForeignKey("postings.id", ondelete="CASCADE"), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("run_id", _BigRef, ForeignKey("crawl_runs.id", ondelete="SET NULL")),
    Column("field", String(64), nullable=False),
    Column("old_value", Json),
    Column("new_value", Json),
    Index("ix_posting_changes_posting_id_changed_at", "posting_id", "changed_at"),
    Index("ix_posting_changes_changed_at", "changed_at"),
    Index("ix_posting_changes_run_id", "run_id"),
)
