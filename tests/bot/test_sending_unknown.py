"""A send whose adapter fails in an unexpected way is stored as unknown at once, never left
'submitting' until a restart, and never resent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from storage_backends import SqliteProbe
from telegram import Bot

from bot.config import Config
from bot.context import Account, BotData
from bot.sending import SendRequest, submit_send
from providers.base import DeliveryUpdate, InboxBatch, Receipt, SendResult, SmsProvider
from storage.models import SendStatus
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database


class BrokenProvider(SmsProvider):
    """A provider boundary that fails with a plain bug after being called."""

    provider_name = "broken"
    calls = 0

    async def send(
        self,
        line: str,
        recipients: Sequence[str],
        text: str,
        *,
        at: datetime | None = None,
        flash: bool = False,
    ) -> SendResult:
        self.calls += 1
        raise RuntimeError("adapter bug")

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        return []

    async def fetch_inbox(self, line: str, cursor: str | None) -> InboxBatch:
        return InboxBatch((), cursor or "")

    async def credit(self) -> Decimal:
        return Decimal(0)


async def test_an_unexpected_failure_marks_the_send_unknown_and_it_is_not_resent(
    tmp_path: Path,
) -> None:
    config = Config.model_validate(
        {
            "telegram": {"token": "1:abc", "admins": [1], "admin_chat_id": -1},
            "accounts": [
                {
                    "name": "a",
                    "provider": "raygansms",
                    "username": "u",
                    "password": "p",
                    "lines": ["5000"],
                }
            ],
        }
    )
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        data = BotData()
        data.config = config
        data.repo = SqliteStorage(db)
        provider = BrokenProvider()
        account = Account(config.accounts[0], provider)
        request = SendRequest("tg:1:1", account, "5000", ("+989121111111",), "hi", 1, 1)
        bot = Bot("1:abc")  # never used: no alert is sent before the exception propagates
        with pytest.raises(RuntimeError):
            await submit_send(data, bot, request)
        send = await SqliteProbe(db).find_send_by_key("tg:1:1")
        assert send is not None and send.status is SendStatus.UNKNOWN
        [recipient] = await data.repo.get_recipients(send.id)
        assert recipient.state.value == "unknown"
        again = await submit_send(data, bot, request)
        assert not again.created and provider.calls == 1
    finally:
        await db.close()
