"""What the normalize workers' fork server preloads: the normalizers, without Scrapy.

``itemadapter`` imports Scrapy when it can (for ``scrapy.Item`` support), which pulls in
Twisted and ~35 MB per process; the workers only ever see ``JobPosting`` dataclasses, so the
fork server marks Scrapy as unavailable before loading the normalizers.  Only the fork server
(and the workers forked from it) import this module, never the crawl process.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("scrapy", None)  # type: ignore[arg-type]

import crawler.normalize.pool  # noqa: E402,F401
