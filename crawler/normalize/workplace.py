"""Workplace (``remote`` | ``hybrid`` | ``onsite``) and ``remote_regions``.

:func:`detect_workplace` reads, in priority order, the spider's ``workplace_raw`` values
(``"Remote"``, ``"hybrid"``, ``"isRemote"``, ``"remote: true"``, ``"TELECOMMUTE"``), the title
(``"… | Remoto"``, ``"… (Remote)"``), the location strings (``"Remote, Italy"``,
``"Hybrid – São Paulo (3x/week)"``) and finally explicit statements in the description
(``"Full-time, remote position"``, ``"Modelo de trabalho: 100% remoto"``, ``"#LI-Hybrid"``).
The first level that decides wins.  Within a level ``hybrid`` beats the others; remote and
onsite together are a conflict and leave the decision to the next level.

:func:`remote_regions_from_location` / :func:`find_remote_regions` give the region codes
of ``geo.REMOTE_REGIONS`` (``WORLDWIDE``, ``LATAM``, ``EMEA``, ``EUROPE`` …) or ISO
country codes: ``"Remote - LATAM"`` → ``["LATAM"]``, ``"USA only"`` → ``["US"]``,
``"Remoto — Brasil"`` → ``["BR"]``, ``"Work remotely from any country in Latin America"``
→ ``["LATAM"]``, ``"remote friendly within the United States"``, ``"You live in the EMEA
Region"``, ``"This is a remote, US-based role"``.  A line about the company's seat
(``"Headquarters: Remote - USA"``) is not read: it says where the company is, not who may apply.
How title, location strings and description combine: ``posting.decide_remote_regions``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from crawler.normalize import _scan, geo

WORKPLACES: Final = ("remote", "hybrid", "onsite")

# --- short values (flags, titles, location strings) -------------------------------------

_SHORT_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    (
        r"hybrid|h[íi]brid[oa]|semi[- ]?remot[eo]|partially\s+remote|partly\s+remote|"
        r"\d\s*x\s*(?:/|per|a|por)?\s*(?:week|semana)|\d\s+days?\s+(?:in|at)\s+(?:the\s+)?office|ibrido|hybride",
        "hybrid",
    ),
    (
        r"remote|remoto|remota|remotely|home[- ]?office|anywhere|telecommute|telework|work\s+from\s+home|wfh|"
        r"teletrabajo|t[ée]l[ée]travail|da\s+remoto|fernarbeit|distributed|is\s?remote",
        "remote",
    ),
    (
        r"on[- ]?site|in[- ]office|office[- ]based|in[- ]person|presencial|presencialmente|sur\s+site|"
        r"en\s+presencial|vor\s+ort|in\s+sede|onsite|on_site",
        "onsite",
    ),
)
_SHORT_RES: Final = tuple((re.compile(rf"(?<![\w])(?:{rx})(?![\w])", re.I), wp) for rx, wp in _SHORT_PATTERNS)
_FLAG_RE: Final = re.compile(
    r"^\s*(?:is_?)?(?P<key>[\w\- ]+?)\s*[:=]\s*(?P<val>true|false|yes|no|1|0|none|null)\s*$", re.I
)


def workplace_from_value(value: str | None) -> str | None:
    """One short value: a flag, a workplace field, a title or a location string."""
    if not value or not isinstance(value, str):
        return None
    m = _FLAG_RE.match(value)
    if m:
        if m.group("val").lower() not in ("true", "yes", "1"):
            return None
        value = m.group("key")
    found = {wp for rx, wp in _SHORT_RES if rx.search(value)}
    return _decide(found)


def _decide(found: set[str]) -> str | None:
    if "hybrid" in found:
        return "hybrid"
    if len(found) == 1:
        return next(iter(found))
    return None


def _from_values(values: Iterable[str | None]) -> str | None:
    found = {wp for v in values if (wp := workplace_from_value(v))}
    return _decide(found)


# --- descriptions ----------------------------------------------------------------------

_LABEL = (
    r"(?:location|job\s+location|work\s+location|workplace(?:\s+type)?|work\s+(?:type|model|mode|arrangement)|"
    r"localiza[çc][ãa]o|local(?:\s+de\s+trabalho)?|localidade|modalidade(?:\s+de\s+trabalho)?|"
    r"modelo\s+de\s+(?:trabalho|atua[çc][ãa]o|contrata[çc][ãa]o)|regime(?:\s+de\s+trabalho)?|"
    r"formato(?:\s+de\s+trabalho)?|ubicaci[óo]n|modalidad|arbeitsort|lieu)\s*:\s*"
)
_DESC_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    (rf"{_LABEL}[^\n]{{0,60}}?\b(?:hybrid|h[íi]brid[oa])\b", "hybrid"),
    (rf"{_LABEL}[^\n]{{0,60}}?(?:\bremote\b|\bremot[oa]\b|\bhome[- ]office\b|\banywhere\b)", "remote"),
    (rf"{_LABEL}[^\n]{{0,40}}?(?:\bon[- ]?site\b|\bpresencial\b|\bin[- ]office\b)", "onsite"),
    (r"#LI-Hybrid\b", "hybrid"),
    (r"#LI-Remote\b", "remote"),
    (r"#LI-Onsite\b", "onsite"),
    (
        r"\bhybrid\s+(?:role|position|job|work(?:ing)?\s+(?:model|arrangement|schedule)|model|schedule|setup|"
        r"arrangement|opportunity)\b|\b(?:modelo|formato|regime|trabalho|vaga|atua[çc][ãa]o)\s+(?:de\s+trabalho\s+)?h[íi]brid[oa]\b|"
        r"\b\d\s*(?:x|days?|dias?)\s*(?:per|a|por|/|na|no)\s*(?:week|semana)\s+(?:in|at|no|na)\s+(?:the\s+|o\s+)?(?:office|escrit[óo]rio|sede)\b|"
        r"\b(?:this|the)\s+(?:role|position|job)\s+is\s+hybrid\b",
        "hybrid",
    ),
    (
        r"\b(?:fully|100\s?%|completely|entirely|full)[\s-]*remot(?:e|o|a|ely)\b|\b100\s?%\s*home[- ]office\b|"
        r"\bremote[\s-](?:position|role|job|opportunity|contract)\b|"
        r"\b(?:this|the)\s+(?:role|position|job|opportunity)\s+(?:is|can\s+be)\s+(?:fully\s+|100%\s+)?remote\b|"
        r"\bwork(?:ing)?\s+remotely\s+from\b|\bremote\s+(?:from|within)\s+(?:anywhere|any)\b|"
        r"\b(?:trabalho|vaga|atua[çc][ãa]o|posi[çc][ãa]o|modelo)\s+(?:100\s?%\s*)?remot[oa]\b|"
        r"\batuar\s+de\s+forma\s+remota\b|\bem\s+regime\s+(?:de\s+)?(?:home[- ]office|remoto)\b|\btrabalha(?:mos)?\s+remotamente\b|"
        r"\b(?:posici[óo]n|trabajo|puesto)\s+(?:100\s?%\s*)?remot[oa]\b",
        "remote",
    ),
    (
        r"\b(?:on[- ]?site|in[- ]office)\s+(?:role|position|job)\b|"
        r"\b(?:this|the)\s+(?:role|position|job)\s+is\s+(?:fully\s+|100%\s+)?(?:on[- ]?site|in[- ]office|in[- ]person)\b|"
        r"\b(?:trabalho|vaga|atua[çc][ãa]o|modelo|regime)\s+(?:de\s+trabalho\s+)?(?:100\s?%\s*)?presencial\b|\b100\s?%\s*presencial\b",
        "onsite",
    ),
)
#: compiled case-sensitive and run over the lower-cased text (much faster than re.I)
_DESC_RES: Final = tuple((re.compile(_scan.lower_pattern(rx)), wp) for rx, wp in _DESC_PATTERNS)
#: every description pattern contains one of these words (they are searched around them only)
_DESC_ANCHORS: Final = (
    "remot", "hybrid", "híbrid", "hibrid", "home office", "home-office", "anywhere", "on-site", "onsite",
    "on site", "presencial", "in-office", "in office", "in-person", "in person", "#li-", "office",
    "escrit", "sede",
)  # fmt: skip


def find_workplace(description: str | None) -> str | None:
    """Explicit workplace statements in a description (``None`` when absent or conflicting)."""
    if not description or not isinstance(description, str):
        return None
    text = description[:200_000]
    lowered = _scan.lower_same_length(text)
    if lowered is None:
        return _decide({wp for rx, wp in _DESC_RES if re.compile(rx.pattern, re.I).search(text)})
    spans = _scan.windows(lowered, _DESC_ANCHORS, 130, 90)
    found = {wp for rx, wp in _DESC_RES if any(rx.search(lowered, a, b) for a, b in spans)}
    return _decide(found)


def detect_workplace(
    raw: Iterable[str | None] = (),
    title: str | None = None,
    locations: Iterable[str | None] = (),
    description: str | None = None,
) -> str | None:
    """Workplace from the raw flags, then title, then location strings, then description."""
    for level in (
        lambda: _from_values(raw),
        lambda: workplace_from_value(title),
        lambda: _from_values(locations),
        lambda: find_workplace(description),
    ):
        wp = level()
        if wp:
            return wp
    return None


# --- remote regions --------------------------------------------------------------------

_REGION_NOISE_RE: Final = re.compile(
    r"(?<![\w])(?:100\s?%\s*|fully\s+)?(?:remote(?:ly)?|remoto|remota|work\s+from|anywhere\s+in|from|in|within|"
    r"only|based|flexibility|flexible|friendly|first|candidates?|must\s+be|located|position|jobs?|roles?|the|any\s+country\s+in|countries|time\s?zones?|"
    r"apenas|somente|s[óo]|de\s+qualquer\s+lugar\s+(?:do|da|de)|qualquer\s+lugar\s+(?:do|da|de))(?![\w])",
    re.I,
)
_SPLIT_RE: Final = re.compile(r"\s*(?:,|;|\||/|&|\band\b|\bor\b|\be\b|\bou\b|\by\b|[-–—:()+])\s*", re.I)


def _region_or_country(text: str) -> str | None:
    text = text.strip(" .!*")
    if not text or len(text) > 40:
        return None
    return geo.region_code(text) or geo.country_code(text)


def remote_regions_from_location(value: str | None) -> list[str]:
    """Regions in a short location-like string (``"Remote - LATAM"``, ``"USA only"``, ``"Worldwide"``).

    Strings naming a city (``"Remote, Bangalore"``) give nothing: that is a location.
    """
    if not value or not isinstance(value, str):
        return []
    return list(_regions_from_location(value))


@lru_cache(maxsize=8192)
def _regions_from_location(value: str) -> tuple[str, ...]:
    return tuple(_regions_from_location_uncached(value))


def _regions_from_location_uncached(value: str) -> list[str]:
    value = value.strip()[:200]
    whole = _region_or_country(value)
    if whole:
        return [whole]
    stripped = _REGION_NOISE_RE.sub(" ", value)
    whole = _region_or_country(re.sub(r"\s+", " ", stripped))
    if whole:
        return [whole]
    out: list[str] = []
    for part in _SPLIT_RE.split(stripped):
        part = re.sub(r"\s+", " ", part).strip()
        if not part:
            continue
        code = _region_or_country(part)
        if code is None:
            if re.search(r"[^\W\d_]{3,}", part) and not re.fullmatch(r"[A-Z]\d", part):
                return []  # something else (a city, a note): not a pure region list
            continue
        if code not in out:
            out.append(code)
    return out


_DESC_REGION_RES: Final = tuple(
    re.compile(rx, re.I | re.M)
    for rx in (
        # "Location: Latin America (Remote)", "Localização: Remoto — Brasil"
        rf"^[\-•* ]*{_LABEL}(?P<r>[^\n]{{2,80}})$",
        # "Remote (LATAM)", "Remote - Europe", "Remoto - Brasil", "100% remoto, de qualquer lugar do Brasil",
        # "Fully remote work — no location restrictions"
        r"\b(?:fully\s+|100\s?%\s*)?remot(?:e|o|a)(?:\s+(?:work|position|role|job|opportunity))?\s*"
        r"(?:\(|[-–—:,]\s*)(?P<r>[^\n)]{2,40})\)?",
        # "Work remotely from any country in Latin America", "remote from anywhere in Europe",
        # "remote friendly within the United States", "can be performed remotely (within the US)"
        r"\bremote(?:ly)?(?:[\s-](?:friendly|first|eligible))?\s+\(?(?:from|within|in)\s+"
        r"(?:anywhere\s+in\s+|any\s+country\s+in\s+|the\s+)?(?P<r>[^\n.;,)]{2,40})",
        # "- Located in Latin America", "you must be based in the US", "candidates must reside in Brazil",
        # "You live in the EMEA Region", "must live in the United States", "a remote role based in the US"
        r"(?:^[\-•* ]*|\b(?:you|candidates?|applicants?)\s+(?:(?:must|should|need\s+to|have\s+to|will\s+need\s+to)\s+"
        r"(?:be\s+)?)?|\bmust\s+(?:be\s+)?|\bremote\s+(?:position|role|job)\s+)"
        r"(?:located|based|reside|residing|live|living)\s+(?:in|within)\s+(?:the\s+|any\s+country\s+in\s+)?(?P<r>[^\n.;,]{2,40})",
        # "This is a remote, US-based role"
        r"\bremote,?\s+(?P<r>[a-z][\w.]{1,15}(?:\s[a-z][\w.]+)?)[- ]based\b",
        # "USA only", "LATAM only"
        r"(?P<r>\b[\w ]{2,25})\s+only\b",
    )
)
#: anchors of the patterns above (None: scan the whole text, the pattern is fast)
_DESC_REGION_ANCHORS: Final[tuple[tuple[str, ...] | None, ...]] = (
    None,
    ("remot",),
    ("remot",),
    ("located", "based", "reside", "residing", "live", "living"),
    ("remot",),
    ("only",),
)


_HQ_LINE_RE: Final = re.compile(
    r"^[\-•* ]*(?:headquarters|headquartered|hq|company\s+location|sede(?:\s+da\s+empresa)?)\s*:[^\n]*",
    re.I | re.M,
)


def find_remote_regions(description: str | None) -> list[str]:
    """Region codes stated in a description of a remote posting (see module docstring)."""
    if not description or not isinstance(description, str):
        return []
    out: list[str] = []
    # a line about the company's seat ("Headquarters: Remote - USA") says nothing about who may apply
    text = _HQ_LINE_RE.sub(lambda m: " " * len(m.group(0)), description[:100_000])
    for rx, anchors in zip(_DESC_REGION_RES, _DESC_REGION_ANCHORS, strict=True):
        matches = rx.finditer(text) if anchors is None else _scan.finditer(rx, text, anchors, 110, 60)
        for m in matches:
            chunk = m.group("r").strip()
            codes = remote_regions_from_location(chunk)
            if not codes:
                # "Latin America (Remote)": try the words before a parenthesis / dash
                head = re.split(r"\s*[(\-–—]\s*", chunk)[0]
                codes = remote_regions_from_location(head)
            for code in codes:
                if code not in out:
                    out.append(code)
    return out
