"""``scrapy analyst-role --name analyst [--password-env VAR] [--schema public] [--drop]``.

Creates a read-only PostgreSQL role for analysts (see :mod:`crawler.analytics.role`); on
SQLite it explains that read-only access is a file permission / ``?mode=ro`` URI and exits 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from sqlalchemy.exc import SQLAlchemyError

from crawler.analytics.role import SQLITE_MESSAGE, RoleError, create_analyst_role, drop_analyst_role
from crawler.db.engine import DatabaseConfigError, get_engine, is_sqlite, mask_url
from crawler.db.migrate import SchemaNotReady, ensure_schema


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "--name analyst [--password-env VAR] [--schema public] [--drop]"

    def short_desc(self) -> str:
        return "Create a read-only PostgreSQL role for analysts (SELECT on the tables and views only)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--name", default="analyst", help="role name (default: analyst)")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="environment variable holding the role's password (never pass a password on the command line)",
        )
        parser.add_argument(
            "--schema", default="public", help="schema of the project's tables (default: public)"
        )
        parser.add_argument(
            "--drop", action="store_true", help="revoke everything the role holds here and drop it"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        url = self.settings.get("DATABASE_URL")
        try:
            sqlite = is_sqlite(url)
        except DatabaseConfigError as exc:
            raise UsageError(str(exc)) from None
        if sqlite:
            print(SQLITE_MESSAGE, file=sys.stderr)
            self.exitcode = 1
            return
        password = None
        if opts.password_env:
            password = os.environ.get(opts.password_env)
            if not password:
                raise UsageError(
                    f"--password-env {opts.password_env}: that environment variable is empty or unset"
                )
        engine = get_engine(url)
        try:
            if opts.drop:
                drop_analyst_role(engine, opts.name)
                print(f"role {opts.name} dropped (its privileges in {mask_url(url)} revoked)")
                return
            ensure_schema(url, auto_migrate=False)
            result = create_analyst_role(engine, opts.name, password=password, schema=opts.schema)
        except (RoleError, SchemaNotReady) as exc:
            print(f"analyst-role: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        except SQLAlchemyError as exc:
            print(
                f"analyst-role: {exc.__class__.__name__}: {str(getattr(exc, 'orig', exc)).strip()}",
                file=sys.stderr,
            )
            self.exitcode = 1
            return
        print(
            f"role {result.name} {'created' if result.created else 'updated'} in {mask_url(url)}: "
            f"SELECT on {len(result.objects)} tables/views ({', '.join(result.objects)}), "
            "default SELECT on future tables/views, read-only transactions"
            + (
                ""
                if password
                else "; no password set (log in via trust/peer/cert auth, or use --password-env)"
            )
        )
        for note in result.notes:
            print(note, file=sys.stderr)


# Scrapy names a command after its module; the command is spelled `scrapy analyst-role`, while the
# module keeps an importable name (analyst_role).  Scrapy reads ``module.__name__`` and the class's
# ``__module__``, so both carry the hyphenated name (the import system keeps the real one in __spec__).
__name__ = __name__.rpartition(".")[0] + ".analyst-role"
Command.__module__ = __name__
