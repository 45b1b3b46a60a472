"""Ashby job boards of many companies: ``scrapy crawl ashby [-a companies=notion,openai|OpenAI]``.

The default company list is ``spiders/data/ashby.txt`` (``slug | Company name``
per line; Ashby's posting API has no organization name, so the name comes from
there): a new company on Ashby is one line there.  See
:mod:`spiders.platforms.ashby` for the arguments, ids, salary and error handling.
"""

from __future__ import annotations

from typing import ClassVar

from spiders.platforms.ashby import AshbySpider


class AshbyBoardsSpider(AshbySpider):
    name = "ashby"
    companies_file: ClassVar[str | None] = "ashby.txt"
