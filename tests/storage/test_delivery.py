"""Delivery reports: states only move forward, polling picks what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from storage_backends import StorageProbe, apply_delivery

from providers.base import DeliveryState, Receipt
from storage.base import Storage
from storage.errors import NotFoundError

Q, S, P, AC = (
    DeliveryState.QUEUED,
    DeliveryState.SENT,
    DeliveryState.PENDING,
    DeliveryState.AT_CARRIER,
)
D, U, F, BL, UNK = (
    DeliveryState.DELIVERED,
    DeliveryState.UNDELIVERED,
    DeliveryState.FAILED,
    DeliveryState.BLOCKED,
    DeliveryState.UNKNOWN,
)
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


async def _tracked_recipient(
    storage_backend: Storage, key: str = "k", account: str = "raygan"
) -> int:
    send, _ = await storage_backend.create_send(
        idempotency_key=key,
        account=account,
        line="5000",
        text="x",
        chat_id=1,
        requested_by=1,
        recipients=["+989121111111"],
    )
    await storage_backend.record_send_result(
        send.id, [Receipt("+989121111111", "m1")], next_poll_at=T0
    )
    (recipient,) = await storage_backend.get_recipients(send.id)
    return recipient.id


# (state the recipient is in, report, state afterwards, changed?)
TRANSITIONS = [
    (S, AC, AC, True),
    (S, D, D, True),
    (S, P, S, False),  # same rank: no change
    (S, S, S, False),
    (AC, S, AC, False),  # never backwards
    (AC, P, AC, False),
    (AC, U, U, True),
    (AC, BL, BL, True),
    (Q, S, S, True),  # a queued recipient (not yet answered for) can move
    (Q, P, P, True),
    (Q, UNK, Q, False),
    (D, F, D, False),  # a final state never changes
    (D, AC, D, False),
    (F, D, F, False),
    (U, D, U, False),
    (BL, D, BL, False),
    (S, UNK, S, False),
]


@pytest.mark.parametrize(("start", "report", "after", "changed"), TRANSITIONS)
async def test_state_moves_only_forward(
    storage_backend: Storage,
    start: DeliveryState,
    report: DeliveryState,
    after: DeliveryState,
    changed: bool,
) -> None:
    if start is Q:
        send, _ = await storage_backend.create_send(
            idempotency_key="q",
            account="raygan",
            line="5000",
            text="x",
            chat_id=1,
            requested_by=1,
            recipients=["+989121111111"],
        )
        rid = (await storage_backend.get_recipients(send.id))[0].id
    else:
        rid = await _tracked_recipient(storage_backend)
    if start not in (Q, S):
        assert await apply_delivery(storage_backend, rid, start, "setup", next_poll_at=T0)
    (before,) = await storage_backend.get_recipients(1)
    # An untracked (queued) recipient is never polled, so it gets no next poll.
    next_poll = None if start is Q else T0 + timedelta(60)
    result = await apply_delivery(storage_backend, rid, report, "new", next_poll_at=next_poll)
    (now,) = await storage_backend.get_recipients(1)
    assert result is changed
    assert now.state is after
    assert now.polls == before.polls + 1  # every poll counted
    assert now.raw_code == ("new" if changed else before.raw_code)
    assert await storage_backend.recipient_state_counts(1) == {after: 1}
    if after.is_final:
        assert now.next_poll_at is None  # polling stops at a final state
    else:
        assert now.next_poll_at == next_poll


async def test_every_final_state_is_final_for_every_report(storage_backend: Storage) -> None:
    finals = [s for s in DeliveryState if s.is_final]
    for index, final in enumerate(finals):
        rid = await _tracked_recipient(storage_backend, key=f"k{index}")
        assert await apply_delivery(storage_backend, rid, final, "f", next_poll_at=None)
        for report in DeliveryState:
            assert not await apply_delivery(storage_backend, rid, report, "x", next_poll_at=T0)
        recipient = next(r for r in await storage_backend.get_recipients(index + 1))
        assert recipient.state is final and recipient.raw_code == "f"


async def test_apply_delivery_on_missing_recipient(storage_backend: Storage) -> None:
    with pytest.raises(NotFoundError):
        await apply_delivery(storage_backend, 404, DeliveryState.DELIVERED, "1", next_poll_at=None)


async def test_due_recipients_picks_tracked_due_non_final_of_one_account(
    storage_backend: Storage,
) -> None:
    early = await _tracked_recipient(storage_backend, key="a")
    late = await _tracked_recipient(storage_backend, key="b")
    final = await _tracked_recipient(storage_backend, key="c")
    other_account = await _tracked_recipient(storage_backend, key="d", account="meli")
    future = await _tracked_recipient(storage_backend, key="e")
    send, _ = await storage_backend.create_send(
        idempotency_key="untracked",
        account="raygan",
        line="5000",
        text="x",
        chat_id=1,
        requested_by=1,
        recipients=["+989122222222"],
    )
    await storage_backend.record_send_result(send.id, [Receipt("+989122222222")], next_poll_at=T0)
    await storage_backend.create_send(  # queued: never polled
        idempotency_key="queued",
        account="raygan",
        line="5000",
        text="x",
        chat_id=1,
        requested_by=1,
        recipients=["+989123333333"],
    )

    await apply_delivery(storage_backend, early, S, "", next_poll_at=T0 - timedelta(minutes=5))
    await apply_delivery(storage_backend, late, AC, "", next_poll_at=T0 - timedelta(minutes=1))
    await apply_delivery(storage_backend, final, D, "", next_poll_at=T0 - timedelta(minutes=9))
    await apply_delivery(
        storage_backend, other_account, S, "", next_poll_at=T0 - timedelta(minutes=9)
    )
    await apply_delivery(storage_backend, future, S, "", next_poll_at=T0 + timedelta(minutes=1))

    due = await storage_backend.due_recipients("raygan", T0)
    assert [r.id for r in due] == [early, late]  # oldest due first
    assert [r.id for r in await storage_backend.due_recipients("raygan", T0, limit=1)] == [early]
    assert [r.id for r in await storage_backend.due_recipients("meli", T0)] == [other_account]
    later = await storage_backend.due_recipients("raygan", T0 + timedelta(minutes=2))
    assert [r.id for r in later] == [early, late, future]


async def test_apply_deliveries_stores_a_batch_in_one_transaction(
    storage_backend: Storage, probe: StorageProbe
) -> None:
    from storage.models import DeliveryReport

    first = await _tracked_recipient(storage_backend, "k1")
    second = await _tracked_recipient(storage_backend, "k2")
    later = T0 + timedelta(minutes=1)
    changed = await storage_backend.apply_deliveries(
        [DeliveryReport(first, D, "1", later), DeliveryReport(second, S, None, later)]
    )
    assert changed == 1
    states = {
        r.id: (r.state, r.polls, r.next_poll_at)
        for key in ("k1", "k2")
        for r in await storage_backend.get_recipients((await probe.find_send_by_key(key)).id)  # type: ignore[union-attr]
    }
    assert states[first] == (D, 1, None)
    assert states[second] == (S, 1, later)


async def test_a_batch_with_an_unknown_recipient_changes_nothing(
    storage_backend: Storage, probe: StorageProbe
) -> None:
    from storage.models import DeliveryReport

    first = await _tracked_recipient(storage_backend, "k1")
    with pytest.raises(NotFoundError):
        await storage_backend.apply_deliveries(
            [DeliveryReport(first, D, "1", None), DeliveryReport(999_999, D, "1", None)]
        )
    send = await probe.find_send_by_key("k1")
    assert send is not None
    (recipient,) = await storage_backend.get_recipients(send.id)
    assert (recipient.state, recipient.polls) == (S, 0)
