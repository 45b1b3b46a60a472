"""postings, jobs, crawl_runs

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("spider", sa.String(100), nullable=False),
        sa.Column("args", Json, nullable=False),
        sa.Column("started_at", Ts, nullable=False),
        sa.Column("finished_at", Ts),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("finish_reason", sa.String(100)),
        sa.Column("items_scraped", sa.Integer, nullable=False),
        sa.Column("items_stored", sa.Integer, nullable=False),
        sa.Column("items_dropped", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("stats", Json),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
    )
    op.create_index("ix_crawl_runs_spider_started_at", "crawl_runs", ["spider", "started_at"])
    op.create_table(
        "jobs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text),
        sa.Column("company", sa.Text),
        sa.Column("seed_posting_id", BigId),
        sa.Column("created_at", Ts, nullable=False),
        sa.Column("updated_at", Ts, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("seed_posting_id", name="uq_jobs_seed_posting_id"),
    )
    op.create_table(
        "postings",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(255), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("origin", sa.String(64)),
        sa.Column("origin_id", sa.String(255)),
        sa.Column("origin_url", sa.Text),
        sa.Column("apply_url", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("company", sa.Text),
        sa.Column("company_url", sa.Text),
        sa.Column("description_text", sa.Text),
        sa.Column("description_html", sa.Text),
        sa.Column("locations", Json),
        sa.Column("remote_regions", Json),
        sa.Column("workplace", sa.String(16)),
        sa.Column("employment_type", sa.String(16)),
        sa.Column("contract_type", sa.String(32)),
        sa.Column("seniority", Json),
        sa.Column("experience_years_min", sa.Integer),
        sa.Column("experience_years_max", sa.Integer),
        sa.Column("salary_min", sa.Float),
        sa.Column("salary_max", sa.Float),
        sa.Column("salary_currency", sa.String(3)),
        sa.Column("salary_period", sa.String(8)),
        sa.Column("salary_raw", sa.Text),
        sa.Column("languages", Json),
        sa.Column("skills", Json),
        sa.Column("posted_at", Ts),
        sa.Column("valid_through", Ts),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("raw", Json),
        sa.Column("fetched_at", Ts),
        sa.Column("first_seen_at", Ts, nullable=False),
        sa.Column("last_seen_at", Ts, nullable=False),
        sa.Column("closed_at", Ts),
        sa.Column("job_id", BigId),
        sa.Column("last_run_id", BigId),
        sa.PrimaryKeyConstraint("id", name="pk_postings"),
        sa.UniqueConstraint("source", "source_id", name="uq_postings_source_source_id"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_postings_job_id_jobs", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["last_run_id"], ["crawl_runs.id"], name="fk_postings_last_run_id_crawl_runs", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_postings_origin_origin_id", "postings", ["origin", "origin_id"])
    op.create_index("ix_postings_job_id", "postings", ["job_id"])
    op.create_index("ix_postings_last_seen_at", "postings", ["last_seen_at"])


def downgrade() -> None:
    op.drop_table("postings")
    op.drop_table("jobs")
    op.drop_index("ix_crawl_runs_spider_started_at", table_name="crawl_runs")
    op.drop_table("crawl_runs")
