"""Webhooks against a local receiver: each incoming SMS and state change POSTed signed, with
no secret in it; a receiver failing, then down, then up gets every event, retried under the
same event_id, and the admins are told once it has failed a while, and once it recovers."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import defaultdict

from api_support import SHOP_KEY, WEBHOOK_SECRET, ApiWorld, call, valid_signature
from bridge_harness import ADMIN_CHAT, PAYAMAK_PASSWORD, RAYGAN_LINE, RAYGAN_PASSWORD, wait_for

NUMBER = "09121234567"


def stored_events(api: ApiWorld) -> list[sqlite3.Row]:
    with api.world.db() as db:
        return db.execute("SELECT * FROM webhook_events ORDER BY id").fetchall()


async def send(api: ApiWorld, key: str) -> int:
    answer = await call(
        api.http,
        "POST",
        api.url("/v1/messages"),
        json_body={"to": [NUMBER], "text": f"hello {key}"},
        headers={"Idempotency-Key": key},
    )
    assert answer.status == 202
    send_id: int = answer.body["id"]
    return send_id


async def test_incoming_sms_and_state_changes_reach_the_receiver_signed(api: ApiWorld) -> None:
    send_id = await send(api, "w1")
    api.world.sandbox.raygan.inject_incoming(RAYGAN_LINE, "+989127654321", "سلام <b>")

    def states() -> list[str]:
        return [
            e["data"]["state"]
            for e in api.receiver.accepted()
            if e["type"] == "sms.status" and e["data"]["message_id"] == send_id
        ]

    await wait_for(lambda: "delivered" in states(), what="the delivered event")
    await wait_for(
        lambda: any(e["type"] == "sms.received" for e in api.receiver.accepted()),
        what="the received event",
    )
    assert states()[0] == "sent" and states()[-1] == "delivered"
    (received,) = [e for e in api.receiver.accepted() if e["type"] == "sms.received"]
    assert set(received) == {"event_id", "type", "created_at", "data"}
    data = received["data"]
    assert (data["from"], data["text"], data["line"], data["account"]) == (
        "+989127654321",
        "سلام <b>",
        RAYGAN_LINE,
        "raygan",
    )
    first = next(e for e in api.receiver.accepted() if e["type"] == "sms.status")
    assert first["data"]["to"] == "+989121234567" and first["data"]["previous_state"] == "queued"
    for delivery in api.receiver.got:
        assert valid_signature(delivery.body, delivery.signature)
        text = delivery.body.decode()
        for secret in (WEBHOOK_SECRET, SHOP_KEY, RAYGAN_PASSWORD, PAYAMAK_PASSWORD):
            assert secret not in text
    # Every stored event was delivered, each once (the receiver answered 2xx at once).
    ids = [e["event_id"] for e in api.receiver.accepted()]
    assert len(ids) == len(set(ids))
    await wait_for(
        lambda: all(r["delivered_at"] for r in stored_events(api)), what="every event delivered"
    )
    assert {r["event_id"] for r in stored_events(api)} == set(ids)


async def test_a_receiver_failing_then_down_then_up_gets_every_event(api: ApiWorld) -> None:
    assert api.world.bridge is not None
    sender = api.world.bridge.data.webhook_sender
    assert sender is not None
    sender.watch.alert_after = 1.0  # one alert after a second of failing, for the test
    api.receiver.status = 500
    await send(api, "d1")
    api.world.sandbox.raygan.inject_incoming(RAYGAN_LINE, "+989127654321", "while failing")
    await wait_for(
        lambda: len([d for d in api.receiver.got if d.answered == 500]) >= 4,
        what="attempts answered 500",
    )
    await api.receiver.stop()  # down: connections refused
    await send(api, "d2")
    alert = await api.world.reply(
        ADMIN_CHAT, lambda m: "webhook" in m.text.lower() or "وب‌هوک" in m.text
    )
    assert "500" in alert.text or "reach" in alert.text or "HTTP" in alert.text
    await asyncio.sleep(1.0)
    api.receiver.status = 200
    await api.receiver.start()
    await wait_for(
        lambda: stored_events(api) and all(r["delivered_at"] for r in stored_events(api)),
        what="every event delivered after the receiver came back",
        timeout=30,
    )
    recovered = await api.world.reply(ADMIN_CHAT, lambda m: "✅" in m.text)
    assert "✅" in recovered.text
    stored = {r["event_id"]: r["body"] for r in stored_events(api)}
    assert api.receiver.accepted_ids() == set(stored)  # none missing
    # Retries carry the same event_id and the very same bytes, each signed.
    bodies: dict[str, set[bytes]] = defaultdict(set)
    for delivery in api.receiver.got:
        assert valid_signature(delivery.body, delivery.signature)
        bodies[delivery.event["event_id"]].add(delivery.body)
    assert all(len(b) == 1 for b in bodies.values())
    retried = [i for i in stored if sum(d.event["event_id"] == i for d in api.receiver.got) > 1]
    assert retried, "some event was tried more than once"
    for event_id, body in stored.items():
        assert bodies[event_id] == {body.encode()}
