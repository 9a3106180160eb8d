"""A provider whose delivery answers wait until the test lets them go (for the job tests)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from providers.base import (
    DeliveryState,
    DeliveryUpdate,
    InboxBatch,
    Receipt,
    SendResult,
    SmsProvider,
)


class HeldProvider(SmsProvider):
    """Delivery answers are held until `release` is set; the inbox is empty; credit plenty."""

    provider_name = "held"

    def __init__(self) -> None:
        self.status_calls = 0
        self.asked = asyncio.Event()
        self.release = asyncio.Event()

    async def send(
        self,
        line: str,
        recipients: Sequence[str],
        text: str,
        *,
        at: datetime | None = None,
        flash: bool = False,
    ) -> SendResult:
        raise AssertionError("the jobs never send")

    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        self.status_calls += 1
        self.asked.set()
        await self.release.wait()
        return [DeliveryUpdate(r, DeliveryState.DELIVERED, "1") for r in receipts]

    async def fetch_inbox(self, line: str, cursor: str | None) -> InboxBatch:
        return InboxBatch((), cursor or "")

    async def credit(self) -> Decimal:
        # Plenty: a credit check must not alert (an alert would go to the real Bot API).
        return Decimal(1_000_000)
