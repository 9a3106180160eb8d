"""Delivery reports: states only move forward, polling picks what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from providers.base import DeliveryState, Receipt
from storage.repository import NotFoundError, Repository

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


async def _tracked_recipient(repo: Repository, key: str = "k", account: str = "raygan") -> int:
    send, _ = await repo.create_send(
        idempotency_key=key,
        account=account,
        line="5000",
        text="x",
        chat_id=1,
        requested_by=1,
        recipients=["+989121111111"],
    )
    await repo.record_send_result(send.id, [Receipt("+989121111111", "m1")], next_poll_at=T0)
    (recipient,) = await repo.get_recipients(send.id)
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
    repo: Repository,
    start: DeliveryState,
    report: DeliveryState,
    after: DeliveryState,
    changed: bool,
) -> None:
    if start is Q:
        send, _ = await repo.create_send(
            idempotency_key="q",
            account="raygan",
            line="5000",
            text="x",
            chat_id=1,
            requested_by=1,
            recipients=["+989121111111"],
        )
        rid = (await repo.get_recipients(send.id))[0].id
    else:
        rid = await _tracked_recipient(repo)
    if start not in (Q, S):
        assert await repo.apply_delivery(rid, start, "setup", next_poll_at=T0)
    (before,) = await repo.get_recipients(1)
    # An untracked (queued) recipient is never polled, so it gets no next poll.
    next_poll = None if start is Q else T0 + timedelta(60)
    result = await repo.apply_delivery(rid, report, "new", next_poll_at=next_poll)
    (now,) = await repo.get_recipients(1)
    assert result is changed
    assert now.state is after
    assert now.polls == before.polls + 1  # every poll counted
    assert now.raw_code == ("new" if changed else before.raw_code)
    assert await repo.recipient_state_counts(1) == {after: 1}
    if after.is_final:
        assert now.next_poll_at is None  # polling stops at a final state
    else:
        assert now.next_poll_at == next_poll


async def test_every_final_state_is_final_for_every_report(repo: Repository) -> None:
    finals = [s for s in DeliveryState if s.is_final]
    for index, final in enumerate(finals):
        rid = await _tracked_recipient(repo, key=f"k{index}")
        assert await repo.apply_delivery(rid, final, "f", next_poll_at=None)
        for report in DeliveryState:
            assert not await repo.apply_delivery(rid, report, "x", next_poll_at=T0)
        recipient = next(r for r in await repo.get_recipients(index + 1))
        assert recipient.state is final and recipient.raw_code == "f"


async def test_apply_delivery_on_missing_recipient(repo: Repository) -> None:
    with pytest.raises(NotFoundError):
        await repo.apply_delivery(404, DeliveryState.DELIVERED, "1", next_poll_at=None)


async def test_due_recipients_picks_tracked_due_non_final_of_one_account(
    repo: Repository,
) -> None:
    early = await _tracked_recipient(repo, key="a")
    late = await _tracked_recipient(repo, key="b")
    final = await _tracked_recipient(repo, key="c")
    other_account = await _tracked_recipient(repo, key="d", account="meli")
    future = await _tracked_recipient(repo, key="e")
    send, _ = await repo.create_send(
        idempotency_key="untracked",
        account="raygan",
        line="5000",
        text="x",
        chat_id=1,
        requested_by=1,
        recipients=["+989122222222"],
    )
    await repo.record_send_result(send.id, [Receipt("+989122222222")], next_poll_at=T0)
    await repo.create_send(  # queued: never polled
        idempotency_key="queued",
        account="raygan",
        line="5000",
        text="x",
        chat_id=1,
        requested_by=1,
        recipients=["+989123333333"],
    )

    await repo.apply_delivery(early, S, "", next_poll_at=T0 - timedelta(minutes=5))
    await repo.apply_delivery(late, AC, "", next_poll_at=T0 - timedelta(minutes=1))
    await repo.apply_delivery(final, D, "", next_poll_at=T0 - timedelta(minutes=9))
    await repo.apply_delivery(other_account, S, "", next_poll_at=T0 - timedelta(minutes=9))
    await repo.apply_delivery(future, S, "", next_poll_at=T0 + timedelta(minutes=1))

    due = await repo.due_recipients("raygan", T0)
    assert [r.id for r in due] == [early, late]  # oldest due first
    assert [r.id for r in await repo.due_recipients("raygan", T0, limit=1)] == [early]
    assert [r.id for r in await repo.due_recipients("meli", T0)] == [other_account]
    later = await repo.due_recipients("raygan", T0 + timedelta(minutes=2))
    assert [r.id for r in later] == [early, late, future]


async def test_apply_deliveries_stores_a_batch_in_one_transaction(repo: Repository) -> None:
    from storage.models import DeliveryReport

    first = await _tracked_recipient(repo, "k1")
    second = await _tracked_recipient(repo, "k2")
    later = T0 + timedelta(minutes=1)
    changed = await repo.apply_deliveries(
        [DeliveryReport(first, D, "1", later), DeliveryReport(second, S, None, later)]
    )
    assert changed == 1
    states = {
        r.id: (r.state, r.polls, r.next_poll_at)
        for key in ("k1", "k2")
        for r in await repo.get_recipients((await repo.find_send_by_key(key)).id)  # type: ignore[union-attr]
    }
    assert states[first] == (D, 1, None)
    assert states[second] == (S, 1, later)


async def test_a_batch_with_an_unknown_recipient_changes_nothing(repo: Repository) -> None:
    from storage.models import DeliveryReport

    first = await _tracked_recipient(repo, "k1")
    with pytest.raises(NotFoundError):
        await repo.apply_deliveries(
            [DeliveryReport(first, D, "1", None), DeliveryReport(999_999, D, "1", None)]
        )
    send = await repo.find_send_by_key("k1")
    assert send is not None
    (recipient,) = await repo.get_recipients(send.id)
    assert (recipient.state, recipient.polls) == (S, 0)
