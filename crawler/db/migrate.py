"""Alembic, driven from code (``scrapy migrate`` and the SQLite auto-migration)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from crawler.db.engine import get_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaNotReady(RuntimeError):
    """The database is not at the head revision."""


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(get_engine(url)), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(get_engine(url)), revision)


def ensure_schema(url: str, auto_migrate: bool) -> None:
    """Raise :class:`SchemaNotReady` unless the database is at head (migrating if allowed)."""
    engine = get_engine(url)
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if auto_migrate:
        upgrade(url)
        return
    raise SchemaNotReady(
        f"database schema is at revision {current or 'none (empty database)'}, the code needs {head}: "
        "run `scrapy migrate` first"
    )
