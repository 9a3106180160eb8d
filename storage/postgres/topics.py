"""Routes in topic mode and each customer's forum topic (`TopicStore`)."""

from __future__ import annotations

from providers.base import DeliveryState
from storage.models import Mirror, Topic
from storage.postgres.core import PgBase, Row, _nonempty, from_db_time

_COLUMNS = "chat_id, thread_id, line, number, name, created_at"


def _topic(row: Row) -> Topic:
    return Topic(
        int(row["chat_id"]),
        int(row["thread_id"]),
        str(row["line"]),
        str(row["number"]),
        str(row["name"]),
        from_db_time(row["created_at"]),
    )


class PgTopics(PgBase):
    """PostgreSQL: topic mode of routes, and the topics themselves."""

    async def set_route_topics(self, line: str, chat_id: int, topics: bool) -> bool:
        """Turn topic mode of a route on or off; False if there is no such route."""
        changed = await self._change(
            "UPDATE routes SET topics = ? WHERE line = ? AND chat_id = ?",
            (topics, line, chat_id),
        )
        return changed > 0

    async def topic_lines(self, chat_id: int) -> set[str]:
        """The lines routed to the chat in topic mode."""
        rows = await self._fetchall(
            "SELECT line FROM routes WHERE chat_id = ? AND topics", (chat_id,)
        )
        return {str(r["line"]) for r in rows}

    async def get_topic(self, chat_id: int, line: str, number: str) -> Topic | None:
        """The stored topic of a customer of a line in a chat, if any."""
        row = await self._fetchone(
            f"SELECT {_COLUMNS} FROM topics WHERE chat_id = ? AND line = ? AND number = ?",
            (chat_id, line, number),
        )
        return None if row is None else _topic(row)

    async def topic_by_thread(self, chat_id: int, thread_id: int) -> Topic | None:
        """The conversation a topic of the chat holds, if it is one of ours."""
        row = await self._fetchone(
            f"SELECT {_COLUMNS} FROM topics WHERE chat_id = ? AND thread_id = ?",
            (chat_id, thread_id),
        )
        return None if row is None else _topic(row)

    async def save_topic(
        self, chat_id: int, line: str, number: str, thread_id: int, name: str
    ) -> Topic:
        """Store the customer's topic (replacing a forgotten or older one)."""
        now = self._now()
        async with self._transaction() as conn:
            # A thread id Telegram hands out again belongs to the new conversation only.
            await conn.execute(
                "DELETE FROM topics WHERE chat_id = ? AND thread_id = ?", (chat_id, thread_id)
            )
            await conn.execute(
                "INSERT INTO topics (chat_id, line, number, thread_id, name, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, line, number) DO UPDATE SET"
                " thread_id = excluded.thread_id, name = excluded.name,"
                " created_at = excluded.created_at",
                (
                    chat_id,
                    _nonempty(line, "line"),
                    _nonempty(number, "number"),
                    thread_id,
                    _nonempty(name, "name"),
                    now,
                ),
            )
        return Topic(chat_id, thread_id, line, number, name, from_db_time(now))

    async def forget_topic(self, chat_id: int, thread_id: int) -> bool:
        """The topic is gone (deleted or closed by a person); False if it was not stored."""
        changed = await self._change(
            "DELETE FROM topics WHERE chat_id = ? AND thread_id = ?", (chat_id, thread_id)
        )
        return changed > 0

    async def rename_topic(self, chat_id: int, thread_id: int, name: str) -> bool:
        """Store the topic's new name; False if it is not stored."""
        changed = await self._change(
            "UPDATE topics SET name = ? WHERE chat_id = ? AND thread_id = ?",
            (_nonempty(name, "name"), chat_id, thread_id),
        )
        return changed > 0

    async def topics_for_number(self, number: str) -> list[Topic]:
        """Every stored topic of a customer number, by chat then line."""
        rows = await self._fetchall(
            f"SELECT {_COLUMNS} FROM topics WHERE number = ? ORDER BY chat_id, line", (number,)
        )
        return [_topic(r) for r in rows]

    async def add_mirror(
        self, chat_id: int, message_id: int, recipient_id: int, head: str, state: DeliveryState
    ) -> None:
        """A send's recipient is shown in a topic by this message, in `state`."""
        await self._change(
            "INSERT INTO topic_mirrors"
            " (chat_id, message_id, recipient_id, head, shown_state, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (chat_id, message_id, recipient_id, _nonempty(head, "head"), state.value, self._now()),
        )

    async def stale_mirrors(self, limit: int = 100) -> list[Mirror]:
        """Mirrors whose recipient's state is not the one they show, oldest first."""
        rows = await self._fetchall(
            "SELECT m.chat_id, m.message_id, m.recipient_id, m.head, m.shown_state, r.state"
            " FROM topic_mirrors m JOIN send_recipients r ON r.id = m.recipient_id"
            " WHERE r.state <> m.shown_state ORDER BY m.created_at, m.chat_id, m.message_id"
            " LIMIT ?",
            (limit,),
        )
        return [
            Mirror(
                int(r["chat_id"]),
                int(r["message_id"]),
                int(r["recipient_id"]),
                str(r["head"]),
                DeliveryState(r["shown_state"]),
                DeliveryState(r["state"]),
            )
            for r in rows
        ]

    async def mark_mirror_shown(self, chat_id: int, message_id: int, state: DeliveryState) -> None:
        """The mirror now shows `state` (or it cannot be edited any more)."""
        await self._change(
            "UPDATE topic_mirrors SET shown_state = ? WHERE chat_id = ? AND message_id = ?",
            (state.value, chat_id, message_id),
        )
