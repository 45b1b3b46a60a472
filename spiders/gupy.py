"""Gupy portal (Brazilian jobs on every Gupy career site): ``scrapy crawl gupy [-a keywords=python,dados] [-a remote=1]``.

One search of ``portal.api.gupy.io`` per keyword; the default keywords below
cover software and data jobs.  See :mod:`spiders.platforms.gupy` for the
arguments, paging, ids and field mapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from spiders.platforms.gupy import GupySpider


class GupyPortalSpider(GupySpider):
    name = "gupy"
    default_keywords: ClassVar[Sequence[str]] = (
        "desenvolvedor",
        "engenheiro de software",
        "engenheiro de dados",
        "cientista de dados",
        "analista de dados",
        "python",
        "java",
        "frontend",
        "backend",
        "devops",
    )
