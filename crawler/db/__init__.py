"""Database layer: SQLAlchemy models, Alembic migrations, storage writers."""

from crawler.db import history_models  # noqa: F401
