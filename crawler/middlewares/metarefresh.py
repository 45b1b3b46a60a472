"""Scrapy's MetaRefreshMiddleware, minus one way to lose a page.

A ``<meta http-equiv="refresh" content="0;url=javascript:…">`` made Scrapy build
an invalid ``Request`` (``ValueError``) and drop the page; here the refresh is
ignored (logged, counted as ``metarefresh/ignored_bad_target``) and the page is
parsed as it is.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)


class SafeMetaRefreshMiddleware(MetaRefreshMiddleware):
    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except ValueError as exc:
            logger.warning("ignored a meta refresh on %s to a bad target (%s)", request.url, exc)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("metarefresh/ignored_bad_target")
            return response
