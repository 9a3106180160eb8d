"""The inbox service with no Telegram at all: storage is real SQLite, the provider a scripted
one, and what people are told is recorded."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.inbox.service import InboxPoller
from providers.base import (
    DEFAULT_WINDOW,
    DeliveryUpdate,
    InboxBatch,
    InboxWindow,
    IncomingSms,
    Receipt,
    SendResult,
    SmsProvider,
    UnreadableRecord,
)
from storage.models import QuarantinedRecord
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

LINE = "50002910001080"
ADMINS = -1001
GROUP = -2002
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class ScriptedInbox(SmsProvider):
    """Answers each fetch with the next scripted batch (then nothing new)."""

    provider_name = "scripted"

    def __init__(self, batches: Sequence[InboxBatch]) -> None:
        self.batches = list(batches)
        self.readable: set[str] = set()

    async def send(
        self,
        line: str,
        recipients: Sequence[str],
        text: str,
        *,
        at: datetime | None = None,
        flash: bool = False,
    ) -> SendResult:
        raise AssertionError("the inbox never sends")

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        return []

    async def fetch_inbox(
        self, line: str, cursor: str | None, window: InboxWindow = DEFAULT_WINDOW
    ) -> InboxBatch:
        return self.batches.pop(0) if self.batches else InboxBatch((), cursor)

    def read_unreadable(self, record: UnreadableRecord) -> IncomingSms:
        if record.key not in self.readable:
            raise ValueError("still unreadable")
        return sms(record.key, json.loads(record.raw)["body"])

    async def credit(self) -> Decimal:
        return Decimal(0)


@dataclass
class RecordedNotices:
    """`InboxNotices` that remember what they were asked to say."""

    reachable: bool = True
    said: list[tuple[str, object]] = field(default_factory=list)

    async def first_start(self, line: str, chat_ids: Sequence[int], count: int) -> None:
        self.said.append(("first_start", (line, list(chat_ids), count)))

    async def quarantined(self, account: str, record: QuarantinedRecord) -> bool:
        if self.reachable:
            self.said.append(("quarantined", record.record_key))
        return self.reachable

    async def quarantine_read(self, record: QuarantinedRecord) -> None:
        self.said.append(("quarantine_read", record.record_key))


@dataclass(frozen=True)
class ScriptedAccount:
    name: str
    lines: tuple[str, ...]
    provider: SmsProvider


def sms(key: str, body: str = "سلام") -> IncomingSms:
    return IncomingSms(LINE, "+989121234567", body, T0, key)


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    conn = await open_database(tmp_path / "db.sqlite3")
    try:
        storage = SqliteStorage(conn)
        await storage.sync_config_routes([(LINE, GROUP)])
        yield storage
    finally:
        await conn.close()


def poller(repo: SqliteStorage, notices: RecordedNotices) -> InboxPoller:
    return InboxPoller(repo, ADMINS, InboxWindow(), notices, asyncio.Lock(), set())


async def test_a_first_start_is_announced_with_its_count_and_history_is_not_queued(
    repo: SqliteStorage,
) -> None:
    first = InboxBatch((sms("a"), sms("b")), "c1", history=(sms("old", "قدیمی"),), first_start=True)
    account = ScriptedAccount("raygan", (LINE,), ScriptedInbox([first]))
    notices = RecordedNotices()
    assert await poller(repo, notices).poll(account) == 2
    assert notices.said == [("first_start", (LINE, [GROUP], 2))]
    pending = await repo.pending_forwards(chat_id=GROUP)
    assert [f.incoming.dedupe_key for f in pending] == ["a", "b"]  # not the history
    assert await poller(repo, notices).poll(account) == 0  # nothing new, nothing said
    assert len(notices.said) == 1


async def test_an_unreadable_record_is_told_once_and_read_again_by_a_new_process(
    repo: SqliteStorage,
) -> None:
    odd = UnreadableRecord(LINE, "odd", json.dumps({"body": "دیر"}), "MsgBody None")
    provider = ScriptedInbox([InboxBatch((sms("x"),), "c1", unreadable=(odd,))])
    account = ScriptedAccount("raygan", (LINE,), provider)
    unreachable = RecordedNotices(reachable=False)
    one = poller(repo, unreachable)
    assert await one.poll(account) == 1  # the SMS behind the unreadable record still comes
    assert unreachable.said == []  # the admins could not be told: told at a later poll
    notices = RecordedNotices()
    one.notices = notices
    await one.poll(account)
    await one.poll(account)
    assert notices.said == [("quarantined", "odd")]

    provider.readable.add("odd")  # today's parser reads it
    later = poller(repo, notices)  # a new process reads quarantined records once
    assert await later.poll(account) == 1
    assert notices.said[-1] == ("quarantine_read", "odd")
    assert await later.poll(account) == 0
    assert await repo.open_quarantine("raygan") == []


async def test_an_opt_out_sms_lists_its_sender_and_is_still_forwarded(
    repo: SqliteStorage,
) -> None:
    asks = IncomingSms(LINE, "+989350000001", " لغو ۱۱ ", T0, "o1")
    batch = InboxBatch((sms("a", "لغو کنید؟"), asks), "c1")
    account = ScriptedAccount("raygan", (LINE,), ScriptedInbox([batch]))
    assert await poller(repo, RecordedNotices()).poll(account) == 2
    [listed] = await repo.list_opt_outs(LINE)
    assert (listed.number, listed.source, listed.body) == ("+989350000001", "sms", " لغو ۱۱ ")
    pending = await repo.pending_forwards(chat_id=GROUP)
    assert [f.incoming.dedupe_key for f in pending] == ["a", "o1"]
    assert listed.incoming_id == pending[1].incoming.id
