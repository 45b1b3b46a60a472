"""Recruitee companies: ``scrapy crawl recruitee [-a companies=dataroots,blueforest]``.

The default company list is ``spiders/data/recruitee.txt`` (one company slug
per line, optionally ``slug | Company name``): a new company on Recruitee is one
line there.  See :mod:`spiders.platforms.recruitee` for the per-company host
(base URL template), arguments, robots.txt and error handling.
"""

from __future__ import annotations

from typing import ClassVar

from spiders.platforms.recruitee import RecruiteeSpider


class RecruiteeCompaniesSpider(RecruiteeSpider):
    name = "recruitee"
    companies_file: ClassVar[str | None] = "recruitee.txt"
