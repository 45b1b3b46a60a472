"""Property tests (hypothesis) for the pure normalizers of ``crawler/normalize``.

Whatever the input (random text, salary-looking token soup, wrong types, NaN/infinity, huge and
negative numbers, dates from year 1 to 9999, HTML built from attack fragments), the normalizers:

- never raise (and ``normalize_posting`` never reports a swallowed ``<step>/error``);
- never return a salary with min > max, a currency outside ISO 4217 (pycountry + Babel), a period
  outside ``SALARY_PERIODS``, a non-finite or non-positive amount;
- return seniority values from ``SENIORITIES`` only (no duplicates), a workplace in
  {remote, hybrid, onsite, None}, an employment type from ``EMPLOYMENT_TYPES`` or None;
- return dates that are None or ISO 8601 UTC within [1990, now + 2 years];
- produce sanitized HTML without ``<script``, event-handler attributes, ``style`` attributes or
  ``javascript:``/``vbscript:``/``data:`` URLs (checked on the parsed output).

Kept fast: modest ``max_examples``, no deadline (a cold ``dateparser`` import is slow).
"""

from __future__ import annotations

import html as html_lib
import math
import os
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import babel.numbers
import pycountry
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.items import EMPLOYMENT_TYPES, SALARY_PERIODS, SENIORITIES, WORKPLACES, JobPosting
from crawler.normalize.dates import MAX_YEARS_AHEAD, MIN_YEAR, normalize_date
from crawler.normalize.employment import detect_employment, parse_employment
from crawler.normalize.experience import find_experience
from crawler.normalize.language import CEFR, find_languages, validate_languages
from crawler.normalize.location import parse_location, parse_locations, validate_location
from crawler.normalize.posting import normalize_posting
from crawler.normalize.salary import (
    Salary,
    find_salary_in_text,
    normalize_currency,
    normalize_period,
    parse_salary,
    validate_salary,
)
from crawler.normalize.seniority import detect_seniority, seniority_from_raw, seniority_from_title
from crawler.normalize.text import clean_text, html_to_text, sanitize_html
from crawler.normalize.workplace import detect_workplace, find_remote_regions, workplace_from_value
from tests.hostile.safety import dangerous

ISO_4217 = frozenset(c.alpha_3 for c in pycountry.currencies) | frozenset(babel.numbers.list_currencies())
ISO_3166 = frozenset(c.alpha_2 for c in pycountry.countries)
NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)

# CI runs the same examples every time (derandomize: a new random find never turns a build red);
# HYPOTHESIS_PROFILE=explore searches ten times more, randomly, to look for new failures.
settings.register_profile("ci", derandomize=True, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
settings.register_profile("explore", parent=settings.get_profile("ci"), derandomize=False, max_examples=1500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
_EXPLORE = os.environ.get("HYPOTHESIS_PROFILE") == "explore"
FAST = settings(max_examples=1500 if _EXPLORE else 150)
SLOW = settings(max_examples=600 if _EXPLORE else 60)

# --- strategies -------------------------------------------------------------------------------------------------
SALARY_TOKENS = (
    "$", "R$", "US$", "€", "£", "¥", "USD", "BRL", "EUR", "GBP", "CAD", "XXX", "ABC", "k", "K", "mil", "M",
    "million", "-", "–", "to", "a", "até", "up to", "from", "a partir de", "+", "/", "per", "year", "yr",
    "/yr", "annual", "month", "/mo", "mensal", "hour", "/hr", "hora", "week", "day", "salary:", "salário:",
    "compensation", "1e308", "∞", "NaN", "-1", "0", "0.0", ",", ".", "000", "1.000,00", "8,000.00",
    "60 000,00", "31,2k", "999999999999999999999", "401k", "Series B $50M", "competitive", "a combinar",
)  # fmt: skip
DATE_TOKENS = (
    "0001-01-01", "9999-12-31T23:59:59Z", "2026-02-30", "2026-13-45", "1969-12-31", "1990-01-01",
    "2024-05-01T10:00:00Z", "Mon, 01 Jan 0001 00:00:00 +0000", "Fri, 31 Dec 9999 23:59:59 +0000",
    "2 days ago", "há 3 dias", "-5 days ago", "99999999999 years ago", "yesterday", "now", "30+ days ago",
    "24/07/2026", "31/02/2026", "+275760-09-13", "1e308", "NaN", "-1", "253402300800", "-62135596800",
)  # fmt: skip
HTML_TAGS = (
    "script", "SCRIPT", "iframe", "img", "a", "svg", "style", "p", "div", "math", "noscript", "template",
    "object", "embed", "form", "button", "base", "meta", "link", "details", "body", "table", "li", "b",
)  # fmt: skip
HTML_ATTRS = ("onerror", "onclick", "onload", "ONMOUSEOVER", "href", "src", "style", "formaction", "xlink:href",
              "srcdoc", "data", "action", "title", "class", "ontoggle")  # fmt: skip
HTML_VALUES = (
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "jav&#x09;ascript:alert(1)",
    "jav&#x0A;ascript:alert(1)", "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
    "java\tscript:alert(1)", "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4=", "alert(1)",
    "expression(alert(1))", "url(javascript:alert(1))", "https://example.org/", "mailto:a@b.c", "#x", "",
    '"><script>alert(1)</script>', "</noscript><img src=x onerror=alert(1)>",
)  # fmt: skip

salary_text = st.lists(
    st.one_of(
        st.sampled_from(SALARY_TOKENS),
        st.integers(-(10**12), 10**12).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
    ),
    max_size=10,
).map(" ".join)
any_text = st.one_of(st.text(max_size=300), salary_text)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    any_text,
    st.sampled_from(DATE_TOKENS),
)
anything = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)  # fmt: skip
currency_hint = st.one_of(st.none(), st.sampled_from(["USD", "BRL", "EUR", "CAD", "XXX", "", "$"]))


@st.composite
def hostile_html(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            parts.append(html_lib.escape(draw(st.text(max_size=30)), quote=False))
        elif kind == 1:
            tag = draw(st.sampled_from(HTML_TAGS))
            attrs = " ".join(
                f'{draw(st.sampled_from(HTML_ATTRS))}="{draw(st.sampled_from(HTML_VALUES))}"'
                for _ in range(draw(st.integers(0, 3)))
            )
            parts.append(f"<{tag} {attrs}>{draw(st.sampled_from(HTML_VALUES))}")
        elif kind == 2:
            parts.append(f"</{draw(st.sampled_from(HTML_TAGS))}>")
        else:
            parts.append(draw(st.sampled_from(('<scr<script>ipt>alert(1)</script>', "&lt;script&gt;alert(1)&lt;/script&gt;",
                                               "<!--", "-->", "<![CDATA[", "]]>", "<", ">", "\x00", "<svg/onload=alert(1)>"))))  # fmt: skip
    return "".join(parts)


# --- checks -------------------------------------------------------------------------------------------------------
def check_salary(s: Salary | None, ordered: bool = True, positive: bool = True) -> None:
    if s is None:
        return
    for amount in (s.min, s.max):
        assert amount is None or (isinstance(amount, float | int) and math.isfinite(amount)), s
        assert amount is None or amount > 0 or (not positive and amount == 0), s
    if ordered and s.min is not None and s.max is not None:
        assert s.min <= s.max, s
    assert s.currency is None or s.currency in ISO_4217, s
    assert s.period is None or s.period in SALARY_PERIODS, s


# --- salary -----------------------------------------------------------------------------------------------------------
@FAST
@given(any_text, currency_hint)
@example("€1e308 - €∞ NaN", None)
def test_parse_salary(text: str, hint: str | None) -> None:
    check_salary(parse_salary(text, hint))


@pytest.mark.parametrize("text", ["$150k - $100k per year", "R$ 10.000,00 a R$ 8.000,00", "SALARY$2-1", "0$"])
def test_salary_parsers_order_ranges_and_refuse_zero(text: str) -> None:
    check_salary(parse_salary(text, "USD"))
    check_salary(find_salary_in_text(text, "USD"))


@pytest.mark.parametrize("text", ["$150k - $100k per year", "R$ 10.000,00 a R$ 8.000,00"])
def test_posting_orders_a_reversed_range(text: str) -> None:
    item = JobPosting(source="t", source_id="1", title="Pay", salary_raw=text)
    normalize_posting(item, now=NOW)
    assert item.salary_min is not None and item.salary_max is not None and item.salary_min < item.salary_max
    check_salary(Salary(item.salary_min, item.salary_max, item.salary_currency, item.salary_period))


@FAST
@given(st.text(max_size=2000) | salary_text, currency_hint)
def test_find_salary_in_text(text: str, hint: str | None) -> None:
    check_salary(find_salary_in_text(text, hint))


numbers = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**63), 2**63),
    st.sampled_from(["1e308", "∞", "NaN", "-1", "100000", "8.000,00", "abc", ""]),
    st.booleans(),
)


@FAST
@given(numbers, numbers, st.one_of(anything, st.sampled_from(sorted(ISO_4217)[:50])), anything)
def test_validate_salary(lo: Any, hi: Any, currency: Any, period: Any) -> None:
    salary, problems = validate_salary(lo, hi, currency, period)
    check_salary(salary)
    assert all(isinstance(p, str) and p.startswith("salary/") for p in problems)


@FAST
@given(anything)
def test_currency_and_period(value: Any) -> None:
    currency = normalize_currency(value)
    assert currency is None or currency in ISO_4217
    period = normalize_period(value)
    assert period is None or period in SALARY_PERIODS


def test_salary_beyond_float_range_is_refused() -> None:
    item = JobPosting(source="t", source_id="1", title="Pay", salary_min=10**400, salary_currency="USD")
    problems = normalize_posting(item, now=NOW)
    assert "salary/error" not in problems
    assert item.salary_min is None


# --- seniority, workplace, employment, experience, languages, locations --------------------------------------------
text_list = st.lists(st.one_of(st.none(), any_text), max_size=4)


@FAST
@given(st.one_of(st.none(), any_text), text_list, st.one_of(st.none(), st.text(max_size=1000)))
def test_seniority(title: str | None, raw: list[str | None], description: str | None) -> None:
    for result in (
        detect_seniority(title, raw, description),
        seniority_from_raw(raw),
        seniority_from_title(title),
    ):
        assert set(result) <= set(SENIORITIES), result
        assert len(result) == len(set(result)), result


@FAST
@given(text_list, st.one_of(st.none(), any_text), text_list, st.one_of(st.none(), st.text(max_size=1000)))
def test_workplace(
    raw: list[str | None], title: str | None, locations: list[str | None], text: str | None
) -> None:
    assert detect_workplace(raw, title, locations, text) in (*WORKPLACES, None)
    for value in raw:
        assert workplace_from_value(value) in (*WORKPLACES, None)
    assert all(isinstance(r, str) for r in find_remote_regions(text))


@FAST
@given(text_list, st.one_of(st.none(), any_text), st.one_of(st.none(), st.text(max_size=1000)))
def test_employment(raw: list[str | None], title: str | None, text: str | None) -> None:
    employment, contract = detect_employment(raw, title, text)
    assert employment in (*EMPLOYMENT_TYPES, None)
    assert contract is None or isinstance(contract, str)
    for value in raw:
        parsed, _ = parse_employment(value)
        assert parsed in (*EMPLOYMENT_TYPES, None)


@FAST
@given(st.one_of(st.none(), st.text(max_size=1000), salary_text))
def test_experience_and_languages(text: str | None) -> None:
    lo, hi = find_experience(text)
    for years in (lo, hi):
        assert years is None or (isinstance(years, int) and 0 <= years <= 50)
    if lo is not None and hi is not None:
        assert lo <= hi
    for language in find_languages(text):
        assert re.fullmatch(r"[a-z]{2}", language["language"]) and language["level"] in (*CEFR, None)


@FAST
@given(anything)
def test_validators_never_raise(value: Any) -> None:
    location = validate_location(value)
    assert location is None or location["country"] is None or location["country"] in ISO_3166
    validate_languages(value)


@FAST
@given(st.one_of(st.none(), any_text), st.one_of(st.none(), st.sampled_from(["BR", "US", "XX", "", "br"])))
def test_locations(raw: str | None, country: str | None) -> None:
    for location in parse_location(raw, country) + parse_locations([raw, raw], country):
        assert set(location) == {"city", "region", "country"}
        assert location["country"] is None or location["country"] in ISO_3166, location


# --- dates --------------------------------------------------------------------------------------------------------------
date_values = st.one_of(
    scalar,
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.integers(-(10**15), 10**15),
)


@FAST
@given(date_values)
@example("0001-01-01")
@example("9999-12-31T23:59:59Z")
@example(253402300800)
@example(-62135596800)
@example(float("nan"))
@example(1e308)
def test_dates(value: Any) -> None:
    iso, problem = normalize_date(value, NOW)
    assert problem in (None, "unparsed", "out_of_range")
    if iso is not None:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
        assert MIN_YEAR <= moment.year and moment <= NOW.replace(year=NOW.year + MAX_YEARS_AHEAD), iso


# --- text and HTML ------------------------------------------------------------------------------------------------------
@FAST
@given(st.one_of(hostile_html(), st.text(max_size=500)))
@example('<a href="jav&#x09;ascript:alert(1)">x</a><img src=x onerror=alert(1)>')
@example('<svg onload="alert(1)"><script>alert(2)</script></svg>')
@example('<div style="background:url(javascript:alert(1))">x</div>')
@example("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;")
@example('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>')
@example(
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>"
)
def test_sanitize_html_leaves_nothing_that_runs(html: str) -> None:
    cleaned = sanitize_html(html)
    assert not dangerous(cleaned), (html, cleaned)
    assert "\x00" not in cleaned


@FAST
@given(st.one_of(hostile_html(), st.text(max_size=500)))
def test_text_cleanup(text: str) -> None:
    for out in (html_to_text(text), clean_text(text)):
        assert isinstance(out, str) and "\x00" not in out


# --- a whole posting --------------------------------------------------------------------------------------------------
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "title": st.one_of(any_text, anything),
    "company": st.one_of(any_text, anything),
    # (str or None: ValidatePipeline empties a description_html of another type; see test_posting_drops_a_wrong_typed_description_html)
    "description_html": st.one_of(st.none(), hostile_html(), st.text(max_size=500)),
    "description_text": st.one_of(st.none(), st.text(max_size=500), salary_text),
    "location_raw": st.one_of(text_list, anything),
    "workplace_raw": st.one_of(text_list, anything),
    "employment_type_raw": st.one_of(text_list, anything),
    "seniority_raw": st.one_of(text_list, anything),
    "tags": st.one_of(text_list, anything),
    "salary_raw": st.one_of(salary_text, anything),
    "salary_min": numbers,
    "salary_max": numbers,
    "salary_currency": st.one_of(st.sampled_from(["USD", "BRL", "XXX", "usd", "R$", "$"]), anything),
    "salary_period": st.one_of(st.sampled_from(["YEAR", "annual", "hourly", "FORTNIGHT"]), anything),
    "workplace": st.one_of(st.sampled_from(["remote", "Remote", "on-site", "moon"]), anything),
    "employment_type": st.one_of(st.sampled_from(["FULL_TIME", "full-time", "CLT", "x"]), anything),
    "seniority": st.one_of(st.lists(st.sampled_from([*SENIORITIES, "guru", ""]), max_size=3), anything),
    "locations": st.one_of(
        st.lists(st.fixed_dictionaries({"city": scalar, "region": scalar, "country": scalar}), max_size=2),
        anything,
    ),
    "languages": anything,
    "skills": anything,
    "experience_years_min": numbers,
    "experience_years_max": numbers,
    "posted_raw": date_values,
    "valid_through_raw": date_values,
    "posted_at": date_values,
    "apply_url": st.one_of(st.sampled_from(HTML_VALUES), anything),
}


@st.composite
def postings(draw: st.DrawFn) -> JobPosting:
    item = JobPosting(source=draw(st.sampled_from(["greenhouse", "linkedin", "jobfordev"])), source_id="1")
    for name in draw(st.sets(st.sampled_from(sorted(FIELD_VALUES)), max_size=len(FIELD_VALUES))):
        setattr(item, name, draw(FIELD_VALUES[name]))
    return item


@pytest.mark.parametrize("value", [[], [None], {}])
def test_posting_drops_a_wrong_typed_description_html(value: Any) -> None:
    item = JobPosting(source="t", source_id="1", title="x", description_html=value)
    normalize_posting(item, now=NOW)
    assert item.description_html is None or isinstance(item.description_html, str)


@SLOW
@given(postings())
def test_normalize_posting(item: JobPosting) -> None:
    problems = normalize_posting(item, now=NOW)
    assert all(isinstance(p, str) for p in problems)
    assert not [p for p in problems if p.endswith("/error")], problems
    check_salary(Salary(item.salary_min, item.salary_max, item.salary_currency, item.salary_period))
    assert set(item.seniority) <= set(SENIORITIES) and len(item.seniority) == len(set(item.seniority))
    assert item.workplace in (*WORKPLACES, None)
    assert item.employment_type in (*EMPLOYMENT_TYPES, None)
    for field in ("posted_at", "valid_through"):
        value = getattr(item, field)
        if value is not None:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            assert MIN_YEAR <= moment.year and moment <= NOW.replace(year=NOW.year + MAX_YEARS_AHEAD)
    assert item.description_html is None or isinstance(item.description_html, str), item.description_html
    assert not dangerous(item.description_html or ""), item.description_html
    for location in item.locations:
        assert location["country"] is None or location["country"] in ISO_3166
