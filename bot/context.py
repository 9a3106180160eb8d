"""What every handler and job is handed: the typed `BotData` and the context type."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import aiohttp
import aiosqlite
import asyncpg
from telegram.ext import CallbackContext, ExtBot

from bot.config import AccountConfig, Config
from bot.throttle.service import ServiceClock
from providers.base import SmsProvider
from providers.registry import provider_spec
from storage.base import Leases, Storage

if TYPE_CHECKING:
    from bot.api.server import ApiServer
    from bot.webhooks.jobs import WebhookSender


@dataclass(frozen=True)
class Account:
    """One configured account with its adapter."""

    config: AccountConfig
    provider: SmsProvider
    # `accounts[].fallback`, resolved (`with_fallbacks`); one hop: its own is never followed.
    fallback: Account | None = None

    @property
    def name(self) -> str:
        """The short name people type."""
        return self.config.name

    @property
    def lines(self) -> tuple[str, ...]:
        """The account's dedicated lines, from config."""
        return tuple(self.config.lines)

    @property
    def max_per_minute(self) -> int | None:
        """SMS a minute at most through this account (None: no throttle)."""
        return self.config.max_per_minute

    @property
    def daily_limit(self) -> int:
        """SMS a Tehran day at most through this account (0: no cap)."""
        return self.config.daily_limit

    @property
    def part_limit(self) -> int | None:
        """The most parts one text may take on this account's provider (None: no limit)."""
        return provider_spec(self.config.provider).max_parts


def with_fallbacks(accounts: dict[str, Account]) -> dict[str, Account]:
    """The accounts with each one's configured fallback account set."""
    return {
        name: replace(account, fallback=accounts.get(account.config.fallback))
        for name, account in accounts.items()
    }


class BotData:
    """Dependencies shared by all handlers and jobs, set up in `post_init`.

    PTB creates this object with no arguments before the application starts; `bot.app`
    fills every attribute in `post_init`, before the first update or job runs.
    """

    config: Config
    db: aiosqlite.Connection  # SQLite (storage.path); not set on PostgreSQL
    pool: asyncpg.Pool  # PostgreSQL (storage.url); not set on SQLite
    session: aiohttp.ClientSession
    repo: Storage
    leases: Leases  # which jobs this process leads (every one on SQLite)
    accounts: dict[str, Account]
    # The time campaigns, throttles and scheduled sends act on: the wall clock, or one a test
    # or the demo moves (set in `bot.app.build_application`).
    clock: ServiceClock
    # Set in post_init when [api] is configured (and webhook_url, for the sender).
    api_server: ApiServer | None = None
    webhook_sender: WebhookSender | None = None

    def account_for_line(self, line: str) -> Account | None:
        """The account that owns `line`."""
        for account in self.accounts.values():
            if line in account.lines:
                return account
        return None

    @cached_property
    def forward_lock(self) -> asyncio.Lock:
        """Held while stored SMS are posted: two forwarders reading the same pending rows
        would post them twice (the repeating job and the one-shot runs are separate jobs).
        One process only: see `storage.sqlite.claims`."""
        return asyncio.Lock()

    @cached_property
    def confirmation_lock(self) -> asyncio.Lock:
        """Held while confirmations are edited (the repeating round and the one-shot runs
        after a delivery poll are separate jobs). One process only: see `storage.sqlite.claims`."""
        return asyncio.Lock()

    @cached_property
    def poll_successes(self) -> dict[tuple[str, str], float]:
        """(account, job) → when (monotonic seconds) this process last recorded its success;
        dropped on a failure, so the next success is recorded (and ends the failure count)."""
        return {}

    @cached_property
    def progress_edited_at(self) -> dict[int, float]:
        """Campaign id → when (monotonic seconds) this process's last edit of its progress
        message returned: an edit Telegram held back (429) may land late, and the next one
        must still come at most every PROGRESS_INTERVAL after it."""
        return {}

    @cached_property
    def quarantine_reread(self) -> set[str]:
        """Accounts whose quarantined inbox records this process has read again (once each,
        at its first inbox poll: a fixed parser may read them now)."""
        return set()

    @property
    def default_account(self) -> Account:
        """The account sends go from unless a chat chose another with /from."""
        return self.accounts[self.config.default_account.name]


Context = CallbackContext[ExtBot[None], dict[object, object], dict[object, object], BotData]
