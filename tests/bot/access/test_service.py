"""Roles and languages without Telegram: config admins are admins whatever is stored; ranks
include the lower ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.access.service import has_right, language_of, role_of
from storage.models import Role
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        yield SqliteStorage(db)
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        (Role.ADMIN, Role.OPERATOR, True),
        (Role.OPERATOR, Role.OPERATOR, True),
        (Role.OPERATOR, Role.ADMIN, False),
        (Role.VIEWER, Role.OPERATOR, False),
        (Role.VIEWER, Role.VIEWER, True),
        (None, Role.VIEWER, False),
    ],
)
def test_a_role_has_the_rights_of_those_below_it(
    role: Role | None, needed: Role, allowed: bool
) -> None:
    assert has_right(role, needed) is allowed


async def test_config_admins_are_admins_and_others_as_stored(repo: SqliteStorage) -> None:
    await repo.set_role(7, Role.VIEWER, None)
    await repo.set_role(1, Role.VIEWER, None)  # a config admin stays an admin
    assert await role_of(repo, {1}, 1) is Role.ADMIN
    assert await role_of(repo, {1}, 7) is Role.VIEWER
    assert await role_of(repo, {1}, 8) is None


async def test_the_chosen_language_else_the_default(repo: SqliteStorage) -> None:
    await repo.set_user_language(7, "en")
    assert await language_of(repo, "fa", 7) == "en"
    assert await language_of(repo, "fa", 8) == "fa"
    assert await language_of(repo, "fa", None) == "fa"
