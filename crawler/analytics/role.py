"""A read-only PostgreSQL role for analysts (``scrapy analyst-role``).

What the role gets, in the database of ``DATABASE_URL`` (run it as the user that runs the
migrations, the owner of the tables):

* ``LOGIN`` (with a password when given: hashed client-side with SCRAM-SHA-256, so the
  clear text never reaches the server or its statement log), nothing else: no superuser,
  no CREATEDB/CREATEROLE/REPLICATION/BYPASSRLS;
* ``CONNECT`` on the database, ``USAGE`` on the schema;
* ``SELECT`` on the project's tables (those of ``crawler.db.models.metadata``) and views
  (``crawler.analytics.sql_0003.VIEW_NAMES``) — every other privilege on them revoked —
  and on nothing else: another schema or an unrelated table stays unreadable;
* default privileges: ``SELECT`` on the tables and views the owner creates later in the
  schema (new views of later migrations);
* ``default_transaction_read_only = on``: a second lock besides the privileges.

It can still create temporary tables (``TEMP`` is granted to PUBLIC on every database and
the crawler's writers need it) — they are private to its session and vanish with it.
SQLite has no roles: see :data:`SQLITE_MESSAGE`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql
from sqlalchemy import Engine

from crawler.analytics.sql_0003 import VIEW_NAMES
from crawler.db.models import metadata

ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

SQLITE_MESSAGE = """\
SQLite has no roles: read-only access to an SQLite database is a matter of the file.
  * open it read-only: sqlite3 'file:jobs.db?mode=ro'   (SQLAlchemy: sqlite:///file:jobs.db?mode=ro&uri=true,
    pandas/duckdb/DBeaver: the same URI), or hand analysts a copy (sqlite3 jobs.db ".backup analysts.db");
  * and make the file unwritable for them: e.g. group analysts and chmod 640 on jobs.db, jobs.db-wal and
    jobs.db-shm (SQLite >= 3.22 reads a WAL database read-only while the crawler keeps those files).
For a role with SELECT only, use PostgreSQL (DATABASE_URL=postgresql+psycopg://...) and run this command again."""


class RoleError(RuntimeError):
    """The role cannot be (safely) created or changed."""


@dataclass
class RoleResult:
    name: str
    created: bool
    objects: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def project_objects() -> list[str]:
    return sorted(metadata.tables) + list(VIEW_NAMES)


def _check_name(name: str) -> None:
    if not ROLE_NAME.fullmatch(name):
        raise RoleError(
            f"invalid role name {name!r}: letters, digits and _ (not starting with a digit), ≤ 63"
        )


def create_analyst_role(
    engine: Engine, name: str, password: str | None = None, schema: str = "public"
) -> RoleResult:
    """Create (or bring back to read-only) the analyst role ``name``; one transaction."""
    _check_name(name)
    role = sql.Identifier(name)
    with engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        cur = raw.cursor()
        cur.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = %s",
            (name,),
        )
        existing = cur.fetchone()
        cur.execute("SELECT current_user, current_database()")
        me, database = cur.fetchone()
        if name == me:
            raise RoleError(f"{name!r} is the user running this command: pick another name for the analysts")
        if existing is not None and any(existing):
            raise RoleError(
                f"role {name!r} exists and is privileged (superuser, CREATEROLE, CREATEDB, REPLICATION or "
                "BYPASSRLS): refusing to reuse it as a read-only role"
            )
        cur.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm', 'p') AND c.relname = ANY(%s)",
            (schema, project_objects()),
        )
        found = dict(cur.fetchall())
        if "postings" not in found:
            raise RoleError(f"no postings table in schema {schema!r}: run `scrapy migrate` first")
        owner = found["postings"]
        attrs: sql.Composable = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
        if password:
            hashed = raw.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()
            attrs = sql.SQL("{} PASSWORD {}").format(attrs, sql.Literal(hashed))
        verb = sql.SQL("ALTER ROLE" if existing else "CREATE ROLE")
        cur.execute(sql.SQL("{} {} {}").format(verb, role, attrs))
        cur.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(role))
        cur.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role))
        cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), role))
        objects = sorted(found)
        targets = sql.SQL(", ").join(sql.Identifier(schema, o) for o in objects)
        cur.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(targets, role))
        cur.execute(sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(targets, role))
        cur.execute(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT ON TABLES TO {}").format(
                sql.Identifier(owner), sql.Identifier(schema), role
            )
        )
        result = RoleResult(name=name, created=existing is None, objects=objects)
        missing = sorted(set(project_objects()) - set(found))
        if missing:
            result.notes.append(f"not in the database (older schema?): {', '.join(missing)}")
        cur.execute("SELECT has_schema_privilege(%s, %s, 'CREATE'), has_database_privilege(%s, %s, 'CREATE')",
                    (name, schema, name, database))  # fmt: skip
        can_create_in_schema, can_create_schema = cur.fetchone()
        if can_create_in_schema:
            result.notes.append(
                f"WARNING: {name} can CREATE in schema {schema} through PUBLIC (PostgreSQL < 15 default); "
                f"run: REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC;"
            )
        if can_create_schema:
            result.notes.append(f"WARNING: {name} can CREATE schemas in {database} through PUBLIC")
        if owner != me:
            result.notes.append(
                f"default privileges set for objects created by {owner} (the owner of postings)"
            )
    return result


def drop_analyst_role(engine: Engine, name: str) -> None:
    """Revoke what the role holds in this database and drop it (it must hold nothing elsewhere)."""
    _check_name(name)
    role = sql.Identifier(name)
    with engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        cur = raw.cursor()
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (name,))
        row = cur.fetchone()
        if row is None:
            return
        if row[0]:
            raise RoleError(f"refusing to drop superuser {name!r}")
        cur.execute(sql.SQL("DROP OWNED BY {}").format(role))
        cur.execute(sql.SQL("DROP ROLE {}").format(role))
