"""The Scheduler with no Telegram: real SQLite, a scripted provider, a clock the test moves.

Each due row goes once through `submit_send` under `schedule:<id>`; a claim whose claimer died
is taken over and finds its send stored (never a second call); rows never claimed and more
than 6 hours late are missed; what cannot be sent fails with its reason."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import Config
from bot.context import Account
from bot.schedule.service import CLAIM_LEASE, LATE_LIMIT, Scheduler
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
from storage.models import ScheduledSend, ScheduleState, SendStatus
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
LINE = "5000"
ALI = "+989121111111"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class CountingProvider(SmsProvider):
    """Accepts every send (or raises `error`), counting the calls."""

    provider_name = "scripted"

    def __init__(self, error: ProviderError | None = None) -> None:
        self.error = error
        self.sent: list[tuple[str, tuple[str, ...], str]] = []

    async def send(
        self,
        line: str,
        recipients: Sequence[str],
        text: str,
        *,
        at: datetime | None = None,
        flash: bool = False,
    ) -> SendResult:
        self.sent.append((line, tuple(recipients), text))
        if self.error is not None:
            raise self.error
        return SendResult(tuple(Receipt(r, message_id=str(i)) for i, r in enumerate(recipients)))

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        return []

    async def fetch_inbox(self, line: str, cursor: str | None) -> InboxBatch:
        return InboxBatch((), cursor or "")

    async def credit(self) -> Decimal:
        return Decimal(0)


class NoAlerts:
    def __init__(self) -> None:
        self.alerts: list[str] = []

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        self.alerts.append(key)
        return True


CONFIG = Config.model_validate(
    {
        "telegram": {"token": "1:abc", "admins": [1], "admin_chat_id": -1},
        "accounts": [
            {
                "name": "a",
                "provider": "raygansms",
                "username": "u",
                "password": "p",
                "lines": [LINE],
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


def scheduler(repo: SqliteStorage, provider: SmsProvider, clock: Clock) -> Scheduler:
    accounts = {"a": Account(CONFIG.accounts[0], provider)}
    return Scheduler(repo, NoAlerts(), accounts, poll_delay=10, clock=clock)


async def schedule(
    repo: SqliteStorage,
    key: str,
    due_at: datetime,
    *,
    account: str = "a",
    text: str = "hi",
    campaign: int | None = None,
) -> ScheduledSend:
    row, _ = await repo.create_scheduled(
        idempotency_key=key,
        chat_id=-5,
        requested_by=7,
        account=account,
        line=LINE,
        recipients=[] if campaign else [ALI],
        text=text,
        due_at=due_at,
        campaign_id=campaign,
    )
    return row


async def test_a_due_row_goes_once_and_a_later_one_waits(repo: SqliteStorage) -> None:
    clock, provider = Clock(), CountingProvider()
    due = await schedule(repo, "k1", T0 + timedelta(minutes=1))
    later = await schedule(repo, "k2", T0 + timedelta(minutes=10))
    run = scheduler(repo, provider, clock)
    assert (await run.run()).finished == ()
    clock.now = T0 + timedelta(minutes=1)
    [done] = (await run.run()).finished
    assert done.id == due.id and done.state is ScheduleState.SENT and done.send_id is not None
    assert provider.sent == [(LINE, (ALI,), "hi")]
    send = await repo.get_send(done.send_id)
    assert send is not None and send.status is SendStatus.SUBMITTED
    assert (send.chat_id, send.requested_by) == (-5, 7)
    clock.now = T0 + timedelta(minutes=5)
    assert (await run.run()).finished == ()
    assert len(provider.sent) == 1
    assert (await repo.get_scheduled(later.id)).state is ScheduleState.PENDING  # type: ignore[union-attr]


async def test_a_claim_whose_claimer_died_is_finished_without_a_second_send(
    repo: SqliteStorage,
) -> None:
    clock, provider = Clock(), CountingProvider()
    row = await schedule(repo, "k1", T0)
    # The process that claimed it stored and sent it, then died before finishing the row.
    [_claimed] = await repo.claim_due_scheduled(T0, reclaim_before=T0 - CLAIM_LEASE)
    account = Account(CONFIG.accounts[0], provider)
    request = SendRequest(
        f"schedule:{row.id}", account, LINE, Recipients((ALI,)), SmsText("hi", 1), -5, 7
    )
    first = await submit_send(repo, NoAlerts(), request, poll_delay=10)
    run = scheduler(repo, provider, clock)
    assert (await run.run()).finished == ()  # the claim is still fresh
    clock.now = T0 + CLAIM_LEASE + timedelta(seconds=1)
    [done] = (await run.run()).finished
    assert done.state is ScheduleState.SENT and done.send_id == first.send.id
    assert len(provider.sent) == 1


async def test_a_claim_taken_over_after_more_than_six_hours_still_finishes(
    repo: SqliteStorage,
) -> None:
    clock, provider = Clock(), CountingProvider()
    row = await schedule(repo, "k1", T0)
    await repo.claim_due_scheduled(T0, reclaim_before=T0)
    account = Account(CONFIG.accounts[0], provider)
    request = SendRequest(
        f"schedule:{row.id}", account, LINE, Recipients((ALI,)), SmsText("hi", 1), -5, 7
    )
    await submit_send(repo, NoAlerts(), request, poll_delay=10)
    clock.now = T0 + LATE_LIMIT + timedelta(hours=1)
    run = await scheduler(repo, provider, clock).run()
    assert run.missed == ()  # it may have gone: it is finished, never called missed
    assert [r.state for r in run.finished] == [ScheduleState.SENT]
    assert len(provider.sent) == 1


async def test_late_rows_go_up_to_six_hours_and_are_missed_beyond(repo: SqliteStorage) -> None:
    clock, provider = Clock(), CountingProvider()
    clock.now = T0 + LATE_LIMIT
    in_time = await schedule(repo, "k1", T0)  # exactly 6 h late: still goes
    too_late = await schedule(repo, "k2", T0 - timedelta(seconds=1))
    run = await scheduler(repo, provider, clock).run()
    assert [r.id for r in run.missed] == [too_late.id]
    assert [(r.id, r.state) for r in run.finished] == [(in_time.id, ScheduleState.SENT)]
    assert len(provider.sent) == 1
    assert [r.id for r in await repo.unreported_scheduled()] == [in_time.id, too_late.id]


async def test_a_provider_refusal_fails_the_row_with_its_send(repo: SqliteStorage) -> None:
    clock = Clock()
    refused = ProviderError(ErrorCategory.CREDIT, "no credit", nothing_sent=True)
    provider = CountingProvider(refused)
    await schedule(repo, "k1", T0)
    [done] = (await scheduler(repo, provider, clock).run()).finished
    assert done.state is ScheduleState.FAILED and done.send_id is not None
    assert done.error is not None and "no credit" in done.error
    assert len(provider.sent) == 1


async def test_what_cannot_be_sent_fails_with_its_reason(repo: SqliteStorage) -> None:
    clock, provider = Clock(), CountingProvider()
    gone = await schedule(repo, "k1", T0, account="removed")
    long = await schedule(repo, "k2", T0, text="x" * 2000)  # more parts than RayganSMS takes
    campaign = await schedule(repo, "k3", T0, campaign=12)
    run = await scheduler(repo, provider, clock).run()
    by_id = {r.id: r for r in run.finished}
    assert {by_id[i].state for i in (gone.id, long.id, campaign.id)} == {ScheduleState.FAILED}
    assert "removed" in (by_id[gone.id].error or "")
    assert "more than 10 on a" in (by_id[long.id].error or "")
    assert "campaign" in (by_id[campaign.id].error or "")
    assert provider.sent == []


async def test_a_scheduled_campaign_is_handed_to_the_campaign_worker(repo: SqliteStorage) -> None:
    clock, provider = Clock(), CountingProvider()
    row = await schedule(repo, "k1", T0, campaign=12)
    started: list[int] = []

    async def start(scheduled: ScheduledSend) -> ScheduledSend:
        started.append(scheduled.id)
        return await repo.finish_scheduled(scheduled.id, ScheduleState.SENT)

    run = scheduler(repo, provider, clock)
    run.start_campaign = start
    [done] = (await run.run()).finished
    assert started == [row.id] and done.state is ScheduleState.SENT
    assert provider.sent == []
