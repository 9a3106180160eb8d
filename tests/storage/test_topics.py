"""Topic mode of routes and each customer's forum topic (`TopicStore`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storage_backends import Backend

from providers.base import DeliveryState, Receipt
from storage.base import Storage
from storage.models import DeliveryReport

CHAT = -1007770000001
LINE = "50002910001080"
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ALI = "+989123456789"
SARA = "+989350000001"


async def test_topic_mode_is_per_route(storage_backend: Storage) -> None:
    assert not await storage_backend.set_route_topics(LINE, CHAT, True)  # no such route
    await storage_backend.add_route(LINE, CHAT, created_by=1)
    await storage_backend.add_route("10002188", CHAT, created_by=1)
    assert await storage_backend.topic_lines(CHAT) == set()
    assert await storage_backend.set_route_topics(LINE, CHAT, True)
    assert await storage_backend.topic_lines(CHAT) == {LINE}
    assert await storage_backend.topic_lines(-5) == set()
    assert await storage_backend.set_route_topics(LINE, CHAT, False)
    assert await storage_backend.topic_lines(CHAT) == set()


async def test_a_topic_per_chat_line_and_number(storage_backend: Storage) -> None:
    assert await storage_backend.get_topic(CHAT, LINE, ALI) is None
    ali = await storage_backend.save_topic(CHAT, LINE, ALI, 10, "+98 912 345 6789")
    await storage_backend.save_topic(CHAT, LINE, SARA, 12, "+98 935 000 0001")
    await storage_backend.save_topic(CHAT, "10002188", ALI, 14, "+98 912 345 6789")
    assert await storage_backend.get_topic(CHAT, LINE, ALI) == ali
    assert await storage_backend.topic_by_thread(CHAT, 12) is not None
    assert (await storage_backend.topic_by_thread(CHAT, 12)).number == SARA  # type: ignore[union-attr]
    assert await storage_backend.topic_by_thread(-5, 12) is None
    assert [(t.line, t.thread_id) for t in await storage_backend.topics_for_number(ALI)] == [
        ("10002188", 14),
        (LINE, 10),
    ]
    assert await storage_backend.rename_topic(CHAT, 10, "Reza")
    assert (await storage_backend.get_topic(CHAT, LINE, ALI)).name == "Reza"  # type: ignore[union-attr]
    assert not await storage_backend.rename_topic(CHAT, 99, "x")


async def test_a_forgotten_topic_is_replaced_by_the_next_one(storage_backend: Storage) -> None:
    await storage_backend.save_topic(CHAT, LINE, ALI, 10, "+98 912 345 6789")
    assert await storage_backend.forget_topic(CHAT, 10)
    assert not await storage_backend.forget_topic(CHAT, 10)
    assert await storage_backend.get_topic(CHAT, LINE, ALI) is None
    await storage_backend.save_topic(CHAT, LINE, ALI, 20, "+98 912 345 6789")
    renewed = await storage_backend.save_topic(CHAT, LINE, ALI, 30, "+98 912 345 6789")
    assert await storage_backend.get_topic(CHAT, LINE, ALI) == renewed
    assert await storage_backend.topic_by_thread(CHAT, 20) is None


async def test_topics_are_found_again_after_a_restart(backend: Backend, tmp_path: Path) -> None:
    async with backend.open(tmp_path / "db", None) as opened:
        await opened.storage.add_route(LINE, CHAT, created_by=1)
        await opened.storage.set_route_topics(LINE, CHAT, True)
        saved = await opened.storage.save_topic(CHAT, LINE, ALI, 10, "+98 912 345 6789")
    async with backend.open(tmp_path / "db", None) as opened:
        assert await opened.storage.get_topic(CHAT, LINE, ALI) == saved
        assert await opened.storage.topic_lines(CHAT) == {LINE}


async def test_a_mirror_is_stale_until_it_shows_its_recipients_state(
    storage_backend: Storage,
) -> None:
    send, _ = await storage_backend.create_send(
        idempotency_key="k",
        account="raygan",
        line=LINE,
        text="x",
        chat_id=1,
        requested_by=1,
        recipients=[ALI],
    )
    await storage_backend.record_send_result(send.id, [Receipt(ALI, "m1")], next_poll_at=T0)
    (recipient,) = await storage_backend.get_recipients(send.id)
    await storage_backend.add_mirror(CHAT, 40, recipient.id, "sent by Omid", recipient.state)
    assert await storage_backend.stale_mirrors() == []
    await storage_backend.apply_deliveries(
        [DeliveryReport(recipient.id, DeliveryState.DELIVERED, "1", None)]
    )
    [stale] = await storage_backend.stale_mirrors()
    assert (stale.chat_id, stale.message_id, stale.head) == (CHAT, 40, "sent by Omid")
    assert (stale.shown_state, stale.state) == (recipient.state, DeliveryState.DELIVERED)
    await storage_backend.mark_mirror_shown(CHAT, 40, DeliveryState.DELIVERED)
    assert await storage_backend.stale_mirrors() == []
