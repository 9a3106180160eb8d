"""Incoming SMS, the inbox cursors and the quarantine of unreadable records (`InboxStore`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import TypeVar

from providers.base import IncomingSms, UnreadableRecord
from storage.errors import NotFoundError
from storage.models import IncomingMessage, QuarantinedRecord, StoredInbox
from storage.postgres.core import PgBase, PgConn, Row, _one, _opt_time, from_db_time, to_db_time
from storage.postgres.optouts import insert_opt_out
from storage.postgres.webhooks import queue_events, received_event

log = logging.getLogger(__name__)

_KEYS_PER_QUERY = 500  # dedupe keys looked up in one statement (SQLite allows 32,766 variables)

_T = TypeVar("_T")


class PgInbox(PgBase):
    """PostgreSQL: incoming SMS, where each inbox poller resumes, and quarantined records."""

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
        stored = await self.store_inbox(account, line, messages, chat_ids=chat_ids, cursor=cursor)
        return stored.new

    async def store_inbox(
        self,
        account: str,
        line: str,
        messages: Sequence[IncomingSms],
        *,
        chat_ids: Sequence[int],
        cursor: str | None,
        history: Sequence[IncomingSms] = (),
        unreadable: Sequence[UnreadableRecord] = (),
        opt_out_keys: Collection[str] = (),
    ) -> StoredInbox:
        """One inbox fetch, in one transaction: the messages not seen before (by dedupe key),
        each queued for every chat; `history` stored the same way but queued for no chat (so a
        later look-back knows it); `unreadable` records quarantined once (by key); the cursor
        moved (None: left as it is). Nothing already known is written again, and a fetch that
        brings nothing new and leaves the cursor as it was writes nothing at all. The sender of
        a new message whose key is in `opt_out_keys` goes on the line's opt-out list."""
        for message in (*messages, *history):
            if message.line != line:
                raise ValueError(
                    f"message {message.dedupe_key!r} arrived on line {message.line}, not on {line}"
                )
        for record in unreadable:
            if record.line != line:
                raise ValueError(f"record {record.key!r} was listed on {record.line}, not {line}")
        chats = list(dict.fromkeys(int(c) for c in chat_ids))
        known = await self._known_keys(
            "incoming", "dedupe_key", account, [m.dedupe_key for m in (*messages, *history)]
        )
        set_aside = await self._known_keys(
            "inbox_quarantine", "record_key", account, [r.key for r in unreadable]
        )
        fresh = _unseen(messages, known, lambda m: m.dedupe_key)
        old = _unseen(history, known | {m.dedupe_key for m in fresh}, lambda m: m.dedupe_key)
        odd = _unseen(unreadable, set_aside, lambda r: r.key)
        moved = cursor is not None and cursor != await self.get_cursor(account, line)
        seen_before = len(messages) - len(fresh)
        if seen_before:
            log.debug(
                "%s %s: %d of %d fetched messages were stored before",
                account,
                line,
                seen_before,
                len(messages),
            )
        if not (fresh or old or odd or moved):
            return StoredInbox([], [], wrote=False)
        now = self._now()
        new: list[IncomingMessage] = []
        quarantined: list[QuarantinedRecord] = []
        async with self._transaction() as conn:
            for message, queue in [(m, True) for m in fresh] + [(m, False) for m in old]:
                row = await _insert_incoming(conn, account, message, now)
                if row is not None and message.dedupe_key in opt_out_keys:
                    await insert_opt_out(
                        conn,
                        line,
                        message.sender,
                        source="sms",
                        incoming_id=int(row["id"]),
                        body=message.body,
                        now=now,
                    )
                if row is not None and queue:
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
            if self._webhook_events:
                await queue_events(conn, now, [received_event(item) for item in new])
            for record in odd:
                row = await _one(
                    conn,
                    "INSERT INTO inbox_quarantine (account, line, record_key, raw, reason,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (account, record_key) DO NOTHING RETURNING *",
                    (account, line, record.key, record.raw, record.reason, now),
                )
                if row is not None:
                    quarantined.append(_quarantined(row))
            if moved:
                await conn.execute(
                    "INSERT INTO inbox_cursors (account, line, cursor, updated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (account, line) DO UPDATE SET"
                    " cursor = excluded.cursor, updated_at = excluded.updated_at",
                    (account, line, cursor, now),
                )
        return StoredInbox(new, quarantined, wrote=True)

    async def _known_keys(
        self, table: str, column: str, account: str, keys: Sequence[str]
    ) -> set[str]:
        """Which of `keys` the table already holds for `account` (a read: no write lock)."""
        found: set[str] = set()
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _KEYS_PER_QUERY):
            chunk = unique[start : start + _KEYS_PER_QUERY]
            marks = ",".join("?" * len(chunk))
            rows = await self._fetchall(
                f"SELECT {column} AS key FROM {table} WHERE account = ? AND {column} IN ({marks})",
                (account, *chunk),
            )
            found.update(str(r["key"]) for r in rows)
        return found

    async def open_quarantine(self, account: str | None = None) -> list[QuarantinedRecord]:
        """Quarantined records not read yet (of one account, or all), oldest first."""
        where = "resolved_at IS NULL" + ("" if account is None else " AND account = ?")
        rows = await self._fetchall(
            f"SELECT * FROM inbox_quarantine WHERE {where} ORDER BY id",
            () if account is None else (account,),
        )
        return [_quarantined(r) for r in rows]

    async def unreported_quarantine(self, account: str) -> list[QuarantinedRecord]:
        """Quarantined records still unread that the admins have not been told about yet,
        oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM inbox_quarantine"
            " WHERE reported_at IS NULL AND resolved_at IS NULL AND account = ? ORDER BY id",
            (account,),
        )
        return [_quarantined(r) for r in rows]

    async def mark_quarantine_reported(self, record_id: int) -> None:
        """The admins were told about this record."""
        await self._change(
            "UPDATE inbox_quarantine SET reported_at = ? WHERE id = ? AND reported_at IS NULL",
            (self._now(), record_id),
        )

    async def resolve_quarantine(
        self, record_id: int, message: IncomingSms, *, chat_ids: Sequence[int]
    ) -> IncomingMessage | None:
        """A quarantined record could be read after all: in one transaction, store it as an
        incoming SMS (queued for every chat unless it was stored before) and close the record.
        Returns the new SMS, or None if it was known already."""
        now = self._now()
        chats = list(dict.fromkeys(int(c) for c in chat_ids))
        async with self._transaction() as conn:
            record = await _one(
                conn, "SELECT account FROM inbox_quarantine WHERE id = ?", (record_id,)
            )
            if record is None:
                raise NotFoundError(f"no quarantined record {record_id}")
            account = str(record["account"])
            row = await _insert_incoming(conn, account, message, now)
            new = None if row is None else _incoming(row)
            if new is None:
                existing = await _one(
                    conn,
                    "SELECT id FROM incoming WHERE account = ? AND dedupe_key = ?",
                    (account, message.dedupe_key),
                )
                incoming_id = None if existing is None else int(existing["id"])
            else:
                incoming_id = new.id
                if self._webhook_events:
                    await queue_events(conn, now, [received_event(new)])
                await conn.executemany(
                    "INSERT INTO forwards (chat_id, incoming_id, received_at, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    [(chat, new.id, to_db_time(new.received_at), now) for chat in chats],
                )
            await conn.execute(
                "UPDATE inbox_quarantine SET resolved_at = ?, incoming_id = ? WHERE id = ?",
                (now, incoming_id, record_id),
            )
        return new

    async def get_incoming(self, incoming_id: int) -> IncomingMessage | None:
        """One stored incoming SMS."""
        row = await self._fetchone("SELECT * FROM incoming WHERE id = ?", (incoming_id,))
        return None if row is None else _incoming(row)

    # ------------------------------------------------------------ links, history


async def _insert_incoming(
    conn: PgConn, account: str, message: IncomingSms, now: datetime
) -> Row | None:
    """Insert an incoming SMS unless its dedupe key is known; the new row, or None."""
    return await _one(
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


def _unseen(items: Sequence[_T], known: set[str], key: Callable[[_T], str]) -> list[_T]:
    """The items whose key is not known, each key once."""
    seen = set(known)
    kept: list[_T] = []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            kept.append(item)
    return kept


def _quarantined(row: Row) -> QuarantinedRecord:
    return QuarantinedRecord(
        id=row["id"],
        account=row["account"],
        line=row["line"],
        record_key=row["record_key"],
        raw=row["raw"],
        reason=row["reason"],
        created_at=from_db_time(row["created_at"]),
        reported_at=_opt_time(row["reported_at"]),
        resolved_at=_opt_time(row["resolved_at"]),
        incoming_id=row["incoming_id"],
    )


def _incoming(row: Row) -> IncomingMessage:
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
