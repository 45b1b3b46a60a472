"""Seniority: a list of levels from ``SENIORITIES`` (intern … executive), in that order.

Sources, first that gives something wins:

1. the **title** — every level word in it: ``"Senior / Principal Backend Engineer"`` →
   ``["senior", "principal"]``, ``"Engenheiro de Dados PL/SR"`` → ``["mid", "senior"]``;
2. the spider's ``seniority_raw`` values (LinkedIn criteria in en/pt/es/fr/it/de,
   Himalayas, SmartRecruiters, Recruitee codes): ``"Mid-Senior level"`` → ``["mid", "senior"]``,
   ``"Entry level"``/``"Associate"`` → ``["junior"]``, ``"Not Applicable"`` → ``[]``;
3. an explicit *labelled* statement in the description (``"Seniority: Senior"``,
   ``"Nível: Pleno"``, ``"This is a senior-level position"``).  Free description text is
   never read, so "mentor junior and mid-level engineers" gives nothing.

Decisions
- júnior/jr/entry level/graduate/new grad → junior; pleno/pl/mid-level/intermediate/
  semi senior/middle → mid; sênior/sr → senior.
- estágio/estagiário/intern/internship/Praktikant/stagiaire/apprentice → intern.
- trainee → junior (a trainee program is a first job for graduates, not an internship).
- especialista → senior when it qualifies a role ("Especialista Engenheiro de Dados",
  "Engenheiro de Dados Especialista"), not in "Especialista em Marketing".
- "Senior Staff Engineer" → ``["senior", "staff"]`` (every level word is listed).
- manager → only people-management titles ("Engineering Manager", "Manager, Brand
  Partnerships", "Gerente"); role titles such as Product/Project/Account/Community
  Manager give nothing.
- head of / director / diretor → director; VP, vice president, C-level (CEO, CTO, Chief X
  Officer) → executive.
- "Associate" in a title is not a level ("Sales Associate"); only as a LinkedIn criterion.
- Roman numerals and grade numbers ("Engineer III", "Developer 4") are not mapped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

from crawler.items import SENIORITIES

_ORDER: Final = {s: i for i, s in enumerate(SENIORITIES)}

#: "staff" is a level only before one of these role nouns, at most three words later
#: ("Staff Engineer", "Staff Threat Intelligence Researcher"; not "Staff Accountant", "Nursing Staff")
_STAFF_ROLES: Final = (
    r"(?:engineer|developer|scientist|designer|architect|sre|analyst|researcher|product\s+manager|pm|"
    r"technical\s+\w+|engineering\s+manager|programmer|consultant|specialist)"
)
#: "<X> Manager" titles that name a role, not a people-management level
_ROLE_MANAGERS: Final = (
    r"product|project|program|programme|account|accounts|key\s+account|community|case|office|social\s+media|content|"
    r"partner|partnerships?|customer\s+success|success|relationship|territory|campaign|channel|category|"
    r"release|property|brand|marketing|sales|store|shift|talent|event|events|delivery|scrum|portfolio|"
    r"traffic|ad|ads|media|seo|e-?commerce|growth|payroll|benefits|facilities|inventory|merchandise|"
    r"implementation|onboarding|solutions?|technical\s+account|client|integration|vendor|contract|"
    r"security\s+program|risk|compliance|privacy|quality|supply\s+chain|logistics|procurement"
)

#: title patterns → level (case-insensitive, word-bounded)
TITLE_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    (r"intern(?:ship)?s?|co-?op|est[áa]gio|estagi[áa]ri[oa]|praktikant(?:in)?|praktikum|stagiaire|"
     r"tirocinio|tirocinante|apprentice(?:ship)?|aprendiz|werkstudent(?:in)?|working\s+student|becari[oa]|pasant[ií]a", "intern"),
    (r"junior|j[úu]nior|jr\.?|entry[- ]level|graduate|new\s+grad|trainee|fresher|berufseinsteiger", "junior"),
    (r"mid[- ]?level|mid(?=\s*(?:/|-|–|\s|to\s|and\s|e\s)\s*(?:senior|s[êe]nior|sr)\b)|pleno|pl\.?(?!/sql)|"
     r"intermediate|semi[- ]?s[êe]nior|ssr|middle(?!\s+east)", "mid"),
    (r"(?<!semi-)(?<!semi )(?:senior|s[êe]nior|sr\.?|snr|especialista(?!\s+(?:em|de|na|no)\b))", "senior"),
    (r"staff(?=(?:\s+[\w&/+.\-]+){0,3}?\s+" + _STAFF_ROLES + r"\b)", "staff"),
    (r"principal", "principal"),
    (r"lead(?!s?\s+(?:gen(?:eration)?|generator|qualification|nurtur\w*|management)\b)|l[íi]der|leader|"
     r"tech\s*lead|team\s*lead|leiter(?:in)?", "lead"),
    (r"manager|gerente|coordenador(?:a)?|supervisor(?:a)?", "manager"),
    (r"director|diretor(?:a)?|directora|head\s+of|directeur|direttore", "director"),
    (r"vp|svp|evp|vice[- ]president|chief\s+\w+(?:\s+\w+)?\s+officer|ceo|cto|cfo|coo|cio|cmo|cpo|ciso|"
     r"co-?founder|founder|president", "executive"),
)  # fmt: skip

_TITLE_RES: Final = tuple(
    (re.compile(rf"(?<![\w])(?:{rx})(?![\w])", re.I), level) for rx, level in TITLE_PATTERNS
)
_ROLE_BEFORE_MANAGER_RE: Final = re.compile(rf"(?:^|\W)(?:{_ROLE_MANAGERS})\s*$", re.I)
_ROLE_GERENTE_RE: Final = re.compile(
    r"^\s*(?:de|da|do)\s+(?:produtos?|projetos?|contas?|marketing|vendas|comunidade|relacionamento|sucesso)\b",
    re.I,
)


def _is_people_manager(title: str, m: re.Match[str]) -> bool:
    word = m.group(0).lower()
    if word == "manager":
        return not _ROLE_BEFORE_MANAGER_RE.search(title[: m.start()])
    if word == "gerente":
        return not _ROLE_GERENTE_RE.match(title[m.end() :])
    return True


def seniority_from_title(title: str | None) -> list[str]:
    """Every level word of a job title, in ``SENIORITIES`` order."""
    if not title or not isinstance(title, str):
        return []
    title = title[:300]
    found: set[str] = set()
    for rx, level in _TITLE_RES:
        for m in rx.finditer(title):
            if level == "manager" and not _is_people_manager(title, m):
                continue
            found.add(level)
            break
    return sorted(found, key=_ORDER.__getitem__)


#: seniority_raw values (folded to lower case, separators → space) → levels
RAW_VALUES: Final[dict[str, tuple[str, ...]]] = {
    # LinkedIn criteria, English
    "internship": ("intern",), "entry level": ("junior",), "associate": ("junior",),
    "mid senior level": ("mid", "senior"), "mid senior": ("mid", "senior"), "director": ("director",),
    "executive": ("executive",), "not applicable": (),
    # LinkedIn, Portuguese
    "estagio": ("intern",), "assistente": ("junior",), "junior": ("junior",), "pleno senior": ("mid", "senior"),
    "diretor": ("director",), "executivo": ("executive",), "nao aplicavel": (),
    # LinkedIn, Spanish
    "practicas": ("intern",), "sin experiencia": ("junior",), "algo de responsabilidad": ("junior",),
    "intermedio": ("mid", "senior"), "ejecutivo": ("executive",), "no corresponde": (),
    # LinkedIn, French
    "stage": ("intern",), "stagiaire alternant": ("intern",), "stagiaire": ("intern",), "premier emploi": ("junior",),
    "debutant": ("junior",), "confirme": ("mid", "senior"), "directeur": ("director",),
    "cadre dirigeant": ("executive",), "non applicable": (),
    # LinkedIn, Italian
    "livello base": ("junior",), "associato": ("junior",), "livello medio": ("mid", "senior"),
    "direttore": ("director",), "dirigente": ("executive",), "non applicabile": (),
    # LinkedIn, German
    "praktikum": ("intern",), "berufseinstieg": ("junior",), "einstiegslevel": ("junior",),
    "mit berufserfahrung": ("mid", "senior"), "direktor": ("director",), "geschaftsfuhrung": ("executive",),
    "nicht zutreffend": (),
    # Himalayas, SmartRecruiters, Recruitee and generic values
    "intern": ("intern",), "entry": ("junior",), "entry level junior": ("junior",), "graduate": ("junior",),
    "mid level": ("mid",), "mid": ("mid",), "intermediate": ("mid",), "pleno": ("mid",), "experienced": ("mid", "senior"),
    "senior": ("senior",), "senior level": ("senior",), "sr": ("senior",), "expert": ("senior",),
    "lead": ("lead",), "staff": ("staff",), "principal": ("principal",), "manager": ("manager",),
    "management": ("manager",), "manager director": ("manager", "director"), "vp": ("executive",),
    "c level": ("executive",), "executive level": ("executive",), "student": ("intern",),
    "trainee": ("junior",), "especialista": ("senior",), "senior executive": ("executive",),
    "entry level graduate": ("junior",), "n a": (), "na": (), "none": (), "other": (),
}  # fmt: skip


def _fold(value: str) -> str:
    v = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", value)  # MidLevel → Mid Level
    v = unicodedata.normalize("NFKD", v.lower())
    v = "".join(c for c in v if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", v).strip()


def seniority_from_raw(values: Iterable[str | None]) -> list[str]:
    """Levels from structured seniority values; unknown values are read like a title."""
    found: set[str] = set()
    for value in values:
        if not value or not isinstance(value, str):
            continue
        key = _fold(value)
        if key in RAW_VALUES:
            found.update(RAW_VALUES[key])
        else:
            found.update(seniority_from_title(value))
    return sorted(found, key=_ORDER.__getitem__)


_DESC_LABEL_RE: Final = re.compile(
    r"(?:^|\n)[\-•* ]*(?:seniority(?:\s+level)?|experience\s+level|level|n[íi]vel(?:\s+de\s+(?:experi[êe]ncia|senioridade))?|"
    r"senioridade|nivel|seniorit[ée])\s*:\s*(?P<v>[^\n]{2,40})",
    re.I,
)
_DESC_SENTENCE_RE: Final = re.compile(
    r"\b(?:this|the)\s+(?:is\s+an?\s+|role\s+is\s+an?\s+|position\s+is\s+an?\s+)(?P<v>[\w\- /]{3,30}?)[\s-]+level\s+(?:role|position|job)\b",
    re.I,
)


#: a literal every match of ``_DESC_LABEL_RE`` / ``_DESC_SENTENCE_RE`` contains (lower case)
_DESC_ANCHORS: Final = ("level", "nível", "nivel", "senioridade", "seniorit")
#: characters ``re.IGNORECASE`` matches to an ASCII letter although ``str.lower`` gives another one
_FOLD_TRAPS: Final = ("\u0130", "\u0131", "\u017f")


def seniority_from_description(text: str | None) -> list[str]:
    """Only labelled statements (``"Seniority: Senior"``, ``"Nível: Pleno"``)."""
    if not text or not isinstance(text, str):
        return []
    text = text[:50_000]
    if not any(t in text for t in _FOLD_TRAPS):
        # both patterns need one of these words (case-insensitive): skip two slow scans without them
        lowered = text.lower()
        if not any(a in lowered for a in _DESC_ANCHORS):
            return []
    for rx in (_DESC_LABEL_RE, _DESC_SENTENCE_RE):
        m = rx.search(text)
        if m:
            levels = seniority_from_raw([m.group("v")])
            if levels:
                return levels
    return []


def detect_seniority(
    title: str | None, raw: Iterable[str | None] = (), description: str | None = None
) -> list[str]:
    """Title first, then the structured values, then labelled description statements."""
    return seniority_from_title(title) or seniority_from_raw(raw) or seniority_from_description(description)
