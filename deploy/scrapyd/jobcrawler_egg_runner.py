"""Scrapyd runner for jobcrawler eggs (``runner = jobcrawler_egg_runner`` in scrapyd.conf).

Scrapyd's default runner (``scrapyd.runner``) imports the project from the zipped egg.  The
project reads data files next to its modules (the skills vocabulary, ATS company lists,
aggregator boards, the crawl schedule) and Alembic's migration scripts from a directory,
which cannot be done inside a zip.  This runner does what ``scrapyd.runner`` does, except that
it unpacks the egg into a temporary directory first, puts that on ``sys.path`` and removes it
when the job ends.

Scrapyd runs it as ``python -m jobcrawler_egg_runner crawl|list ...`` with the Python that runs
Scrapyd, so this file's directory must be on that Python's path: ``PYTHONPATH`` in the
scrapyd service (deploy/systemd/scrapyd.service) or a copy in its site-packages.  It needs
nothing of the project itself (the project comes from the egg); the project's dependencies
(Scrapy, SQLAlchemy, psycopg, scrapy-redis, ...) are installed next to Scrapyd.
"""

from __future__ import annotations

import configparser
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def project_environment(project: str) -> Iterator[None]:
    from scrapyd.config import Config
    from scrapyd.utils import initialize_component

    eggstorage = initialize_component(Config(), "eggstorage", "scrapyd.eggstorage.FilesystemEggStorage")
    _version, egg = eggstorage.get(project, os.environ.get("SCRAPYD_EGG_VERSION"))
    if egg is None:  # not deployed: run from the current directory like `scrapy` does
        yield
        return
    unpacked = tempfile.mkdtemp(prefix=f"{project}-egg-")
    try:
        with egg, zipfile.ZipFile(egg) as archive:
            archive.extractall(unpacked)
        entry_points = configparser.ConfigParser()
        entry_points.read(os.path.join(unpacked, "EGG-INFO", "entry_points.txt"))
        os.environ.setdefault("SCRAPY_SETTINGS_MODULE", entry_points.get("scrapy", "settings"))
        sys.path.insert(0, unpacked)
        yield
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)


def main() -> None:
    with project_environment(os.environ["SCRAPY_PROJECT"]):
        from scrapy.cmdline import execute

        execute()


if __name__ == "__main__":
    main()
