"""crawler.normalize.location — location strings as the recorded sources show them."""

from __future__ import annotations

import pytest

from crawler.normalize.geo import country_code, region_code
from crawler.normalize.location import parse_location, parse_locations, validate_location


def loc(city, region, country):
    return {"city": city, "region": region, "country": country}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # task examples (hand-written)
        ("São Paulo, SP", [loc("São Paulo", "SP", "BR")]),
        ("Lisbon, Portugal (Hybrid)", [loc("Lisbon", None, "PT")]),
        ("Remote - LATAM", []),
        ("Hybrid – São Paulo (3x/week)", [loc("São Paulo", "SP", "BR")]),
        ("Berlin, Germany", [loc("Berlin", None, "DE")]),
        ("Belo Horizonte - MG", [loc("Belo Horizonte", "MG", "BR")]),
        ("Curitiba, PR", [loc("Curitiba", "PR", "BR")]),
        # GitHub-issue boards (backend-br/vagas title tags), hand-written in their style
        ("São Paulo/SP", [loc("São Paulo", "SP", "BR")]),
        ("Belo Horizonte / MG", [loc("Belo Horizonte", "MG", "BR")]),
        ("Florianópolis - SC", [loc("Florianópolis", "SC", "BR")]),
        ("Remoto", []),
        ("Remote (US only)", [loc(None, None, "US")]),
        # LinkedIn cards
        ("Chennai, Tamil Nadu, India", [loc("Chennai", "Tamil Nadu", "IN")]),
        ("San Jose, CA", [loc("San Jose", "CA", "US")]),
        ("Home, KS", [loc("Home", "KS", "US")]),
        ("Milan, Lombardy, Italy", [loc("Milan", "Lombardy", "IT")]),
        ("Italy", [loc(None, None, "IT")]),
        ("Greater Chennai Area", [loc("Chennai", None, "IN")]),
        ("San Francisco Bay Area", [loc("San Francisco Bay Area", "CA", "US")]),
        ("New York City Metropolitan Area", [loc("New York City", "NY", "US")]),
        ("London Area, United Kingdom", [loc("London", None, "GB")]),
        ("Toronto, Ontario, Canada", [loc("Toronto", "ON", "CA")]),
        ("Dubai, Dubai, United Arab Emirates", [loc("Dubai", "Dubai", "AE")]),
        ("San Juan, Puerto Rico", [loc("San Juan", None, "PR")]),
        ("San Francisco, Californie, États-Unis", [loc("San Francisco", "CA", "US")]),  # French UI
        ("Rome", [loc("Rome", None, "IT")]),
        # Greenhouse location.name
        ("Remote, Italy", [loc(None, None, "IT")]),
        ("Remote, Bangalore", [loc("Bangalore", None, "IN")]),
        ("Remote, United States", [loc(None, None, "US")]),
        # Ashby / Lever / SmartRecruiters / Recruitee
        ("New York, New York", [loc("New York", "NY", "US")]),
        ("San Francisco, California", [loc("San Francisco", "CA", "US")]),
        ("Chicago, IL", [loc("Chicago", "IL", "US")]),
        ("Portland, OR", [loc("Portland", "OR", "US")]),
        ("Boston, MA or Remote", [loc("Boston", "MA", "US")]),
        ("Washington, D.C.", [loc("Washington", "DC", "US")]),
        ("St. Louis, MO, United States", [loc("St. Louis", "MO", "US")]),
        ("Berlin, Berlin, Germany", [loc("Berlin", "Berlin", "DE")]),
        ("Germany/Remote", [loc(None, None, "DE")]),
        # RemoteOK `location`
        ("Saint Louis, MO, USA", [loc("Saint Louis", "MO", "US")]),
        ("Pine Bluff", [loc("Pine Bluff", None, None)]),
        ("GdaÅ\x84sk", [loc("Gdańsk", None, "PL")]),
        ("Troy, MI", [loc("Troy", "MI", "US")]),
        ("Londonderry, New Hampshire", [loc("Londonderry", "NH", "US")]),
        ("Canada (Remote)", [loc(None, None, "CA")]),
        ("United States - Remote Flexibility", [loc(None, None, "US")]),
        ("California", [loc(None, "CA", "US")]),
        ("Brazil", [loc(None, None, "BR")]),
        ("APAC-C1", []),
        ("Remote - Americas", []),
        ("Remote", []),
        (
            "San Francisco, CA | New York City, NY | Seattle, WA",
            [loc("San Francisco", "CA", "US"), loc("New York City", "NY", "US"), loc("Seattle", "WA", "US")],
        ),
        # Gupy city/state/country joined by the spider
        ("Sao Paulo, São Paulo", [loc("Sao Paulo", "SP", "BR")]),
        ("Campinas, São Paulo, Brasil", [loc("Campinas", "SP", "BR")]),
        ("Brasil", [loc(None, None, "BR")]),
        # We Work Remotely <region>
        ("Anywhere in the World", []),
        # never guessed: unknown city and an ambiguous US/BR code without a hint
        ("Offenburg", [loc("Offenburg", None, None)]),
        ("Pittsburgh, PA", [loc("Pittsburgh", "PA", None)]),
        ("Belém, PA", [loc("Belém", "PA", "BR")]),
        ("", []),
        (None, []),
    ],
)
def test_parse_location(raw, expected):
    assert parse_location(raw) == expected


@pytest.mark.parametrize(
    ("raw", "hint", "expected"),
    [
        ("Pittsburgh, PA", "US", [loc("Pittsburgh", "PA", "US")]),
        ("Joinville, SC", "BR", [loc("Joinville", "SC", "BR")]),
        ("Joinville, SC", None, [loc("Joinville", "SC", None)]),
    ],
)
def test_parse_location_hint_disambiguates_region_codes(raw, hint, expected):
    assert parse_location(raw, default_country=hint) == expected


def test_parse_locations_dedupes():
    assert parse_locations(["Berlin, Germany", "Berlin, Germany", "Remote", None]) == [
        loc("Berlin", None, "DE")
    ]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Brasil", "BR"), ("Alemanha", "DE"), ("Deutschland", "DE"), ("España", "ES"), ("Italia", "IT"),
        ("Estados Unidos", "US"), ("États-Unis", "US"), ("USA", "US"), ("UK", "GB"), ("Reino Unido", "GB"),
        ("Países Baixos", "NL"), ("the Netherlands", "NL"), ("Türkiye", "TR"), ("🇧🇷", "BR"), ("DEU", "DE"),
        ("IN", None), ("Narnia", None), ("", None),
    ],
)  # fmt: skip
def test_country_code(name, code):
    assert country_code(name) == code


@pytest.mark.parametrize(
    ("name", "code"),
    [("Latin America", "LATAM"), ("LATAM", "LATAM"), ("América Latina", "LATAM"), ("Worldwide", "WORLDWIDE"),
     ("Anywhere in the World", "WORLDWIDE"), ("EMEA", "EMEA"), ("APAC", "APAC"), ("Europe", "EUROPE"),
     ("Americas", "AMERICAS"), ("EU", "EU"), ("eu", None), ("Berlin", None)],
)  # fmt: skip
def test_region_code(name, code):
    assert region_code(name) == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # LinkedIn JSON-LD jobLocation.address, as a spider would map it
        ({"city": "Rome", "region": None, "country": "IT"}, loc("Rome", None, "IT")),
        ({"city": "San Francisco", "region": "CA", "country": "us"}, loc("San Francisco", "CA", "US")),
        ({"city": "Berlin", "region": None, "country": "Germany"}, loc("Berlin", None, "DE")),
        ({"city": "X", "region": None, "country": "ZZ"}, None),
        ({"city": None, "region": None, "country": None}, None),
        ("Berlin", None),
    ],
)
def test_validate_location(value, expected):
    assert validate_location(value) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a part naming a subdivision is a region, not a city (LinkedIn card)
        ("Abu Dhabi Emirate, United Arab Emirates", [loc(None, "Abu Dhabi Emirate", "AE")]),
        ("Punjab Province, Pakistan", [loc(None, "Punjab Province", "PK")]),
        ("Dubai, Dubai, United Arab Emirates", [loc("Dubai", "Dubai", "AE")]),
        # scope phrases and sentence punctuation around a place (hand-written, GitHub-issue board style)
        ("100% remoto, de qualquer lugar do Brasil.", [loc(None, None, "BR")]),
        ("Presencial em Recife/PE (Porto Digital).", [loc("Recife", "PE", "BR")]),
    ],
)
def test_parse_location_evaluation_fixes(raw, expected):
    assert parse_location(raw) == expected
