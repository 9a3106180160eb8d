"""What webhooks mean, free of HTTP: the signature, the wait before each retry, and when the
receiver's failing is worth one alert (and its recovery another)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.alerts.service import AlertSink

SIGNATURE_HEADER: Final = "X-SMS-Bridge-Signature"
FAILING_ALERT: Final = "webhook_failing"
RECOVERED_ALERT: Final = "webhook_recovered"


def signature(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=<HMAC-SHA256 hex of the raw body>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(backoff: Sequence[float], attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones (the last step repeats)."""
    return backoff[min(max(attempts, 1), len(backoff)) - 1]


@dataclass
class ReceiverWatch:
    """Tells the admins once when the receiver has failed for `alert_after` seconds, and once
    when it accepts events again. Times are monotonic seconds."""

    alerts: AlertSink
    alert_after: float
    failing_since: float | None = None
    alerted: bool = False

    async def failed(self, now: float, *, pending: int, reason: str) -> None:
        """An attempt failed; alert if the receiver has been failing long enough."""
        if self.failing_since is None:
            self.failing_since = now
        if self.alerted or now - self.failing_since < self.alert_after:
            return
        minutes = max(1, round((now - self.failing_since) / 60))
        self.alerted = True
        await self.alerts.alert(
            FAILING_ALERT,
            "alert.webhook_failing",
            minutes=minutes,
            count=pending,
            reason=reason,
        )

    async def delivered(self) -> None:
        """An event was accepted; the recovery is told if the failing was."""
        was_alerted = self.alerted
        self.failing_since = None
        self.alerted = False
        if was_alerted:
            await self.alerts.alert(RECOVERED_ALERT, "alert.webhook_recovered")
