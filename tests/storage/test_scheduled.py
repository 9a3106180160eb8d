"""Scheduled sends (`ScheduleStore`): stored, claimed once when due, final once done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from storage_backends import Backend

from storage.base import Storage
from storage.errors import NotFoundError
from storage.models import ScheduledSend, ScheduleState

LINE = "50002910001080"
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ALI = "+989123456789"
SARA = "+989350000001"


async def schedule(
    storage: Storage, key: str, due_at: datetime, *, chat_id: int = -100
) -> ScheduledSend:
    row, created = await storage.create_scheduled(
        idempotency_key=key,
        chat_id=chat_id,
        requested_by=7,
        account="raygan",
        line=LINE,
        recipients=[ALI, SARA],
        text="سلام",
        due_at=due_at,
    )
    assert created
    return row


async def test_a_scheduled_send_is_stored_once_per_key(storage_backend: Storage) -> None:
    row = await schedule(storage_backend, "tg:-100:5", T0 + timedelta(hours=1))
    assert row.state is ScheduleState.PENDING
    assert row.recipients == (ALI, SARA)
    assert row.due_at == T0 + timedelta(hours=1)
    assert row.created_at == T0 and row.claimed_at is None and row.send_id is None
    again, created = await storage_backend.create_scheduled(
        idempotency_key="tg:-100:5",
        chat_id=-100,
        requested_by=7,
        account="raygan",
        line=LINE,
        recipients=[ALI],
        text="other",
        due_at=T0,
    )
    assert not created and again == row
    assert await storage_backend.get_scheduled(row.id) == row
    assert await storage_backend.get_scheduled(row.id + 100) is None


async def test_recipients_or_a_campaign_are_needed(storage_backend: Storage) -> None:
    with pytest.raises(ValueError, match="recipients"):
        await storage_backend.create_scheduled(
            idempotency_key="k",
            chat_id=1,
            requested_by=7,
            account="raygan",
            line=LINE,
            recipients=[],
            text="x",
            due_at=T0,
        )
    row, _ = await storage_backend.create_scheduled(
        idempotency_key="k",
        chat_id=1,
        requested_by=7,
        account="raygan",
        line=LINE,
        recipients=[],
        text="",
        due_at=T0,
        campaign_id=12,
    )
    assert row.campaign_id == 12 and row.recipients == ()


async def test_pending_lists_per_chat_soonest_first(storage_backend: Storage) -> None:
    late = await schedule(storage_backend, "a", T0 + timedelta(hours=3))
    soon = await schedule(storage_backend, "b", T0 + timedelta(hours=1))
    elsewhere = await schedule(storage_backend, "c", T0 + timedelta(hours=2), chat_id=-200)
    assert [r.id for r in await storage_backend.pending_scheduled(-100)] == [soon.id, late.id]
    assert [r.id for r in await storage_backend.pending_scheduled()] == [
        soon.id,
        elsewhere.id,
        late.id,
    ]
    assert [r.id for r in await storage_backend.pending_scheduled(limit=1)] == [soon.id]
    await storage_backend.cancel_scheduled(soon.id, 7)
    assert [r.id for r in await storage_backend.pending_scheduled(-100)] == [late.id]


async def test_due_rows_are_claimed_once(storage_backend: Storage, clock: Any) -> None:
    due = await schedule(storage_backend, "a", T0 - timedelta(seconds=5))
    later = await schedule(storage_backend, "b", T0 + timedelta(minutes=5))
    lease = timedelta(minutes=2)
    [claimed] = await storage_backend.claim_due_scheduled(T0, reclaim_before=T0 - lease)
    assert claimed.id == due.id and claimed.claimed_at == T0
    assert await storage_backend.claim_due_scheduled(T0, reclaim_before=T0 - lease) == []
    # A claim older than the lease (its claimer died) is taken over.
    clock.advance(180)
    now = clock.now
    [taken] = await storage_backend.claim_due_scheduled(now, reclaim_before=now - lease)
    assert taken.id == due.id and taken.claimed_at == now
    clock.advance(200)
    now = clock.now
    assert [r.id for r in await storage_backend.claim_due_scheduled(now, reclaim_before=T0)] == [
        later.id
    ]


async def test_finish_is_final(storage_backend: Storage) -> None:
    row = await schedule(storage_backend, "a", T0)
    await storage_backend.claim_due_scheduled(T0, reclaim_before=T0)
    send, _ = await storage_backend.create_send(
        idempotency_key=f"schedule:{row.id}",
        account="raygan",
        line=LINE,
        text="سلام",
        chat_id=-100,
        requested_by=7,
        recipients=[ALI, SARA],
    )
    done = await storage_backend.finish_scheduled(row.id, ScheduleState.SENT, send_id=send.id)
    assert done.state is ScheduleState.SENT and done.send_id == send.id
    again = await storage_backend.finish_scheduled(row.id, ScheduleState.FAILED, error="x")
    assert again == done
    assert await storage_backend.claim_due_scheduled(T0, reclaim_before=T0) == []
    assert not (await storage_backend.cancel_scheduled(row.id, 7))[1]
    with pytest.raises(ValueError):
        await storage_backend.finish_scheduled(row.id, ScheduleState.CANCELLED)
    with pytest.raises(NotFoundError):
        await storage_backend.finish_scheduled(row.id + 50, ScheduleState.SENT)


async def test_cancel_only_while_pending_and_unclaimed(storage_backend: Storage) -> None:
    row = await schedule(storage_backend, "a", T0 + timedelta(hours=1))
    cancelled, changed = await storage_backend.cancel_scheduled(row.id, 9)
    assert changed and cancelled.state is ScheduleState.CANCELLED
    assert cancelled.cancelled_by == 9 and cancelled.reported_at is not None
    later = T0 + timedelta(hours=2)
    assert await storage_backend.claim_due_scheduled(later, reclaim_before=later) == []
    assert await storage_backend.mark_missed_scheduled(later + timedelta(days=1)) == []
    same, changed = await storage_backend.cancel_scheduled(row.id, 9)
    assert not changed and same == cancelled
    claimed = await schedule(storage_backend, "b", T0)
    await storage_backend.claim_due_scheduled(T0, reclaim_before=T0)
    as_is, changed = await storage_backend.cancel_scheduled(claimed.id, 9)
    assert not changed and as_is.state is ScheduleState.PENDING
    with pytest.raises(NotFoundError):
        await storage_backend.cancel_scheduled(claimed.id + 50, 9)


async def test_too_late_unclaimed_rows_are_missed_and_reported_once(
    storage_backend: Storage,
) -> None:
    old = await schedule(storage_backend, "a", T0 - timedelta(hours=7))
    recent = await schedule(storage_backend, "b", T0 - timedelta(hours=5))
    in_flight = await schedule(storage_backend, "c", T0 - timedelta(hours=8))
    await storage_backend.claim_due_scheduled(
        T0 - timedelta(hours=8), reclaim_before=T0 - timedelta(hours=8)
    )
    [missed] = await storage_backend.mark_missed_scheduled(T0 - timedelta(hours=6))
    assert missed.id == old.id and missed.state is ScheduleState.MISSED
    # A claimed row may have reached the send service: it is finished, never missed.
    assert (await storage_backend.get_scheduled(in_flight.id)).state is ScheduleState.PENDING  # type: ignore[union-attr]
    assert (await storage_backend.get_scheduled(recent.id)).state is ScheduleState.PENDING  # type: ignore[union-attr]
    assert [r.id for r in await storage_backend.unreported_scheduled()] == [old.id]
    await storage_backend.mark_scheduled_reported(old.id)
    assert await storage_backend.unreported_scheduled() == []
    await storage_backend.finish_scheduled(in_flight.id, ScheduleState.FAILED, error="refused")
    [failed] = await storage_backend.unreported_scheduled()
    assert failed.id == in_flight.id and failed.error == "refused"


async def test_pending_rows_survive_a_restart(backend: Backend, tmp_path: Path) -> None:
    async with backend.open(tmp_path / "db", None) as opened:
        row = await schedule(opened.storage, "a", T0)
    async with backend.open(tmp_path / "db", None) as opened:
        assert await opened.storage.get_scheduled(row.id) == row
        assert [r.id for r in await opened.storage.pending_scheduled(-100)] == [row.id]
