"""SQLite transactions: all or nothing on errors and cancellation, one connection shared by
concurrent writers (the connection lock of `storage.sqlite.claims`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import aiosqlite
import pytest
from storage_backends import SqliteProbe, pending_forward_count

from providers.base import IncomingSms
from storage.models import Send
from storage.sqlite import SqliteStorage

LINE = "50002910001080"
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
A, B, C = "+989121111111", "+989122222222", "+989123333333"
LATER = datetime(2026, 11, 22, 10, 1, tzinfo=UTC)


def sms(
    key: str, body: str = "سلام", seconds: int = 0, sender: str = "+989121234567"
) -> IncomingSms:
    return IncomingSms(LINE, sender, body, T0 + timedelta(seconds=seconds), key)


async def _count(conn: aiosqlite.Connection, table: str) -> int:
    async with conn.execute(f"SELECT count(*) FROM {table}") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def _new_send(
    repo: SqliteStorage, key: str = "chat1:msg1", recipients: Sequence[str] = (A, B, C)
) -> Send:
    send, created = await repo.create_send(
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


async def test_failing_insert_leaves_cursor_and_rows_unchanged(
    repo: SqliteStorage, conn: aiosqlite.Connection
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


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 5, 8, 13])
async def test_cancelled_store_is_all_or_nothing_and_leaves_the_connection_usable(
    repo: SqliteStorage, conn: aiosqlite.Connection, steps: int
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


async def test_concurrent_writers_share_one_connection_safely(
    repo: SqliteStorage, conn: aiosqlite.Connection
) -> None:
    other = SqliteStorage(conn)  # a second repository on the same connection shares its lock

    async def send(n: int) -> None:
        await _new_send(repo if n % 2 else other, key=f"k{n}", recipients=[A, B])

    async def store(n: int) -> None:
        sms = IncomingSms("5000", A, "x", LATER, f"d{n}")
        await (other if n % 2 else repo).store_incoming(
            "raygan", "5000", [sms], chat_ids=[-1], cursor=str(n)
        )

    await asyncio.gather(*(send(n) for n in range(20)), *(store(n) for n in range(20)))
    assert await pending_forward_count(repo, -1) == 20
    assert all([await SqliteProbe(conn).find_send_by_key(f"k{n}") for n in range(20)])
