"""Users and their roles, and the language each chose (`AccessStore`)."""

from __future__ import annotations

from storage.models import Role, User
from storage.postgres.core import PgBase, from_db_time


class PgAccess(PgBase):
    """PostgreSQL: users, their roles and their UI languages."""

    async def get_role(self, user_id: int) -> Role | None:
        """The role granted to a user at run time, if any."""
        row = await self._fetchone("SELECT role FROM users WHERE user_id = ?", (user_id,))
        return None if row is None else Role(row["role"])

    async def set_role(self, user_id: int, role: Role, granted_by: int | None) -> None:
        """Grant a role (replacing any earlier one)."""
        now = self._now()
        await self._change(
            "INSERT INTO users (user_id, role, granted_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET role = excluded.role,"
            " granted_by = excluded.granted_by, updated_at = excluded.updated_at",
            (user_id, Role(role).value, granted_by, now, now),
        )

    async def remove_user(self, user_id: int) -> bool:
        """Take a user's role away; False if there was none."""
        return await self._change("DELETE FROM users WHERE user_id = ?", (user_id,)) > 0

    async def list_users(self) -> list[User]:
        """Every user with a run-time role, by id."""
        rows = await self._fetchall(
            "SELECT user_id, role, granted_by, created_at FROM users ORDER BY user_id"
        )
        return [
            User(r["user_id"], Role(r["role"]), r["granted_by"], from_db_time(r["created_at"]))
            for r in rows
        ]

    async def get_user_language(self, user_id: int) -> str | None:
        """The UI language a user chose, if any."""
        row = await self._fetchone(
            "SELECT language FROM user_settings WHERE user_id = ?", (user_id,)
        )
        return None if row is None else str(row["language"])

    async def set_user_language(self, user_id: int, lang: str) -> None:
        """Remember a user's UI language."""
        await self._change(
            "INSERT INTO user_settings (user_id, language, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET language = excluded.language,"
            " updated_at = excluded.updated_at",
            (user_id, lang, self._now()),
        )
