"""Skills: canonical technology names from the vocabulary in ``crawler/data/skills.txt``.

The file format is described at its top (one canonical skill per line with ``|``-separated
aliases; ``=`` case-sensitive, ``~`` case-sensitive + technical context, ``#`` tag-only).

Matching (:func:`find_skills`): one regex built at import from a trie of every alias
(so a scan is linear in the text, not in the vocabulary), case-insensitive, with
boundaries that understand ``C++``, ``C#``, ``.NET``, ``Node.js``, ``CI/CD``; longer aliases
win (``React Native`` over ``React``, ``Spring Boot`` over ``Spring``).  Case-sensitive
aliases are checked on the matched text; ambiguous ones (``Go``, ``R``, ``C``, ``Swift``,
``Spring``, ``Express`` …) also need another skill or a technical word within
:data:`CONTEXT_CHARS` characters and must not be followed by an everyday use
(``Go-to-market``, ``R&D``, ``C-level``, ``Spring 2025``).

Text glued by flattened HTML ("Azure Data FactoryProcessamento", "SQLRequisitos") is cut at
its case changes first (:func:`unglue`), keeping camel-case names whole.  A mention right after
a negation ("No Kubernetes.", "sem Java") does not count; the exclusions of
:data:`EXCLUDE_AFTER`/:data:`EXCLUDE_BEFORE` apply to every alias ("Spark Capital",
"Star Schema/Snowflake", "Unity Catalog").

:func:`skills_from_tags` maps source tags (RemoteOK/Remotive) by exact alias, any case
(``unambiguous_only``: not "go", "c", "node", "apache").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from crawler.normalize import _scan

SKILLS_FILE: Final = Path(__file__).resolve().parent.parent / "data" / "skills.txt"
CONTEXT_CHARS: Final = 60

#: everyday uses that disqualify an ambiguous alias (regex on the text right after it)
EXCLUDE_AFTER: Final[dict[str, str]] = {
    "Go": r"^(?:\s*-?\s*(?:to|live|ahead|beyond|above|back|further|far|deeper|get|out|through|first|home|green|no|for\s+it)\b|!)",
    "R": r"^(?:[&$'’]|\.\s?[A-Z]|\s*&)",
    "C": r"^(?:\s*-\s*(?:level|suite|corp|round|class)|\.\s?[A-Z]|-?\d|\s+(?:round|level|suite|corp))",
    "Spring": r"^(?:\s*(?:'?\d{2,4}|semester|term|break|intern\w*|season|cohort|quarter|/\s*summer|and\s+(?:summer|fall))\b)",
    "Express": r"^\s*(?:entry|interest|delivery|shipping|written|consent|permission|checkout|lane|mail|scripts?\b)",
    "Swift": r"^\s*(?:code|network|payments?|messag\w*|transfers?)\b",
    "Sketch": r"^\s*(?:out|of|a|the|ideas?|artist)\b",
    "Phoenix": r"^\s*,\s*(?:AZ|Arizona)\b",
    "Unity": r"^\s*(?:of|among|between|through|and\s+diversity|[Cc]atalog)\b",
    "Apache Spark": r"^\s+Capital\b",  # Spark Capital, a venture firm
    "Snowflake": r"^\s*schemas?\b",  # the star/snowflake schema, not the database
    "Apache HTTP Server": r"^(?:\s+[A-Z][a-z]|\s*(?:license|licen[çs]a|foundation|2\.0)\b)",  # Apache Pinot, Apache 2.0
}
EXCLUDE_BEFORE: Final[dict[str, str]] = {
    "Express": r"American\s+$",
    "Phoenix": r"\b(?:in|near|from)\s+$",
    "C": r"(?:Series|Vitamin|Grade|Class|Type|Plan|Level|Section|Part|Schedule)\s+$",
    "R": r"(?:Plan|Section|Part|Schedule|Type|Grade)\s+$",
    "Snowflake": r"(?i:schema|star|estrela)\s*(?:/|,|&|\band\b|\bor\b|\be\b|\bou\b)\s*$",
}
_TECH_CONTEXT_RE: Final = re.compile(
    r"program\w*|language|linguage\w*|linguagem|lenguaje|developer|desenvolvedor\w*|development|desenvolvimento|"
    r"engineer\w*|engenheir\w*|backend|back-end|frontend|front-end|full[- ]?stack|\bcode\b|coding|codebase|stack|"
    r"framework|librar\w+|software|technolog\w*|tecnologia|experience\s+(?:with|in)|experi[êe]ncia\s+(?:com|em)|"
    r"proficien\w*|knowledge\s+of|conhecimento|skills?|tools?|ferramentas|scripting",
    re.I,
)


@dataclass(frozen=True)
class _Alias:
    canonical: str
    text: str  # as written (for case-sensitive checks)
    mode: str  # "" | "=" | "~" | "#"


@dataclass(frozen=True)
class Vocabulary:
    canonicals: tuple[str, ...]
    by_lower: dict[str, tuple[_Alias, ...]]  # lower-cased alias → entries
    tag_map: dict[str, str]  # lower-cased tag → canonical
    regex: re.Pattern[str]  # case-sensitive, over lower-cased text
    after_separator: re.Pattern[str] | None  # ``regex`` with the separator before the alias
    prefixes: frozenset[str]  # every prefix of a letters-only alias (lower case), for :func:`unglue`
    ambiguous: frozenset[str]  # canonicals with a "~" alias (Go, C, R, Node.js, Apache HTTP Server …)


def _parse(text: str) -> tuple[list[str], list[_Alias]]:
    canonicals: list[str] = []
    aliases: list[_Alias] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split("|")]
        canonical = fields[0]
        if not canonical or canonical in canonicals:
            raise ValueError(f"skills.txt: empty or duplicate canonical {canonical!r}")
        canonicals.append(canonical)
        entries: list[_Alias] = []
        for f in fields[1:]:
            if not f:
                continue
            mode = f[0] if f[0] in "=~#" else ""
            entries.append(_Alias(canonical, f[1:] if mode else f, mode))
        prefixed_same = any(
            a.mode in "=~" and a.mode and a.text.lower() == canonical.lower() for a in entries
        )
        plain_same = any(not a.mode and a.text.lower() == canonical.lower() for a in entries)
        if not prefixed_same and not plain_same:
            entries.insert(0, _Alias(canonical, canonical, ""))
        aliases.extend(entries)
    return canonicals, aliases


@cache
def load_vocabulary(path: str | None = None) -> Vocabulary:
    """Read and compile the vocabulary (cached; called once at import)."""
    text = Path(path or SKILLS_FILE).read_text(encoding="utf-8")
    canonicals, aliases = _parse(text)
    by_lower: dict[str, list[_Alias]] = {}
    tag_map: dict[str, str] = {}
    for a in aliases:
        low = a.text.lower()
        tag_map.setdefault(low, a.canonical)
        if a.mode == "#":
            continue
        entries = by_lower.setdefault(low, [])
        if any(e.canonical != a.canonical for e in entries):
            raise ValueError(f"skills.txt: alias {a.text!r} used by two skills")
        entries.append(a)
    for c in canonicals:
        tag_map.setdefault(c.lower(), c)
    prefixes = frozenset(a[:n] for a in by_lower if a.isalpha() for n in range(1, len(a) + 1))
    pattern = _scan.trie_pattern(sorted(by_lower))
    # boundaries: not inside a word, "C" not the start of "C++"/"C#" (longer aliases win anyway),
    # "JavaScript+TypeScript" splits on a single "+"
    regex = re.compile(rf"(?<![\w#@\-])(?<!\+\+)(?:{pattern})(?![\w#])(?!\+\+)")
    # the same matches, each with the character before it (a leading character class lets ``re`` skip
    # ahead to the separators instead of trying the alternation at every character); exact when no
    # alias ends in a separator that could start the next match (``(?<!\+\+)`` rules out "c++")
    after_separator: re.Pattern[str] | None = re.compile(
        rf"[^\w#@\-](?<!\+\+)(?:{pattern})(?![\w#])(?!\+\+)"
    )
    if not all(a.endswith("++") for a in by_lower if re.search(r"[^\w#@\-]\Z", a)):
        after_separator = None
    ambiguous = frozenset(a.canonical for a in aliases if a.mode == "~")
    return Vocabulary(
        tuple(canonicals),
        {k: tuple(v) for k, v in by_lower.items()},
        tag_map,
        regex,
        after_separator,
        prefixes,
        ambiguous,
    )


VOCABULARY: Final = load_vocabulary()
_DOT_CONTINUES_RE: Final = re.compile(r"\.[a-z0-9]")
_EXCLUDE_AFTER_RES: Final = {k: re.compile(v) for k, v in EXCLUDE_AFTER.items()}
_EXCLUDE_BEFORE_RES: Final = {k: re.compile(v) for k, v in EXCLUDE_BEFORE.items()}


#: a run of letters with a glue point: lower→Upper ("DatabricksBancos") or an acronym before a
#: capitalized word ("SQLRequisitos")
_GLUE_INSIDE_RE: Final = re.compile(r"[a-zß-ÿA-ZÀ-Þ][A-ZÀ-Þ][a-zß-ÿ]{3}|[a-zß-ÿ][A-ZÀ-Þ]{2,}(?![a-zß-ÿ])")
#: the same spots, each match starting one character later, at the capital (a single leading character
#: class: ``re`` skips ahead to capitals instead of trying both branches at every character)
_GLUE_AT_CAPITAL_RE: Final = re.compile(
    r"[A-ZÀ-Þ](?:(?<=[a-zß-ÿA-ZÀ-Þ][A-ZÀ-Þ])[a-zß-ÿ]{3}|(?<=[a-zß-ÿ][A-ZÀ-Þ])[A-ZÀ-Þ]+(?![a-zß-ÿ]))"
)
#: cuts before a capitalized piece of 4+ letters ("GitOps", "SecDevOps" stay whole) or before a
#: trailing acronym ("PrescritivosIA generativa"); the alias-prefix check keeps "PostgreSQL", "iOS"
_GLUE_POINT_RE: Final = re.compile(
    r"(?<=[a-zß-ÿA-ZÀ-Þ])(?=[A-ZÀ-Þ][a-zß-ÿ]{3})|(?<=[a-zß-ÿ])(?=[A-ZÀ-Þ]{2,}(?![a-zß-ÿ]))"
)


def unglue(text: str, vocabulary: Vocabulary | None = None) -> str:
    """Break words glued at a case change by flattened HTML ("Azure Data FactoryProcessamento",
    "DatabricksBancos", "SQLRequisitos", "GithubExperiência"), keeping camel-case names whole.

    A word is cut at each case boundary unless the pieces joined so far are still (the start of)
    a vocabulary alias: "JavaScript", "GitHub", "pySpark", "DevOpsEngineer" → "DevOps" + "Engineer".
    Only the words around a glue spot are looked at (one regex pass over the text).
    """
    vocab = vocabulary or VOCABULARY
    out: list[str] = []
    done = 0  # text[:done] is already in out
    # a match of _GLUE_AT_CAPITAL_RE is one of _GLUE_INSIDE_RE minus its first letter; the only extra
    # ones start on the last letter of the previous match, inside a word already handled (skipped)
    for m in _GLUE_AT_CAPITAL_RE.finditer(text):
        start, end = m.start() - 1, m.end()
        if start < done:
            continue
        while start > 0 and text[start - 1].isalpha():
            start -= 1
        while end < len(text) and text[end].isalpha():
            end += 1
        word = text[start:end]
        out.append(text[done:start])
        out.append(word if len(word) > 80 or word.lower() in vocab.by_lower else _split_word(word, vocab))
        done = end
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def _split_word(word: str, vocab: Vocabulary) -> str:
    pieces = _GLUE_POINT_RE.split(word)
    groups = [pieces[0]]
    for piece in pieces[1:]:
        joined = groups[-1] + piece
        if joined.lower() in vocab.prefixes:
            groups[-1] = joined
        else:
            groups.append(piece)
    return "\n".join(groups)


def _accept(entries: tuple[_Alias, ...], matched: str) -> _Alias | None:
    for a in entries:
        if a.mode == "" or (a.mode in "=~" and a.text == matched):
            return a
    return None


#: a mention right after a negation is not asked for: "No Kubernetes.", "No dedicated DevOps", "sem Java"
#: ("no" only as "No …" opening a sentence or after "with/there is": Portuguese "no" means "in the")
_NEGATED_BEFORE_RE: Final = re.compile(
    r"(?:(?:^|[.!?;:\n•*\-]\s*)No|\b(?:with|there\s+is|there\s+are)\s+no|\b(?i:not|without|sem|nenhum|nenhuma))"
    r"\s+(?!(?i:only|just|merely|simply|s[óo]|apenas)\b)(?:[^\W\d_]+\s+)?$"
)


def _excluded(text: str, start: int, end: int, name: str) -> bool:
    """An everyday use of the alias (:data:`EXCLUDE_AFTER`/:data:`EXCLUDE_BEFORE`) or a negated mention."""
    after = text[end : end + 30]
    before = text[max(0, start - 30) : start]
    if name in _EXCLUDE_AFTER_RES and _EXCLUDE_AFTER_RES[name].search(after):
        return True
    if name in _EXCLUDE_BEFORE_RES and _EXCLUDE_BEFORE_RES[name].search(before):
        return True
    return bool(_NEGATED_BEFORE_RE.search(before))


def _vocabulary_spans(vocab: Vocabulary, lowered: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every ``vocab.regex.finditer(lowered)`` match, found faster: the match at
    offset 0, then those of ``vocab.after_separator`` without their first character (the separator
    the lookbehinds test).  The alias after a separator that ends the previous match would be
    missed, hence the check in :func:`load_vocabulary`."""
    if vocab.after_separator is None:
        return [m.span() for m in vocab.regex.finditer(lowered)]
    spans: list[tuple[int, int]] = []
    done = 0
    first = vocab.regex.match(lowered)
    if first is not None:
        spans.append(first.span())
        done = first.end()
    spans.extend((m.start() + 1, m.end()) for m in vocab.after_separator.finditer(lowered, done))
    return spans


def find_skills(text: str | None, vocabulary: Vocabulary | None = None) -> list[str]:
    """Canonical skills mentioned in ``text``, in order of first mention."""
    if not text or not isinstance(text, str):
        return []
    vocab = vocabulary or VOCABULARY
    text = unglue(text[:200_000], vocab)
    sure: list[tuple[int, int, str]] = []
    ambiguous: list[tuple[int, int, _Alias]] = []
    lowered = _scan.lower_same_length(text)
    if lowered is None:  # rare characters change length when lower-cased: match char by char
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    for mstart, mend in _vocabulary_spans(vocab, lowered):
        matched = text[mstart:mend]
        if _DOT_CONTINUES_RE.match(text, mend):  # "foo.js", "node.express": part of a longer name
            continue
        entries = vocab.by_lower.get(lowered[mstart:mend])
        if not entries:
            continue
        alias = _accept(entries, matched)
        if alias is None:
            continue
        if alias.mode == "~":
            ambiguous.append((mstart, mend, alias))
        else:
            sure.append((mstart, mend, alias.canonical))
    sure = [(s, e, c) for s, e, c in sure if not _excluded(text, s, e, c)]
    found: list[tuple[int, str]] = [(s, c) for s, _, c in sure]
    for start, end, alias in ambiguous:
        name = alias.canonical
        if _excluded(text, start, end, name):
            continue
        lo, hi = start - CONTEXT_CHARS, end + CONTEXT_CHARS
        near_skill = any(s < hi and e > lo and c != name for s, e, c in sure)
        if not near_skill and not _TECH_CONTEXT_RE.search(text[max(0, lo) : hi]):
            continue
        found.append((start, name))
    out: list[str] = []
    for _, name in sorted(found):
        if name not in out:
            out.append(name)
    return out


def _ambiguous_tag(vocab: Vocabulary, low: str) -> bool:
    entries = vocab.by_lower.get(low)
    if entries:
        return all(a.mode == "~" for a in entries)
    return vocab.tag_map.get(low) in vocab.ambiguous


def skills_from_tags(
    tags: object, vocabulary: Vocabulary | None = None, unambiguous_only: bool = False
) -> list[str]:
    """Map source tags to canonical skills (exact alias match, any case); others dropped.

    ``unambiguous_only`` drops tags that are everyday words for an ambiguous skill ("go", "c",
    "node", "apache"), keeping those that name it unmistakably ("golang", "nodejs").
    """
    vocab = vocabulary or VOCABULARY
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list | tuple):
        return []
    out: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            continue
        low = tag.strip().lower()
        name = vocab.tag_map.get(low)
        if unambiguous_only and name and _ambiguous_tag(vocab, low):
            continue
        if name and name not in out:
            out.append(name)
    return out


def canonical_skill(name: str | None, vocabulary: Vocabulary | None = None) -> str | None:
    """``"golang"`` → ``"Go"``, ``"postgres"`` → ``"PostgreSQL"``; unknown → None."""
    if not name or not isinstance(name, str):
        return None
    return (vocabulary or VOCABULARY).tag_map.get(name.strip().lower())
