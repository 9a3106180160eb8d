"""Multi-step flows by (chat, person, kind) (`FlowStore`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta

import aiosqlite

from storage.models import Flow
from storage.sqlite.core import SqliteBase, _nonempty, _one, from_db_time, to_db_time


class SqliteFlows(SqliteBase):
    """SQLite: open flows."""

    async def save_flow(
        self,
        chat_id: int,
        user_id: int,
        kind: str,
        step: str,
        data: Mapping[str, str],
        preview_id: int | None = None,
    ) -> None:
        """Store the flow as it is now (replacing what it was)."""
        await self._change(
            "INSERT INTO flows (chat_id, user_id, kind, step, data, preview_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, user_id, kind) DO UPDATE SET"
            " step = excluded.step, data = excluded.data, preview_id = excluded.preview_id,"
            " updated_at = excluded.updated_at",
            (
                chat_id,
                user_id,
                _nonempty(kind, "kind"),
                _nonempty(step, "step"),
                json.dumps(dict(data), ensure_ascii=False),
                preview_id,
                self._now(),
            ),
        )

    async def get_flow(
        self, chat_id: int, user_id: int, kind: str, *, max_age: float
    ) -> Flow | None:
        """The person's open flow in the chat; None if none, or if untouched for longer than
        `max_age` seconds (then it is dropped)."""
        row = await self._fetchone(
            "SELECT * FROM flows WHERE chat_id = ? AND user_id = ? AND kind = ?",
            (chat_id, user_id, kind),
        )
        if row is None:
            return None
        flow = _flow(row)
        if flow.updated_at < self._clock() - timedelta(seconds=max_age):
            await self._change(
                "DELETE FROM flows WHERE chat_id = ? AND user_id = ? AND kind = ?"
                " AND updated_at = ?",
                (chat_id, user_id, kind, row["updated_at"]),
            )
            return None
        return flow

    async def flows_with_preview(self, chat_id: int, kind: str, preview_id: int) -> list[Flow]:
        """The open flows of the chat whose preview is that message (whose is it?)."""
        rows = await self._fetchall(
            "SELECT * FROM flows WHERE chat_id = ? AND preview_id = ? AND kind = ?"
            " ORDER BY user_id",
            (chat_id, preview_id, kind),
        )
        return [_flow(r) for r in rows]

    async def take_flow(
        self, chat_id: int, user_id: int, kind: str, preview_id: int, *, max_age: float
    ) -> Flow | None:
        """Remove and return the person's flow if its preview is that message and it is not
        older than `max_age` s: of two presses (or replicas), one gets it, the other None."""
        oldest = to_db_time(self._clock() - timedelta(seconds=max_age))
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "DELETE FROM flows WHERE chat_id = ? AND user_id = ? AND kind = ?"
                " AND preview_id = ? AND updated_at >= ? RETURNING *",
                (chat_id, user_id, kind, preview_id, oldest),
            )
        return None if row is None else _flow(row)

    async def drop_flow(self, chat_id: int, user_id: int, kind: str) -> bool:
        """End the person's flow; False if there was none."""
        changed = await self._change(
            "DELETE FROM flows WHERE chat_id = ? AND user_id = ? AND kind = ?",
            (chat_id, user_id, kind),
        )
        return changed > 0


def _flow(row: aiosqlite.Row) -> Flow:
    data = json.loads(row["data"])
    return Flow(
        chat_id=int(row["chat_id"]),
        user_id=int(row["user_id"]),
        kind=str(row["kind"]),
        step=str(row["step"]),
        data={str(k): str(v) for k, v in data.items()},
        preview_id=None if row["preview_id"] is None else int(row["preview_id"]),
        updated_at=from_db_time(row["updated_at"]),
    )
