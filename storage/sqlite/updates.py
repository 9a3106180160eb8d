"""Telegram updates claimed once by id (`UpdateStore`)."""

from __future__ import annotations

from datetime import timedelta

from storage.sqlite.core import SqliteBase, to_db_time


class SqliteUpdates(SqliteBase):
    """SQLite: claimed Telegram update ids."""

    async def claim_update(self, update_id: int, *, keep_seconds: float = 86400.0) -> bool:
        """True the first time `update_id` is claimed, False ever after (a repeat to drop);
        claims older than `keep_seconds` are forgotten (Telegram keeps an update 24 h)."""
        moment = self._clock()
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO telegram_updates (update_id, received_at) VALUES (?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                (update_id, to_db_time(moment)),
            )
            claimed = cursor.rowcount > 0
            if claimed and update_id % 100 == 0:  # now and then: the table stays small
                await conn.execute(
                    "DELETE FROM telegram_updates WHERE received_at < ?",
                    (to_db_time(moment - timedelta(seconds=keep_seconds)),),
                )
        return claimed
