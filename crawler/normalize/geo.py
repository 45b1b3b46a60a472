"""Geographic vocabulary shared by ``location.py`` and ``workplace.py``.

- Countries: every ISO 3166-1 country by its pycountry names (name, common and official
  name), its names in en/pt/es/de/it/fr/nl from Babel's CLDR data, ISO alpha-2/alpha-3
  codes where unambiguous, flag emoji, and :data:`COUNTRY_ALIASES` (``USA``, ``UK``,
  ``EUA``, ``Deutschland`` …).  :func:`country_code` folds case and accents.
- First-level regions: US states, Brazilian UFs and Canadian provinces (code and name).
- :data:`REMOTE_REGIONS` — **the** vocabulary of ``remote_regions`` values besides ISO
  country codes:

  ============== ===================================================================
  WORLDWIDE      worldwide, anywhere (in the world), global, no location restrictions
  AMERICAS       the Americas, North and South America
  NORTH_AMERICA  North America
  LATAM          Latin America, LATAM, América Latina, South/Central America
  EUROPE         Europe, European region
  EU             European Union, "EU" (upper case only)
  EMEA           EMEA
  APAC           APAC, Asia-Pacific
  ASIA           Asia
  MIDDLE_EAST    Middle East, MENA
  AFRICA         Africa
  OCEANIA        Oceania
  ============== ===================================================================

- :data:`WELL_KNOWN_CITIES` — large cities that, named alone, mean one place in job
  postings ("São Paulo", "Berlin", "Bangalore"), so "Berlin" gives country DE.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Final

import pycountry
from babel import Locale


def fold(text: str) -> str:
    """Lower-case, strip accents, turn punctuation into single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("&", " and ")
    return re.sub(r"[^a-z0-9']+", " ", text).strip()


# --------------------------------------------------------------------------------------
# Remote regions
# --------------------------------------------------------------------------------------

REMOTE_REGIONS: Final[dict[str, tuple[str, ...]]] = {
    "WORLDWIDE": (
        "worldwide", "world wide", "anywhere", "anywhere in the world", "global", "globally",
        "no location restrictions", "all countries", "any country", "any location", "international",
        "todo o mundo", "qualquer lugar", "qualquer lugar do mundo", "mundial", "mundo",
        "cualquier lugar", "todo el mundo",
    ),
    "AMERICAS": ("americas", "the americas", "north and south america", "americas only"),
    "NORTH_AMERICA": ("north america", "northern america", "america do norte", "norteamerica"),
    "LATAM": (
        "latam", "latin america", "latinamerica", "latin american countries", "latin american",
        "america latina", "latinoamerica", "latino america", "south america", "america do sul",
        "sudamerica", "central america", "america central", "centroamerica", "lat am",
    ),
    "EUROPE": ("europe", "european region", "europa", "european countries", "european", "european timezones"),
    "EU": ("european union", "uniao europeia", "union europea"),
    "EMEA": ("emea",),
    "APAC": ("apac", "asia pacific", "asia pac", "asiapac", "asia pacifico"),
    "ASIA": ("asia",),
    "MIDDLE_EAST": ("middle east", "mena", "oriente medio"),
    "AFRICA": ("africa",),
    "OCEANIA": ("oceania",),
}  # fmt: skip
_REGION_BY_NAME: Final[dict[str, str]] = {a: code for code, names in REMOTE_REGIONS.items() for a in names}


@lru_cache(maxsize=8192)
def region_code(text: str | None) -> str | None:
    """``"Latin America"`` → ``"LATAM"``; ``"EU"`` (upper case) → ``"EU"``; else None."""
    if not text:
        return None
    stripped = text.strip()
    if stripped == "EU":
        return "EU"
    f = fold(stripped)
    f = re.sub(r"^(?:anywhere in|anywhere in the|remote in|in|within|the)\s+", "", f)
    f = re.sub(r"\s+(?:only|based|region|area|countries|time ?zones?)$", "", f)
    return _REGION_BY_NAME.get(f) or _REGION_BY_NAME.get(fold(stripped))


# --------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------

#: extra names → ISO 3166-1 alpha-2 (folded when looked up)
COUNTRY_ALIASES: Final[dict[str, str]] = {
    "usa": "US", "u s a": "US", "us": "US", "u s": "US", "united states of america": "US",
    "eua": "US", "eeuu": "US", "ee uu": "US", "estados unidos da america": "US",
    "uk": "GB", "u k": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "great britain": "GB", "britain": "GB", "gb": "GB",
    "uae": "AE", "emirates": "AE", "holland": "NL", "the netherlands": "NL",
    "south korea": "KR", "korea": "KR", "russia": "RU", "vietnam": "VN", "czech republic": "CZ",
    "turkey": "TR", "turkiye": "TR", "ivory coast": "CI", "brasil": "BR", "deutschland": "DE",
    "espana": "ES", "italia": "IT", "mexico": "MX", "méxico": "MX", "peru": "PE",
    "republica dominicana": "DO", "puerto rico": "PR", "hong kong": "HK", "taiwan": "TW",
    "macedonia": "MK", "north macedonia": "MK", "bolivia": "BO", "venezuela": "VE",
    "iran": "IR", "syria": "SY", "laos": "LA", "moldova": "MD", "tanzania": "TZ",
    "kosovo": "XK", "palestine": "PS", "cape verde": "CV", "cabo verde": "CV",
}  # fmt: skip

#: 2/3-letter codes accepted as countries when they stand alone ("BR", "DEU"); "US"/"UK"
#: are in COUNTRY_ALIASES.  Codes that are also common words/abbreviations are excluded.
_CODE_BLOCKLIST: Final = frozenset(
    {
        "IN",
        "IT",
        "OR",
        "ME",
        "AS",
        "AT",
        "BE",
        "TO",
        "NO",
        "DO",
        "GO",
        "AI",
        "IS",
        "ID",
        "AM",
        "PA",
        "CA",
        "MA",
        "SO",
        "AND",
        "CAN",
        "PER",
        "ARE",
        "MAR",
        "ITA",
        "COM",
        "USA",
        "EST",
        "PST",
        "CET",
        "UTC",
    }
)

BABEL_LOCALES: Final = ("en", "pt", "es", "de", "it", "fr", "nl")


@cache
def _country_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        code = c.alpha_2
        for attr in ("name", "common_name", "official_name"):
            name = getattr(c, attr, None)
            if name:
                table.setdefault(fold(name), code)
    for loc in BABEL_LOCALES:
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code):
                table.setdefault(fold(name), code)
    for alias, code in COUNTRY_ALIASES.items():
        table[fold(alias)] = code
    return table


_FLAG_RE: Final = re.compile("^[\U0001f1e6-\U0001f1ff]{2}$")


def country_code(name: str | None) -> str | None:
    """Country name (any of several languages), alias, ISO code or flag emoji → alpha-2."""
    if not name:
        return None
    s = name.strip().strip(".").strip()
    if not s or len(s) > 60:
        return None
    if _FLAG_RE.match(s):
        return "".join(chr(ord(ch) - 0x1F1E6 + ord("A")) for ch in s)
    if re.fullmatch(r"[A-Z]{2,3}", s) and s not in _CODE_BLOCKLIST:
        c = pycountry.countries.get(alpha_2=s) if len(s) == 2 else pycountry.countries.get(alpha_3=s)
        if c is not None:
            return str(c.alpha_2)
    f = fold(s)
    table = _country_table()
    if f in table:
        return table[f]
    f2 = re.sub(r"^the\s+", "", f)
    return table.get(f2)


def is_country_code(code: object) -> bool:
    return (
        isinstance(code, str) and len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None
    )


# --------------------------------------------------------------------------------------
# First-level regions
# --------------------------------------------------------------------------------------

US_STATES: Final[dict[str, str]] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
    "PR": "Puerto Rico",
}  # fmt: skip
#: other spellings of US states (LinkedIn's French/Portuguese/Spanish UIs)
US_STATE_ALIASES: Final[dict[str, str]] = {
    "d c": "DC", "washington d c": "DC", "washington dc": "DC", "californie": "CA",
    "california": "CA", "nova york": "NY", "nueva york": "NY", "new york state": "NY",
    "caroline du nord": "NC", "carolina do norte": "NC", "carolina del norte": "NC",
    "caroline du sud": "SC", "floride": "FL", "florida": "FL", "georgie": "GA", "georgia": "GA",
    "virginie": "VA", "pensilvania": "PA", "pennsylvanie": "PA", "luisiana": "LA", "louisiane": "LA",
    "nouveau mexique": "NM", "novo mexico": "NM", "nuevo mexico": "NM", "nova jersey": "NJ",
    "nueva jersey": "NJ", "texas": "TX", "tejas": "TX", "havai": "HI", "hawai": "HI",
}  # fmt: skip
BR_STATES: Final[dict[str, str]] = {
    "AC": "Acre", "AL": "Alagoas", "AP": "Amapá", "AM": "Amazonas", "BA": "Bahia", "CE": "Ceará",
    "DF": "Distrito Federal", "ES": "Espírito Santo", "GO": "Goiás", "MA": "Maranhão",
    "MT": "Mato Grosso", "MS": "Mato Grosso do Sul", "MG": "Minas Gerais", "PA": "Pará",
    "PB": "Paraíba", "PR": "Paraná", "PE": "Pernambuco", "PI": "Piauí", "RJ": "Rio de Janeiro",
    "RN": "Rio Grande do Norte", "RS": "Rio Grande do Sul", "RO": "Rondônia", "RR": "Roraima",
    "SC": "Santa Catarina", "SP": "São Paulo", "SE": "Sergipe", "TO": "Tocantins",
}  # fmt: skip
CA_PROVINCES: Final[dict[str, str]] = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}  # fmt: skip
#: countries whose regions are given as codes (the other countries keep the name as shown)
REGION_TABLES: Final[dict[str, dict[str, str]]] = {"US": US_STATES, "BR": BR_STATES, "CA": CA_PROVINCES}

_REGION_NAMES: Final[dict[str, dict[str, str]]] = {
    country: {fold(name): code for code, name in table.items()} for country, table in REGION_TABLES.items()
}
_REGION_NAMES["US"].update({fold(k): v for k, v in US_STATE_ALIASES.items()})
_REGION_NAMES["CA"].update({"quebec": "QC", "quebec province": "QC", "colombie britannique": "BC"})


def region_in_country(text: str, country: str | None) -> str | None:
    """A first-level region code of ``country`` (``"SP"``, ``"CA"``, ``"ON"``) from a code or name."""
    if not country or country not in REGION_TABLES:
        return None
    s = text.strip().rstrip(".")
    up = s.upper().replace(".", "")
    if up in REGION_TABLES[country] and len(up) == 2:
        return up
    return _REGION_NAMES[country].get(fold(s))


def region_candidates(text: str) -> dict[str, str]:
    """Countries (among US/BR/CA) where ``text`` names a first-level region → region code."""
    out: dict[str, str] = {}
    for country in REGION_TABLES:
        code = region_in_country(text, country)
        if code:
            out[country] = code
    return out


@cache
def _top_subdivisions(country: str) -> frozenset[str]:
    subs = pycountry.subdivisions.get(country_code=country) or []
    return frozenset(fold(s.name) for s in subs if getattr(s, "parent_code", None) is None)


def is_top_subdivision(text: str, country: str) -> bool:
    """True when ``text`` is the (local) name of a first-level subdivision of ``country``."""
    try:
        return fold(text) in _top_subdivisions(country)
    except (KeyError, LookupError):
        return False


# --------------------------------------------------------------------------------------
# Well-known cities
# --------------------------------------------------------------------------------------

#: folded city name → (country, region code or None)
WELL_KNOWN_CITIES: Final[dict[str, tuple[str, str | None]]] = {
    "sao paulo": ("BR", "SP"), "rio de janeiro": ("BR", "RJ"), "belo horizonte": ("BR", "MG"),
    "curitiba": ("BR", "PR"), "porto alegre": ("BR", "RS"), "florianopolis": ("BR", "SC"),
    "recife": ("BR", "PE"), "campinas": ("BR", "SP"), "brasilia": ("BR", "DF"), "fortaleza": ("BR", "CE"),
    "goiania": ("BR", "GO"), "manaus": ("BR", "AM"), "belem": ("BR", "PA"),
    "san francisco": ("US", "CA"), "new york": ("US", "NY"), "new york city": ("US", "NY"),
    "nyc": ("US", "NY"), "seattle": ("US", "WA"), "los angeles": ("US", "CA"), "chicago": ("US", "IL"),
    "boston": ("US", "MA"), "austin": ("US", "TX"), "san jose": ("US", "CA"), "palo alto": ("US", "CA"),
    "mountain view": ("US", "CA"), "denver": ("US", "CO"), "atlanta": ("US", "GA"), "miami": ("US", "FL"),
    "san francisco bay area": ("US", "CA"), "bay area": ("US", "CA"), "silicon valley": ("US", "CA"),
    "london": ("GB", None), "manchester": ("GB", None), "edinburgh": ("GB", None),
    "berlin": ("DE", None), "munich": ("DE", None), "munchen": ("DE", None), "hamburg": ("DE", None),
    "frankfurt": ("DE", None), "cologne": ("DE", None), "koln": ("DE", None),
    "paris": ("FR", None), "lyon": ("FR", None), "amsterdam": ("NL", None), "rotterdam": ("NL", None),
    "dublin": ("IE", None), "lisbon": ("PT", None), "lisboa": ("PT", None), "porto": ("PT", None),
    "madrid": ("ES", None), "barcelona": ("ES", None), "valencia": ("ES", None),
    "milan": ("IT", None), "milano": ("IT", None), "rome": ("IT", None), "roma": ("IT", None),
    "turin": ("IT", None), "torino": ("IT", None), "zurich": ("CH", None), "geneva": ("CH", None),
    "vienna": ("AT", None), "wien": ("AT", None), "stockholm": ("SE", None), "copenhagen": ("DK", None),
    "oslo": ("NO", None), "helsinki": ("FI", None), "warsaw": ("PL", None), "krakow": ("PL", None),
    "gdansk": ("PL", None), "prague": ("CZ", None), "budapest": ("HU", None), "bucharest": ("RO", None),
    "athens": ("GR", None), "istanbul": ("TR", None), "tel aviv": ("IL", None),
    "toronto": ("CA", "ON"), "montreal": ("CA", "QC"), "ottawa": ("CA", "ON"), "calgary": ("CA", "AB"),
    "mexico city": ("MX", None), "ciudad de mexico": ("MX", None), "cdmx": ("MX", None),
    "buenos aires": ("AR", None), "santiago de chile": ("CL", None), "bogota": ("CO", None),
    "medellin": ("CO", None), "lima": ("PE", None), "montevideo": ("UY", None),
    "bangalore": ("IN", None), "bengaluru": ("IN", None), "chennai": ("IN", None), "mumbai": ("IN", None),
    "hyderabad": ("IN", None), "pune": ("IN", None), "new delhi": ("IN", None), "gurgaon": ("IN", None),
    "gurugram": ("IN", None), "noida": ("IN", None), "kolkata": ("IN", None),
    "singapore": ("SG", None), "tokyo": ("JP", None), "seoul": ("KR", None), "shanghai": ("CN", None),
    "beijing": ("CN", None), "sydney": ("AU", None), "melbourne": ("AU", None), "auckland": ("NZ", None),
    "manila": ("PH", None), "metro manila": ("PH", None), "jakarta": ("ID", None), "dubai": ("AE", None),
    "cairo": ("EG", None), "lagos": ("NG", None), "nairobi": ("KE", None), "cape town": ("ZA", None),
    "johannesburg": ("ZA", None), "kuala lumpur": ("MY", None), "bangkok": ("TH", None),
    "ho chi minh city": ("VN", None), "hanoi": ("VN", None), "port au prince": ("HT", None),
}  # fmt: skip


def well_known_city(text: str) -> tuple[str, str | None] | None:
    return WELL_KNOWN_CITIES.get(fold(text))
