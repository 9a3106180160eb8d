"""Fixtures every adapter test uses: a fake clock, one HTTP session, the module's simulator served.

Each test module defines its own `sim` (the simulator of its provider); `server` serves it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sim_support import FakeClock, serve_simulator

from sandbox.payamak import PayamakSimulator
from sandbox.raygansms import RayganSimulator
from sandbox.server import RunningServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def server(sim: RayganSimulator | PayamakSimulator) -> AsyncIterator[RunningServer]:
    async with serve_simulator(sim) as running:
        yield running
