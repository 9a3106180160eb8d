"""Every send of an account counts against its `max_per_minute` and `daily_limit` (campaigns,
/send, replies), in the database so a restart does not reset them; quiet hours (Tehran time).

`ServiceClock` is the clock services read: the real UTC time, moved by an offset a test or the
demo sets (never patched)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from storage.base import UsageStore

TEHRAN = ZoneInfo("Asia/Tehran")

WaitReason = Literal["throttle", "daily_limit"]


class ServiceClock:
    """The time services act on: UTC now plus `offset`, or a held moment (tests, the demo)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.held: datetime | None = None

    def __call__(self) -> datetime:
        if self.held is not None:
            return self.held
        return datetime.now(UTC) + self.offset

    def move(self, delta: timedelta) -> None:
        """Move the clock on (or back) by `delta`."""
        if self.held is not None:
            self.held += delta
        else:
            self.offset += delta

    def hold(self, moment: datetime) -> None:
        """Stop the clock at `moment` (it moves only by `move` from then on)."""
        self.held = moment


class AccountLimits(Protocol):
    """What throttling reads of an account's config."""

    @property
    def name(self) -> str:
        """The account's name."""
        ...

    @property
    def max_per_minute(self) -> int | None:
        """SMS a minute at most (None: no throttle)."""
        ...

    @property
    def daily_limit(self) -> int:
        """SMS a Tehran day at most (0: no cap)."""
        ...


@dataclass(frozen=True, slots=True)
class Granted:
    """The SMS are counted: send them now."""


@dataclass(frozen=True, slots=True)
class MustWait:
    """Over a limit: nothing counted; try again at `until`."""

    reason: WaitReason
    until: datetime


@dataclass(frozen=True, slots=True)
class NeverFits:
    """More SMS in one call than the limit allows at all."""

    reason: WaitReason
    limit: int


def _minute_bucket(now: datetime) -> str:
    return "m:" + now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def _day_bucket(now: datetime) -> str:
    return "d:" + now.astimezone(TEHRAN).strftime("%Y-%m-%d")


def _next_minute(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)


def _next_tehran_day(now: datetime) -> datetime:
    local = now.astimezone(TEHRAN)
    midnight = datetime(local.year, local.month, local.day, tzinfo=TEHRAN) + timedelta(days=1)
    return midnight.astimezone(UTC)


def largest_call(limits: AccountLimits, wanted: int) -> int:
    """The most SMS one call may carry on the account (`wanted` unless a limit is lower)."""
    caps = [wanted]
    if limits.max_per_minute is not None:
        caps.append(limits.max_per_minute)
    if limits.daily_limit > 0:
        caps.append(limits.daily_limit)
    return max(1, min(caps))


async def reserve(
    repo: UsageStore, limits: AccountLimits, count: int, now: datetime
) -> Granted | MustWait | NeverFits:
    """Count `count` SMS of the account now if its minute and its Tehran day have room."""
    buckets: list[tuple[str, int]] = []
    if limits.max_per_minute is not None:
        if count > limits.max_per_minute:
            return NeverFits("throttle", limits.max_per_minute)
        buckets.append((_minute_bucket(now), limits.max_per_minute))
    if limits.daily_limit > 0:
        if count > limits.daily_limit:
            return NeverFits("daily_limit", limits.daily_limit)
        buckets.append((_day_bucket(now), limits.daily_limit))
    if not buckets:
        return Granted()
    refused = await repo.reserve_usage(limits.name, count, buckets)
    if refused is None:
        return Granted()
    if refused.startswith("m:"):
        return MustWait("throttle", _next_minute(now))
    return MustWait("daily_limit", _next_tehran_day(now))


async def sent_today(repo: UsageStore, account: str, now: datetime) -> int:
    """How many SMS of the account are counted today (Tehran)."""
    return await repo.usage(account, _day_bucket(now))


Window = tuple[tuple[int, int], tuple[int, int]]


def quiet_until(now: datetime, window: Window | None) -> datetime | None:
    """When the quiet hours around `now` end (UTC), or None if `now` is outside them."""
    if window is None:
        return None
    (h1, m1), (h2, m2) = window
    local = now.astimezone(TEHRAN)
    minute = local.hour * 60 + local.minute
    start, end = h1 * 60 + m1, h2 * 60 + m2
    inside = start <= minute < end if start < end else minute >= start or minute < end
    if not inside:
        return None
    day = datetime(local.year, local.month, local.day, h2, m2, tzinfo=TEHRAN)
    if day <= local:
        day = datetime(local.year, local.month, local.day, h2, m2, tzinfo=TEHRAN) + timedelta(
            days=1
        )
    return day.astimezone(UTC)
