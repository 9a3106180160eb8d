"""Routes (which chat a line's incoming SMS go to) and granted roles, each change audited."""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from storage.base import Storage
from storage.models import Role, Route


class UnknownLine(ValueError):
    """The line belongs to no configured account."""

    def __init__(self, line: str, lines: tuple[str, ...]) -> None:
        super().__init__(f"no account owns line {line}")
        self.line = line
        self.lines = lines


class ConfigAdmin(ValueError):
    """The user is an admin by config, which no command can change."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"user {user_id} is an admin by config")
        self.user_id = user_id


async def change_route(
    repo: Storage,
    lines: tuple[str, ...],
    line: str,
    chat_id: int,
    user_id: int,
    *,
    add: bool,
) -> bool:
    """Route `line` to `chat_id` (or stop it); whether anything changed. UnknownLine if no
    account owns `line`."""
    if line not in lines:
        raise UnknownLine(line, lines)
    if add:
        changed = await repo.add_route(line, chat_id, user_id)
    else:
        changed = await repo.remove_route(line, chat_id)
    if changed:
        await repo.audit(user_id, chat_id, "route" if add else "unroute", line)
    return changed


async def routes(repo: Storage) -> list[Route]:
    """Every route, from config and from admins."""
    return await repo.list_routes()


async def grant_role(repo: Storage, target: int, role: Role, by: int, chat_id: int) -> None:
    """Grant `target` the `role` (or change theirs), audited."""
    await repo.set_role(target, role, by)
    await repo.audit(by, chat_id, "allow", f"{target} {role.value}")


async def revoke_role(
    repo: Storage, admins: Collection[int], target: int, by: int, chat_id: int
) -> bool:
    """Remove `target`'s stored role; whether there was one. ConfigAdmin for config admins."""
    if target in admins:
        raise ConfigAdmin(target)
    removed = await repo.remove_user(target)
    if removed:
        await repo.audit(by, chat_id, "deny", str(target))
    return removed


class RoleSource(enum.Enum):
    """Where a user's role comes from."""

    CONFIG = "config"
    GRANTED = "granted"


@dataclass(frozen=True, slots=True)
class UserRole:
    """A user with a role, and where it comes from."""

    user_id: int
    role: Role
    source: RoleSource


async def users(repo: Storage, admins: Collection[int]) -> list[UserRole]:
    """Config admins first, then every stored role of someone else."""
    listed = [UserRole(uid, Role.ADMIN, RoleSource.CONFIG) for uid in admins]
    listed += [
        UserRole(u.user_id, u.role, RoleSource.GRANTED)
        for u in await repo.list_users()
        if u.user_id not in admins
    ]
    return listed
