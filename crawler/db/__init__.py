"""Database layer: SQLAlchemy models, Alembic migrations, storage writers."""
