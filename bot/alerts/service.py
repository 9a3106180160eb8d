"""The alert sink services are handed (not a `Bot`), and the rule that an alert is never
posted twice within the window."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Protocol

from providers.base import ErrorCategory, ProviderError
from storage.base import Storage

log = logging.getLogger(__name__)


class AlertSink(Protocol):
    """Where alerts go: `alert` posts `text_key` with `values` unless `key` went out within
    the window, and says whether it was posted."""

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        """Post one alert (deduplicated on `key`); True if posted."""
        ...


class AlertDedupe:
    """Whether an alert is due: the same key at most once per window (stored, so restarts
    keep the rule)."""

    def __init__(self, repo: Storage, window_seconds: float) -> None:
        self._repo = repo
        self._window = window_seconds

    async def due(self, key: str, now: datetime | None = None) -> bool:
        """True if `key` was not alerted within the window (and records it as alerted now)."""
        moment = now or datetime.now(UTC)
        if await self._repo.should_alert(key, window=self._window, now=moment):
            return True
        log.info("alert %s suppressed (already sent within %ss)", key, self._window)
        return False


async def alert_provider_error(alerts: AlertSink, account: str, error: ProviderError) -> None:
    """Alert the admins when an error needs a person: credentials, access, credit, limits."""
    if error.category is ErrorCategory.AUTH:
        await alerts.alert(f"auth:{account}", "alert.auth", account=account, reason=error)
    elif error.category is ErrorCategory.CREDIT:
        await alerts.alert(f"credit_out:{account}", "alert.credit_out", account=account)
    elif error.category is ErrorCategory.RATE_LIMIT:
        await alerts.alert(f"limit:{account}", "alert.auth", account=account, reason=error)
