"""Test-only spider (``-s SPIDER_MODULES=spiders,tests.analytics.spiders``): a board listing.

``GET {base_url}/boards/{slug}.json`` -> ``[{"id": ..., "title": ...}, ...]``; each posting keeps
its board in ``raw["_board"]``.  ``-a complete=1`` follows the closing contract of
``crawler.history``: a board read to its end is added to ``listing/scope`` (a board whose
response is not a JSON list is not).  ``-a whole=1`` declares the whole source listed instead (the stats
say so after the first board; the closer still refuses if another board failed).
``-a error=1`` logs an ERROR line (a run that must close nothing).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.history import mark_listed
from spiders.base import JobSpider, split_arg, truthy


class HistoryListingSpider(JobSpider):
    name = "history_listing"
    source = "history_test"

    def __init__(
        self, *args: Any, boards: str = "", complete: str = "", whole: str = "", error: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.boards = split_arg(boards)
        self.complete, self.whole, self.error = truthy(complete), truthy(whole), truthy(error)

    async def start(self) -> AsyncIterator[Any]:
        for slug in self.boards:
            yield scrapy.Request(f"{self.base_url}/boards/{slug}.json", callback=self.parse_board, cb_kwargs={"slug": slug})

    def parse_board(self, response: Response, slug: str) -> Iterator[Any]:
        if self.error:
            self.logger.error("generated error while listing %s", slug)
        try:
            jobs = json.loads(response.body)
        except ValueError:
            self.logger.warning("board %s: not JSON", slug)
            self.count("parse_error/json")
            return
        for job in jobs:
            yield self.new_item(source_id=str(job["id"]), title=job["title"], raw={"_board": slug, **job})
        if self.complete:
            mark_listed(self, None if self.whole else slug)
