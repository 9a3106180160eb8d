"""The delivery job ticks every second so each recipient is asked when its schedule says: a tick
with nothing due costs no provider call, and a tick during a long cycle returns at once instead
of starting a second cycle of the same account."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from bot.config import Config
from bot.context import Account, BotData, Context
from bot.jobs import poll_deliveries
from providers.base import (
    DeliveryState,
    DeliveryUpdate,
    InboxBatch,
    Receipt,
    SendResult,
    SmsProvider,
)
from storage.db import open_database
from storage.repository import Repository

LINE = "10002188"


class HeldProvider(SmsProvider):
    """A provider whose delivery answers wait until the test lets them go."""

    provider_name = "held"

    def __init__(self) -> None:
        self.status_calls = 0
        self.asked = asyncio.Event()
        self.release = asyncio.Event()

    async def send(
        self,
        line: str,
        recipients: Sequence[str],
        text: str,
        *,
        at: datetime | None = None,
        flash: bool = False,
    ) -> SendResult:
        raise AssertionError("the delivery job never sends")

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        self.status_calls += 1
        self.asked.set()
        await self.release.wait()
        return [DeliveryUpdate(r, DeliveryState.DELIVERED, "1") for r in receipts]

    async def fetch_inbox(self, line: str, cursor: str | None) -> InboxBatch:
        return InboxBatch((), cursor or "")

    async def credit(self) -> Decimal:
        return Decimal(0)


@pytest.fixture
async def data(tmp_path: Path) -> AsyncIterator[BotData]:
    config = Config.model_validate(
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
    db = await open_database(tmp_path / "db.sqlite3")
    bot_data = BotData()
    bot_data.config = config
    bot_data.db = db
    bot_data.repo = Repository(db)
    bot_data.accounts = {"meli": Account(config.accounts[0], HeldProvider())}
    try:
        yield bot_data
    finally:
        await db.close()


def tick(data: BotData) -> Context:
    """What the JobQueue hands the job (no job queue: nothing else is scheduled)."""
    return cast(
        Context, SimpleNamespace(bot_data=data, job=SimpleNamespace(data="meli"), job_queue=None)
    )


def provider(data: BotData) -> HeldProvider:
    held = data.accounts["meli"].provider
    assert isinstance(held, HeldProvider)
    return held


async def health_rows(data: BotData) -> int:
    async with data.db.execute("SELECT count(*) FROM poll_health") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_a_tick_with_nothing_due_calls_no_provider_and_records_nothing(
    data: BotData,
) -> None:
    send, _ = await data.repo.create_send(
        idempotency_key="k",
        account="meli",
        line=LINE,
        text="t",
        chat_id=-1,
        requested_by=1,
        recipients=["+989121112222"],
    )
    later = datetime.now(UTC) + timedelta(seconds=10)
    await data.repo.record_send_result(send.id, [Receipt("+989121112222", "1")], next_poll_at=later)
    await poll_deliveries(tick(data))
    assert provider(data).status_calls == 0
    assert await health_rows(data) == 0


async def test_a_tick_during_a_running_cycle_returns_at_once(data: BotData) -> None:
    send, _ = await data.repo.create_send(
        idempotency_key="k",
        account="meli",
        line=LINE,
        text="t",
        chat_id=-1,
        requested_by=1,
        recipients=["+989121112222"],
    )
    due = datetime.now(UTC) - timedelta(seconds=1)
    await data.repo.record_send_result(send.id, [Receipt("+989121112222", "1")], next_poll_at=due)
    held = provider(data)
    cycle = asyncio.create_task(poll_deliveries(tick(data)))
    await asyncio.wait_for(held.asked.wait(), 10)
    await asyncio.wait_for(poll_deliveries(tick(data)), 1)  # the second tick: back at once
    assert held.status_calls == 1, "no second cycle of the same recipients"
    held.release.set()
    await cycle
    [recipient] = await data.repo.get_recipients(send.id)
    assert recipient.state is DeliveryState.DELIVERED and recipient.polls == 1
