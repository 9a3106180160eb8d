"""Fixtures for the storage contract tests: a fresh `Storage` per test from every backend in
`storage_backends.BACKENDS`, and a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage_backends import BACKENDS, Backend, Opened, StorageProbe

from storage.base import Storage

START = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=BACKENDS, ids=[b.name for b in BACKENDS])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The backend under test (each contract test runs once per backend)."""
    chosen: Backend = request.param
    return chosen


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """Where the backend keeps this test's data (reopening it there is a restart)."""
    return tmp_path


@pytest.fixture
async def opened(backend: Backend, place: Path, clock: FakeClock) -> AsyncIterator[Opened]:
    async with backend.open(place, clock) as opened:
        yield opened


@pytest.fixture
def storage_backend(opened: Opened) -> Storage:
    """A fresh, empty `Storage` of the backend under test, on the test's clock."""
    return opened.storage


@pytest.fixture
def probe(opened: Opened) -> StorageProbe:
    """Reads only tests need, on the same storage."""
    return opened.probe
