"""The delivery poll cycle without Telegram: every due recipient asked once, a batch at a time;
the state the provider gives stored, the next poll set by the schedule (none once final); a
recipient the provider says nothing about keeps its state and is asked again later."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from held_provider import HeldProvider

import bot.delivery.service
from bot.config import Config
from bot.delivery.service import anything_due, next_poll_at, poll_cycle
from providers.base import DeliveryState, DeliveryUpdate, Receipt
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

LINE = "10002188"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
CONFIG = Config.model_validate(
    {
        "telegram": {"token": "1:abc", "admins": [1], "admin_chat_id": -1},
        "accounts": [
            {
                "name": "meli",
                "provider": "payamak",
                "username": "u",
                "password": "p",
                "lines": [LINE],
            }
        ],
    }
)


class PartlyAnswering(HeldProvider):
    """Answers at once: delivered, except for the numbers in `silent` (no word on them)."""

    def __init__(self, silent: Sequence[str] = ()) -> None:
        super().__init__()
        self.silent = set(silent)
        self.release.set()
        self.batches: list[int] = []

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        self.batches.append(len(receipts))
        answered = await super().delivery_statuses(
            [r for r in receipts if r.recipient not in self.silent]
        )
        return answered


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        yield SqliteStorage(db)
    finally:
        await db.close()


async def sent(repo: SqliteStorage, key: str, numbers: Sequence[str], due: datetime) -> int:
    send, _ = await repo.create_send(
        idempotency_key=key,
        account="meli",
        line=LINE,
        text="t",
        chat_id=-1,
        requested_by=1,
        recipients=list(numbers),
    )
    receipts = [Receipt(n, f"{key}-{i}") for i, n in enumerate(numbers)]
    await repo.record_send_result(send.id, receipts, next_poll_at=due)
    return send.id


async def test_a_cycle_asks_about_the_due_recipients_once_and_stores_their_states(
    repo: SqliteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.delivery.service, "DELIVERY_BATCH", 2)
    due = await sent(
        repo, "due", ["+989121110001", "+989121110002", "+989121110003"], NOW - timedelta(1)
    )
    later = await sent(repo, "later", ["+989121110009"], NOW + timedelta(seconds=5))
    provider = PartlyAnswering(silent=["+989121110003"])
    assert await anything_due(repo, "meli", NOW)
    cycle = await poll_cycle(repo, CONFIG, "meli", provider, NOW)
    assert (cycle.polled, cycle.changed) == (3, 2)
    assert provider.batches == [2, 1], "a batch at a time, each recipient once"
    states = {r.recipient: r for r in await repo.get_recipients(due)}
    assert states["+989121110001"].state is DeliveryState.DELIVERED
    assert states["+989121110001"].next_poll_at is None, "final: never asked again"
    silent = states["+989121110003"]
    assert silent.state is not DeliveryState.DELIVERED and silent.polls == 1
    assert silent.next_poll_at == next_poll_at(CONFIG, 0, NOW)
    [untouched] = await repo.get_recipients(later)
    assert untouched.polls == 0
    assert not await anything_due(repo, "meli", NOW)


async def test_a_cycle_with_nothing_due_asks_nothing(repo: SqliteStorage) -> None:
    await sent(repo, "later", ["+989121110009"], NOW + timedelta(seconds=5))
    provider = PartlyAnswering()
    assert not await anything_due(repo, "meli", NOW)
    assert await poll_cycle(repo, CONFIG, "meli", provider, NOW) == (
        bot.delivery.service.CycleResult(0, 0)
    )
    assert provider.batches == []
