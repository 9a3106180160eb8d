"""Connecting to PostgreSQL (a pool) and applying its numbered SQL migrations, once, however
many replicas start together."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import asyncpg

from storage.errors import MigrationError
from storage.migrations import Migration, check_recorded, read_migrations
from storage.postgres.core import utc_now

log = logging.getLogger(__name__)

MIGRATIONS_PACKAGE = "storage.postgres"
MIGRATIONS_DIR = "migrations"
# pg_advisory_lock(int, int): (the bridge, migrating). Held on the migrating connection only.
MIGRATION_LOCK = (0x5E5B, 1)
POOL_MIN = 2
POOL_MAX = 10

_CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)
"""


def load_migrations(directory: Path | None = None) -> list[Migration]:
    """The PostgreSQL migration files in version order; refuses gaps, duplicates, stray names."""
    if directory is not None:
        return read_migrations((p.name, p.read_text(encoding="utf-8")) for p in directory.iterdir())
    root = resources.files(MIGRATIONS_PACKAGE).joinpath(MIGRATIONS_DIR)
    return read_migrations(
        (p.name, p.read_text(encoding="utf-8")) for p in root.iterdir() if p.is_file()
    )


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Times are compared and stored in UTC whatever the server's default zone.
    await conn.execute("SET TIME ZONE 'UTC'")


async def open_pool(
    url: str, *, min_size: int = POOL_MIN, max_size: int = POOL_MAX, migrate: bool = True
) -> asyncpg.Pool:
    """A connection pool on the database at `url`, its migrations applied (see
    `apply_migrations`); the pool is closed again if that fails."""
    pool = await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, init=_init_connection
    )
    try:
        if migrate:
            async with pool.acquire() as conn:
                await apply_migrations(conn)
    except BaseException:
        await pool.close()
        raise
    return pool


async def applied_migrations(conn: asyncpg.Connection) -> dict[int, tuple[str, str]]:
    """Recorded migrations: version → (name, checksum)."""
    rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
    return {int(r["version"]): (str(r["name"]), str(r["checksum"])) for r in rows}


async def apply_migrations(
    conn: asyncpg.Connection, migrations: list[Migration] | None = None
) -> list[int]:
    """Apply the migrations not yet recorded, each in its own transaction, under a session
    advisory lock (a replica starting at the same time waits, then finds them applied);
    returns their versions. Refuses a database whose recorded migrations differ from the
    files, or have a gap."""
    available = load_migrations() if migrations is None else migrations
    await conn.execute("SELECT pg_advisory_lock($1, $2)", *MIGRATION_LOCK)
    try:
        await conn.execute(_CREATE_MIGRATIONS_TABLE)
        recorded = await applied_migrations(conn)
        check_recorded(recorded, available)
        applied_now: list[int] = []
        for migration in available:
            if migration.version in recorded:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
                    " VALUES ($1, $2, $3, $4)",
                    migration.version,
                    migration.name,
                    migration.checksum,
                    utc_now(),
                )
            log.info("applied migration %04d_%s", migration.version, migration.name)
            applied_now.append(migration.version)
        return applied_now
    except asyncpg.PostgresError as exc:
        raise MigrationError(f"a PostgreSQL migration failed: {exc}") from exc
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1, $2)", *MIGRATION_LOCK)
