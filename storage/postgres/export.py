"""A chat's, a topic's or a line's sent and received SMS, page by page (`ExportStore`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from providers.base import DeliveryState
from storage.models import ExportRow, ExportScope, HistoryKind
from storage.postgres.core import PgBase, from_db_time, to_db_time

# Rows sort by (time, kind, id, recipient id); "received" sorts before "sent". The time in a
# cursor is ISO 8601 text (the protocol's cursor is text on every backend).
Cursor = tuple[str, str, int, int]


class PgExport(PgBase):
    """PostgreSQL: export pages in keyset order over indexes, so a page costs the same however
    far into the export it is."""

    async def export_page(
        self,
        scope: ExportScope,
        since: datetime,
        after: Cursor | None = None,
        limit: int = 1000,
    ) -> list[ExportRow]:
        """The next `limit` SMS of the scope from `since`, oldest first, after the row whose
        `cursor` is `after` (the first page if None)."""
        start = to_db_time(since)
        sent_where, sent_params = _sent_filter(scope)
        received_from, received_where, received_params = _received_filter(scope)
        # A chat's SMS are read through its forwards' index, which copies the time.
        at, ref = (
            ("f.received_at", "f.incoming_id")
            if "forwards" in received_from
            else (
                "i.received_at",
                "i.id",
            )
        )
        sent_after, sent_after_params = _after("s.created_at", "s.id", "r.id", "sent", after)
        received_after, received_after_params = _after(at, ref, None, "received", after)
        # Each arm takes its first `limit` rows in index order (no sort of the rest), and only
        # those 2 × limit rows are merged: a page costs the same however deep it is.
        sql = (
            "SELECT * FROM ("
            " SELECT 'sent' AS kind, s.created_at AS at, s.id AS ref, r.id AS sub, s.line,"
            " r.recipient AS number, s.text AS body, r.state AS state FROM sends s"
            " JOIN send_recipients r ON r.send_id = s.id"
            f" WHERE {sent_where} AND s.created_at >= ? AND {sent_after}"
            " ORDER BY s.created_at, s.id, r.id LIMIT ?"
            ") AS sent_arm UNION ALL SELECT * FROM ("
            " SELECT 'received', i.received_at, i.id, 0, i.line, i.sender, i.body, NULL"
            f" FROM {received_from} WHERE {received_where} AND {at} >= ?"
            f" AND {received_after} ORDER BY {at}, {ref} LIMIT ?"
            ") AS received_arm ORDER BY at, kind, ref, sub LIMIT ?"
        )
        params: list[Any] = [
            *sent_params,
            start,
            *sent_after_params,
            limit,
            *received_params,
            start,
            *received_after_params,
            limit,
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
                cursor=(
                    from_db_time(r["at"]).isoformat(),
                    str(r["kind"]),
                    int(r["ref"]),
                    int(r["sub"]),
                ),
            )
            for r in rows
        ]


def _after(
    at: str, ref: str, sub: str | None, kind: str, cursor: Cursor | None
) -> tuple[str, list[Any]]:
    """The keyset condition of one arm (its kind is constant), in a form indexes serve."""
    if cursor is None:
        return "TRUE", []
    at_text, kind_k, ref_k, sub_k = cursor
    at_k = datetime.fromisoformat(at_text)
    if kind > kind_k:
        return f"{at} >= ?", [at_k]
    if kind < kind_k:
        return f"{at} > ?", [at_k]
    if sub is None:
        return f"({at}, {ref}) > (?, ?)", [at_k, ref_k]
    return f"({at}, {ref}, {sub}) > (?, ?, ?)", [at_k, ref_k, sub_k]


def _kind(value: str) -> HistoryKind:
    return "sent" if value == "sent" else "received"


def _sent_filter(scope: ExportScope) -> tuple[str, list[Any]]:
    if scope.number is not None:
        return "s.line = ? AND r.recipient = ?", [scope.line, scope.number]
    if scope.chat_id is None:
        return "s.line = ?", [scope.line]
    return "s.chat_id = ?", [scope.chat_id]


def _received_filter(scope: ExportScope) -> tuple[str, str, list[Any]]:
    if scope.number is not None:
        return "incoming i", "i.line = ? AND i.sender = ?", [scope.line, scope.number]
    if scope.chat_id is None:
        return "incoming i", "i.line = ?", [scope.line]
    return (
        "forwards f JOIN incoming i ON i.id = f.incoming_id",
        # Those that reached the chat (and so the index of its history).
        "f.chat_id = ? AND f.message_id IS NOT NULL",
        [scope.chat_id],
    )
