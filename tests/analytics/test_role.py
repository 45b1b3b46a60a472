"""The analysts' role: SELECT on the project's tables and views, nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import errors
from sqlalchemy.engine import make_url

from crawler.analytics.role import RoleError, create_analyst_role, drop_analyst_role
from crawler.analytics.sql_0003 import VIEW_NAMES
from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.store import PostingWriter
from crawler.items import JobPosting
from tests.conftest import PG_HOST, PG_PORT, PG_USER
from tests.crawl import ROOT


def connect(url: str, user: str, password: str | None = None) -> psycopg.Connection:
    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=user, password=password, dbname=make_url(url).database, autocommit=True
    )


@pytest.fixture
def analyst(pg_url: str) -> Iterator[str]:
    name = f"jc_analyst_{uuid.uuid4().hex[:10]}"
    upgrade(pg_url)
    PostingWriter(get_engine(pg_url)).write([JobPosting(source="gh", source_id="1", title="Engineer", skills=["Go"])])
    with connect(pg_url, PG_USER) as admin:  # things that are not the project's
        admin.execute("CREATE SCHEMA private; CREATE TABLE private.salaries (who text, amount int)")
        admin.execute("CREATE TABLE public.unrelated (secret text); INSERT INTO public.unrelated VALUES ('x')")
    try:
        yield name
    finally:
        drop_analyst_role(get_engine(pg_url), name)


def test_analyst_reads_the_project_and_nothing_else(pg_url: str, analyst: str) -> None:
    result = create_analyst_role(get_engine(pg_url), analyst)
    assert result.created and set(VIEW_NAMES) <= set(result.objects) and "postings" in result.objects
    assert not [n for n in result.notes if n.startswith("WARNING")]
    with connect(pg_url, analyst) as conn:
        assert conn.execute("SELECT count(*) FROM postings").fetchone() == (1,)
        for view in VIEW_NAMES:
            conn.execute(f"SELECT * FROM {view}").fetchall()
        assert conn.execute("SELECT count(*) FROM posting_changes").fetchone() == (0,)
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        # the privileges hold even in a read-write transaction
        conn.execute("SET default_transaction_read_only = off")
        for statement in (
            "INSERT INTO postings (source, source_id, title, first_seen_at, last_seen_at) VALUES ('x', 'y', 't', now(), now())",
            "UPDATE postings SET title = 'hacked'",
            "DELETE FROM postings",
            "DELETE FROM crawl_runs",
            "TRUNCATE jobs",
            "CREATE TABLE public.mine (x int)",
            "CREATE VIEW public.mine AS SELECT 1 AS x",
            "CREATE SCHEMA mine",
            "DROP VIEW open_jobs",
            "ALTER TABLE postings ADD COLUMN x int",
            "SELECT * FROM private.salaries",
            "SELECT * FROM public.unrelated",
            "SELECT nextval(pg_get_serial_sequence('postings', 'id'))",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
        # and by default it cannot write at all
        conn.execute("SET default_transaction_read_only = on")
        with pytest.raises(errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TEMP TABLE t (x int)")
    # a view a later migration adds is readable through the default privileges
    with connect(pg_url, PG_USER) as admin:
        admin.execute("CREATE VIEW public.later_view AS SELECT count(*) AS n FROM postings")
    with connect(pg_url, analyst) as conn:
        assert conn.execute("SELECT n FROM later_view").fetchone() == (1,)


def test_existing_privileged_roles_are_refused(pg_url: str, analyst: str) -> None:
    with connect(pg_url, PG_USER) as admin:
        admin.execute(f'CREATE ROLE "{analyst}" LOGIN CREATEDB')
    with pytest.raises(RoleError, match="privileged"):
        create_analyst_role(get_engine(pg_url), analyst)
    with pytest.raises(RoleError, match="the user running this command"):
        create_analyst_role(get_engine(pg_url), PG_USER)
    with pytest.raises(RoleError, match="invalid role name"):
        create_analyst_role(get_engine(pg_url), "bad name; DROP TABLE postings")


def test_command_with_password_and_sqlite_message(pg_url: str, analyst: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": pg_url, "ANALYST_PW": "pw-Secret-42"}
    cmd = [sys.executable, "-m", "scrapy", "analyst-role", "--name", analyst, "--password-env", "ANALYST_PW"]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"role {analyst} created" in done.stdout and "pw-Secret-42" not in done.stdout + done.stderr
    with connect(pg_url, PG_USER) as admin:
        stored = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (analyst,)).fetchone()
    assert stored and stored[0].startswith("SCRAM-SHA-256$")  # hashed before it was sent
    again = create_analyst_role(get_engine(pg_url), analyst)  # idempotent: brought back to read-only
    assert not again.created and "postings" in again.objects
    sqlite_env = {**env, "DATABASE_URL": "sqlite:///analysts.db"}
    lite = subprocess.run(cmd[:6], cwd=ROOT, env=sqlite_env, capture_output=True, text=True, timeout=60)
    assert lite.returncode == 1 and "mode=ro" in lite.stderr and "SQLite has no roles" in lite.stderr
    assert not (ROOT / "analysts.db").exists()
