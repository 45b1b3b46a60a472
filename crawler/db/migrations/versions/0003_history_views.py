"""history and analysts' views: posting_changes (+ trigger), open_jobs, jobs_best, jobs_per_day,
salary_stats, top_skills_by_month, time_to_close

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Rows already stored are kept as they are; ``posting_changes`` starts empty (changes are
recorded from this revision on).  The trigger and the views are the frozen SQL of
``crawler/analytics/sql_0003.py`` (PostgreSQL and SQLite variants).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from crawler.analytics.sql_0003 import downgrade_statements, upgrade_statements

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "posting_changes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("posting_id", BigId, nullable=False),
        sa.Column("changed_at", Ts, nullable=False),
        sa.Column("run_id", BigId),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old_value", Json),
        sa.Column("new_value", Json),
        sa.PrimaryKeyConstraint("id", name="pk_posting_changes"),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["postings.id"], name="fk_posting_changes_posting_id_postings", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name="fk_posting_changes_run_id_crawl_runs", ondelete="SET NULL"
        ),
    )
    op.create_index(
        "ix_posting_changes_posting_id_changed_at", "posting_changes", ["posting_id", "changed_at"]
    )
    op.create_index("ix_posting_changes_changed_at", "posting_changes", ["changed_at"])
    op.create_index("ix_posting_changes_run_id", "posting_changes", ["run_id"])
    for statement in upgrade_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in downgrade_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_posting_changes_run_id", table_name="posting_changes")
    op.drop_index("ix_posting_changes_changed_at", table_name="posting_changes")
    op.drop_index("ix_posting_changes_posting_id_changed_at", table_name="posting_changes")
    op.drop_table("posting_changes")
