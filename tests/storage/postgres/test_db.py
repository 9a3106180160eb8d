"""The PostgreSQL migration runner: the same refusals as SQLite's, and two replicas starting
together migrate once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from storage.errors import MigrationError
from storage.migrations import Migration
from storage.postgres import PgStorage, open_pool
from storage.postgres.db import apply_migrations, load_migrations

SQLITE_MIGRATIONS = Path(__file__).resolve().parents[3] / "storage" / "sqlite" / "migrations"


async def _versions(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
    finally:
        await conn.close()
    return [int(r["version"]) for r in rows]


def test_each_sqlite_migration_has_its_postgres_twin() -> None:
    """Adding a table is one numbered file per backend, with the same name. The numbers agree
    up to 0004 only: the PostgreSQL backend's own three (telegram_updates, send_owner, flows)
    were released as 0005-0007 before the campaign, scheduling, OTP and webhook tables came
    to it as 0008-0011, while SQLite had those first; a released number never changes."""
    postgres = [(m.version, m.name) for m in load_migrations()]
    sqlite = sorted((int(p.stem[:4]), p.stem[5:]) for p in SQLITE_MIGRATIONS.glob("*.sql"))
    assert sorted(name for _, name in postgres) == sorted(name for _, name in sqlite)
    assert postgres[:4] == sqlite[:4]
    assert [name for _, name in postgres[4:7]] == ["telegram_updates", "send_owner", "flows"]


async def test_migrations_apply_once_and_reopening_is_a_no_op(empty_url: str) -> None:
    pool = await open_pool(empty_url, min_size=1, max_size=2)
    await pool.close()
    assert await _versions(empty_url) == [m.version for m in load_migrations()]
    conn = await asyncpg.connect(empty_url)
    try:
        assert await apply_migrations(conn) == []
    finally:
        await conn.close()


async def test_replicas_starting_together_migrate_once(empty_url: str) -> None:
    conns = [await asyncpg.connect(empty_url) for _ in range(4)]
    try:
        applied = await asyncio.gather(*(apply_migrations(c) for c in conns))
    finally:
        for conn in conns:
            await conn.close()
    everything = [m.version for m in load_migrations()]
    assert sorted(v for done in applied for v in done) == everything  # each exactly once
    assert sum(1 for done in applied if done) == 1
    assert await _versions(empty_url) == everything


async def test_an_edited_applied_migration_is_refused(empty_url: str) -> None:
    migrations = load_migrations()
    conn = await asyncpg.connect(empty_url)
    try:
        await apply_migrations(conn)
        edited = [
            Migration(m.version, m.name, m.sql + "\n-- edited") if m.version == 1 else m
            for m in migrations
        ]
        with pytest.raises(MigrationError, match="differs from the one applied"):
            await apply_migrations(conn, edited)
        with pytest.raises(MigrationError, match="does not know"):
            await apply_migrations(conn, migrations[:-1])
    finally:
        await conn.close()


async def test_a_gap_in_the_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;", encoding="utf-8")
    (tmp_path / "0003_c.sql").write_text("SELECT 1;", encoding="utf-8")
    with pytest.raises(MigrationError, match="0002 is missing"):
        load_migrations(tmp_path)


async def test_a_failing_migration_is_rolled_back_whole(empty_url: str) -> None:
    broken = [Migration(1, "broken", "CREATE TABLE kept_not (x INT); SELECT 1/0;")]
    conn = await asyncpg.connect(empty_url)
    try:
        with pytest.raises(MigrationError, match="division by zero"):
            await apply_migrations(conn, broken)
        assert await conn.fetchval("SELECT to_regclass('kept_not')") is None
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == 0
        # The advisory lock was let go: another start can migrate.
        assert await conn.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0
    finally:
        await conn.close()


async def test_two_pools_storing_one_idempotency_key_store_one_send(empty_url: str) -> None:
    """Two replicas, each with its own pool, asked for the same send at once: one send."""
    pools = [await open_pool(empty_url, min_size=1, max_size=4) for _ in range(2)]
    try:
        stores = [PgStorage(p) for p in pools]

        async def create(store: PgStorage) -> bool:
            _, created = await store.create_send(
                idempotency_key="chat:1:msg:7",
                account="raygan",
                line="5000",
                text="hi",
                chat_id=1,
                requested_by=2,
                recipients=["+989120000001"],
            )
            return created

        results = await asyncio.gather(*(create(stores[i % 2]) for i in range(10)))
        assert results.count(True) == 1
    finally:
        for pool in pools:
            await pool.close()
