"""When a scheduled send goes: the `<when>` people type, read in Tehran time, as UTC.

Forms (Persian, Arabic-Indic or Latin digits): `14:30` (today, or tomorrow if that has passed),
`1403/09/01 14:30` (Jalali), `2026-11-22 14:30` (Gregorian), `+2h`, `+30m`, `+1d` (and sums
such as `+1h30m`). A date's year tells the calendars apart (Jalali years are below 1700), so
either separator (`/` or `-`) works for both. No Telegram here: the answer is a time or a typed
`WhenProblem` that the bot words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Final
from zoneinfo import ZoneInfo

import jdatetime

from providers.phone import to_ascii_digits

TEHRAN: Final = ZoneInfo("Asia/Tehran")
_JALALI_YEARS_BELOW: Final = 1700  # a year below this is Jalali (1403), above it Gregorian

_CLOCK: Final = r"(?P<hour>\d{1,2})\s*:\s*(?P<minute>\d{2})"
_CLOCK_ONLY: Final = re.compile(_CLOCK)
_DATED: Final = re.compile(
    r"(?P<year>\d{4})\s*[/\-]\s*(?P<month>\d{1,2})\s*[/\-]\s*(?P<day>\d{1,2})"
    r"(?:\s+|\s*[Tt]\s*)" + _CLOCK
)
_RELATIVE: Final = re.compile(r"\+\s*(?:\d+\s*[dhmDHM]\s*)+")
_RELATIVE_PART: Final = re.compile(r"(\d+)\s*([dhmDHM])")
_UNIT_SECONDS: Final = {"d": 86400, "h": 3600, "m": 60}
# Further than this is surely a typo (and keeps datetime arithmetic far from its limits).
MAX_AHEAD: Final = timedelta(days=366)
# The leading words of `/schedule` arguments that can be part of a time (a date, then a clock).
_WHEN_HEAD: Final = re.compile(
    r"\s*(\+\s*(?:\d+\s*[dhmDHM])+|\d{4}\s*[/\-]\s*\d{1,2}\s*[/\-]\s*\d{1,2}\s+\d{1,2}:\d{2}"
    r"|\d{1,2}:\d{2}|\S+)"
)


class WhenProblemKind(Enum):
    """Why a `<when>` is refused."""

    UNPARSEABLE = "unparseable"  # none of the forms
    NO_SUCH_DATE = "no_such_date"  # a form, but the date or clock does not exist
    PAST = "past"  # a time that has passed already
    TOO_FAR = "too_far"  # more than MAX_AHEAD from now


@dataclass(frozen=True, slots=True)
class WhenProblem:
    """A `<when>` that gives no time to send at, and why (`text` as it was typed)."""

    kind: WhenProblemKind
    text: str


def parse_when(text: str, now: datetime) -> datetime | WhenProblem:
    """The moment `text` names, in Tehran time, as an aware UTC datetime; or why not.

    `now` (aware) is the current time: a clock alone is today, or tomorrow if it has passed;
    a date and clock that are not after `now` are `PAST`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    typed = text
    cleaned = " ".join(to_ascii_digits(text).split())
    if not cleaned:
        return WhenProblem(WhenProblemKind.UNPARSEABLE, typed)
    if _RELATIVE.fullmatch(cleaned):
        seconds = sum(
            int(amount) * _UNIT_SECONDS[unit.lower()]
            for amount, unit in _RELATIVE_PART.findall(cleaned)
        )
        if seconds <= 0:
            return WhenProblem(WhenProblemKind.PAST, typed)
        if seconds > MAX_AHEAD.total_seconds():
            return WhenProblem(WhenProblemKind.TOO_FAR, typed)
        return now.astimezone(UTC) + timedelta(seconds=seconds)
    if (clock_only := _CLOCK_ONLY.fullmatch(cleaned)) is not None:
        clock = _clock(clock_only.group("hour"), clock_only.group("minute"))
        if clock is None:
            return WhenProblem(WhenProblemKind.NO_SUCH_DATE, typed)
        today = now.astimezone(TEHRAN).date()
        moment = _tehran(today, clock)
        if moment <= now:
            moment = _tehran(today + timedelta(days=1), clock)
        return moment
    if (dated := _DATED.fullmatch(cleaned)) is not None:
        day = _day(int(dated.group("year")), int(dated.group("month")), int(dated.group("day")))
        clock = _clock(dated.group("hour"), dated.group("minute"))
        if day is None or clock is None:
            return WhenProblem(WhenProblemKind.NO_SUCH_DATE, typed)
        moment = _tehran(day, clock)
        if moment <= now:
            return WhenProblem(WhenProblemKind.PAST, typed)
        if moment - now > MAX_AHEAD:
            return WhenProblem(WhenProblemKind.TOO_FAR, typed)
        return moment
    return WhenProblem(WhenProblemKind.UNPARSEABLE, typed)


def split_when(arguments: str) -> tuple[str, str]:
    """`/schedule` arguments as (`<when>`, the rest): a date takes its clock with it."""
    match = _WHEN_HEAD.match(to_ascii_digits(arguments))
    if match is None:
        return "", arguments.strip()
    # Digits were translated one for one, so the offsets hold in the text as typed.
    return arguments[match.start(1) : match.end(1)], arguments[match.end(1) :].strip()


def format_tehran(moment: datetime) -> str:
    """An aware moment as Jalali date and Tehran time, `1405/09/01 14:30` (Latin digits).

    Given to `bot.texts.t` as a value, this text is written in the user's language (Persian
    digits in Persian)."""
    local = jdatetime.datetime.fromgregorian(datetime=moment.astimezone(TEHRAN))
    return str(local.strftime("%Y/%m/%d %H:%M"))


def is_jalali_leap(year: int) -> bool:
    """Whether Esfand of this Jalali year has 30 days (jdatetime's calendar)."""
    return bool(jdatetime.date(year, 1, 1).isleap())


def _clock(hour: str, minute: str) -> time | None:
    h, m = int(hour), int(minute)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return time(h, m)


def _day(year: int, month: int, day: int) -> date | None:
    """The Gregorian date of a Jalali or Gregorian (year, month, day), or None if none."""
    try:
        if year < _JALALI_YEARS_BELOW:
            return jdatetime.date(year, month, day).togregorian()  # type: ignore[no-any-return]
        return date(year, month, day)
    except ValueError:
        return None


def _tehran(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=TEHRAN).astimezone(UTC)


__all__ = [
    "MAX_AHEAD",
    "TEHRAN",
    "WhenProblem",
    "WhenProblemKind",
    "format_tehran",
    "is_jalali_leap",
    "parse_when",
    "split_when",
]
