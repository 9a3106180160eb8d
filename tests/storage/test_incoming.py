"""Incoming SMS: stored once, the cursor moves only with the store, forwarded per chat."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from providers.base import IncomingSms
from storage.db import open_database
from storage.repository import NotFoundError, Repository

LINE = "50002910001080"
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def sms(
    key: str, body: str = "سلام", seconds: int = 0, sender: str = "+989121234567"
) -> IncomingSms:
    return IncomingSms(LINE, sender, body, T0 + timedelta(seconds=seconds), key)


async def _count(conn: aiosqlite.Connection, table: str) -> int:
    async with conn.execute(f"SELECT count(*) FROM {table}") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_store_returns_new_messages_and_moves_the_cursor(repo: Repository) -> None:
    assert await repo.get_cursor("raygan", LINE) is None
    new = await repo.store_incoming(
        "raygan", LINE, [sms("a"), sms("b", seconds=1)], chat_ids=[-1, -2], cursor="c1"
    )
    assert [m.dedupe_key for m in new] == ["a", "b"]
    assert new[0].received_at == T0 and new[0].received_at.tzinfo is UTC
    assert await repo.get_incoming(new[0].id) == new[0]
    assert await repo.get_cursor("raygan", LINE) == "c1"
    assert await repo.get_cursor("meli", LINE) is None  # cursors are per account and line


async def test_same_message_fetched_twice_is_stored_and_forwarded_once(
    repo: Repository,
) -> None:
    await repo.store_incoming("raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c1")
    again = await repo.store_incoming(
        "raygan", LINE, [sms("a"), sms("b")], chat_ids=[-1], cursor="c2"
    )
    assert [m.dedupe_key for m in again] == ["b"]
    assert await repo.get_cursor("raygan", LINE) == "c2"
    assert [p.incoming.dedupe_key for p in await repo.pending_forwards()] == ["a", "b"]


async def test_identical_keys_in_one_batch_are_stored_once_distinct_keys_kept(
    repo: Repository,
) -> None:
    # The adapter counts identical SMS into the key: two real ones have #1 and #2.
    batch = [sms("line|s|t|body#1"), sms("line|s|t|body#1"), sms("line|s|t|body#2")]
    new = await repo.store_incoming("raygan", LINE, batch, chat_ids=[-1], cursor="c")
    assert [m.dedupe_key for m in new] == ["line|s|t|body#1", "line|s|t|body#2"]
    assert await repo.pending_forward_count(-1) == 2


async def test_same_key_on_another_account_is_another_message(repo: Repository) -> None:
    await repo.store_incoming("raygan", LINE, [sms("1")], chat_ids=[], cursor="c")
    new = await repo.store_incoming("meli", LINE, [sms("1")], chat_ids=[], cursor="c")
    assert len(new) == 1


async def test_failing_insert_leaves_cursor_and_rows_unchanged(
    repo: Repository, conn: aiosqlite.Connection
) -> None:
    await repo.store_incoming("raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c1")
    broken = [sms("b"), sms("")]  # an empty dedupe key breaks the schema's CHECK
    with pytest.raises(aiosqlite.IntegrityError):
        await repo.store_incoming("raygan", LINE, broken, chat_ids=[-1], cursor="c2")
    assert await repo.get_cursor("raygan", LINE) == "c1"
    assert await _count(conn, "incoming") == 1
    assert await _count(conn, "forwards") == 1
    # The connection is usable afterwards and the batch can be stored once fixed.
    new = await repo.store_incoming("raygan", LINE, [sms("b")], chat_ids=[-1], cursor="c2")
    assert [m.dedupe_key for m in new] == ["b"]


async def test_message_from_another_line_is_refused(repo: Repository) -> None:
    stray = IncomingSms("10002188", "+989121234567", "x", T0, "k")
    with pytest.raises(ValueError, match="line"):
        await repo.store_incoming("raygan", LINE, [stray], chat_ids=[-1], cursor="c")
    assert await repo.get_cursor("raygan", LINE) is None


async def test_forwards_per_chat_in_order_and_marked(repo: Repository) -> None:
    new = await repo.store_incoming(
        "raygan", LINE, [sms("a"), sms("b"), sms("c")], chat_ids=[-2, -1, -2], cursor="c"
    )
    a, b, c = (m.id for m in new)
    pending = await repo.pending_forwards()
    assert [(p.chat_id, p.incoming.id) for p in pending] == [
        (-2, a),
        (-2, b),
        (-2, c),
        (-1, a),
        (-1, b),
        (-1, c),
    ]
    assert [(p.chat_id, p.incoming.id) for p in await repo.pending_forwards(2)] == [
        (-2, a),
        (-2, b),
    ]
    assert [p.incoming.id for p in await repo.pending_forwards(chat_id=-1)] == [a, b, c]
    assert await repo.pending_forward_chats() == [-2, -1]
    assert await repo.pending_forward_count(-1) == 3

    await repo.mark_forwarded(-1, [a], 100)
    await repo.mark_forwarded(-1, [b, c], 101)  # a digest: not linked for replies
    assert await repo.pending_forward_count(-1) == 0
    assert await repo.pending_forward_count(-2) == 3
    link = await repo.get_link(-1, 100)
    assert link is not None and link.incoming_id == a and link.send_id is None
    assert await repo.get_link(-1, 101) is None
    await repo.mark_forwarded(-1, [a], 200)  # a retry after success changes nothing
    assert (await repo.get_link(-1, 100)) is not None
    with pytest.raises(NotFoundError):
        await repo.mark_forwarded(-3, [a], 300)  # never routed there


async def test_pending_forwards_survive_a_restart(db_path: Path) -> None:
    conn = await open_database(db_path)
    await Repository(conn).store_incoming("raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c")
    await conn.close()
    conn = await open_database(db_path)
    try:
        repo = Repository(conn)
        assert [p.incoming.dedupe_key for p in await repo.pending_forwards()] == ["a"]
        assert await repo.get_cursor("raygan", LINE) == "c"
    finally:
        await conn.close()


async def test_link_message_needs_a_target_and_replaces(repo: Repository) -> None:
    (m,) = await repo.store_incoming("raygan", LINE, [sms("a")], chat_ids=[-1], cursor="c")
    with pytest.raises(ValueError):
        await repo.link_message(-1, 5)
    await repo.link_message(-1, 5, incoming_id=m.id)
    link = await repo.get_link(-1, 5)
    assert link is not None and (link.incoming_id, link.send_id) == (m.id, None)
    assert await repo.get_link(-2, 5) is None


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 5, 8, 13])
async def test_cancelled_store_is_all_or_nothing_and_leaves_the_connection_usable(
    repo: Repository, conn: aiosqlite.Connection, steps: int
) -> None:
    batch = [sms(f"k{i}", seconds=i) for i in range(50)]
    task = asyncio.create_task(
        repo.store_incoming("raygan", LINE, batch, chat_ids=[-1], cursor="c1")
    )
    for _ in range(steps):
        await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    stored = await _count(conn, "incoming")
    cursor = await repo.get_cursor("raygan", LINE)
    assert (stored, cursor) in ((0, None), (50, "c1"))
    assert not conn.in_transaction
    new = await repo.store_incoming("raygan", LINE, batch, chat_ids=[-1], cursor="c1")
    assert len(new) == 50 - stored
