"""crawler.normalize.dates — date formats of the recorded sources, relative to a fixed ``now``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crawler.normalize.dates import normalize_date, parse_datetime, to_iso

NOW = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # ISO (Gupy publishedDate / applicationDeadline, Greenhouse, Ashby, Remotive, RemoteOK, SmartRecruiters)
        ("2026-07-24T20:56:40.423Z", "2026-07-24T20:56:40Z"),
        ("2026-09-28", "2026-09-28T00:00:00Z"),
        ("2026-08-10T16:52:46-04:00", "2026-08-10T20:52:46Z"),
        ("2026-04-02T21:00:55.755+00:00", "2026-04-02T21:00:55Z"),
        ("2026-08-13T06:25:53", "2026-08-13T06:25:53Z"),  # naive → UTC
        ("2026-03-16T00:00:03+00:00", "2026-03-16T00:00:03Z"),
        ("2018-06-08T02:11:28.000Z", "2018-06-08T02:11:28Z"),
        # Recruitee
        ("2026-08-05 09:41:37 UTC", "2026-08-05T09:41:37Z"),
        # epoch seconds (RemoteOK, Arbeitnow, Himalayas) and milliseconds (Lever)
        (1773619203, "2026-03-16T00:00:03Z"),
        ("1786813232", "2026-08-15T17:00:32Z"),
        (1764205361939, "2025-11-27T01:02:41Z"),
        # RFC 822 (We Work Remotely pubDate)
        ("Fri, 24 Jul 2026 07:01:22 +0000", "2026-07-24T07:01:22Z"),
        # LinkedIn relative times (en, fr, it UIs)
        ("8 hours ago", "2026-08-15T04:00:00Z"),
        ("2 days ago", "2026-08-13T12:00:00Z"),
        ("1 week ago", "2026-08-08T12:00:00Z"),
        ("3 weeks ago", "2026-07-25T12:00:00Z"),
        ("2 months ago", "2026-06-15T12:00:00Z"),
        ("il y a 11 heures", "2026-08-15T01:00:00Z"),
        ("il y a 2 semaines", "2026-08-01T12:00:00Z"),
        ("5 giorni fa", "2026-08-10T12:00:00Z"),
        # other phrasings (hand-written)
        ("Just now", "2026-08-15T12:00:00Z"),
        ("há 3 dias", "2026-08-12T12:00:00Z"),
        ("hace 2 semanas", "2026-08-01T12:00:00Z"),
        ("vor 3 Tagen", "2026-08-12T12:00:00Z"),
        ("Posted 30+ days ago", "2026-07-16T12:00:00Z"),
        ("an hour ago", "2026-08-15T11:00:00Z"),
        ("yesterday", "2026-08-14T12:00:00Z"),
        ("24/07/2026", "2026-07-24T00:00:00Z"),
        (datetime(2026, 7, 1, 9, 30), "2026-07-01T09:30:00Z"),
        (date(2026, 7, 1), "2026-07-01T00:00:00Z"),
    ],
)
def test_normalize_date(value, expected):
    assert normalize_date(value, NOW) == (expected, None)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1985-01-01", "out_of_range"),
        ("2035-01-01", "out_of_range"),
        (0, "out_of_range"),
        ("not a date", "unparsed"),
        ("2026-13-45", "unparsed"),
        ([2026, 1, 1], "unparsed"),
    ],
)
def test_normalize_date_problems(value, problem):
    assert normalize_date(value, NOW) == (None, problem)


def test_empty_is_not_a_problem():
    assert normalize_date(None, NOW) == (None, None)
    assert normalize_date("  ", NOW) == (None, None)


def test_fast_paths_do_not_need_dateparser(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def guarded(name, *args, **kwargs):
        if name == "dateparser":
            raise AssertionError("dateparser used on a fast-path input")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", guarded)
    for value in ("2026-07-24T20:56:40.423Z", "Fri, 24 Jul 2026 07:01:22 +0000", "2 days ago", 1773619203):
        assert parse_datetime(value, NOW) is not None


def test_dateparser_fallback():
    # a long-form date no fast path reads (hand-written)
    assert normalize_date("July 24, 2026", NOW) == ("2026-07-24T00:00:00Z", None)


def test_to_iso():
    assert to_iso(datetime(2026, 1, 2, 3, 4, 5, 999999, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
