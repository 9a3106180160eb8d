"""Fixtures of the end-to-end tests; the harness itself is tests/bridge_harness.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from bridge_harness import (
    ADMIN,
    ADMIN_CHAT,
    OPERATOR,
    PAYAMAK_LINE,
    PAYAMAK_PASSWORD,
    RAYGAN_LINE,
    RAYGAN_PASSWORD,
    STRANGER,
    SUPPORT_GROUP,
    TOKEN,
    VIEWER,
    BridgeProcess,
    World,
    write_toml,
)
from replica_harness import Replicas, running_replicas

from sandbox.server import ProviderSandbox, RunningServer
from sandbox.telegram import TelegramFake


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """Simulators and the Telegram fake running; the bridge not yet started."""
    sandbox = ProviderSandbox()
    sandbox.raygan.delivery_step = 0.2
    sandbox.payamak.delivery_step = 0.2
    # Distinct passwords, so a test can look for them in the logs.
    sandbox.raygan.add_account("demo", RAYGAN_PASSWORD, lines=[RAYGAN_LINE])
    sandbox.payamak.add_account("demo", PAYAMAK_PASSWORD, lines=[PAYAMAK_LINE])
    fake = TelegramFake(TOKEN)
    for user, name in ((ADMIN, "Sara"), (OPERATOR, "Omid"), (VIEWER, "Vida"), (STRANGER, "Eve")):
        fake.add_user(user, name, language_code="fa")
    fake.add_group(ADMIN_CHAT, "SMS admins")
    fake.add_group(SUPPORT_GROUP, "Support")
    async with (
        RunningServer(sandbox.build_app()) as providers,
        RunningServer(fake.build_app()) as telegram,
    ):
        stack = AsyncExitStack()
        w = World(
            fake, sandbox, telegram.url, providers.url, tmp_path / "bridge.sqlite3", tmp_path, stack
        )
        try:
            yield w
        finally:
            await stack.aclose()


@pytest.fixture
async def bridge(world: World) -> AsyncIterator[World]:
    """The world with the bridge running in-process, an operator and a viewer granted, every
    line polled once (SMS injected by the test are new, not history met at the first start)."""
    await world.start_bridge()
    assert world.bridge is not None
    from storage.models import Role

    repo = world.bridge.data.repo
    await repo.set_role(OPERATOR, Role.OPERATOR, ADMIN)
    await repo.set_role(VIEWER, Role.VIEWER, ADMIN)
    await world.first_polls_done()
    yield world


@pytest.fixture
async def bridge_process(world: World) -> AsyncIterator[BridgeProcess]:
    """A bridge subprocess against the world's fakes (not started)."""
    config_path = write_toml(world.config_data(), world.tmp_path / "config.toml")
    process = BridgeProcess(world, config_path, world.tmp_path / "bridge.log")
    try:
        yield process
    finally:
        await process.stop()


@pytest.fixture
def replica_account_settings() -> dict[str, Any]:
    """Settings added to every account of the `replicas` (a test module may override it)."""
    return {}


@pytest.fixture
async def replicas(
    world: World, replica_account_settings: dict[str, Any]
) -> AsyncIterator[Replicas]:
    """Two `sms-bridge run` replicas in webhook mode on one fresh PostgreSQL database, ready;
    the Telegram fake posts updates to them in turn."""
    async with running_replicas(world, replica_account_settings) as started:
        yield started
