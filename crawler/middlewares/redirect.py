"""Scrapy's RedirectMiddleware, minus one way to lose a page.

Scrapy builds the redirect ``Request`` before it checks the target's scheme, and
``Request("javascript:…")`` raises ``ValueError``: the response is lost.  Here a
redirect whose target cannot be a request is ignored (logged, counted as
``redirect/ignored_bad_target``) and the response goes to the spider.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)


class SafeRedirectMiddleware(RedirectMiddleware):
    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except ValueError as exc:
            logger.warning("ignored a redirect from %s to a bad target (%s)", request.url, exc)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("redirect/ignored_bad_target")
            return response
