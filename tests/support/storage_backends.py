"""The storage backends the contract tests run against, and what tests need beyond the protocols.

`BACKENDS` lists one factory per backend; the PostgreSQL backend adds its entry here and runs the
very same suite in `tests/storage/`. Each factory opens a `Storage` in a folder the test owns;
opening again on the same folder is a restart (the data stays).

Reads that only tests need (the product never asks them) are not part of the protocols: the
helpers here are written over the protocols where that is possible, and as a small per-backend
probe where it is not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import aiosqlite
import asyncpg
from postgres_server import PostgresServer, shared_server

from providers.base import DeliveryState
from storage.base import Storage
from storage.models import AuditEntry, DeliveryReport, Send
from storage.postgres import PgStorage, open_pool
from storage.postgres.core import from_db_time as pg_time
from storage.postgres.sends import _send as pg_send
from storage.sqlite import SqliteStorage, open_database
from storage.sqlite.core import from_db_time
from storage.sqlite.sends import _send

Clock = Callable[[], datetime]


class StorageProbe(Protocol):
    """What tests read that no protocol offers (each backend answers it its own way)."""

    async def find_send_by_key(self, key: str) -> Send | None:
        """The send stored under an idempotency key."""
        ...

    async def recent_audit(self, limit: int = 50) -> list[AuditEntry]:
        """The latest audit entries, newest first."""
        ...


@dataclass(frozen=True)
class Opened:
    """A storage opened by a backend factory, with its probe."""

    storage: Storage
    probe: StorageProbe


@dataclass(frozen=True)
class Backend:
    """One storage backend the contract suite runs against."""

    name: str
    open: Callable[[Path, Clock | None], AbstractAsyncContextManager[Opened]]


class SqliteProbe:
    """`StorageProbe` for SQLite: plain queries on the connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def find_send_by_key(self, key: str) -> Send | None:
        """The send stored under an idempotency key."""
        async with self._conn.execute(
            "SELECT * FROM sends WHERE idempotency_key = ?", (key,)
        ) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _send(row)

    async def recent_audit(self, limit: int = 50) -> list[AuditEntry]:
        """The latest audit entries, newest first."""
        async with self._conn.execute(
            "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            AuditEntry(
                r["id"], from_db_time(r["at"]), r["user_id"], r["chat_id"], r["action"], r["detail"]
            )
            for r in rows
        ]


@asynccontextmanager
async def open_sqlite(place: Path, clock: Clock | None = None) -> AsyncIterator[Opened]:
    """A SQLite file under `place` (the same file each time for the same place)."""
    conn = await open_database(place / "data" / "bridge.sqlite3")
    try:
        storage = SqliteStorage(conn) if clock is None else SqliteStorage(conn, clock=clock)
        yield Opened(storage, SqliteProbe(conn))
    finally:
        await conn.close()


class PgProbe:
    """`StorageProbe` for PostgreSQL: plain queries on the pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def find_send_by_key(self, key: str) -> Send | None:
        """The send stored under an idempotency key."""
        row = await self._pool.fetchrow("SELECT * FROM sends WHERE idempotency_key = $1", key)
        return None if row is None else pg_send(row)

    async def recent_audit(self, limit: int = 50) -> list[AuditEntry]:
        """The latest audit entries, newest first."""
        rows = await self._pool.fetch("SELECT * FROM audit_log ORDER BY id DESC LIMIT $1", limit)
        return [
            AuditEntry(
                r["id"], pg_time(r["at"]), r["user_id"], r["chat_id"], r["action"], r["detail"]
            )
            for r in rows
        ]


TEMPLATE_DATABASE = "bridge_template"
_DATABASES: dict[str, str] = {}  # a test's place → its database (reopening it is a restart)
_TEMPLATE_READY: set[int] = set()  # ports of the servers whose template is migrated


async def _admin(server: PostgresServer) -> asyncpg.Connection:
    return await asyncpg.connect(server.url("postgres"))


async def fresh_database(server: PostgresServer) -> str:
    """A new, migrated, empty database on `server` (a copy of the migrated template)."""
    if server.port not in _TEMPLATE_READY:
        admin = await _admin(server)
        try:
            exists = await admin.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = $1", TEMPLATE_DATABASE
            )
            if not exists:
                await admin.execute(f"CREATE DATABASE {TEMPLATE_DATABASE}")
        finally:
            await admin.close()
        pool = await open_pool(server.url(TEMPLATE_DATABASE), min_size=1, max_size=1)
        await pool.close()
        _TEMPLATE_READY.add(server.port)
    name = server.new_database_name()
    admin = await _admin(server)
    try:
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DATABASE}")
    finally:
        await admin.close()
    return name


@asynccontextmanager
async def open_postgres(place: Path, clock: Clock | None = None) -> AsyncIterator[Opened]:
    """A database on the session's PostgreSQL server (the same one each time for the same
    place); the server is started on first use, and its failure to start fails the test."""
    server = shared_server()
    key = str(place)
    if key not in _DATABASES:
        _DATABASES[key] = await fresh_database(server)
    pool = await open_pool(server.url(_DATABASES[key]), min_size=1, max_size=8)
    try:
        storage = PgStorage(pool) if clock is None else PgStorage(pool, clock=clock)
        yield Opened(storage, PgProbe(pool))
    finally:
        await pool.close()


BACKENDS: list[Backend] = [Backend("sqlite", open_sqlite), Backend("postgres", open_postgres)]


# ---------------------------------------------------------------- over the protocols


async def apply_delivery(
    storage: Storage,
    recipient_id: int,
    state: DeliveryState,
    raw_code: str | None,
    *,
    next_poll_at: datetime | None,
) -> bool:
    """One delivery report (`apply_deliveries` of one); True if the state changed."""
    report = DeliveryReport(recipient_id, state, raw_code, next_poll_at)
    return await storage.apply_deliveries([report]) == 1


async def pending_forward_count(storage: Storage, chat_id: int) -> int:
    """How many incoming SMS still have to reach `chat_id`."""
    return len(await storage.pending_forwards(10**9, chat_id=chat_id))
