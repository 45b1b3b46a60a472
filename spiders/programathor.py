"""Programathor (programathor.com.br, Brazilian tech jobs): ``scrapy crawl programathor [-a max_pages=N]``.

Listing pages ``{base_url}/jobs?page=N`` (default base ``https://programathor.com.br``)
link to posting pages ``/jobs/<id>-<slug>``, which publish a schema.org
``JobPosting`` in JSON-LD: title, ``hiringOrganization``, ``jobLocation`` /
``jobLocationType`` (``TELECOMMUTE``), ``employmentType``, ``baseSalary`` (BRL per
month), ``datePosted``, ``validThrough``.  ``source_id`` is ``<id>``; ``url`` the
posting page.  The crawl stops at the first listing page without job links.
Website politeness: robots.txt, 2 requests per host at a time, 1 s delay.  See
:mod:`spiders.platforms.jsonld_listing`.
"""

from __future__ import annotations

from typing import ClassVar

from spiders.platforms.jsonld_listing import JsonLdListingSpider


class ProgramathorSpider(JsonLdListingSpider):
    name = "programathor"
    default_base_url: ClassVar[str] = "https://programathor.com.br"
    listing_path: ClassVar[str] = "/jobs?page={page}"
    job_link_pattern: ClassVar[str] = r"^/jobs/(?P<id>\d+)(?:-[^/?#]*)?/?$"
