"""Fixtures of the API's end-to-end tests: the real bridge with [api], a webhook receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from api_support import ApiWorld, WebhookReceiver, api_section, free_port
from bridge_harness import World

from bot.startup import StartupError


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    """A webhook receiver, listening."""
    hook = WebhookReceiver()
    await hook.start()
    try:
        yield hook
    finally:
        await hook.stop()


@pytest.fixture
async def api(world: World, receiver: WebhookReceiver) -> AsyncIterator[ApiWorld]:
    """The bridge with its API on a free port, webhooks to `receiver`, every line polled."""
    for attempt in range(3):
        # Tests run side by side (pytest-xdist): a port free a moment ago may be taken now.
        port = free_port()
        world.overrides["api"] = api_section(port, receiver.url, rate_per_second=20, rate_burst=20)
        try:
            await world.start_bridge()
            break
        except StartupError:
            if attempt == 2:
                raise
    await world.first_polls_done()
    try:
        async with aiohttp.ClientSession() as http:
            yield ApiWorld(world, f"http://127.0.0.1:{port}", http, receiver)
    finally:
        await world.stop_bridge()  # before the receiver goes
