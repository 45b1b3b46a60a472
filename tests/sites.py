"""Local copies of real sites, built from recorded pages, for tests and the demo.

``linkedin_site()`` answers LinkedIn's guest endpoints:

* ``/jobs-guest/jobs/api/seeMoreJobPostings/search?start=N`` — the ``<li>`` cards of a
  recorded full search page (60 cards), 10 per call (or the sizes given), then an empty
  body: the guest API's shape.  No bare fragment was ever recorded; these are cut from
  the recorded page, card markup untouched.
* ``/jobs-guest/jobs/api/jobPosting/{id}`` and ``/jobs/view/{id}/`` — recorded detail
  pages assigned to some of the card ids (a recorded page belongs to another job id
  than the card: the content is real, the pairing is ours); every other id answers 404,
  so those postings come from their cards alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from parsel import Selector

from tests.mockserver import FIXTURES, MockServer, Request, Route

LINKEDIN_SEARCH = "/jobs-guest/jobs/api/seeMoreJobPostings/search"
LINKEDIN_DETAIL = re.compile(r"^/jobs-guest/jobs/api/jobPosting/(\d+)$")
LINKEDIN_VIEW = re.compile(r"^/jobs/view/(?:[^/]*-)?(\d+)/?$")
CARD_ID = re.compile(r"urn:li:jobPosting:(\d+)|/jobs/view/[^\"'?]*?-(\d+)")


def linkedin_cards(page: str = "search_page_it_support_intern_remote.html") -> list[str]:
    """The job card ``<li>`` elements of a recorded LinkedIn search page, in page order."""
    html = (FIXTURES / "linkedin" / page).read_text(encoding="utf-8")
    return Selector(text=html).css("ul.jobs-search__results-list > li").getall()


def card_id(li: str) -> str:
    m = CARD_ID.search(li)
    assert m is not None, "card without a job id"
    return m.group(1) or m.group(2)


@dataclass
class LinkedInSite:
    cards: list[str] = field(default_factory=linkedin_cards)
    page_sizes: list[int] | None = None  # default: 10 per call
    #: card index -> recorded detail file served on the guest API path
    api_details: Mapping[int, str] = field(default_factory=dict)
    #: card index -> recorded /jobs/view page (the API path answers 404 for these)
    view_details: Mapping[int, str] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [card_id(li) for li in self.cards]

    def fragment(self, start: int) -> str:
        size, offset = 10, 0
        for s in self.page_sizes or []:
            if offset == start:
                size = s
                break
            offset += s
        return "\n".join(self.cards[start : start + size])

    def search(self, req: Request) -> Route:
        start = int(parse_qs(req.query).get("start", ["0"])[0])
        return Route.text(self.fragment(start))

    def other(self, req: Request) -> Route:
        ids = self.ids
        api = {ids[i]: f for i, f in self.api_details.items()}
        view = {ids[i]: f for i, f in self.view_details.items()}
        if (m := LINKEDIN_DETAIL.match(req.path)) and m.group(1) in api:
            return Route.file(Path("linkedin") / api[m.group(1)])
        if (m := LINKEDIN_VIEW.match(req.path)) and m.group(1) in view:
            return Route.file(Path("linkedin") / view[m.group(1)])
        if req.path == "/robots.txt":
            return Route.text("User-agent: *\nAllow: /\n", content_type="text/plain")
        return Route.text("not found", status=404, content_type="text/plain")

    def server(self) -> MockServer:
        return MockServer({LINKEDIN_SEARCH: self.search}, default=self.other)


#: the recorded detail pages, spread over the cards of the default search page
RECORDED_DETAILS = LinkedInSite(
    api_details={0: "job_posting_api_4330361169.html", 11: "job_view_4424075463_base_pay_range.html"},
    view_details={
        20: "job_view_4218586823_fr_jsonld.html",
        35: "job_view_3946498763_it_prettified_jsonld.html",
    },
)
