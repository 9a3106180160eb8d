"""What the provider and sandbox tests share: a hand-moved clock and a served simulator.

(On pytest's pythonpath: `from sim_support import FakeClock, serve_simulator`.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from sandbox.payamak import PayamakSimulator
from sandbox.raygansms import RayganSimulator
from sandbox.server import (
    PAYAMAK_API,
    PAYAMAK_CONTROL,
    RAYGAN_API,
    RAYGAN_CONTROL,
    RunningServer,
)

EPOCH = 1_700_000_000.0


class FakeClock:
    """Seconds (Unix, or any clock's) that move only when the test says so."""

    def __init__(self, now: float = EPOCH) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        """Move the clock on and return the new time."""
        self.now += seconds
        return self.now


@asynccontextmanager
async def serve_simulator(
    sim: RayganSimulator | PayamakSimulator,
) -> AsyncIterator[RunningServer]:
    """One simulator on 127.0.0.1 at the paths sandbox/server.py gives it."""
    app = web.Application(client_max_size=64 * 1024 * 1024)
    if isinstance(sim, RayganSimulator):
        sim.install(app, api_prefix=RAYGAN_API, control_prefix=RAYGAN_CONTROL)
    else:
        sim.install(app, api_prefix=PAYAMAK_API, control_prefix=PAYAMAK_CONTROL)
    async with RunningServer(app) as running:
        yield running
