"""The webhook outbox: events stored with what they tell of, claimed, retried, delivered once."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from storage_backends import Backend, apply_delivery

from providers.base import DeliveryState, IncomingSms, Receipt
from storage.base import Storage
from storage.models import WebhookEvent, WebhookEventType

FakeClock = Any  # tests/storage/conftest.py: a clock the test moves
LINE = "50002910001080"
A, B = "+989121111111", "+989122222222"


async def _send(storage: Storage, key: str = "api:shop:1") -> int:
    send, created = await storage.create_send(
        idempotency_key=key,
        account="raygan",
        line=LINE,
        text="hi",
        chat_id=0,
        requested_by=0,
        recipients=[A, B],
    )
    assert created
    return send.id


async def _all_events(storage: Storage, clock: FakeClock) -> list[WebhookEvent]:
    return await storage.claim_webhook_events(
        clock.now + timedelta(days=365), limit=1000, lease_seconds=1
    )


def _data(event: WebhookEvent) -> dict[str, Any]:
    body = json.loads(event.body)
    assert set(body) == {"event_id", "type", "created_at", "data"}
    assert body["event_id"] == event.event_id and body["type"] == event.type.value
    data: dict[str, Any] = body["data"]
    return data


async def test_no_event_is_stored_while_webhooks_are_off(
    storage_backend: Storage, clock: FakeClock
) -> None:
    send_id = await _send(storage_backend)
    await storage_backend.record_send_result(
        send_id, [Receipt(A, "m1"), Receipt(B, "m2")], next_poll_at=clock.now
    )
    sms = IncomingSms(LINE, "+989123333333", "hello", clock.now, "k1")
    await storage_backend.store_incoming("raygan", LINE, [sms], chat_ids=[-1], cursor="c")
    assert await _all_events(storage_backend, clock) == []
    assert (await storage_backend.webhook_backlog()).pending == 0


async def test_an_incoming_sms_stores_one_received_event_once(
    storage_backend: Storage, clock: FakeClock
) -> None:
    await storage_backend.set_webhook_events(True)
    sms = IncomingSms(LINE, "+989123333333", "سلام", clock.now, "k1")
    new = await storage_backend.store_incoming("raygan", LINE, [sms], chat_ids=[-1], cursor="c")
    # The same SMS fetched again is known: no second event.
    await storage_backend.store_incoming("raygan", LINE, [sms], chat_ids=[-1], cursor="c2")
    (event,) = await _all_events(storage_backend, clock)
    assert event.type is WebhookEventType.RECEIVED and event.attempts == 1
    assert _data(event) == {
        "id": new[0].id,
        "account": "raygan",
        "line": LINE,
        "from": "+989123333333",
        "text": "سلام",
        "received_at": "2026-11-22T10:00:00.000000Z",
    }


async def test_each_recipient_state_change_is_one_status_event(
    storage_backend: Storage, clock: FakeClock
) -> None:
    await storage_backend.set_webhook_events(True)
    send_id = await _send(storage_backend)
    # A went (tracked), B got no receipt: unknown.
    await storage_backend.record_send_result(send_id, [Receipt(A, "m1")], next_poll_at=clock.now)
    (a_row, _b_row) = await storage_backend.get_recipients(send_id)
    assert await apply_delivery(
        storage_backend, a_row.id, DeliveryState.DELIVERED, "1", next_poll_at=None
    )
    # A report that changes nothing (delivered again) is no event.
    await apply_delivery(storage_backend, a_row.id, DeliveryState.DELIVERED, "1", next_poll_at=None)
    events = await _all_events(storage_backend, clock)
    moves = [(d["to"], d["previous_state"], d["state"]) for d in map(_data, events)]
    assert moves == [(A, "queued", "sent"), (B, "queued", "unknown"), (A, "sent", "delivered")]
    assert {_data(e)["message_id"] for e in events} == {send_id}
    assert {e.type for e in events} == {WebhookEventType.STATUS}
    assert len({e.event_id for e in events}) == 3


async def test_a_failed_send_and_one_interrupted_tell_their_recipients_states(
    storage_backend: Storage, clock: FakeClock
) -> None:
    await storage_backend.set_webhook_events(True)
    failed = await _send(storage_backend, "k-failed")
    await storage_backend.record_send_failure(failed, error="no credit")
    interrupted = await _send(storage_backend, "k-interrupted")
    await storage_backend.mark_in_flight_unknown()
    moves = [
        (d["message_id"], d["to"], d["state"])
        for d in map(_data, await _all_events(storage_backend, clock))
    ]
    assert moves == [
        (failed, A, "failed"),
        (failed, B, "failed"),
        (interrupted, A, "unknown"),
        (interrupted, B, "unknown"),
    ]


async def test_a_claimed_event_waits_for_its_lease_then_is_retried_with_the_same_body(
    storage_backend: Storage, clock: FakeClock
) -> None:
    stored = await storage_backend.add_webhook_event(WebhookEventType.RECEIVED, {"x": 1})
    (first,) = await storage_backend.claim_webhook_events(clock.now, limit=10, lease_seconds=30)
    assert first.event_id == stored.event_id and first.attempts == 1
    # Claimed: not handed out again inside the lease (a crash mid-POST retries after it).
    assert await storage_backend.claim_webhook_events(clock.now, limit=10, lease_seconds=30) == []
    clock.advance(31)
    (again,) = await storage_backend.claim_webhook_events(clock.now, limit=10, lease_seconds=30)
    assert (again.event_id, again.body, again.attempts) == (first.event_id, first.body, 2)
    await storage_backend.record_webhook_failure(
        again.id, error="HTTP 500", retry_at=clock.now + timedelta(seconds=5)
    )
    assert await storage_backend.claim_webhook_events(clock.now, limit=10, lease_seconds=30) == []
    backlog = await storage_backend.webhook_backlog()
    assert (backlog.pending, backlog.oldest_attempted_at) == (1, stored.created_at)
    clock.advance(5)
    (third,) = await storage_backend.claim_webhook_events(clock.now, limit=10, lease_seconds=30)
    assert third.last_error == "HTTP 500" and third.body == first.body
    await storage_backend.mark_webhook_delivered([third.id])
    clock.advance(3600)
    assert await storage_backend.claim_webhook_events(clock.now, limit=10, lease_seconds=1) == []
    assert (await storage_backend.webhook_backlog()).pending == 0
    done = await storage_backend.get_webhook_event(stored.event_id)
    assert done is not None and done.delivered_at == clock.now - timedelta(seconds=3600)


async def test_claims_take_the_oldest_first_up_to_the_limit(
    storage_backend: Storage, clock: FakeClock
) -> None:
    ids = []
    for n in range(5):
        ids.append((await storage_backend.add_webhook_event(WebhookEventType.STATUS, {"n": n})).id)
        clock.advance(1)
    first = await storage_backend.claim_webhook_events(clock.now, limit=3, lease_seconds=60)
    rest = await storage_backend.claim_webhook_events(clock.now, limit=3, lease_seconds=60)
    assert [e.id for e in first] == ids[:3] and [e.id for e in rest] == ids[3:]


async def test_undelivered_events_outlive_a_restart(
    backend: Backend, tmp_path: Path, clock: FakeClock
) -> None:
    async with backend.open(tmp_path, clock) as opened:
        stored = await opened.storage.add_webhook_event(WebhookEventType.RECEIVED, {"x": 1})
        await opened.storage.claim_webhook_events(clock.now, limit=10, lease_seconds=30)
    clock.advance(30)
    async with backend.open(tmp_path, clock) as opened:
        (event,) = await opened.storage.claim_webhook_events(clock.now, limit=10, lease_seconds=30)
        assert (event.event_id, event.body, event.attempts) == (stored.event_id, stored.body, 2)
