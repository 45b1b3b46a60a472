"""PostgreSQL: lz4 compression for the large postings columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Descriptions (text and HTML) and the raw JSON are longer than PostgreSQL's TOAST
threshold (~2 KB), so every stored posting is compressed.  The default method (pglz) is
what a COPY of postings spends most of its server time on; lz4 compresses ~1.5x faster
here with a similar ratio on job descriptions (``bench/store.py``).  Only values written
from now on use lz4; existing ones stay readable as they are.  A server built without lz4
keeps pglz.  SQLite: nothing to do.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: the columns whose values are usually TOASTed
COLUMNS = ("description_text", "description_html", "raw")


def lz4_available(conn: sa.Connection) -> bool:
    """Whether this PostgreSQL server was built with lz4 (``default_toast_compression`` accepts it)."""
    values = conn.execute(
        sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar()
    return values is not None and "lz4" in values


def _set(method: str) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or not lz4_available(conn):
        return
    for column in COLUMNS:
        op.execute(f"ALTER TABLE postings ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("pglz")
