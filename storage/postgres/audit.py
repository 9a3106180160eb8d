"""The audit log (`AuditStore`)."""

from __future__ import annotations

from collections.abc import Sequence

from storage.postgres.core import PgBase, _nonempty


class PgAudit(PgBase):
    """PostgreSQL: the audit log."""

    async def audit(
        self, user_id: int | None, chat_id: int | None, action: str, detail: str = ""
    ) -> None:
        """Record what a user did (or was refused)."""
        await self._change(
            "INSERT INTO audit_log (at, user_id, chat_id, action, detail) VALUES (?, ?, ?, ?, ?)",
            (self._now(), user_id, chat_id, _nonempty(action, "action"), detail),
        )

    async def audit_many(self, entries: Sequence[tuple[int | None, int | None, str, str]]) -> None:
        """`audit` for several (user_id, chat_id, action, detail) entries, in one transaction."""
        if not entries:
            return
        now = self._now()
        rows = [(now, u, c, _nonempty(a, "action"), d) for u, c, a, d in entries]
        async with self._pool.acquire() as raw, raw.transaction():
            await raw.executemany(
                "INSERT INTO audit_log (at, user_id, chat_id, action, detail)"
                " VALUES ($1, $2, $3, $4, $5)",
                rows,
            )
