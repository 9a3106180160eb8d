"""A send whose adapter fails in an unexpected way is stored as unknown at once, never left
'submitting' until a restart, and never resent; the service runs with no Telegram at all (its
alerts go to any sink)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import Config
from bot.context import Account
from bot.send.service import Recipients, SendRequest, SmsText, submit_send
from providers.base import DeliveryUpdate, InboxBatch, Receipt, SendResult, SmsProvider
from storage.db import open_database
from storage.models import SendStatus
from storage.repository import Repository


class RecordedAlerts:
    """An alert sink that keeps what it was asked to post."""

    def __init__(self) -> None:
        self.alerts: list[tuple[str, str, dict[str, object]]] = []

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        self.alerts.append((key, text_key, values))
        return True


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
        repo = Repository(db)
        provider = BrokenProvider()
        account = Account(config.accounts[0], provider)
        request = SendRequest(
            "tg:1:1", account, "5000", Recipients(("+989121111111",)), SmsText("hi", 1), 1, 1
        )
        alerts = RecordedAlerts()
        with pytest.raises(RuntimeError):
            await submit_send(repo, alerts, request, poll_delay=10)
        send = await repo.find_send_by_key("tg:1:1")
        assert send is not None and send.status is SendStatus.UNKNOWN
        [recipient] = await repo.get_recipients(send.id)
        assert recipient.state.value == "unknown"
        again = await submit_send(repo, alerts, request, poll_delay=10)
        assert not again.created and provider.calls == 1
        assert alerts.alerts == []  # no alert before the exception propagates
    finally:
        await db.close()
