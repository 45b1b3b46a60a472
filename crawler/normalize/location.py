"""Location strings → ``Location`` dicts ``{city, region, country}``.

Examples (see ``tests/normalize/test_location.py``)::

    "São Paulo, SP"                 → {"city": "São Paulo", "region": "SP", "country": "BR"}
    "Lisbon, Portugal (Hybrid)"     → {"city": "Lisbon", "region": None, "country": "PT"}
    "Chennai, Tamil Nadu, India"    → {"city": "Chennai", "region": "Tamil Nadu", "country": "IN"}
    "San Francisco, CA"             → {"city": "San Francisco", "region": "CA", "country": "US"}
    "Remote, Italy"                 → {"city": None, "region": None, "country": "IT"}
    "Remote - LATAM", "Worldwide"   → []   (a remote region, see ``workplace.py``)

Rules
- ``country`` is ISO 3166-1 alpha-2 (names in several languages, see ``geo.py``).
- ``region`` is the code for the US, Brazil and Canada (``"CA"``, ``"SP"``, ``"ON"``), the
  name as shown elsewhere (``"Tamil Nadu"``).
- A US/BR region code that exists in both countries (PA, MA, AL, MT, MS, SC, PR) takes
  the country from the city (a well-known city, or Portuguese diacritics → BR) or from the
  caller's ``default_country`` hint; otherwise the country stays None.
- A city alone gets a country only when it is in ``geo.WELL_KNOWN_CITIES``.
- A part ending in a subdivision word ("Abu Dhabi Emirate", "Punjab Province") is a region.
- Workplace words (Remote, Hybrid, On-site, Home office …) and notes in parentheses are
  dropped; several places separated by ``|``, ``;``, `` / ``, `` or `` give several dicts.
- Anything not recognized is None, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from crawler.items import Location
from crawler.normalize import geo
from crawler.normalize.text import clean_line

_WORKPLACE_WORDS_RE: Final = re.compile(
    r"(?<![\w])(?:100\s?%\s*|fully\s+|full\s+|totally\s+)?(?:remote(?:ly)?|remoto|remota|hybrid|h[íi]brid[oa]|on-?site|"
    r"in[- ]office|office[- ]based|presencial|home[- ]office|anywhere|telecommute|work\s+from\s+home|wfh|"
    r"flexibility|flexible|only|based|(?:em\s+|de\s+)?qualquer\s+lugar\s+d[oa]s?|desde\s+cualquier\s+lugar\s+de)"
    r"(?:[- ](?:first|friendly|only))?(?![\w])",
    re.I,
)
_SLASH_CODE_RE: Final = re.compile(r"\s+/\s+(?=[A-Z]{2}(?:$|\s*[,|;)]))")
_MULTI_SPLIT_RE: Final = re.compile(r"\s*(?:\||;|·|•|\s/\s|\n)\s*|\s+(?:or|ou|o)\s+")  # "OR" is Oregon
_PARENS_RE: Final = re.compile(r"\(([^()]*)\)")
_CITY_UF_RE: Final = re.compile(r"^(?P<city>[^,]+?)\s*(?:/|\s[-–—]\s|-)\s*(?P<code>[A-Z]{2})$")
_METRO_RE: Final = re.compile(
    r"^(?:greater\s+)?(?P<name>.+?)(?:\s+metropolitan)?\s+(?:area|region|metro\s+area)$", re.I
)
_GREATER_RE: Final = re.compile(r"^greater\s+(?P<name>.+)$", re.I)
_PT_DIACRITICS_RE: Final = re.compile(r"[ãõçâêôáéíóú]", re.I)
_TIDY_RE: Final = re.compile(r"^[\s,\-–—/|:]+|[\s,\-–—/|:.;!]+$")
#: a part naming a subdivision, not a city ("Abu Dhabi Emirate, United Arab Emirates")
_SUBDIVISION_RE: Final = re.compile(
    r"\b(?:emirate|province|state|region|county|prefecture|governorate|oblast|voivodeship|district|territory|"
    r"provincia|prov[íi]ncia|estado|regi[óo]n|regi[ãa]o|departamento|kanton|canton|bundesland)$",
    re.I,
)


def _loc(city: str | None, region: str | None, country: str | None) -> Location:
    return {"city": city or None, "region": region or None, "country": country or None}


def _tidy(s: str) -> str:
    s = re.sub(r"\s*([,])\s*(?:[,\-–—/]\s*)+", r"\1 ", s)
    s = re.sub(r"\s{2,}", " ", s)
    return _TIDY_RE.sub("", s)


def _strip_workplace(s: str) -> str:
    s = _tidy(_WORKPLACE_WORDS_RE.sub(" ", s))
    return _LEADING_PREPOSITION_RE.sub("", s)  # "Based in Berlin" → "Berlin"


_LEADING_PREPOSITION_RE: Final = re.compile(r"^(?:in|em|en|from|within)\s+(?=\S)", re.I)


def _city_region_country(city: str, code: str, default_country: str | None) -> Location:
    """``City, XX`` where XX is a region code (or name) with no explicit country."""
    cands = geo.region_candidates(code)
    known = geo.well_known_city(city)
    if known and known[0] in cands:
        return _loc(city, cands[known[0]], known[0])
    if known and known[0] == code.upper():  # "Toronto, CA": the country code of a known city
        return _loc(city, known[1], known[0])
    if len(cands) == 1:
        country, region = next(iter(cands.items()))
        return _loc(city, region, country)
    if len(cands) > 1:
        if "BR" in cands and _PT_DIACRITICS_RE.search(city):
            return _loc(city, cands["BR"], "BR")
        if default_country in cands:
            return _loc(city, cands[default_country], default_country)
        return _loc(city, code.upper() if len(code) == 2 else code, None)
    return _loc(city, code, None)


def _metro(city: str) -> str:
    if re.search(r"\bbay area\b", city, re.I):
        return city
    m = _METRO_RE.match(city) or _GREATER_RE.match(city)
    return m.group("name") if m else city


def _parse_one(text: str, default_country: str | None) -> Location | None:
    extra: list[str] = []
    for inner in _PARENS_RE.findall(text):
        inner = _strip_workplace(inner)
        if inner and geo.country_code(inner):
            extra.append(inner)
    if geo.region_code(_tidy(_PARENS_RE.sub(" ", text))):
        return None
    s = _strip_workplace(_PARENS_RE.sub(" ", text))
    if not s and extra:
        s = extra[0]
    if not s or not re.search(r"[^\W\d_]", s):
        return None
    if geo.region_code(s) or any(geo.region_code(tok) for tok in re.split(r"[\s\-/]+", s) if len(tok) > 2):
        if not geo.country_code(s):
            return None
    m = _CITY_UF_RE.match(s)
    if m and "," not in s:
        return _city_region_country(m.group("city").strip(), m.group("code"), default_country)
    parts = [p.strip() for p in s.split(",") if p.strip()]
    if not parts:
        return None
    country = geo.country_code(parts[-1])
    if country and len(parts) == 2 and len(parts[-1]) == 2 and geo.region_candidates(parts[-1]):
        known = geo.well_known_city(parts[0])
        if not (known and known[0] == country):
            country = None  # "Curitiba, PR", "Toronto, ON": a region code, not a country code
    # a trailing US state name ("Atlanta, Georgia") wins over the country of the same name
    if (
        country
        and len(parts) == 2
        and geo.region_in_country(parts[-1], "US") not in (None, "PR")  # Puerto Rico: ISO country PR
        and not geo.country_code(parts[0])
    ):
        if len(parts[-1]) > 2:
            return _loc(_metro(parts[0]), geo.region_in_country(parts[-1], "US"), "US")
    if country:
        parts = parts[:-1]
        if not parts:
            return _loc(None, None, country)
        if len(parts) >= 2:
            region_text = parts[-1]
            region = geo.region_in_country(region_text, country) or region_text
            return _loc(_metro(parts[0]), region, country)
        only = parts[0]
        code = geo.region_in_country(only, country) if len(only) == 2 else None
        if code:
            return _loc(None, code, country)
        if (
            geo.is_top_subdivision(only, country) or _SUBDIVISION_RE.search(only)
        ) and not geo.well_known_city(only):
            return _loc(None, geo.region_in_country(only, country) or only, country)
        return _loc(_metro(only), None, country)
    if len(parts) >= 2:
        city = _metro(parts[0])
        return _city_region_country(city, parts[-1], default_country)
    only = _metro(parts[0])
    regions = geo.region_candidates(only) if len(only) > 2 else {}
    if "US" in regions and not geo.well_known_city(only):
        return _loc(None, regions["US"], "US")
    known = geo.well_known_city(only)
    if known:
        return _loc(only, known[1], known[0])
    if re.fullmatch(r"[A-Z]{2,3}", only):
        return None  # a bare code that is not a country
    return _loc(only, None, None)


def parse_location(raw: str | None, default_country: str | None = None) -> list[Location]:
    """Parse one location string (possibly listing several places) into Location dicts.

    ``default_country`` only disambiguates region codes shared by the US and Brazil.
    """
    if not raw or not isinstance(raw, str):
        return []
    text = clean_line(raw)[:300]
    text = _SLASH_CODE_RE.sub("/", text)  # "Belo Horizonte / MG" is one place, not two
    out: list[Location] = []
    for piece in _MULTI_SPLIT_RE.split(text):
        if not piece or not piece.strip():
            continue
        loc = _parse_one(piece.strip(), default_country)
        if loc and loc not in out:
            out.append(loc)
    return out


def parse_locations(raws: Iterable[str | None], default_country: str | None = None) -> list[Location]:
    """:func:`parse_location` over several strings, duplicates removed, order kept."""
    out: list[Location] = []
    for raw in raws:
        for loc in parse_location(raw, default_country):
            if loc not in out:
                out.append(loc)
    return out


def validate_location(value: object) -> Location | None:
    """Check a Location a spider built: keys present, country a valid alpha-2 (upper-cased)."""
    if not isinstance(value, dict):
        return None
    city = value.get("city")
    region = value.get("region")
    country = value.get("country")
    city = clean_line(city) if isinstance(city, str) else None
    region = clean_line(region) if isinstance(region, str) else None
    if isinstance(country, str) and country.strip():
        cc = country.strip()
        country = cc.upper() if geo.is_country_code(cc) else geo.country_code(cc)
        if country is None:
            return None
    else:
        country = None
    if not (city or region or country):
        return None
    return _loc(city, region, country)
