"""`telegram.proxy` is honoured: every Bot API call goes through the configured HTTP proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from bridge_harness import ADMIN, World
from e2e_steps import ask
from proxies import ForwardProxy


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardProxy]:
    server = ForwardProxy()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


async def test_bot_api_calls_go_through_the_configured_proxy(
    world: World, proxy: ForwardProxy
) -> None:
    world.overrides["telegram"] = {"proxy": proxy.url}
    await world.start_bridge()
    answer = await ask(world, ADMIN, ADMIN, "/start")
    assert "مدیر" in answer.text
    called = {path.rsplit("/", 1)[-1] for path in proxy.targets}
    assert {"getMe", "getUpdates", "sendMessage"} <= called
