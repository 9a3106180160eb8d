"""`submit_send` with no Telegram at all (its alerts go to any sink): stored before the
provider is called, never resent, failures recorded and the admins' sink told.

A send whose adapter fails in an unexpected way is stored as unknown at once, never left
'submitting' until a restart, and never resent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from storage_backends import SqliteProbe

from bot.config import Config
from bot.context import Account
from bot.send.service import Recipients, SendRequest, SmsText, submit_send
from providers.base import (
    DeliveryUpdate,
    ErrorCategory,
    InboxBatch,
    ProviderError,
    Receipt,
    SendResult,
    SmsProvider,
)
from storage.models import SendStatus
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

NUMBERS = ("+989121111111", "+989122222222")


class RecordedAlerts:
    """An alert sink that keeps what it was asked to post."""

    def __init__(self) -> None:
        self.alerts: list[tuple[str, str]] = []

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        self.alerts.append((key, text_key))
        return True


class ScriptedProvider(SmsProvider):
    """A provider boundary that answers every send with `answer` (raised if an exception)."""

    provider_name = "scripted"

    def __init__(self, answer: SendResult | BaseException) -> None:
        self.answer = answer
        self.calls = 0

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
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        return []

    async def fetch_inbox(self, line: str, cursor: str | None) -> InboxBatch:
        return InboxBatch((), cursor or "")

    async def credit(self) -> Decimal:
        return Decimal(0)


CONFIG = Config.model_validate(
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


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        yield SqliteStorage(db)
    finally:
        await db.close()


def request_for(provider: SmsProvider, numbers: tuple[str, ...] = NUMBERS) -> SendRequest:
    account = Account(CONFIG.accounts[0], provider)
    return SendRequest("tg:1:1", account, "5000", Recipients(numbers), SmsText("hi", 1), 1, 1)


async def test_an_unexpected_failure_marks_the_send_unknown_and_it_is_not_resent(
    repo: SqliteStorage,
) -> None:
    provider = ScriptedProvider(RuntimeError("adapter bug"))
    request = request_for(provider, NUMBERS[:1])
    alerts = RecordedAlerts()
    with pytest.raises(RuntimeError):
        await submit_send(repo, alerts, request, poll_delay=10)
    send = await SqliteProbe(repo._conn).find_send_by_key("tg:1:1")
    assert send is not None and send.status is SendStatus.UNKNOWN
    [recipient] = await repo.get_recipients(send.id)
    assert recipient.state.value == "unknown"
    again = await submit_send(repo, alerts, request, poll_delay=10)
    assert not again.created and provider.calls == 1
    assert alerts.alerts == []  # no alert before the exception propagates


async def test_an_accepted_send_is_submitted_and_its_recipients_sent(repo: SqliteStorage) -> None:
    receipts = tuple(Receipt(n, message_id=str(i)) for i, n in enumerate(NUMBERS))
    provider = ScriptedProvider(SendResult(receipts))
    alerts = RecordedAlerts()
    outcome = await submit_send(repo, alerts, request_for(provider), poll_delay=10)
    assert outcome.created and outcome.error is None
    assert outcome.send.status is SendStatus.SUBMITTED
    states = [r.state.value for r in await repo.get_recipients(outcome.send.id)]
    assert states == ["sent", "sent"] and alerts.alerts == []


async def test_refused_credentials_fail_the_send_and_alert_the_sink(repo: SqliteStorage) -> None:
    error = ProviderError(ErrorCategory.AUTH, "wrong password", nothing_sent=True)
    provider = ScriptedProvider(error)
    alerts = RecordedAlerts()
    outcome = await submit_send(repo, alerts, request_for(provider), poll_delay=10)
    assert outcome.created and outcome.error is error
    assert outcome.send.status is SendStatus.FAILED
    assert alerts.alerts == [("auth:a", "alert.auth")]


async def test_an_answer_lost_makes_the_send_unknown_and_tells_the_sink(
    repo: SqliteStorage,
) -> None:
    error = ProviderError(ErrorCategory.TRANSIENT, "timed out", outcome_unknown=True)
    alerts = RecordedAlerts()
    outcome = await submit_send(repo, alerts, request_for(ScriptedProvider(error)), poll_delay=10)
    assert outcome.send.status is SendStatus.UNKNOWN
    assert alerts.alerts == [(f"unknown_send:{outcome.send.id}", "alert.unknown_outcome")]
