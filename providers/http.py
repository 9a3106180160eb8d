"""The HTTP transport both adapters share: timeouts, a concurrency limit, safe retries.

Nothing here logs a request body or header: RayganSMS carries Basic auth in a header and
Payamak carries the password in the form body.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from providers.base import ErrorCategory, ProviderError

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Timeouts (seconds), the per-account concurrency limit, and the read-retry schedule."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_concurrency: int = 8
    read_attempts: int = 3
    backoff_base: float = 0.5


class ProviderHttp:
    """POSTs to `<base_url>/<Method>` for one account, on a session it is handed."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        provider_name: str,
        settings: HttpSettings | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._provider = provider_name
        self._settings = settings or HttpSettings()
        self._headers = dict(headers or {})
        self._limit = asyncio.Semaphore(self._settings.max_concurrency)
        self._timeout = aiohttp.ClientTimeout(
            sock_connect=self._settings.connect_timeout,
            sock_read=self._settings.read_timeout,
        )

    async def call(
        self,
        method: str,
        parse: Callable[[int, str], T],
        *,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        sends_sms: bool,
    ) -> T:
        """POST and parse the answer, retrying only where it cannot cause a second SMS.

        `parse(status, body)` turns the answer into a result or raises a ProviderError.
        Reads are retried with backoff on transient errors. A call that `sends_sms` is
        retried only when the connection was never made; any later failure is raised with
        `outcome_unknown` so the caller can mark the send `unknown` instead of resending.
        """
        attempts = 1 if sends_sms else max(1, self._settings.read_attempts)
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._call_once(method, parse, json=json, form=form)
            except _NeverConnectedError as exc:
                error = exc.error
                # The request never left this machine, so a retry cannot duplicate an SMS.
                can_retry = attempt < max(attempts, self._settings.read_attempts)
            except ProviderError as exc:
                error = exc
                # A transient failure of a send may have happened after the SMS went, unless
                # the provider's own answer says nothing went out.
                if sends_sms and exc.category is ErrorCategory.TRANSIENT and not exc.nothing_sent:
                    error = exc.with_(outcome_unknown=True, retry_safe=False)
                can_retry = attempt < attempts and exc.retry_safe
            if not can_retry:
                raise error
            delay = self._settings.backoff_base * (2 ** (attempt - 1))
            log.warning(
                "%s %s failed (%s); retry %d in %.1fs",
                self._provider,
                method,
                error.reason,
                attempt,
                delay,
            )
            await asyncio.sleep(delay)

    async def _call_once(
        self,
        method: str,
        parse: Callable[[int, str], T],
        *,
        json: Any,
        form: Mapping[str, str] | None,
    ) -> T:
        url = f"{self._base_url}/{method}"
        async with self._limit:
            try:
                async with self._session.post(
                    url,
                    json=json,
                    data=form,
                    headers=self._headers,
                    timeout=self._timeout,
                ) as response:
                    body = await response.text(encoding="utf-8", errors="replace")
                    status = response.status
            except aiohttp.ClientConnectorError as exc:
                raise _NeverConnectedError(
                    self._transient(method, f"cannot connect: {exc.os_error}", "network")
                ) from None
            except TimeoutError:
                raise self._transient(
                    method, "timed out waiting for the answer", "timeout"
                ) from None
            except aiohttp.ClientError as exc:
                raise self._transient(
                    method, f"connection failed: {type(exc).__name__}", "network"
                ) from None
        return parse(status, body)

    def _transient(self, method: str, reason: str, reason_key: str) -> ProviderError:
        return ProviderError(
            ErrorCategory.TRANSIENT,
            f"{method}: {reason}",
            provider=self._provider,
            retry_safe=True,
            reason_key=reason_key,
        )


class _NeverConnectedError(Exception):
    """Internal: the TCP connection was never established."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(str(error))
        self.error = error
