"""Which chats a line's SMS go to, and the line each chat sends from (`RouteStore`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from storage.models import Route
from storage.postgres.chats import _migrations
from storage.postgres.core import PgBase, _nonempty

log = logging.getLogger(__name__)


class PgRoutes(PgBase):
    """PostgreSQL: routes and each chat's sending line."""

    async def sync_config_routes(self, routes: Sequence[tuple[str, int]]) -> None:
        """Make the config routes exactly `routes`; routes admins added stay as they are.
        A chat upgraded to a supergroup is routed under its new id (the config may still name
        the old one)."""
        now = self._now()
        async with self._transaction() as conn:
            moved = await _migrations(conn)
            rows = []
            for line, chat_id in routes:
                target = moved.get(int(chat_id), int(chat_id))
                if target != chat_id:
                    log.warning(
                        "config routes line %s to chat %s, which became %s; routed there",
                        line,
                        chat_id,
                        target,
                    )
                rows.append((_nonempty(line, "line"), target, now))
            await conn.execute("DELETE FROM routes WHERE source = 'config'")
            await conn.executemany(
                "INSERT INTO routes (line, chat_id, source, created_by, created_at)"
                " VALUES (?, ?, 'config', NULL, ?) ON CONFLICT (line, chat_id) DO NOTHING",
                rows,
            )

    async def add_route(self, line: str, chat_id: int, created_by: int | None) -> bool:
        """Route a line to a chat at run time; False if that route already existed.

        A chat Telegram refused is taken back at once: a route asked for from the chat itself
        shows the bot is in it again.
        """
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO routes (line, chat_id, source, created_by, created_at)"
                " VALUES (?, ?, 'admin', ?, ?) ON CONFLICT (line, chat_id) DO NOTHING",
                (_nonempty(line, "line"), chat_id, created_by, self._now()),
            )
            changed = cursor.rowcount
            await conn.execute("DELETE FROM refused_chats WHERE chat_id = ?", (chat_id,))
        return changed > 0

    async def remove_route(self, line: str, chat_id: int) -> bool:
        """Remove a route, whatever its source (a config route returns at the next start)."""
        changed = await self._change(
            "DELETE FROM routes WHERE line = ? AND chat_id = ?", (line, chat_id)
        )
        return changed > 0

    async def list_routes(self) -> list[Route]:
        """Every route, by line then chat."""
        rows = await self._fetchall(
            "SELECT line, chat_id, source, created_by FROM routes ORDER BY line, chat_id"
        )
        return [Route(r["line"], r["chat_id"], r["source"], r["created_by"]) for r in rows]

    async def chats_for_line(self, line: str) -> list[int]:
        """The chats incoming SMS on `line` go to."""
        rows = await self._fetchall(
            "SELECT chat_id FROM routes WHERE line = ? ORDER BY chat_id", (line,)
        )
        return [int(r["chat_id"]) for r in rows]

    async def get_chat_sender(self, chat_id: int) -> tuple[str, str] | None:
        """The chat's default (account, line) for sending, if set."""
        row = await self._fetchone(
            "SELECT account, line FROM chat_settings WHERE chat_id = ?", (chat_id,)
        )
        return None if row is None else (str(row["account"]), str(row["line"]))

    async def set_chat_sender(self, chat_id: int, account: str, line: str) -> None:
        """Set the chat's default (account, line)."""
        await self._change(
            "INSERT INTO chat_settings (chat_id, account, line, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET account = excluded.account,"
            " line = excluded.line, updated_at = excluded.updated_at",
            (chat_id, _nonempty(account, "account"), _nonempty(line, "line"), self._now()),
        )
