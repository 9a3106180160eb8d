"""Fixtures for the SQLite-only tests: the database file and its raw connection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from storage.sqlite import SqliteStorage, open_database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bridge.sqlite3"


@pytest.fixture
async def conn(db_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    connection = await open_database(db_path)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def repo(conn: aiosqlite.Connection) -> SqliteStorage:
    return SqliteStorage(conn)
