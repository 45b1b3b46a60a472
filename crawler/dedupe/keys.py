"""Normalized company/title/location and canonical URLs: what the matcher compares.

All pure functions.  Keys are signed 64-bit integers (``bigint``) so they live in the
same ``posting_bands`` index as the description's LSH bands.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Final

from w3lib.url import canonicalize_url

#: query parameters that only track where a click came from
TRACKING_PARAMS: Final = frozenset(
    {
        "gh_src", "lever-source", "lever-origin", "lever-via", "ref", "referer", "referrer", "source",
        "src", "trk", "trkinfo", "refid", "trackingid", "tracking_id", "fbclid", "gclid", "msclkid",
        "mc_cid", "mc_eid", "igshid", "_hsenc", "_hsmi", "hsctatracking", "jobsource", "campaign",
        "shared_from", "ashby_jid_source", "jobboard", "jobpipeline",
    }
)  # fmt: skip
TRACKING_PREFIXES: Final = ("utm_", "utm-", "pk_", "mtm_", "hs_")
#: path endings of pages that list many jobs (an apply URL pointing there names no job)
GENERIC_PATH_ENDS: Final = frozenset(
    {"", "careers", "career", "jobs", "job", "vagas", "apply", "openings", "positions", "join-us", "join",
     "work-with-us", "trabalhe-conosco", "karriere", "stellenangebote", "en", "pt", "pt-br"}
)  # fmt: skip

#: hosts that serve the same pages
HOST_ALIASES: Final[Mapping[str, str]] = {
    "job-boards.greenhouse.io": "boards.greenhouse.io",
    "job-boards.eu.greenhouse.io": "boards.greenhouse.io",
    "jobs.eu.lever.co": "jobs.lever.co",
    "br.linkedin.com": "linkedin.com",
    "pt.linkedin.com": "linkedin.com",
}
#: company name tokens that carry no identity
COMPANY_NOISE: Final = frozenset(
    {
        "inc", "incorporated", "llc", "llp", "ltd", "ltda", "limited", "gmbh", "ag", "sa", "sas", "srl",
        "spa", "bv", "nv", "plc", "corp", "corporation", "co", "company", "the", "me", "eireli", "epp",
        "oy", "ab", "as", "kg", "se", "pty", "pvt", "holding", "holdings",
    }
)  # fmt: skip
#: title tokens that say nothing about the role (gender markers, workplace, contract, filler)
TITLE_NOISE: Final = frozenset(
    {
        "m", "w", "f", "d", "x", "a", "o", "mwd", "fmd", "mfd", "wmd", "mfx", "all", "genders", "gn",
        "remote", "remoto", "remota", "remotely", "hybrid", "hibrido", "hibrida", "onsite", "presencial",
        "home", "office", "anywhere", "worldwide", "clt", "pj", "vaga", "vacancy", "job", "hiring",
        "urgent", "urgente", "fulltime", "parttime", "full", "part", "time", "contract", "the", "de",
        "em", "para", "of", "in", "at", "and", "e", "com", "we", "are", "re", "100", "only",
    }
)  # fmt: skip
#: title tokens naming a level: two postings with different levels are different jobs
SENIORITY_TOKENS: Final[Mapping[str, str]] = {
    "intern": "intern", "internship": "intern", "estagio": "intern", "estagiario": "intern",
    "estagiaria": "intern", "trainee": "intern", "praktikant": "intern", "junior": "junior",
    "jr": "junior", "pleno": "mid", "pl": "mid", "mid": "mid", "middle": "mid", "intermediate": "mid",
    "senior": "senior", "sr": "senior", "staff": "staff", "principal": "principal", "lead": "lead",
    "leader": "lead", "lider": "lead", "head": "head", "director": "director", "diretor": "director",
    "vp": "vp", "chief": "chief", "i": "level1", "ii": "level2", "iii": "level3", "iv": "level4",
    "1": "level1", "2": "level2", "3": "level3", "4": "level4",
}  # fmt: skip
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str | None) -> str:
    """Lower-case ASCII words: accents stripped, punctuation → spaces, spaces collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


@lru_cache(maxsize=65536)
def norm_company(company: str | None) -> str:
    tokens = [t for t in fold(company).split() if t not in COMPANY_NOISE]
    return " ".join(tokens)


@lru_cache(maxsize=65536)
def split_title(title: str | None) -> tuple[str, frozenset[str]]:
    """Title → (core words sorted, levels); "Senior Backend Engineer (m/w/d) - Remote" →
    ("backend engineer", {"senior"})."""
    folded = fold(title).replace("back end", "backend").replace("front end", "frontend")
    core: list[str] = []
    levels: set[str] = set()
    for token in folded.split():
        level = SENIORITY_TOKENS.get(token)
        if level is not None:
            levels.add(level)
        elif token not in TITLE_NOISE:
            core.append(token)
    return " ".join(sorted(set(core))), frozenset(levels)


def key_hash(kind: str, value: str) -> int:
    """A signed 64-bit key (the ``posting_bands.hash`` of a non-LSH key)."""
    digest = hashlib.blake2b(f"{kind}\x1f{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def title_key(company: str | None, title: str | None) -> int | None:
    """Same normalized company and the same title words (any order, same levels)."""
    c = norm_company(company)
    core, levels = split_title(title)
    if not c or not core:
        return None
    return key_hash("title", f"{c}\x1e{core}\x1e{','.join(sorted(levels))}")


def canonical_url(url: str | None) -> str | None:
    """``host/path?query``: scheme, ``www.``, default port, fragment, trailing slash and tracking
    parameters dropped, host aliases merged, path lower-cased, query sorted; None for a URL that
    cannot identify one job (not http(s), a site root or a careers/listing page).

    Percent-escapes are normalized with w3lib's ``canonicalize_url`` when there are any (the
    common case is a plain string split, ~2 µs)."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    url = url.split("#", 1)[0]
    if "%" in url or not url.isascii():
        try:
            url = canonicalize_url(url, keep_fragments=False)
        except ValueError:
            return None
    rest = url[url.index("://") + 3 :]
    hostpath, _, query = rest.partition("?")
    host, _, path = hostpath.partition("/")
    host = host.lower().removeprefix("www.").removesuffix(":443").removesuffix(":80")
    host = HOST_ALIASES.get(host, host)
    segments = [s for s in path.lower().split("/") if s]
    params = sorted(
        p
        for p in query.split("&")
        if p
        and (name := p.split("=", 1)[0].lower()) not in TRACKING_PARAMS
        and not name.startswith(TRACKING_PREFIXES)
    )
    if segments and segments[-1] in {"apply", "application", "applications"}:
        segments = segments[:-1]  # ".../jobs/123/apply" is the job's own page
    if not params and (not segments or segments[-1] in GENERIC_PATH_ENDS):
        return None
    return f"{host}/{'/'.join(segments)}" + (f"?{'&'.join(params)}" if params else "")


def url_keys(urls: Iterable[str | None]) -> list[int]:
    keys: list[int] = []
    for url in urls:
        canon = canonical_url(url)
        if canon is not None:
            k = key_hash("url", canon)
            if k not in keys:
                keys.append(k)
    return keys


def places(locations: Any) -> tuple[frozenset[str], frozenset[str]]:
    """(cities, countries) of a ``locations`` list, folded."""
    cities: set[str] = set()
    countries: set[str] = set()
    if isinstance(locations, list):
        for loc in locations:
            if isinstance(loc, Mapping):
                if loc.get("city"):
                    cities.add(fold(str(loc["city"])))
                if loc.get("country"):
                    countries.add(str(loc["country"]).upper())
    return frozenset(cities), frozenset(countries)
