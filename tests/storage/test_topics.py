"""Topic mode of routes and each customer's forum topic (`TopicStore`)."""

from __future__ import annotations

from pathlib import Path

from storage_backends import Backend

from storage.base import Storage

CHAT = -1007770000001
LINE = "50002910001080"
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
