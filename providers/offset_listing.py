"""Reading an inbox that is listed by offset, in an order nobody documents (Payamak
`GetMessages`), without missing or doubling a record, in few calls.

The listing holds the account's received records; each has an id that grows with arrival (the
provider's row id, `MsgID`). A call returns up to `page` records from offset `index`, oldest first
or newest first: the order is not documented, so this module assumes it may differ at every call.

What one call proves, whatever its order: its records are a stretch of the listing, so every
record whose id lies between the page's lowest and highest id is in the page (a *segment*). A
newest-first page at offset 0, or an oldest-first page that ends short of `page` records, holds
the newest record (*top*); an oldest-first page at offset 0, or a newest-first page that ends
short, holds the oldest (*bottom*). Segments that share ids join into one stretch. A poll is
complete when one stretch runs from the top down to a record at or below the cursor's `high`
(every record up to `high` was returned before) or to the bottom: then nothing newer than `high`
can have been missed, and `high` moves to that stretch's top.

Pages are asked for with an overlap of two records, so each page shows its order and joins the
stretch it extends. Which offset to ask next depends on the order expected (the last one seen,
or its opposite when the order has just flipped): newest first, extend the top stretch down;
oldest first, extend the stretch holding `high` up, or the top one down, or look for the end.

Calls per poll (`ListingScan.calls`): when nothing is new, 1 while the order stays as it was,
at most `IDLE_CALLS` (5) whatever it does: a poll that has met nothing new stops once
`UNEXPECTED_ORDER_CALLS` (4) of its calls came back in the order it did not expect, and one call
in the expected order settles it. The first oldest-first poll after a start read newest first,
or after SMS were deleted in the panel, may take a few more calls to find where `high` now sits
(its pages bracket it). With new records, about one call per `page - 2` of them in a steady
order; never more than `max_calls`. A poll that runs out of calls keeps what it proved: `high`
rises to the top of a stretch that reaches it, and a newest-first stretch read from the top
that has not reached it yet is kept as the cursor's `band`, so the next poll goes on below it
instead of reading it again. A first poll (no cursor) reads from the top down to
the first record older than the window instead, and keeps `high` at the top: the history below
is never returned.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

Order = Literal["asc", "desc"]
Record = dict[str, Any]

UNEXPECTED_ORDER_CALLS = 4  # a poll that met nothing new stops after this many surprises
IDLE_CALLS = UNEXPECTED_ORDER_CALLS + 1  # the calls of a poll with nothing new, at most
CURSOR_VERSION = 2


class CursorError(ValueError):
    """A stored cursor that is not one of ours."""


@dataclass(frozen=True, slots=True)
class ListingCursor:
    """Where the reading of one line's listing stands between polls."""

    high: int  # every record with an id up to this one was returned (or was history)
    length: int  # records at or below `high`: the offset oldest-first new ones start at
    order: Order | None = None  # the order the last call listed in
    band: tuple[int, int, int] | None = None  # (low, high, count): read whole, above `high`

    def dump(self) -> str:
        """The cursor as stored."""
        data: dict[str, Any] = {"v": CURSOR_VERSION, "high": self.high, "length": self.length}
        if self.order is not None:
            data["order"] = self.order
        if self.band is not None:
            data["band"] = list(self.band)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, text: str) -> ListingCursor | None:
        """A stored cursor; None for one written before this format (an offset), which is
        read as a first start; CursorError for anything else."""
        stripped = text.strip()
        if stripped.isdigit():
            return None
        try:
            data = json.loads(stripped)
            if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION:
                raise CursorError(f"inbox cursor {text!r} is not one this version wrote")
            band = data.get("band")
            order = data.get("order")
            if order not in (None, "asc", "desc"):
                raise CursorError(f"inbox cursor {text!r} has an unknown order")
            return cls(
                high=_int(data["high"]),
                length=max(0, _int(data["length"])),
                order=order,
                band=None if band is None else (_int(band[0]), _int(band[1]), _int(band[2])),
            )
        except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
            raise CursorError(f"inbox cursor {text!r} cannot be read: {exc}") from None


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not an integer")
    return value


@dataclass
class _Stretch:
    """Records known to be every record between `lo` and `hi` (by id)."""

    lo: int
    hi: int
    ids: set[int]
    top: bool = False
    bottom: bool = False
    positions: dict[int, int] = field(default_factory=dict)  # id → offset, oldest first
    band: tuple[int, int, int] | None = None

    @property
    def count(self) -> int:
        """How many records the stretch holds."""
        if self.band is None:
            return len(self.ids)
        low, high, count = self.band
        return count + sum(1 for i in self.ids if not low <= i <= high)

    def overlaps(self, other: _Stretch) -> bool:
        """Whether the two share ids (so together they are one stretch)."""
        return self.lo <= other.hi and other.lo <= self.hi

    def joined(self, other: _Stretch) -> _Stretch:
        """The two as one stretch."""
        return _Stretch(
            min(self.lo, other.lo),
            max(self.hi, other.hi),
            self.ids | other.ids,
            self.top or other.top,
            self.bottom or other.bottom,
            {**self.positions, **other.positions},
            self.band or other.band,
        )


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a poll found: the new records (by id, oldest first), the id-less records of pages
    that held new ones, whether it is complete, and the cursor to store."""

    records: tuple[Record, ...]
    idless: tuple[Record, ...]
    complete: bool
    cursor: ListingCursor | None


class ListingScan:
    """One poll's reading of a listing: ask `next_index()`, give it the page with `add_page`,
    until `next_index()` is None; then `result()`."""

    def __init__(
        self,
        cursor: ListingCursor | None,
        *,
        page: int,
        max_calls: int,
        id_of: Callable[[Record], int | None],
        date_of: Callable[[Record], datetime | None],
        since: datetime | None = None,
    ) -> None:
        if page < 3:
            raise ValueError("pages must hold at least 3 records")
        self._cursor = cursor
        self._page = page
        self._max_calls = max_calls
        self._id_of = id_of
        self._date_of = date_of
        self._since = since  # first start: records older than this are history
        self._stretches: list[_Stretch] = []
        if cursor is not None and cursor.band is not None:
            low, high, _ = cursor.band
            self._stretches.append(_Stretch(low, high, set(), band=cursor.band))
        self._by_id: dict[int, Record] = {}
        self._idless: list[Record] = []
        self._orders: list[Order] = [cursor.order] if cursor and cursor.order else []
        self._tried: dict[tuple[str, int], int] = {}
        self._asked: tuple[str, int, Order] | None = None  # the move, its base offset, its order
        self._mispredicted = 0  # calls answered in the other order than expected
        self._asc_pages: list[tuple[int, int, int, int]] = []  # (offset, size, lowest, highest)
        self._exact_length: int | None = None
        self._at_least = 0
        self._at_most: int | None = None
        self._empty = False
        self.calls = 0

    # ------------------------------------------------------------ reading pages

    def add_page(self, index: int, records: list[Record]) -> None:
        """What the call at offset `index` answered."""
        self.calls += 1
        size = len(records)
        if size == 0:
            # Nothing at this offset: the listing holds at most `index` records.
            self._empty = self._empty or index == 0
            self._at_most = index if self._at_most is None else min(self._at_most, index)
            if index == 0:
                self._exact_length = 0
        elif size < self._page:
            self._exact_length = index + size
        if size:
            self._at_least = max(self._at_least, index + size)
        ids: list[int] = []
        for record in records:
            record_id = self._id_of(record)
            if record_id is None:
                continue
            ids.append(record_id)
            self._by_id.setdefault(record_id, record)
        if any(self._is_new(record) for record in records if self._id_of(record) is not None):
            self._idless.extend(r for r in records if self._id_of(r) is None)
        order = _order_of(ids)
        if self._asked is not None:
            move, base, expected = self._asked
            self._asked = None
            if order == expected or (order is None and size < 2):
                # The move was answered as planned; if it is asked for again, it did not help.
                self._tried[(move, base)] = self._tried.get((move, base), 0) + 1
            elif order is not None:
                self._mispredicted += 1
        if not ids:
            return
        if order is None and len(ids) > 1:
            return  # neither oldest nor newest first: this page proves nothing
        short = size < self._page
        stretch = _Stretch(min(ids), max(ids), set(ids))
        if order is None:  # one record: it is the whole listing only at offset 0, short
            stretch.top = stretch.bottom = index == 0 and short
        else:
            self._orders.append(order)
            stretch.top = (order == "desc" and index == 0) or (order == "asc" and short)
            stretch.bottom = (order == "asc" and index == 0) or (order == "desc" and short)
            if order == "asc":
                self._asc_pages.append((index, size, min(ids), max(ids)))
                for offset, record in enumerate(records, start=index):
                    record_id = self._id_of(record)
                    if record_id is not None:
                        stretch.positions[record_id] = offset
        self._stretches.append(stretch)
        self._stretches = _join_all(self._stretches)

    def _is_new(self, record: Record) -> bool:
        record_id = self._id_of(record)
        if record_id is None:
            return False
        if self._cursor is None:
            date = self._date_of(record)
            return date is None or self._since is None or date >= self._since
        return record_id > self._cursor.high

    # ------------------------------------------------------------ deciding

    @property
    def complete(self) -> bool:
        """Whether nothing newer than the cursor can have been missed."""
        return self._empty or self._finished() is not None

    def _finished(self) -> _Stretch | None:
        """The top stretch, once it reaches down far enough."""
        for stretch in self._stretches:
            if stretch.top and (stretch.bottom or self._reaches_down(stretch)):
                return stretch
        return None

    def _reaches_down(self, stretch: _Stretch) -> bool:
        if self._cursor is None:
            return self._oldest_before_window(stretch) is not None
        return stretch.lo <= self._cursor.high

    def _oldest_before_window(self, stretch: _Stretch) -> int | None:
        """First start: the newest record of the stretch older than the window."""
        if self._since is None:
            return stretch.hi
        old = [
            i
            for i in stretch.ids
            if (date := self._date_of(self._by_id[i])) is not None and date < self._since
        ]
        return max(old) if old else None

    def _anchored(self) -> list[_Stretch]:
        """Stretches that reach the cursor's `high` (or the bottom), highest first."""
        if self._cursor is None:
            return []
        high = self._cursor.high
        found = [s for s in self._stretches if s.lo <= high or s.bottom]
        return sorted(found, key=lambda s: -s.hi)

    def _expected_order(self) -> Order:
        if not self._orders:
            return "desc"
        if len(self._orders) == 1 or self._orders[-1] == self._orders[-2]:
            return self._orders[-1]
        return "asc" if self._orders[-1] == "desc" else "desc"

    def _met_new(self) -> bool:
        return any(self._is_new(record) for record in self._by_id.values())

    @property
    def met_new(self) -> bool:
        """Whether this poll has seen a record newer than the cursor (or, at a first start,
        in the window)."""
        return self._met_new()

    def next_index(self) -> int | None:
        """The offset to ask for next, or None: done (complete, or out of calls)."""
        if self.complete or self.calls >= self._max_calls:
            return None
        if (
            self._cursor is not None
            and self._mispredicted >= UNEXPECTED_ORDER_CALLS
            and not self._met_new()
        ):
            # The order keeps changing under us and nothing new has shown: the next poll.
            return None
        expected = self._expected_order()
        move, base = self._desc_move() if expected == "desc" else self._asc_move()
        self._asked = (move, base, expected)
        # A move asked for again did not join its stretch (records gone from the listing
        # shifted it): look a page further back each time.
        tries = self._tried.get((move, base), 0)
        return max(0, base - tries * (self._page - 2))

    def _desc_move(self) -> tuple[str, int]:
        """Newest first: extend the top stretch down (two records of overlap)."""
        tops = [s for s in self._stretches if s.top]
        if not tops:
            return "top", 0
        return "down-desc", max(0, max(s.count for s in tops) - 2)

    def _asc_move(self) -> tuple[str, int]:
        """Oldest first: extend the stretch holding `high` up, or the top one down, or look
        where `high` was at the last poll, or for the end of the listing."""
        anchored = self._anchored()
        cursor = self._cursor
        if cursor is not None and anchored and anchored[0].hi >= cursor.high:
            frontier = anchored[0]
            if frontier.positions:
                return "up", max(0, frontier.positions[max(frontier.positions)] - 1)
        for stretch in self._stretches:
            if stretch.top and stretch.positions:
                lowest = stretch.positions[min(stretch.positions)]
                return "down-asc", max(0, lowest - (self._page - 2))
        if cursor is not None:
            return "frontier", self._frontier_offset(cursor)
        return "end", self._end_offset()

    def _frontier_offset(self, cursor: ListingCursor) -> int:
        """Oldest first: an offset whose page should hold `high`. Pages seen oldest first that
        ended below it or began above it bracket where it is now (the cursor's `length` is
        only a hint: SMS deleted in the panel, or a first start read newest first, move it)."""
        high, page = cursor.high, self._page
        below = [i + n - 1 for i, n, _, top in self._asc_pages if top < high and n == page]
        above = [i for i, _, low, _ in self._asc_pages if low > high]
        above += [n for n in (self._at_most, self._exact_length) if n is not None]
        after = max(below) if below else None  # `high` is past this offset
        before = min(above) if above else None  # and before this one
        if after is None and before is None:
            return max(0, cursor.length - 2)
        if before is None:
            assert after is not None
            return max(after, 2 * after)
        start = 0 if after is None else after
        if before - start <= page - 1:
            return start
        return (start + before) // 2

    def _end_offset(self) -> int:
        """An offset whose page should reach the end of the listing."""
        if self._exact_length is not None:
            return max(0, self._exact_length - 2)
        if self._at_most is not None:
            middle = (self._at_least + self._at_most) // 2
            return max(0, middle, self._at_most - self._page + 1)
        return max(self._page, 2 * self._at_least) - 2

    # ------------------------------------------------------------ the result

    def result(self) -> ScanResult:
        """The new records and the cursor to store (None: a first start not yet finished)."""
        finished = None if self._empty else self._finished()
        order = self._orders[-1] if self._orders else None
        if self._cursor is None:
            return self._first_result(finished, order)
        high = self._cursor.high
        new = sorted(i for i in self._by_id if i > high)
        records = tuple(self._by_id[i] for i in new)
        idless = tuple(self._idless)
        if self._empty:
            cursor = replace(self._cursor, length=0, order=order, band=None)
            return ScanResult(records, idless, True, cursor)
        if finished is not None:
            top = max(high, finished.hi)
            cursor = ListingCursor(top, self._length(top, finished), order)
            return ScanResult(records, idless, True, cursor)
        raised = max([high, *(s.hi for s in self._anchored())])
        band = None
        for stretch in self._stretches:
            if stretch.top and stretch.lo > raised:
                band = (stretch.lo, stretch.hi, stretch.count)
        cursor = ListingCursor(raised, self._length(raised, None), order, band)
        return ScanResult(records, idless, False, cursor)

    def _first_result(self, finished: _Stretch | None, order: Order | None) -> ScanResult:
        if self._empty:
            return ScanResult((), (), True, ListingCursor(0, 0, order))
        if finished is None:
            return ScanResult((), (), False, None)
        oldest = self._oldest_before_window(finished)
        floor = finished.lo - 1 if oldest is None else oldest
        chosen = sorted(i for i in finished.ids if i > floor)
        records = tuple(self._by_id[i] for i in chosen)
        idless = tuple(self._idless) if records else ()
        cursor = ListingCursor(finished.hi, self._length(finished.hi, finished), order)
        return ScanResult(records, idless, True, cursor)

    def _length(self, high: int, top: _Stretch | None) -> int:
        """How many records are at or below `high` (the new cursor's): where `high` sits in an
        oldest-first listing, as exactly as this poll learnt it."""
        for stretch in self._stretches:
            if high in stretch.positions:
                return stretch.positions[high] + 1
        if top is not None and self._exact_length is not None and high == top.hi:
            return self._exact_length  # `high` is the newest record
        old_high = self._cursor.high if self._cursor else 0
        estimate = (self._cursor.length if self._cursor else 0) + sum(
            1 for i in self._by_id if old_high < i <= high
        )
        if self._at_most is not None:
            estimate = min(estimate, self._at_most)
        if self._exact_length is not None:
            estimate = min(estimate, self._exact_length)
        return estimate


def _order_of(ids: list[int]) -> Order | None:
    """ "asc" or "desc" when the ids strictly rise or fall; None otherwise."""
    if len(ids) < 2:
        return None
    pairs = list(itertools.pairwise(ids))
    if all(a < b for a, b in pairs):
        return "asc"
    if all(a > b for a, b in pairs):
        return "desc"
    return None


def _join_all(stretches: Iterable[_Stretch]) -> list[_Stretch]:
    """Join every pair of stretches that share ids, until none do."""
    pending = sorted(stretches, key=lambda s: s.lo)
    joined: list[_Stretch] = []
    for stretch in pending:
        if joined and joined[-1].overlaps(stretch):
            joined[-1] = joined[-1].joined(stretch)
        else:
            joined.append(stretch)
    return joined
