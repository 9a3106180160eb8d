"""Opt-out without Telegram: which SMS bodies ask to be sent nothing more, and which numbers of
a send are on its line's list.

The regulator has service lines honour a reply of `11` (their texts end in «لغو ۱۱»); people
also write `لغو` alone, `لغو11`, or `stop`. Only a body that is nothing but one of these counts
(a customer writing "please don't stop" is not opting out): digits in any script, spaces, case
and invisible marks do not matter.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.account.service import AccountLike
from providers.base import Capability, ProviderError
from providers.phone import InvalidNumberError, normalize_mobile, to_ascii_digits
from storage.base import Storage

log = logging.getLogger(__name__)

_OPT_OUT_BODY: Final = re.compile(r"11|لغو[\s\u200c]*(?:11)?|stop")
# Zero-width marks, direction marks, the kashida: none changes what was meant.
_INVISIBLE: Final = re.compile(r"[\u200b\u200d-\u200f\u2066-\u2069\u0640\ufeff]+")


def is_opt_out_request(body: str) -> bool:
    """Whether an SMS body, whole, asks the line to send its sender nothing more."""
    plain = _INVISIBLE.sub("", to_ascii_digits(body)).strip().casefold()
    return _OPT_OUT_BODY.fullmatch(plain) is not None


async def opted_out_recipients(repo: Storage, line: str, numbers: Sequence[str]) -> list[str]:
    """The recipients of a send from `line` that are on its opt-out list, in their order."""
    listed = await repo.opted_out_among(line, numbers)
    return [n for n in numbers if n in listed]


@dataclass(frozen=True, slots=True)
class NumbersCheck:
    """What `/check` found for some numbers on one account and line."""

    account: str
    provider: str
    line: str
    numbers: tuple[str, ...]
    opted_out: frozenset[str]
    blacklist_supported: bool
    blacklisted: frozenset[str] | None  # None: not known (unsupported, or the call failed)
    blacklist_error: ProviderError | None = None


async def check_numbers_on(
    repo: Storage, account: AccountLike, line: str, numbers: Sequence[str]
) -> NumbersCheck:
    """Which of `numbers` are on the carriers' blacklist (asked of the account's provider,
    where it can tell: RayganSMS `ShowWhiteList`) and which opted out of `line`."""
    opted_out = frozenset(await repo.opted_out_among(line, numbers))
    provider = account.provider
    supported = provider.supports(Capability.BLACKLIST)
    blacklisted: frozenset[str] | None = None
    error: ProviderError | None = None
    if supported:
        try:
            blacklisted = frozenset((await provider.filter_blacklist(numbers)).blacklisted)
        except ProviderError as exc:
            log.warning("blacklist check on %s failed: %s", account.name, exc)
            error = exc
    return NumbersCheck(
        account.name,
        provider.provider_name,
        line,
        tuple(numbers),
        opted_out,
        supported,
        blacklisted,
        error,
    )


def opt_in_number(raw: str) -> str:
    """The number `/optin` names as the list holds it: E.164 for a mobile, else as typed."""
    try:
        return normalize_mobile(raw)
    except InvalidNumberError:
        return to_ascii_digits(raw.strip())


async def opt_in(repo: Storage, user_id: int, chat_id: int, number: str, line: str | None) -> bool:
    """Take `number` off `line`'s list (None: every line's), audited; False if on none."""
    removed = await repo.remove_opt_out(line, number)
    if removed:
        await repo.audit(user_id, chat_id, "optin", f"{number} {line or '*'}")
    return removed
