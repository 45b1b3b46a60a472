"""Test-only spiders (``-s SPIDER_MODULES=spiders,tests.ops.spiders``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from spiders.base import JobSpider


class RaisingSpider(JobSpider):
    """Fetches one page, yields one posting, then its callback raises: a spider bug."""

    name = "ops_raising"

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.base_url + "/page", callback=self.parse)

    def parse(self, response: Response) -> Iterator[Any]:
        yield self.new_item(source_id="1", title="Generated posting", url=response.url)
        raise RuntimeError("generated bug in a callback")
