"""Reading an inbox listed by time window in pages (RayganSMS `ReceiveMessages`), so that an SMS
is fetched even when the provider dates it hours before it shows up, and a listing that shifts
while it is read neither loses nor doubles one.

Records carry no id, only the date the provider gives them, which may be well before the moment
they first appear in the listing (a lagging queue or clock). So every poll reads again a whole
look-back (hours) back from the last poll, and dedupe on (line, sender, date, body, and the count
of identical ones) makes the rereading harmless.

Reading a window page by page is not one snapshot: an SMS landing between two page reads shifts
the later pages, so one record shows twice (and is counted as its own identical twin) or not at
all. Here only page 1 of a window is ever used, and only when the window fits in it
(`TotalPage` ≤ 1): one call is one snapshot. A window that does not fit is narrowed (its
`TotalPage` says by about how much); windows are read from the newest down, so new SMS come
first. Identical SMS share their date, so one call always reads them together and every poll
counts them alike. Only when more than a page of SMS share one second are that second's pages
read one after the other (a shift there is possible, and logged).

The windows that fitted are kept in the cursor (`plan`, the seconds each starts at) and the next
poll reads the same ones (the newest stretched to now, neighbours holding few SMS joined), so a
steady look-back costs one call per window of up to `TARGET_PER_CALL` SMS and no probing.

Cost per poll (`WindowScan.calls`): about one call per `TARGET_PER_CALL` SMS in the look-back,
plus one for each window that had to be narrowed; never more than `max_calls`, plus the
remaining pages of a one-second window being read. What a poll could not read stays in the
cursor (`todo`) and is read by the next polls, newest first, before a new look-back begins.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

CURSOR_VERSION = 2
TARGET_PER_CALL = 80  # records a window aims at (of a page of 100): room for new ones
GROWTH = 8  # a window after one that fitted is at most this many times wider
MAX_PLAN = 200  # windows kept in the cursor

Interval = tuple[int, int]  # unix seconds, both ends included


class CursorError(ValueError):
    """A stored cursor that is not one of ours."""


@dataclass(frozen=True, slots=True)
class WindowCursor:
    """Where the reading of one line's inbox stands between polls."""

    top: int  # the newest second read by the last poll
    todo: tuple[Interval, ...] = ()  # still to read in this look-back, newest first
    history_before: int | None = None  # first start in progress: older SMS are history
    plan: tuple[int, ...] = ()  # where the windows that fitted start, newest first

    def dump(self) -> str:
        """The cursor as stored."""
        data: dict[str, Any] = {"v": CURSOR_VERSION, "top": self.top}
        if self.todo:
            data["todo"] = [list(interval) for interval in self.todo]
        if self.history_before is not None:
            data["history_before"] = self.history_before
        if self.plan:
            data["plan"] = list(self.plan)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, text: str) -> WindowCursor:
        """A stored cursor; unix seconds alone (an earlier version's) are a `top`."""
        stripped = text.strip()
        if stripped.isdigit():
            return cls(int(stripped))
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise CursorError(f"invalid inbox cursor {text!r} ({exc})") from None
        if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION:
            raise CursorError(f"invalid inbox cursor {text!r} (not one this version wrote)")
        try:
            todo = tuple((_int(a), _int(b)) for a, b in data.get("todo", []))
            history = data.get("history_before")
            return cls(
                _int(data["top"]),
                todo,
                None if history is None else _int(history),
                tuple(sorted((_int(s) for s in data.get("plan", [])), reverse=True)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CursorError(f"invalid inbox cursor {text!r} ({exc})") from None


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not an integer")
    return value


def merge(intervals: Sequence[Interval]) -> tuple[Interval, ...]:
    """The intervals joined where they touch or overlap, newest first."""
    joined: list[list[int]] = []
    for low, high in sorted(i for i in intervals if i[0] <= i[1]):
        if joined and low <= joined[-1][1] + 1:
            joined[-1][1] = max(joined[-1][1], high)
        else:
            joined.append([low, high])
    return tuple((low, high) for low, high in reversed(joined))


@dataclass(frozen=True, slots=True)
class Request:
    """One ReceiveMessages call to make."""

    start: int
    end: int
    page: int = 1


@dataclass
class _Reading:
    """The interval being read, from its newest second down."""

    low: int  # the interval's oldest second
    high: int  # the newest second not read yet
    width: int | None = None  # set once a window of it did not fit or fitted
    pages: int = 0  # a one-second window read page by page: its page count
    next_page: int = 0
    second: list[Any] = field(default_factory=list)  # that second's records so far


class WindowScan:
    """One poll's reading: ask `next_request()`, give it the answer with `add_answer`, until
    `next_request()` is None; then take `groups` (records read together) and `cursor()`."""

    def __init__(
        self,
        cursor: WindowCursor | None,
        *,
        now: int,
        lookback: int,
        overlap: int,
        first_start: int,
        max_calls: int,
    ) -> None:
        self.now = now
        self.first = cursor is None
        if cursor is None:
            todo: Sequence[Interval] = ((now - lookback, now),)
            self.history_before: int | None = now - first_start
        elif not cursor.todo:
            # A new look-back: from the last poll's top, so a stop of any length is covered.
            todo = ((min(cursor.top, now) - lookback, now),)
            self.history_before = None
        else:
            todo = (*cursor.todo, (cursor.top - overlap, now))
            self.history_before = cursor.history_before
        # The newest part: what came since the last poll (all of it at a first poll).
        self._fresh_low = now - lookback if cursor is None else cursor.top - overlap
        self._todo = list(merge([(max(0, low), high) for low, high in todo]))
        self._floor = min(low for low, _ in self._todo)
        self._plan = () if cursor is None else cursor.plan
        self._max_calls = max(2, max_calls)  # one for the newest SMS, one or more for the rest
        self._reading: _Reading | None = None
        self._fitted: list[tuple[int, int]] = []  # (start, records) of each window that fitted
        self.calls = 0
        self.groups: list[list[Any]] = []  # each: the records one snapshot held
        self.shifted_seconds: list[int] = []  # one-second windows read over several pages

    def next_request(self) -> Request | None:
        """The next call to make, or None when the poll is done."""
        reading = self._reading
        if reading is not None and reading.pages:
            return Request(reading.high, reading.high, reading.next_page)
        if self.calls >= self._max_calls:
            return None
        if reading is None:
            if not self._todo:
                return None
            low, high = self._todo.pop(0)
            reading = self._reading = _Reading(low, high)
        return Request(self._start(reading), reading.high)

    def _planned(self, reading: _Reading) -> int:
        """Where the plan's window holding `reading`'s top starts (its low end if none)."""
        planned = [s for s in self._plan if reading.low <= s <= reading.high]
        return max(planned) if planned else reading.low

    def _start(self, reading: _Reading) -> int:
        """Where the next window of `reading` starts: at the plan's start below its top; when
        that window did not fit, as wide as the density seen says, down to that start."""
        planned = self._planned(reading)
        if reading.width is None:
            return planned
        return max(planned, reading.high - reading.width + 1)

    def add_answer(self, request: Request, total_pages: int, records: list[Any]) -> None:
        """What the call for `request` answered."""
        self.calls += 1
        reading = self._reading
        assert reading is not None
        if reading.pages:
            reading.second.extend(records)
            reading.next_page += 1
            if reading.next_page > reading.pages:
                self._fit(request.start, reading, reading.second)
            return
        span = request.end - request.start + 1
        if total_pages <= 1:
            if request.start == self._planned(reading):
                reading.width = None  # down to a window of the plan: follow the plan again
            elif reading.width is not None:
                # As wide as should hold TARGET_PER_CALL records at the density just seen, but
                # growing at most eightfold: SMS cluster; a quiet stretch says little of the next.
                wanted = span * TARGET_PER_CALL // len(records) if records else span * GROWTH
                reading.width = max(1, min(wanted, span * GROWTH))
            self._fit(request.start, reading, records)
        elif span == 1:
            # More than a page in one second: no narrower window exists.
            reading.pages, reading.next_page, reading.second = total_pages, 2, list(records)
            self.shifted_seconds.append(request.start)
        else:
            reading.width = max(1, span * TARGET_PER_CALL // (total_pages * 100))

    def _fit(self, start: int, reading: _Reading, records: list[Any]) -> None:
        self.groups.append(records)
        self._fitted.append((start, len(records)))
        reading.high = start - 1
        reading.pages = reading.next_page = 0
        reading.second = []
        if reading.high < reading.low:
            self._reading = None

    @property
    def complete(self) -> bool:
        """Whether the whole look-back was read."""
        return self._reading is None and not self._todo

    @property
    def behind(self) -> bool:
        """Whether part of what came since the last poll is left unread (new SMS wait), not
        only older parts of the look-back."""
        return any(high >= self._fresh_low for _, high in self.cursor().todo)

    def cursor(self) -> WindowCursor:
        """The cursor to store after this poll."""
        left: list[Interval] = list(self._todo)
        if self._reading is not None:
            left.insert(0, (self._reading.low, self._reading.high))
        todo = merge(left)
        return WindowCursor(self.now, todo, self.history_before if todo else None, self._new_plan())

    def _new_plan(self) -> tuple[int, ...]:
        """The windows that fitted, neighbours holding few SMS joined, and the old plan's
        windows in what is left to read."""
        joined: list[list[int]] = []  # [start, records], newest first
        for start, count in sorted(self._fitted, reverse=True):
            if joined and joined[-1][1] + count <= TARGET_PER_CALL:
                joined[-1] = [start, joined[-1][1] + count]
            else:
                joined.append([start, count])
        starts = {start for start, _ in joined}
        read_down_to = min((start for start, _ in self._fitted), default=self.now + 1)
        starts.update(s for s in self._plan if s < read_down_to)
        reading = self._reading
        if reading is not None and reading.width is not None:
            # Narrowing went on when the calls ran out: the next poll starts as narrow.
            starts.add(self._start(reading))
        kept = sorted((s for s in starts if s > self._floor), reverse=True)
        return tuple(kept[:MAX_PLAN])
