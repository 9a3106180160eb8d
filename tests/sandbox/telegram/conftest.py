"""The Telegram fake served on 127.0.0.1, with two users and a group, and a PTB `Bot` on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sim_support import FakeClock
from telegram import Bot
from telegram_support import ALI, GROUP, SARA, TOKEN

from sandbox.server import RunningServer
from sandbox.telegram import TelegramFake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1000.0)  # monotonic seconds, moved only by the test


@pytest.fixture
def fake(clock: FakeClock) -> TelegramFake:
    fake = TelegramFake(TOKEN, clock=clock)
    fake.add_user(ALI, "Ali", username="ali")
    fake.add_user(SARA, "Sara")
    fake.add_group(GROUP, "Sales")
    return fake


@pytest.fixture
async def server(fake: TelegramFake) -> AsyncIterator[RunningServer]:
    async with RunningServer(fake.build_app()) as running:
        yield running


@pytest.fixture
async def bot(server: RunningServer) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot"
    ) as bot:
        yield bot


@pytest.fixture
async def http(server: RunningServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=server.url) as session:
        yield session
