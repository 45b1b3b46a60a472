"""Lever sites of many companies: ``scrapy crawl lever [-a companies=palantir,spotify|Spotify]``.

The default company list is ``spiders/data/lever.txt`` (``slug | Company name``
per line; Lever's API has no company name, so the name comes from there): a new
company on Lever is one line there.  See :mod:`spiders.platforms.lever` for the
arguments, ids, paging and error handling.
"""

from __future__ import annotations

from typing import ClassVar

from spiders.platforms.lever import LeverSpider


class LeverSitesSpider(LeverSpider):
    name = "lever"
    companies_file: ClassVar[str | None] = "lever.txt"
