"""Which account and line a chat sends from, and each account's credit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from providers.base import Capability, Prices, ProviderError, SmsProvider
from storage.base import Storage

log = logging.getLogger(__name__)


class AccountLike(Protocol):
    """What this feature needs of a configured account."""

    @property
    def name(self) -> str:
        """The short name people type."""
        ...

    @property
    def lines(self) -> tuple[str, ...]:
        """Its dedicated lines."""
        ...

    @property
    def provider(self) -> SmsProvider:
        """Its adapter."""
        ...


A = TypeVar("A", bound=AccountLike)


def owner_of(accounts: Iterable[A], line: str) -> A | None:
    """The account that owns `line`."""
    for account in accounts:
        if line in account.lines:
            return account
    return None


async def chat_sender(
    repo: Storage, accounts: Mapping[str, A], default: A, chat_id: int
) -> tuple[A, str]:
    """The account and line this chat sends from: its /from choice, else the default."""
    chosen = await repo.get_chat_sender(chat_id)
    if chosen is not None:
        account = accounts.get(chosen[0])
        if account is not None and chosen[1] in account.lines:
            return account, chosen[1]
    return default, default.lines[0]


def find_sender(accounts: Mapping[str, A], choice: str) -> tuple[A, str] | None:
    """The account and line `choice` names (an account's name: its first line), or None."""
    named = accounts.get(choice.lower())
    if named is not None:
        return named, named.lines[0]
    owner = owner_of(accounts.values(), choice)
    return None if owner is None else (owner, choice)


async def choose_sender(
    repo: Storage, chat_id: int, user_id: int, account: AccountLike, line: str
) -> None:
    """This chat sends from `line` of `account` from now on (audited)."""
    await repo.set_chat_sender(chat_id, account.name, line)
    await repo.audit(user_id, chat_id, "from", f"{account.name} {line}")


@dataclass(frozen=True, slots=True)
class Credit:
    """One account's credit, or why it could not be read."""

    account: str
    amount: Decimal | None
    error: ProviderError | None = None


async def credit_of(account: AccountLike) -> Credit:
    """Ask the account's provider for its credit."""
    try:
        return Credit(account.name, await account.provider.credit())
    except ProviderError as exc:
        log.warning("credit of %s: %s", account.name, exc)
        return Credit(account.name, None, exc)


async def credits(accounts: Iterable[AccountLike]) -> list[Credit]:
    """Every account's credit, asked of every provider at once, in the given order."""
    return list(await asyncio.gather(*(credit_of(a) for a in accounts)))


@dataclass(frozen=True, slots=True)
class PartPrices:
    """One account's price of an SMS part, or why it is not known."""

    account: str
    provider: str
    prices: Prices | None
    supported: bool
    error: ProviderError | None = None


async def prices_of(account: AccountLike) -> PartPrices:
    """Ask the account's provider for its part prices (RayganSMS GetPrices, Payamak
    GetBasePrice), where it can tell."""
    provider = account.provider
    if not provider.supports(Capability.PRICES):
        return PartPrices(account.name, provider.provider_name, None, supported=False)
    try:
        return PartPrices(account.name, provider.provider_name, await provider.prices(), True)
    except ProviderError as exc:
        log.warning("prices of %s: %s", account.name, exc)
        return PartPrices(account.name, provider.provider_name, None, True, exc)


async def all_prices(accounts: Iterable[AccountLike]) -> list[PartPrices]:
    """Every account's part prices, asked of every provider at once, in the given order."""
    return list(await asyncio.gather(*(prices_of(a) for a in accounts)))
