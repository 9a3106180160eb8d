"""The audit log (`AuditStore`)."""

from __future__ import annotations

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
