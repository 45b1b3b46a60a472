"""Language requirements with a CEFR level: ``[{"language": "en", "level": "C1"}]``.

A language is listed only when the text *requires* it: a CEFR code or a level word next
to the language name ("English: C1 level", "C1 English", "inglês avançado", "fluent
German and English"), or a requirement cue ("English (written and spoken)", "inglês
obrigatório", "must speak Spanish").  A description merely *written* in English, or
"English and Chinese content", gives nothing.

Level words → CEFR (:data:`LEVEL_WORDS`, decisions documented here):

- C2: native, mother tongue, bilingual, near-native, nativo, língua materna, Muttersprache
- C1: fluent/fluency/fluente/fluência/fließend, advanced/avançado/avanzado, proficient/
  proficiency, full professional, excellent/excelente, business fluent, verhandlungssicher
- B2: upper-intermediate, intermediate-advanced, intermediário-avançado, professional working
- B1: intermediate/intermediário/intermedio, conversational/conversação
- A2: basic/básico, elementary; A1: beginner/iniciante
- vague words (good, strong, solid, technical/"inglês técnico") → level None

A CEFR code wins over a word; otherwise the level word nearest to the language name
in the same sentence is used.  Several mentions of one language: the first with a level.
Names in en/pt/es/de/fr/it map to ISO 639-1 (:data:`LANGUAGE_NAMES`).
"""

from __future__ import annotations

import re
from typing import Final

from crawler.items import Language
from crawler.normalize import _scan

CEFR: Final = ("A1", "A2", "B1", "B2", "C1", "C2")

#: ISO 639-1 → names (matched case-insensitively, except those in _CASE_SENSITIVE)
LANGUAGE_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "en": ("english", "inglês", "ingles", "inglés", "englisch", "anglais", "inglese", "englischkenntnisse"),
    "es": ("spanish", "espanhol", "español", "espanol", "castellano", "spanisch", "espagnol", "spagnolo"),
    "pt": ("portuguese", "português", "portugues", "portugués", "portugiesisch", "portugais", "portoghese"),
    "de": (
        "german",
        "alemão",
        "alemao",
        "alemán",
        "aleman",
        "deutsch",
        "allemand",
        "tedesco",
        "deutschkenntnisse",
    ),
    "fr": ("french", "francês", "frances", "francés", "französisch", "français", "francais", "francese"),
    "it": ("italian", "italiano", "italienisch", "italien", "italiana"),
    "nl": (
        "dutch",
        "holandês",
        "holandes",
        "neerlandés",
        "niederländisch",
        "néerlandais",
        "olandese",
        "flemish",
    ),
    "ja": ("japanese", "japonês", "japones", "japonés", "japanisch", "japonais", "giapponese"),
    "zh": (
        "chinese",
        "mandarin",
        "mandarim",
        "chinês",
        "chines",
        "chino",
        "chinesisch",
        "chinois",
        "cantonese",
    ),
    "ko": ("korean", "coreano", "koreanisch", "coréen"),
    "ru": ("russian", "russo", "ruso", "russisch", "russe"),
    "ar": ("arabic", "árabe", "arabe", "arabisch"),
    "hi": ("hindi",),
    "pl": ("Polish", "polonês", "polaco", "polnisch", "polonais"),
    "tr": ("turkish", "turco", "türkisch", "turc"),
    "sv": ("swedish", "sueco", "schwedisch", "suédois"),
    "no": ("norwegian", "norueguês", "noruego", "norwegisch"),
    "da": ("danish", "dinamarquês", "danés", "dänisch"),
    "fi": ("finnish", "finlandês", "finlandés", "finnisch"),
    "he": ("hebrew", "hebraico", "hebreo", "hebräisch"),
    "el": ("greek", "grego", "griego", "griechisch"),
    "cs": ("czech", "tcheco", "checo", "tschechisch"),
    "ro": ("romanian", "romeno", "rumano", "rumänisch"),
    "hu": ("hungarian", "húngaro", "ungarisch"),
    "uk": ("ukrainian", "ucraniano", "ukrainisch"),
    "vi": ("vietnamese", "vietnamita"),
    "th": ("thai", "tailandês"),
    "id": ("indonesian", "bahasa indonesia", "indonésio"),
    "ms": ("malay", "bahasa melayu"),
    "tl": ("tagalog", "filipino"),
    "ml": ("malayalam",),
    "ta": ("tamil",),
    "te": ("telugu",),
    "bn": ("bengali", "bangla"),
    "ur": ("urdu",),
    "ca": ("catalan", "catalão", "catalán", "català"),
}
_CASE_SENSITIVE: Final = frozenset({"Polish"})
_CASE_SENSITIVE_LOWER: Final = frozenset(c.lower() for c in _CASE_SENSITIVE)

#: level words (regex) → CEFR level or None (a requirement cue without a level); a "~" marks
#: generic words used only when no specific level word is in the window
LEVEL_WORDS: Final[tuple[tuple[str, str | None], ...]] = (
    (r"near[- ]native|native[- ]level|native(?!\s+(?:apps?|applications?|mobile|ios|android|cloud|code|integrations?))|"
     r"mother\s+tongue|first\s+language|bilingual|bil[íi]ngue|biling[üu]e|nativ[oa]|l[íi]ngua\s+materna|lengua\s+materna|"
     r"muttersprach\w*|madrelingua|langue\s+maternelle", "C2"),
    (r"upper[- ]intermediate|intermediate[- /]advanced|intermedi[áa]rio[- /]avan[çc]ado|intermedio[- /]avanzado|"
     r"intermedio[- ]alto|professional\s+working(?:\s+proficiency)?", "B2"),
    (r"business[- ](?:fluent|proficient|level)|full\s+professional(?:\s+proficiency)?|fluent|fluency|fluente|flu[êe]ncia|"
     r"fluid[oa]|flie(?:ß|ss)end\w*|verhandlungssicher\w*|courant|couramment|advanced|avan[çc]ad[oa]|avanzad[oa]|"
     r"c1\s*level", "C1"),
    # generic praise: C1, but only when no specific level word is near ("near-native proficiency" → C2)
    (r"proficien(?:t|cy)|excellent|excelente|exzellent\w*|outstanding|flawless|perfect|perfeito|"
     r"sehr\s+gut\w*|ottim[oa]", "C1~"),
    (r"intermediate|intermedi[áa]ri[oa]|intermedio|intermediaire|interm[ée]diaire|conversational|conversa[çc][ãa]o|"
     r"conversaci[óo]n", "B1"),
    (r"basic|b[áa]sic[oa]|elementary|elementar|grundkenntnisse|notions", "A2"),
    (r"beginner|iniciante|principiante|d[ée]butant", "A1"),
    (r"required|requirement|obrigat[óo]ri[oa]|essential|mandatory|must|speak(?:s|ing)?|spoken|written|"
     r"communication|kommunikation|comunica[çc][ãa]o|comunicaci[óo]n|sprachkenntnisse|skills?|knowledge\s+of|conhecimentos?\s+(?:em|de)|language|idioma|l[íi]ngua|kenntnisse|"
     r"level|n[íi]vel|nivel|good|strong|solid|bom|boa|buen[oa]|gute?|t[ée]cnico|technical|reading|leitura|"
     r"comfortable|ability\s+to\s+(?:communicate|speak|write)", None),
)  # fmt: skip

_NAME_TO_CODE: Final[dict[str, str]] = {
    n.lower(): code for code, names in LANGUAGE_NAMES.items() for n in names
}
#: case-sensitive, run over the lower-cased text (see ``_scan.trie_pattern``)
_NAME_RE: Final = re.compile(rf"(?<![\w\-])(?:{_scan.trie_pattern(_NAME_TO_CODE)})(?![\w])")
#: ``_NAME_RE`` with the separator before the name (a leading character class lets ``re`` skip ahead to
#: separators instead of trying the alternation at every character); no name ends in such a separator,
#: so no match of ``_NAME_RE`` starts where the previous one ended and both find the same names
_NAME_AFTER_SEPARATOR_RE: Final = re.compile(rf"[^\w\-](?:{_scan.trie_pattern(_NAME_TO_CODE)})(?![\w])")
if any(re.search(r"[^\w\-]\Z", name) for name in _NAME_TO_CODE):
    raise ValueError("a language name ends in a separator: _NAME_AFTER_SEPARATOR_RE would miss matches")
_CEFR_RE: Final = re.compile(r"(?<![\w\-])([ABC][12])(?:\+|\s*/\s*[ABC][12])?(?![\w])")
_LEVEL_RES: Final = tuple((re.compile(rf"(?<![\w])(?:{rx})(?![\w])", re.I), lvl) for rx, lvl in LEVEL_WORDS)
_CLAUSE_BREAK: Final = re.compile(r"[.;!?\n•|]|(?<=[a-zà-ÿ)])(?=[A-ZÀ-Ý][a-zà-ÿ])")
# names that are not languages in context: "German GAAP", "English Premier League", "French Guiana"
_NOT_LANGUAGE_AFTER: Final = re.compile(
    r"^\s*(?:gaap|commercial\s+code|premier|guiana|polynesia|market|customers|clients|companies|company|law|"
    r"cameras|toys|speaking\s+(?:customers|clients|markets?|countries)|culture|food|cuisine|citizens?|nationals?|"
    r"residents?|government|subsidiary|entity|office)",
    re.I,
)
_WINDOW = 45


def language_code(name: str | None) -> str | None:
    """``"Inglês"`` → ``"en"``, ``"Deutsch"`` → ``"de"``; ISO codes pass through."""
    if not name or not isinstance(name, str):
        return None
    n = name.strip()
    if re.fullmatch(r"[a-z]{2}", n) and n in LANGUAGE_NAMES:
        return n
    return _NAME_TO_CODE.get(n.lower())


def normalize_level(value: object) -> str | None:
    """``"c1"``, ``"B2+"`` → CEFR code; level words ("fluent", "avançado") → CEFR; else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    m = re.match(r"\s*([ABCabc][12])\b", value)
    if m:
        return m.group(1).upper()
    for rx, lvl in _LEVEL_RES:
        if lvl and rx.search(value):
            return lvl.rstrip("~")
    return None


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(0, start - 200)
    left = lo
    for m in _CLAUSE_BREAK.finditer(text, lo, start):
        left = m.end()
    m2 = _CLAUSE_BREAK.search(text, end, min(len(text), end + 200))
    right = m2.start() if m2 else min(len(text), end + 200)
    return left, right


def _level_near(text: str, start: int, end: int) -> tuple[bool, str | None]:
    """(is a requirement, CEFR level) for the language name at ``start:end``."""
    left, right = _clause_bounds(text, start, end)
    lo = max(left, start - _WINDOW)
    hi = min(right, end + _WINDOW)
    before, after = text[lo:start], text[end:hi]
    # CEFR codes: nearest one
    codes: list[tuple[int, str]] = []
    for m in _CEFR_RE.finditer(before):
        codes.append((len(before) - m.end(), m.group(1)))
    for m in _CEFR_RE.finditer(after):
        codes.append((m.start(), m.group(1)))
    if codes:
        return True, min(codes)[1]
    best: tuple[int, int, int, str] | None = None  # (generic?, distance, -length, level)
    cue = False
    for rx, lvl in _LEVEL_RES:
        for m, d in [(m, len(before) - m.end()) for m in rx.finditer(before)] + [
            (m, m.start()) for m in rx.finditer(after)
        ]:
            cue = True
            if lvl is None:
                continue
            key = (1 if lvl.endswith("~") else 0, d, m.start() - m.end(), lvl.rstrip("~"))
            if best is None or key < best:
                best = key
    if best is not None:
        return True, best[3]
    return cue, None


def _name_spans(lowered: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the matches of ``_NAME_RE.finditer(lowered)``: the one at offset 0, then
    those of :data:`_NAME_AFTER_SEPARATOR_RE` without their separator."""
    spans: list[tuple[int, int]] = []
    first = _NAME_RE.match(lowered)
    if first is not None:
        spans.append(first.span())
    spans.extend(
        (m.start() + 1, m.end())
        for m in _NAME_AFTER_SEPARATOR_RE.finditer(lowered, spans[0][1] if spans else 0)
    )
    return spans


def find_languages(text: str | None) -> list[Language]:
    """Required languages with CEFR levels, in order of first mention."""
    if not text or not isinstance(text, str):
        return []
    text = text[:100_000]
    result: dict[str, str | None] = {}
    order: list[str] = []
    lowered = _scan.lower_same_length(text)
    if lowered is None:
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    for start, end in _name_spans(lowered):
        code = _NAME_TO_CODE.get(lowered[start:end])
        original = text[start:end]
        if code is None or (original.lower() in _CASE_SENSITIVE_LOWER and original not in _CASE_SENSITIVE):
            continue
        if _NOT_LANGUAGE_AFTER.match(text[end : end + 40]):
            continue
        required, level = _level_near(text, start, end)
        if not required:
            continue
        if code not in result:
            order.append(code)
            result[code] = level
        elif result[code] is None and level is not None:
            result[code] = level
    return [{"language": code, "level": result[code]} for code in order]


def validate_languages(value: object) -> list[Language] | None:
    """Check a list a spider built; ``None`` when it is not a valid list."""
    if not isinstance(value, list):
        return None
    out: list[Language] = []
    for entry in value:
        if not isinstance(entry, dict):
            return None
        code = language_code(entry.get("language"))
        if code is None:
            return None
        level = entry.get("level")
        lvl = normalize_level(level) if level is not None else None
        if level is not None and lvl is None:
            return None
        out.append({"language": code, "level": lvl})
    return out
