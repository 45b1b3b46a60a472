"""SmartRecruiters companies: ``scrapy crawl smartrecruiters [-a companies=BoschGroup,Visa] [-a details=0]``.

Runs are incremental: a posting already stored whose list entry has not changed gets no
detail request (the list pages are always fetched), so re-running an unchanged source costs
about one request per 100 postings.  ``-a full=1`` (same as ``-a incremental=0``) refetches
every detail, e.g. in a weekly cron entry, to catch edits made only in a job ad's text.

The default company list is ``spiders/data/smartrecruiters.txt`` (one company
identifier per line, optionally ``Id | Company name``): a new company on
SmartRecruiters is one line there.  See :mod:`spiders.platforms.smartrecruiters`
for the arguments, paging, posting details, incremental runs, robots.txt and error handling.
"""

from __future__ import annotations

from typing import ClassVar

from spiders.platforms.smartrecruiters import SmartRecruitersSpider


class SmartRecruitersCompaniesSpider(SmartRecruitersSpider):
    name = "smartrecruiters"
    companies_file: ClassVar[str | None] = "smartrecruiters.txt"
