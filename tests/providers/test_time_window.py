"""The time-window reader (RayganSMS ReceiveMessages) against a model inbox: windows that fit a
page, newest first; late-dated records; records landing while a poll reads; a look-back longer
than one poll can read; the cursor."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.time_window import (
    CursorError,
    Request,
    WindowCursor,
    WindowScan,
    merge,
)

PAGE = 100
NOW = 1_700_000_000
HOUR = 3600


@dataclass
class Inbox:
    """Records (date, body) listed by date window in pages of 100, sorted by date; records
    may be set to land just before a given call."""

    records: list[tuple[int, str]] = field(default_factory=list)
    landing: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    calls: int = 0

    def get(self, request: Request) -> tuple[int, list[tuple[int, str]]]:
        self.calls += 1
        self.records += self.landing.pop(self.calls, [])
        found = sorted(r for r in self.records if request.start <= r[0] <= request.end)
        total = max(1, -(-len(found) // PAGE))
        first = (request.page - 1) * PAGE
        return total, found[first : first + PAGE]


def poll(
    inbox: Inbox,
    cursor: WindowCursor | None,
    *,
    now: int = NOW,
    lookback: int = 6 * HOUR,
    max_calls: int = 40,
) -> WindowScan:
    scan = WindowScan(
        cursor, now=now, lookback=lookback, overlap=120, first_start=600, max_calls=max_calls
    )
    while (request := scan.next_request()) is not None:
        total, records = inbox.get(request)
        scan.add_answer(request, total, records)
    return scan


def read(scan: WindowScan) -> list[tuple[int, str]]:
    return [record for group in scan.groups for record in group]


# ---------------------------------------------------------------- calls per poll


@pytest.mark.parametrize(
    ("in_lookback", "most_calls"),
    [(0, 1), (1, 1), (99, 1), (100, 3), (500, 12), (2000, 36)],
)
def test_a_look_back_costs_about_one_call_per_80_records(in_lookback: int, most_calls: int) -> None:
    rng = random.Random(in_lookback)
    inbox = Inbox([(NOW - rng.randrange(6 * HOUR), f"m{n}") for n in range(in_lookback)])
    scan = poll(inbox, WindowCursor(NOW - 30))
    assert scan.complete
    assert sorted(read(scan)) == sorted(inbox.records)
    assert scan.calls <= most_calls
    assert all(len(group) <= PAGE for group in scan.groups)


def test_every_window_read_fits_one_page_so_each_is_one_snapshot() -> None:
    inbox = Inbox([(NOW - n, "x") for n in range(1000)])
    scan = poll(inbox, WindowCursor(NOW - 30))
    assert all(len(group) < PAGE for group in scan.groups)
    assert len(read(scan)) == 1000


def test_a_poll_never_makes_more_calls_than_its_bound() -> None:
    inbox = Inbox([(NOW - n * 5, "x") for n in range(4000)])
    scan = poll(inbox, WindowCursor(NOW - 30), max_calls=10)
    assert scan.calls == 10
    assert not scan.complete
    cursor = scan.cursor()
    assert cursor.todo  # what is left, for the next polls
    assert not scan.behind  # the newest SMS were read first: only older windows wait


def test_a_poll_that_cannot_read_even_the_newest_sms_says_it_is_behind() -> None:
    inbox = Inbox([(NOW - n % 20, "x") for n in range(3000)])  # 150 a second, the last 20 s
    scan = poll(inbox, WindowCursor(NOW - 30), max_calls=4)
    assert scan.behind


def test_what_one_poll_could_not_read_the_next_polls_read_newest_first() -> None:
    inbox = Inbox([(NOW - n * 5, f"m{n}") for n in range(4000)])
    cursor: WindowCursor | None = WindowCursor(NOW - 30)
    seen: set[tuple[int, str]] = set()
    now = NOW
    for _ in range(12):
        scan = poll(inbox, cursor, now=now, max_calls=10)
        seen.update(read(scan))
        cursor = scan.cursor()
        now += 30
        if scan.complete:
            break
    assert scan.complete
    assert seen == set(inbox.records)


def test_more_than_a_page_in_one_second_is_read_page_by_page() -> None:
    inbox = Inbox([(NOW - 10, f"same second {n}") for n in range(250)])
    scan = poll(inbox, WindowCursor(NOW - 30))
    assert scan.complete
    assert scan.shifted_seconds == [NOW - 10]
    assert sorted(read(scan)) == sorted(inbox.records)


# ---------------------------------------------------------------- late dates, shifting


@pytest.mark.parametrize("late", [180, 600, 2 * HOUR, 5 * HOUR])
def test_a_record_dated_long_before_it_shows_up_is_read(late: int) -> None:
    inbox = Inbox()
    cursor = poll(inbox, None).cursor()
    now = NOW + 30
    inbox.records.append((now - late, "late"))
    scan = poll(inbox, cursor, now=now)
    assert read(scan) == [(now - late, "late")]


def test_a_record_landing_while_a_poll_reads_is_read_once_by_it_or_the_next() -> None:
    inbox = Inbox([(NOW - 100 + n * 100 // 150, f"m{n}") for n in range(150)])
    inbox.landing = {2: [(NOW - 99, "landed")]}
    first = poll(inbox, WindowCursor(NOW - 30))
    second = poll(inbox, first.cursor(), now=NOW + 30)
    for scan in (first, second):  # within one poll, no record twice
        assert len(read(scan)) == len(set(read(scan)))
    assert set(read(first)) | set(read(second)) == set(inbox.records)


def test_identical_records_are_always_read_by_the_same_call() -> None:
    twins = [(NOW - 500, "yes"), (NOW - 500, "yes")]
    inbox = Inbox(twins + [(NOW - rng, "x") for rng in range(0, 6 * HOUR, 97)])
    for max_width_poll in range(3):
        scan = poll(inbox, WindowCursor(NOW - 30 - max_width_poll * 1000))
        groups = [g for g in scan.groups if (NOW - 500, "yes") in g]
        assert len(groups) == 1 and groups[0].count((NOW - 500, "yes")) == 2


# ---------------------------------------------------------------- first start, stops


def test_a_first_poll_reads_the_look_back_and_marks_what_is_history() -> None:
    inbox = Inbox([(NOW - 2 * HOUR, "old"), (NOW - 300, "recent"), (NOW - 7 * HOUR, "gone")])
    scan = poll(inbox, None)
    assert scan.first and scan.complete
    assert scan.history_before == NOW - 600
    assert sorted(read(scan)) == [(NOW - 2 * HOUR, "old"), (NOW - 300, "recent")]
    assert (scan.cursor().top, scan.cursor().todo) == (NOW, ())


def test_after_a_long_stop_the_look_back_starts_from_the_last_poll() -> None:
    stopped_at = NOW - 3 * 24 * HOUR
    inbox = Inbox([(stopped_at - HOUR, "just before the stop"), (NOW - 2 * 24 * HOUR, "during")])
    scan = poll(inbox, WindowCursor(stopped_at))
    assert sorted(read(scan)) == sorted(inbox.records)


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    polls=st.integers(1, 8),
    max_calls=st.integers(1, 6),
)
def test_every_record_dated_within_the_look_back_is_read_eventually(
    seed: int, polls: int, max_calls: int
) -> None:
    rng = random.Random(seed)
    inbox = Inbox()
    cursor = poll(inbox, None).cursor()
    now = NOW
    expected: set[tuple[int, str]] = set()
    seen: set[tuple[int, str]] = set()
    for n in range(polls):
        now += 30
        for k in range(rng.randrange(0, 150)):
            record = (now - rng.choice([0, 5, 200, 3 * HOUR]), f"p{n}-{k}")
            inbox.records.append(record)
            expected.add(record)
        inbox.landing = {inbox.calls + 1: [(now - 50, f"landed {n}")]}
        expected.add((now - 50, f"landed {n}"))
        scan = poll(inbox, cursor, now=now, max_calls=max_calls)
        seen.update(read(scan))
        cursor = scan.cursor()
    for _ in range(100):
        now += 30
        scan = poll(inbox, cursor, now=now, max_calls=max_calls)
        seen.update(read(scan))
        cursor = scan.cursor()
        if scan.complete and expected <= seen:
            break
    assert expected <= seen


# ---------------------------------------------------------------- the cursor


@pytest.mark.parametrize(
    "cursor",
    [
        WindowCursor(NOW),
        WindowCursor(NOW, ((NOW - 100, NOW - 50), (NOW - 900, NOW - 800))),
        WindowCursor(NOW, ((NOW - 100, NOW - 50),), NOW - 600),
        WindowCursor(NOW, (), None, (NOW - 10, NOW - 500, NOW - 9000)),
    ],
)
def test_a_cursor_reads_back_as_it_was_written(cursor: WindowCursor) -> None:
    assert WindowCursor.load(cursor.dump()) == cursor


def test_unix_seconds_of_an_earlier_version_are_the_top() -> None:
    assert WindowCursor.load(str(NOW)) == WindowCursor(NOW)


@pytest.mark.parametrize("text", ["yesterday", '{"v": 1, "top": 5}', '{"v": 2}', "[]"])
def test_a_cursor_that_is_not_ours_is_refused(text: str) -> None:
    with pytest.raises(CursorError):
        WindowCursor.load(text)


def test_a_steady_look_back_is_read_again_in_the_windows_that_fitted_without_probing() -> None:
    rng = random.Random(3)
    inbox = Inbox([(NOW - rng.randrange(6 * HOUR), f"m{n}") for n in range(800)])
    first = poll(inbox, WindowCursor(NOW - 30))
    now = NOW + 30
    inbox.records += [(now - 2, "new")]
    again = poll(inbox, first.cursor(), now=now)
    assert again.complete
    assert again.calls <= -(-801 // 80) + 1  # one call per window, no window narrowed
    assert again.calls < first.calls
    assert sorted(read(again)) == sorted(r for r in inbox.records if r[0] >= now - 30 - 6 * HOUR)


def test_intervals_merge_where_they_touch_newest_first() -> None:
    assert merge([(1, 5), (6, 9), (20, 30), (25, 26), (40, 39)]) == ((20, 30), (1, 9))
