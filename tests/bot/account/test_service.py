"""The chat's sender and the /from choice, without Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from storage_backends import SqliteProbe

from bot.account.service import chat_sender, choose_sender, find_sender, owner_of
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database


@dataclass(frozen=True)
class FakeAccount:
    """An account with lines (its provider is never asked here)."""

    name: str
    lines: tuple[str, ...]
    provider: Any = None


RAYGAN = FakeAccount("raygan", ("5000", "5001"))
MELI = FakeAccount("meli", ("1000",))
ACCOUNTS = {"raygan": RAYGAN, "meli": MELI}


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        yield SqliteStorage(db)
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("choice", "found"),
    [
        ("meli", (MELI, "1000")),
        ("MELI", (MELI, "1000")),
        ("raygan", (RAYGAN, "5000")),
        ("5001", (RAYGAN, "5001")),
        ("1000", (MELI, "1000")),
        ("9999", None),
        ("nowhere", None),
    ],
)
def test_a_choice_names_an_account_or_one_of_its_lines(
    choice: str, found: tuple[FakeAccount, str] | None
) -> None:
    assert find_sender(ACCOUNTS, choice) == found


def test_the_owner_of_a_line() -> None:
    assert owner_of(ACCOUNTS.values(), "5001") is RAYGAN
    assert owner_of(ACCOUNTS.values(), "7") is None


async def test_a_chat_sends_from_its_choice_else_the_default(repo: SqliteStorage) -> None:
    assert await chat_sender(repo, ACCOUNTS, RAYGAN, 42) == (RAYGAN, "5000")
    await choose_sender(repo, 42, 7, MELI, "1000")
    assert await chat_sender(repo, ACCOUNTS, RAYGAN, 42) == (MELI, "1000")
    assert await chat_sender(repo, ACCOUNTS, RAYGAN, 43) == (RAYGAN, "5000")
    # A choice the config no longer has (account renamed, line removed) falls back.
    assert await chat_sender(repo, {"raygan": RAYGAN}, RAYGAN, 42) == (RAYGAN, "5000")
    assert [e.action for e in await SqliteProbe(repo._conn).recent_audit()] == ["from"]
