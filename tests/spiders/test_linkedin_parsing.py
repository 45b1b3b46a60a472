"""Parsing of the recorded LinkedIn guest pages (tests/fixtures/linkedin, see SOURCES.md there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spiders.platforms.linkedin import (
    WORKPLACES,
    SearchQuery,
    canonical_job_url,
    decode_apply_url,
    job_id_from_url,
    parse_applicants,
    parse_cards,
    parse_choice,
    parse_detail,
    parse_posted_within,
    posting_fields,
    search_url,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "linkedin"


def page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- cards ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "count", "new", "first_id"),
    [
        ("search_page_it_support_intern_remote.html", 60, 6, "4408519973"),
        ("search_page_frontend_developer_chennai.html", 60, 12, "4321602112"),
        ("search_page_rust_developer_sf_bay_area_single_card.html", 1, 1, "4334692903"),
        ("search_page_finance_manager_three_cards.html", 3, 0, "4288907322"),
        ("search_cards_python_italy_li_dump_with_anchor_cards.html", 60, 0, "3934420779"),
        ("search_page_no_results_fr.html", 0, 0, None),
    ],
)
def test_cards_on_every_search_fixture(name: str, count: int, new: int, first_id: str | None) -> None:
    cards = parse_cards(page(name))
    assert len(cards) == count
    assert len({c.job_id for c in cards}) == count  # ids unique, none missed
    assert sum(c.listdate_new for c in cards) == new
    assert all(c.listdate and len(c.listdate) == 10 for c in cards)  # every card has its datetime
    assert all(c.title and c.company and c.location for c in cards)
    assert all(c.job_id.isdigit() for c in cards)
    assert all(c.url is None or ("?" not in c.url and c.job_id in c.url) for c in cards)
    if first_id:
        assert cards[0].job_id == first_id


def test_card_fields_it_support() -> None:
    card = parse_cards(page("search_page_it_support_intern_remote.html"))[0]
    assert card.job_id == "4408519973"
    assert card.title == "Technical Support Intern"
    assert card.company == "AssetWorks Inc"
    assert card.company_url == "https://www.linkedin.com/company/assetworks-inc"
    assert card.location == "Greater Philadelphia"
    assert card.listdate == "2026-04-29"
    assert card.listdate_text == "1 week ago"
    assert card.listdate_new is False
    assert card.benefits == ["Actively Hiring"]
    assert (
        card.url == "https://www.linkedin.com/jobs/view/technical-support-intern-at-assetworks-inc-4408519973"
    )


def test_listdate_new_cards() -> None:
    rust = parse_cards(page("search_page_rust_developer_sf_bay_area_single_card.html"))[0]
    assert (rust.title, rust.company, rust.location) == (
        "Developer Productivity Engineer",
        "Hightouch",
        "San Francisco Bay Area",
    )
    assert (rust.listdate, rust.listdate_text, rust.listdate_new) == ("2026-01-11", "17 hours ago", True)
    chennai = {c.job_id: c for c in parse_cards(page("search_page_frontend_developer_chennai.html"))}
    assert chennai["4335376236"].listdate == "2025-11-11"
    assert chennai["4335376236"].listdate_new is True
    assert chennai["4321602112"].listdate == "2025-11-08"
    assert chennai["4321602112"].listdate_new is False


def test_anchor_cards_in_the_italian_dump() -> None:
    cards = parse_cards(page("search_cards_python_italy_li_dump_with_anchor_cards.html"))
    by_id = {c.job_id: c for c in cards}
    anchors = [c for c in cards if c.company_url is None]
    assert sorted(c.job_id for c in anchors) == ["3933586046", "3940914395"]
    a = by_id["3940914395"]
    assert a.title == "Backend Python Developer | Udine"
    assert a.company == "Jobtech"  # plain-text, unlinked subtitle
    assert a.location == "Udine, Friuli-Venezia Giulia, Italy"
    assert a.listdate == "2024-06-03"
    assert a.url == "https://it.linkedin.com/jobs/view/backend-python-developer-udine-3940914395"
    b = by_id["3933586046"]
    assert (b.title, b.company, b.location, b.listdate) == (
        "Sviluppatore Python",
        "ReleWant",
        "Milan, Lombardy, Italy",
        "2024-05-23",
    )
    # the non-job <li> elements at the top of the dump are not cards
    assert len(cards) == 60


def test_card_id_from_link_when_no_urn_and_salary_span() -> None:
    # a real card with its data-entity-urn removed and a salary span added (no recorded card has one)
    html = page("search_page_rust_developer_sf_bay_area_single_card.html")
    html = html.replace('data-entity-urn="urn:li:jobPosting:4334692903"', "")
    html = html.replace(
        '<span class="job-search-card__location">',
        '<span class="job-search-card__salary-info">\n  $180,000.00 - $240,000.00\n</span>'
        '<span class="job-search-card__location">',
        1,
    )
    card = parse_cards(html)[0]
    assert card.job_id == "4334692903"
    assert card.salary == "$180,000.00 - $240,000.00"


def test_job_id_from_url() -> None:
    assert (
        job_id_from_url("https://it.linkedin.com/jobs/view/sviluppatore-python-3933586046?position=1")
        == "3933586046"
    )
    assert job_id_from_url("https://www.linkedin.com/jobs/view/4424075463/") == "4424075463"
    assert job_id_from_url("https://www.linkedin.com/company/adobe") is None


# --- details -------------------------------------------------------------------------------------------
def test_detail_api_fragment() -> None:
    d = parse_detail(page("job_posting_api_4330361169.html"))
    assert d.job_id == "4330361169"
    assert d.title == "Software Development Engineer"
    assert d.company == "Adobe"
    assert d.company_url == "https://www.linkedin.com/company/adobe"
    assert d.location == "San Jose, CA"
    assert (d.posted_text, d.posted_new) == ("8 hours ago", True)
    assert (d.applicants, d.applicants_text) == (200, "Over 200 applicants")
    assert d.criteria == {
        "Seniority level": "Not Applicable",
        "Employment type": "Full-time",
        "Job function": "Engineering and Information Technology",
        "Industries": "Advertising Services, IT Services and IT Consulting, and Software Development",
    }
    assert (d.seniority, d.employment_type) == ("Not Applicable", "Full-time")
    assert d.job_function == "Engineering and Information Technology"
    assert d.description_html is not None
    assert d.description_html.startswith("<strong>The Opportunity<br><br></strong>We are seeking")
    assert "$93,200 -- $179,200 annually" in d.description_html  # pay only inside the description
    assert d.salary is None  # no compensation block on this page
    assert d.apply_url is None and d.apply_offsite is True
    assert d.jsonld is None


def test_detail_base_pay_range() -> None:
    d = parse_detail(page("job_view_4424075463_base_pay_range.html"))
    assert d.job_id == "4424075463"
    assert d.title == "Manufacturing Data Analyst | Remote"
    assert d.company == "Crossing Hurdles"
    assert d.location == "United States"  # not the "157 applicants" bullet
    assert d.salary == "$70.00/hr - $100.00/hr"
    assert d.salary_label == "Base pay range"
    assert (d.applicants, d.applicants_text) == (157, "157 applicants")
    assert (d.posted_text, d.posted_new) == ("2 days ago", False)
    assert (d.seniority, d.employment_type, d.job_function, d.industries) == (
        "Associate",
        "Contract",
        "Information Technology",
        "Software Development",
    )
    assert d.description_html and d.description_html.startswith("<p><strong>Role Overview</strong></p>")
    # the similar-jobs cards' salaries are not this posting's
    assert "main-job-card" not in (d.description_html or "")


def test_detail_french_jsonld() -> None:
    d = parse_detail(page("job_view_4218586823_fr_jsonld.html"))
    assert d.title == "Software Engineer Intern/Co-op (Fall 2025)"
    assert d.company == "Cohere"
    assert d.criteria["Niveau hiérarchique"] == "Stagiaire / Alternant"
    assert (d.seniority, d.employment_type) == ("Stagiaire / Alternant", "Stage / Alternance")
    assert (d.job_function, d.industries) == (
        "Ingénierie et Technologies de l’information",
        "Développement de logiciels",
    )
    assert (d.applicants, d.applicants_text) == (200, "Plus de 200 candidats")
    assert (d.posted_text, d.posted_new) == ("il y a 11 heures", True)
    assert (
        d.apply_url
        == "https://jobs.ashbyhq.com/cohere/b6c994c7-a435-4fd7-975b-4fb2e10a1a30?utm_source=jKNDxYPz51"
    )
    assert d.apply_url_raw and d.apply_url_raw.startswith(
        "https://www.linkedin.com/jobs/view/externalApply/4218586823?url="
    )
    assert d.jsonld is not None
    assert d.jsonld["datePosted"] == "2025-06-12T12:57:52.000Z"
    assert d.jsonld["validThrough"] == "2025-07-30T00:54:05.000Z"
    assert d.jsonld["employmentType"] == "INTERN"
    assert d.jsonld["hiringOrganization"]["name"] == "Cohere"


def test_detail_italian_prettified_jsonld() -> None:
    d = parse_detail(page("job_view_3946498763_it_prettified_jsonld.html"))
    assert d.job_id == "3946498763"  # bare comment, not a JSON string, in this older markup
    assert d.title == "DATA ANALYST"
    assert d.company == "Rai - Radiotelevisione Italiana"
    assert d.location == "Rome"
    assert d.criteria == {
        "Livello di anzianità": "Livello medio",
        "Tipo di impiego": "A tempo pieno",
        "Funzione lavorativa": "Marketing",
        "Settori": "Produzione e distribuzione di contenuti radiotelevisivi",
    }
    assert (d.applicants, d.applicants_text) == (200, "Oltre 200 candidati")
    assert d.posted_text == "5 giorni fa"
    assert (
        d.apply_url
        == "https://adecco.ncoreplat.com/jobposition/575024/data-analyst-roma-it/catania-industrial"
    )
    assert d.jsonld is not None and d.jsonld["employmentType"] == "FULL_TIME"
    assert d.description_html and "RAI ricerca un/a Data Analyst" in d.description_html


def test_posting_fields_merge_card_and_detail() -> None:
    card = parse_cards(page("search_page_rust_developer_sf_bay_area_single_card.html"))[0]
    fr = parse_detail(page("job_view_4218586823_fr_jsonld.html"))
    fields = posting_fields(card.job_id, card, fr)
    assert fields["url"] == "https://www.linkedin.com/jobs/view/4334692903/"
    assert fields["posted_raw"] == "2025-06-12T12:57:52.000Z"  # JSON-LD datePosted first
    assert fields["valid_through_raw"] == "2025-07-30T00:54:05.000Z"
    assert fields["employment_type"] == "INTERN"
    assert fields["employment_type_raw"] == ["Stage / Alternance", "INTERN"]
    assert fields["location_raw"] == ["San Francisco Bay Area", "San Francisco, Californie, États-Unis"]
    assert fields["raw"]["applicants"] == 200
    assert fields["raw"]["applicants_text"] == "Plus de 200 candidats"
    assert fields["raw"]["industries"] == "Développement de logiciels"
    assert "description" not in fields["raw"]["jsonld"]
    api = parse_detail(page("job_posting_api_4330361169.html"))
    fields = posting_fields(card.job_id, card, api)
    assert fields["posted_raw"] == "2026-01-11"  # the card's datetime beats "8 hours ago"
    assert fields["raw"]["posted_text"] == "8 hours ago"
    only_card = posting_fields(card.job_id, card, None)
    assert only_card["title"] == "Developer Productivity Engineer"
    assert only_card["company"] == "Hightouch"
    assert only_card["posted_raw"] == "2026-01-11"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Over 200 applicants", 200),
        ("Plus de 200\u00a0candidats", 200),
        ("Oltre 200 candidati", 200),
        ("157 applicants", 157),
        ("1,234 applicants", 1234),
        ("Be among the first 25 applicants", None),
        ("Soyez parmi les 25 premiers candidats", None),
        (None, None),
        ("applicants", None),
    ],
)
def test_parse_applicants(text: str | None, expected: int | None) -> None:
    assert parse_applicants(text) == expected


def test_decode_apply_url() -> None:
    raw = "https://www.linkedin.com/jobs/view/externalApply/1?url=https%3A%2F%2Fboards%2Egreenhouse%2Eio%2Fx%2Fjobs%2F9%3Fgh_src%3Da&urlHash=x"
    assert decode_apply_url(raw) == "https://boards.greenhouse.io/x/jobs/9?gh_src=a"
    assert decode_apply_url("https://example.com/apply") == "https://example.com/apply"
    assert decode_apply_url(None) is None


# --- search arguments ------------------------------------------------------------------------------------
def test_search_params() -> None:
    q = SearchQuery.from_args(
        keywords="python developer",
        location="Italy",
        posted_within="7d",
        workplace="remote,hybrid",
        job_type="full_time,C",
        experience="entry,associate",
    )
    assert q.params() == {
        "keywords": "python developer",
        "location": "Italy",
        "f_TPR": "r604800",
        "f_WT": "2,3",
        "f_JT": "F,C",
        "f_E": "2,3",
        "sortBy": "DD",
    }
    url = search_url("http://127.0.0.1:1", q.params(3600), 25)
    assert url.startswith(
        "http://127.0.0.1:1/jobs-guest/jobs/api/seeMoreJobPostings/search?keywords=python+developer"
    )
    assert "f_TPR=r3600" in url and url.endswith("&start=25")
    assert q.identity() == {
        "keywords": "python developer",
        "location": "Italy",
        "posted_within": "604800s",
        "workplace": "remote,hybrid",
        "job_type": "full_time,contract",
        "experience": "entry,associate",
    }
    assert SearchQuery.from_args(keywords="x", geo_id="103350119").params()["geoId"] == "103350119"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("24h", 86400), ("7d", 604800), ("30d", 2592000), ("2w", 1209600), ("3600", 3600), ("r86400", 86400)],
)
def test_posted_within(value: str, seconds: int) -> None:
    assert parse_posted_within(value) == seconds


@pytest.mark.parametrize(
    "kwargs",
    [
        {"keywords": "x", "posted_within": "yesterday"},
        {"keywords": "x", "posted_within": "0h"},
        {"keywords": "x", "workplace": "moon"},
        {"keywords": "x", "job_type": "Z"},
        {"keywords": "x", "experience": "guru"},
        {"keywords": "x", "geo_id": "Italy"},
        {},
    ],
)
def test_bad_search_arguments(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        SearchQuery.from_args(**kwargs)


def test_choice_letters_and_names() -> None:
    assert parse_choice("workplace", "onsite,2, Hybrid", WORKPLACES) == ["1", "2", "3"]
    assert canonical_job_url("42") == "https://www.linkedin.com/jobs/view/42/"
