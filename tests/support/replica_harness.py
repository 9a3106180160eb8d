"""Real `sms-bridge run` replicas (two unless asked for another count) on one throwaway
PostgreSQL database, in webhook mode, the Telegram fake posting updates to them in turn (its
fixture, `replicas`, is in tests/bot/conftest.py; bench/replicas.py runs one and two).

`Replicas` reads the shared database (asyncpg) and the replicas' logs: which replica leads a
job, which replica id (the `sends.owner` of what it stores) each process has.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from bridge_harness import BridgeProcess, World, wait_for, write_toml
from postgres_server import free_port, shared_server

from sandbox.telegram import TelegramFake

SECRET = "replicas-secret-token"
START_TIMEOUT_S = 30.0
_REPLICA_ID = re.compile(r"replica (\d+) on PostgreSQL")
_LEADING = re.compile(r"leading (\S+) now")


@dataclass
class Replicas:
    """The bridge processes on one database, and a way to read that database."""

    url: str
    hooks: list[str]
    processes: list[BridgeProcess]
    fake: TelegramFake

    async def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        """The rows of a query of the shared database."""
        conn = await asyncpg.connect(self.url)
        try:
            rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
            return rows
        finally:
            await conn.close()

    async def scalar(self, sql: str, *args: object) -> int:
        """One number from the shared database."""
        conn = await asyncpg.connect(self.url)
        try:
            return int(await conn.fetchval(sql, *args))
        finally:
            await conn.close()

    async def wait_until(self, sql: str, what: str, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """Poll a true/false query of the shared database until it says true."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not await self.scalar(sql):
            if loop.time() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            await asyncio.sleep(0.1)

    def leader_of(self, job: str) -> int:
        """Which replica (its index: 0, 1, …) says it leads `job`."""
        leaders = [i for i, p in enumerate(self.processes) if f"leading {job} now" in p.log_text()]
        assert len(leaders) == 1, f"{job} is led by {leaders}"
        return leaders[0]

    def leaderships(self) -> dict[str, list[int]]:
        """Every `job:key` some replica said it took the lead of → those replicas' indexes
        (more than one when a leader died or lost its connection and another took over)."""
        led: dict[str, list[int]] = {}
        for index, process in enumerate(self.processes):
            for name in _LEADING.findall(process.log_text()):
                if index not in led.setdefault(name, []):
                    led[name].append(index)
        return led

    def replica_id(self, index: int) -> int:
        """The replica id process `index` logged at its start (what its sends' owner says)."""
        found = _REPLICA_ID.search(self.processes[index].log_text())
        assert found is not None, f"replica {index} logged no replica id"
        return int(found.group(1))

    def aim_at(self, index: int | None) -> None:
        """The Telegram fake posts every update to replica `index` only (None: to all in
        turn, as at the start)."""
        self.fake.webhook_targets = list(self.hooks) if index is None else [self.hooks[index]]


@asynccontextmanager
async def running_replicas(
    world: World, account_settings: Mapping[str, Any] | None = None, count: int = 2
) -> AsyncIterator[Replicas]:
    """`count` replicas started (and ready) on a fresh database; stopped after.
    `account_settings` are added to every account of the world's config."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    server = shared_server()
    name = server.new_database_name("replicas")
    admin = await asyncpg.connect(server.url("postgres"))
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    url = server.url(name)
    ports = [free_port() for _ in range(count)]
    hooks = [f"http://127.0.0.1:{port}/telegram" for port in ports]
    processes = []
    for i, port in enumerate(ports):
        data = world.config_data()
        for account in data["accounts"]:
            account.update(account_settings or {})
        data["storage"] = {"url": url}
        data["telegram"] = {
            **data["telegram"],
            "mode": "webhook",
            # The balancer's address in real life; the fake posts to each replica instead.
            "webhook_url": hooks[0],
            "webhook_listen": f"127.0.0.1:{port}",
            "secret_token": SECRET,
        }
        config_path = write_toml(data, world.tmp_path / f"replica{i}.toml")
        processes.append(BridgeProcess(world, config_path, world.tmp_path / f"replica{i}.log"))
    world.fake.webhook_targets = list(hooks)
    started = Replicas(url, hooks, processes, world.fake)
    try:
        for process in processes:
            process.start()
        for process in processes:
            await wait_for(
                lambda p=process: "bridge ready" in p.log_text(),  # type: ignore[misc]
                what="every replica ready",
                timeout=START_TIMEOUT_S,
            )
        yield started
    finally:
        for process in processes:
            await process.stop()
