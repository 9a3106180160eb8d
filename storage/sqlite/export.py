"""A chat's, a topic's or a line's sent and received SMS, page by page (`ExportStore`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from providers.base import DeliveryState
from storage.models import ExportRow, ExportScope, HistoryKind
from storage.sqlite.core import SqliteBase, from_db_time, to_db_time

# Sort key of a row: (time, kind, id, recipient id); "received" sorts before "sent".
_START: tuple[str, str, int, int] = ("", "", 0, 0)


class SqliteExport(SqliteBase):
    """SQLite: export pages in keyset order, so a page costs the same however far in."""

    async def export_page(
        self,
        scope: ExportScope,
        since: datetime,
        after: tuple[str, str, int, int] | None = None,
        limit: int = 1000,
    ) -> list[ExportRow]:
        """The next `limit` SMS of the scope from `since`, oldest first, after the row whose
        `cursor` is `after` (the first page if None)."""
        key = after or _START
        sent_where, sent_params = _sent_filter(scope)
        received_where, received_params = _received_filter(scope)
        start = to_db_time(since)
        sql = (
            "SELECT * FROM ("
            " SELECT 'sent' AS kind, s.created_at AS at, s.id AS ref, r.id AS sub, s.line,"
            " r.recipient AS number, s.text AS body, r.state AS state FROM sends s"
            " JOIN send_recipients r ON r.send_id = s.id"
            f" WHERE {sent_where} AND s.created_at >= ?"
            " AND (s.created_at, 'sent', s.id, r.id) > (?, ?, ?, ?)"
            " UNION ALL"
            " SELECT 'received', i.received_at, i.id, 0, i.line, i.sender, i.body, NULL"
            f" FROM incoming i WHERE {received_where} AND i.received_at >= ?"
            " AND (i.received_at, 'received', i.id, 0) > (?, ?, ?, ?)"
            ") ORDER BY at, kind, ref, sub LIMIT ?"
        )
        params: list[Any] = [
            *sent_params,
            start,
            *key,
            *received_params,
            start,
            *key,
            limit,
        ]
        rows = await self._fetchall(sql, params)
        return [
            ExportRow(
                kind=_kind(r["kind"]),
                at=from_db_time(r["at"]),
                line=str(r["line"]),
                number=str(r["number"]),
                text=str(r["body"]),
                state=None if r["state"] is None else DeliveryState(r["state"]),
                send_id=int(r["ref"]) if r["kind"] == "sent" else None,
                cursor=(str(r["at"]), str(r["kind"]), int(r["ref"]), int(r["sub"])),
            )
            for r in rows
        ]


def _kind(value: str) -> HistoryKind:
    return "sent" if value == "sent" else "received"


def _sent_filter(scope: ExportScope) -> tuple[str, list[Any]]:
    if scope.number is not None:
        return "s.line = ? AND r.recipient = ?", [scope.line, scope.number]
    if scope.chat_id is None:
        return "s.line = ?", [scope.line]
    return "s.chat_id = ?", [scope.chat_id]


def _received_filter(scope: ExportScope) -> tuple[str, list[Any]]:
    if scope.number is not None:
        return "i.line = ? AND i.sender = ?", [scope.line, scope.number]
    if scope.chat_id is None:
        return "i.line = ?", [scope.line]
    return (
        "i.id IN (SELECT f.incoming_id FROM forwards f WHERE f.chat_id = ?)",
        [scope.chat_id],
    )
