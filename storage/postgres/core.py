"""The plumbing every PostgreSQL store shares: a connection pool, transactions, UTC times.

The SQL of the stores is written as the SQLite backend's (`?` placeholders, one statement per
call) so that each module here reads beside its `storage/sqlite/` twin; `PgConn` numbers the
placeholders for asyncpg. Every change that touches more than one row runs in ONE transaction
on a connection of its own from the pool.

Several processes share the database, so what SQLite gets from `BEGIN IMMEDIATE` (one writer
at a time: a read-then-write inside a transaction cannot interleave with another writer) is
asked for explicitly: `_transaction()` takes a transaction-scoped advisory lock first (the
database releases it at COMMIT or ROLLBACK, also when the process dies). Work that outlasts a
transaction (posting to Telegram, calling a provider) is claimed row by row instead, with
`FOR UPDATE SKIP LOCKED` or an atomic `UPDATE … RETURNING` (see `storage.postgres.claims`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import asyncpg

# asyncpg.Record: rows are read by column name, as aiosqlite.Row.
Row = Any

# The advisory lock key every write transaction takes (pg_advisory_xact_lock(bigint)); any
# other advisory lock of the bridge uses the two-int form, so it never collides with this one.
WRITE_LOCK_KEY = 0x5E5B_0001

_PLACEHOLDER = re.compile(r"\?")


@lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """`?` placeholders as asyncpg's `$1, $2, …` (our SQL has no `?` inside literals)."""
    counter = iter(range(1, 10**6))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> datetime:
    """A timezone-aware datetime as stored: in UTC (naive ones are refused, as on SQLite)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} given; use a timezone-aware one")
    return moment.astimezone(UTC)


def from_db_time(value: datetime) -> datetime:
    """A TIMESTAMPTZ read back, in UTC."""
    return value.astimezone(UTC)


def _opt_time(value: datetime | None) -> datetime | None:
    return None if value is None else from_db_time(value)


@dataclass(frozen=True, slots=True)
class Changed:
    """What a statement changed (as a cursor's rowcount on SQLite)."""

    rowcount: int


def _rowcount(status: str) -> int:
    """The row count in a command tag: `UPDATE 3`, `INSERT 0 1`, `DELETE 0`."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PgConn:
    """One pooled connection inside a transaction, spoken to with `?` placeholders."""

    def __init__(self, raw: asyncpg.Connection) -> None:
        self.raw = raw

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Changed:
        """Run one statement; what it changed."""
        return Changed(_rowcount(await self.raw.execute(numbered(sql), *params)))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters (in this transaction)."""
        batch = [tuple(r) for r in rows]
        if batch:
            await self.raw.executemany(numbered(sql), batch)


class PgBase:
    """A pool, a clock, and the ways every store reads and writes through them."""

    # Whether changes also store their webhook events (`PgWebhooks.set_webhook_events`).
    _webhook_events: bool = False

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        clock: Callable[[], datetime] = utc_now,
        replica_id: int | None = None,
    ) -> None:
        self._pool = pool
        self._clock = clock
        # This process's replica lock (storage.postgres.leases); None: a process that holds
        # none (tests, tools), whose in-flight sends any start takes for interrupted.
        self._replica_id = replica_id

    @property
    def pool(self) -> asyncpg.Pool:
        """The connection pool (for claims and leaders that need a connection of their own)."""
        return self._pool

    def _now(self) -> datetime:
        return to_db_time(self._clock())

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[PgConn]:
        """One write transaction, one writer at a time across every process (see the module
        docstring); rolled back on any error or cancellation."""
        async with self._pool.acquire() as raw, raw.transaction():
            await raw.execute("SELECT pg_advisory_xact_lock($1::bigint)", WRITE_LOCK_KEY)
            yield PgConn(raw)

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[PgConn]:
        """One connection reading one consistent snapshot (several queries, one answer)."""
        async with (
            self._pool.acquire() as raw,
            raw.transaction(isolation="repeatable_read", readonly=True),
        ):
            yield PgConn(raw)

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._pool.fetch(numbered(sql), *params))

    async def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._pool.fetchrow(numbered(sql), *params)

    async def _change(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement (atomic on its own); returns the number of rows it changed."""
        return _rowcount(await self._pool.execute(numbered(sql), *params))


# ---------------------------------------------------------------- helpers


async def _all(conn: PgConn, sql: str, params: Iterable[Any] = ()) -> list[Row]:
    return list(await conn.raw.fetch(numbered(sql), *tuple(params)))


async def _one(conn: PgConn, sql: str, params: Iterable[Any] = ()) -> Row | None:
    return await conn.raw.fetchrow(numbered(sql), *tuple(params))


async def _link(
    conn: PgConn,
    chat_id: int,
    message_id: int,
    incoming_id: int | None,
    send_id: int | None,
    now: datetime,
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
