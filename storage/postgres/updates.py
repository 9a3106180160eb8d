"""Telegram updates claimed once by id (`UpdateStore`)."""

from __future__ import annotations

from datetime import timedelta

from storage.postgres.core import PgBase


class PgUpdates(PgBase):
    """PostgreSQL: claimed Telegram update ids (INSERT … ON CONFLICT DO NOTHING decides, so
    replicas posted the same update at once claim it once, without the write lock)."""

    async def claim_update(self, update_id: int, *, keep_seconds: float = 86400.0) -> bool:
        """True the first time `update_id` is claimed, False ever after (a repeat to drop);
        claims older than `keep_seconds` are forgotten (Telegram keeps an update 24 h)."""
        now = self._now()
        claimed = (
            await self._change(
                "INSERT INTO telegram_updates (update_id, received_at) VALUES (?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                (update_id, now),
            )
            > 0
        )
        if claimed and update_id % 100 == 0:  # now and then: the table stays small
            await self._change(
                "DELETE FROM telegram_updates WHERE received_at < ?",
                (now - timedelta(seconds=keep_seconds),),
            )
        return claimed
