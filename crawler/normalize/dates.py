"""Dates → UTC ISO 8601 strings (``"2024-05-01T10:00:00Z"``).

Accepted inputs, fast paths first (dateparser, which is slow, only as the last resort):

- ``datetime`` objects, epoch seconds or milliseconds (int, float or digit strings);
- ISO 8601 (``"2024-05-01"``, ``"2026-07-24T20:56:40.423Z"``, ``"…-04:00"``),
  ``"2026-08-05 09:41:37 UTC"``;
- RFC 822 (RSS ``pubDate``: ``"Thu, 24 Jul 2026 10:00:00 +0000"``);
- relative phrases, counted back from ``now``: ``"2 days ago"``, ``"8 hours ago"``,
  ``"Just now"``, ``"yesterday"``, ``"há 3 dias"``, ``"hace 2 semanas"``,
  ``"il y a 11 heures"``, ``"5 giorni fa"``, ``"vor 3 Tagen"``, ``"30+ days ago"``
  (months and years are calendar months/years).

Naive datetimes are taken as UTC.  :func:`normalize_date` also checks the range: a year
before :data:`MIN_YEAR` or more than :data:`MAX_YEARS_AHEAD` years after ``now`` is a
problem (``"out_of_range"``); text that cannot be read is ``"unparsed"``.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Final

MIN_YEAR: Final = 1990
MAX_YEARS_AHEAD: Final = 2

_UNITS: Final[dict[str, str]] = {}
for _unit, _words in {
    "seconds": "second seconds sec secs s segundo segundos seg segundo(s) seconde secondes secondo secondi sekunde sekunden",
    "minutes": "minute minutes min mins m minuto minutos minuto(s) minuti minuten",
    "hours": "hour hours hr hrs h hora horas hora(s) heure heures ora ore stunde stunden std",
    "days": "day days d dia dias dia(s) día días jour jours giorno giorni tag tagen tage",
    "weeks": "week weeks wk wks w semana semanas semana(s) semaine semaines settimana settimane woche wochen",
    "months": "month months mo mos mes meses mês mois mese mesi monat monaten monate",
    "years": "year years yr yrs y ano anos año años an ans anno anni jahr jahren jahre",
}.items():
    for _w in _words.split():
        _UNITS[_w] = _unit

_NUMBER_WORDS: Final[dict[str, int]] = {
    "a": 1, "an": 1, "one": 1, "um": 1, "uma": 1, "un": 1, "una": 1, "une": 1, "uno": 1, "ein": 1,
    "einem": 1, "einer": 1, "two": 2, "dois": 2, "duas": 2, "dos": 2, "deux": 2, "due": 2,
    "three": 3, "três": 3, "tres": 3, "trois": 3, "tre": 3, "few": 3, "several": 3,
}  # fmt: skip

_UNIT_RX = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUM_RX = r"(?P<n>\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\+?"
_RELATIVE_RES: Final = (
    # "2 days ago", "30+ days ago", "Posted 3 weeks ago", "Reposted 1 hour ago"
    re.compile(rf"{_NUM_RX}\s*(?P<u>{_UNIT_RX})\.?\s+ago\b", re.I),
    # "há 3 dias", "hace 2 semanas", "il y a 11 heures", "vor 3 Tagen"
    re.compile(rf"\b(?:h[áa]|hace|il\s+y\s+a|vor)\s+(?:mais\s+de\s+)?{_NUM_RX}\s*(?P<u>{_UNIT_RX})\b", re.I),
    # "5 giorni fa", "3 dias atrás"
    re.compile(rf"{_NUM_RX}\s*(?P<u>{_UNIT_RX})\s+(?:fa|atr[áa]s)\b", re.I),
)
_NOW_RE: Final = re.compile(
    r"^\s*(?:posted\s+|publicad[ao]\s+)?(?:just\s+(?:now|posted)|now|today|moments?\s+ago|a\s+moment\s+ago|agora(?:\s+mesmo)?|"
    r"hoje|ahora|hoy|aujourd'hui|[àa]\s+l'instant|oggi|adesso|heute|gerade\s+eben|recently)\s*$",
    re.I,
)
_YESTERDAY_RE: Final = re.compile(r"^\s*(?:posted\s+)?(?:yesterday|ontem|ayer|hier|ieri|gestern)\s*$", re.I)
_EPOCH_RE: Final = re.compile(r"^\s*\d{9,13}(?:\.\d+)?\s*$")
_ISO_DATE_RE: Final = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_SPACE_UTC_RE: Final = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:UTC|GMT|Z)$", re.I
)
_DMY_RE: Final = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*$")


def to_iso(dt: datetime) -> str:
    """UTC ISO 8601 with a ``Z`` suffix, seconds precision."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_months(dt: datetime, months: int) -> datetime:
    """Calendar month arithmetic (the day is clamped to the target month's length)."""
    total = dt.year * 12 + (dt.month - 1) + months
    year, month = divmod(total, 12)
    day = min(dt.day, calendar.monthrange(year, month + 1)[1])
    return dt.replace(year=year, month=month + 1, day=day)


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _now(now: datetime | None) -> datetime:
    return _aware(now) if now is not None else datetime.now(UTC)


def _from_epoch(value: float) -> datetime | None:
    if value > 1e11:  # milliseconds
        value /= 1000.0
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _relative(text: str, now: datetime) -> datetime | None:
    if _NOW_RE.match(text):
        return now
    if _YESTERDAY_RE.match(text):
        return now - timedelta(days=1)
    for rx in _RELATIVE_RES:
        m = rx.search(text)
        if not m:
            continue
        n_s = m.group("n").lower()
        n = int(n_s) if n_s.isdigit() else _NUMBER_WORDS.get(n_s)
        unit = _UNITS.get(m.group("u").lower())
        if n is None or unit is None or n > 100_000:
            return None
        if unit == "months":
            return add_months(now, -n)
        if unit == "years":
            return add_months(now, -12 * n)
        return now - timedelta(**{unit: n})
    return None


def parse_datetime(value: object, now: datetime | None = None) -> datetime | None:
    """Any supported input → aware UTC datetime, or None when it cannot be read."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()[:200]
    if not text:
        return None
    if _EPOCH_RE.match(text):
        return _from_epoch(float(text))
    if _ISO_DATE_RE.match(text):
        iso = text.replace("z", "Z")
        m = _SPACE_UTC_RE.match(iso)
        if m:
            iso = f"{m.group(1)}T{m.group(2)}+00:00"
        try:
            return _aware(datetime.fromisoformat(iso))
        except ValueError:
            pass
    if re.match(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        try:
            return _aware(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            pass
    m = _DMY_RE.match(text)
    if m:  # 24/07/2026 (day first, as in pt/es/fr/de/it)
        try:
            return datetime(int(m.group(3)), int(m.group(2)), int(m.group(1)), tzinfo=UTC)
        except ValueError:
            return None
    current = _now(now)
    rel = _relative(text, current)
    if rel is not None:
        return rel
    return _dateparser(text, current)


def _dateparser(text: str, now: datetime) -> datetime | None:
    if not re.search(r"\d|[A-Za-z]{3}", text):
        return None
    import dateparser  # slow import: only when the fast paths failed

    try:
        dt = dateparser.parse(
            text,
            settings={
                "RELATIVE_BASE": now.replace(tzinfo=None),
                "TIMEZONE": "UTC",
                "TO_TIMEZONE": "UTC",
                "RETURN_AS_TIMEZONE_AWARE": True,
                "PREFER_DAY_OF_MONTH": "first",
            },
        )
    except Exception:  # dateparser raises many types on odd input
        return None
    return _aware(dt) if dt is not None else None


def normalize_date(value: object, now: datetime | None = None) -> tuple[str | None, str | None]:
    """``(iso_string | None, problem | None)``; problems: ``"unparsed"``, ``"out_of_range"``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    try:
        dt = parse_datetime(value, now)
    except (ValueError, OverflowError, TypeError):
        dt = None
    if dt is None:
        return None, "unparsed"
    current = _now(now)
    if dt.year < MIN_YEAR or dt > add_months(current, 12 * MAX_YEARS_AHEAD):
        return None, "out_of_range"
    return to_iso(dt), None
