"""Text cleanup: HTML → text, markdown-ish cleanup, sanitized HTML, aggregator boilerplate.

All functions are pure and never raise on odd input (``None`` gives ``""``).

- :func:`clean_text` — the basic pass every string goes through: mojibake repaired
  (UTF-8 bytes that were decoded as Latin-1/cp1252, e.g. ``â\\x80\\x99`` → ``’``),
  NUL bytes and control characters removed, whitespace collapsed per line, at most
  one blank line between paragraphs.
- :func:`html_to_text` — block elements become line breaks, ``<li>`` becomes
  ``- item``, entities are decoded, ``script``/``style`` dropped.
- :func:`clean_markdown` — markdown escapes (``\\-``, ``\\+``, ``\\.``) and emphasis
  markers (``**bold**``, ``__x__``) removed, inline `` * `` bullet runs and
  ``**Label:**`` headings turned into line breaks.
- :func:`sanitize_html` — nh3 with a small allow-list (no script/style/iframe,
  no event handlers, no ``javascript:`` URLs).
- :func:`remove_boilerplate` — aggregator lines from :data:`BOILERPLATE_PATTERNS`.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Final

import ftfy
import nh3

# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------

#: Aggregator boilerplate: each regex removes a phrase (and the rest of its line where
#: the pattern says so).  Origin detection (``origin.py``) must run before this.
BOILERPLATE_PATTERNS: Final[tuple[str, ...]] = (
    # Job For Dev (pt-BR aggregator)
    r"^[ \t]*descri[çc][ãa]o da vaga[ \t]*:?[ \t]*$",
    r"vaga originalmente publicada em\s*:?[ \t]*[^\n]*",
    r"(?:💼\s*)?encontre as melhores oportunidades para desenvolvedores no job ?for ?dev[^\n]*",
    # generic "originally posted on X" footers (Himalayas, other re-publishers)
    r"(?:this (?:job|position|vacancy) was )?originally (?:posted|published) (?:on|at|in) [A-Z][\w.\- ]{1,30}?[.!]?(?=\s*$|\n)",
    r"publicad[oa] originalmente (?:em|en|no|na) [^\n]{1,40}?(?=\s*$|\n)",
    # RemoteOK's anti-spam sentence
    r"please mention the word \**\s*\w+\s*\** and tag \S+ when applying to show you read the job post completely"
    r"(?:\s*\(#?\S+\))?\.?(?:\s*this is a beta feature to avoid spam applicants\.)?"
    r"(?:\s*companies can search these words to find applicants that read this and see they'?re human\.?)?",
    # Arbeitnow footer
    r"find jobs in germany on arbeitnow[^\n]*",
)

#: Tags kept by :func:`sanitize_html`.
ALLOWED_TAGS: Final[frozenset[str]] = frozenset(
    {
        "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i", "u", "a",
        "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "blockquote",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Final[dict[str, set[str]]] = {"a": {"href"}}
ALLOWED_URL_SCHEMES: Final[frozenset[str]] = frozenset({"http", "https", "mailto"})

#: Elements that start a new line in :func:`html_to_text`.
BLOCK_TAGS: Final[frozenset[str]] = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "thead", "tfoot", "tr", "ul", "body", "html", "center",
    }
)  # fmt: skip

# --------------------------------------------------------------------------------------
# Basic cleanup
# --------------------------------------------------------------------------------------

# Characters cp1252 puts in 0x80-0x9f (used when mojibake went through Windows-1252).
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_CONT = "\x80-\xbf" + re.escape(_CP1252_HIGH)
# (one leading character class instead of three alternatives: ``re`` then skips ahead to a lead byte)
_MOJIBAKE_RE = re.compile(
    f"[\xc2-\xf4](?:(?<=[\xc2-\xdf])[{_CONT}]|(?<=[\xe0-\xef])[{_CONT}]{{2}}|(?<=[\xf0-\xf4])[{_CONT}]{{3}})"
)
_MOJIBAKE_LEAD_RE = re.compile("[\xc2-\xf4]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028\u2029\ufeff\ufffe]")
_WS = "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_HSPACE_RE = re.compile(f"(?: [ {_WS}]+|[{_WS}][ {_WS}]*)")  # runs and odd spaces; a lone " " is left alone
#: the odd spaces of ``_WS`` one by one (``str.__contains__`` is much faster than a regex scan)
_WS_CHARS: Final = ("\t", "\u00a0", "\u1680", *map(chr, range(0x2000, 0x200B)), "\u202f", "\u205f", "\u3000")
#: ``_HSPACE_RE`` for text without odd spaces (a literal prefix: ``re`` skips ahead to it)
_SPACE_RUN_RE = re.compile("  +")
_MANY_NEWLINES_RE = re.compile("\n\n\n+")  # = \n{3,}, written with a literal prefix


def fix_mojibake(text: str) -> str:
    """Repair UTF-8 text that was decoded as Latin-1 or cp1252 (``Ã©`` → ``é``, ``â€™`` → ``’``).

    ``ftfy.fix_encoding`` does the repair (it leaves correct text alone) on each segment — a
    line, or the text between two tags — that holds a suspect sequence; other segments are
    not looked at.  Per-segment is ftfy's own way (``fix_text`` works line by line): a long
    page where one paragraph went through the wrong codec is fixed there without the whole
    page being judged (and measured: ftfy's badness check over a whole page is costly).
    """
    if not text or not _MOJIBAKE_LEAD_RE.search(text):
        return text
    out: list[str] = []
    done = 0  # text[:done] is in ``out``
    for m in _MOJIBAKE_RE.finditer(text):
        if m.start() < done:
            continue  # inside the segment just fixed
        start = max(
            text.rfind("\n", done, m.start()),
            text.rfind("<", done, m.start()),
            text.rfind(">", done, m.start()),
        )
        start = done if start < 0 else start + 1
        end_match = _SEGMENT_END_RE.search(text, m.end())
        end = end_match.start() if end_match else len(text)
        out.append(text[done:start])
        out.append(str(ftfy.fix_encoding(text[start:end])))
        done = end
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


_SEGMENT_END_RE = re.compile("[\n<>]")


def remove_control_chars(text: str) -> str:
    """Drop NUL bytes, C0/C1 control characters (except tab/newline) and invisible marks."""
    return _CONTROL_RE.sub("", text)


def clean_text(text: str | None) -> str:
    """Normalize a plain-text string: mojibake, control chars, whitespace, blank lines."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = fix_mojibake(text)
    text = remove_control_chars(text)
    # every regex below only runs when a cheap substring test says it can match (same result, faster)
    if any(c in text for c in _WS_CHARS):
        text = _HSPACE_RE.sub(" ", text)
    elif "  " in text:
        text = _SPACE_RUN_RE.sub(" ", text)
    # no two spaces in a row are left: the edge regex removes exactly the spaces next to a newline
    if " \n" in text:
        text = text.replace(" \n", "\n")
    if "\n " in text:
        text = text.replace("\n ", "\n")
    if "\n\n\n" in text:
        text = _MANY_NEWLINES_RE.sub("\n\n", text)
    return text.strip()


def clean_line(text: str | None) -> str:
    """:func:`clean_text` folded onto one line (titles, company names, short values)."""
    return " ".join(clean_text(text).split())


# --------------------------------------------------------------------------------------
# HTML → text
# --------------------------------------------------------------------------------------

_ESCAPED_HTML_RE = re.compile(r"&lt;/?(?:p|div|br|ul|li|strong|span|h\d)\b", re.I)


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(?:p|div|br|ul|ol|li|strong|b|em|span|h\d|a|table)\b[^>]*>", text, re.I))


_DROP_BLOCKS_PATTERN = r"<(script|style|noscript|template|head|title|iframe|svg)\b.*?</\1\s*>"
_BR_PATTERN = r"<br\b[^>]*>"
_LI_PATTERN = r"<li\b[^>]*>"
_BLOCK_TAG_PATTERN = r"</?(?:" + "|".join(sorted(BLOCK_TAGS)) + r")\b[^>]*>"
_CELL_PATTERN = r"<t[dh]\b[^>]*>"
_DROP_BLOCKS_RE = re.compile(_DROP_BLOCKS_PATTERN, re.I | re.S)
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|$)|<!\[CDATA\[.*?\]\]>|<![^>]*>|<\?[^>]*>", re.S)
_BR_RE = re.compile(_BR_PATTERN, re.I)
_LI_RE = re.compile(_LI_PATTERN, re.I)
_BLOCK_TAG_RE = re.compile(_BLOCK_TAG_PATTERN, re.I)
_CELL_RE = re.compile(_CELL_PATTERN, re.I)
_ANY_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>|</?>")
#: the same tag patterns without ``re.I``: a literal prefix lets ``re`` skip ahead to each ``<``
#: (about 10× faster); equivalent when every tag name is lower case (:func:`_lower_case_tags`)
_DROP_BLOCKS_CS = re.compile(_DROP_BLOCKS_PATTERN, re.S)
_BR_CS = re.compile(_BR_PATTERN)
_LI_CS = re.compile(_LI_PATTERN)
_BLOCK_TAG_CS = re.compile(_BLOCK_TAG_PATTERN)
_CELL_CS = re.compile(_CELL_PATTERN)
_DROP_BLOCK_OPENERS: Final = (
    "<script",
    "<style",
    "<noscript",
    "<template",
    "<head",
    "<title",
    "<iframe",
    "<svg",
)
_UPPER_IN_TAG_NAME_RE = re.compile(r"</?[A-Za-z]*[A-Z]")
#: characters ``re.IGNORECASE`` matches to an ASCII letter although ``str.lower`` gives another one
FOLD_TRAPS: Final = ("\u0130", "\u0131", "\u017f")  # İ, dotless ı, long ſ


def _lower_case_tags(html: str) -> bool:
    """True when the tag patterns give the same matches with and without ``re.I``: no letter run
    after ``<``/``</`` holds an upper-case letter, and no character that ``re.I`` folds oddly."""
    return not _UPPER_IN_TAG_NAME_RE.search(html) and not any(t in html for t in FOLD_TRAPS)


def html_to_text(html: str | None) -> str:
    """Convert an HTML fragment or page to clean text.

    Block elements and ``<br>`` become line breaks, list items ``- item``, cells are
    separated by spaces; ``script``/``style`` are dropped and entities decoded.
    Entity-escaped HTML (``&lt;p&gt;``, as in Greenhouse ``content``) is unescaped first.
    Regex-based (no DOM walk): several times faster than lxml + a Python tree walk and
    tolerant of broken markup.
    """
    if not html or not html.strip():
        return ""
    if "<" not in html and _ESCAPED_HTML_RE.search(html):
        html = html_lib.unescape(html)
    for _ in range(2):  # twice: some sources escape HTML inside HTML (&lt;li&gt; in a <p>)
        if "<" in html:
            if "<!" in html or "<?" in html:
                html = _COMMENT_RE.sub(" ", html)
            if _lower_case_tags(html):
                # replacements start and end with a space or newline: no stage creates a tag for a later one,
                # so "the tag's text is absent" tells that a stage has nothing to do
                if any(t in html for t in _DROP_BLOCK_OPENERS):
                    html = _DROP_BLOCKS_CS.sub(" ", html)
                if "<br" in html:
                    html = _BR_CS.sub("\n", html)
                if "<li" in html:
                    html = _LI_CS.sub("\n- ", html)
                html = _BLOCK_TAG_CS.sub("\n", html)
                if "<td" in html or "<th" in html:
                    html = _CELL_CS.sub(" ", html)
            else:
                html = _DROP_BLOCKS_RE.sub(" ", html)
                html = _BR_RE.sub("\n", html)
                html = _LI_RE.sub("\n- ", html)
                html = _BLOCK_TAG_RE.sub("\n", html)
                html = _CELL_RE.sub(" ", html)
            if "<" in html:
                html = _ANY_TAG_RE.sub("", html)
        if "&" not in html:
            break
        html = html_lib.unescape(html)
        if not looks_like_html(html):
            break
    text = clean_text(html)
    if "\n\n" in text:
        text = _MANY_NL_RE.sub("\n", text)
    # "- " bullets left empty by <li><p>…</p></li> nesting
    return _EMPTY_BULLET_RE.sub("- ", text) if "-\n" in text else text


_MANY_NL_RE = re.compile("\n\n+")  # = \n{2,}, written with a literal prefix
_EMPTY_BULLET_RE = re.compile(r"^-\n+(?=\S)", re.M)


# --------------------------------------------------------------------------------------
# Markdown-ish cleanup
# --------------------------------------------------------------------------------------

_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~>])")
# (patterns start with a literal so that ``re`` can skip ahead quickly)
_BOLD_LABEL_RE = re.compile(r"(\*\*|__)(?<=\S[ \t]\*\*|\S[ \t]__)(?=[^\s*_])([^*_\n]{1,60}?:)\1")
_BOLD_HEADING_RE = re.compile(
    r"(\*\*|__)(?<=\S[ \t]\*\*|\S[ \t]__)(?=[A-ZÀ-Ý])([^*_\n.:;!?]{1,50}?[^\s*_.:;,!?])\1"
    r"(?=[ \t]+(?:\*[ \t]|\*\*|[A-ZÀ-Ý]))"
)
_EMPHASIS_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
_STRAY_MARKERS_RE = re.compile(r"\*\*+|__+")
_INLINE_BULLET_RE = re.compile(r"\*(?<=\S[ \t]\*)[ \t]+(?=\S)")
_LINE_BULLET_RE = re.compile(r"^[ \t]*[*•·▪◦●][ \t]+", re.M)
_SPACE_BEFORE_PUNCT_RE = re.compile(r" (?=[.,;:!?](?:\s|$))(?<=\w )")


def _stray(m: re.Match[str]) -> str:
    """Drop leftover ``**``/``__`` markers, but keep ``__`` inside identifiers (``__init__``)."""
    s, e, text = m.start(), m.end(), m.string
    if m.group(0)[0] == "_" and s > 0 and e < len(text) and (text[s - 1].isalnum() or text[e].isalnum()):
        return m.group(0)
    return ""


_MD_HINT_RE = re.compile(r"\\|\*|__|^[ \t]*[•·▪◦●]|\w (?=[.,;:!?](?:\s|$))", re.M)


_SPACE_PUNCT: Final = (" .", " ,", " ;", " :", " !", " ?")


def has_markdown(text: str) -> bool:
    """Cheap check: could :func:`clean_markdown` change anything besides whitespace?"""
    if "\\" in text or "*" in text or "__" in text:
        return True  # a literal alternative of _MD_HINT_RE
    if not any(c in text for c in "•·▪◦●") and not any(p in text for p in _SPACE_PUNCT):
        return False  # the other alternatives need a bullet or a space before punctuation
    return bool(_MD_HINT_RE.search(text))


def clean_markdown(text: str | None) -> str:
    """Remove markdown artefacts that aggregators leave in plain text.

    ``7\\+ years`` → ``7+ years``; ``**Location:** X`` → ``Location: X`` on its own line;
    `` * item * item`` runs (three or more inline bullets) → one ``- item`` per line.
    """
    if not text:
        return ""
    if "\\" in text:
        text = _MD_ESCAPE_RE.sub(r"\1", text)
    emphasis = "**" in text or "__" in text
    if emphasis:
        text = _BOLD_LABEL_RE.sub(lambda m: "\n" + m.group(1) + m.group(2) + m.group(1), text)
        text = _BOLD_HEADING_RE.sub(lambda m: "\n" + m.group(2) + "\n", text)
    if "* " in text:
        lines = []
        for line in text.split("\n"):
            if "* " in line:
                n = len(_INLINE_BULLET_RE.findall(line))
                if n >= 2 or (n == 1 and _LINE_BULLET_RE.match(line)):
                    line = _INLINE_BULLET_RE.sub("\n- ", line)
            lines.append(line)
        text = "\n".join(lines)
    text = _LINE_BULLET_RE.sub("- ", text)
    if emphasis:
        text = _EMPHASIS_RE.sub(r"\2", text)
        text = _STRAY_MARKERS_RE.sub(_stray, text)
    text = _SPACE_BEFORE_PUNCT_RE.sub("", text)
    return clean_text(text)


# --------------------------------------------------------------------------------------
# Boilerplate
# --------------------------------------------------------------------------------------

_BOILERPLATE_RES: Final[tuple[re.Pattern[str], ...]] = tuple(
    re.compile(p, re.I | re.M) for p in BOILERPLATE_PATTERNS
)
#: a literal (lower case) every match of the pattern at the same index contains (fast skip)
_BOILERPLATE_ANCHORS: Final = (
    "descri", "originalmente", "encontre as melhores", "originally", "originalmente", "please mention", "arbeitnow",
)  # fmt: skip


def remove_boilerplate(text: str | None) -> str:
    """Remove aggregator boilerplate (:data:`BOILERPLATE_PATTERNS`) from text or HTML."""
    if not text:
        return ""
    lowered = text.lower()
    for rx, anchor in zip(_BOILERPLATE_RES, _BOILERPLATE_ANCHORS, strict=True):
        if anchor in lowered:
            text = rx.sub("", text)
    return text


def strip_boilerplate_text(text: str | None) -> str:
    """:func:`remove_boilerplate` then :func:`clean_text` (drops the lines it emptied)."""
    if not text:
        return ""
    stripped = remove_boilerplate(text)
    return clean_text(stripped) if stripped != text else text


# --------------------------------------------------------------------------------------
# Sanitized HTML
# --------------------------------------------------------------------------------------

_EMPTY_BLOCK_RE = re.compile(r"<(p|li|h[1-6]|strong|b|em|i)>\s*(?:<br>\s*)*</\1>")


_NH3_OPTIONS: Final[dict[str, object]] = {
    "tags": set(ALLOWED_TAGS),
    "clean_content_tags": {"script", "style", "iframe", "noscript", "template", "object", "embed", "svg"},
    "attributes": {k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
    "url_schemes": set(ALLOWED_URL_SCHEMES),
    "link_rel": "nofollow noopener noreferrer",
}


def sanitize_html(html: str | None) -> str:
    """Keep only safe formatting markup (see :data:`ALLOWED_TAGS`).

    Scripts, styles, iframes, event handlers, ``style``/``class`` attributes and
    ``javascript:`` URLs are removed; links get ``rel="nofollow noopener noreferrer"``.
    HTML that a source escaped (wholly, or inside real markup: ``<p>&lt;li&gt;…</p>``) is
    unescaped and sanitized too, so no literal tags show up as text.
    """
    if not html:
        return ""
    if "<" not in html and _ESCAPED_HTML_RE.search(html):
        html = html_lib.unescape(html)
    html = remove_control_chars(fix_mojibake(html))
    cleaned = nh3.clean(html, **_NH3_OPTIONS)  # type: ignore[arg-type]
    if _ESCAPED_HTML_RE.search(cleaned):
        cleaned = nh3.clean(html_lib.unescape(cleaned), **_NH3_OPTIONS)  # type: ignore[arg-type]
    if "&nbsp;" in cleaned:
        cleaned = cleaned.replace("&nbsp;", " ")
    if "\u00a0" in cleaned:
        cleaned = cleaned.replace("\u00a0", " ")
    return remove_empty_blocks(cleaned)


def remove_empty_blocks(html: str) -> str:
    """Drop ``<p></p>``-like leftovers (after sanitizing or boilerplate removal)."""
    for _ in range(3):
        new = _EMPTY_BLOCK_RE.sub("", html)
        if new == html:
            break
        html = new
    if "\t" in html:
        html = _SPACES_RE.sub(" ", html)
    elif "  " in html:  # no tab: _SPACES_RE is a run of spaces (literal prefix, much faster)
        html = _SPACE_RUN_RE.sub(" ", html)
    return html.strip()


_SPACES_RE = re.compile(r"[ \t]{2,}")


_HTML_BLOCK_RE = re.compile(r"<(p|li|h[1-6]|blockquote|pre|td|th)>(.*?)</\1>", re.S)


def remove_boilerplate_html(html: str) -> str:
    """Drop the block elements (``<p>``, ``<li>``, ``<h*>``) of sanitized HTML that hold only boilerplate."""
    lowered = html.lower()
    if not any(a in lowered for a in _BOILERPLATE_ANCHORS):
        return html

    def drop(m: re.Match[str]) -> str:
        if _plain_without_anchor(m.group(2)):
            return m.group(0)
        inner = html_to_text(m.group(2))
        return "" if inner and not strip_boilerplate_text(inner) else m.group(0)

    stripped = _HTML_BLOCK_RE.sub(drop, html)
    return remove_empty_blocks(stripped) if stripped != html else html


def _plain_without_anchor(fragment: str) -> bool:
    """True when ``html_to_text(fragment)`` surely holds no boilerplate anchor, so that
    :func:`strip_boilerplate_text` leaves it alone: plain text (no tag, entity, control character,
    mojibake, odd or doubled space, which are the only ways text conversion could join letters
    into an anchor) whose lower-cased form holds none of :data:`_BOILERPLATE_ANCHORS`."""
    if "<" in fragment:
        return _tagged_without_anchor(fragment)
    if "&" in fragment or "  " in fragment or any(c in fragment for c in _WS_CHARS):
        return False
    if _CONTROL_RE.search(fragment) or _MOJIBAKE_LEAD_RE.search(fragment):
        return False
    lowered = fragment.lower()
    return not any(a in lowered for a in _BOILERPLATE_ANCHORS)


#: :data:`_BOILERPLATE_ANCHORS` without their spaces (compared with text whose whitespace is removed)
_ANCHORS_NO_SPACE: Final = tuple(a.replace(" ", "") for a in _BOILERPLATE_ANCHORS)


def _tagged_without_anchor(fragment: str) -> bool:
    """:func:`_plain_without_anchor` for a fragment with tags.  When every ``<`` opens a tag that
    :data:`_ANY_TAG_RE` matches (no comment, no script-like block, no entity, control character or
    mojibake), :func:`html_to_text` only replaces those tags by nothing, spaces, newlines or ``"- "``
    and changes whitespace: an anchor in its output is, whitespace removed, in the fragment's text
    without tags and whitespace."""
    if "&" in fragment or "<!" in fragment or "<?" in fragment:
        return False
    if _CONTROL_RE.search(fragment) or _MOJIBAKE_LEAD_RE.search(fragment):
        return False
    tags = _ANY_TAG_RE.findall(fragment)
    if len(tags) != fragment.count("<") or any(t.lower().startswith(_DROP_BLOCK_OPENERS) for t in tags):
        return False
    bare = "".join(_ANY_TAG_RE.sub("", fragment).lower().split())
    return not any(a in bare for a in _ANCHORS_NO_SPACE)


def sanitize_without_boilerplate(html: str | None) -> str:
    """:func:`sanitize_html`, then the blocks holding only aggregator boilerplate are dropped."""
    return remove_boilerplate_html(sanitize_html(html))


# --------------------------------------------------------------------------------------
# Language of a text (a hint only)
# --------------------------------------------------------------------------------------

_STOPWORDS: Final[dict[str, frozenset[str]]] = {
    "pt": frozenset(
        "de da do das dos para com não você uma um em que é na no nos nas são ou seu sua".split()
    ),
    "en": frozenset("the and with you your our for are will this that of to in is on we be as".split()),
    "es": frozenset("de la el los las para con que una por usted tu nuestro es en y del se".split()),
}
_WORD_RE = re.compile(r"[a-zà-ÿ]+")


def guess_language(text: str | None, sample: int = 1500) -> str | None:
    """``"pt"``, ``"en"`` or ``"es"`` by stop-word counts on the first ``sample`` chars; a hint only."""
    if not text:
        return None
    words = _WORD_RE.findall(text[:sample].lower())
    if len(words) < 8:
        return None
    scores = {lang: sum(map(stop.__contains__, words)) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < 3 or ranked[0] < 1.3 * ranked[1]:
        return None
    return best
