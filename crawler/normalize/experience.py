"""Years of experience required: ``(min, max)``.

Recognized statements (en/pt/es/de): ``"7+ years of professional experience"``,
``"3-5 years"``, ``"3 a 5 anos de experiência"``, ``"at least 4 years"``,
``"mínimo de 2 anos"``, ``"5+ anos"``, ``"Experience: 6+ years"``, ``"Experiência mínima
de 7 anos"``, ``"Tempo de experiência mínimo: 5 anos"``, ``"mindestens 3 Jahre
Berufserfahrung"``, ``"(2-5 years)"`` in a title.

Not an experience requirement: company history ("founded 10 years ago", "for more than
25 years", "São cerca de 50 anos de experiência"), ages ("até 6 anos"), "401k", durations
of the job ("Duration: 6 months"), values above :data:`MAX_YEARS`.  A bare "N years" counts
only with an experience word nearby, or with a requirement marker (``+``, "at least",
"minimum", "mínimo").

Choice when a posting states several: the requirement is the **largest minimum among
the required statements** (the overall requirement, e.g. "5+ years of engineering,
3+ years with AWS" → 5; "mínimo 4 anos em GCP; mínimo 3 anos em PySpark" → 4).
Statements under a "preferred / nice to have / diferencial / desejável" heading or in a
line saying so are used only when there is no required one.  ``max`` is the upper end
of the chosen statement's range (``"3-5 years"`` → (3, 5)), else None; an upper end with a
plus is open (``"5 - 7+ years"`` → (5, None)).  A parenthesized number counts (``"Minimum (3)
years'"``).  "plus" marks a preferred line only as "a plus" or a heading "Plus:", not as the
conjunction in "10+ years of experience in design, plus: …".
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final

from crawler.normalize import _scan

MAX_YEARS: Final = 20

_NUM_WORDS: Final[dict[str, int]] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "tres": 3, "quatro": 4, "cinco": 5,
    "seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10, "uno": 1, "dos": 2, "cuatro": 4,
    "siete": 7, "ocho": 8, "diez": 10,
}  # fmt: skip
_N = r"(?:\d{1,2}|" + "|".join(sorted(_NUM_WORDS, key=len, reverse=True)) + r")"
_YEARS = r"(?:years?|yrs?|anos?|años?|jahre?n?|ans?|anni)"
_RANGE_SEP = r"\s*(?:-|–|—|to|a|até|ate|bis|à)\s*"

# (?P<lo>N)(?: - (?P<hi>N))?(?P<plus>\+)? years
_AMOUNT: Final = rf"\(?(?P<lo>{_N})\)?(?P<plus1>\s*\+)?(?:{_RANGE_SEP}(?P<hi>{_N}))?\s*(?P<plus>\+|\s*or\s+more|\s*ou\s+mais|\s*o\s+m[áa]s)?\s*(?:full\s+)?{_YEARS}\b"

_EXPERIENCE_WORD: Final = re.compile(
    r"experience|experi[êe]ncia|experiencia|erfahrung|exp[ée]rience|esperienza|background|track\s+record|"
    r"working|work(?:ed)?|professional|hands-on|industry|atua[çc][ãa]o|vivência|viv[êe]ncia|trabalhando|"
    r"atuando|developing|development|engineering|designing|building|leading|managing|in\s+(?:a|the)\s+\w+\s+role|"
    r"\bas\s+an?\b|\bin\s+(?:a\s+)?(?:similar|related|relevant)",
    re.I,
)
_MARKER: Final = re.compile(
    r"(?:at\s+least|minimum(?:\s+of)?|min\.?|no\s+less\s+than|more\s+than|over|pelo\s+menos|no\s+m[íi]nimo|"
    r"m[íi]nimo(?:\s+de)?|al\s+menos|como\s+m[íi]nimo|mindestens|au\s+moins|almeno)\s*$",
    re.I,
)
#: case-sensitive, run over the lower-cased text (much faster than re.I)
_STATEMENT_RES: Final = (re.compile(rf"(?<![\w.,$€£]){_AMOUNT}"),)
#: where a statement can end: a years word ending a word (its literal first letters let ``re`` skip ahead)
_YEARS_END_RE: Final = re.compile(rf"{_YEARS}\b")
#: what can stand right before ``\s*(?:full\s+)?<years>`` in a statement: the end of a number, of "+",
#: ")" or of "or more"/"ou mais"/"o más"
_AMOUNT_TAILS: Final = (*_NUM_WORDS, "more", "mais", "más", "mas")
#: a statement holds at most 36 non-space characters ("(fifteen)+ até fifteen ou mais full jahren")
_WINDOW_CHARS: Final = 200
_WINDOW_MIN_NON_SPACE: Final = 40
_NOT_REQUIREMENT_BEFORE: Final = re.compile(
    r"(?:founded|since|for\s+(?:more\s+than|over|almost|nearly)?|over\s+the\s+(?:past|last)|in\s+the\s+(?:past|last)|"
    r"h[áa]\s+(?:mais\s+de\s+)?|cerca\s+de|s[ãa]o|somos|temos|we\s+have|we'?ve|our|company|empresa|history|"
    r"até|ate|under|below|aged?|idade|children|filhos|kids|within|after|every|each|duration|dura[çc][ãa]o|"
    r"contract\s+(?:of|for)|per[íi]odo\s+de|prazo|project\s+of)\s*$",
    re.I,
)
_NOT_REQUIREMENT_AFTER: Final = re.compile(
    r"^\s*(?:ago|old|de\s+idade|of\s+age|de\s+hist[óo]ria|of\s+history|in\s+business|in\s+the\s+market|no\s+mercado|"
    r"de\s+mercado|de\s+tradi[çc][ãa]o|of\s+(?:innovation|growth|excellence|service)|warranty|vesting|exercise|"
    r"cliff|contract|de\s+contrato|de\s+projeto|project)",
    re.I,
)
_PREFERRED_HEADING: Final = re.compile(
    # "a plus", "Pluses", a heading "Plus:"; not "… years of experience in design, plus:" (a conjunction)
    r"preferred|nice[\s-]to[\s-]have|bonus\s+points|pluses|a\s+plus|^\W*plus\W*$|desej[áa]v|diferencia(?:l|is)|"
    r"good\s+to\s+have|would\s+be\s+great|deseable|wünschenswert|von\s+vorteil|ideally|preferenc",
    re.I,
)
_REQUIRED_HEADING: Final = re.compile(
    r"requirements?|required|qualifications?|must[\s-]have|what\s+you\s+(?:bring|need|have)|who\s+you\s+are|"
    r"requisitos|qualifica[çc](?:ões|ao)|obrigat[óo]ri|about\s+you|you\s+have|you\s+bring|experience",
    re.I,
)


@dataclass(frozen=True)
class _Statement:
    lo: int
    hi: int | None
    preferred: bool
    pos: int


_TAG_AFTER: Final = re.compile(r"^\s*\((?:required|preferred|obrigat[óo]rio|desej[áa]vel)\)", re.I)
_SENTENCE_END: Final = re.compile(r"[.;!?•](?:\s|$)|(?<=[a-z)])(?=[A-Z][a-z])")


def _sentence(line: str, start: int, end: int) -> str:
    """The sentence (or glued bullet) of ``line`` around ``start:end``."""
    left = 0
    for m in _SENTENCE_END.finditer(line, 0, start):
        left = m.end()
    m2 = _SENTENCE_END.search(line, end)
    right = m2.start() if m2 else len(line)
    return line[left:right]


def _num(s: str | None) -> int | None:
    if s is None:
        return None
    s = s.lower()
    if s.isdigit():
        return int(s)
    return _NUM_WORDS.get(s)


def _is_heading(line: str) -> bool:
    stripped = line.strip().rstrip(":")
    # (the cheap tests first)
    return 0 < len(stripped) <= 60 and not stripped.endswith(".") and not _DIGIT_RE.search(stripped)


_DIGIT_RE: Final = re.compile(r"\d")


def statements(text: str) -> list[tuple[int, int | None, bool]]:
    """All experience statements ``(min, max, preferred)`` in text order (for tests/debugging)."""
    return [(s.lo, s.hi, s.preferred) for s in _statements(text)]


def _amount_ends_at(low: str, pos: int) -> bool:
    r"""Could an amount (number, "+", ")", "or more") end right before ``\s*(?:full\s+)?`` at ``pos``?
    (True when unsure.)"""
    before = low[max(0, pos - 40) : pos]
    stripped = before.rstrip()
    if len(stripped) < len(before) and stripped.endswith("full") and _amount_tail(stripped[:-4].rstrip()):
        return True
    return _amount_tail(stripped)


def _amount_tail(before: str) -> bool:
    if not before:
        return True  # start of the text or a long run of spaces: unsure
    last = before[-1]
    return last.isdecimal() or last in ")+" or before.endswith(_AMOUNT_TAILS)


def _statement_matches(low: str) -> list[re.Match[str]]:
    """``_STATEMENT_RES[0].finditer(low)``, searched only in windows that end where a statement can
    end (a years word after an amount).  A window reaches back :data:`_WINDOW_CHARS` characters when
    they hold :data:`_WINDOW_MIN_NON_SPACE` non-space characters (more than a statement can hold),
    else to the start of the text; overlapping windows are merged, so every match of the full scan
    lies inside one window and the scan of that window finds the same matches."""
    ends = [m.end() for m in _YEARS_END_RE.finditer(low) if _amount_ends_at(low, m.start())]
    if not ends:
        return []
    windows: list[list[int]] = []
    for end in ends:
        start = end - _WINDOW_CHARS
        if start <= 0 or len("".join(low[start:end].split())) < _WINDOW_MIN_NON_SPACE:
            start = 0
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    rx = _STATEMENT_RES[0]
    return [m for start, end in windows for m in rx.finditer(low, start, end)]


def _statements(text: str) -> list[_Statement]:
    text = text[:100_000]
    low = _scan.lower_same_length(text) or text
    matches = _statement_matches(low)
    if not matches:
        return []
    # section state (preferred / required) at the start of every line, computed once
    line_starts: list[int] = []
    preferred_at: list[bool] = []
    preferred_section = False
    pos = 0
    for line in text.split("\n"):
        if _is_heading(line):
            if _PREFERRED_HEADING.search(line):
                preferred_section = True
            elif _REQUIRED_HEADING.search(line):
                preferred_section = False
        line_starts.append(pos)
        preferred_at.append(preferred_section)
        pos += len(line) + 1
    out: list[_Statement] = []
    for m in sorted(matches, key=lambda m: m.start()):
        idx = bisect_right(line_starts, m.start()) - 1
        ls = line_starts[idx]
        le = text.find("\n", ls)
        line = text[ls : le if le != -1 else len(text)]
        s, e = m.start() - ls, m.end() - ls
        lo = _num(m.group("lo"))
        hi = _num(m.group("hi"))
        if lo is None or lo > MAX_YEARS or (hi is not None and (hi > MAX_YEARS or hi < lo)):
            continue
        before = line[max(0, s - 40) : s]
        after = line[e : e + 80]
        if _NOT_REQUIREMENT_AFTER.search(after):
            continue
        window = line[max(0, s - 80) : e + 80]
        if _NOT_REQUIREMENT_BEFORE.search(before) and not _EXPERIENCE_WORD.search(line[s : e + 60]):
            continue  # "for more than 15 years we have…", "até 6 anos"
        plus = bool(m.group("plus") or m.group("plus1"))
        if hi is not None and m.group("plus"):
            hi = None  # "5 - 7+ years", "2–12+ years": the upper end is open
        tagged = _TAG_AFTER.match(after)
        has_marker = plus or bool(_MARKER.search(before)) or hi is not None or bool(tagged)
        if not (_EXPERIENCE_WORD.search(window) or has_marker):
            continue
        sentence = _sentence(line, s, e)
        sentence_pref = bool(_PREFERRED_HEADING.search(sentence)) and not re.search(
            r"required|obrigat", sentence, re.I
        )
        out.append(_Statement(lo, hi, preferred_at[idx] or sentence_pref, m.start()))
    return out


def find_experience(text: str | None) -> tuple[int | None, int | None]:
    """``(experience_years_min, experience_years_max)`` from a description or title."""
    if not text or not isinstance(text, str):
        return None, None
    found = _statements(text)
    if not found:
        return None, None
    required = [s for s in found if not s.preferred] or found
    best = max(required, key=lambda s: (s.lo, -s.pos))
    return best.lo, best.hi
