"""SmartRecruiters companies: ``scrapy crawl smartrecruiters [-a companies=BoschGroup,Visa] [-a details=0]``.

The default company list is ``spiders/data/smartrecruiters.txt`` (one company
identifier per line, optionally ``Id | Company name``): a new company on
SmartRecruiters is one line there.  See :mod:`spiders.platforms.smartrecruiters`
for the arguments, paging, posting details, robots.txt and error handling.
"""

from __future__ import annotations

from typing import ClassVar

from spiders.platforms.smartrecruiters import SmartRecruitersSpider


class SmartRecruitersCompaniesSpider(SmartRecruitersSpider):
    name = "smartrecruiters"
    companies_file: ClassVar[str | None] = "smartrecruiters.txt"
