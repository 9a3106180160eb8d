"""`parse_when`: every form of `<when>`, in Tehran time, with any digits; and the problems."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.schedule.when import (
    WhenProblem,
    WhenProblemKind,
    format_tehran,
    is_jalali_leap,
    parse_when,
    split_when,
)

# 2026-11-22 10:00 UTC is 13:30 in Tehran (UTC+03:30, no daylight saving since 2022),
# Jalali 1405/09/01.
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", utc(2026, 11, 22, 11, 0)),  # later today
        ("۱۴:۳۰", utc(2026, 11, 22, 11, 0)),  # Persian digits
        ("١٤:٣٠", utc(2026, 11, 22, 11, 0)),  # Arabic-Indic digits
        ("9:05", utc(2026, 11, 23, 5, 35)),  # passed today: tomorrow
        ("13:30", utc(2026, 11, 23, 10, 0)),  # exactly now: tomorrow
        ("13:31", utc(2026, 11, 22, 10, 1)),
        ("00:00", utc(2026, 11, 22, 20, 30)),  # midnight in Tehran is 20:30 UTC the day before
        ("1405/09/01 14:30", utc(2026, 11, 22, 11, 0)),  # Jalali
        ("۱۴۰۵/۰۹/۰۲ ۰۸:۰۰", utc(2026, 11, 23, 4, 30)),
        ("1405/9/2 8:00", utc(2026, 11, 23, 4, 30)),
        ("1405-09-02 08:00", utc(2026, 11, 23, 4, 30)),  # a Jalali year with dashes
        ("2026-11-22 14:30", utc(2026, 11, 22, 11, 0)),  # Gregorian
        ("2026/11/23 08:00", utc(2026, 11, 23, 4, 30)),
        ("۲۰۲۶-۱۱-۲۳  ۰۸:۰۰", utc(2026, 11, 23, 4, 30)),  # extra spaces
        ("2027-01-01T00:00", utc(2026, 12, 31, 20, 30)),
        ("1405/12/29 23:59", utc(2027, 3, 20, 20, 29)),  # last day of a common Jalali year
        ("+2h", utc(2026, 11, 22, 12, 0)),
        ("+30m", utc(2026, 11, 22, 10, 30)),
        ("+1d", utc(2026, 11, 23, 10, 0)),
        ("+۱d", utc(2026, 11, 23, 10, 0)),
        ("+1h30m", utc(2026, 11, 22, 11, 30)),
        ("+ 2H", utc(2026, 11, 22, 12, 0)),
        ("  +45m ", utc(2026, 11, 22, 10, 45)),
    ],
)
def test_forms(text: str, expected: datetime) -> None:
    moment = parse_when(text, NOW)
    assert moment == expected
    assert isinstance(moment, datetime) and moment.utcoffset() is not None
    assert moment.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", WhenProblemKind.UNPARSEABLE),
        ("tomorrow", WhenProblemKind.UNPARSEABLE),
        ("14", WhenProblemKind.UNPARSEABLE),
        ("14:3", WhenProblemKind.UNPARSEABLE),
        ("1405/09/01", WhenProblemKind.UNPARSEABLE),  # a date needs its clock
        ("+2", WhenProblemKind.UNPARSEABLE),
        ("+2w", WhenProblemKind.UNPARSEABLE),
        ("2h", WhenProblemKind.UNPARSEABLE),
        ("-2h", WhenProblemKind.UNPARSEABLE),
        ("25:00", WhenProblemKind.NO_SUCH_DATE),
        ("14:60", WhenProblemKind.NO_SUCH_DATE),
        ("1403/12/31 10:00", WhenProblemKind.NO_SUCH_DATE),  # Esfand never has 31 days
        ("1404/12/30 10:00", WhenProblemKind.NO_SUCH_DATE),  # 1404 is not a leap year
        ("1405/12/30 10:00", WhenProblemKind.NO_SUCH_DATE),  # nor is 1405
        ("1405/13/01 10:00", WhenProblemKind.NO_SUCH_DATE),
        ("1405/07/31 10:00", WhenProblemKind.NO_SUCH_DATE),  # Mehr has 30 days
        ("2026-02-29 10:00", WhenProblemKind.NO_SUCH_DATE),
        ("2026-11-31 10:00", WhenProblemKind.NO_SUCH_DATE),
        ("1405/09/01 13:30", WhenProblemKind.PAST),  # exactly now
        ("1405/09/01 13:00", WhenProblemKind.PAST),
        ("1403/12/30 10:00", WhenProblemKind.PAST),  # exists (1403 is leap), but passed
        ("2026-11-21 23:00", WhenProblemKind.PAST),
        ("+0m", WhenProblemKind.PAST),
        ("+400d", WhenProblemKind.TOO_FAR),
        ("1410/01/01 10:00", WhenProblemKind.TOO_FAR),
    ],
)
def test_problems(text: str, kind: WhenProblemKind) -> None:
    assert parse_when(text, NOW) == WhenProblem(kind, text)


@pytest.mark.parametrize(
    ("year", "leap"),
    # Esfand 30th exists in these years of the Solar Hijri calendar (1403/12/30 was
    # 2025-03-20, the day before Nowruz 1404), and not in the others.
    [(1395, True), (1399, True), (1400, False), (1403, True), (1404, False), (1408, True)],
)
def test_jalali_leap_years(year: int, leap: bool) -> None:
    assert is_jalali_leap(year) is leap


def test_a_jalali_leap_day_is_a_time() -> None:
    earlier = datetime(2025, 3, 1, tzinfo=UTC)
    assert parse_when("1403/12/30 12:00", earlier) == utc(2025, 3, 20, 8, 30)


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("+1h", datetime(2026, 11, 22, 10, 0))


@pytest.mark.parametrize(
    ("arguments", "when", "rest"),
    [
        ("+2h 0912 hello", "+2h", "0912 hello"),
        ("14:30 0912 hello", "14:30", "0912 hello"),
        ("۱۴:۳۰ ۰۹۱۲ سلام", "۱۴:۳۰", "۰۹۱۲ سلام"),
        ("1405/09/01 14:30 0912 hi\nthere", "1405/09/01 14:30", "0912 hi\nthere"),
        ("۱۴۰۵/۰۹/۰۱ ۱۴:۳۰ ۰۹۱۲ hi", "۱۴۰۵/۰۹/۰۱ ۱۴:۳۰", "۰۹۱۲ hi"),
        ("2026-11-22 14:30 0912 hi", "2026-11-22 14:30", "0912 hi"),
        ("+1h30m 0912 hi", "+1h30m", "0912 hi"),
        ("tomorrow 0912 hi", "tomorrow", "0912 hi"),
        ("1405/09/01 0912 hi", "1405/09/01", "0912 hi"),
        ("", "", ""),
    ],
)
def test_split_when(arguments: str, when: str, rest: str) -> None:
    assert split_when(arguments) == (when, rest)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (utc(2026, 11, 22, 11, 0), "1405/09/01 14:30"),
        (utc(2026, 11, 22, 20, 30), "1405/09/02 00:00"),
        (utc(2025, 3, 20, 8, 30), "1403/12/30 12:00"),
    ],
)
def test_format_tehran(moment: datetime, text: str) -> None:
    assert format_tehran(moment) == text
    assert parse_when(text, moment.replace(year=moment.year - 1)) == moment
