"""Delivery reports without Telegram: the backoff schedule and the poll cycle of one account.

A recipient is first asked about `[polling] delivery` seconds after the send, then after each
of `[delivery] backoff_seconds` in turn (the last repeating) until the give-up age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.config import Config
from providers.base import Receipt, SmsProvider
from storage.base import Storage
from storage.models import DeliveryReport, SendRecipient

DELIVERY_BATCH = 500  # recipients asked about per provider round trip batch


@dataclass(frozen=True, slots=True)
class CycleResult:
    """What one poll cycle of an account did: recipients asked about, states that changed."""

    polled: int
    changed: int


def first_poll_at(delay_seconds: float, now: datetime | None = None) -> datetime:
    """When a fresh send's recipients are first asked about: `[polling] delivery` seconds on
    (`next_poll_at` gives the later polls)."""
    return (now or datetime.now(UTC)) + timedelta(seconds=delay_seconds)


def next_poll_at(config: Config, polls: int, now: datetime) -> datetime | None:
    """When to ask again after the poll made with `polls` earlier ones; None once the schedule
    has run past the give-up age, which bounds the API calls one recipient can cost.

    The first poll came `[polling] delivery` after the send (`first_poll_at`); the waits after
    it are `[delivery] backoff_seconds` in turn, the last one repeating.
    """
    schedule = config.delivery.backoff_seconds
    gap = schedule[min(polls, len(schedule) - 1)]
    # Seconds from the send to this poll on the schedule (not the clock: a late run neither
    # adds polls nor takes any away).
    waited = (
        config.polling.delivery
        + sum(schedule[: min(polls, len(schedule))])
        + max(0, polls - len(schedule)) * schedule[-1]
    )
    if waited + gap > config.delivery.give_up_hours * 3600:
        return None
    return now + timedelta(seconds=gap)


async def anything_due(repo: Storage, account: str, now: datetime) -> bool:
    """Whether some recipient of `account` is due to be asked about (one index entry read)."""
    return bool(await repo.due_recipients(account, now, 1))


async def poll_cycle(
    repo: Storage, config: Config, account: str, provider: SmsProvider, now: datetime
) -> CycleResult:
    """Ask the provider about every recipient of `account` due at `now`; store what changed."""
    polled = changed = 0
    # Every recipient due now is asked about in this run, a batch at a time; each batch moves
    # its recipients' next poll forward, so the loop ends.
    while due := await repo.due_recipients(account, now, DELIVERY_BATCH):
        receipts = {_receipt(r): r for r in due}
        updates = await provider.delivery_statuses(list(receipts))
        reported = {u.receipt: u for u in updates}
        reports = []
        for receipt, recipient in receipts.items():
            update = reported.get(receipt)
            state = update.state if update else recipient.state
            raw = update.raw_code if update else recipient.raw_code
            later = None if state.is_final else next_poll_at(config, recipient.polls, now)
            reports.append(DeliveryReport(recipient.id, state, raw, later))
        changed += await repo.apply_deliveries(reports)
        polled += len(due)
    return CycleResult(polled, changed)


def _receipt(recipient: SendRecipient) -> Receipt:
    return Receipt(
        recipient=recipient.recipient,
        message_id=recipient.provider_message_id,
        group_id=recipient.provider_group_id,
    )
