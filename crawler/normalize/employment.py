"""Employment type (schema.org/Google values) and local contract type.

``employment_type`` ∈ FULL_TIME, PART_TIME, CONTRACTOR, TEMPORARY, INTERN, VOLUNTEER,
PER_DIEM, OTHER.  ``contract_type`` keeps local forms from :data:`CONTRACT_TYPES`
(``CLT``, ``PJ``, ``Cooperado``, ``Estágio``, ``Temporário``, ``Autônomo``, ``Aprendiz``,
``1099``, ``W2``, ``C2C``).

:func:`parse_employment` reads one structured value — ``"Full-time"``, ``"FullTime"``,
``"full_time"``, ``"Contract"``, ``"Tempo integral"``, ``"Meio período"``, ``"CLT"`` (→
FULL_TIME + CLT), ``"PJ"`` (→ CONTRACTOR + PJ), Gupy ``vacancy_type_*``, Recruitee
``fulltime_permanent``, SmartRecruiters ``part-time``, LinkedIn criteria in
en/pt/es/fr/it/de (``"Temps plein"``, ``"Stage"``, ``"Tempo pieno"``).
:func:`detect_employment` combines the spider's values, the title ("(1099 Contract)",
"Estágio", "Part-time") and explicit description statements ("Full-time, remote
position", "Contratação: PJ", "Contratação PJ").  Several values: the first recognized one
wins for each field, except that a title saying Intern / Contract(or) / Temporary /
Part-time beats a structured FULL_TIME (boards default to "Full-Time": "Web Developer
Intern").  In a description, conflicting types give None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

from crawler.normalize import _scan

EMPLOYMENT_TYPES: Final = (
    "FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER",
)  # fmt: skip
CONTRACT_TYPES: Final = (
    "CLT",
    "PJ",
    "Cooperado",
    "Estágio",
    "Temporário",
    "Autônomo",
    "Aprendiz",
    "1099",
    "W2",
    "C2C",
)

#: exact structured codes (folded: lower case, separators → space) → (employment, contract)
CODES: Final[dict[str, tuple[str | None, str | None]]] = {
    # Gupy
    "vacancy type effective": ("FULL_TIME", "CLT"),
    "vacancy legal entity": ("CONTRACTOR", "PJ"),
    "vacancy type temporary": ("TEMPORARY", "Temporário"),
    "vacancy type associate": ("CONTRACTOR", "Cooperado"),
    "vacancy type internship": ("INTERN", "Estágio"),
    "vacancy type apprentice": ("OTHER", "Aprendiz"),
    "vacancy type autonomous": ("CONTRACTOR", "Autônomo"),
    "vacancy type freelancer": ("CONTRACTOR", None),
    "vacancy type trainee": ("FULL_TIME", None),
    "vacancy type volunteer": ("VOLUNTEER", None),
    "vacancy type lecturer": (None, None),
    "vacancy type talent pool": (None, None),
    "vacancy type summer": ("TEMPORARY", None),
    # Recruitee employment_type_code
    "fulltime permanent": ("FULL_TIME", None),
    "fulltime fixed term": ("TEMPORARY", None),
    "fulltime": ("FULL_TIME", None),
    "parttime permanent": ("PART_TIME", None),
    "parttime fixed term": ("PART_TIME", None),
    "parttime": ("PART_TIME", None),
    "freelance": ("CONTRACTOR", None),
    "traineeship": ("INTERN", None),
    "apprenticeship": ("OTHER", None),
    # schema.org values
    "full time": ("FULL_TIME", None),
    "part time": ("PART_TIME", None),
    "contractor": ("CONTRACTOR", None),
    "temporary": ("TEMPORARY", None),
    "intern": ("INTERN", None),
    "volunteer": ("VOLUNTEER", None),
    "per diem": ("PER_DIEM", None),
    "other": ("OTHER", None),
    # Arbeitnow "Side" (side job)
    "side": ("PART_TIME", None),
    # local contract forms alone
    "clt": ("FULL_TIME", "CLT"),
    "efetivo": ("FULL_TIME", "CLT"),
    "pj": ("CONTRACTOR", "PJ"),
    "pessoa juridica": ("CONTRACTOR", "PJ"),
    "cooperado": ("CONTRACTOR", "Cooperado"),
    "autonomo": ("CONTRACTOR", "Autônomo"),
    "1099": ("CONTRACTOR", "1099"),
    "w2": (None, "W2"),
    "c2c": ("CONTRACTOR", "C2C"),
    "corp to corp": ("CONTRACTOR", "C2C"),
    "cdi": ("FULL_TIME", None),
    "cdd": ("TEMPORARY", None),
    # LinkedIn "Other" in several UIs
    "outro": ("OTHER", None),
    "otro": ("OTHER", None),
    "autre": ("OTHER", None),
    "altro": ("OTHER", None),
    "sonstiges": ("OTHER", None),
}

#: free-text patterns (folded text) → (employment, contract); first match wins
PATTERNS: Final[tuple[tuple[str, tuple[str | None, str | None]], ...]] = (
    (r"\bclt\b|\bregime clt\b|\befetiv[oa]\b", ("FULL_TIME", "CLT")),
    (r"\bpj\b|\bpessoa juridica\b", ("CONTRACTOR", "PJ")),
    (r"\bcooperad[oa]\b", ("CONTRACTOR", "Cooperado")),
    (r"\bautonomo\b", ("CONTRACTOR", "Autônomo")),
    (r"\bjovem aprendiz\b|\baprendiz\b", ("OTHER", "Aprendiz")),
    (r"\bestagio\b|\bestagiari[oa]\b", ("INTERN", "Estágio")),
    (r"\btemporari[oa]\b|\btempo determinado\b", ("TEMPORARY", "Temporário")),
    (r"\b1099\b", ("CONTRACTOR", "1099")),
    (r"\bc2c\b|\bcorp to corp\b", ("CONTRACTOR", "C2C")),
    (r"\bw ?2\b", (None, "W2")),
    (r"\bintern(?:ship)?s?\b|\bstage\b|\bstagiaire\b|\balternance\b|\btirocinio\b|\bpraktikum\b|\bpracticas\b|"
     r"\bpasantia\b|\bco ?op\b|\bwerkstudent", ("INTERN", None)),
    (r"\bvolunteer(?:ing)?\b|\bvoluntari[oa]\b|\bbenevol", ("VOLUNTEER", None)),
    (r"\bper diem\b", ("PER_DIEM", None)),
    (r"\bpart ?time\b|\bparttime\b|\bmeio periodo\b|\btempo parcial\b|\bmedia jornada\b|\bmedio tiempo\b|"
     r"\btiempo parcial\b|\btemps partiel\b|\ba tempo parziale\b|\btempo parziale\b|\bpart time\b|\bteilzeit\b|\bminijob\b",
     ("PART_TIME", None)),
    (r"\bfixed term\b|\btemporary\b|\btemp\b|\bseasonal\b|\bbefristet\b|\bcdd\b|\btempo determinato\b|\ba termine\b|"
     r"\btemporal\b", ("TEMPORARY", None)),
    (r"\bcontract(?:or|ors)?\b|\bcontract to hire\b|\bfreelanc\w*\b|\bcontrato\b|\bcontratista\b|\bindependent\b|"
     r"\bconsultant contract\b|\bprestador de servicos?\b|\bcollaborazione\b|\bfreiberuflich\b", ("CONTRACTOR", None)),
    (r"\bfull ?time\b|\bfulltime\b|\btempo integral\b|\bperiodo integral\b|\btiempo completo\b|\bjornada completa\b|"
     r"\btemps plein\b|\ba tempo pieno\b|\btempo pieno\b|\bvollzeit\b|\bpermanent\b|\bcdi\b|\btempo indeterminato\b",
     ("FULL_TIME", None)),
)  # fmt: skip
_PATTERN_RES: Final = tuple((re.compile(rx), value) for rx, value in PATTERNS)


def _fold(value: str) -> str:
    v = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", value)  # FullTime → Full Time
    v = unicodedata.normalize("NFKD", v.lower())
    v = "".join(c for c in v if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", v).strip()


def parse_employment(value: str | None) -> tuple[str | None, str | None]:
    """One structured value → ``(employment_type, contract_type)``."""
    if not value or not isinstance(value, str):
        return None, None
    key = _fold(value[:200])
    if not key:
        return None, None
    if key in CODES:
        return CODES[key]
    if key.upper().replace(" ", "_") in EMPLOYMENT_TYPES:
        return key.upper().replace(" ", "_"), None
    for rx, result in _PATTERN_RES:
        if rx.search(key):
            emp, contract = result
            # "CLT - tempo integral", "PJ (full time)": the contract decides the type
            return emp, contract
    return None, None


_DESC_LABEL_RE: Final = re.compile(
    r"(?:employment\s+type|job\s+type|type\s+of\s+employment|contract\s+type|engagement\s+type|position\s+type|"
    r"tipo\s+de\s+(?:contrata[çc][ãa]o|contrato|vaga|v[íi]nculo)|contrata[çc][ãa]o|regime(?:\s+de\s+contrata[çc][ãa]o)?|"
    r"modelo\s+de\s+contrata[çc][ãa]o|v[íi]nculo|jornada|tipo\s+de\s+empleo|type\s+de\s+contrat|type|commitment)\s*:\s*"
    r"(?P<v>[^\n;.]{2,40})",
    re.I,
)
#: a Portuguese hiring statement without a colon: "Contratação PJ", "contratação em regime CLT"
_CONTRACT_PHRASE_RE: Final = re.compile(
    r"\bcontrata[çc][ãa]o\s+(?:via\s+|como\s+|em\s+regime\s+(?:de\s+)?|no\s+regime\s+(?:de\s+)?)?"
    r"(?P<v>PJ|CLT|cooperad[oa]|aut[ôo]nom[oa]|tempor[áa]ri[oa])\b",
    re.I,
)
_LABEL_ANCHORS: Final = ("type", "contrat", "regime", "vínculo", "vinculo", "jornada", "commitment")
_DESC_FREE: Final[tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...]] = (
    (
        re.compile(
            r"\bfull[- ]time\b(?!\s+(?:offers?|employees?|roles?|staff|team|equivalent|hires?))", re.I
        ),
        "FULL_TIME",
        ("full",),
    ),
    (re.compile(r"\bpart[- ]time\b(?!\s+(?:employees?|staff|roles?))", re.I), "PART_TIME", ("part",)),
    (re.compile(r"\b(?:tempo\s+integral|per[íi]odo\s+integral)\b", re.I), "FULL_TIME", ("integral",)),
    (re.compile(r"\b(?:meio\s+per[íi]odo|tempo\s+parcial)\b", re.I), "PART_TIME", ("meio", "parcial")),
    (
        re.compile(
            r"\b(?:contract|contractor|freelance)\s+(?:role|position|basis|opportunity|engagement)\b", re.I
        ),
        "CONTRACTOR",
        ("contract", "freelance"),
    ),
    (
        re.compile(r"\b(?:internship|est[áa]gio)\s+(?:program|position|role|opportunity)\b", re.I),
        "INTERN",
        ("internship", "estágio", "estagio"),
    ),
)


def find_employment(description: str | None) -> tuple[str | None, str | None]:
    """Explicit statements in a description: labelled values first, then free phrases."""
    if not description or not isinstance(description, str):
        return None, None
    text = description[:100_000]
    for m in _scan.finditer(_DESC_LABEL_RE, text, _LABEL_ANCHORS, 30, 60):
        emp, contract = parse_employment(m.group("v"))
        if emp or contract:
            return emp, contract
    phrase = _scan.search(_CONTRACT_PHRASE_RE, text, ("contrat",), 10, 60)
    if phrase:  # "Contratação PJ.", "contratação via CLT"
        return parse_employment(phrase.group("v"))
    found = {emp for rx, emp, anchors in _DESC_FREE if _scan.search(rx, text, anchors, 40, 60)}
    if len(found) == 1:
        return next(iter(found)), None
    return None, None


#: employment types a title states that win over a structured FULL_TIME (boards default to "Full-Time")
TITLE_OVERRIDES_FULL_TIME: Final = frozenset({"INTERN", "CONTRACTOR", "TEMPORARY", "PART_TIME"})


def detect_employment(
    raw: Iterable[str | None] = (), title: str | None = None, description: str | None = None
) -> tuple[str | None, str | None]:
    """Combine structured values, the title and the description; each field independently.

    A title saying Intern / Contract(or) / Temporary / Part-time wins over a structured FULL_TIME
    (:data:`TITLE_OVERRIDES_FULL_TIME`); otherwise the first source that decides wins.
    """
    emp: str | None = None
    contract: str | None = None
    for value in raw:
        e, c = parse_employment(value)
        emp = emp or e
        contract = contract or c
    title_emp, title_contract = employment_from_title(title)
    if emp == "FULL_TIME" and title_emp in TITLE_OVERRIDES_FULL_TIME:
        # "Web Developer Intern" listed as Full-Time: the hours are full time, the job is an internship
        emp = title_emp
    emp = emp or title_emp
    contract = contract or title_contract
    if emp is None or contract is None:
        e, c = find_employment(description)
        emp = emp or e
        contract = contract or c
    return emp, contract


_TITLE_RES: Final[tuple[tuple[re.Pattern[str], tuple[str | None, str | None]], ...]] = (
    (re.compile(r"\b1099\b"), ("CONTRACTOR", "1099")),
    (re.compile(r"\bPJ\b"), ("CONTRACTOR", "PJ")),
    (re.compile(r"\bCLT\b"), ("FULL_TIME", "CLT")),
    (re.compile(r"\best[áa]gio\b|\bestagi[áa]ri[oa]\b", re.I), ("INTERN", "Estágio")),
    (re.compile(r"\btempo\s+determinado\b|\btempor[áa]ri[oa]\b", re.I), ("TEMPORARY", "Temporário")),
    (
        re.compile(r"\bintern(?:ship)?s?\b|\bco-?op\b|\bpraktikant|\bstagiaire\b|\bwerkstudent", re.I),
        ("INTERN", None),
    ),
    (re.compile(r"\bpart[- ]time\b|\bmeio\s+per[íi]odo\b|\bteilzeit\b", re.I), ("PART_TIME", None)),
    (
        # "Contract Manager", "Contract Specialist" are roles in procurement or law, not engagements
        re.compile(
            r"\b(?:contract|contractor|freelance|freelancer)\b(?!\s+(?:manager|management|specialist|"
            r"administrator|administration|analyst|negotiator|officer|attorney|lawyer|counsel|coordinator|"
            r"compliance|review|lifecycle)\b)",
            re.I,
        ),
        ("CONTRACTOR", None),
    ),
    (re.compile(r"\b(?:temporary|temp|fixed[- ]term|seasonal)\b", re.I), ("TEMPORARY", None)),
    (re.compile(r"\bvolunteer\b", re.I), ("VOLUNTEER", None)),
    (re.compile(r"\bfull[- ]time\b|\bvollzeit\b", re.I), ("FULL_TIME", None)),
)


def employment_from_title(title: str | None) -> tuple[str | None, str | None]:
    """Explicit words in a title: "(1099 Contract)", "Estágio", "Part-time", "Tempo Determinado"."""
    if not title or not isinstance(title, str):
        return None, None
    emp: str | None = None
    contract: str | None = None
    for rx, (e, c) in _TITLE_RES:
        if rx.search(title[:300]):
            emp = emp or e
            contract = contract or c
    return emp, contract
