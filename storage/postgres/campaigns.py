"""Campaigns, their recipients and chunks (`CampaignStore`), and per-account usage (`UsageStore`).

A chunk about to be sent becomes a row of `sends` (owned by this replica) in the same
transaction that claims it with `UPDATE … WHERE state = 'pending' RETURNING`: of two replicas
starting the same chunk one gets it, the other None. Usage is reserved with one
`INSERT … ON CONFLICT DO UPDATE … WHERE n + count <= limit` per bucket (the row lock it takes
serialises reservers of the same bucket on every replica), all buckets in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from providers.base import DeliveryState, Receipt
from storage.errors import NotFoundError
from storage.models import (
    Campaign,
    CampaignProgress,
    CampaignRecipientInput,
    CampaignReportRow,
    CampaignStatus,
    ChunkState,
    RecoveredCampaign,
    SendStatus,
    StartedChunk,
)
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
from storage.postgres.leases import REPLICA_NAMESPACE
from storage.postgres.sends import _send, _store_submitted

log = logging.getLogger(__name__)

_CHUNK_OF_SEND = {
    SendStatus.SUBMITTED: ChunkState.SENT,
    SendStatus.PARTIAL: ChunkState.SENT,
    SendStatus.FAILED: ChunkState.FAILED,
    SendStatus.UNKNOWN: ChunkState.UNKNOWN,
}
_INTERRUPTED = "interrupted before the provider's answer was stored"


class PgCampaigns(PgBase):
    """PostgreSQL: campaigns, their recipients and chunks."""

    async def create_campaign(
        self,
        *,
        idempotency_key: str,
        account: str,
        line: str,
        chat_id: int,
        requested_by: int,
        file_name: str,
        template: str | None,
        recipients: Sequence[CampaignRecipientInput],
    ) -> tuple[Campaign, bool]:
        """Store a campaign whole (status draft), its recipients with their texts, and its
        chunks; with a key seen before, return that campaign and False, writing nothing."""
        sizes: dict[int, int] = {}
        for r in recipients:
            if r.chunk is not None:
                sizes[r.chunk] = sizes.get(r.chunk, 0) + 1
        if not sizes:
            raise ValueError("a campaign needs at least one recipient to send to")
        if sorted(sizes) != list(range(len(sizes))):
            raise ValueError("a campaign's chunks must be numbered 0, 1, … without gaps")
        now = self._now()
        async with self._transaction() as conn:
            existing = await _one(
                conn, "SELECT * FROM campaigns WHERE idempotency_key = ?", (idempotency_key,)
            )
            if existing is not None:
                return _campaign(existing), False
            row = await _one(
                conn,
                "INSERT INTO campaigns (idempotency_key, account, line, chat_id, requested_by,"
                " file_name, template, status, recipient_count, chunk_count, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING *",
                (
                    _nonempty(idempotency_key, "idempotency_key"),
                    account,
                    line,
                    chat_id,
                    requested_by,
                    file_name,
                    template,
                    len(recipients),
                    len(sizes),
                    now,
                    now,
                ),
            )
            assert row is not None
            campaign_id = row["id"]
            await conn.executemany(
                "INSERT INTO campaign_recipients (campaign_id, row_number, recipient, text, parts,"
                " chunk, skip_reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        campaign_id,
                        r.row_number,
                        r.recipient,
                        r.text,
                        r.parts,
                        r.chunk,
                        r.skip_reason,
                    )
                    for r in recipients
                ],
            )
            await conn.executemany(
                "INSERT INTO campaign_chunks (campaign_id, chunk, size, state, updated_at)"
                " VALUES (?, ?, ?, 'pending', ?)",
                [(campaign_id, chunk, size, now) for chunk, size in sorted(sizes.items())],
            )
        return _campaign(row), True

    async def get_campaign(self, campaign_id: int) -> Campaign | None:
        """One campaign by id."""
        row = await self._fetchone("SELECT * FROM campaigns WHERE id = ?", (campaign_id,))
        return None if row is None else _campaign(row)

    async def change_campaign_status(
        self,
        campaign_id: int,
        status: CampaignStatus,
        *,
        expect: Sequence[CampaignStatus],
        pause_reason: str | None = None,
        not_before: datetime | None = None,
    ) -> Campaign | None:
        """Move a campaign to `status` if it is in one of `expect` (else None, nothing
        changed); a move clears its wait. `not_before` holds a start until then."""
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "UPDATE campaigns SET status = ?, pause_reason = ?, wait_reason = NULL,"
                " wait_until = NULL, not_before = coalesce(?, not_before), updated_at = ?"
                " WHERE id = ? AND status = ANY(?::text[]) RETURNING *",
                (
                    status.value,
                    pause_reason,
                    None if not_before is None else to_db_time(not_before),
                    self._now(),
                    campaign_id,
                    [s.value for s in expect],
                ),
            )
        if row is None and await self.get_campaign(campaign_id) is None:
            raise NotFoundError(f"campaign {campaign_id} does not exist")
        return None if row is None else _campaign(row)

    async def set_campaign_wait(
        self, campaign_id: int, reason: str | None, until: datetime | None
    ) -> None:
        """Say why a running campaign is not sending now, and until when (None: it is)."""
        at = None if until is None else to_db_time(until)
        await self._change(
            "UPDATE campaigns SET wait_reason = ?::text, wait_until = ?::timestamptz,"
            " updated_at = ? WHERE id = ?"
            " AND (wait_reason IS DISTINCT FROM ?::text OR wait_until IS DISTINCT FROM"
            " ?::timestamptz)",
            (reason, at, self._now(), campaign_id, reason, at),
        )

    async def runnable_campaigns(self, now: datetime) -> list[Campaign]:
        """Running campaigns whose start time (if any) has come, oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM campaigns WHERE status = 'running'"
            " AND (not_before IS NULL OR not_before <= ?) ORDER BY id",
            (to_db_time(now),),
        )
        return [_campaign(r) for r in rows]

    async def campaigns_to_show(self) -> list[Campaign]:
        """Campaigns whose progress message may need an edit: running, paused, or finished
        without their summary yet."""
        rows = await self._fetchall(
            "SELECT * FROM campaigns WHERE progress_message_id IS NOT NULL AND"
            " (status IN ('running', 'paused') OR"
            " (status IN ('done', 'cancelled') AND NOT summary_sent)) ORDER BY id"
        )
        return [_campaign(r) for r in rows]

    async def pending_chunks(self, campaign_id: int, limit: int) -> list[tuple[int, int]]:
        """The first `limit` chunks not sent yet, in order, each (chunk, recipients in it)."""
        rows = await self._fetchall(
            "SELECT chunk, size FROM campaign_chunks WHERE campaign_id = ? AND state = 'pending'"
            " ORDER BY chunk LIMIT ?",
            (campaign_id, limit),
        )
        return [(int(r["chunk"]), int(r["size"])) for r in rows]

    async def start_chunk(self, campaign_id: int, chunk: int) -> StartedChunk | None:
        """Mark a pending chunk of a running campaign in flight, storing it as a send
        (submitting, owned by this replica) with its recipients (queued), in one transaction;
        None (nothing written) if the campaign is not running or the chunk not pending (or
        another replica claimed it first)."""
        now = self._now()
        async with self._transaction() as conn:
            claimed = await _one(
                conn,
                "UPDATE campaign_chunks c SET state = 'in_flight', attempts = c.attempts + 1,"
                " updated_at = ? FROM campaigns k WHERE c.campaign_id = ? AND c.chunk = ?"
                " AND c.state = 'pending' AND k.id = c.campaign_id AND k.status = 'running'"
                " RETURNING c.attempts, k.account, k.line, k.chat_id, k.requested_by,"
                " k.template",
                (now, campaign_id, chunk),
            )
            if claimed is None:
                await _require_chunk(conn, campaign_id, chunk)
                return None
            rows = await _all(
                conn,
                "SELECT recipient, text FROM campaign_recipients WHERE campaign_id = ?"
                " AND chunk = ? ORDER BY id",
                (campaign_id, chunk),
            )
            messages = tuple((str(r["recipient"]), str(r["text"])) for r in rows)
            texts = {text for _, text in messages}
            text = next(iter(texts)) if len(texts) == 1 else (claimed["template"] or "")
            attempt = int(claimed["attempts"])
            send = await _one(
                conn,
                "INSERT INTO sends (idempotency_key, account, line, text, chat_id, requested_by,"
                " status, recipient_count, created_at, updated_at, owner)"
                " VALUES (?, ?, ?, ?, ?, ?, 'submitting', ?, ?, ?, ?) RETURNING *",
                (
                    f"campaign:{campaign_id}:{chunk}:{attempt}",
                    claimed["account"],
                    claimed["line"],
                    text,
                    claimed["chat_id"],
                    claimed["requested_by"],
                    len(messages),
                    now,
                    now,
                    self._replica_id,
                ),
            )
            assert send is not None
            # Copied inside the database, not sent row by row (bench/campaign_send.py).
            await conn.execute(
                "INSERT INTO send_recipients (send_id, account, recipient, state, updated_at)"
                " SELECT ?, ?, recipient, 'queued', ? FROM campaign_recipients"
                " WHERE campaign_id = ? AND chunk = ? ORDER BY id",
                (send["id"], claimed["account"], now, campaign_id, chunk),
            )
            await conn.execute(
                "UPDATE campaign_chunks SET send_id = ? WHERE campaign_id = ? AND chunk = ?",
                (send["id"], campaign_id, chunk),
            )
        return StartedChunk(campaign_id, chunk, _send(send), messages)

    async def finish_chunk(self, campaign_id: int, chunk: int) -> Campaign:
        """The chunk's send has its outcome stored: the chunk takes it (sent, failed or
        unknown); the campaign is done when no chunk is left to send."""
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "SELECT s.status FROM campaign_chunks c JOIN sends s ON s.id = c.send_id"
                " WHERE c.campaign_id = ? AND c.chunk = ?",
                (campaign_id, chunk),
            )
            if row is None:
                raise NotFoundError(f"campaign {campaign_id} has no chunk {chunk} with a send")
            return await _close_chunk(
                conn, campaign_id, chunk, SendStatus(row["status"]), self._now()
            )

    async def record_chunk_result(
        self,
        campaign_id: int,
        chunk: int,
        receipts: Sequence[Receipt],
        *,
        next_poll_at: datetime,
    ) -> Campaign:
        """The provider took a chunk in flight: its send's result stored (as
        `record_send_result`) and the chunk closed (as `finish_chunk`), in one transaction."""
        now = self._now()
        async with self._transaction() as conn:
            send_id = await _send_in_flight(conn, campaign_id, chunk)
            send = await _store_submitted(
                conn, now, send_id, receipts, next_poll_at, events=self._webhook_events
            )
            return await _close_chunk(conn, campaign_id, chunk, SendStatus(send["status"]), now)

    async def release_chunk(
        self, campaign_id: int, chunk: int, *, pause_reason: str, error: str
    ) -> Campaign:
        """The provider surely sent nothing of the chunk and the campaign must wait for a
        person (a limit, credit): the chunk is pending again (its send row dropped) and the
        campaign paused with `pause_reason`."""
        now = self._now()
        async with self._transaction() as conn:
            send_id = await _send_in_flight(conn, campaign_id, chunk)
            await conn.execute(
                "UPDATE campaign_chunks SET state = 'pending', send_id = NULL, error = ?,"
                " updated_at = ? WHERE campaign_id = ? AND chunk = ?",
                (error, now, campaign_id, chunk),
            )
            await conn.execute("DELETE FROM sends WHERE id = ?", (send_id,))
            campaign = await _one(
                conn,
                "UPDATE campaigns SET status = 'paused', pause_reason = ?, wait_reason = NULL,"
                " wait_until = NULL, updated_at = ? WHERE id = ? AND status = 'running'"
                " RETURNING *",
                (pause_reason, now, campaign_id),
            )
            if campaign is None:
                campaign = await _one(conn, "SELECT * FROM campaigns WHERE id = ?", (campaign_id,))
            assert campaign is not None
        return _campaign(campaign)

    async def recover_campaigns(self) -> list[RecoveredCampaign]:
        """Chunks in flight on a process that is gone take their send's outcome; a send still
        submitting (the process died during its call) becomes unknown with its queued
        recipients, never resent. Returns the campaigns with chunks made unknown, one entry
        each.

        As `PgSends.mark_in_flight_unknown` (this runs before it, at every start and every few
        seconds on one replica): a chunk whose send belongs to a replica that is alive (it
        holds its replica lock) is that replica's to finish, and is left alone."""
        now = self._now()
        recovered: list[RecoveredCampaign] = []
        async with self._transaction() as conn:
            rows = await _all(
                conn,
                "SELECT c.campaign_id, c.chunk, c.send_id, s.status, s.recipient_count"
                " FROM campaign_chunks c JOIN sends s ON s.id = c.send_id"
                " WHERE c.state = 'in_flight'"
                " AND (s.owner IS NULL OR (s.owner IS DISTINCT FROM ? AND NOT EXISTS ("
                "  SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
                "  AND l.classid = ? AND l.objid = s.owner AND l.objsubid = 2)))"
                " ORDER BY c.campaign_id, c.chunk",
                (self._replica_id, REPLICA_NAMESPACE),
            )
            unknown: dict[int, list[int]] = {}
            for row in rows:
                status = SendStatus(row["status"])
                if status is SendStatus.SUBMITTING:
                    await conn.execute(
                        "UPDATE send_recipients SET state = 'unknown', next_poll_at = NULL,"
                        " updated_at = ? WHERE send_id = ? AND state = 'queued'",
                        (now, row["send_id"]),
                    )
                    await conn.execute(
                        "UPDATE sends SET status = 'unknown', error = coalesce(error, ?),"
                        " updated_at = ? WHERE id = ?",
                        (_INTERRUPTED, now, row["send_id"]),
                    )
                    state = ChunkState.UNKNOWN
                else:
                    state = _CHUNK_OF_SEND.get(status, ChunkState.UNKNOWN)
                if state is ChunkState.UNKNOWN:
                    unknown.setdefault(int(row["campaign_id"]), []).append(
                        int(row["recipient_count"])
                    )
                await conn.execute(
                    "UPDATE campaign_chunks SET state = ?, updated_at = ?"
                    " WHERE campaign_id = ? AND chunk = ?",
                    (state.value, now, row["campaign_id"], row["chunk"]),
                )
            for campaign_id in sorted({int(r["campaign_id"]) for r in rows}):
                campaign = await _close_if_finished(conn, campaign_id, now)
                if campaign_id in unknown:
                    counts = unknown[campaign_id]
                    recovered.append(RecoveredCampaign(campaign, len(counts), sum(counts)))
        for item in recovered:
            log.warning(
                "campaign %s: %d chunk(s) in flight on a stopped process marked unknown",
                item.campaign.id,
                item.unknown_chunks,
            )
        return recovered

    async def campaign_progress(self, campaign_id: int) -> CampaignProgress:
        """Counts per delivery state of the chunks' sends, recipients still waiting, skipped."""
        async with self._reading() as conn:
            chunk_rows = await _all(
                conn,
                "SELECT state, count(*) AS chunks, sum(size) AS n FROM campaign_chunks"
                " WHERE campaign_id = ? GROUP BY state",
                (campaign_id,),
            )
            state_rows = await _all(
                conn,
                "SELECT k.state, sum(k.n) AS n FROM campaign_chunks c"
                " JOIN send_state_counts k ON k.send_id = c.send_id"
                " WHERE c.campaign_id = ? AND k.n > 0 GROUP BY k.state",
                (campaign_id,),
            )
            skipped_rows = await _all(
                conn,
                "SELECT skip_reason, count(*) AS n FROM campaign_recipients"
                " WHERE campaign_id = ? AND chunk IS NULL GROUP BY skip_reason",
                (campaign_id,),
            )
        chunks = {r["state"]: (int(r["chunks"]), int(r["n"])) for r in chunk_rows}
        done = sum(c for state, (c, _) in chunks.items() if state not in ("pending", "in_flight"))
        return CampaignProgress(
            states={DeliveryState(r["state"]): int(r["n"]) for r in state_rows},
            waiting=chunks.get("pending", (0, 0))[1],
            skipped={r["skip_reason"]: int(r["n"]) for r in skipped_rows},
            chunks_done=done,
            chunk_count=sum(c for c, _ in chunks.values()),
        )

    async def campaign_report(self, campaign_id: int) -> list[CampaignReportRow]:
        """Every recipient of the campaign with its outcome, in row order."""
        rows = await self._fetchall(
            "SELECT r.row_number, r.recipient, r.text, r.skip_reason, sr.state, sr.raw_code"
            " FROM campaign_recipients r"
            " LEFT JOIN campaign_chunks c ON c.campaign_id = r.campaign_id AND c.chunk = r.chunk"
            " LEFT JOIN send_recipients sr ON sr.send_id = c.send_id"
            " AND sr.recipient = r.recipient"
            " WHERE r.campaign_id = ? ORDER BY r.row_number, r.id",
            (campaign_id,),
        )
        return [
            CampaignReportRow(
                row_number=r["row_number"],
                recipient=r["recipient"],
                text=r["text"],
                outcome=(
                    f"skipped:{r['skip_reason']}"
                    if r["skip_reason"] is not None
                    else (r["state"] or "not_sent")
                ),
                raw_code=r["raw_code"],
            )
            for r in rows
        ]

    async def campaign_example(self, campaign_id: int) -> str | None:
        """The text of the campaign's first recipient to be sent to."""
        row = await self._fetchone(
            "SELECT text FROM campaign_recipients WHERE campaign_id = ? AND chunk IS NOT NULL"
            " ORDER BY chunk, id LIMIT 1",
            (campaign_id,),
        )
        return None if row is None else str(row["text"])

    async def campaign_of_send(self, send_id: int) -> int | None:
        """The campaign a send (one of its chunks) belongs to, if any."""
        row = await self._fetchone(
            "SELECT campaign_id FROM campaign_chunks WHERE send_id = ?", (send_id,)
        )
        return None if row is None else int(row["campaign_id"])

    async def set_progress_message(
        self, campaign_id: int, chat_id: int, message_id: int, digest: str
    ) -> None:
        """Remember the message showing the campaign's progress, and what it shows."""
        changed = await self._change(
            "UPDATE campaigns SET progress_chat_id = ?, progress_message_id = ?,"
            " progress_digest = ?, updated_at = ? WHERE id = ?",
            (chat_id, message_id, digest, self._now(), campaign_id),
        )
        if changed == 0:
            raise NotFoundError(f"campaign {campaign_id} does not exist")

    async def mark_progress_shown(self, campaign_id: int, digest: str) -> None:
        """The progress message now shows the text with `digest`."""
        await self._change(
            "UPDATE campaigns SET progress_digest = ? WHERE id = ?", (digest, campaign_id)
        )

    async def claim_summary(self, campaign_id: int) -> bool:
        """True once (the caller then posts the summary) for a finished campaign, on
        whichever replica asks first."""
        changed = await self._change(
            "UPDATE campaigns SET summary_sent = true, updated_at = ? WHERE id = ?"
            " AND NOT summary_sent AND status IN ('done', 'cancelled')",
            (self._now(), campaign_id),
        )
        return changed == 1

    async def release_summary(self, campaign_id: int) -> None:
        """The summary claimed could not be posted: the next claim may post it."""
        await self._change(
            "UPDATE campaigns SET summary_sent = false, updated_at = ? WHERE id = ?",
            (self._now(), campaign_id),
        )


class _OverLimit(Exception):
    """A bucket would go over its limit: the reservation's transaction is rolled back."""


class PgUsage(PgBase):
    """PostgreSQL: SMS counted per account per period, for max_per_minute and daily_limit."""

    async def reserve_usage(
        self, account: str, count: int, limits: Sequence[tuple[str, int]]
    ) -> str | None:
        """Count `count` SMS in each (bucket, limit) if none would go over its limit, in one
        transaction; else count nothing and return the first bucket that would."""
        if count <= 0:
            raise ValueError("count must be positive")
        over = [bucket for bucket, limit in limits if count > limit]
        if over:
            return over[0]
        # Buckets are taken in one order on every replica, so two reservers cannot deadlock.
        ordered = sorted(dict(limits).items())
        refused: set[str] = set()
        try:
            async with self._pool.acquire() as raw, raw.transaction():
                conn = PgConn(raw)
                for bucket, limit in ordered:
                    row = await _one(
                        conn,
                        "INSERT INTO account_usage AS u (account, bucket, n) VALUES (?, ?, ?)"
                        " ON CONFLICT (account, bucket) DO UPDATE SET n = u.n + excluded.n"
                        " WHERE u.n + excluded.n <= ? RETURNING n",
                        (account, bucket, count, limit),
                    )
                    if row is None:
                        refused.add(bucket)
                if refused:
                    raise _OverLimit
        except _OverLimit:
            return next(bucket for bucket, _ in limits if bucket in refused)
        return None

    async def usage(self, account: str, bucket: str) -> int:
        """How many SMS of the account are counted in `bucket`."""
        row = await self._fetchone(
            "SELECT n FROM account_usage WHERE account = ? AND bucket = ?", (account, bucket)
        )
        return 0 if row is None else int(row["n"])


async def _require_chunk(conn: PgConn, campaign_id: int, chunk: int) -> None:
    """NotFoundError unless the campaign and its chunk exist."""
    campaign = await _one(conn, "SELECT id FROM campaigns WHERE id = ?", (campaign_id,))
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id} does not exist")
    found = await _one(
        conn,
        "SELECT chunk FROM campaign_chunks WHERE campaign_id = ? AND chunk = ?",
        (campaign_id, chunk),
    )
    if found is None:
        raise NotFoundError(f"campaign {campaign_id} has no chunk {chunk}")


async def _send_in_flight(conn: PgConn, campaign_id: int, chunk: int) -> int:
    """The send of a chunk marked in flight (NotFoundError if it is not in flight)."""
    row = await _one(
        conn,
        "SELECT send_id FROM campaign_chunks WHERE campaign_id = ? AND chunk = ?"
        " AND state = 'in_flight'",
        (campaign_id, chunk),
    )
    if row is None:
        raise NotFoundError(f"campaign {campaign_id} has no chunk {chunk} in flight")
    return int(row["send_id"])


async def _close_chunk(
    conn: PgConn, campaign_id: int, chunk: int, send_status: SendStatus, now: datetime
) -> Campaign:
    """The chunk takes its send's outcome (sent, failed or unknown); the campaign is done
    when no chunk is left to send."""
    state = _CHUNK_OF_SEND.get(send_status, ChunkState.UNKNOWN)
    await conn.execute(
        "UPDATE campaign_chunks SET state = ?, updated_at = ? WHERE campaign_id = ? AND chunk = ?",
        (state.value, now, campaign_id, chunk),
    )
    return await _close_if_finished(conn, campaign_id, now)


async def _close_if_finished(conn: PgConn, campaign_id: int, now: datetime) -> Campaign:
    row = await _one(
        conn,
        "SELECT *, NOT EXISTS (SELECT 1 FROM campaign_chunks WHERE campaign_id = ?"
        " AND state IN ('pending', 'in_flight')) AS finished FROM campaigns WHERE id = ?",
        (campaign_id, campaign_id),
    )
    if row is None:
        raise NotFoundError(f"campaign {campaign_id} does not exist")
    if row["finished"] and row["status"] in (CampaignStatus.RUNNING, CampaignStatus.PAUSED):
        row = await _one(
            conn,
            "UPDATE campaigns SET status = 'done', wait_reason = NULL, wait_until = NULL,"
            " updated_at = ? WHERE id = ? RETURNING *",
            (now, campaign_id),
        )
        assert row is not None
    return _campaign(row)


def _campaign(row: Row) -> Campaign:
    return Campaign(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        account=row["account"],
        line=row["line"],
        chat_id=row["chat_id"],
        requested_by=row["requested_by"],
        file_name=row["file_name"],
        template=row["template"],
        status=CampaignStatus(row["status"]),
        pause_reason=row["pause_reason"],
        wait_reason=row["wait_reason"],
        wait_until=_opt_time(row["wait_until"]),
        not_before=_opt_time(row["not_before"]),
        recipient_count=row["recipient_count"],
        chunk_count=row["chunk_count"],
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        progress_digest=row["progress_digest"],
        summary_sent=bool(row["summary_sent"]),
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )
