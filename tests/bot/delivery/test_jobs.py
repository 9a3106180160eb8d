"""The delivery job ticks every second so each recipient is asked when its schedule says: a tick
with nothing due costs no provider call and writes nothing. (That a tick during a long cycle
starts no second cycle is the JobQueue's `max_instances=1`: tests/bot/jobs/test_schedule.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from held_provider import HeldProvider

from bot.config import Config
from bot.context import Account, BotData, Context
from bot.delivery.jobs import poll_deliveries
from providers.base import Receipt
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database
from storage.sqlite.leases import SqliteLeases

LINE = "10002188"


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
    bot_data.repo = SqliteStorage(db)
    bot_data.leases = SqliteLeases()
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
