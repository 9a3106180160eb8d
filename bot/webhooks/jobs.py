"""The webhook sender: a JobQueue job that claims due events in the database and POSTs each
(signed) to the receiver; 2xx marks it delivered, anything else retries it later with the
same body and event_id."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Final

import aiohttp

from bot.alerts.service import AlertSink
from bot.config import ApiConfig
from bot.context import Context
from bot.webhooks.service import SIGNATURE_HEADER, ReceiverWatch, retry_delay, signature
from storage.base import Storage
from storage.models import WebhookEvent

log = logging.getLogger(__name__)

WEBHOOK_INTERVAL: Final = 0.25  # seconds between claims: events reach the receiver well in 2 s
BATCH: Final = 200
CONCURRENCY: Final = 16
# A claim outlasts the POST's own timeout by this much, so it is never retried while running.
LEASE_MARGIN_SECONDS: Final = 5.0


class WebhookSender:
    """Sends the outbox's due events to `config.webhook_url`."""

    def __init__(
        self,
        config: ApiConfig,
        repo: Storage,
        session: aiohttp.ClientSession,
        alerts: AlertSink,
    ) -> None:
        self._config = config
        self._repo = repo
        self._session = session
        self._secret = config.webhook_secret.get_secret_value()
        self._timeout = aiohttp.ClientTimeout(total=config.webhook_timeout_seconds)
        self._gate = asyncio.Semaphore(CONCURRENCY)
        self.watch = ReceiverWatch(alerts, config.webhook_alert_after_seconds)

    async def run_once(self) -> int:
        """Send every due event (batch after batch while batches come full); returns how
        many were delivered."""
        delivered = 0
        while True:
            now = datetime.now(UTC)
            lease = self._config.webhook_timeout_seconds + LEASE_MARGIN_SECONDS
            events = await self._repo.claim_webhook_events(now, limit=BATCH, lease_seconds=lease)
            if not events:
                return delivered
            results = await asyncio.gather(*(self._post(e) for e in events))
            ok = [e.id for e, error in zip(events, results, strict=True) if error is None]
            await self._repo.mark_webhook_delivered(ok)
            delivered += len(ok)
            failures = [(e, error) for e, error in zip(events, results, strict=True) if error]
            for event, error in failures:
                delay = retry_delay(self._config.webhook_backoff_seconds, event.attempts)
                retry_at = datetime.now(UTC) + timedelta(seconds=delay)
                await self._repo.record_webhook_failure(event.id, error=error, retry_at=retry_at)
            if ok:
                await self.watch.delivered()
            if failures:
                log.warning(
                    "webhooks: %d of %d events not accepted (%s); retried later",
                    len(failures),
                    len(events),
                    failures[0][1],
                )
                backlog = await self._repo.webhook_backlog()
                await self.watch.failed(
                    time.monotonic(), pending=backlog.pending, reason=failures[0][1] or ""
                )
                return delivered  # the receiver is failing: no hurry to claim more now
            if len(events) < BATCH:
                return delivered

    async def _post(self, event: WebhookEvent) -> str | None:
        """POST one event; None when the receiver answered 2xx, else why not (no URL in it:
        the URL may hold credentials)."""
        body = event.body.encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(self._secret, body),
            "X-SMS-Bridge-Event": event.type.value,
            "User-Agent": "sms-bridge",
        }
        async with self._gate:
            try:
                async with self._session.post(
                    self._config.webhook_url, data=body, headers=headers, timeout=self._timeout
                ) as answer:
                    await answer.read()
                    if 200 <= answer.status < 300:
                        return None
                    return f"HTTP {answer.status}"
            except TimeoutError:
                return "no answer in time"
            except aiohttp.ClientError as exc:
                return f"cannot reach the receiver ({type(exc).__name__})"


async def send_webhooks(context: Context) -> None:
    """The job: one round of `WebhookSender.run_once`."""
    sender = context.bot_data.webhook_sender
    if sender is not None:
        await sender.run_once()
