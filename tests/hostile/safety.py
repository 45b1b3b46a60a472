"""What in stored or sanitized HTML could run script in a reader's browser (parsed, not grepped)."""

from __future__ import annotations

import html as html_lib
import re

import lxml.html

#: elements that must never survive sanitizing
FORBIDDEN_TAGS = frozenset(
    {"script", "iframe", "frame", "object", "embed", "svg", "math", "style", "form", "base", "meta", "link",
     "template", "noscript", "img", "video", "audio", "source", "input", "button"}
)  # fmt: skip
URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster"})
DANGEROUS_SCHEME = re.compile(r"^(?:javascript|vbscript|data|file):", re.I)


def dangerous(html: str) -> list[str]:
    """Every script-capable thing in ``html``: a ``<script`` anywhere in the raw text, a forbidden
    element, an ``on*`` or ``style`` attribute, a URL attribute whose value (entities decoded,
    whitespace and control characters removed, as browsers do) has a script-capable scheme."""
    found = []
    if re.search(r"<\s*script", html, re.I):
        found.append("<script")
    if not html.strip():
        return found
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on") or lowered == "style":
                found.append(f"{tag}[{name}]")
            if lowered in URL_ATTRS and DANGEROUS_SCHEME.match(re.sub(r"[\x00-\x20]+", "", html_lib.unescape(value))):
                found.append(f"{tag}[{name}={value!r}]")
    return found
