"""Sends and their recipients, from before the provider is called to its answer (`SendStore`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from providers.base import DeliveryState, Receipt
from storage.errors import NotFoundError, StorageError
from storage.models import NewSend, Send, SendRecipient, SendStatus
from storage.postgres.core import (
    PgBase,
    PgConn,
    Row,
    _all,
    _link,
    _nonempty,
    _one,
    _opt_time,
    from_db_time,
    to_db_time,
)
from storage.postgres.leases import REPLICA_NAMESPACE
from storage.postgres.webhooks import queue_events, status_events

log = logging.getLogger(__name__)

_INTERRUPTED = "interrupted before the provider's answer was stored"

_BUMP_CONFIRMATION = (
    "confirmation_version = confirmation_version"
    " + (confirmation_message_id IS NOT NULL)::int"  # only a shown confirmation can go stale
)


class PgSends(PgBase):
    """PostgreSQL: sends and their recipients."""

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
                " status, recipient_count, created_at, updated_at, owner)"
                " VALUES (?, ?, ?, ?, ?, ?, 'submitting', ?, ?, ?, ?) RETURNING *",
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
                    self._replica_id,
                ),
            )
            assert row is not None  # INSERT … RETURNING always returns the row
            await conn.executemany(
                "INSERT INTO send_recipients (send_id, account, recipient, state, updated_at)"
                " VALUES (?, ?, ?, 'queued', ?)",
                [(row["id"], account, recipient, now) for recipient in recipients],
            )
        return _send(row), True

    async def switch_send_account(
        self, send_id: int, *, account: str, line: str, reason: str
    ) -> Send:
        """Failover: a send still submitting, whose account surely sent nothing, now goes from
        `line` of `account`; its first account and `reason` are kept. Once per send."""
        now = self._now()
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "UPDATE sends SET failover_from = account, failover_reason = ?, account = ?,"
                " line = ?, updated_at = ? WHERE id = ? AND status = 'submitting'"
                " AND failover_from IS NULL RETURNING *",
                (_nonempty(reason, "reason"), _nonempty(account, "account"), line, now, send_id),
            )
            if row is None:
                exists = await _one(conn, "SELECT status FROM sends WHERE id = ?", (send_id,))
                if exists is None:
                    raise NotFoundError(f"send {send_id} does not exist")
                raise StorageError(
                    f"send {send_id} cannot move to another account: it is {exists['status']}"
                    " or has moved once already"
                )
            await conn.execute(
                "UPDATE send_recipients SET account = ?, updated_at = ? WHERE send_id = ?",
                (account, now, send_id),
            )
        return _send(row)

    async def create_sends(self, sends: Sequence[NewSend]) -> list[tuple[Send, bool]]:
        """`create_send` for many sends in ONE transaction (the HTTP API commits concurrent
        requests together), answers in the order given; a key seen before, or earlier in
        the same batch, answers that send and False."""
        for new in sends:
            _nonempty(new.idempotency_key, "idempotency_key")
            if not new.recipients:
                raise ValueError("a send needs at least one recipient")
            if len(set(new.recipients)) != len(new.recipients):
                raise ValueError("a send's recipients must be distinct")
        if not sends:
            return []
        now = self._now()
        keys = list(dict.fromkeys(s.idempotency_key for s in sends))
        stored: dict[str, Send] = {}
        async with self._transaction() as conn:
            for row in await _all(
                conn, "SELECT * FROM sends WHERE idempotency_key = ANY(?::text[])", (keys,)
            ):
                stored[row["idempotency_key"]] = _send(row)
            first: dict[str, NewSend] = {}
            for new in sends:
                if new.idempotency_key not in stored:
                    first.setdefault(new.idempotency_key, new)
            fresh = list(first.values())
            created: dict[str, Send] = {}
            if fresh:
                # One INSERT of arrays (unnest); RETURNING gives the rows in no promised
                # order: matched by their keys.
                for row in await _all(
                    conn,
                    "INSERT INTO sends (idempotency_key, account, line, text, chat_id,"
                    " requested_by, status, recipient_count, created_at, updated_at, owner)"
                    " SELECT k, a, l, t, c, r, 'submitting', n, ?, ?, ?::bigint FROM unnest("
                    "?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],"
                    " ?::int[]) AS u(k, a, l, t, c, r, n) RETURNING *",
                    (
                        now,
                        now,
                        self._replica_id,
                        [new.idempotency_key for new in fresh],
                        [new.account for new in fresh],
                        [new.line for new in fresh],
                        [new.text for new in fresh],
                        [new.chat_id for new in fresh],
                        [new.requested_by for new in fresh],
                        [len(new.recipients) for new in fresh],
                    ),
                ):
                    created[row["idempotency_key"]] = _send(row)
            await conn.executemany(
                "INSERT INTO send_recipients (send_id, account, recipient, state, updated_at)"
                " VALUES (?, ?, ?, 'queued', ?)",
                [
                    (created[new.idempotency_key].id, new.account, recipient, now)
                    for new in fresh
                    for recipient in new.recipients
                ],
            )
        answers: list[tuple[Send, bool]] = []
        for new in sends:
            key = new.idempotency_key
            if key in created and first.get(key) is new:
                answers.append((created[key], True))
            else:
                answers.append((stored.get(key) or created[key], False))
        return answers

    async def record_send_result(
        self, send_id: int, receipts: Sequence[Receipt], *, next_poll_at: datetime
    ) -> Send:
        """The provider took the send: status submitted; each recipient gets its ids and state
        sent, or unknown if its receipt cannot be tracked (or is missing). Returns the send as
        stored now."""
        async with self._transaction() as conn:
            row = await _store_submitted(
                conn, self._now(), send_id, receipts, next_poll_at, events=self._webhook_events
            )
        return _send(row)

    async def record_send_results(
        self, results: Sequence[tuple[int, Sequence[Receipt], datetime]]
    ) -> list[Send]:
        """`record_send_result` for many sends, each (send id, receipts, next poll), in ONE
        transaction (the HTTP API records concurrent answers together); all or none."""
        ids = [send_id for send_id, _, _ in results]
        if len(set(ids)) != len(ids):
            raise ValueError("a send's result is given twice")
        async with self._transaction() as conn:
            now = self._now()
            rows = [
                await _store_submitted(
                    conn, now, send_id, receipts, next_poll_at, events=self._webhook_events
                )
                for send_id, receipts, next_poll_at in results
            ]
        return [_send(row) for row in rows]

    async def record_send_failure(
        self,
        send_id: int,
        *,
        error: str,
        receipts: Sequence[Receipt] = (),
        unknown_recipients: Sequence[str] = (),
        next_poll_at: datetime | None = None,
    ) -> Send:
        """The provider call failed: recipients in `receipts` went, those in
        `unknown_recipients` may have gone, the rest failed. Returns the send as stored now."""
        poll_at = None if next_poll_at is None else to_db_time(next_poll_at)
        async with self._transaction() as conn:
            rows = await _recipients_awaiting_outcome(conn, send_id)
            by_recipient = _receipts_by_recipient(send_id, receipts, rows)
            known = {r["recipient"] for r in rows}
            unknown = {u for u in unknown_recipients if u not in by_recipient}
            strangers = unknown - known
            if strangers:
                raise ValueError(f"send {send_id} has no recipient {sorted(strangers)[0]}")
            now = self._now()
            changes = await _apply_outcome(conn, now, rows, by_recipient, unknown, poll_at)
            if by_recipient:
                status = SendStatus.PARTIAL
            elif unknown:
                status = SendStatus.UNKNOWN
            else:
                status = SendStatus.FAILED
            row = await _one(
                conn,
                f"UPDATE sends SET status = ?, error = ?, updated_at = ?, {_BUMP_CONFIRMATION}"
                " WHERE id = ? RETURNING *",
                (status.value, error, now, send_id),
            )
            if row is not None and self._webhook_events:
                await queue_events(conn, now, status_events(row, changes, now))
        if row is None:
            raise NotFoundError(f"send {send_id} does not exist")
        return _send(row)

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
            (send_id, limit),
        )
        return [_recipient(r) for r in rows]

    async def recipient_state_counts(self, send_id: int) -> dict[DeliveryState, int]:
        """How many of a send's recipients are in each state (cheap for bulk sends)."""
        rows = await self._fetchall(
            "SELECT state, n FROM send_state_counts WHERE send_id = ? AND n > 0 ORDER BY state",
            (send_id,),
        )
        return {DeliveryState(r["state"]): int(r["n"]) for r in rows}

    async def mark_in_flight_unknown(self) -> list[Send]:
        """Sends still `submitting` whose process died while calling the provider become
        unknown, their queued recipients too; returns them. Never resends.

        On PostgreSQL a send in flight on a replica that is alive (it holds its replica lock)
        is left alone: this runs at every start and every few seconds, on any replica."""
        now = self._now()
        async with self._transaction() as conn:
            ids = [
                int(r["id"])
                for r in await _all(
                    conn,
                    "SELECT s.id FROM sends s WHERE s.status = 'submitting'"
                    " AND (s.owner IS NULL OR (s.owner IS DISTINCT FROM ? AND NOT EXISTS ("
                    "  SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
                    "  AND l.classid = ? AND l.objid = s.owner AND l.objsubid = 2)))"
                    " ORDER BY s.id",
                    (self._replica_id, REPLICA_NAMESPACE),
                )
            ]
            if not ids:
                return []
            marks = ",".join("?" * len(ids))
            queued = await _all(
                conn,
                "SELECT id, send_id, recipient FROM send_recipients"
                f" WHERE state = 'queued' AND send_id IN ({marks}) ORDER BY id",
                ids,
            )
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
            if self._webhook_events:
                for send in rows:
                    changes = [
                        (int(q["id"]), str(q["recipient"]), "queued", "unknown")
                        for q in queued
                        if q["send_id"] == send["id"]
                    ]
                    await queue_events(conn, now, status_events(send, changes, now))
        for row in rows:
            log.warning("send %s was interrupted while submitting; marked unknown", row["id"])
        return [_send(r) for r in rows]


async def _recipients_awaiting_outcome(conn: PgConn, send_id: int) -> list[Row]:
    """The recipients of a send whose provider answer is not stored yet (else an error)."""
    rows = await _all(
        conn,
        "SELECT s.status, r.id, r.recipient, r.state FROM sends s"
        " LEFT JOIN send_recipients r ON r.send_id = s.id WHERE s.id = ?",
        (send_id,),
    )
    if not rows:
        raise NotFoundError(f"send {send_id} does not exist")
    status = rows[0]["status"]
    if status not in (SendStatus.SUBMITTING, SendStatus.UNKNOWN):
        raise StorageError(f"send {send_id} is already {status}; its result was stored before")
    return [r for r in rows if r["id"] is not None]


async def _store_submitted(
    conn: PgConn,
    now: datetime,
    send_id: int,
    receipts: Sequence[Receipt],
    next_poll_at: datetime,
    *,
    events: bool,
) -> Row:
    """`record_send_result` inside the caller's transaction (a campaign chunk's answer is
    stored in the one that closes the chunk); returns the send's row as stored now."""
    rows = await _recipients_awaiting_outcome(conn, send_id)
    by_recipient = _receipts_by_recipient(send_id, receipts, rows)
    missing = _missing_receipts(send_id, rows, by_recipient)
    poll_at = to_db_time(next_poll_at)
    changes = await _apply_outcome(conn, now, rows, by_recipient, missing, poll_at)
    row = await _one(
        conn,
        f"UPDATE sends SET status = 'submitted', updated_at = ?, {_BUMP_CONFIRMATION}"
        " WHERE id = ? RETURNING *",
        (now, send_id),
    )
    if row is None:
        raise NotFoundError(f"send {send_id} does not exist")
    if events:
        await queue_events(conn, now, status_events(row, changes, now))
    return row


def _missing_receipts(
    send_id: int, rows: Sequence[Row], by_recipient: dict[str, Receipt]
) -> set[str]:
    """The recipients the provider's answer gave no receipt for (logged: they become unknown)."""
    missing = {r["recipient"] for r in rows if r["recipient"] not in by_recipient}
    if missing:
        log.warning(
            "send %s: the provider gave no receipt for %d recipients; marked unknown",
            send_id,
            len(missing),
        )
    return missing


def _receipts_by_recipient(
    send_id: int, receipts: Sequence[Receipt], rows: Sequence[Row]
) -> dict[str, Receipt]:
    known = {r["recipient"] for r in rows}
    by_recipient: dict[str, Receipt] = {}
    for receipt in receipts:
        if receipt.recipient not in known:
            raise ValueError(f"send {send_id} has no recipient {receipt.recipient}")
        by_recipient[receipt.recipient] = receipt
    return by_recipient


async def _apply_outcome(
    conn: PgConn,
    now: datetime,
    rows: Sequence[Row],
    receipts: dict[str, Receipt],
    unknown: set[str],
    poll_at: datetime | None,
) -> list[tuple[int, str, str, str]]:
    """Set each not-yet-reported recipient of a send to what the provider call told us;
    returns (recipient id, number, previous state, new state) of each one set."""
    updates: list[tuple[DeliveryState, str | None, str | None, datetime | None, datetime, int]] = []
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
    if updates:
        # One statement for the whole send, its rows as arrays (bench/campaign_send.py).
        await conn.execute(
            "UPDATE send_recipients r SET state = u.state, provider_message_id = u.message_id,"
            " provider_group_id = u.group_id, next_poll_at = u.poll_at, updated_at = ?"
            " FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::bigint[])"
            " AS u (state, message_id, group_id, poll_at, id) WHERE r.id = u.id",
            (
                now,
                [str(u[0]) for u in updates],
                [u[1] for u in updates],
                [u[2] for u in updates],
                [u[3] for u in updates],
                [u[5] for u in updates],
            ),
        )
    by_id = {int(r["id"]): r for r in rows}
    return [
        (u[5], str(by_id[u[5]]["recipient"]), str(by_id[u[5]]["state"]), str(u[0])) for u in updates
    ]


def _send(row: Row) -> Send:
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
        failover_from=row["failover_from"],
        failover_reason=row["failover_reason"],
    )


def _recipient(row: Row) -> SendRecipient:
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
