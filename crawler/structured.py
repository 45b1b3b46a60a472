"""schema.org structured data (JSON-LD) and shared extraction helpers, without Scrapy.

``spiders/platforms/jsonld.py`` wraps these for spiders; the ATS platforms use
:func:`unescape_html_once` and :func:`format_salary`.  Everything here only
*extracts*: values are returned as the page gives them (HTML entities decoded),
never guessed.

JSON-LD reading:

- :func:`loads_jsonld` parses one ``<script type="application/ld+json">`` body
  (tolerating CDATA / HTML-comment wrappers, raw newlines inside strings and a
  trailing ``;``) and raises :class:`ValueError` when it is not JSON.
- :func:`loads_json` is ``json.loads`` for hostile input (every spider's JSON goes
  through it): nesting too deep for Python is a :class:`ValueError`, not a
  ``RecursionError``, and lone UTF-16 surrogates (``"\\udc00"``, which JSON allows
  but UTF-8 cannot encode) become U+FFFD.
- :func:`find_typed` finds every object of a ``@type`` at any depth (``@graph``,
  ``mainEntity``, ``itemListElement``, plain lists), ``@type`` being a string,
  a list or an IRI (``http://schema.org/JobPosting``).
- :func:`jobposting_fields` maps one schema.org ``JobPosting`` to
  :class:`crawler.items.JobPosting` field values (everything except the
  page-dependent ``source``, ``source_id`` and ``url``).
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SalaryFields",
    "base_salary",
    "clean_str",
    "dedupe",
    "find_typed",
    "format_salary",
    "has_type",
    "identifier_value",
    "iso_currency",
    "jobposting_fields",
    "loads_json",
    "loads_jsonld",
    "location_strings",
    "organization_name",
    "organization_url",
    "positive_number",
    "salary_unit",
    "split_description",
    "text_value",
    "text_values",
    "unescape_html_once",
]

SALARY_UNITS = {
    "HOUR": "HOUR",
    "HOURLY": "HOUR",
    "DAY": "DAY",
    "DAILY": "DAY",
    "WEEK": "WEEK",
    "WEEKLY": "WEEK",
    "MONTH": "MONTH",
    "MONTHLY": "MONTH",
    "YEAR": "YEAR",
    "YEARLY": "YEAR",
    "ANNUAL": "YEAR",
    "ANNUALLY": "YEAR",
}

_MAX_DEPTH = 64
_WRAPPERS = (
    (re.compile(r"^\s*(?://\s*)?<!\[CDATA\["), re.compile(r"(?://\s*)?\]\]>\s*$")),
    (re.compile(r"^\s*<!--"), re.compile(r"-->\s*$")),
)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
_ESCAPED_TAG = re.compile(r"&lt;\s*/?\s*[a-zA-Z]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


# --- parsing ----------------------------------------------------------------------------
#: a ``\uD800``-``\uDFFF`` escape, UTF-8-encoded surrogates, or a body json decodes as UTF-16/32
_SURROGATE_HINT_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]|\x00")
_SURROGATE_HINT_TEXT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _scrub_surrogates(value: Any) -> Any:
    """Replace lone surrogates in every string of a decoded JSON value by U+FFFD (iterative: any depth)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, str):
                    node[i] = _SURROGATE.sub("\ufffd", v)
                elif isinstance(v, list | dict):
                    stack.append(v)
        elif isinstance(node, dict):
            for k in list(node):
                v = node[k]
                if _SURROGATE.search(k):
                    del node[k]
                    k = _SURROGATE.sub("\ufffd", k)
                    node[k] = v
                if isinstance(v, str):
                    node[k] = _SURROGATE.sub("\ufffd", v)
                elif isinstance(v, list | dict):
                    stack.append(v)
    return value


def loads_json(data: str | bytes, strict: bool = True) -> Any:
    """``json.loads`` that fails only with :class:`ValueError` and returns only UTF-8-encodable text.

    Nesting deeper than Python's recursion limit (``[[[[...`` 10,000 levels) raises
    ``ValueError`` instead of ``RecursionError``; lone surrogates (``"\\ud800"``
    escapes, or surrogates encoded in the bytes) are replaced by U+FFFD, since no
    database, feed or hash can encode them.
    """
    try:
        value = json.loads(data, strict=strict)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if isinstance(data, bytes | bytearray):
        hint = _SURROGATE_HINT_BYTES.search(data) is not None
    else:
        hint = _SURROGATE_HINT_TEXT.search(data) is not None
    return _scrub_surrogates(value) if hint else value


def loads_jsonld(text: str) -> Any:
    """Parse one JSON-LD script body; :class:`ValueError` (``json.JSONDecodeError``) if malformed."""
    body = text.strip()
    for start, end in _WRAPPERS:
        if start.search(body):
            body = end.sub("", start.sub("", body, count=1), count=1).strip()
    body = body.rstrip(";").strip()
    if not body:
        raise ValueError("empty JSON-LD block")
    # strict=False: raw newlines/tabs inside strings are common in hand-written JSON-LD
    return loads_json(body, strict=False)


def _type_names(obj: dict[str, Any]) -> list[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    names = []
    for v in values:
        if isinstance(v, str) and v:
            # "JobPosting", "schema:JobPosting", "http://schema.org/JobPosting"
            names.append(re.split(r"[/:#]", v.strip())[-1])
    return names


def has_type(obj: Any, type_name: str) -> bool:
    return isinstance(obj, dict) and type_name in _type_names(obj)


def find_typed(data: Any, type_name: str) -> list[dict[str, Any]]:
    """Every object of ``@type`` *type_name* inside *data*, in document order.

    Found objects are not searched further (a JobPosting's own sub-objects are
    not postings); everything else is walked: ``@graph``, ``mainEntity``,
    ``itemListElement``/``item``, nested lists.
    """
    found: list[dict[str, Any]] = []

    def walk(node: Any, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        if isinstance(node, list):
            for child in node:
                walk(child, depth + 1)
        elif isinstance(node, dict):
            if has_type(node, type_name):
                if not any(node is f for f in found):
                    found.append(node)
                return
            for child in node.values():
                if isinstance(child, dict | list):
                    walk(child, depth + 1)

    walk(data, 0)
    return found


# --- scalar helpers ----------------------------------------------------------------------
def _clean(value: str) -> str | None:
    cleaned = html.unescape(value).strip()
    return cleaned or None


def text_value(value: Any) -> str | None:
    """The first non-empty string/number in *value* (lists walked), entity-decoded and stripped.

    Dicts give their ``name`` (then ``@value``/``value``), so a ``Country``,
    ``Organization`` or ``PropertyValue`` reads as its label.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, list):
        for v in value:
            found = text_value(v)
            if found:
                return found
        return None
    if isinstance(value, dict):
        for key in ("name", "@value", "value"):
            found = text_value(value.get(key))
            if found:
                return found
    return None


def text_values(value: Any) -> list[str]:
    """All non-empty strings in *value* (a string or a list), order kept, duplicates dropped."""
    values = value if isinstance(value, list) else [value]
    out: list[str] = []
    for v in values:
        t = text_value(v)
        if t and t not in out:
            out.append(t)
    return out


def positive_number(value: Any) -> float | None:
    """A positive number from a JSON number or a plain numeric string ("50000", "50000.00").

    Strings with separators or symbols ("50,000", "$50k") are not guessed at.
    Zero and negatives are placeholders on real pages and read as unknown.
    """
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str) and _NUMBER.match(value.strip()):
            number = float(value.strip())
        else:
            return None
    except OverflowError:  # an integer beyond float range (10**400)
        return None
    return number if math.isfinite(number) and number > 0 else None  # not inf ("1e999"), not NaN


def _format_number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def unescape_html_once(value: str | None) -> str | None:
    """Decode HTML that an API entity-escaped as a whole (``&lt;p&gt;`` -> ``<p>``).

    Only when the text has no real tag but does have an escaped one, so HTML
    that is already markup (with ``&amp;`` inside) is left alone.
    """
    if not isinstance(value, str):
        return None  # a list or a number where an API should have put HTML: nothing to decode
    if not value:
        return value
    if not _TAG.search(value) and _ESCAPED_TAG.search(value):
        return html.unescape(value)
    return value


def split_description(value: Any) -> tuple[str | None, str | None]:
    """``(description_html, description_text)`` from a description value; one of them is set."""
    raw = value if isinstance(value, str) else text_value(value)
    if not raw or not raw.strip():
        return None, None
    decoded = unescape_html_once(raw) or raw
    if _TAG.search(decoded):
        return decoded.strip(), None
    return None, html.unescape(decoded).strip()


# --- organization / place / identifier -------------------------------------------------------
def organization_name(value: Any) -> str | None:
    """``hiringOrganization`` as an Organization, a string or a list of either."""
    if isinstance(value, list):
        for v in value:
            found = organization_name(v)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return text_value(value.get("name")) or text_value(value.get("legalName"))
    return text_value(value)


def organization_url(value: Any) -> str | None:
    """The organization's ``url``, else its first ``sameAs``."""
    if isinstance(value, list):
        for v in value:
            found = organization_url(v)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return text_value(value.get("url")) or text_value(value.get("sameAs"))
    return None


def _address_string(value: Any) -> str | None:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, list):
        for v in value:
            found = _address_string(v)
            if found:
                return found
        return None
    if isinstance(value, dict):
        parts = [
            text_value(value.get("addressLocality")),
            text_value(value.get("addressRegion")),
            text_value(value.get("addressCountry")),
        ]
        joined = ", ".join(p for p in parts if p)
        return joined or text_value(value.get("name"))
    return None


def location_strings(job_location: Any, applicant_requirements: Any = None) -> list[str]:
    """Location strings from ``jobLocation`` (Place/PostalAddress/strings, one or a list)
    followed by the names in ``applicantLocationRequirements`` (remote postings)."""
    out: list[str] = []

    def add(value: str | None) -> None:
        if value and value not in out:
            out.append(value)

    places = job_location if isinstance(job_location, list) else [job_location]
    for place in places:
        if isinstance(place, dict):
            add(
                _address_string(place.get("address"))
                or text_value(place.get("name"))
                or _address_string(place)
            )
        else:
            add(text_value(place))
    for requirement in text_values(applicant_requirements):
        add(requirement)
    return out


def identifier_value(value: Any) -> str | None:
    """``identifier`` as a PropertyValue (its ``value``), a string/number, or a list of them.

    A PropertyValue with only a ``name`` (LinkedIn writes the company there) has no id.
    """
    if isinstance(value, list):
        for v in value:
            found = identifier_value(v)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return text_value(value.get("value")) or text_value(value.get("@value"))
    return text_value(value)


# --- salary ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SalaryFields:
    salary_min: float | None
    salary_max: float | None
    salary_currency: str | None
    salary_period: str | None
    salary_raw: str | None

    def as_fields(self) -> dict[str, Any]:
        return {
            "salary_min": self.salary_min,
            "salary_max": self.salary_max,
            "salary_currency": self.salary_currency,
            "salary_period": self.salary_period,
            "salary_raw": self.salary_raw,
        }


def iso_currency(value: Any) -> str | None:
    code = text_value(value)
    if code and re.fullmatch(r"[A-Za-z]{3}", code):
        return code.upper()
    return None


def salary_unit(value: Any) -> str | None:
    unit = text_value(value)
    return SALARY_UNITS.get(unit.strip().upper().replace("-", "_")) if unit else None


def format_salary(
    low: float | None,
    high: float | None,
    currency: str | None = None,
    period: str | None = None,
    label: str | None = None,
) -> str | None:
    """A human-readable range: ``"Zone 1: USD 150,000–185,000 per year"``."""
    if low is None and high is None:
        return None
    if low is not None and high is not None and low != high:
        amount = f"{_format_number(low)}–{_format_number(high)}"
    else:
        amount = _format_number(low if low is not None else high or 0.0)
    text = f"{currency} {amount}" if currency else amount
    if period:
        text += f" per {period.lower()}"
    return f"{label}: {text}" if label else text


def base_salary(value: Any) -> SalaryFields | None:
    """``baseSalary``: a MonetaryAmount whose ``value`` is a number or a QuantitativeValue
    (``minValue``/``maxValue``/``value``/``unitText``), a list of them (first usable one),
    or a bare number/string.  Non-numeric text is kept in ``salary_raw`` only."""
    if isinstance(value, list):
        for v in value:
            found = base_salary(v)
            if found and (found.salary_min is not None or found.salary_max is not None):
                return found
        return base_salary(value[0]) if value else None
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        number = positive_number(value)
        if number is not None:
            return SalaryFields(number, number, None, None, format_salary(number, number))
        raw = text_value(value)
        return SalaryFields(None, None, None, None, raw) if raw else None
    if not isinstance(value, dict):
        return None
    currency = iso_currency(value.get("currency"))
    inner = value.get("value")
    unit = salary_unit(value.get("unitText"))
    if isinstance(inner, dict):
        low = positive_number(inner.get("minValue"))
        high = positive_number(inner.get("maxValue"))
        single = positive_number(inner.get("value"))
        unit = salary_unit(inner.get("unitText")) or unit
        currency = currency or iso_currency(inner.get("currency"))
    else:
        low = positive_number(value.get("minValue"))
        high = positive_number(value.get("maxValue"))
        single = positive_number(inner)
    if low is None and high is None and single is not None:
        low = high = single
    if low is None and high is None:
        raw = text_value(inner) if isinstance(inner, str) else None
        return SalaryFields(None, None, currency, unit, raw) if raw else None
    return SalaryFields(
        low,
        high,
        currency,
        unit,
        format_salary(low, high, currency or text_value(value.get("currency")), unit),
    )


# --- JobPosting ----------------------------------------------------------------------------------
def jobposting_fields(posting: dict[str, Any]) -> dict[str, Any]:
    """:class:`~crawler.items.JobPosting` field values of one schema.org JobPosting.

    ``source``, ``source_id`` and ``url`` depend on the page and are left to the caller.
    ``raw`` is the posting without its (large, already mapped) ``description``.
    """
    description_html, description_text = split_description(posting.get("description"))
    org = posting.get("hiringOrganization")
    fields: dict[str, Any] = {
        "title": text_value(posting.get("title")) or text_value(posting.get("name")),
        "company": organization_name(org),
        "company_url": organization_url(org),
        "description_html": description_html,
        "description_text": description_text,
        "location_raw": location_strings(
            posting.get("jobLocation"), posting.get("applicantLocationRequirements")
        ),
        "workplace_raw": text_values(posting.get("jobLocationType")),
        "employment_type_raw": text_values(posting.get("employmentType")),
        "posted_raw": text_value(posting.get("datePosted")),
        "valid_through_raw": text_value(posting.get("validThrough")),
        "raw": {k: v for k, v in posting.items() if k != "description"},
    }
    salary = base_salary(posting.get("baseSalary"))
    if salary is not None:
        fields.update(salary.as_fields())
    return fields


def dedupe(values: Iterable[str | None]) -> list[str]:
    """Non-empty strings, stripped, first occurrence kept."""
    out: list[str] = []
    for value in values:
        v = value.strip() if isinstance(value, str) else None
        if v and v not in out:
            out.append(v)
    return out


def clean_str(value: Any) -> str | None:
    """A JSON string value stripped, ``None`` when empty or not a string (no entity decoding)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
