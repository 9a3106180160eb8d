"""Opening the database and applying numbered migrations."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import aiosqlite
import pytest

import storage
import storage.sqlite
from storage.errors import MigrationError
from storage.sqlite.db import (
    DatabaseInUseError,
    Migration,
    apply_migrations,
    load_migrations,
    lock_path_for,
    open_database,
    split_statements,
)


async def _scalar(conn: aiosqlite.Connection, sql: str) -> object:
    async with conn.execute(sql) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return row[0]


async def test_open_creates_folders_and_sets_pragmas(db_path: Path) -> None:
    assert not db_path.parent.exists()
    conn = await open_database(db_path)
    try:
        assert db_path.is_file()  # noqa: ASYNC240 (a test, once)
        assert await _scalar(conn, "PRAGMA journal_mode") == "wal"
        assert await _scalar(conn, "PRAGMA foreign_keys") == 1
        assert await _scalar(conn, "PRAGMA synchronous") == 1  # NORMAL
        assert int(await _scalar(conn, "PRAGMA busy_timeout")) > 0  # type: ignore[call-overload]
        assert conn.row_factory is aiosqlite.Row
    finally:
        await conn.close()


def test_sqlite_migrations_live_only_beside_the_backend() -> None:
    """The runner reads storage/sqlite/migrations/; a file left in the old storage/migrations/
    (or any other folder of storage/) would never be applied."""
    root = Path(storage.__file__).parent
    home = Path(storage.sqlite.__file__).parent / "migrations"
    # Each backend has its own numbered files (PostgreSQL's are storage/postgres/migrations/).
    homes = {home, root / "postgres" / "migrations"}
    stray = [p for p in root.rglob("*.sql") if p.parent not in homes]
    assert stray == []
    assert sorted(p.name for p in home.glob("*.sql")) == [
        f"{m.version:04d}_{m.name}.sql" for m in load_migrations()
    ]


async def test_migrations_apply_once_and_rerun_is_a_no_op(db_path: Path) -> None:
    files = load_migrations()
    conn = await open_database(db_path)
    try:
        async with conn.execute("SELECT version, name FROM schema_migrations") as cursor:
            recorded = [tuple(r) for r in await cursor.fetchall()]
        assert recorded == [(m.version, m.name) for m in files]
        assert await apply_migrations(conn) == []
    finally:
        await conn.close()
    conn = await open_database(db_path)  # a restart applies nothing and changes nothing
    try:
        assert await _scalar(conn, "SELECT count(*) FROM schema_migrations") == len(files)
    finally:
        await conn.close()


async def test_edited_applied_migration_is_refused(db_path: Path) -> None:
    conn = await open_database(db_path)
    await conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    await conn.close()
    with pytest.raises(MigrationError, match="differs from the one applied"):
        await open_database(db_path)


async def test_database_newer_than_program_is_refused(db_path: Path) -> None:
    conn = await open_database(db_path)
    await conn.execute(
        "INSERT INTO schema_migrations VALUES (99, 'future', 'x', '2026-01-01T00:00:00.000000Z')"
    )
    await conn.close()
    with pytest.raises(MigrationError, match="does not know"):
        await open_database(db_path)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["0001_a.sql", "0003_c.sql"], "0002 is missing"),
        (["0002_b.sql"], "0001 is missing"),
        (["0001_a.sql", "0001_b.sql"], "duplicated"),
        (["1_a.sql"], "not named NNNN_name.sql"),
    ],
)
def test_gaps_and_bad_names_in_files_are_refused(
    tmp_path: Path, names: list[str], message: str
) -> None:
    for name in names:
        (tmp_path / name).write_text("CREATE TABLE t (x);\n", encoding="utf-8")
    with pytest.raises(MigrationError, match=message):
        load_migrations(tmp_path)


async def test_failing_migration_is_rolled_back_whole(tmp_path: Path) -> None:
    conn = await aiosqlite.connect(tmp_path / "m.sqlite3", isolation_level=None)
    try:
        good = Migration(1, "good", "CREATE TABLE a (x INTEGER);")
        bad = Migration(2, "bad", "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);")
        with pytest.raises(aiosqlite.OperationalError, match="nowhere"):
            await apply_migrations(conn, [good, bad])
        async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
            tables = {r[0] for r in await cur.fetchall()}
        assert "a" in tables and "b" not in tables
        async with conn.execute("SELECT version FROM schema_migrations") as cur:
            assert [r[0] for r in await cur.fetchall()] == [1]
        fixed = Migration(2, "bad", "CREATE TABLE b (x INTEGER);")
        assert await apply_migrations(conn, [good, fixed]) == [2]
    finally:
        await conn.close()


def test_split_statements_keeps_triggers_strings_and_comments_whole() -> None:
    sql = """
    -- a comment; with a semicolon
    CREATE TABLE t (x TEXT DEFAULT 'a;b');
    CREATE TRIGGER tr AFTER INSERT ON t BEGIN
        UPDATE t SET x = 'c'; DELETE FROM t WHERE 0;
    END;
    INSERT INTO t VALUES ('d'); INSERT INTO t VALUES ('e');
    -- trailing comment
    """
    statements = split_statements(sql)
    assert len(statements) == 4
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    with pytest.raises(MigrationError, match="incomplete"):
        split_statements("CREATE TABLE t (x);\nCREATE TABLE u (y)")


async def test_schema_constraints_are_enforced(conn: aiosqlite.Connection) -> None:
    with pytest.raises(aiosqlite.IntegrityError, match="CHECK"):
        await conn.execute(
            "INSERT INTO users VALUES (1, 'root', NULL, '2026-01-01T00:00:00.000000Z', "
            "'2026-01-01T00:00:00.000000Z')"
        )
    with pytest.raises(aiosqlite.IntegrityError, match="FOREIGN KEY"):
        await conn.execute(
            "INSERT INTO send_recipients (send_id, account, recipient, state, updated_at)"
            " VALUES (12345, 'a', '+989121234567', 'queued', '2026-01-01T00:00:00.000000Z')"
        )


async def test_every_query_plan_uses_an_index(conn: aiosqlite.Connection) -> None:
    """The hot queries never scan a whole table (SPEC §7)."""
    queries = [
        "SELECT * FROM sends WHERE chat_id = 1 ORDER BY created_at DESC, id DESC LIMIT 10",
        "SELECT * FROM send_recipients WHERE account = 'a' AND next_poll_at IS NOT NULL"
        " AND next_poll_at <= 'z' ORDER BY next_poll_at, id LIMIT 5",
        "SELECT * FROM forwards WHERE chat_id = 1 AND message_id IS NOT NULL"
        " ORDER BY received_at DESC, incoming_id DESC LIMIT 10",
        "SELECT * FROM forwards WHERE message_id IS NULL ORDER BY chat_id, incoming_id LIMIT 5",
        "SELECT * FROM sends WHERE confirmation_version > confirmation_rendered_version"
        " ORDER BY id LIMIT 5",
        "SELECT id FROM sends WHERE status = 'submitting'",
        "SELECT * FROM send_recipients WHERE send_id = 1 ORDER BY id",
    ]
    for query in queries:
        async with conn.execute("EXPLAIN QUERY PLAN " + query) as cursor:
            plan = " | ".join(str(r[3]) for r in await cursor.fetchall())
        assert "USE TEMP B-TREE" not in plan, (query, plan)
        assert not any(
            step.startswith("SCAN") and "INDEX" not in step for step in plan.split(" | ")
        ), (query, plan)


async def test_a_second_open_is_refused_naming_the_file_until_the_first_closes(
    db_path: Path,
) -> None:
    conn = await open_database(db_path)
    try:
        with pytest.raises(DatabaseInUseError) as refused:
            await open_database(db_path)
        assert str(db_path) in str(refused.value)
        assert "\n" not in str(refused.value)
        assert refused.value.lock_path == lock_path_for(db_path)
        # The lock is ours, not SQLite's: readers (the tests' own looks, the sqlite3 shell)
        # still read a WAL database another process owns.
        reader = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            assert reader.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] >= 1
        finally:
            reader.close()
    finally:
        await conn.close()
    again = await open_database(db_path)
    await again.close()


async def test_a_refused_open_leaves_the_owner_working(db_path: Path) -> None:
    conn = await open_database(db_path)
    try:
        with pytest.raises(DatabaseInUseError):
            await open_database(db_path)
        await conn.execute("CREATE TABLE still_mine (x)")
    finally:
        await conn.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    # The common default; under it SQLite alone creates the database 0644.
    saved = os.umask(0o022)
    yield
    os.umask(saved)


@pytest.mark.usefixtures("usual_umask")
async def test_a_new_database_and_its_folder_are_private_to_the_bridge(db_path: Path) -> None:
    conn = await open_database(db_path)
    try:
        await conn.execute("INSERT INTO alerts VALUES ('k', '2026-01-01T00:00:00.000000Z')")
        files = [db_path, db_path.with_name(db_path.name + "-wal")]
        files.append(db_path.with_name(db_path.name + "-shm"))
        for path in files:
            mode = _mode(path)
            assert mode == 0o600, f"{path.name} is {mode:o}"
        assert _mode(db_path.parent) == 0o700
    finally:
        await conn.close()


_HOLDER = """
import asyncio, sys
from storage.sqlite.db import open_database

async def main() -> None:
    await open_database(sys.argv[1])
    print("locked", flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


async def test_the_lock_of_a_process_killed_by_sigkill_is_gone(db_path: Path) -> None:
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _HOLDER, str(db_path), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert await asyncio.wait_for(holder.stdout.readline(), 30) == b"locked\n"
        with pytest.raises(DatabaseInUseError, match=f"process {holder.pid}"):
            await open_database(db_path)
    finally:
        holder.kill()  # SIGKILL: no code of the holder runs after this
        await holder.wait()
    conn = await open_database(db_path)  # nothing held it after the kill
    await conn.close()


@pytest.mark.usefixtures("usual_umask")
async def test_an_existing_database_keeps_the_mode_its_owner_gave_it(db_path: Path) -> None:
    conn = await open_database(db_path)
    await conn.close()
    os.chmod(db_path, 0o640)
    conn = await open_database(db_path)
    await conn.close()
    assert _mode(db_path) == 0o640
