"""Hacker News "Ask HN: Who is hiring?": ``scrapy crawl hackernews [-a story_id=47219668]``.

One top-level comment of the monthly thread = one posting, read through the Algolia
HN API (``{base_url}/api/v1/items/{story_id}``, default ``https://hn.algolia.com``);
without ``story_id`` the newest thread of the ``whoishiring`` account is used.  The
first line ``Company | Role | Location | REMOTE | Salary`` gives company, title,
location, workplace and salary text.  See :mod:`spiders.platforms.hn`.
"""

from __future__ import annotations

from spiders.platforms.hn import HnHiringSpider


class HackerNewsSpider(HnHiringSpider):
    name = "hackernews"
