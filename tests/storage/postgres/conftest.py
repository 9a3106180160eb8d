"""Fixtures for the PostgreSQL-only tests: a fresh database on the session's server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from postgres_server import PostgresServer, shared_server


@pytest.fixture
def server() -> PostgresServer:
    """The session's throwaway PostgreSQL server (started on first use)."""
    return shared_server()


@pytest.fixture
async def empty_url(server: PostgresServer) -> AsyncIterator[str]:
    """The URL of a new database with nothing in it (not even the migrations)."""
    name = server.new_database_name("empty")
    admin = await asyncpg.connect(server.url("postgres"))
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    yield server.url(name)
