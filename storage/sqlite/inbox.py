"""Incoming SMS and the inbox cursors (`InboxStore`).

The method bodies are moved word for word from the old `storage/repository.py`."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiosqlite

from providers.base import IncomingSms
from storage.models import IncomingMessage
from storage.sqlite.core import SqliteBase, _one, from_db_time, to_db_time

log = logging.getLogger(__name__)


class SqliteInbox(SqliteBase):
    """SQLite: incoming SMS and where each inbox poller resumes."""

    async def get_cursor(self, account: str, line: str) -> str | None:
        """Where the inbox poller of (account, line) resumes."""
        row = await self._fetchone(
            "SELECT cursor FROM inbox_cursors WHERE account = ? AND line = ?", (account, line)
        )
        return None if row is None else str(row["cursor"])

    async def store_incoming(
        self,
        account: str,
        line: str,
        messages: Sequence[IncomingSms],
        *,
        chat_ids: Sequence[int],
        cursor: str,
    ) -> list[IncomingMessage]:
        """In one transaction: store the messages not seen before (by dedupe key), queue each
        new one for every chat, move the cursor. Returns the new messages only."""
        for message in messages:
            if message.line != line:
                raise ValueError(
                    f"message {message.dedupe_key!r} arrived on line {message.line}, not on {line}"
                )
        chats = list(dict.fromkeys(int(c) for c in chat_ids))
        now = self._now()
        new: list[IncomingMessage] = []
        async with self._transaction() as conn:
            for message in messages:
                row = await _one(
                    conn,
                    "INSERT INTO incoming (account, line, sender, body, received_at, dedupe_key,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (account, dedupe_key) DO NOTHING RETURNING *",
                    (
                        account,
                        message.line,
                        message.sender,
                        message.body,
                        to_db_time(message.received_at),
                        message.dedupe_key,
                        now,
                    ),
                )
                if row is not None:
                    new.append(_incoming(row))
            await conn.executemany(
                "INSERT INTO forwards (chat_id, incoming_id, received_at, created_at)"
                " VALUES (?, ?, ?, ?)",
                [
                    (chat, item.id, to_db_time(item.received_at), now)
                    for item in new
                    for chat in chats
                ],
            )
            await conn.execute(
                "INSERT INTO inbox_cursors (account, line, cursor, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (account, line) DO UPDATE SET cursor = excluded.cursor,"
                " updated_at = excluded.updated_at",
                (account, line, cursor, now),
            )
        if len(new) < len(messages):
            log.info(
                "%s %s: %d of %d fetched messages were stored before",
                account,
                line,
                len(messages) - len(new),
                len(messages),
            )
        return new

    async def get_incoming(self, incoming_id: int) -> IncomingMessage | None:
        """One stored incoming SMS."""
        row = await self._fetchone("SELECT * FROM incoming WHERE id = ?", (incoming_id,))
        return None if row is None else _incoming(row)


def _incoming(row: aiosqlite.Row) -> IncomingMessage:
    return IncomingMessage(
        id=row["id"],
        account=row["account"],
        line=row["line"],
        sender=row["sender"],
        body=row["body"],
        received_at=from_db_time(row["received_at"]),
        dedupe_key=row["dedupe_key"],
        created_at=from_db_time(row["created_at"]),
    )
