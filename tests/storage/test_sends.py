"""Sends: stored before the provider is called, never twice, outcomes recorded whole."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from storage_backends import StorageProbe, apply_delivery

from providers.base import DeliveryState, Receipt
from storage.base import Storage
from storage.errors import NotFoundError, StorageError
from storage.models import Send, SendStatus

A, B, C = "+989121111111", "+989122222222", "+989123333333"
LATER = datetime(2026, 11, 22, 10, 1, tzinfo=UTC)


async def _new_send(
    storage_backend: Storage, key: str = "chat1:msg1", recipients: Sequence[str] = (A, B, C)
) -> Send:
    send, created = await storage_backend.create_send(
        idempotency_key=key,
        account="raygan",
        line="50002910001080",
        text="سلام",
        chat_id=-100,
        requested_by=7,
        recipients=list(recipients),
    )
    assert created
    return send


async def _states(storage_backend: Storage, send_id: int) -> dict[str, DeliveryState]:
    return {r.recipient: r.state for r in await storage_backend.get_recipients(send_id)}


async def test_create_send_stores_submitting_send_and_queued_recipients(
    storage_backend: Storage,
    probe: StorageProbe,
) -> None:
    send = await _new_send(storage_backend)
    assert send.status is SendStatus.SUBMITTING
    assert send.recipient_count == 3
    assert send.created_at.tzinfo is UTC
    assert await storage_backend.get_send(send.id) == send
    recipients = await storage_backend.get_recipients(send.id)
    assert [r.recipient for r in recipients] == [A, B, C]  # the order given
    assert {r.state for r in recipients} == {DeliveryState.QUEUED}
    assert await storage_backend.recipient_state_counts(send.id) == {DeliveryState.QUEUED: 3}
    assert await probe.find_send_by_key("chat1:msg1") == send
    assert await probe.find_send_by_key("other") is None


async def test_same_idempotency_key_twice_is_one_send(storage_backend: Storage) -> None:
    first = await _new_send(storage_backend)
    again, created = await storage_backend.create_send(
        idempotency_key="chat1:msg1",
        account="meli",
        line="10002188",
        text="different",
        chat_id=-100,
        requested_by=7,
        recipients=[A],
    )
    assert not created
    assert again == first
    assert len(await storage_backend.get_recipients(first.id)) == 3  # nothing written


async def test_concurrent_duplicates_create_one_send(storage_backend: Storage) -> None:
    async def attempt() -> bool:
        _, created = await storage_backend.create_send(
            idempotency_key="dup",
            account="raygan",
            line="5000",
            text="x",
            chat_id=1,
            requested_by=1,
            recipients=[A],
        )
        return created

    results = await asyncio.gather(*(attempt() for _ in range(10)))
    assert results.count(True) == 1


@pytest.mark.parametrize("recipients", [[], [A, A]], ids=["no recipients", "duplicate recipient"])
async def test_create_send_refuses_bad_recipient_lists(
    storage_backend: Storage, recipients: list[str], probe: StorageProbe
) -> None:
    with pytest.raises(ValueError, match="recipient"):
        await _new_send(storage_backend, recipients=recipients)
    assert await probe.find_send_by_key("chat1:msg1") is None


async def test_record_send_result_tracks_or_marks_unknown(storage_backend: Storage) -> None:
    send = await _new_send(storage_backend)
    receipts = [Receipt(A, message_id="m1"), Receipt(B, group_id="g1"), Receipt(C)]
    returned = await storage_backend.record_send_result(send.id, receipts, next_poll_at=LATER)
    stored = await storage_backend.get_send(send.id)
    assert stored is not None and stored.status is SendStatus.SUBMITTED
    assert returned == stored  # the write gives the row it made: no read back needed
    by_number = {r.recipient: r for r in await storage_backend.get_recipients(send.id)}
    assert by_number[A].state is DeliveryState.SENT
    assert by_number[A].provider_message_id == "m1" and by_number[A].next_poll_at == LATER
    assert by_number[B].state is DeliveryState.SENT and by_number[B].provider_group_id == "g1"
    assert by_number[C].state is DeliveryState.UNKNOWN and by_number[C].next_poll_at is None
    assert await storage_backend.recipient_state_counts(send.id) == {
        DeliveryState.SENT: 2,
        DeliveryState.UNKNOWN: 1,
    }


async def test_record_send_result_missing_receipt_is_unknown_not_failed(
    storage_backend: Storage,
) -> None:
    send = await _new_send(storage_backend)
    await storage_backend.record_send_result(
        send.id, [Receipt(A, message_id="m1")], next_poll_at=LATER
    )
    states = await _states(storage_backend, send.id)
    assert states == {A: DeliveryState.SENT, B: DeliveryState.UNKNOWN, C: DeliveryState.UNKNOWN}


async def test_record_send_result_refuses_a_stranger_and_a_second_result(
    storage_backend: Storage,
) -> None:
    send = await _new_send(storage_backend)
    with pytest.raises(ValueError, match="no recipient"):
        await storage_backend.record_send_result(
            send.id, [Receipt("+989129999999", "x")], next_poll_at=LATER
        )
    assert set((await _states(storage_backend, send.id)).values()) == {DeliveryState.QUEUED}
    await storage_backend.record_send_result(send.id, [Receipt(A, "m")], next_poll_at=LATER)
    with pytest.raises(StorageError, match="already submitted"):
        await storage_backend.record_send_result(send.id, [Receipt(A, "m")], next_poll_at=LATER)
    with pytest.raises(NotFoundError):
        await storage_backend.record_send_result(999, [], next_poll_at=LATER)


@pytest.mark.parametrize(
    ("receipts", "unknown", "status", "states"),
    [
        ((), (), SendStatus.FAILED, ("failed", "failed", "failed")),
        ((), (A, B, C), SendStatus.UNKNOWN, ("unknown", "unknown", "unknown")),
        ((), (B,), SendStatus.UNKNOWN, ("failed", "unknown", "failed")),
        ((Receipt(A, "m1"),), (), SendStatus.PARTIAL, ("sent", "failed", "failed")),
        ((Receipt(A, "m1"),), (B,), SendStatus.PARTIAL, ("sent", "unknown", "failed")),
        ((Receipt(A),), (), SendStatus.PARTIAL, ("unknown", "failed", "failed")),
    ],
    ids=["nothing went", "all unknown", "one unknown", "partial", "partial+unknown", "untracked"],
)
async def test_record_send_failure_table(
    storage_backend: Storage,
    receipts: tuple[Receipt, ...],
    unknown: tuple[str, ...],
    status: SendStatus,
    states: tuple[str, str, str],
) -> None:
    send = await _new_send(storage_backend)
    result = await storage_backend.record_send_failure(
        send.id,
        error="raygan: auth: no",
        receipts=receipts,
        unknown_recipients=unknown,
        next_poll_at=LATER,
    )
    assert result.status is status and result == await storage_backend.get_send(send.id)
    assert result.error == "raygan: auth: no"
    assert await _states(storage_backend, send.id) == dict(
        zip((A, B, C), map(DeliveryState, states), strict=True)
    )


async def test_mark_in_flight_unknown_after_a_crash(storage_backend: Storage) -> None:
    crashed = await _new_send(storage_backend, key="k1")
    done = await _new_send(storage_backend, key="k2")
    await storage_backend.record_send_result(done.id, [Receipt(A, "m1")], next_poll_at=LATER)

    marked = await storage_backend.mark_in_flight_unknown()

    assert [s.id for s in marked] == [crashed.id]
    assert marked[0].status is SendStatus.UNKNOWN and marked[0].error
    assert set((await _states(storage_backend, crashed.id)).values()) == {DeliveryState.UNKNOWN}
    untouched = await storage_backend.get_send(done.id)
    assert untouched is not None and untouched.status is SendStatus.SUBMITTED
    assert (
        await storage_backend.mark_in_flight_unknown() == []
    )  # nothing is ever resent or re-marked
    # The same update arriving again after the restart still finds the send: no second send.
    _, created = await storage_backend.create_send(
        idempotency_key="k1",
        account="raygan",
        line="5000",
        text="x",
        chat_id=1,
        requested_by=1,
        recipients=[A],
    )
    assert not created


async def test_confirmation_link_and_dirty_cycle(storage_backend: Storage, clock) -> None:  # type: ignore[no-untyped-def]
    send = await _new_send(storage_backend)
    await storage_backend.record_send_result(
        send.id, [Receipt(A, "m1"), Receipt(B, "m2")], next_poll_at=LATER
    )
    assert await storage_backend.dirty_confirmations() == []  # no confirmation message yet

    await storage_backend.set_confirmation(send.id, -100, 55, text_digest="d0")
    link = await storage_backend.get_link(-100, 55)
    assert link is not None and link.send_id == send.id and link.incoming_id is None
    assert await storage_backend.confirmation_digest(send.id) == "d0"
    # Reports may have arrived while the message was being sent: one re-render is asked for.
    dirty = await storage_backend.dirty_confirmations()
    assert [s.id for s in dirty] == [send.id]
    await storage_backend.mark_confirmation_rendered(
        send.id, "d0", version=dirty[0].confirmation_version
    )
    assert await storage_backend.dirty_confirmations() == []

    a, b, _ = (r.id for r in await storage_backend.get_recipients(send.id))
    assert await apply_delivery(storage_backend, a, DeliveryState.DELIVERED, "1", next_poll_at=None)
    dirty = await storage_backend.dirty_confirmations()
    assert [s.id for s in dirty] == [send.id]
    # A report stored while the bot renders keeps the confirmation dirty.
    assert await apply_delivery(
        storage_backend, b, DeliveryState.AT_CARRIER, "2", next_poll_at=LATER
    )
    await storage_backend.mark_confirmation_rendered(
        send.id, "d1", version=dirty[0].confirmation_version
    )
    assert [s.id for s in await storage_backend.dirty_confirmations()] == [send.id]
    await storage_backend.mark_confirmation_rendered(send.id, "d2")
    assert await storage_backend.dirty_confirmations() == []
    assert await storage_backend.confirmation_digest(send.id) == "d2"
    # A report that changes nothing does not ask for a re-render.
    assert not await apply_delivery(
        storage_backend, a, DeliveryState.FAILED, "9", next_poll_at=None
    )
    assert await storage_backend.dirty_confirmations() == []
    with pytest.raises(NotFoundError):
        await storage_backend.set_confirmation(999, -100, 56)


async def test_timestamps_are_written_in_utc(storage_backend: Storage, clock) -> None:  # type: ignore[no-untyped-def]
    tehran = datetime(2026, 11, 22, 13, 30, tzinfo=UTC) + timedelta(0)
    clock.now = tehran.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tehran"))
    send = await _new_send(storage_backend)
    assert send.created_at.tzinfo is UTC
    assert send.created_at == datetime(2026, 11, 22, 13, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        await storage_backend.record_send_result(
            send.id, [], next_poll_at=datetime(2026, 11, 22, 13, 31)
        )


async def test_create_sends_stores_many_in_order_once_per_key(
    storage_backend: Storage, probe: StorageProbe
) -> None:
    from storage.models import NewSend

    def new(key: str, *recipients: str) -> NewSend:
        return NewSend(key, "raygan", "50002910001080", f"text {key}", 0, 0, recipients)

    earlier = await _new_send(storage_backend, key="k-old")
    answers = await storage_backend.create_sends(
        [new("k1", A), new("k-old", B), new("k2", B, C), new("k1", A)]
    )
    assert [created for _, created in answers] == [True, False, True, False]
    first, old, second, again = (send for send, _ in answers)
    assert old == earlier and again == first
    assert first.idempotency_key == "k1" and second.recipient_count == 2
    assert [r.recipient for r in await storage_backend.get_recipients(second.id)] == [B, C]
    assert await probe.find_send_by_key("k2") == second
    assert second.status is SendStatus.SUBMITTING
    assert await storage_backend.create_sends([]) == []
    with pytest.raises(ValueError):
        await storage_backend.create_sends([new("k3", A, A)])
    assert await probe.find_send_by_key("k3") is None


async def test_audit_many_records_every_entry(
    storage_backend: Storage, probe: StorageProbe
) -> None:
    await storage_backend.audit_many([(None, None, "send", "#1 by api key shop"), (7, -1, "x", "")])
    entries = await probe.recent_audit()
    assert [(e.user_id, e.action, e.detail) for e in entries[:2]] == [
        (7, "x", ""),
        (None, "send", "#1 by api key shop"),
    ]


async def test_record_send_results_is_record_send_result_for_many_all_or_none(
    storage_backend: Storage,
) -> None:
    one = await _new_send(storage_backend, key="r1", recipients=(A, B))
    two = await _new_send(storage_backend, key="r2", recipients=(C,))
    done = await storage_backend.record_send_results(
        [(two.id, [Receipt(C, "m3")], LATER), (one.id, [Receipt(A, "m1")], LATER)]
    )
    assert [s.id for s in done] == [two.id, one.id]
    assert {s.status for s in done} == {SendStatus.SUBMITTED}
    assert await _states(storage_backend, one.id) == {
        A: DeliveryState.SENT,
        B: DeliveryState.UNKNOWN,  # no receipt: unknown, as record_send_result does
    }
    assert await _states(storage_backend, two.id) == {C: DeliveryState.SENT}
    # Recorded before: the whole batch is refused, the fresh send in it unchanged.
    three = await _new_send(storage_backend, key="r3", recipients=(A,))
    with pytest.raises(StorageError):
        await storage_backend.record_send_results(
            [(three.id, [Receipt(A, "m4")], LATER), (one.id, [], LATER)]
        )
    assert await _states(storage_backend, three.id) == {A: DeliveryState.QUEUED}
    with pytest.raises(NotFoundError):
        await storage_backend.record_send_results([(10**9, [], LATER)])
    assert await storage_backend.record_send_results([]) == []
