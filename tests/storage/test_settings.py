"""Users and roles, routes, chat and user settings."""

from __future__ import annotations

from datetime import UTC

from storage.base import Storage
from storage.models import Role, Route, User


async def test_roles_upsert_list_and_remove(storage_backend: Storage, clock) -> None:  # type: ignore[no-untyped-def]
    assert await storage_backend.get_role(5) is None
    await storage_backend.set_role(5, Role.OPERATOR, granted_by=1)
    created = clock.now
    clock.advance(60)
    await storage_backend.set_role(5, Role.ADMIN, granted_by=2)
    await storage_backend.set_role(3, Role.VIEWER, granted_by=None)
    assert await storage_backend.get_role(5) is Role.ADMIN
    assert await storage_backend.list_users() == [
        User(3, Role.VIEWER, None, clock.now),
        User(5, Role.ADMIN, 2, created),  # granted again: created_at kept
    ]
    assert (await storage_backend.list_users())[0].created_at.tzinfo is UTC
    assert await storage_backend.remove_user(5)
    assert not await storage_backend.remove_user(5)
    assert await storage_backend.get_role(5) is None


async def test_config_routes_sync_leaves_admin_routes(storage_backend: Storage) -> None:
    await storage_backend.sync_config_routes([("5000", -1), ("5000", -2), ("1000", -1)])
    assert await storage_backend.add_route("5000", -3, created_by=9)
    assert not await storage_backend.add_route("5000", -3, created_by=9)  # already there
    assert not await storage_backend.add_route("5000", -1, created_by=9)  # a config route already

    await storage_backend.sync_config_routes([("5000", -2), ("2000", -4)])  # the config changed
    assert await storage_backend.list_routes() == [
        Route("2000", -4, "config", None),
        Route("5000", -3, "admin", 9),
        Route("5000", -2, "config", None),
    ]
    assert await storage_backend.chats_for_line("5000") == [-3, -2]
    assert await storage_backend.chats_for_line("1000") == []
    assert await storage_backend.remove_route("5000", -3)
    assert not await storage_backend.remove_route("5000", -3)
    assert await storage_backend.chats_for_line("5000") == [-2]


async def test_chat_sender_and_user_language(storage_backend: Storage) -> None:
    assert await storage_backend.get_chat_sender(-1) is None
    await storage_backend.set_chat_sender(-1, "raygan", "5000")
    await storage_backend.set_chat_sender(-1, "meli", "1000")
    assert await storage_backend.get_chat_sender(-1) == ("meli", "1000")
    assert await storage_backend.get_chat_sender(-2) is None
    assert await storage_backend.get_user_language(7) is None
    await storage_backend.set_user_language(7, "en")
    await storage_backend.set_user_language(7, "fa")
    assert await storage_backend.get_user_language(7) == "fa"
