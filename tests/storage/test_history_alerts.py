"""History, alert throttling, polling health and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage_backends import StorageProbe

from providers.base import DeliveryState, IncomingSms, Receipt
from storage.base import Storage

LINE = "5000"
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


async def test_history_merges_sent_and_received_newest_first(
    storage_backend: Storage,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    clock.now = T0
    first, _ = await storage_backend.create_send(
        idempotency_key="s1",
        account="raygan",
        line=LINE,
        text="one",
        chat_id=-1,
        requested_by=7,
        recipients=["+989123333333", "+989121111111", "+989122222222"],
    )
    await storage_backend.record_send_result(
        first.id,
        [Receipt("+989123333333", "m3"), Receipt("+989121111111", "m1"), Receipt("+989122222222")],
        next_poll_at=T0,
    )
    clock.now = T0 + timedelta(minutes=2)
    second, _ = await storage_backend.create_send(
        idempotency_key="s2",
        account="raygan",
        line=LINE,
        text="two",
        chat_id=-1,
        requested_by=7,
        recipients=["+989124444444"],
    )
    clock.now = T0 + timedelta(minutes=3)
    await storage_backend.create_send(
        idempotency_key="elsewhere",
        account="raygan",
        line=LINE,
        text="not here",
        chat_id=-2,
        requested_by=7,
        recipients=["+989124444444"],
    )
    messages = [
        IncomingSms(LINE, "+989125555555", "early", T0 - timedelta(minutes=1), "a"),
        IncomingSms(LINE, "+989126666666", "between", T0 + timedelta(minutes=1), "b"),
        IncomingSms(LINE, "+989127777777", "pending", T0 + timedelta(minutes=5), "c"),
    ]
    a, b, _ = await storage_backend.store_incoming(
        "raygan", LINE, messages, chat_ids=[-1], cursor="x"
    )
    await storage_backend.mark_forwarded(-1, [a.id], 10)
    await storage_backend.mark_forwarded(-1, [b.id], 11)  # c is not forwarded yet: not in history

    history = await storage_backend.history(-1)
    assert [(e.kind, e.text) for e in history] == [
        ("sent", "two"),
        ("received", "between"),
        ("sent", "one"),
        ("received", "early"),
    ]
    assert [e.at for e in history] == sorted((e.at for e in history), reverse=True)
    assert all(e.at.tzinfo is UTC for e in history)
    sent_two, received, sent_one = history[0], history[1], history[2]
    assert sent_two.state is DeliveryState.QUEUED and sent_two.number == "+989124444444"
    assert sent_two.send_id == second.id
    assert received.number == "+989126666666" and received.incoming_id == b.id
    assert received.send_id is None and received.state is None
    # Several recipients: one shown, how many, and the mix of their states.
    assert sent_one.number == "+989121111111" and sent_one.recipient_count == 3
    assert sent_one.state is None
    assert dict(sent_one.state_counts) == {DeliveryState.SENT: 2, DeliveryState.UNKNOWN: 1}
    assert [e.text for e in await storage_backend.history(-1, limit=2)] == ["two", "between"]
    assert await storage_backend.history(-3) == []


async def test_should_alert_once_per_window(storage_backend: Storage) -> None:
    assert await storage_backend.should_alert("auth:raygan", window=600, now=T0)
    assert not await storage_backend.should_alert(
        "auth:raygan", window=600, now=T0 + timedelta(seconds=1)
    )
    assert not await storage_backend.should_alert(
        "auth:raygan", window=600, now=T0 + timedelta(seconds=599)
    )
    assert await storage_backend.should_alert(
        "auth:meli", window=600, now=T0
    )  # keys are independent
    assert await storage_backend.should_alert(
        "auth:raygan", window=600, now=T0 + timedelta(seconds=600)
    )
    # The window counts from the last alert sent, not from the first.
    assert not await storage_backend.should_alert(
        "auth:raygan", window=600, now=T0 + timedelta(seconds=900)
    )


async def test_poll_failures_count_and_reset(storage_backend: Storage) -> None:
    assert await storage_backend.record_poll_success("raygan", "inbox") == 0
    assert [await storage_backend.record_poll_failure("raygan", "inbox") for _ in range(3)] == [
        1,
        2,
        3,
    ]
    assert await storage_backend.record_poll_failure("raygan", "delivery") == 1  # per job
    assert await storage_backend.record_poll_failure("meli", "inbox") == 1  # per account
    assert await storage_backend.record_poll_success("raygan", "inbox") == 3
    assert await storage_backend.record_poll_success("raygan", "inbox") == 0
    assert await storage_backend.record_poll_failure("raygan", "inbox") == 1


async def test_audit_newest_first(storage_backend: Storage, clock, probe: StorageProbe) -> None:  # type: ignore[no-untyped-def]
    await storage_backend.audit(7, -1, "send", "#1 to 3")
    clock.advance(1)
    await storage_backend.audit(8, None, "refused", "/allow")
    entries = await probe.recent_audit(10)
    assert [(e.user_id, e.chat_id, e.action, e.detail) for e in entries] == [
        (8, None, "refused", "/allow"),
        (7, -1, "send", "#1 to 3"),
    ]
    assert entries[0].at == clock.now and entries[0].at.tzinfo is UTC
    assert len(await probe.recent_audit(1)) == 1
