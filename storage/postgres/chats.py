"""Groups upgraded to supergroups, and everything that follows them (`ChatMoveStore`)."""

from __future__ import annotations

from datetime import datetime

from storage.models import ChatMove
from storage.postgres.core import PgBase, PgConn, _all


class PgChatMoves(PgBase):
    """PostgreSQL: chat upgrades (old id → new id)."""

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> ChatMove:
        """A group became the supergroup `new_chat_id`: in one transaction, remember it (for
        config routes and the admin chat), move its routes (config and admin), its sending
        line and the SMS waiting for it (to be posted there from their first part)."""
        if old_chat_id == new_chat_id:
            raise ValueError("a chat cannot migrate to itself")
        now = self._now()
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO chat_migrations (old_chat_id, new_chat_id, migrated_at)"
                " VALUES (?, ?, ?) ON CONFLICT (old_chat_id) DO UPDATE SET"
                " new_chat_id = excluded.new_chat_id, migrated_at = excluded.migrated_at",
                (old_chat_id, new_chat_id, now),
            )
            # Keep chains flat: whatever led to the old id now leads to the new one.
            await conn.execute(
                "UPDATE chat_migrations SET new_chat_id = ? WHERE new_chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            await conn.execute("DELETE FROM chat_migrations WHERE old_chat_id = ?", (new_chat_id,))
            lines = [
                r["line"]
                for r in await _all(
                    conn,
                    "SELECT line FROM routes WHERE chat_id = ? ORDER BY line",
                    (old_chat_id,),
                )
            ]
            await conn.execute(
                "INSERT INTO routes (line, chat_id, source, created_by, created_at)"
                " SELECT line, ?, source, created_by, created_at FROM routes WHERE chat_id = ?"
                " ON CONFLICT (line, chat_id) DO NOTHING",
                (new_chat_id, old_chat_id),
            )
            await conn.execute("DELETE FROM routes WHERE chat_id = ?", (old_chat_id,))
            await conn.execute(
                "INSERT INTO chat_settings (chat_id, account, line, updated_at)"
                " SELECT ?, account, line, ? FROM chat_settings WHERE chat_id = ?"
                " ON CONFLICT (chat_id) DO NOTHING",
                (new_chat_id, now, old_chat_id),
            )
            await conn.execute("DELETE FROM chat_settings WHERE chat_id = ?", (old_chat_id,))
            pending = await _move_pending(conn, now)
            await conn.execute(
                "DELETE FROM refused_chats WHERE chat_id IN (?, ?)", (old_chat_id, new_chat_id)
            )
        return ChatMove(old_chat_id, new_chat_id, tuple(lines), pending.get(old_chat_id, 0))

    async def follow_migrations(self) -> int:
        """Move SMS queued since for a chat that was upgraded (a config admin chat, or one
        stored while the move happened) to its new id; returns how many moved."""
        now = self._now()
        async with self._transaction() as conn:
            moved = await _move_pending(conn, now)
        return sum(moved.values())

    async def current_chat_id(self, chat_id: int) -> int:
        """The id to post to for `chat_id`: the supergroup it was upgraded to, if it was."""
        row = await self._fetchone(
            "SELECT new_chat_id FROM chat_migrations WHERE old_chat_id = ?", (chat_id,)
        )
        return chat_id if row is None else int(row["new_chat_id"])


async def _migrations(conn: PgConn) -> dict[int, int]:
    """Every upgraded chat: old id → the id to use."""
    rows = await _all(conn, "SELECT old_chat_id, new_chat_id FROM chat_migrations")
    return {int(r["old_chat_id"]): int(r["new_chat_id"]) for r in rows}


async def _move_pending(conn: PgConn, now: datetime) -> dict[int, int]:
    """Inside a transaction: SMS waiting for an upgraded chat wait for its new id instead
    (their parts, posted to the old id, are dropped with the old row); old id → count."""
    rows = await _all(
        conn,
        "SELECT f.chat_id, count(*) AS n FROM forwards f"
        " JOIN chat_migrations m ON m.old_chat_id = f.chat_id"
        " WHERE f.message_id IS NULL GROUP BY f.chat_id",
    )
    if not rows:
        return {}
    await conn.execute(
        "INSERT INTO forwards (chat_id, incoming_id, received_at, created_at)"
        " SELECT m.new_chat_id, f.incoming_id, f.received_at, ? FROM forwards f"
        " JOIN chat_migrations m ON m.old_chat_id = f.chat_id WHERE f.message_id IS NULL"
        " ON CONFLICT (chat_id, incoming_id) DO NOTHING",
        (now,),
    )
    await conn.execute(
        "DELETE FROM forwards WHERE message_id IS NULL"
        " AND chat_id IN (SELECT old_chat_id FROM chat_migrations)"
    )
    return {int(r["chat_id"]): int(r["n"]) for r in rows}
