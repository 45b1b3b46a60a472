"""postings.link_pending: the queue of postings waiting for cross-source linking

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

On PostgreSQL the store writes postings at COPY speed and leaves cross-source linking
(job ids, the near-duplicate index) to the link stage (``crawler/dedupe/linker.py``):
a posting that is new, or whose content changed, is stored with ``link_pending`` true,
and the linker clears it.  A partial index keeps the queue cheap to read however large
``postings`` grows.  Rows stored before this revision are not pending (NULL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("postings", sa.Column("link_pending", sa.Boolean()))
    op.create_index(
        "ix_postings_link_pending",
        "postings",
        ["id"],
        postgresql_where=sa.text("link_pending"),
        sqlite_where=sa.text("link_pending"),
    )


def downgrade() -> None:
    op.drop_index("ix_postings_link_pending", table_name="postings")
    # a plain DROP COLUMN (SQLite 3.35+): a batch "move and copy" would break the views on postings
    op.execute("ALTER TABLE postings DROP COLUMN link_pending")
