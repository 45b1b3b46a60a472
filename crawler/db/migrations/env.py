"""Alembic environment: the engine comes from ``crawler.db.migrate`` (or DATABASE_URL)."""

from __future__ import annotations

import os

from alembic import context

from crawler.db.engine import get_engine
from crawler.db.models import metadata

config = context.config
engine = config.attributes.get("engine") or get_engine(os.environ.get("DATABASE_URL", "sqlite:///jobs.db"))

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
