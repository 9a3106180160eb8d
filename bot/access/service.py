"""Roles and languages: config admins are admins, everyone else as stored."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from storage.base import Storage
from storage.models import Role

_RANK: Final = {Role.VIEWER: 1, Role.OPERATOR: 2, Role.ADMIN: 3}


def has_right(role: Role | None, needed: Role) -> bool:
    """Whether `role` includes the rights of `needed`."""
    return role is not None and _RANK[role] >= _RANK[needed]


async def role_of(repo: Storage, admins: Collection[int], user_id: int) -> Role | None:
    """The user's role: config admins are admins; others as stored."""
    if user_id in admins:
        return Role.ADMIN
    return await repo.get_role(user_id)


async def language_of(repo: Storage, default: str, user_id: int | None) -> str:
    """The user's chosen language, else `default`."""
    if user_id is not None:
        chosen = await repo.get_user_language(user_id)
        if chosen:
            return chosen
    return default
