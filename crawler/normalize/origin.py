"""Detect the original publisher of a republished posting.

:func:`detect_origin` looks for

- phrases in pt/es/en: "Vaga originalmente publicada em: linkedin", "publicado originalmente
  en Indeed", "Originally posted on LinkedIn", "via LinkedIn", "Source: LinkedIn",
  "Fonte: Gupy";
- links to a known job page anywhere in the text/HTML/URLs: LinkedIn
  ``linkedin.com/jobs/view/<id>`` (also ``/jobs/view/some-slug-<id>``, country
  subdomains, ``currentJobId=<id>``), Indeed ``viewjob?jk=<id>``, Gupy ``*.gupy.io/jobs/<id>``.

and returns ``Origin(origin, origin_id, origin_url)`` (all ``None`` when nothing is found).
Names are normalized with :data:`ORIGIN_ALIASES` (``"Company site"`` → ``"company"``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final, NamedTuple

from crawler.normalize import _scan


class Origin(NamedTuple):
    origin: str | None
    origin_id: str | None
    origin_url: str | None


NO_ORIGIN: Final = Origin(None, None, None)

#: normalized name → spellings (compared lowercased, accents and non-letters removed)
ORIGIN_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "linkedin": ("linkedin", "linked in", "linkedin jobs", "linkedin.com"),
    "indeed": ("indeed", "indeed.com", "indeed brasil"),
    "gupy": ("gupy", "gupy.io"),
    "glassdoor": ("glassdoor", "glassdoor.com"),
    "catho": ("catho", "catho.com.br"),
    "infojobs": ("infojobs", "info jobs", "infojobs.com.br", "infojobs.net"),
    "vagas": ("vagas.com", "vagas.com.br"),
    "programathor": ("programathor",),
    "remoteok": ("remoteok", "remote ok", "remoteok.com"),
    "weworkremotely": ("weworkremotely", "we work remotely"),
    "remotive": ("remotive",),
    "himalayas": ("himalayas",),
    "greenhouse": ("greenhouse",),
    "lever": ("lever",),
    "workable": ("workable",),
    "github": ("github",),
    "company": (
        "company",
        "company site",
        "company website",
        "company careers page",
        "career page",
        "careers page",
        "careers site",
        "site da empresa",
        "pagina da empresa",
        "site oficial da empresa",
        "sitio de la empresa",
        "pagina de la empresa",
        "sitio web de la empresa",
    ),
}

LINKEDIN_JOB_URL: Final = "https://www.linkedin.com/jobs/view/{id}/"
INDEED_JOB_URL: Final = "https://www.indeed.com/viewjob?jk={id}"


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9.]+", " ", s).strip(" .")


_ALIAS_TO_NAME: Final[dict[str, str]] = {
    _fold(a): name for name, aliases in ORIGIN_ALIASES.items() for a in aliases
}


def normalize_origin_name(name: str | None) -> str | None:
    """``"LinkedIn"`` → ``"linkedin"``, ``"Site da empresa"`` → ``"company"``; unknown → None."""
    if not name:
        return None
    folded = _fold(name)
    if folded in _ALIAS_TO_NAME:
        return _ALIAS_TO_NAME[folded]
    # "linkedin jobs brasil", "www.linkedin.com/..." → first word that is a known alias
    for word in folded.split():
        word = word.removeprefix("www.")
        if word in _ALIAS_TO_NAME:
            return _ALIAS_TO_NAME[word]
        host = word.split(".")[0]
        if host in _ALIAS_TO_NAME and "." in word:
            return _ALIAS_TO_NAME[host]
    return None


# --- phrases ----------------------------------------------------------------------------

_NAME = r"(?P<name>[^\n.;,|()]{2,40}?)"
_PHRASE_RES: Final[tuple[re.Pattern[str], ...]] = tuple(
    re.compile(p, re.I)
    for p in (
        rf"vaga\s+(?:originalmente\s+)?publicada\s+(?:originalmente\s+)?(?:em|no|na)\s*:?\s*{_NAME}(?=\s*(?:$|[\n.;,|()]))",
        rf"publicad[ao]\s+originalmente\s+(?:em|en|no|na)\s*:?\s*{_NAME}(?=\s*(?:$|[\n.;,|()]))",
        rf"originally\s+(?:posted|published|listed)\s+(?:on|at|in)\s*:?\s*{_NAME}(?=\s*(?:$|[\n.;,|()!]))",
        rf"(?<![\w])(?:source|fonte|fuente|origem|origen)\s*:\s*{_NAME}(?=\s*(?:$|[\n.;,|()]))",
    )
)
#: "(via LinkedIn)" as a source note: the name ends the clause; "contact you via LinkedIn" is not one
_VIA_RE: Final = re.compile(
    r"\bvia\s+(?P<name>linked\s?in|indeed|gupy|glassdoor|catho|infojobs)\b(?=\s*(?:$|[.)\]|\n]))",
    re.I | re.M,
)
_VIA_NOT_SOURCE_RE: Final = re.compile(
    r"\b(?:apply|applying|candidate-se|aplique|inscreva-se|contact|reach|message|connect|recruiters?|follow|share)\b[^.\n]{0,60}$",
    re.I,
)

# --- links ------------------------------------------------------------------------------

_LINKEDIN_VIEW_RE: Final = re.compile(
    r"(?:https?://)?(?:[a-z]{2,3}\.|www\.)?linkedin\.com/(?:comm/)?jobs/view/(?:[^/\s?#\"'<>]*?-)?(?P<id>\d{6,})",
    re.I,
)
_LINKEDIN_CURRENT_RE: Final = re.compile(
    r"(?:https?://)?(?:[a-z]{2,3}\.|www\.)?linkedin\.com/jobs/[^\s\"'<>]*?[?&]currentJobId=(?P<id>\d{6,})",
    re.I,
)
_INDEED_RE: Final = re.compile(
    r"(?:https?://)?(?:[a-z]{2}\.|www\.)?indeed\.com(?:\.[a-z]{2})?/(?:viewjob|rc/clk|m/viewjob)\?(?:[^\s\"'<>]*?&(?:amp;)?)?jk=(?P<id>[0-9a-f]{8,})",
    re.I,
)
_GUPY_RE: Final = re.compile(r"(?P<url>https?://[a-z0-9\-]+\.gupy\.io/jobs?/(?P<id>\d{4,}))", re.I)


def linkedin_job_url(job_id: str | int) -> str:
    """Canonical LinkedIn job URL."""
    return LINKEDIN_JOB_URL.format(id=job_id)


def _find_link(texts: list[str]) -> Origin | None:
    for text in texts:
        lowered = text.lower()
        m = None
        if "linkedin.com/" in lowered:  # cheap prefilter: the regexes have no literal prefix
            m = _scan.search(_LINKEDIN_VIEW_RE, text, ("linkedin.com/",), 40, 200) or _scan.search(
                _LINKEDIN_CURRENT_RE, text, ("linkedin.com/",), 40, 400
            )
        if m:
            return Origin("linkedin", m.group("id"), linkedin_job_url(m.group("id")))
    for text in texts:
        lowered = text.lower()
        if "indeed.com" in lowered:
            m = _scan.search(_INDEED_RE, text, ("indeed.com",), 40, 300)
            if m:
                return Origin("indeed", m.group("id"), INDEED_JOB_URL.format(id=m.group("id")))
        if "gupy.io/job" in lowered:
            g = _GUPY_RE.search(text)
            if g:
                return Origin("gupy", g.group("id"), g.group("url"))
    return None


#: literal anchors of _PHRASE_RES (lower case), to skip a pattern quickly
_PHRASE_ANCHORS: Final = (
    ("vaga",),
    ("originalmente",),
    ("originally",),
    ("source", "fonte", "fuente", "origem", "origen"),
)


def _find_phrase(texts: list[str]) -> str | None:
    for text in texts:
        lowered = text.lower()
        for rx, anchors in zip(_PHRASE_RES, _PHRASE_ANCHORS, strict=True):
            if not any(a in lowered for a in anchors):
                continue
            for m in rx.finditer(text):
                name = normalize_origin_name(m.group("name"))
                if name:
                    return name
        if "via " in lowered:
            for m in _VIA_RE.finditer(text):
                if not _VIA_NOT_SOURCE_RE.search(text[max(0, m.start() - 80) : m.start()]):
                    return normalize_origin_name(m.group("name"))
    return None


def detect_origin(text: str | None, html: str | None = None, urls: Iterable[str | None] = ()) -> Origin:
    """Find the original publisher in a description (text and/or raw HTML) and extra URLs.

    The phrase decides the publisher; a link to the same publisher adds the id and
    canonical URL.  A link alone (e.g. an apply URL on ``linkedin.com/jobs/view/…``)
    is enough to say the posting comes from there.
    """
    texts = [t for t in (text, html) if isinstance(t, str) and t]
    link_texts = texts + [u for u in urls if isinstance(u, str) and u]
    phrase = _find_phrase(texts[:1])  # the text if given, else the HTML
    link = _find_link(link_texts)
    if phrase is None:
        return link or NO_ORIGIN
    if link is not None and link.origin == phrase:
        return link
    return Origin(phrase, None, None)
