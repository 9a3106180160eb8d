"""The webhook outbox (`WebhookOutbox`): events stored with what they tell of, claimed for
sending (`FOR UPDATE SKIP LOCKED`: each due event goes to one replica), marked delivered or
retried later.

`queue_events` is called by the inbox and send stores inside their own transactions, so an
event exists exactly when its incoming SMS or state change does. Bodies carry times in the
same fixed-width UTC text as on SQLite, so a receiver sees the same bytes from either backend."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.errors import NotFoundError
from storage.models import IncomingMessage, WebhookBacklog, WebhookEvent, WebhookEventType
from storage.postgres.core import PgBase, PgConn, Row, _all, _opt_time, from_db_time, to_db_time

_WIRE_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def wire_time(moment: datetime) -> str:
    """A time as webhook bodies carry it: fixed-width UTC text (as SQLite stores it)."""
    return to_db_time(moment).astimezone(UTC).strftime(_WIRE_TIME)


def event_body(
    event_id: str, kind: WebhookEventType, created_at: datetime, data: Mapping[str, Any]
) -> str:
    """The JSON the receiver gets: `{"event_id", "type", "created_at", "data"}`."""
    return json.dumps(
        {
            "event_id": event_id,
            "type": kind.value,
            "created_at": wire_time(created_at),
            "data": data,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


async def queue_events(
    conn: PgConn,
    now: datetime,
    events: Sequence[tuple[WebhookEventType, Mapping[str, Any]]],
) -> list[Row]:
    """Store events inside the caller's transaction, due at once; the stored rows."""
    rows: list[Row] = []
    for kind, data in events:
        event_id = f"evt_{uuid.uuid4().hex}"
        rows += await _all(
            conn,
            "INSERT INTO webhook_events (event_id, type, body, created_at, next_attempt_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING *",
            (event_id, kind.value, event_body(event_id, kind, now, data), now, now),
        )
    return rows


def received_event(message: IncomingMessage) -> tuple[WebhookEventType, dict[str, Any]]:
    """The `sms.received` event of a newly stored incoming SMS."""
    return WebhookEventType.RECEIVED, {
        "id": message.id,
        "account": message.account,
        "line": message.line,
        "from": message.sender,
        "text": message.body,
        "received_at": wire_time(message.received_at),
    }


def status_events(
    send: Row, changes: Sequence[tuple[int, str, str, str]], now: datetime
) -> list[tuple[WebhookEventType, dict[str, Any]]]:
    """The `sms.status` events of a send's recipients that changed state: `changes` holds
    (recipient id, number, previous state, new state)."""
    return [
        (
            WebhookEventType.STATUS,
            status_data(
                send_id=int(send["id"]),
                account=str(send["account"]),
                recipient_id=recipient_id,
                recipient=recipient,
                previous=previous,
                state=state,
                now=now,
            ),
        )
        for recipient_id, recipient, previous, state in changes
        if previous != state
    ]


def status_data(
    *,
    send_id: int,
    account: str,
    recipient_id: int,
    recipient: str,
    previous: str,
    state: str,
    now: datetime,
) -> dict[str, Any]:
    """The `data` of an `sms.status` event."""
    return {
        "message_id": send_id,
        "account": account,
        "recipient_id": recipient_id,
        "to": recipient,
        "previous_state": previous,
        "state": state,
        "updated_at": wire_time(now),
    }


class PgWebhooks(PgBase):
    """PostgreSQL: the webhook outbox."""

    async def set_webhook_events(self, enabled: bool) -> None:
        """From now on, every new incoming SMS and recipient state change also stores its
        webhook event, in the same transaction (off: none is stored). Per process: each
        replica is told at its start, from the same config."""
        self._webhook_events = enabled

    async def add_webhook_event(
        self, kind: WebhookEventType, data: Mapping[str, Any]
    ) -> WebhookEvent:
        """Store one event (due at once) and return it."""
        now = self._now()
        async with self._transaction() as conn:
            rows = await queue_events(conn, now, [(kind, data)])
        return _event(rows[0])

    async def claim_webhook_events(
        self, now: datetime, *, limit: int, lease_seconds: float
    ) -> list[WebhookEvent]:
        """Undelivered events due by `now`, oldest first, each claimed for `lease_seconds`
        (not handed out again before, unless marked) with one more attempt counted. Rows
        another replica is claiming are skipped, not waited for."""
        until = to_db_time(now + timedelta(seconds=lease_seconds))
        async with self._pool.acquire() as raw, raw.transaction():
            conn = PgConn(raw)
            claimed = await _all(
                conn,
                "UPDATE webhook_events SET attempts = attempts + 1, next_attempt_at = ?"
                " WHERE id IN (SELECT id FROM webhook_events WHERE delivered_at IS NULL"
                " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"
                " FOR UPDATE SKIP LOCKED) RETURNING *",
                (until, to_db_time(now), limit),
            )
        return sorted((_event(r) for r in claimed), key=lambda e: e.id)

    async def mark_webhook_delivered(self, event_ids: Sequence[int]) -> None:
        """The receiver answered 2xx to these events: never sent again."""
        if not event_ids:
            return
        await self._change(
            "UPDATE webhook_events SET delivered_at = coalesce(delivered_at, ?),"
            " next_attempt_at = NULL, last_error = NULL WHERE id = ANY(?::bigint[])",
            (self._now(), list(event_ids)),
        )

    async def record_webhook_failure(
        self, event_id: int, *, error: str, retry_at: datetime
    ) -> None:
        """The attempt failed: retried at `retry_at` (an event delivered meanwhile stays so)."""
        changed = await self._change(
            "UPDATE webhook_events SET last_error = ?, next_attempt_at = ?"
            " WHERE id = ? AND delivered_at IS NULL",
            (error, to_db_time(retry_at), event_id),
        )
        if changed == 0:
            row = await self._fetchone("SELECT id FROM webhook_events WHERE id = ?", (event_id,))
            if row is None:
                raise NotFoundError(f"webhook event {event_id} does not exist")

    async def webhook_backlog(self) -> WebhookBacklog:
        """How many events wait, the oldest's creation, and the oldest tried one's."""
        row = await self._fetchone(
            "SELECT count(*) AS n, min(created_at) AS oldest,"
            " min(CASE WHEN attempts > 0 THEN created_at END) AS oldest_failed"
            " FROM webhook_events WHERE delivered_at IS NULL"
        )
        assert row is not None
        return WebhookBacklog(
            pending=int(row["n"]),
            oldest_created_at=_opt_time(row["oldest"]),
            oldest_attempted_at=_opt_time(row["oldest_failed"]),
        )

    async def get_webhook_event(self, event_id: str) -> WebhookEvent | None:
        """One event by its `event_id`."""
        row = await self._fetchone("SELECT * FROM webhook_events WHERE event_id = ?", (event_id,))
        return None if row is None else _event(row)


def _event(row: Row) -> WebhookEvent:
    return WebhookEvent(
        id=int(row["id"]),
        event_id=row["event_id"],
        type=WebhookEventType(row["type"]),
        body=row["body"],
        created_at=from_db_time(row["created_at"]),
        attempts=int(row["attempts"]),
        delivered_at=_opt_time(row["delivered_at"]),
        last_error=row["last_error"],
    )
