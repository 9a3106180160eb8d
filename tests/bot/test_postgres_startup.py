"""Start-up on PostgreSQL: a server that cannot be reached or refuses us is one line naming
storage.url (its password never shown)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from postgres_server import shared_server

from bot.config import Config
from bot.startup import StartupError, open_bridge_pool
from sandbox.bridge_config import bridge_config


def _config(tmp_path: Path, url: str) -> Config:
    data = bridge_config(
        token="1000001:startup-test-token",
        telegram_url="http://127.0.0.1:9",
        sandbox_url="http://127.0.0.1:9",
        db_path=tmp_path / "unused.sqlite3",
        admins=[1],
        admin_chat_id=-1,
        passwords={"raygan": "p1", "meli": "p2"},
    )
    data["storage"] = {"url": url}
    return Config.model_validate(data)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://bridge:pw-not-shown@127.0.0.1:{_closed_port()}/bridge"
    with pytest.raises(StartupError) as caught:
        await open_bridge_pool(_config(tmp_path, url))
    line = str(caught.value)
    assert line.startswith("cannot use the database at postgresql://127.0.0.1:")
    assert "(storage.url): connection refused — check storage.url" in line
    assert "pw-not-shown" not in line


async def test_a_missing_database_is_one_line(tmp_path: Path) -> None:
    server = shared_server()
    url = server.url("no_such_database").replace(":unused@", ":pw-not-shown@")
    with pytest.raises(StartupError) as caught:
        await open_bridge_pool(_config(tmp_path, url))
    line = str(caught.value)
    assert "(storage.url)" in line and "no_such_database" in line
    assert "pw-not-shown" not in line and "\n" not in line


async def test_health_reads_the_postgres_database(tmp_path: Path) -> None:
    from bot.health import check_health
    from storage.postgres import PgStorage, open_pool

    server = shared_server()
    name = server.new_database_name("health")
    pool = await open_pool(server.url("postgres"), min_size=1, max_size=1, migrate=False)
    try:
        await pool.execute(f"CREATE DATABASE {name}")
    finally:
        await pool.close()
    config = _config(tmp_path, server.url(name))
    pool = await open_pool(config.storage.url, min_size=1, max_size=1)
    try:
        repo = PgStorage(pool)
        for account in ("raygan", "meli"):
            for job in ("inbox", "credit"):
                await repo.record_poll_success(account, job)
    finally:
        await pool.close()
    health = await check_health(config)
    assert health.healthy, health.line
    missing = _config(tmp_path, server.url("no_such_database"))
    health = await check_health(missing)
    assert not health.healthy and "cannot be opened" in health.line
    assert "unused" not in health.line  # the URL's password
