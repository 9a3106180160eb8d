"""The delivery schedule: the first poll `[polling] delivery` after the send, then the backoff
waits; it keeps a fresh send's reports prompt and bounds the calls one recipient costs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.config import Config
from bot.delivery.jobs import DELIVERY_TICK
from bot.delivery.service import first_poll_at, next_poll_at

START = datetime(2026, 11, 22, tzinfo=UTC)


def data_with(delivery: dict[str, Any], polling: dict[str, Any] | None = None) -> Config:
    return Config.model_validate(
        {
            "telegram": {"token": "1:abc", "admins": [1], "admin_chat_id": -1},
            "accounts": [
                {
                    "name": "a",
                    "provider": "payamak",
                    "username": "u",
                    "password": "p",
                    "lines": ["10002188"],
                }
            ],
            "delivery": delivery,
            "polling": polling or {},
        }
    )


def life(data: Config) -> list[float]:
    """Delays between polls of a recipient that never reaches a final state."""
    delays: list[float] = []
    now = START
    polls = 0
    while (later := next_poll_at(data, polls, now)) is not None:
        delays.append((later - now).total_seconds())
        now, polls = later, polls + 1
    return delays


def poll_moments(data: Config) -> list[float]:
    """Seconds after the send of every poll of a recipient that never reaches a final state."""
    first = (first_poll_at(data.polling.delivery, START) - START).total_seconds()
    moments = [first]
    for delay in life(data):
        moments.append(moments[-1] + delay)
    return moments


def test_the_first_poll_comes_polling_delivery_after_the_send() -> None:
    assert first_poll_at(data_with({}).polling.delivery, START) - START == timedelta(
        seconds=10
    )  # SPEC §3
    custom = data_with({"backoff_seconds": [30, 60]}, polling={"delivery": 7})
    assert first_poll_at(custom.polling.delivery, START) - START == timedelta(seconds=7)
    assert poll_moments(custom)[:3] == [7, 37, 97]


def test_delays_follow_the_schedule_then_repeat_its_last_step() -> None:
    data = data_with({"backoff_seconds": [10, 20, 40], "give_up_hours": 1})
    delays = life(data)
    assert delays[:4] == [10, 20, 40, 40]
    assert set(delays[2:]) == {40}


def test_polling_stops_at_the_give_up_age() -> None:
    data = data_with({"backoff_seconds": [10, 20, 40], "give_up_hours": 1})
    last = poll_moments(data)[-1]
    assert last <= 3600
    assert last + 40 > 3600


def test_default_schedule_shows_a_fresh_sends_reports_within_15_s() -> None:
    moments = poll_moments(data_with({}))
    # A report the provider gets in the send's first minute is seen by the next poll (plus at
    # most one tick of the delivery job): the polls up to the first one at or past 60 s count.
    first_minute = [0.0, *(m for m in moments if m < 60), min(m for m in moments if m >= 60)]
    waits = [b - a for a, b in itertools.pairwise(first_minute)]
    assert max(waits) + DELIVERY_TICK <= 15, waits
    later = [b - a for a, b in itertools.pairwise(moments) if a >= 60]
    assert later == sorted(later) and later[-1] > later[0], "gaps grow after the first minute"


def test_default_schedule_bounds_calls_per_recipient() -> None:
    moments = poll_moments(data_with({}))
    assert len(moments) <= 20  # one Payamak call a poll: at most 20 a recipient (SPEC §7)
    assert moments[-1] <= 72 * 3600
