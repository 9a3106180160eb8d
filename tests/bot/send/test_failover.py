"""Which failures allow failover (the first account surely sent nothing), and `submit_send`
making one hop at most, the move stored before the second call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import Config
from bot.context import Account, with_fallbacks
from bot.send.service import (
    Recipients,
    SendRequest,
    SmsText,
    failover_reason,
    submit_send,
    surely_nothing_sent,
)
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

A = "+989121111111"

NO_CREDIT = ProviderError(ErrorCategory.CREDIT, "no credit", provider="raygansms", code="3003")
NEVER_CONNECTED = ProviderError(
    ErrorCategory.TRANSIENT, "cannot connect", retry_safe=True, reason_key="network"
)

CASES = [
    ("no credit", NO_CREDIT, True),
    ("credentials", ProviderError(ErrorCategory.AUTH, "401", code="401"), True),
    ("a limit", ProviderError(ErrorCategory.RATE_LIMIT, "daily limit", code="3"), True),
    ("never connected", NEVER_CONNECTED, True),
    ("said nothing went", NEVER_CONNECTED.with_(nothing_sent=True, reason_key=""), True),
    (
        "timed out after sending",
        NEVER_CONNECTED.with_(outcome_unknown=True, unknown_recipients=(A,)),
        False,
    ),
    ("unknown, recipients not named", NO_CREDIT.with_(outcome_unknown=True), False),
    (
        "partly sent",
        ProviderError(ErrorCategory.PARTIAL, "5004", receipts=(Receipt(A, group_id="g"),)),
        False,
    ),
    ("some went", NO_CREDIT.with_(receipts=(Receipt(A, group_id="g"),)), False),
    ("our request's fault", ProviderError(ErrorCategory.BAD_REQUEST, "line not owned"), False),
    ("unsupported", ProviderError(ErrorCategory.UNSUPPORTED, "no ports"), False),
]


@pytest.mark.parametrize(("error", "allowed"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_failover_only_when_nothing_surely_went(error: ProviderError, allowed: bool) -> None:
    assert surely_nothing_sent(error) is allowed


def test_the_stored_reason_names_the_category_and_the_reason_key() -> None:
    assert failover_reason(NO_CREDIT) == "credit:raygansms.3003"
    assert failover_reason(NEVER_CONNECTED) == "transient:network"
    assert failover_reason(ProviderError(ErrorCategory.AUTH, "x")) == "auth:"


class Scripted(SmsProvider):
    """A provider boundary answering every send with `answer` (raised if an exception)."""

    provider_name = "scripted"

    def __init__(self, answer: SendResult | ProviderError) -> None:
        self.answer = answer
        self.lines_called: list[str] = []

    async def send(
        self,
        line: str,
        recipients: Sequence[str],
        text: str,
        *,
        at: datetime | None = None,
        flash: bool = False,
    ) -> SendResult:
        self.lines_called.append(line)
        if isinstance(self.answer, ProviderError):
            raise self.answer
        return self.answer

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        return []

    async def fetch_inbox(self, line: str, cursor: str | None) -> InboxBatch:
        return InboxBatch((), cursor or "")

    async def credit(self) -> Decimal:
        return Decimal(0)


def account(name: str, line: str, fallback: str = "") -> dict[str, object]:
    return {
        "name": name,
        "provider": "raygansms",
        "username": "u",
        "password": "p",
        "lines": [line],
        "fallback": fallback,
    }


CONFIG = Config.model_validate(
    {
        "telegram": {"token": "1:abc", "admins": [1], "admin_chat_id": -1},
        "accounts": [account("a", "5001", "b"), account("b", "5002", "c"), account("c", "5003")],
    }
)


class Alerts:
    def __init__(self) -> None:
        self.keys: list[str] = []

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        self.keys.append(key)
        return True


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        yield SqliteStorage(db)
    finally:
        await db.close()


def accounts(answers: dict[str, SendResult | ProviderError]) -> dict[str, Account]:
    return with_fallbacks({a.name: Account(a, Scripted(answers[a.name])) for a in CONFIG.accounts})


def request(account: Account) -> SendRequest:
    return SendRequest("k", account, "5001", Recipients((A,)), SmsText("hi", 1), 1, 1)


def calls(accounts: dict[str, Account]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, acc in accounts.items():
        assert isinstance(acc.provider, Scripted)
        out[name] = acc.provider.lines_called
    return out


async def test_one_hop_never_a_chain(repo: SqliteStorage) -> None:
    by_name = accounts({"a": NO_CREDIT, "b": NO_CREDIT, "c": SendResult((Receipt(A, "1"),))})
    alerts = Alerts()
    outcome = await submit_send(repo, alerts, request(by_name["a"]), poll_delay=10)
    assert calls(by_name) == {"a": ["5001"], "b": ["5002"], "c": []}
    send = outcome.send
    assert (send.status, send.account, send.line) == (SendStatus.FAILED, "b", "5002")
    assert (send.failover_from, send.failover_reason) == ("a", "credit:raygansms.3003")
    assert alerts.keys == ["credit_out:a", "credit_out:b"]


async def test_the_fallback_sends_and_the_recipients_follow_it(repo: SqliteStorage) -> None:
    by_name = accounts({"a": NEVER_CONNECTED, "b": SendResult((Receipt(A, "9"),)), "c": NO_CREDIT})
    outcome = await submit_send(repo, Alerts(), request(by_name["a"]), poll_delay=10)
    assert outcome.error is None and outcome.send.status is SendStatus.SUBMITTED
    assert (outcome.send.account, outcome.send.failover_from) == ("b", "a")
    # Delivery polling asks the account that sent it.
    due = await repo.due_recipients(
        "b", datetime.max.replace(tzinfo=outcome.send.created_at.tzinfo)
    )
    assert [r.recipient for r in due] == [A]
    # The same request again: nothing is called, on either account.
    again = await submit_send(repo, Alerts(), request(by_name["a"]), poll_delay=10)
    assert not again.created and calls(by_name) == {"a": ["5001"], "b": ["5002"], "c": []}


async def test_an_unknown_outcome_stays_on_the_first_account(repo: SqliteStorage) -> None:
    unknown = NEVER_CONNECTED.with_(outcome_unknown=True, unknown_recipients=(A,))
    by_name = accounts({"a": unknown, "b": SendResult((Receipt(A, "9"),)), "c": NO_CREDIT})
    outcome = await submit_send(repo, Alerts(), request(by_name["a"]), poll_delay=10)
    assert outcome.send.status is SendStatus.UNKNOWN and outcome.send.failover_from is None
    assert calls(by_name)["b"] == []
