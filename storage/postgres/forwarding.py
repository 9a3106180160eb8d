"""Forwarding incoming SMS to chats: forwards, parts, chats Telegram refuses (`ForwardStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from storage.errors import NotFoundError
from storage.models import ForwardPart, HandOver, PendingForward, RefusedChat
from storage.postgres.chats import _migrations
from storage.postgres.core import PgBase, Row, _all, _link, _one, from_db_time, to_db_time
from storage.postgres.inbox import _incoming


class PgForwarding(PgBase):
    """PostgreSQL: forwards, forward parts and refused chats."""

    async def pending_forwards(
        self, limit: int = 200, *, chat_id: int | None = None
    ) -> list[PendingForward]:
        """Incoming SMS not yet forwarded, by (chat, incoming id); only one chat's if given."""
        where = "f.message_id IS NULL" + ("" if chat_id is None else " AND f.chat_id = ?")
        params: tuple[int, ...] = (limit,) if chat_id is None else (chat_id, limit)
        rows = await self._fetchall(
            "SELECT f.chat_id AS forward_chat_id, i.* FROM forwards f"
            f" JOIN incoming i ON i.id = f.incoming_id WHERE {where}"
            " ORDER BY f.chat_id, f.incoming_id LIMIT ?",
            params,
        )
        return [PendingForward(_incoming(r), int(r["forward_chat_id"])) for r in rows]

    async def pending_conversations(self, chat_id: int, limit: int = 200) -> list[PendingForward]:
        """The chat's waiting SMS conversation by conversation: every waiting SMS of the
        senders whose oldest waiting SMS is oldest, each sender's together, at most `limit`."""
        rows = await self._fetchall(
            "WITH firsts AS ("
            " SELECT i.line, i.sender, MIN(f.incoming_id) AS first_id FROM forwards f"
            " JOIN incoming i ON i.id = f.incoming_id"
            " WHERE f.message_id IS NULL AND f.chat_id = ?"
            " GROUP BY i.line, i.sender ORDER BY first_id LIMIT ?)"
            " SELECT f.chat_id AS forward_chat_id, i.* FROM forwards f"
            " JOIN incoming i ON i.id = f.incoming_id"
            " JOIN firsts s ON s.line = i.line AND s.sender = i.sender"
            " WHERE f.message_id IS NULL AND f.chat_id = ?"
            " ORDER BY s.first_id, f.incoming_id LIMIT ?",
            (chat_id, limit, chat_id, limit),
        )
        return [PendingForward(_incoming(r), int(r["forward_chat_id"])) for r in rows]

    async def pending_forward_chats(self) -> list[int]:
        """The chats that have incoming SMS waiting to be forwarded."""
        rows = await self._fetchall(
            "SELECT DISTINCT chat_id FROM forwards WHERE message_id IS NULL ORDER BY chat_id"
        )
        return [int(r["chat_id"]) for r in rows]

    async def mark_forwarded(
        self, chat_id: int, incoming_ids: Sequence[int], message_id: int
    ) -> None:
        """These incoming SMS reached the chat in `message_id` (one SMS: linked for replies).
        Already forwarded ones keep their first message."""
        ids = list(dict.fromkeys(incoming_ids))
        if not ids:
            return
        now = self._now()
        marks = ",".join("?" * len(ids))
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "SELECT count(*) AS n FROM forwards"
                f" WHERE chat_id = ? AND incoming_id IN ({marks})",
                (chat_id, *ids),
            )
            if row is None or int(row["n"]) != len(ids):
                raise NotFoundError(
                    f"chat {chat_id} has no forward for some of the incoming SMS {ids}"
                )
            await conn.execute(
                "UPDATE forwards SET message_id = ?, forwarded_at = ?"
                f" WHERE chat_id = ? AND incoming_id IN ({marks}) AND message_id IS NULL",
                (message_id, now, chat_id, *ids),
            )
            if len(ids) == 1:
                await _link(conn, chat_id, message_id, ids[0], None, now)

    async def forward_parts(self, chat_id: int, incoming_id: int) -> list[ForwardPart]:
        """The stored parts of a long SMS on its way to a chat, in order (none if not begun)."""
        rows = await self._fetchall(
            "SELECT part, text, message_id FROM forward_parts"
            " WHERE chat_id = ? AND incoming_id = ? ORDER BY part",
            (chat_id, incoming_id),
        )
        return [ForwardPart(int(r["part"]), r["text"], r["message_id"]) for r in rows]

    async def forwards_with_parts(self, chat_id: int) -> set[int]:
        """The SMS whose parts have begun on their way to the chat (they resume on their own)."""
        rows = await self._fetchall(
            "SELECT DISTINCT incoming_id FROM forward_parts WHERE chat_id = ?", (chat_id,)
        )
        return {int(r["incoming_id"]) for r in rows}

    async def start_forward_parts(
        self, chat_id: int, incoming_id: int, texts: Sequence[str]
    ) -> list[ForwardPart]:
        """Store the rendered parts of a long SMS before the first is posted; if they were
        stored before, those are kept (resuming must post exactly what was begun)."""
        if not texts or any(not text for text in texts):
            raise ValueError("a forward's parts must be non-empty texts")
        async with self._transaction() as conn:
            pending = await _one(
                conn,
                "SELECT 1 FROM forwards WHERE chat_id = ? AND incoming_id = ?"
                " AND message_id IS NULL",
                (chat_id, incoming_id),
            )
            if pending is None:
                raise NotFoundError(f"chat {chat_id} has no pending forward of SMS {incoming_id}")
            stored = await _one(
                conn,
                "SELECT count(*) AS n FROM forward_parts WHERE chat_id = ? AND incoming_id = ?",
                (chat_id, incoming_id),
            )
            if stored is None or int(stored["n"]) == 0:
                await conn.executemany(
                    "INSERT INTO forward_parts (chat_id, incoming_id, part, text)"
                    " VALUES (?, ?, ?, ?)",
                    [(chat_id, incoming_id, i, text) for i, text in enumerate(texts)],
                )
            rows = await _all(
                conn,
                "SELECT part, text, message_id FROM forward_parts"
                " WHERE chat_id = ? AND incoming_id = ? ORDER BY part",
                (chat_id, incoming_id),
            )
        return [ForwardPart(int(r["part"]), r["text"], r["message_id"]) for r in rows]

    async def record_forward_part(
        self, chat_id: int, incoming_id: int, part: int, message_id: int
    ) -> bool:
        """Telegram accepted one part as `message_id`: remember it and link it to the SMS (a
        reply to any part answers it), in one transaction. After the last part the forward is
        done (its message the first part's) and the parts are dropped; returns True then."""
        now = self._now()
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "UPDATE forward_parts SET message_id = ?, sent_at = ?"
                " WHERE chat_id = ? AND incoming_id = ? AND part = ? AND message_id IS NULL",
                (message_id, now, chat_id, incoming_id, part),
            )
            if cursor.rowcount != 1:
                raise NotFoundError(
                    f"chat {chat_id} has no unsent part {part} of SMS {incoming_id}"
                )
            await _link(conn, chat_id, message_id, incoming_id, None, now)
            row = await _one(
                conn,
                "SELECT count(*) FILTER (WHERE message_id IS NULL) AS unsent,"
                " min(message_id) FILTER (WHERE part = 0) AS first"
                " FROM forward_parts WHERE chat_id = ? AND incoming_id = ?",
                (chat_id, incoming_id),
            )
            assert row is not None  # an aggregate always has a row
            if int(row["unsent"]) > 0:
                return False
            await conn.execute(
                "UPDATE forwards SET message_id = ?, forwarded_at = ?"
                " WHERE chat_id = ? AND incoming_id = ? AND message_id IS NULL",
                (row["first"], now, chat_id, incoming_id),
            )
            await conn.execute(
                "DELETE FROM forward_parts WHERE chat_id = ? AND incoming_id = ?",
                (chat_id, incoming_id),
            )
        return True

    async def refused_chats(self) -> dict[int, RefusedChat]:
        """Every chat Telegram refuses for good, by id."""
        rows = await self._fetchall("SELECT * FROM refused_chats ORDER BY chat_id")
        return {int(r["chat_id"]): _refused(r) for r in rows}

    async def record_refusal(
        self, chat_id: int, reason: str, backoff_seconds: Sequence[float]
    ) -> RefusedChat:
        """Telegram refused the chat for good (once more): it is not asked again before the
        next step of `backoff_seconds` (the last step repeats). `refusals` 1 means it is new."""
        if not backoff_seconds or min(backoff_seconds) <= 0:
            raise ValueError("backoff_seconds must be positive")
        moment = self._clock()
        now = to_db_time(moment)
        async with self._transaction() as conn:
            row = await _one(
                conn, "SELECT refusals FROM refused_chats WHERE chat_id = ?", (chat_id,)
            )
            refusals = 1 if row is None else int(row["refusals"]) + 1
            wait = backoff_seconds[min(refusals, len(backoff_seconds)) - 1]
            stored = await _one(
                conn,
                "INSERT INTO refused_chats (chat_id, reason, refusals, first_refused_at,"
                " refused_at, retry_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET reason = excluded.reason,"
                " refusals = excluded.refusals, refused_at = excluded.refused_at,"
                " retry_at = excluded.retry_at RETURNING *",
                (chat_id, reason, refusals, now, now, to_db_time(moment + timedelta(seconds=wait))),
            )
        assert stored is not None  # an upsert … RETURNING always returns the row
        return _refused(stored)

    async def clear_refusal(self, chat_id: int) -> bool:
        """Telegram accepts the chat again; False if it was not refused."""
        return await self._change("DELETE FROM refused_chats WHERE chat_id = ?", (chat_id,)) > 0

    async def hand_over_pending(self, chat_id: int, *, fallback_chat_id: int) -> list[HandOver]:
        """The SMS waiting for a chat Telegram refuses go to their line's other routes that
        Telegram does not refuse (an admin may have routed the line elsewhere), else to
        `fallback_chat_id` (the admin chat, followed if upgraded); one already waiting for
        or shown in such a chat is not queued there twice. If there is nowhere to go (the
        fallback is that chat, or refused too), the SMS keep waiting where they are."""
        now = self._now()
        moved: list[HandOver] = []
        async with self._transaction() as conn:
            waiting = await _all(
                conn,
                "SELECT f.incoming_id, f.received_at, i.line FROM forwards f"
                " JOIN incoming i ON i.id = f.incoming_id"
                " WHERE f.chat_id = ? AND f.message_id IS NULL ORDER BY f.incoming_id",
                (chat_id,),
            )
            if not waiting:
                return []
            refused = {
                int(r["chat_id"]) for r in await _all(conn, "SELECT chat_id FROM refused_chats")
            }
            refused.add(chat_id)
            fallback = (await _migrations(conn)).get(fallback_chat_id, fallback_chat_id)
            routed: dict[str, list[int]] = {}
            for r in await _all(conn, "SELECT line, chat_id FROM routes ORDER BY chat_id"):
                if int(r["chat_id"]) not in refused:
                    routed.setdefault(r["line"], []).append(int(r["chat_id"]))
            rows: list[tuple[int, int, datetime, datetime]] = []
            for item in waiting:
                targets = routed.get(item["line"]) or ([] if fallback in refused else [fallback])
                for target in targets:
                    rows.append((target, item["incoming_id"], item["received_at"], now))
                    moved.append(HandOver(int(item["incoming_id"]), item["line"], target))
            await conn.executemany(
                "INSERT INTO forwards (chat_id, incoming_id, received_at, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, incoming_id) DO NOTHING",
                rows,
            )
            await conn.executemany(
                "DELETE FROM forwards WHERE chat_id = ? AND incoming_id = ? AND message_id IS NULL",
                [(chat_id, i) for i in dict.fromkeys(h.incoming_id for h in moved)],
            )
        return moved


def _refused(row: Row) -> RefusedChat:
    return RefusedChat(
        chat_id=int(row["chat_id"]),
        reason=row["reason"],
        refusals=int(row["refusals"]),
        first_refused_at=from_db_time(row["first_refused_at"]),
        refused_at=from_db_time(row["refused_at"]),
        retry_at=from_db_time(row["retry_at"]),
    )
