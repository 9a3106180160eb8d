"""Incoming SMS: stored once, the cursor moves only with the store, forwarded per chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage_backends import Backend, pending_forward_count

from providers.base import IncomingSms
from storage.base import Storage
from storage.errors import NotFoundError

LINE = "50002910001080"
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def sms(
    key: str, body: str = "سلام", seconds: int = 0, sender: str = "+989121234567"
) -> IncomingSms:
    return IncomingSms(LINE, sender, body, T0 + timedelta(seconds=seconds), key)


async def test_store_returns_new_messages_and_moves_the_cursor(storage_backend: Storage) -> None:
    assert await storage_backend.get_cursor("raygan", LINE) is None
    new = await storage_backend.store_incoming(
        "raygan", LINE, [sms("a"), sms("b", seconds=1)], chat_ids=[-1, -2], cursor="c1"
    )
    assert [m.dedupe_key for m in new] == ["a", "b"]
    assert new[0].received_at == T0 and new[0].received_at.tzinfo is UTC
    assert await storage_backend.get_incoming(new[0].id) == new[0]
    assert await storage_backend.get_cursor("raygan", LINE) == "c1"
    assert (
        await storage_backend.get_cursor("meli", LINE) is None
    )  # cursors are per account and line


async def test_same_message_fetched_twice_is_stored_and_forwarded_once(
    storage_backend: Storage,
) -> None:
    await storage_backend.store_incoming("raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c1")
    again = await storage_backend.store_incoming(
        "raygan", LINE, [sms("a"), sms("b")], chat_ids=[-1], cursor="c2"
    )
    assert [m.dedupe_key for m in again] == ["b"]
    assert await storage_backend.get_cursor("raygan", LINE) == "c2"
    assert [p.incoming.dedupe_key for p in await storage_backend.pending_forwards()] == ["a", "b"]


async def test_identical_keys_in_one_batch_are_stored_once_distinct_keys_kept(
    storage_backend: Storage,
) -> None:
    # The adapter counts identical SMS into the key: two real ones have #1 and #2.
    batch = [sms("line|s|t|body#1"), sms("line|s|t|body#1"), sms("line|s|t|body#2")]
    new = await storage_backend.store_incoming("raygan", LINE, batch, chat_ids=[-1], cursor="c")
    assert [m.dedupe_key for m in new] == ["line|s|t|body#1", "line|s|t|body#2"]
    assert await pending_forward_count(storage_backend, -1) == 2


async def test_same_key_on_another_account_is_another_message(storage_backend: Storage) -> None:
    await storage_backend.store_incoming("raygan", LINE, [sms("1")], chat_ids=[], cursor="c")
    new = await storage_backend.store_incoming("meli", LINE, [sms("1")], chat_ids=[], cursor="c")
    assert len(new) == 1


async def test_message_from_another_line_is_refused(storage_backend: Storage) -> None:
    stray = IncomingSms("10002188", "+989121234567", "x", T0, "k")
    with pytest.raises(ValueError, match="line"):
        await storage_backend.store_incoming("raygan", LINE, [stray], chat_ids=[-1], cursor="c")
    assert await storage_backend.get_cursor("raygan", LINE) is None


async def test_forwards_per_chat_in_order_and_marked(storage_backend: Storage) -> None:
    new = await storage_backend.store_incoming(
        "raygan", LINE, [sms("a"), sms("b"), sms("c")], chat_ids=[-2, -1, -2], cursor="c"
    )
    a, b, c = (m.id for m in new)
    pending = await storage_backend.pending_forwards()
    assert [(p.chat_id, p.incoming.id) for p in pending] == [
        (-2, a),
        (-2, b),
        (-2, c),
        (-1, a),
        (-1, b),
        (-1, c),
    ]
    assert [(p.chat_id, p.incoming.id) for p in await storage_backend.pending_forwards(2)] == [
        (-2, a),
        (-2, b),
    ]
    assert [p.incoming.id for p in await storage_backend.pending_forwards(chat_id=-1)] == [a, b, c]
    assert await storage_backend.pending_forward_chats() == [-2, -1]
    assert await pending_forward_count(storage_backend, -1) == 3

    await storage_backend.mark_forwarded(-1, [a], 100)
    await storage_backend.mark_forwarded(-1, [b, c], 101)  # a digest: not linked for replies
    assert await pending_forward_count(storage_backend, -1) == 0
    assert await pending_forward_count(storage_backend, -2) == 3
    link = await storage_backend.get_link(-1, 100)
    assert link is not None and link.incoming_id == a and link.send_id is None
    assert await storage_backend.get_link(-1, 101) is None
    await storage_backend.mark_forwarded(-1, [a], 200)  # a retry after success changes nothing
    assert (await storage_backend.get_link(-1, 100)) is not None
    with pytest.raises(NotFoundError):
        await storage_backend.mark_forwarded(-3, [a], 300)  # never routed there


async def test_pending_forwards_survive_a_restart(backend: Backend, place: Path) -> None:
    async with backend.open(place, None) as opened:
        await opened.storage.store_incoming("raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c")
    async with backend.open(place, None) as opened:
        storage_backend = opened.storage
        assert [p.incoming.dedupe_key for p in await storage_backend.pending_forwards()] == ["a"]
        assert await storage_backend.get_cursor("raygan", LINE) == "c"


async def test_a_message_stands_for_what_was_posted_last_in_it(
    storage_backend: Storage,
) -> None:
    (m,) = await storage_backend.store_incoming(
        "raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c"
    )
    await storage_backend.mark_forwarded(-1, [m.id], 5)
    link = await storage_backend.get_link(-1, 5)
    assert link is not None and (link.incoming_id, link.send_id) == (m.id, None)
    assert await storage_backend.get_link(-2, 5) is None
    send, _ = await storage_backend.create_send(
        idempotency_key="k",
        account="raygan",
        line=LINE,
        text="x",
        chat_id=-1,
        requested_by=1,
        recipients=["+989121111111"],
    )
    await storage_backend.set_confirmation(send.id, -1, 5)  # the same message id: replaced
    link = await storage_backend.get_link(-1, 5)
    assert link is not None and (link.incoming_id, link.send_id) == (None, send.id)
