"""Every query the bridge makes, in one small class over one aiosqlite connection.

Each change that touches more than one row runs in ONE transaction (BEGIN IMMEDIATE … COMMIT).
The connection is shared by every coroutine of the process, so statements of concurrent
coroutines would otherwise land inside each other's transactions: all access goes through a
lock per connection.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite

from providers.base import DeliveryState, IncomingSms, Receipt
from storage.db import StorageError
from storage.models import (
    AuditEntry,
    ChatMove,
    DeliveryReport,
    ForwardPart,
    HandOver,
    HistoryEntry,
    IncomingMessage,
    MessageLink,
    PendingForward,
    PollHealth,
    RefusedChat,
    Role,
    Route,
    Send,
    SendRecipient,
    SendStatus,
    User,
)

log = logging.getLogger(__name__)

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_FINAL_STATES = tuple(s.value for s in DeliveryState if s.is_final)
_FINAL_SQL = "(" + ", ".join(f"'{s}'" for s in _FINAL_STATES) + ")"
_INTERRUPTED = "interrupted before the provider's answer was stored"

_LOCKS: weakref.WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = weakref.WeakKeyDictionary()


class NotFoundError(StorageError, LookupError):
    """The row a change refers to does not exist."""


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> str:
    """A timezone-aware datetime as the stored fixed-width UTC text."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} given; use a timezone-aware one")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def from_db_time(text: str) -> datetime:
    """Stored UTC text back to an aware datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def _opt_time(text: str | None) -> datetime | None:
    return None if text is None else from_db_time(text)


class Repository:
    """The bridge's storage: users, routes, settings, sends, deliveries, incoming SMS, alerts."""

    def __init__(
        self, conn: aiosqlite.Connection, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._conn = conn
        self._clock = clock
        lock = _LOCKS.get(conn)
        if lock is None:
            lock = _LOCKS[conn] = asyncio.Lock()
        self._lock = lock

    # ------------------------------------------------------------ plumbing

    def _now(self) -> str:
        return to_db_time(self._clock())

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction; rolled back on any error or cancellation."""
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
                await self._conn.execute("COMMIT")
            except BaseException:
                # Not `execute("ROLLBACK")` guarded by in_transaction: a cancelled await leaves
                # its statement queued on the connection's thread, so BEGIN may not have run
                # yet. rollback() is queued behind it and is a no-op without a transaction.
                await self._conn.rollback()
                raise

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self._lock:
            return await _all(self._conn, sql, params)

    async def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._lock:
            return await _one(self._conn, sql, params)

    async def _change(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement (atomic on its own); returns the number of rows it changed."""
        async with self._lock, self._conn.execute(sql, params) as cursor:
            return cursor.rowcount

    # ------------------------------------------------------------ users and roles

    async def get_role(self, user_id: int) -> Role | None:
        """The role granted to a user at run time, if any."""
        row = await self._fetchone("SELECT role FROM users WHERE user_id = ?", (user_id,))
        return None if row is None else Role(row["role"])

    async def set_role(self, user_id: int, role: Role, granted_by: int | None) -> None:
        """Grant a role (replacing any earlier one)."""
        now = self._now()
        await self._change(
            "INSERT INTO users (user_id, role, granted_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET role = excluded.role,"
            " granted_by = excluded.granted_by, updated_at = excluded.updated_at",
            (user_id, Role(role).value, granted_by, now, now),
        )

    async def remove_user(self, user_id: int) -> bool:
        """Take a user's role away; False if there was none."""
        return await self._change("DELETE FROM users WHERE user_id = ?", (user_id,)) > 0

    async def list_users(self) -> list[User]:
        """Every user with a run-time role, by id."""
        rows = await self._fetchall(
            "SELECT user_id, role, granted_by, created_at FROM users ORDER BY user_id"
        )
        return [
            User(r["user_id"], Role(r["role"]), r["granted_by"], from_db_time(r["created_at"]))
            for r in rows
        ]

    # ------------------------------------------------------------ routes

    async def sync_config_routes(self, routes: Sequence[tuple[str, int]]) -> None:
        """Make the config routes exactly `routes`; routes admins added stay as they are.
        A chat upgraded to a supergroup is routed under its new id (the config may still name
        the old one)."""
        now = self._now()
        async with self._transaction() as conn:
            moved = await _migrations(conn)
            rows = []
            for line, chat_id in routes:
                target = moved.get(int(chat_id), int(chat_id))
                if target != chat_id:
                    log.warning(
                        "config routes line %s to chat %s, which became %s; routed there",
                        line,
                        chat_id,
                        target,
                    )
                rows.append((_nonempty(line, "line"), target, now))
            await conn.execute("DELETE FROM routes WHERE source = 'config'")
            await conn.executemany(
                "INSERT INTO routes (line, chat_id, source, created_by, created_at)"
                " VALUES (?, ?, 'config', NULL, ?) ON CONFLICT (line, chat_id) DO NOTHING",
                rows,
            )

    async def add_route(self, line: str, chat_id: int, created_by: int | None) -> bool:
        """Route a line to a chat at run time; False if that route already existed.

        A chat Telegram refused is taken back at once: a route asked for from the chat itself
        shows the bot is in it again.
        """
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO routes (line, chat_id, source, created_by, created_at)"
                " VALUES (?, ?, 'admin', ?, ?) ON CONFLICT (line, chat_id) DO NOTHING",
                (_nonempty(line, "line"), chat_id, created_by, self._now()),
            )
            changed = cursor.rowcount
            await conn.execute("DELETE FROM refused_chats WHERE chat_id = ?", (chat_id,))
        return changed > 0

    async def remove_route(self, line: str, chat_id: int) -> bool:
        """Remove a route, whatever its source (a config route returns at the next start)."""
        changed = await self._change(
            "DELETE FROM routes WHERE line = ? AND chat_id = ?", (line, chat_id)
        )
        return changed > 0

    async def list_routes(self) -> list[Route]:
        """Every route, by line then chat."""
        rows = await self._fetchall(
            "SELECT line, chat_id, source, created_by FROM routes ORDER BY line, chat_id"
        )
        return [Route(r["line"], r["chat_id"], r["source"], r["created_by"]) for r in rows]

    async def chats_for_line(self, line: str) -> list[int]:
        """The chats incoming SMS on `line` go to."""
        rows = await self._fetchall(
            "SELECT chat_id FROM routes WHERE line = ? ORDER BY chat_id", (line,)
        )
        return [int(r["chat_id"]) for r in rows]

    # ------------------------------------------------------------ chat and user settings

    async def get_chat_sender(self, chat_id: int) -> tuple[str, str] | None:
        """The chat's default (account, line) for sending, if set."""
        row = await self._fetchone(
            "SELECT account, line FROM chat_settings WHERE chat_id = ?", (chat_id,)
        )
        return None if row is None else (str(row["account"]), str(row["line"]))

    async def set_chat_sender(self, chat_id: int, account: str, line: str) -> None:
        """Set the chat's default (account, line)."""
        await self._change(
            "INSERT INTO chat_settings (chat_id, account, line, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET account = excluded.account,"
            " line = excluded.line, updated_at = excluded.updated_at",
            (chat_id, _nonempty(account, "account"), _nonempty(line, "line"), self._now()),
        )

    async def get_user_language(self, user_id: int) -> str | None:
        """The UI language a user chose, if any."""
        row = await self._fetchone(
            "SELECT language FROM user_settings WHERE user_id = ?", (user_id,)
        )
        return None if row is None else str(row["language"])

    async def set_user_language(self, user_id: int, lang: str) -> None:
        """Remember a user's UI language."""
        await self._change(
            "INSERT INTO user_settings (user_id, language, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET language = excluded.language,"
            " updated_at = excluded.updated_at",
            (user_id, lang, self._now()),
        )

    # ------------------------------------------------------------ sends

    async def create_send(
        self,
        *,
        idempotency_key: str,
        account: str,
        line: str,
        text: str,
        chat_id: int,
        requested_by: int,
        recipients: Sequence[str],
    ) -> tuple[Send, bool]:
        """Store a send (status submitting) and its recipients (queued) before the provider is
        called; with a key seen before, return that send and False, writing nothing."""
        if not recipients:
            raise ValueError("a send needs at least one recipient")
        if len(set(recipients)) != len(recipients):
            raise ValueError("a send's recipients must be distinct")
        now = self._now()
        async with self._transaction() as conn:
            existing = await _one(
                conn, "SELECT * FROM sends WHERE idempotency_key = ?", (idempotency_key,)
            )
            if existing is not None:
                return _send(existing), False
            row = await _one(
                conn,
                "INSERT INTO sends (idempotency_key, account, line, text, chat_id, requested_by,"
                " status, recipient_count, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 'submitting', ?, ?, ?) RETURNING *",
                (
                    _nonempty(idempotency_key, "idempotency_key"),
                    account,
                    line,
                    text,
                    chat_id,
                    requested_by,
                    len(recipients),
                    now,
                    now,
                ),
            )
            assert row is not None  # INSERT … RETURNING always returns the row
            await conn.executemany(
                "INSERT INTO send_recipients (send_id, account, recipient, state, updated_at)"
                " VALUES (?, ?, ?, 'queued', ?)",
                [(row["id"], account, recipient, now) for recipient in recipients],
            )
        return _send(row), True

    async def record_send_result(
        self, send_id: int, receipts: Sequence[Receipt], *, next_poll_at: datetime
    ) -> None:
        """The provider took the send: status submitted; each recipient gets its ids and state
        sent, or unknown if its receipt cannot be tracked (or is missing)."""
        poll_at = to_db_time(next_poll_at)
        async with self._transaction() as conn:
            rows = await _recipients_awaiting_outcome(conn, send_id)
            by_recipient = _receipts_by_recipient(send_id, receipts, rows)
            missing = [r["recipient"] for r in rows if r["recipient"] not in by_recipient]
            if missing:
                log.warning(
                    "send %s: the provider gave no receipt for %d recipients; marked unknown",
                    send_id,
                    len(missing),
                )
            await _apply_outcome(conn, self._now(), rows, by_recipient, set(missing), poll_at)
            await conn.execute(
                "UPDATE sends SET status = 'submitted', updated_at = ?,"
                f" {_BUMP_CONFIRMATION} WHERE id = ?",
                (self._now(), send_id),
            )

    async def record_send_failure(
        self,
        send_id: int,
        *,
        error: str,
        receipts: Sequence[Receipt] = (),
        unknown_recipients: Sequence[str] = (),
        next_poll_at: datetime | None = None,
    ) -> SendStatus:
        """The provider call failed: recipients in `receipts` went, those in
        `unknown_recipients` may have gone, the rest failed. Returns the send's new status."""
        poll_at = None if next_poll_at is None else to_db_time(next_poll_at)
        async with self._transaction() as conn:
            rows = await _recipients_awaiting_outcome(conn, send_id)
            by_recipient = _receipts_by_recipient(send_id, receipts, rows)
            known = {r["recipient"] for r in rows}
            unknown = {u for u in unknown_recipients if u not in by_recipient}
            strangers = unknown - known
            if strangers:
                raise ValueError(f"send {send_id} has no recipient {sorted(strangers)[0]}")
            await _apply_outcome(conn, self._now(), rows, by_recipient, unknown, poll_at)
            if by_recipient:
                status = SendStatus.PARTIAL
            elif unknown:
                status = SendStatus.UNKNOWN
            else:
                status = SendStatus.FAILED
            await conn.execute(
                f"UPDATE sends SET status = ?, error = ?, updated_at = ?, {_BUMP_CONFIRMATION}"
                " WHERE id = ?",
                (status.value, error, self._now(), send_id),
            )
        return status

    async def set_confirmation(
        self, send_id: int, chat_id: int, message_id: int, *, text_digest: str | None = None
    ) -> None:
        """Remember the message that shows the send's progress (and link it to the send).

        Pass the digest of the text it was sent with, so the next re-render (which this asks
        for, in case reports arrived while it was being sent) edits only if the text differs.
        """
        now = self._now()
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "UPDATE sends SET confirmation_chat_id = ?, confirmation_message_id = ?,"
                " confirmation_digest = coalesce(?, confirmation_digest), updated_at = ?,"
                " confirmation_version = confirmation_version + 1 WHERE id = ?",
                (chat_id, message_id, text_digest, now, send_id),
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"send {send_id} does not exist")
            await _link(conn, chat_id, message_id, None, send_id, now)

    async def get_send(self, send_id: int) -> Send | None:
        """One send by id."""
        row = await self._fetchone("SELECT * FROM sends WHERE id = ?", (send_id,))
        return None if row is None else _send(row)

    async def get_recipients(
        self, send_id: int, *, limit: int | None = None
    ) -> list[SendRecipient]:
        """A send's recipients in the order they were given (the first `limit` if given)."""
        rows = await self._fetchall(
            "SELECT * FROM send_recipients WHERE send_id = ? ORDER BY id LIMIT ?",
            (send_id, -1 if limit is None else limit),
        )
        return [_recipient(r) for r in rows]

    async def recipient_state_counts(self, send_id: int) -> dict[DeliveryState, int]:
        """How many of a send's recipients are in each state (cheap for bulk sends)."""
        rows = await self._fetchall(
            "SELECT state, n FROM send_state_counts WHERE send_id = ? AND n > 0 ORDER BY state",
            (send_id,),
        )
        return {DeliveryState(r["state"]): int(r["n"]) for r in rows}

    async def find_send_by_key(self, key: str) -> Send | None:
        """The send stored under an idempotency key."""
        row = await self._fetchone("SELECT * FROM sends WHERE idempotency_key = ?", (key,))
        return None if row is None else _send(row)

    async def mark_in_flight_unknown(self) -> list[Send]:
        """At start: sends still `submitting` (the process died while calling the provider)
        become unknown, their queued recipients too; returns them. Never resends."""
        now = self._now()
        async with self._transaction() as conn:
            ids = [
                int(r["id"])
                for r in await _all(
                    conn, "SELECT id FROM sends WHERE status = 'submitting' ORDER BY id"
                )
            ]
            if not ids:
                return []
            marks = ",".join("?" * len(ids))
            await conn.execute(
                "UPDATE send_recipients SET state = 'unknown', next_poll_at = NULL,"
                f" updated_at = ? WHERE state = 'queued' AND send_id IN ({marks})",
                (now, *ids),
            )
            await conn.execute(
                "UPDATE sends SET status = 'unknown', error = coalesce(error, ?), updated_at = ?,"
                f" {_BUMP_CONFIRMATION} WHERE id IN ({marks})",
                (_INTERRUPTED, now, *ids),
            )
            rows = await _all(conn, f"SELECT * FROM sends WHERE id IN ({marks}) ORDER BY id", ids)
        for row in rows:
            log.warning("send %s was interrupted while submitting; marked unknown", row["id"])
        return [_send(r) for r in rows]

    # ------------------------------------------------------------ delivery polling

    async def due_recipients(
        self, account: str, now: datetime, limit: int = 500
    ) -> list[SendRecipient]:
        """Tracked, non-final recipients of `account` whose next poll is due, oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM send_recipients WHERE account = ? AND next_poll_at IS NOT NULL"
            f" AND next_poll_at <= ? AND state NOT IN {_FINAL_SQL}"
            " AND (provider_message_id IS NOT NULL OR provider_group_id IS NOT NULL)"
            " ORDER BY next_poll_at, id LIMIT ?",
            (account, to_db_time(now), limit),
        )
        return [_recipient(r) for r in rows]

    async def apply_delivery(
        self,
        recipient_id: int,
        state: DeliveryState,
        raw_code: str | None,
        *,
        next_poll_at: datetime | None,
    ) -> bool:
        """Store a delivery report: the state only moves forward (a final one never changes);
        polls+1 and next_poll_at always (none once final). True if the state changed."""
        report = DeliveryReport(recipient_id, state, raw_code, next_poll_at)
        return await self.apply_deliveries([report]) == 1

    async def apply_deliveries(self, reports: Sequence[DeliveryReport]) -> int:
        """`apply_delivery` for many recipients in one transaction (a poll cycle's batch);
        returns how many changed state. Unknown recipient ids change nothing and raise."""
        if not reports:
            return 0
        now = self._now()
        ids = [r.recipient_id for r in reports]
        async with self._transaction() as conn:
            current: dict[int, tuple[int, DeliveryState]] = {}
            # Chunks keep each IN list under SQLite's variable limit.
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                async with conn.execute(
                    f"SELECT id, send_id, state FROM send_recipients WHERE id IN ({marks})", chunk
                ) as cursor:
                    for row in await cursor.fetchall():
                        current[int(row["id"])] = (int(row["send_id"]), DeliveryState(row["state"]))
            missing = sorted(set(ids) - set(current))
            if missing:
                raise NotFoundError(f"send recipients {missing[:10]} do not exist")
            updates: list[tuple[Any, ...]] = []
            moved_sends: set[int] = set()
            for report in reports:
                send_id, state = current[report.recipient_id]
                new = DeliveryState(report.state)
                moves = state.can_move_to(new)
                result = new if moves else state
                poll_at = None if report.next_poll_at is None else to_db_time(report.next_poll_at)
                if result.is_final:
                    poll_at = None
                updates.append(
                    (result.value, moves, report.raw_code, poll_at, now, report.recipient_id)
                )
                current[report.recipient_id] = (send_id, result)
                if moves:
                    moved_sends.add(send_id)
            await conn.executemany(
                "UPDATE send_recipients SET state = ?, raw_code = CASE WHEN ? THEN ? ELSE raw_code"
                " END, polls = polls + 1, next_poll_at = ?, updated_at = ? WHERE id = ?",
                updates,
            )
            await conn.executemany(
                f"UPDATE sends SET updated_at = ?, {_BUMP_CONFIRMATION} WHERE id = ?",
                [(now, send_id) for send_id in sorted(moved_sends)],
            )
        return sum(1 for u in updates if u[1])

    async def dirty_confirmations(self, limit: int = 50) -> list[Send]:
        """Sends whose confirmation message no longer shows their state, oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM sends WHERE confirmation_version > confirmation_rendered_version"
            " ORDER BY id LIMIT ?",
            (limit,),
        )
        return [_send(r) for r in rows]

    async def mark_confirmation_rendered(
        self, send_id: int, text_digest: str, *, version: int | None = None
    ) -> None:
        """The confirmation now shows the text with `text_digest`.

        `version` is the `Send.confirmation_version` read before rendering; with it, a change
        stored while rendering keeps the confirmation dirty. Without it, every change so far
        counts as shown.
        """
        changed = await self._change(
            "UPDATE sends SET confirmation_digest = ?, confirmation_rendered_version ="
            " max(confirmation_rendered_version, min(confirmation_version, coalesce(?,"
            " confirmation_version))) WHERE id = ?",
            (text_digest, version, send_id),
        )
        if changed == 0:
            raise NotFoundError(f"send {send_id} does not exist")

    async def confirmation_digest(self, send_id: int) -> str | None:
        """The digest of the text the confirmation message shows now."""
        row = await self._fetchone("SELECT confirmation_digest FROM sends WHERE id = ?", (send_id,))
        return None if row is None else row["confirmation_digest"]

    # ------------------------------------------------------------ incoming SMS

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

    async def pending_forward_chats(self) -> list[int]:
        """The chats that have incoming SMS waiting to be forwarded."""
        rows = await self._fetchall(
            "SELECT DISTINCT chat_id FROM forwards WHERE message_id IS NULL ORDER BY chat_id"
        )
        return [int(r["chat_id"]) for r in rows]

    async def pending_forward_count(self, chat_id: int) -> int:
        """How many incoming SMS still have to reach `chat_id`."""
        row = await self._fetchone(
            "SELECT count(*) AS n FROM forwards WHERE chat_id = ? AND message_id IS NULL",
            (chat_id,),
        )
        return 0 if row is None else int(row["n"])

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

    # ------------------------------------------------------------ chats Telegram refuses

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
            rows: list[tuple[int, int, str, str]] = []
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

    # ------------------------------------------------------------ groups upgraded to supergroups

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> ChatMove:
        """A group became the supergroup `new_chat_id`: in one transaction, remember it (for
        config routes and the admin chat), move its routes (config and admin), its sending
        line and the SMS waiting for it (to be posted there from their first part)."""
        if old_chat_id == new_chat_id:
            raise ValueError("a chat cannot migrate to itself")
        now = self._now()
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO chat_migrations (old_chat_id, new_chat_id, migrated_at)"
                " VALUES (?, ?, ?) ON CONFLICT (old_chat_id) DO UPDATE SET"
                " new_chat_id = excluded.new_chat_id, migrated_at = excluded.migrated_at",
                (old_chat_id, new_chat_id, now),
            )
            # Keep chains flat: whatever led to the old id now leads to the new one.
            await conn.execute(
                "UPDATE chat_migrations SET new_chat_id = ? WHERE new_chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            await conn.execute("DELETE FROM chat_migrations WHERE old_chat_id = ?", (new_chat_id,))
            lines = [
                r["line"]
                for r in await _all(
                    conn,
                    "SELECT line FROM routes WHERE chat_id = ? ORDER BY line",
                    (old_chat_id,),
                )
            ]
            await conn.execute(
                "INSERT INTO routes (line, chat_id, source, created_by, created_at)"
                " SELECT line, ?, source, created_by, created_at FROM routes WHERE chat_id = ?"
                " ON CONFLICT (line, chat_id) DO NOTHING",
                (new_chat_id, old_chat_id),
            )
            await conn.execute("DELETE FROM routes WHERE chat_id = ?", (old_chat_id,))
            await conn.execute(
                "INSERT INTO chat_settings (chat_id, account, line, updated_at)"
                " SELECT ?, account, line, ? FROM chat_settings WHERE chat_id = ?"
                " ON CONFLICT (chat_id) DO NOTHING",
                (new_chat_id, now, old_chat_id),
            )
            await conn.execute("DELETE FROM chat_settings WHERE chat_id = ?", (old_chat_id,))
            pending = await _move_pending(conn, now)
            await conn.execute(
                "DELETE FROM refused_chats WHERE chat_id IN (?, ?)", (old_chat_id, new_chat_id)
            )
        return ChatMove(old_chat_id, new_chat_id, tuple(lines), pending.get(old_chat_id, 0))

    async def follow_migrations(self) -> int:
        """Move SMS queued since for a chat that was upgraded (a config admin chat, or one
        stored while the move happened) to its new id; returns how many moved."""
        now = self._now()
        async with self._transaction() as conn:
            moved = await _move_pending(conn, now)
        return sum(moved.values())

    async def current_chat_id(self, chat_id: int) -> int:
        """The id to post to for `chat_id`: the supergroup it was upgraded to, if it was."""
        row = await self._fetchone(
            "SELECT new_chat_id FROM chat_migrations WHERE old_chat_id = ?", (chat_id,)
        )
        return chat_id if row is None else int(row["new_chat_id"])

    async def get_incoming(self, incoming_id: int) -> IncomingMessage | None:
        """One stored incoming SMS."""
        row = await self._fetchone("SELECT * FROM incoming WHERE id = ?", (incoming_id,))
        return None if row is None else _incoming(row)

    # ------------------------------------------------------------ links, history

    async def link_message(
        self,
        chat_id: int,
        message_id: int,
        *,
        incoming_id: int | None = None,
        send_id: int | None = None,
    ) -> None:
        """Remember what a Telegram message stands for (replacing an earlier link)."""
        if incoming_id is None and send_id is None:
            raise ValueError("a message link needs an incoming_id or a send_id")
        async with self._lock:
            await _link(self._conn, chat_id, message_id, incoming_id, send_id, self._now())

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
        async with self._lock:
            sends = await _all(
                self._conn,
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
                    self._conn,
                    "SELECT send_id, state, n FROM send_state_counts"
                    f" WHERE send_id IN ({marks}) AND n > 0 ORDER BY send_id, state",
                    [s["id"] for s in sends],
                ):
                    counts.setdefault(row["send_id"], []).append(
                        (DeliveryState(row["state"]), int(row["n"]))
                    )
            received = await _all(
                self._conn,
                "SELECT i.* FROM forwards f JOIN incoming i ON i.id = f.incoming_id"
                " WHERE f.chat_id = ? AND f.message_id IS NOT NULL"
                " ORDER BY f.received_at DESC, f.incoming_id DESC LIMIT ?",
                (chat_id, limit),
            )
        entries = [_sent_entry(row, tuple(counts.get(row["id"], ()))) for row in sends]
        entries.extend(_received_entry(row) for row in received)
        entries.sort(key=lambda e: (e.at, e.send_id or e.incoming_id or 0), reverse=True)
        return entries[:limit]

    # ------------------------------------------------------------ alerts, health, audit

    async def should_alert(self, key: str, *, window: float, now: datetime) -> bool:
        """True (and `now` recorded) unless `key` was alerted within the last `window` s."""
        cutoff = to_db_time(now - timedelta(seconds=window))
        changed = await self._change(
            "INSERT INTO alerts (key, last_at) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at"
            " WHERE alerts.last_at <= ?",
            (key, to_db_time(now), cutoff),
        )
        return changed > 0

    async def record_poll_failure(self, account: str, job: str) -> int:
        """Count one more failure of a polling job; returns the consecutive failures so far."""
        now = self._now()
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "INSERT INTO poll_health (account, job, consecutive_failures, last_failure_at)"
                " VALUES (?, ?, 1, ?) ON CONFLICT (account, job) DO UPDATE SET"
                " consecutive_failures = consecutive_failures + 1,"
                " last_failure_at = excluded.last_failure_at RETURNING consecutive_failures",
                (account, job, now),
            )
        assert row is not None  # an upsert … RETURNING always returns the row
        return int(row["consecutive_failures"])

    async def record_poll_success(self, account: str, job: str) -> int:
        """A polling job worked; returns the failures it had before (0 if none)."""
        now = self._now()
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "SELECT consecutive_failures FROM poll_health WHERE account = ? AND job = ?",
                (account, job),
            )
            await conn.execute(
                "INSERT INTO poll_health (account, job, consecutive_failures, last_success_at)"
                " VALUES (?, ?, 0, ?) ON CONFLICT (account, job) DO UPDATE SET"
                " consecutive_failures = 0, last_success_at = excluded.last_success_at",
                (account, job, now),
            )
        return 0 if row is None else int(row["consecutive_failures"])

    async def overdue_recipient_counts(self, due_before: datetime) -> dict[str, int]:
        """Per account, the tracked non-final recipients whose poll was due before
        `due_before` and has not happened (delivery polling that is stuck leaves these)."""
        rows = await self._fetchall(
            "SELECT account, count(*) AS n FROM send_recipients WHERE next_poll_at IS NOT NULL"
            f" AND next_poll_at <= ? AND state NOT IN {_FINAL_SQL}"
            " AND (provider_message_id IS NOT NULL OR provider_group_id IS NOT NULL)"
            " GROUP BY account",
            (to_db_time(due_before),),
        )
        return {r["account"]: int(r["n"]) for r in rows}

    async def poll_health(self) -> list[PollHealth]:
        """Every polling job's record: failures in a row, last failure, last success."""
        rows = await self._fetchall("SELECT * FROM poll_health ORDER BY account, job")
        return [
            PollHealth(
                r["account"],
                r["job"],
                r["consecutive_failures"],
                _opt_time(r["last_failure_at"]),
                _opt_time(r["last_success_at"]),
            )
            for r in rows
        ]

    async def audit(
        self, user_id: int | None, chat_id: int | None, action: str, detail: str = ""
    ) -> None:
        """Record what a user did (or was refused)."""
        await self._change(
            "INSERT INTO audit_log (at, user_id, chat_id, action, detail) VALUES (?, ?, ?, ?, ?)",
            (self._now(), user_id, chat_id, _nonempty(action, "action"), detail),
        )

    async def recent_audit(self, limit: int = 50) -> list[AuditEntry]:
        """The latest audit entries, newest first."""
        rows = await self._fetchall("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        return [
            AuditEntry(
                r["id"], from_db_time(r["at"]), r["user_id"], r["chat_id"], r["action"], r["detail"]
            )
            for r in rows
        ]


# ---------------------------------------------------------------- helpers

_BUMP_CONFIRMATION = (
    "confirmation_version = confirmation_version"
    " + (confirmation_message_id IS NOT NULL)"  # only a shown confirmation can go stale
)


async def _all(
    conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
) -> list[aiosqlite.Row]:
    async with conn.execute(sql, tuple(params)) as cursor:
        return list(await cursor.fetchall())


async def _recipients_awaiting_outcome(
    conn: aiosqlite.Connection, send_id: int
) -> list[aiosqlite.Row]:
    """The recipients of a send whose provider answer is not stored yet (else an error)."""
    send = await _one(conn, "SELECT status FROM sends WHERE id = ?", (send_id,))
    if send is None:
        raise NotFoundError(f"send {send_id} does not exist")
    if send["status"] not in (SendStatus.SUBMITTING, SendStatus.UNKNOWN):
        raise StorageError(
            f"send {send_id} is already {send['status']}; its result was stored before"
        )
    return await _all(
        conn, "SELECT id, recipient, state FROM send_recipients WHERE send_id = ?", (send_id,)
    )


async def _one(
    conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
) -> aiosqlite.Row | None:
    async with conn.execute(sql, tuple(params)) as cursor:
        row = await cursor.fetchone()
        # Drain the statement so an INSERT … RETURNING is complete before the next one.
        await cursor.fetchall()
        return row


async def _link(
    conn: aiosqlite.Connection,
    chat_id: int,
    message_id: int,
    incoming_id: int | None,
    send_id: int | None,
    now: str,
) -> None:
    await conn.execute(
        "INSERT INTO message_links (chat_id, message_id, incoming_id, send_id, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET"
        " incoming_id = excluded.incoming_id, send_id = excluded.send_id",
        (chat_id, message_id, incoming_id, send_id, now),
    )


async def _migrations(conn: aiosqlite.Connection) -> dict[int, int]:
    """Every upgraded chat: old id → the id to use."""
    rows = await _all(conn, "SELECT old_chat_id, new_chat_id FROM chat_migrations")
    return {int(r["old_chat_id"]): int(r["new_chat_id"]) for r in rows}


async def _move_pending(conn: aiosqlite.Connection, now: str) -> dict[int, int]:
    """Inside a transaction: SMS waiting for an upgraded chat wait for its new id instead
    (their parts, posted to the old id, are dropped with the old row); old id → count."""
    rows = await _all(
        conn,
        "SELECT f.chat_id, count(*) AS n FROM forwards f"
        " JOIN chat_migrations m ON m.old_chat_id = f.chat_id"
        " WHERE f.message_id IS NULL GROUP BY f.chat_id",
    )
    if not rows:
        return {}
    await conn.execute(
        "INSERT INTO forwards (chat_id, incoming_id, received_at, created_at)"
        " SELECT m.new_chat_id, f.incoming_id, f.received_at, ? FROM forwards f"
        " JOIN chat_migrations m ON m.old_chat_id = f.chat_id WHERE f.message_id IS NULL"
        " ON CONFLICT (chat_id, incoming_id) DO NOTHING",
        (now,),
    )
    await conn.execute(
        "DELETE FROM forwards WHERE message_id IS NULL"
        " AND chat_id IN (SELECT old_chat_id FROM chat_migrations)"
    )
    return {int(r["chat_id"]): int(r["n"]) for r in rows}


def _nonempty(value: str, name: str) -> str:
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _receipts_by_recipient(
    send_id: int, receipts: Sequence[Receipt], rows: Sequence[aiosqlite.Row]
) -> dict[str, Receipt]:
    known = {r["recipient"] for r in rows}
    by_recipient: dict[str, Receipt] = {}
    for receipt in receipts:
        if receipt.recipient not in known:
            raise ValueError(f"send {send_id} has no recipient {receipt.recipient}")
        by_recipient[receipt.recipient] = receipt
    return by_recipient


async def _apply_outcome(
    conn: aiosqlite.Connection,
    now: str,
    rows: Sequence[aiosqlite.Row],
    receipts: dict[str, Receipt],
    unknown: set[str],
    poll_at: str | None,
) -> None:
    """Set each not-yet-reported recipient of a send to what the provider call told us."""
    updates: list[tuple[str, str | None, str | None, str | None, str, int]] = []
    for row in rows:
        if row["state"] not in (DeliveryState.QUEUED, DeliveryState.UNKNOWN):
            continue  # a report already moved it; never backwards
        receipt = receipts.get(row["recipient"])
        if receipt is not None:
            tracked = receipt.message_id is not None or receipt.group_id is not None
            updates.append(
                (
                    DeliveryState.SENT if tracked else DeliveryState.UNKNOWN,
                    receipt.message_id,
                    receipt.group_id,
                    poll_at if tracked else None,
                    now,
                    row["id"],
                )
            )
        elif row["recipient"] in unknown:
            updates.append((DeliveryState.UNKNOWN, None, None, None, now, row["id"]))
        else:
            updates.append((DeliveryState.FAILED, None, None, None, now, row["id"]))
    await conn.executemany(
        "UPDATE send_recipients SET state = ?, provider_message_id = ?, provider_group_id = ?,"
        " next_poll_at = ?, updated_at = ? WHERE id = ?",
        [(str(u[0]), *u[1:]) for u in updates],
    )


def _send(row: aiosqlite.Row) -> Send:
    return Send(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        account=row["account"],
        line=row["line"],
        text=row["text"],
        chat_id=row["chat_id"],
        requested_by=row["requested_by"],
        status=SendStatus(row["status"]),
        error=row["error"],
        confirmation_chat_id=row["confirmation_chat_id"],
        confirmation_message_id=row["confirmation_message_id"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        recipient_count=row["recipient_count"],
        confirmation_version=row["confirmation_version"],
    )


def _recipient(row: aiosqlite.Row) -> SendRecipient:
    return SendRecipient(
        id=row["id"],
        send_id=row["send_id"],
        recipient=row["recipient"],
        state=DeliveryState(row["state"]),
        raw_code=row["raw_code"],
        provider_message_id=row["provider_message_id"],
        provider_group_id=row["provider_group_id"],
        polls=row["polls"],
        next_poll_at=_opt_time(row["next_poll_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


def _refused(row: aiosqlite.Row) -> RefusedChat:
    return RefusedChat(
        chat_id=int(row["chat_id"]),
        reason=row["reason"],
        refusals=int(row["refusals"]),
        first_refused_at=from_db_time(row["first_refused_at"]),
        refused_at=from_db_time(row["refused_at"]),
        retry_at=from_db_time(row["retry_at"]),
    )


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


def _sent_entry(row: aiosqlite.Row, counts: tuple[tuple[DeliveryState, int], ...]) -> HistoryEntry:
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


def _received_entry(row: aiosqlite.Row) -> HistoryEntry:
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
