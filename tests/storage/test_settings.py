"""Users and roles, routes, chat and user settings."""

from __future__ import annotations

from datetime import UTC

from storage.models import Role, Route, User
from storage.repository import Repository


async def test_roles_upsert_list_and_remove(repo: Repository, clock) -> None:  # type: ignore[no-untyped-def]
    assert await repo.get_role(5) is None
    await repo.set_role(5, Role.OPERATOR, granted_by=1)
    created = clock.now
    clock.advance(60)
    await repo.set_role(5, Role.ADMIN, granted_by=2)
    await repo.set_role(3, Role.VIEWER, granted_by=None)
    assert await repo.get_role(5) is Role.ADMIN
    assert await repo.list_users() == [
        User(3, Role.VIEWER, None, clock.now),
        User(5, Role.ADMIN, 2, created),  # granted again: created_at kept
    ]
    assert (await repo.list_users())[0].created_at.tzinfo is UTC
    assert await repo.remove_user(5)
    assert not await repo.remove_user(5)
    assert await repo.get_role(5) is None


async def test_config_routes_sync_leaves_admin_routes(repo: Repository) -> None:
    await repo.sync_config_routes([("5000", -1), ("5000", -2), ("1000", -1)])
    assert await repo.add_route("5000", -3, created_by=9)
    assert not await repo.add_route("5000", -3, created_by=9)  # already there
    assert not await repo.add_route("5000", -1, created_by=9)  # a config route already

    await repo.sync_config_routes([("5000", -2), ("2000", -4)])  # the config changed
    assert await repo.list_routes() == [
        Route("2000", -4, "config", None),
        Route("5000", -3, "admin", 9),
        Route("5000", -2, "config", None),
    ]
    assert await repo.chats_for_line("5000") == [-3, -2]
    assert await repo.chats_for_line("1000") == []
    assert await repo.remove_route("5000", -3)
    assert not await repo.remove_route("5000", -3)
    assert await repo.chats_for_line("5000") == [-2]


async def test_chat_sender_and_user_language(repo: Repository) -> None:
    assert await repo.get_chat_sender(-1) is None
    await repo.set_chat_sender(-1, "raygan", "5000")
    await repo.set_chat_sender(-1, "meli", "1000")
    assert await repo.get_chat_sender(-1) == ("meli", "1000")
    assert await repo.get_chat_sender(-2) is None
    assert await repo.get_user_language(7) is None
    await repo.set_user_language(7, "en")
    await repo.set_user_language(7, "fa")
    assert await repo.get_user_language(7) == "fa"
