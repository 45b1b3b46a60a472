"""Salary parsing: free text → ``Salary(min, max, currency, period)``.

- :func:`parse_salary` reads a *salary string* (a ``salary_raw`` field, a LinkedIn
  "Base pay range"): ``"$8,000 USD / month"``, ``"R$ 8.000,00 a 10.000,00"``,
  ``"€60k–75k a year"``, ``"USD 60-80k/yr"``, ``"$70.00/hr - $100.00/hr"``,
  ``"20-33€/hour"``; ``"competitive"``, ``"a combinar"``, ``"Pay per task"`` → ``None``.
- :func:`find_salary_in_text` finds a pay statement inside a long description, only
  when it is clearly one (a pay word such as *salary/compensation/salário/remuneração*
  before it, or an explicit period after it) and not a funding round, a benefit
  allowance, "401k" or a count.
- :func:`validate_salary` checks numbers from any source (also structured API values);
  :func:`restated_salary` finds the description's statement of the same numbers, whose
  currency/period correct a structured value ("PLN 350,700 - 474,400" sent as USD/year).

Rules
- Currency only when stated or implied unambiguously (:data:`CURRENCY_MARKERS`):
  ``R$``→BRL, ``€``→EUR, ``£``→GBP, ``US$``/``USD``→USD, ``CA$``/``CAD``→CAD,
  ``A$``→AUD …  A bare ``$`` (or ``¥``) gives the caller's ``default_currency`` hint
  (e.g. from the posting's country, see :func:`dollar_currency_for_country`), else None.
- Period only from words (hour/hr/hora, month/mês/mensal, year/yr/annual/ano/anual,
  week/semana, day/dia); no word → None.  :func:`infer_period` guesses from the amount
  but is *not* used by the parsers.
- One amount gives ``min == max``; "up to X" gives only ``max``; "X+", "from X",
  "a partir de X" give only ``min``.
- Numbers: ``8.000,00`` / ``8,000.00`` / ``60 000,00`` (price-parser decides the
  decimal separator), ``31,2k`` → 31200, ``R$ 10 mil`` → 10000, ``60-80k`` → both ×1000.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from price_parser import Price

PERIODS: Final = ("HOUR", "DAY", "WEEK", "MONTH", "YEAR")


@dataclass(frozen=True)
class Salary:
    min: float | None
    max: float | None
    currency: str | None  # ISO 4217
    period: str | None  # HOUR | DAY | WEEK | MONTH | YEAR


# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------

#: ambiguous symbols: resolved only with the caller's hint
AMBIGUOUS_SYMBOLS: Final = frozenset({"$", "¥", "DOLLARS", "DOLLAR", "DÓLARES", "DOLARES"})

#: currency marker (upper-cased) → ISO 4217
CURRENCY_MARKERS: Final[dict[str, str]] = {
    "R$": "BRL", "BRL": "BRL", "REAIS": "BRL", "REAL": "BRL",
    "US$": "USD", "U$": "USD", "U$S": "USD", "$US": "USD", "USD": "USD", "US DOLLARS": "USD",
    "CA$": "CAD", "C$": "CAD", "CAD": "CAD", "$CA": "CAD",
    "A$": "AUD", "AU$": "AUD", "AUD": "AUD", "$AU": "AUD",
    "NZ$": "NZD", "NZD": "NZD", "S$": "SGD", "SGD": "SGD", "HK$": "HKD", "HKD": "HKD",
    "MX$": "MXN", "MXN": "MXN", "ARS": "ARS", "CLP": "CLP", "COP": "COP",
    "€": "EUR", "EUR": "EUR", "EURO": "EUR", "EUROS": "EUR",
    "£": "GBP", "GBP": "GBP",
    "₹": "INR", "INR": "INR", "₩": "KRW", "KRW": "KRW", "₱": "PHP", "₪": "ILS", "ILS": "ILS",
    "ZŁ": "PLN", "PLN": "PLN", "CHF": "CHF", "JPY": "JPY", "CNY": "CNY", "RMB": "CNY",
    "SEK": "SEK", "NOK": "NOK", "DKK": "DKK", "CZK": "CZK", "HUF": "HUF", "RON": "RON",
    "UAH": "UAH", "AED": "AED", "SAR": "SAR", "ZAR": "ZAR", "IDR": "IDR", "MYR": "MYR",
    "THB": "THB", "VND": "VND", "NGN": "NGN", "KES": "KES", "EGP": "EGP", "PKR": "PKR",
    "TWD": "TWD",
}  # fmt: skip

ISO_CURRENCIES: Final = frozenset(CURRENCY_MARKERS.values())

#: currencies whose amounts are large numbers (no hourly/monthly ceilings applied)
HIGH_DENOMINATION: Final = frozenset(
    {"JPY", "KRW", "IDR", "VND", "CLP", "COP", "HUF", "INR", "PKR", "NGN", "ARS", "UAH", "KES", "PHP", "TWD"}
)

#: countries where a bare ``$`` means the local dollar/peso (caller hint for "$")
DOLLAR_COUNTRIES: Final[dict[str, str]] = {
    "US": "USD", "PR": "USD", "EC": "USD", "SV": "USD", "CA": "CAD", "AU": "AUD",
    "NZ": "NZD", "SG": "SGD", "HK": "HKD", "MX": "MXN", "AR": "ARS", "CL": "CLP",
    "CO": "COP", "TW": "TWD",
}  # fmt: skip
YEN_COUNTRIES: Final[dict[str, str]] = {"JP": "JPY", "CN": "CNY"}

#: absurdity ceilings per period (not applied to HIGH_DENOMINATION currencies)
MAX_PER_PERIOD: Final[dict[str, float]] = {
    "HOUR": 10_000,
    "DAY": 100_000,
    "WEEK": 500_000,
    "MONTH": 5_000_000,
    "YEAR": 50_000_000,
}
#: below these the period is implausible (e.g. 30 "per year")
MIN_PER_PERIOD: Final[dict[str, float]] = {"YEAR": 1_000, "MONTH": 50, "WEEK": 20}
ABSOLUTE_MAX: Final = 1e9

# period words: (regex, period)
_PERIOD_WORDS: Final[tuple[tuple[str, str], ...]] = (
    (
        r"per\s+hour|an\s+hour|a\s+hour|hourly|/\s*(?:hr|hour|h|hora|std|stunde|heure)s?|p/h|por\s+hora|la\s+hora|pro\s+stunde|par\s+heure|all'ora",
        "HOUR",
    ),
    (
        r"per\s+day|a\s+day|daily|day\s+rate|/\s*(?:day|dia|día|tag|jour)|por\s+dia|por\s+día|al\s+día|di[áa]ria|pro\s+tag|par\s+jour",
        "DAY",
    ),
    (r"per\s+week|a\s+week|weekly|/\s*(?:wk|week|semana|woche)|por\s+semana|semanal|pro\s+woche", "WEEK"),
    (
        r"per\s+month|a\s+month|monthly|/\s*(?:mo|month|m[êe]s|monat|mois|mese)|por\s+m[êe]s|ao\s+m[êe]s|al\s+mes|"
        r"mensal(?:mente)?|mensais|mensuales?|mensual|m[êe]s|pro\s+monat|monatlich|par\s+mois|mensile|al\s+mese",
        "MONTH",
    ),
    (
        r"per\s+year|a\s+year|per\s+annum|annually|annual|yearly|/\s*(?:yr|year|y|annum|ano|año|jahr|an|anno)|"
        r"p\.\s?a\.|por\s+ano|ao\s+ano|al\s+año|por\s+año|anual(?:mente)?|pro\s+jahr|j[äa]hrlich|par\s+an|annuel|all'anno|annuo",
        "YEAR",
    ),
)
_PERIOD_RE: Final = re.compile(
    "|".join(f"(?P<{p}>(?<![A-Za-zÀ-ÿ])(?i:{rx})(?![a-zà-ÿ]))" for rx, p in _PERIOD_WORDS)
)
#: bare values used by structured APIs ("annual", "hourly", "per_year", "salary_per_month")
_STRUCT_PERIOD: Final[dict[str, str]] = {
    "hour": "HOUR", "hourly": "HOUR", "hr": "HOUR", "h": "HOUR",
    "day": "DAY", "daily": "DAY", "d": "DAY",
    "week": "WEEK", "weekly": "WEEK", "wk": "WEEK", "w": "WEEK",
    "month": "MONTH", "monthly": "MONTH", "mo": "MONTH", "m": "MONTH", "mensal": "MONTH",
    "year": "YEAR", "yearly": "YEAR", "annual": "YEAR", "annually": "YEAR", "yr": "YEAR",
    "y": "YEAR", "annum": "YEAR", "anual": "YEAR",
}  # fmt: skip

#: salary strings that mean "no number given"
_NO_SALARY_RE: Final = re.compile(
    r"competitive|a\s+combinar|negoci[aá]vel|negotiable|to\s+be\s+discussed|tbd|doe\b|depend(?:s|ing)?\s+on\s+experience|"
    r"pay\s+per\s+task|unpaid|not\s+(?:specified|disclosed)|confidential|market\s+rate|compat[ií]vel",
    re.I,
)

# --------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------

_CODES = sorted(
    (k for k in CURRENCY_MARKERS if k.isalpha() and k.isupper() and len(k) == 3), key=len, reverse=True
)
_SYMBOLS = [
    "R$",
    "US$",
    "U$S",
    "U$",
    "CA$",
    "C$",
    "AU$",
    "A$",
    "NZ$",
    "S$",
    "HK$",
    "MX$",
    "$US",
    "$CA",
    "$AU",
    "$",
    "€",
    "£",
    "¥",
    "₹",
    "₩",
    "₱",
    "₪",
]
_SYM_RX = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
_CODE_RX = "|".join(_CODES)
_PRE = rf"(?P<pre>(?:(?<![A-Za-z])(?:{_CODE_RX})\s?(?:{_SYM_RX})?)|(?:{_SYM_RX}))"
_NUM = r"(?P<num>\d{1,3}(?:(?:,\s?|[.'\u00a0\u202f ])\d{3}(?!\d))+(?:[.,]\d{1,2}(?!\d))?|\d{1,3}(?:,\d{2})+,\d{3}(?!\d)|\d+(?:[.,]\d{1,2}(?!\d))?)"
_MULT = r"(?P<mult>[kK](?![a-zA-Z])|mil(?![a-zà-ÿ])|thousand|[mM](?![a-zA-Z])|mm(?![a-zA-Z])|million|mio\.?|milh(?:ão|ões)|millones|[bB](?![a-zA-Z])|bn|billion)"
_SUF = rf"(?P<suf>(?:{_SYM_RX})(?![\w$])|(?<![A-Za-z])(?:{_CODE_RX})(?![a-z])|(?i:euros?|reais|dollars?|d[óo]lares|zł)(?![a-zà-ÿ]))"
_AMOUNT_RE: Final = re.compile(rf"{_PRE}?\s?(?<![\w.,]){_NUM}(?:\s?{_MULT})?(?:\s?{_SUF})?")

_MULT_VALUES: Final[dict[str, float]] = {
    "k": 1e3, "mil": 1e3, "thousand": 1e3,
    "m": 1e6, "mm": 1e6, "million": 1e6, "mio": 1e6, "mio.": 1e6, "milhão": 1e6, "milhões": 1e6, "millones": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
}  # fmt: skip

_CONNECTOR_RE: Final = re.compile(
    r"\s*(?:" + "|".join(rx for rx, _ in _PERIOD_WORDS) + r")?\s*\)?\s*"
    r"(?:-{1,2}|–|—|‒|−|~|to|a|à|até|ate|and|e|y|bis|au|and\s+up\s+to)\s*\(?\s*$",
    re.I,
)
_UPTO_RE: Final = re.compile(
    r"(?:up\s?to|upto|at\s+most|maximum(?:\s+of)?|max\.?|até|hasta|bis\s+zu|jusqu'à)\s*:?\s*$", re.I
)
_FROM_RE: Final = re.compile(
    r"(?:from|starting\s+(?:at|from)|starts\s+at|begins\s+at|at\s+least|minimum(?:\s+of)?|min\.?|a\s+partir\s+de|desde|ab|à\s+partir\s+de)\s*:?\s*$",
    re.I,
)


@dataclass(frozen=True)
class _Amount:
    start: int
    end: int
    value: float
    mult: float
    currency: str | None  # ISO code, "$"-like marker, or None
    has_marker: bool
    plus: bool


_PLAIN_FORMATS: Final = (
    (re.compile(r"\d+"), None, None),  # 8000
    (re.compile(r"\d{1,3}(?:,\s?\d{3})+"), ", ", None),  # 8,000 / "101, 125"
    (re.compile(r"\d{1,3}(?:\.\d{3})+"), ".", None),  # 8.000 (a lone ".ddd" is a thousands separator)
    (re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+"), " \u00a0\u202f", None),  # 60 000
    (re.compile(r"\d{1,3}(?:,\d{3})*\.\d{1,2}"), ",", "."),  # 8,000.00 / 25.00
    (re.compile(r"\d{1,3}(?:\.\d{3})*,\d{1,2}"), ".", ","),  # 8.000,00 / 31,2
    (re.compile(r"\d+[.,]\d{1,2}"), "", "."),  # 1500.5
)


def _number(num: str) -> float | None:
    """Parse the digits of one amount.

    The usual shapes are read directly; anything else (Indian grouping ``12,00,000``,
    ``120'000``, mixed separators) goes to price-parser, which guesses the decimal
    separator (checked: ``"8.000,00"`` → 8000, ``"1.300"`` → 1300, ``"31,2"`` → 31.2).
    """
    for rx, thousands, decimal in _PLAIN_FORMATS:
        if rx.fullmatch(num):
            cleaned = num
            for ch in thousands or "":
                cleaned = cleaned.replace(ch, "")
            if decimal:
                cleaned = cleaned.replace(decimal, ".").replace(",", ".")
            try:
                return float(cleaned)
            except ValueError:
                break
    price = Price.fromstring(re.sub(r"[\s\u00a0\u202f]", "", num))
    return price.amount_float


def _resolve_marker(marker: str | None) -> str | None:
    if not marker:
        return None
    m = re.sub(r"\s+", " ", marker.strip()).upper()
    if m in CURRENCY_MARKERS:
        return CURRENCY_MARKERS[m]
    if m in AMBIGUOUS_SYMBOLS:
        return "$" if m != "¥" else "¥"
    # "USD $" → code wins
    code = re.match(r"[A-Z]{3}", m)
    if code and code.group(0) in CURRENCY_MARKERS:
        return CURRENCY_MARKERS[code.group(0)]
    return None


def _combine(a: str | None, b: str | None) -> str | None:
    """Combine prefix and suffix markers: an ISO code beats an ambiguous symbol."""
    if a and a not in ("$", "¥"):
        return a
    if b and b not in ("$", "¥"):
        return b
    return a or b


_DOLLARS: Final = frozenset(DOLLAR_COUNTRIES.values())


def _compatible(a: str | None, b: str | None) -> bool:
    """Can two amounts be the ends of one range? (``$`` pairs with any dollar code)."""
    if not a or not b or a == b:
        return True
    pair = {a, b}
    if "$" in pair:
        return bool((pair - {"$"}) <= _DOLLARS)
    if "¥" in pair:
        return bool((pair - {"¥"}) <= {"JPY", "CNY"})
    return False


#: currency markers (an amount can only be near one in find_salary_in_text); three simple
#: regexes are much faster than one case-mixed alternation
_MARKER_RES: Final = (
    re.compile(r"[$€£¥₹₩₱₪]"),
    # = (?<![A-Za-z])(?:CODES)(?![a-z]) with the lookbehind after each code's first letter: a branch
    # that starts with literals lets ``re`` skip ahead to a capital letter instead of trying every position
    re.compile("(?:" + "|".join(f"{c[0]}(?<![A-Za-z]{c[0]}){c[1:]}" for c in _CODES) + ")(?![a-z])"),
)
_MARKER_WORDS_RE: Final = re.compile(r"(?:euros?|reais|d[óo]lar(?:es)?|dollars?|zł)")


def _marker_windows(text: str) -> list[tuple[int, int]]:
    starts = [m.start() for rx in _MARKER_RES for m in rx.finditer(text)]
    lowered = text.lower()
    if len(lowered) == len(text):
        starts += [m.start() for m in _MARKER_WORDS_RE.finditer(lowered)]
    spans: list[tuple[int, int]] = []
    for pos in sorted(starts):
        start, end = max(0, pos - 40), pos + 70
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _amounts(text: str, windowed: bool = False) -> list[_Amount]:
    out: list[_Amount] = []
    if windowed:
        matches: Iterator[re.Match[str]] = (
            m for a, b in _marker_windows(text) for m in _AMOUNT_RE.finditer(text, a, min(b, len(text)))
        )
    else:
        matches = _AMOUNT_RE.finditer(text)
    seen_end = -1
    for m in matches:
        if m.start() < seen_end:
            continue
        seen_end = m.end()
        value = _number(m.group("num"))
        if value is None:
            continue
        mult_s = (m.group("mult") or "").lower()
        mult = _MULT_VALUES.get(mult_s, 1.0)
        pre = _resolve_marker(m.group("pre"))
        suf = _resolve_marker(m.group("suf"))
        end = m.end()
        plus = text[end : end + 1] == "+"
        if plus:
            end += 1
        out.append(
            _Amount(
                start=m.start(),
                end=end,
                value=value,
                mult=mult,
                currency=_combine(pre, suf),
                has_marker=bool(m.group("pre") or m.group("suf")),
                plus=plus,
            )
        )
    return out


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    low: float | None
    high: float | None
    currency: str | None
    has_marker: bool
    max_mult: float
    is_range: bool = False


def _pair(a: _Amount, b: _Amount) -> tuple[float, float]:
    va, vb = a.value * a.mult, b.value * b.mult
    if a.mult == 1.0 and b.mult > 1.0 and a.value < b.value:
        va = a.value * b.mult  # "60-80k", "$150-200k"
    elif b.mult == 1.0 and a.mult > 1.0 and b.value < a.value:
        vb = b.value * a.mult
    return va, vb


def _candidates(text: str, amounts: list[_Amount], require_marker: bool = True) -> list[_Candidate]:
    out: list[_Candidate] = []
    i = 0
    while i < len(amounts):
        a = amounts[i]
        if i + 1 < len(amounts):
            b = amounts[i + 1]
            gap = text[a.end : b.start]
            same_currency = _compatible(a.currency, b.currency)
            marked = a.has_marker or b.has_marker or not require_marker
            if same_currency and marked and _CONNECTOR_RE.fullmatch(gap):
                va, vb = _pair(a, b)
                out.append(
                    _Candidate(
                        a.start,
                        b.end,
                        va,
                        vb,
                        _combine(a.currency, b.currency),
                        a.has_marker or b.has_marker,
                        max(a.mult, b.mult),
                        is_range=True,
                    )
                )
                i += 2
                continue
        value = a.value * a.mult
        before = text[max(0, a.start - 25) : a.start]
        if _UPTO_RE.search(before):
            low, high = None, value
        elif a.plus or _FROM_RE.search(before):
            low, high = value, None
        else:
            low, high = value, value
        out.append(_Candidate(a.start, a.end, low, high, a.currency, a.has_marker, a.mult))
        i += 1
    return out


def _period_in(text: str) -> str | None:
    m = _PERIOD_RE.search(text)
    return m.lastgroup if m else None


def _final_currency(currency: str | None, default_currency: str | None) -> str | None:
    if currency in ("$", "¥"):
        return normalize_currency(default_currency)
    return currency


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def normalize_currency(value: object) -> str | None:
    """``"usd"`` → ``"USD"``, ``"R$"`` → ``"BRL"``, ``"€"`` → ``"EUR"``; ``"$"``/unknown → None."""
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip().upper()
    if v in CURRENCY_MARKERS:
        return CURRENCY_MARKERS[v]
    if re.fullmatch(r"[A-Z]{3}", v) and v in ISO_CURRENCIES:
        return v
    return None


def normalize_period(value: object) -> str | None:
    """Structured period values: ``"annual"``, ``"hourly"``, ``"per_year"``, ``"YEAR"``, ``"mensal"``."""
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip()
    if v.upper() in PERIODS:
        return v.upper()
    key = re.sub(r"^(?:salary_?)?(?:per_?|a_)?", "", v.lower().replace("-", "_").replace(" ", "_"))
    if key in _STRUCT_PERIOD:
        return _STRUCT_PERIOD[key]
    return _period_in(v.replace("_", " "))


def dollar_currency_for_country(country: str | None) -> str | None:
    """The currency a bare ``$`` (or ``¥``) means in that country, else None (``"US"`` → ``"USD"``)."""
    if not country:
        return None
    c = country.upper()
    return DOLLAR_COUNTRIES.get(c) or YEN_COUNTRIES.get(c)


def _salary(low: float | None, high: float | None, currency: str | None, period: str | None) -> Salary | None:
    """A parsed statement as a Salary: zero bounds dropped, a range written high-low put in order."""
    low = low if low is not None and low > 0 else None
    high = high if high is not None and high > 0 else None
    if low is None and high is None:
        return None
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Salary(low, high, currency, period)


def parse_salary(text: str | None, default_currency: str | None = None) -> Salary | None:
    """Parse a salary string.  ``None`` when it states no amount ("competitive", "a combinar").

    ``default_currency`` is used only for a bare ``$``/``¥``.
    """
    if not text or not isinstance(text, str):
        return None
    text = text[:500]
    amounts = [a for a in _amounts(text) if a.value > 0 or a.has_marker]
    if not amounts:
        return None
    cands = _candidates(text, amounts, require_marker=False)
    if not cands:
        return None
    # prefer the first range, else the first amount with a currency, else the first
    ranges = [c for c in cands if c.low is not None and c.high is not None and c.low != c.high]
    marked = [c for c in cands if c.has_marker]
    best = ranges[0] if ranges else (marked[0] if marked else cands[0])
    if not best.has_marker and _NO_SALARY_RE.search(text):
        return None
    after = text[best.end : best.end + 40]
    period = _period_in(after) or _period_in(text[best.start : best.end]) or _period_in(text)
    top = max(v for v in (best.low, best.high) if v is not None)
    if not best.has_marker and period is None and top < 1000:
        return None  # "between 5 and 6 figures", "3 openings": small bare numbers are not pay
    return _salary(best.low, best.high, _final_currency(best.currency, default_currency), period)


def is_no_salary_text(text: str | None) -> bool:
    """True for salary strings that deliberately give no number ("competitive", "a combinar")."""
    return bool(text) and bool(_NO_SALARY_RE.search(text or ""))


# --- finding a pay statement in a description -------------------------------------------

_PAY_WORDS_RE: Final = re.compile(
    r"\b(?:salary|salaries|salário|salario|salarial|compensation|remunera[çc][ãa]o|remuneraci[óo]n|remunera|"
    r"pay(?:\s+(?:range|rate|scale|band|transparency))?|base\s+pay|wages?|hourly\s+rate|day\s+rate|rate|OTE|"
    r"on[- ]target\s+earnings|earn(?:ings)?|sueldo|gehalt|verg[üu]tung|bolsa(?:[- ]aux[ií]lio)?|"
    r"faixa\s+salarial|retribuzione|stipendio|r[ée]mun[ée]ration|salaire|paid|contrata[çc][ãa]o)\b",
    re.I,
)
_NOT_PAY_BEFORE_RE: Final = re.compile(
    r"\b(?:vale|aux[ií]lio|budget|allowance|stipend|reimburse\w*|reembolso|bonus|b[ôo]nus|401|funding|raised|"
    r"revenue|ARR|valuation|investment|invested|per\s+employee|academias?|plano|desconto|gift|credit|perks?|"
    r"sign[- ]on|referral|donations?|transactions|sales|gross|processed|saving|coverage|insurance|"
    r"seguro|discount|cashback|voucher|cart[ãa]o|ticket|home\s+office|setup|equipment)\b",
    re.I,
)
_NOT_PAY_AFTER_RE: Final = re.compile(
    r"^\+?\s*(?:USD|EUR|GBP|CAD)?\s*(?:in\s+)?(?:funding|raised|revenue|ARR|valuation|series|budget|allowance|stipend|"
    r"credit|bonus|signing|reimburse\w*|gift|discount|off\b|cashback|worth|perk|marketplace|home\s+office|"
    r"education|learning|wellness|equipment|total|per\s+(?!hour|day|week|month|year|annum|hr|yr)\w+|"
    r"a\s+(?:head|person|employee)|in\s+(?:sales|donations|transactions|gross))",
    re.I,
)
_PAY_AFTER_RE: Final = re.compile(r"\s*\(?(?:OTE|gross|brutto|bruto|base\s+salary|salary|sal[áa]rio)\b", re.I)
_PARENS_RE: Final = re.compile(r"\([^()]*\)")


def _last_end(rx: re.Pattern[str], text: str) -> int:
    end = -1
    for m in rx.finditer(text):
        end = m.end()
    return end


_LEADING_PERIOD_RE: Final = re.compile(r"^\s*\(?(?:" + _PERIOD_RE.pattern + r")\)?\s*")
_SENTENCE_BREAK_RE: Final = re.compile(r"[.!?;](?:\s|$)|\n")


def _clause_before(text: str, start: int) -> tuple[str, str]:
    """``(window, clause)``: up to 200 chars before ``start`` and the sentence they end with.

    An amount that starts its line ("Annual base salary range:\n$96,000—$180,000 USD") takes
    the previous line as its clause.
    """
    window = text[max(0, start - 200) : start]
    cut = None
    for m in _SENTENCE_BREAK_RE.finditer(window):
        cut = m.end()
    clause = window[cut:] if cut is not None else window
    if cut is not None and (not re.search(r"[^\W\d_]", clause) or len(clause.split()) < 2):
        # the amount starts its line, or follows one word ("CLT, R$ 4.500,00."): the line before
        # (a heading such as "Annual base salary range:" or "## Contratação") is its clause
        prev = window[: max(0, cut - 1)].rstrip()  # blank lines between heading and text
        clause = prev[prev.rfind("\n") + 1 :] + " " + clause
    return window, clause


def find_salary_in_text(text: str | None, default_currency: str | None = None) -> Salary | None:
    """Find the first clear pay statement in a description (see module docstring).

    A candidate needs a currency marker, no million/billion multiplier, no benefit/funding
    word nearer than a pay word (:data:`_NOT_PAY_BEFORE_RE`), no "per task"/"budget" after
    it, and either a pay word before it (same sentence; for a range up to 200 chars) or
    "OTE"/"salary" or a period right after it.
    """
    if not text or not isinstance(text, str):
        return None
    amounts = [a for a in _amounts(text, windowed=True) if a.value > 0]
    for c in _candidates(text, amounts):
        if not c.has_marker or c.max_mult >= 1e6:
            continue
        after = text[c.end : c.end + 40]
        if _NOT_PAY_AFTER_RE.search(_LEADING_PERIOD_RE.sub("", after.lstrip(" )*:"))):
            continue
        window, clause = _clause_before(text, c.start)
        bare = _PARENS_RE.sub(" ", clause)[-60:]  # "(excluding equity and bonus)" does not count
        if _last_end(_NOT_PAY_BEFORE_RE, bare) > _last_end(_PAY_WORDS_RE, bare):
            continue
        nxt = re.search(r"\n|\d", after)
        near_after = (after[: nxt.start()] if nxt else after)[:30]
        period_after = _period_in(near_after)
        keyword_window = window if c.is_range else clause[-150:]
        if _PAY_WORDS_RE.search(keyword_window) or _PAY_AFTER_RE.match(near_after) or period_after:
            period = period_after or _period_in(clause[-120:])
            return _salary(c.low, c.high, _final_currency(c.currency, default_currency), period)
    return None


def restated_salary(
    min_value: object, max_value: object, text: str | None, default_currency: str | None = None
) -> Salary | None:
    """The pay statement of ``text`` that repeats the structured ``min``/``max`` numbers, or None.

    Structured API values can carry a wrong unit: Remote OK states every salary as "USD per
    year", also for "PLN 350,700 - 474,400" and "$25 - $27 (per hour)".  When the description
    states the *same numbers*, its explicit currency and period are the posting's own words.
    """
    lo, hi = _as_number(min_value), _as_number(max_value)
    numbers = {v for v in (lo, hi) if v is not None}
    if not numbers or not text:
        return None
    found = find_salary_in_text(text, default_currency)
    if found is None:
        return None
    stated = {v for v in (found.min, found.max) if v is not None}
    return found if stated == numbers else None


# --- validation -------------------------------------------------------------------------


def _as_number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            n = float(value)
        elif isinstance(value, str) and value.strip():
            n = _number(value.strip())  # type: ignore[assignment]
        else:
            return None
    except (OverflowError, ValueError):
        return None  # an int beyond float range
    return n if n is not None and math.isfinite(n) else None


def validate_salary(
    min_value: object, max_value: object, currency: object = None, period: object = None
) -> tuple[Salary | None, list[str]]:
    """Check salary values from any source.

    Returns ``(Salary | None, problems)``.  Problems: ``salary/absurd`` (negative, zero,
    over 1e9, over the period ceiling of :data:`MAX_PER_PERIOD`), ``salary/implausible``
    (e.g. 30 per YEAR), ``salary/swapped`` (min > max, values swapped),
    ``salary/invalid_currency``, ``salary/invalid_period``, ``salary/invalid_number``.
    An absurd or implausible salary is rejected (``None``); the others are repaired.
    """
    problems: list[str] = []
    lo = _as_number(min_value)
    hi = _as_number(max_value)
    if (min_value is not None and lo is None) or (max_value is not None and hi is None):
        problems.append("salary/invalid_number")
    if lo is None and hi is None:
        return None, problems
    cur = normalize_currency(currency) if currency is not None else None
    if currency not in (None, "") and cur is None:
        problems.append("salary/invalid_currency")
    per = normalize_period(period) if period is not None else None
    if period not in (None, "") and per is None:
        problems.append("salary/invalid_period")
    values = [v for v in (lo, hi) if v is not None]
    if any(v != v or v <= 0 or v > ABSOLUTE_MAX for v in values):  # v != v: NaN
        problems.append("salary/absurd")
        return None, problems
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
        problems.append("salary/swapped")
    top = max(values)
    if per and cur not in HIGH_DENOMINATION and top > MAX_PER_PERIOD[per]:
        problems.append("salary/absurd")
        return None, problems
    if per in MIN_PER_PERIOD and cur not in HIGH_DENOMINATION and top < MIN_PER_PERIOD[per]:
        problems.append("salary/implausible")
        return None, problems
    return Salary(lo, hi, cur, per), problems


def infer_period(amount: float, currency: str | None) -> str | None:
    """Guess a period from the size of an amount (NOT used by the parsers).

    For major currencies (USD, EUR, GBP, CAD, AUD, CHF): < 500 → HOUR, < 30,000 →
    MONTH, else YEAR.  BRL: < 300 → HOUR, < 100,000 → MONTH, else YEAR.  Other
    currencies → None.  A guess — only for callers that explicitly want one.
    """
    if amount is None or amount <= 0:
        return None
    if currency in ("USD", "EUR", "GBP", "CAD", "AUD", "CHF", "NZD", "SGD"):
        return "HOUR" if amount < 500 else "MONTH" if amount < 30_000 else "YEAR"
    if currency == "BRL":
        return "HOUR" if amount < 300 else "MONTH" if amount < 100_000 else "YEAR"
    return None
