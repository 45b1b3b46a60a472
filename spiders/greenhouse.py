"""Greenhouse boards of many companies: ``scrapy crawl greenhouse [-a companies=gitlab,stripe] [-a pay=1]``.

The default company list is ``spiders/data/greenhouse.txt`` (one board slug per
line): a new company on Greenhouse is one line there.  See
:mod:`spiders.platforms.greenhouse` for the arguments, ids and error handling.
"""

from __future__ import annotations

from typing import ClassVar

from spiders.platforms.greenhouse import GreenhouseSpider


class GreenhouseBoardsSpider(GreenhouseSpider):
    name = "greenhouse"
    companies_file: ClassVar[str | None] = "greenhouse.txt"
