"""The plumbing every SQLite store shares: one connection, its lock, transactions, UTC text time.

Each change that touches more than one row runs in ONE transaction (BEGIN IMMEDIATE … COMMIT).
The connection is shared by every coroutine of the process, so statements of concurrent
coroutines would otherwise land inside each other's transactions: all access goes through a
lock per connection (`storage.sqlite.claims`, where every single-process assumption is named).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from storage.sqlite.claims import connection_lock

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> str:
    """A timezone-aware datetime as the stored fixed-width UTC text."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} given; use a timezone-aware one")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def from_db_time(text: str) -> datetime:
    """Stored UTC text back to an aware datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def _opt_time(text: str | None) -> datetime | None:
    return None if text is None else from_db_time(text)


class SqliteBase:
    """One aiosqlite connection, a clock, and the ways every store reads and writes through it."""

    # Whether changes also store their webhook events (`SqliteWebhooks.set_webhook_events`).
    _webhook_events: bool = False

    def __init__(
        self, conn: aiosqlite.Connection, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._conn = conn
        self._clock = clock
        self._lock = connection_lock(conn)

    def _now(self) -> str:
        return to_db_time(self._clock())

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction; rolled back on any error or cancellation."""
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
                await self._conn.execute("COMMIT")
            except BaseException:
                # Not `execute("ROLLBACK")` guarded by in_transaction: a cancelled await leaves
                # its statement queued on the connection's thread, so BEGIN may not have run
                # yet. rollback() is queued behind it and is a no-op without a transaction.
                await self._conn.rollback()
                raise

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self._lock:
            return await _all(self._conn, sql, params)

    async def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._lock:
            return await _one(self._conn, sql, params)

    async def _change(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement (atomic on its own); returns the number of rows it changed."""
        async with self._lock, self._conn.execute(sql, params) as cursor:
            return cursor.rowcount


# ---------------------------------------------------------------- helpers


async def _all(
    conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
) -> list[aiosqlite.Row]:
    # One trip to the connection's thread (execute, fetch, close there), not three: every
    # statement waits for the ones before it on the one connection (bench/api_send.py).
    return list(await conn.execute_fetchall(sql, tuple(params)))


async def _one(
    conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
) -> aiosqlite.Row | None:
    # Fetching every row also drains an INSERT … RETURNING before the next statement.
    rows = await _all(conn, sql, params)
    return rows[0] if rows else None


async def _link(
    conn: aiosqlite.Connection,
    chat_id: int,
    message_id: int,
    incoming_id: int | None,
    send_id: int | None,
    now: str,
) -> None:
    await conn.execute(
        "INSERT INTO message_links (chat_id, message_id, incoming_id, send_id, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET"
        " incoming_id = excluded.incoming_id, send_id = excluded.send_id",
        (chat_id, message_id, incoming_id, send_id, now),
    )


def _nonempty(value: str, name: str) -> str:
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value
