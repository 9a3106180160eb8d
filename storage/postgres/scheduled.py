"""Sends asked for later (`ScheduleStore`): claimed once when due (`FOR UPDATE SKIP LOCKED`,
so two replicas polling together split the due rows, never share one), final once done."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from storage.errors import NotFoundError
from storage.models import ScheduledSend, ScheduleState
from storage.postgres.core import (
    PgBase,
    PgConn,
    Row,
    _all,
    _nonempty,
    _one,
    _opt_time,
    from_db_time,
    to_db_time,
)

_FINAL_BY_WORKER = (ScheduleState.SENT, ScheduleState.FAILED)


def _scheduled(row: Row) -> ScheduledSend:
    return ScheduledSend(
        id=int(row["id"]),
        idempotency_key=str(row["idempotency_key"]),
        chat_id=int(row["chat_id"]),
        requested_by=int(row["requested_by"]),
        account=str(row["account"]),
        line=str(row["line"]),
        recipients=tuple(str(n) for n in json.loads(row["recipients"])),
        text=str(row["text"]),
        campaign_id=None if row["campaign_id"] is None else int(row["campaign_id"]),
        due_at=from_db_time(row["due_at"]),
        state=ScheduleState(row["state"]),
        claimed_at=_opt_time(row["claimed_at"]),
        send_id=None if row["send_id"] is None else int(row["send_id"]),
        error=row["error"],
        cancelled_by=None if row["cancelled_by"] is None else int(row["cancelled_by"]),
        reported_at=_opt_time(row["reported_at"]),
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


def _soonest_first(rows: Sequence[Row]) -> list[ScheduledSend]:
    return sorted((_scheduled(r) for r in rows), key=lambda s: (s.due_at, s.id))


class PgScheduled(PgBase):
    """PostgreSQL: scheduled sends."""

    async def create_scheduled(
        self,
        *,
        idempotency_key: str,
        chat_id: int,
        requested_by: int,
        account: str,
        line: str,
        recipients: Sequence[str],
        text: str,
        due_at: datetime,
        campaign_id: int | None = None,
    ) -> tuple[ScheduledSend, bool]:
        """Store a pending scheduled send; with a key seen before, return that one and False,
        writing nothing."""
        if not recipients and campaign_id is None:
            raise ValueError("a scheduled send needs recipients (or a campaign)")
        now = self._now()
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "INSERT INTO scheduled_sends (idempotency_key, chat_id, requested_by, account,"
                " line, recipients, text, campaign_id, due_at, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)"
                " ON CONFLICT (idempotency_key) DO NOTHING RETURNING *",
                (
                    _nonempty(idempotency_key, "idempotency_key"),
                    chat_id,
                    requested_by,
                    _nonempty(account, "account"),
                    _nonempty(line, "line"),
                    json.dumps(list(recipients)),
                    text,
                    campaign_id,
                    to_db_time(due_at),
                    now,
                    now,
                ),
            )
            if row is not None:
                return _scheduled(row), True
            existing = await _one(
                conn,
                "SELECT * FROM scheduled_sends WHERE idempotency_key = ?",
                (idempotency_key,),
            )
            assert existing is not None  # the conflict was on this key
            return _scheduled(existing), False

    async def get_scheduled(self, schedule_id: int) -> ScheduledSend | None:
        """One scheduled send by id."""
        row = await self._fetchone("SELECT * FROM scheduled_sends WHERE id = ?", (schedule_id,))
        return None if row is None else _scheduled(row)

    async def pending_scheduled(
        self, chat_id: int | None = None, limit: int = 50
    ) -> list[ScheduledSend]:
        """Pending scheduled sends (of one chat, or all), soonest first."""
        if chat_id is None:
            rows = await self._fetchall(
                "SELECT * FROM scheduled_sends WHERE state = 'pending' ORDER BY due_at, id LIMIT ?",
                (limit,),
            )
        else:
            rows = await self._fetchall(
                "SELECT * FROM scheduled_sends WHERE state = 'pending' AND chat_id = ?"
                " ORDER BY due_at, id LIMIT ?",
                (chat_id, limit),
            )
        return [_scheduled(r) for r in rows]

    async def cancel_scheduled(
        self, schedule_id: int, cancelled_by: int
    ) -> tuple[ScheduledSend, bool]:
        """Cancel a pending send nobody has claimed yet (final, and counted as reported);
        False (and the row as it is) if it is claimed or final already."""
        now = self._now()
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "UPDATE scheduled_sends SET state = 'cancelled', cancelled_by = ?,"
                " reported_at = ?, updated_at = ?"
                " WHERE id = ? AND state = 'pending' AND claimed_at IS NULL RETURNING *",
                (cancelled_by, now, now, schedule_id),
            )
            if row is not None:
                return _scheduled(row), True
            existing = await _one(
                conn, "SELECT * FROM scheduled_sends WHERE id = ?", (schedule_id,)
            )
            if existing is None:
                raise NotFoundError(f"no scheduled send {schedule_id}")
            return _scheduled(existing), False

    async def mark_missed_scheduled(self, due_before: datetime) -> list[ScheduledSend]:
        """Pending sends never claimed and due before `due_before` become missed; returns
        them."""
        now = self._now()
        async with self._transaction() as conn:
            rows = await _all(
                conn,
                "UPDATE scheduled_sends SET state = 'missed', updated_at = ?"
                " WHERE state = 'pending' AND claimed_at IS NULL AND due_at < ? RETURNING *",
                (now, to_db_time(due_before)),
            )
        return _soonest_first(rows)

    async def claim_due_scheduled(
        self, now: datetime, *, reclaim_before: datetime, limit: int = 50
    ) -> list[ScheduledSend]:
        """Claim pending sends due by `now` that nobody claimed (or whose claim was taken
        before `reclaim_before`); soonest first, as claimed now. One statement: the rows are
        locked as they are picked, and rows another replica is claiming are skipped."""
        # The claim is stamped with the caller's `now`, the clock `reclaim_before` is read on.
        stamp = to_db_time(now)
        async with self._pool.acquire() as raw, raw.transaction():
            rows = await _all(
                PgConn(raw),
                "UPDATE scheduled_sends SET claimed_at = ?, updated_at = ?"
                " WHERE id IN (SELECT id FROM scheduled_sends WHERE state = 'pending'"
                " AND due_at <= ? AND (claimed_at IS NULL OR claimed_at < ?)"
                " ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING *",
                (stamp, stamp, stamp, to_db_time(reclaim_before), limit),
            )
        return _soonest_first(rows)

    async def finish_scheduled(
        self,
        schedule_id: int,
        state: ScheduleState,
        *,
        send_id: int | None = None,
        error: str | None = None,
    ) -> ScheduledSend:
        """A claimed send is done: `state` sent or failed (final). A row already final is
        returned as it is."""
        if state not in _FINAL_BY_WORKER:
            raise ValueError(f"a scheduled send is finished as sent or failed, not {state}")
        now = self._now()
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "UPDATE scheduled_sends SET state = ?, send_id = ?, error = ?, updated_at = ?"
                " WHERE id = ? AND state = 'pending' RETURNING *",
                (state.value, send_id, error, now, schedule_id),
            )
            if row is None:
                row = await _one(conn, "SELECT * FROM scheduled_sends WHERE id = ?", (schedule_id,))
                if row is None:
                    raise NotFoundError(f"no scheduled send {schedule_id}")
            return _scheduled(row)

    async def unreported_scheduled(self, limit: int = 50) -> list[ScheduledSend]:
        """Final scheduled sends whose chat has not been told yet, oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM scheduled_sends WHERE state <> 'pending' AND reported_at IS NULL"
            " ORDER BY id LIMIT ?",
            (limit,),
        )
        return [_scheduled(r) for r in rows]

    async def mark_scheduled_reported(self, schedule_id: int) -> None:
        """The chat was told what became of this scheduled send."""
        await self._change(
            "UPDATE scheduled_sends SET reported_at = ? WHERE id = ? AND reported_at IS NULL",
            (self._now(), schedule_id),
        )
