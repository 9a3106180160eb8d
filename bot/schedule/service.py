"""Scheduled sends without Telegram: asking for one (checked as `/send` checks, its time read
by `when.parse_when`), who may cancel it, and the scheduler that sends each due row once.

The stored row is the truth. Each run of the scheduler (the JobQueue runs it every few
seconds, and at start) first marks `missed` the rows never claimed that are more than
`LATE_LIMIT` late, then claims the due ones and hands each to `submit_send` (the same service
as `/send`) under the key `schedule:<id>`; a claim whose claimer died is taken over after
`CLAIM_LEASE`, and the key makes sure that it finds the send already stored, never a second.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.alerts.service import AlertSink
from bot.send.service import (
    Recipients,
    SendingAccount,
    SendRequest,
    SmsText,
    TooManyParts,
    check_text,
    submit_send,
)
from storage.base import Storage
from storage.models import Role, ScheduledSend, ScheduleState, SendStatus

log = logging.getLogger(__name__)

LATE_LIMIT: Final = timedelta(hours=6)  # later than this at start: missed, not sent (SPEC §4)
CLAIM_LEASE: Final = timedelta(minutes=5)  # a claim older than this: its claimer died
SCHEDULE_TICK: Final = 5.0  # seconds between the scheduler's runs (a send goes within 30 s)
KEY_PREFIX: Final = "schedule:"  # the idempotency key of the send a scheduled row becomes


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    """A checked request for a send later, asked for by `user_id` in `chat_id`."""

    idempotency_key: str
    account: SendingAccount
    line: str
    recipients: Recipients
    text: SmsText
    chat_id: int
    user_id: int
    due_at: datetime


async def schedule_send(repo: Storage, request: ScheduleRequest) -> tuple[ScheduledSend, bool]:
    """Store the scheduled send (once per key); False if the same request was seen before."""
    row, created = await repo.create_scheduled(
        idempotency_key=request.idempotency_key,
        chat_id=request.chat_id,
        requested_by=request.user_id,
        account=request.account.name,
        line=request.line,
        recipients=request.recipients.numbers,
        text=request.text.body,
        due_at=request.due_at,
    )
    if created:
        await repo.audit(
            request.user_id,
            request.chat_id,
            "schedule",
            f"#{row.id} to {len(row.recipients)} at {row.due_at.isoformat()}",
        )
    return row, created


def may_cancel(row: ScheduledSend, user_id: int, role: Role | None) -> bool:
    """Only the person who asked for a scheduled send, or an admin, may cancel it."""
    return role is Role.ADMIN or (role is not None and row.requested_by == user_id)


@dataclass(frozen=True, slots=True)
class SchedulerRun:
    """What one run of the scheduler did."""

    missed: tuple[ScheduledSend, ...]
    finished: tuple[ScheduledSend, ...]


@dataclass
class Scheduler:
    """Sends each due scheduled row once, through the send service."""

    repo: Storage
    alerts: AlertSink
    accounts: Mapping[str, SendingAccount]
    poll_delay: float
    clock: Callable[[], datetime]
    # Starts a scheduled campaign (the campaigns feature plugs its worker in here) and
    # returns the row as finished; without it a scheduled campaign fails, saying why.
    start_campaign: Callable[[ScheduledSend], Awaitable[ScheduledSend]] | None = None

    async def run(self) -> SchedulerRun:
        """Mark the too-late rows missed, then send the due ones (soonest first)."""
        now = self.clock()
        missed = await self.repo.mark_missed_scheduled(now - LATE_LIMIT)
        for row in missed:
            log.warning(
                "scheduled send #%d was due at %s, more than %s ago: missed",
                row.id,
                row.due_at.isoformat(),
                LATE_LIMIT,
            )
        finished: list[ScheduledSend] = []
        while claimed := await self.repo.claim_due_scheduled(
            now, reclaim_before=now - CLAIM_LEASE, limit=20
        ):
            for row in claimed:
                finished.append(await self._send(row))
            now = self.clock()
        return SchedulerRun(tuple(missed), tuple(finished))

    async def _send(self, row: ScheduledSend) -> ScheduledSend:
        account = self.accounts.get(row.account)
        if account is None:
            return await self._fail(row, f"account {row.account} is not configured any more")
        if row.campaign_id is not None:
            if self.start_campaign is None:
                return await self._fail(row, "campaigns cannot be scheduled on this bridge")
            return await self.start_campaign(row)
        text = check_text(account, row.text)
        if isinstance(text, TooManyParts):
            reason = f"the text takes {text.parts} parts, more than {text.limit} on {account.name}"
            return await self._fail(row, reason)
        if not isinstance(text, SmsText):
            return await self._fail(row, "the text is empty")
        request = SendRequest(
            idempotency_key=schedule_send_key(row),
            account=account,
            line=row.line,
            recipients=Recipients(row.recipients),
            text=text,
            chat_id=row.chat_id,
            user_id=row.requested_by,
        )
        outcome = await submit_send(self.repo, self.alerts, request, poll_delay=self.poll_delay)
        late = (self.clock() - row.due_at).total_seconds()
        if outcome.send.status is SendStatus.FAILED:
            error = str(outcome.error) if outcome.error is not None else outcome.send.error
            done = await self.repo.finish_scheduled(
                row.id, ScheduleState.FAILED, send_id=outcome.send.id, error=error
            )
        else:
            done = await self.repo.finish_scheduled(
                row.id, ScheduleState.SENT, send_id=outcome.send.id
            )
        log.info(
            "scheduled send #%d: send %d, %s (%.0f s after its time)",
            row.id,
            outcome.send.id,
            done.state,
            late,
        )
        return done

    async def _fail(self, row: ScheduledSend, reason: str) -> ScheduledSend:
        log.warning("scheduled send #%d cannot be sent: %s", row.id, reason)
        return await self.repo.finish_scheduled(row.id, ScheduleState.FAILED, error=reason)


def schedule_send_key(row: ScheduledSend) -> str:
    """The idempotency key of the send a scheduled row becomes."""
    return f"{KEY_PREFIX}{row.id}"


def asked_in(row: ScheduledSend) -> tuple[int, int] | None:
    """The (chat, message) that asked for the row, when it was asked for in Telegram."""
    parts = row.idempotency_key.split(":")
    if len(parts) == 3 and parts[0] == "tg":
        try:
            return int(parts[1]), int(parts[2])
        except ValueError:
            return None
    return None
