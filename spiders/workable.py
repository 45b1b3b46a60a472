"""Workable accounts of many companies: ``scrapy crawl workable [-a companies=huggingface,toggl]``.

The default account list is ``spiders/data/workable.txt`` (one account per
line, optionally ``account | Company name``): a new company on Workable is one
line there.  See :mod:`spiders.platforms.workable` for the arguments, ids and
error handling.
"""

from __future__ import annotations

from typing import ClassVar

from spiders.platforms.workable import WorkableSpider


class WorkableAccountsSpider(WorkableSpider):
    name = "workable"
    companies_file: ClassVar[str | None] = "workable.txt"
