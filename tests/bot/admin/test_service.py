"""Routes and roles without Telegram: unknown lines and config admins are typed refusals,
and only real changes are audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from storage_backends import SqliteProbe

from bot.admin.service import (
    ConfigAdmin,
    RoleSource,
    UnknownLine,
    UserRole,
    change_route,
    grant_role,
    revoke_role,
    users,
)
from storage.models import Role
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

LINES = ("5000", "1000")


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        yield SqliteStorage(db)
    finally:
        await db.close()


async def test_a_route_changes_once_and_an_unknown_line_is_refused(repo: SqliteStorage) -> None:
    assert await change_route(repo, LINES, "1000", -5, 1, add=True)
    assert not await change_route(repo, LINES, "1000", -5, 1, add=True)
    with pytest.raises(UnknownLine) as refused:
        await change_route(repo, LINES, "9999", -5, 1, add=True)
    assert refused.value.lines == LINES
    assert await change_route(repo, LINES, "1000", -5, 1, add=False)
    assert not await change_route(repo, LINES, "1000", -5, 1, add=False)
    assert [e.action for e in await SqliteProbe(repo._conn).recent_audit()][::-1] == [
        "route",
        "unroute",
    ]


async def test_roles_granted_and_revoked_but_never_a_config_admins(repo: SqliteStorage) -> None:
    await grant_role(repo, 7, Role.OPERATOR, 1, -5)
    assert await users(repo, [1]) == [
        UserRole(1, Role.ADMIN, RoleSource.CONFIG),
        UserRole(7, Role.OPERATOR, RoleSource.GRANTED),
    ]
    with pytest.raises(ConfigAdmin):
        await revoke_role(repo, [1], 1, 1, -5)
    assert await revoke_role(repo, [1], 7, 1, -5)
    assert not await revoke_role(repo, [1], 7, 1, -5)
    assert await users(repo, [1]) == [UserRole(1, Role.ADMIN, RoleSource.CONFIG)]
