"""What Telegram messages stand for, and a chat's history (`HistoryStore`)."""

from __future__ import annotations

from providers.base import DeliveryState
from storage.models import HistoryEntry, MessageLink, SendStatus
from storage.postgres.core import PgBase, Row, _all, from_db_time


class PgHistory(PgBase):
    """PostgreSQL: message links and history."""

    async def get_link(self, chat_id: int, message_id: int) -> MessageLink | None:
        """What a Telegram message stands for, if we know."""
        row = await self._fetchone(
            "SELECT chat_id, message_id, incoming_id, send_id FROM message_links"
            " WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        if row is None:
            return None
        return MessageLink(row["chat_id"], row["message_id"], row["incoming_id"], row["send_id"])

    async def history(self, chat_id: int, limit: int = 10) -> list[HistoryEntry]:
        """The chat's recent sends and forwarded incoming SMS, newest first."""
        if limit <= 0:
            return []
        async with self._reading() as conn:
            sends = await _all(
                conn,
                "SELECT s.id, s.created_at, s.line, s.text, s.status, s.recipient_count,"
                " (SELECT min(r.recipient) FROM send_recipients r WHERE r.send_id = s.id)"
                " AS number FROM sends s WHERE s.chat_id = ?"
                " ORDER BY s.created_at DESC, s.id DESC LIMIT ?",
                (chat_id, limit),
            )
            counts: dict[int, list[tuple[DeliveryState, int]]] = {}
            if sends:
                marks = ",".join("?" * len(sends))
                for row in await _all(
                    conn,
                    "SELECT send_id, state, n FROM send_state_counts"
                    f" WHERE send_id IN ({marks}) AND n > 0 ORDER BY send_id, state",
                    [s["id"] for s in sends],
                ):
                    counts.setdefault(row["send_id"], []).append(
                        (DeliveryState(row["state"]), int(row["n"]))
                    )
            received = await _all(
                conn,
                "SELECT i.* FROM forwards f JOIN incoming i ON i.id = f.incoming_id"
                " WHERE f.chat_id = ? AND f.message_id IS NOT NULL"
                " ORDER BY f.received_at DESC, f.incoming_id DESC LIMIT ?",
                (chat_id, limit),
            )
        entries = [_sent_entry(row, tuple(counts.get(row["id"], ()))) for row in sends]
        entries.extend(_received_entry(row) for row in received)
        entries.sort(key=lambda e: (e.at, e.send_id or e.incoming_id or 0), reverse=True)
        return entries[:limit]


def _sent_entry(row: Row, counts: tuple[tuple[DeliveryState, int], ...]) -> HistoryEntry:
    return HistoryEntry(
        kind="sent",
        at=from_db_time(row["created_at"]),
        line=row["line"],
        number=row["number"] or "",
        text=row["text"],
        send_id=row["id"],
        state=counts[0][0] if len(counts) == 1 else None,
        recipient_count=row["recipient_count"],
        state_counts=counts,
        send_status=SendStatus(row["status"]),
    )


def _received_entry(row: Row) -> HistoryEntry:
    return HistoryEntry(
        kind="received",
        at=from_db_time(row["received_at"]),
        line=row["line"],
        number=row["sender"],
        text=row["body"],
        send_id=None,
        state=None,
        incoming_id=row["id"],
    )
