"""The delivery backoff schedule bounds the calls one recipient costs over its life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.config import Config
from bot.context import BotData
from bot.jobs import next_poll_at

START = datetime(2026, 11, 22, tzinfo=UTC)


def data_with(delivery: dict[str, Any]) -> BotData:
    data = BotData()
    data.config = Config.model_validate(
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
        }
    )
    return data


def life(data: BotData) -> list[float]:
    """Delays between polls of a recipient that never reaches a final state."""
    delays: list[float] = []
    now = START
    polls = 0
    while (later := next_poll_at(data, polls, now)) is not None:
        delays.append((later - now).total_seconds())
        now, polls = later, polls + 1
    return delays


def test_delays_follow_the_schedule_then_repeat_its_last_step() -> None:
    data = data_with({"backoff_seconds": [10, 20, 40], "give_up_hours": 1})
    delays = life(data)
    assert delays[:3] == [20, 40, 40]
    assert set(delays[2:]) == {40}


def test_polling_stops_at_the_give_up_age() -> None:
    data = data_with({"backoff_seconds": [10, 20, 40], "give_up_hours": 1})
    delays = life(data)
    first = 10  # the first poll is scheduled when the send is stored
    assert first + sum(delays) <= 3600
    assert first + sum(delays) + 40 > 3600


def test_default_schedule_bounds_calls_per_recipient() -> None:
    data = data_with({})
    polls = 1 + len(life(data))
    assert polls <= 25
    assert timedelta(seconds=30 + sum(life(data))) <= timedelta(hours=72)
