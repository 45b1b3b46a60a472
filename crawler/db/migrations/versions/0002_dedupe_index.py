"""cross-source dedupe index: postings.dedupe_signature, posting_bands

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Postings stored before this revision have no signature and no bands: each joins the
index when it is next written (a re-sighting of a posting without a signature indexes it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("postings") as batch:
        batch.add_column(sa.Column("dedupe_signature", sa.LargeBinary()))
    op.create_table(
        "posting_bands",
        sa.Column("band", sa.SmallInteger, nullable=False),
        sa.Column("hash", sa.BigInteger, nullable=False),
        sa.Column("posting_id", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_posting_bands_hash_posting_id", "posting_bands", ["hash", "posting_id"])


def downgrade() -> None:
    op.drop_index("ix_posting_bands_hash_posting_id", table_name="posting_bands")
    op.drop_table("posting_bands")
    with op.batch_alter_table("postings") as batch:
        batch.drop_column("dedupe_signature")
