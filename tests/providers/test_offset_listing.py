"""The offset-listing reader (Payamak GetMessages) against a model listing: every order, records
arriving between and during polls, records removed, a first start, a backlog longer than one
poll can read. Nothing missed, history never returned, calls bounded."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.offset_listing import (
    IDLE_CALLS,
    CursorError,
    ListingCursor,
    ListingScan,
    ScanResult,
)

PAGE = 100
NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def orders(kind: str, seed: int = 0) -> Iterator[str]:
    """The order of each call: fixed, flipping at each call, or random."""
    rng = random.Random(seed)
    n = 0
    while True:
        n += 1
        if kind == "alternate":
            yield "desc" if n % 2 else "asc"
        elif kind == "random":
            yield rng.choice(["asc", "desc"])
        else:
            yield kind


@dataclass
class Model:
    """A listing of records whose ids grow with arrival, read by offset in a chosen order."""

    order: Iterator[str]
    ids: list[int] = field(default_factory=list)
    dates: dict[int, datetime] = field(default_factory=dict)
    next_id: int = 4_516_300_000
    calls: int = 0
    during: dict[int, int] = field(default_factory=dict)  # call number → arrivals before it

    def arrive(self, count: int = 1, when: datetime = NOW) -> list[int]:
        new = []
        for _ in range(count):
            self.next_id += random.randint(1, 3)  # other accounts' ids in between
            self.ids.append(self.next_id)
            self.dates[self.next_id] = when
            new.append(self.next_id)
        return new

    def get(self, index: int) -> list[dict[str, Any]]:
        self.calls += 1
        self.arrive(self.during.pop(self.calls, 0))
        listed = self.ids if next(self.order) == "asc" else self.ids[::-1]
        return [{"MsgID": i, "When": self.dates[i]} for i in listed[index : index + PAGE]]


def poll(
    model: Model,
    cursor: ListingCursor | None,
    *,
    max_calls: int = 50,
    since: datetime | None = None,
) -> tuple[ScanResult, int]:
    scan = ListingScan(
        cursor,
        page=PAGE,
        max_calls=max_calls,
        id_of=lambda r: r["MsgID"],
        date_of=lambda r: r["When"],
        since=since,
    )
    while (index := scan.next_index()) is not None:
        scan.add_page(index, model.get(index))
    return scan.result(), scan.calls


def settle(model: Model, cursor: ListingCursor | None) -> tuple[ListingCursor | None, list[int]]:
    """Poll once; the cursor after it and the ids it returned."""
    result, _ = poll(model, cursor)
    return (result.cursor or cursor), [r["MsgID"] for r in result.records]


def started(model: Model) -> ListingCursor:
    """A cursor after a first start on the model as it is."""
    result, _ = poll(model, None, since=NOW - timedelta(minutes=10))
    assert result.complete and result.cursor is not None
    return result.cursor


# ---------------------------------------------------------------- calls when nothing is new


@pytest.mark.parametrize(("kind", "most"), [("asc", 1), ("desc", 1), ("alternate", 2)])
@pytest.mark.parametrize("size", [0, 1, 2, 150, 1000])
def test_nothing_new_costs_one_call_in_a_steady_order_and_two_when_it_flips(
    kind: str, most: int, size: int
) -> None:
    model = Model(orders(kind))
    model.arrive(size, NOW - timedelta(days=1))
    cursor = started(model)
    for _ in range(5):
        result, calls = poll(model, cursor)
        assert result.records == () and result.complete
        assert calls <= most
        assert result.cursor is not None
        cursor = result.cursor


def test_nothing_new_in_a_random_order_stops_after_a_few_calls() -> None:
    model = Model(orders("random", seed=11))
    model.arrive(500, NOW - timedelta(days=1))
    cursor = started(model)
    made = []
    for _ in range(30):
        result, calls = poll(model, cursor)
        assert result.records == ()
        made.append(calls)
        cursor = result.cursor or cursor
    # A first start read newest first does not learn where `high` sits oldest first: the
    # first poll answered oldest first looks for it (a few calls); the cursor keeps it.
    assert max(made) <= 12
    assert sorted(made)[-2] <= IDLE_CALLS


# ---------------------------------------------------------------- new records


@pytest.mark.parametrize("kind", ["asc", "desc", "alternate", "random"])
@pytest.mark.parametrize("new", [1, 5, 60, 98, 99, 100, 250, 1000])
def test_new_records_are_all_returned_in_any_order(kind: str, new: int) -> None:
    model = Model(orders(kind, seed=new))
    model.arrive(321, NOW - timedelta(days=1))
    cursor = started(model)
    arrived = set(model.arrive(new))
    returned: set[int] = set()
    for _ in range(6):
        cursor, ids = settle(model, cursor)
        returned.update(ids)
        assert set(ids) <= arrived  # never the history
    assert returned == arrived


@pytest.mark.parametrize(("kind", "calls_for_250"), [("asc", 4), ("desc", 4)])
def test_a_steady_order_reads_about_a_page_per_call(kind: str, calls_for_250: int) -> None:
    model = Model(orders(kind))
    model.arrive(321, NOW - timedelta(days=1))
    cursor = started(model)
    model.arrive(250)
    first, _ = poll(model, cursor)
    assert first.complete
    cursor = first.cursor
    result, calls = poll(model, cursor)  # settle the length hint
    model.arrive(250)
    result, calls = poll(model, result.cursor)
    assert result.complete and len(result.records) == 250
    assert calls <= calls_for_250


@pytest.mark.parametrize("kind", ["asc", "desc", "alternate", "random"])
def test_records_arriving_during_a_poll_are_returned_by_it_or_the_next(kind: str) -> None:
    model = Model(orders(kind, seed=5))
    model.arrive(150, NOW - timedelta(days=1))
    history = set(model.ids)
    cursor = started(model)
    model.arrive(120)
    model.during = {model.calls + 1: 3, model.calls + 2: 40, model.calls + 3: 1}
    returned: set[int] = set()
    for _ in range(6):
        cursor, ids = settle(model, cursor)
        returned.update(ids)
    assert len(model.ids) == 150 + 120 + 44
    assert returned == set(model.ids) - history


@pytest.mark.parametrize("kind", ["asc", "desc", "alternate"])
def test_records_removed_from_the_listing_do_not_hide_new_ones(kind: str) -> None:
    model = Model(orders(kind))
    model.arrive(400, NOW - timedelta(days=1))
    cursor = started(model)
    del model.ids[10:170]  # someone deleted old SMS in the panel
    arrived = set(model.arrive(30))
    returned: set[int] = set()
    for _ in range(6):
        cursor, ids = settle(model, cursor)
        returned.update(ids)
    assert returned == arrived


def test_a_backlog_longer_than_one_poll_is_read_over_several_newest_first() -> None:
    model = Model(orders("desc"))
    model.arrive(50, NOW - timedelta(days=1))
    cursor: ListingCursor | None = started(model)
    arrived = set(model.arrive(1000))
    returned: set[int] = set()
    polls = 0
    while True:
        result, calls = poll(model, cursor, max_calls=4)
        polls += 1
        assert calls <= 4
        returned.update(r["MsgID"] for r in result.records)
        cursor = result.cursor
        if result.complete:
            break
        assert cursor is not None and cursor.band is not None
    assert returned == arrived
    assert polls <= 4  # each poll goes on below what the last one read: no rereading


def test_a_backlog_longer_than_one_poll_is_read_over_several_oldest_first() -> None:
    model = Model(orders("asc"))
    model.arrive(50, NOW - timedelta(days=1))
    cursor: ListingCursor | None = started(model)
    arrived = set(model.arrive(1000))
    returned: set[int] = set()
    for _ in range(5):
        result, _ = poll(model, cursor, max_calls=4)
        returned.update(r["MsgID"] for r in result.records)
        assert result.cursor is not None
        cursor = result.cursor
    assert returned == arrived
    assert cursor is not None and cursor.high == max(arrived)


# ---------------------------------------------------------------- first start


@pytest.mark.parametrize("kind", ["asc", "desc", "alternate", "random"])
@pytest.mark.parametrize("history", [0, 3, 500, 1234])
def test_a_first_start_returns_only_the_recent_window(kind: str, history: int) -> None:
    model = Model(orders(kind, seed=history))
    model.arrive(history, NOW - timedelta(days=7))
    model.arrive(2, NOW - timedelta(minutes=11))
    recent = model.arrive(3, NOW - timedelta(minutes=4))
    result, calls = poll(model, None, since=NOW - timedelta(minutes=10))
    assert result.complete
    assert [r["MsgID"] for r in result.records] == recent
    assert result.cursor is not None and result.cursor.high == max(model.ids)
    assert calls <= 12
    new = model.arrive(2)
    cursor, returned = result.cursor, []
    for _ in range(5):  # a random order may need a poll or two more to show them
        cursor, ids = settle(model, cursor)
        returned += ids
    assert returned == new


def test_a_first_start_on_an_empty_listing_starts_at_zero() -> None:
    result, calls = poll(Model(orders("desc")), None, since=NOW)
    assert (result.complete, result.records, calls) == (True, (), 1)
    assert result.cursor == ListingCursor(0, 0, None)


# ---------------------------------------------------------------- never missing, whatever happens


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["asc", "desc", "alternate", "random"]),
    seed=st.integers(0, 10_000),
    steps=st.lists(
        st.tuples(st.integers(0, 260), st.integers(0, 30), st.integers(1, 6), st.integers(0, 40)),
        min_size=1,
        max_size=6,
    ),
)
def test_every_record_that_arrives_after_the_start_is_returned(
    kind: str, seed: int, steps: list[tuple[int, int, int, int]]
) -> None:
    random.seed(seed)
    model = Model(orders(kind, seed))
    model.arrive(random.randint(0, 300), NOW - timedelta(days=2))
    history = set(model.ids)
    cursor: ListingCursor | None = started(model)
    returned: set[int] = set()
    for between, during, max_calls, deleted in steps:
        # Someone deletes SMS already read (or history) in the panel.
        gone = [i for i in model.ids if i in history or i in returned]
        for record_id in random.sample(gone, min(deleted, len(gone))):
            model.ids.remove(record_id)
        model.arrive(between)
        model.during = {model.calls + random.randint(1, 3): during}
        result, calls = poll(model, cursor, max_calls=max_calls)
        assert calls <= max_calls
        returned.update(r["MsgID"] for r in result.records)
        cursor = result.cursor or cursor
    model.during = {}
    for _ in range(40):  # quiet polls until the reader has caught up
        result, _ = poll(model, cursor)
        returned.update(r["MsgID"] for r in result.records)
        cursor = result.cursor or cursor
        if result.complete and cursor is not None and cursor.high == max(model.ids, default=0):
            break
    assert set(model.ids) - history <= returned


# ---------------------------------------------------------------- the cursor


@pytest.mark.parametrize(
    "cursor",
    [
        ListingCursor(4516300123, 17),
        ListingCursor(4516300123, 17, "desc", (4516300200, 4516300900, 340)),
        ListingCursor(0, 0, "asc"),
    ],
)
def test_a_cursor_reads_back_as_it_was_written(cursor: ListingCursor) -> None:
    assert ListingCursor.load(cursor.dump()) == cursor


def test_an_offset_written_by_an_earlier_version_reads_as_a_first_start() -> None:
    assert ListingCursor.load("230") is None


@pytest.mark.parametrize(
    "text", ["abc", "-1", '{"v": 1, "high": 1, "length": 1}', '{"v": 2, "high": "x"}', "[]"]
)
def test_a_cursor_that_is_not_ours_is_refused(text: str) -> None:
    with pytest.raises(CursorError):
        ListingCursor.load(text)


def test_a_page_in_neither_order_proves_nothing() -> None:
    scan = ListingScan(
        ListingCursor(10, 3, "desc"),
        page=PAGE,
        max_calls=3,
        id_of=lambda r: r["MsgID"],
        date_of=lambda r: None,
    )
    while (index := scan.next_index()) is not None:
        scan.add_page(index, [{"MsgID": i} for i in (12, 9, 14, 8)])
    result = scan.result()
    assert not result.complete
    assert [r["MsgID"] for r in result.records] == [12, 14]
    assert result.cursor is not None and result.cursor.high == 10
