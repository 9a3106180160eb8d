"""What the Telegram fake answers instead of a result: flood limits (429 with `retry_after`) and
injected outages (5xx or 429, for a number of requests, a time, some methods, or the requests
whose parameters match).

Unlike the provider simulators' faults (`sandbox.faults`: canned bodies, hangs, dropped
connections), every Telegram fault is an `ApiError`, answered in the Bot API's own envelope.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from sandbox.telegram.spec import ApiError

# Flood limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
GLOBAL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
CHAT_PER_SECOND = 1.0
CHAT_BURST = 3

RequestMatcher = Callable[[dict[str, Any]], bool]


def too_many_requests(retry_after: int) -> ApiError:
    """Telegram's 429, with `parameters.retry_after`."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def match_request(chat_id: int | None, text_contains: str | None) -> RequestMatcher | None:
    """A matcher of requests to `chat_id` whose text holds `text_contains` (None: no matcher)."""
    if chat_id is None and text_contains is None:
        return None

    def matching(params: dict[str, Any]) -> bool:
        if chat_id is not None and str(params.get("chat_id")) != str(chat_id):
            return False
        return text_contains is None or str(text_contains) in str(params.get("text", ""))

    return matching


@dataclass
class Outage:
    """One injected outage; `times` and `until` None: until cleared."""

    status: int
    times: int | None
    until: float | None
    methods: frozenset[str] | None
    retry_after: int
    # Only requests whose (typed) parameters this accepts; checked after they are read.
    matching: RequestMatcher | None = None


class Outages:
    """The injected outages, oldest first, timed on the fake's clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._outages: list[Outage] = []

    def add(
        self,
        status: int,
        *,
        times: int | None,
        seconds: float | None,
        methods: set[str] | None,
        retry_after: int,
        matching: RequestMatcher | None,
    ) -> None:
        """Answer `status` to what matches, `times` times or for `seconds` (see fail_requests)."""
        if status < 400:
            raise ValueError("fail_requests needs an error status (429 or 5xx)")
        self._outages.append(
            Outage(
                status=status,
                times=times,
                until=None if seconds is None else self._clock() + seconds,
                methods=None if methods is None else frozenset(m.lower() for m in methods),
                retry_after=retry_after,
                matching=matching,
            )
        )

    def clear(self) -> None:
        """End every outage."""
        self._outages.clear()

    def check(self, method: str, params: dict[str, Any] | None = None) -> None:
        """Raise the first outage that applies: before the parameters are read (`params` None)
        those that look at no parameter, after it those that do."""
        now = self._clock()
        self._outages = [o for o in self._outages if o.until is None or now < o.until]
        for outage in self._outages:
            if outage.methods is not None and method.lower() not in outage.methods:
                continue
            if (outage.matching is None) != (params is None):
                continue
            if outage.matching is not None and not outage.matching(params or {}):
                continue
            if outage.times is not None:
                outage.times -= 1
                if outage.times <= 0:
                    self._outages.remove(outage)
            if outage.status == 429:
                raise too_many_requests(outage.retry_after)
            try:
                phrase = HTTPStatus(outage.status).phrase
            except ValueError:
                phrase = "Error"
            raise ApiError(outage.status, phrase)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class FloodLimits:
    """Telegram's send limits: 30 a second in all, 20 a minute per group, about 1 a second per
    chat (with a burst of 3). Off unless `enabled`."""

    def __init__(self, clock: Callable[[], float], *, enabled: bool = False) -> None:
        self._clock = clock
        self.enabled = enabled
        self._global_sends: deque[float] = deque()
        self._group_sends: dict[int, deque[float]] = {}
        self._chat_buckets: dict[int, _Bucket] = {}

    def reset(self, enabled: bool) -> None:
        """Turn the limits on or off; counting starts afresh."""
        self.enabled = enabled
        self._global_sends.clear()
        self._group_sends.clear()
        self._chat_buckets.clear()

    def check(self, chat_id: int) -> None:
        """Raise a 429 if one more send to `chat_id` now would pass a limit."""
        if not self.enabled:
            return
        now = self._clock()
        waits: list[float] = []
        while self._global_sends and self._global_sends[0] <= now - 1.0:
            self._global_sends.popleft()
        if len(self._global_sends) >= GLOBAL_PER_SECOND:
            waits.append(self._global_sends[0] + 1.0 - now)
        if chat_id < 0:
            group = self._group_sends.setdefault(chat_id, deque())
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= GROUP_PER_MINUTE:
                waits.append(group[0] + 60.0 - now)
        bucket = self._refill(chat_id, now)
        if bucket.tokens < 1.0:
            waits.append((1.0 - bucket.tokens) / CHAT_PER_SECOND)
        if waits:
            raise too_many_requests(max(1, math.ceil(max(waits))))

    def count(self, chat_id: int) -> None:
        """Count one send to `chat_id`."""
        if not self.enabled:
            return
        now = self._clock()
        self._global_sends.append(now)
        if chat_id < 0:
            self._group_sends.setdefault(chat_id, deque()).append(now)
        self._refill(chat_id, now).tokens -= 1.0

    def _refill(self, chat_id: int, now: float) -> _Bucket:
        bucket = self._chat_buckets.get(chat_id)
        if bucket is None:
            bucket = self._chat_buckets[chat_id] = _Bucket(float(CHAT_BURST), now)
        bucket.tokens = min(
            float(CHAT_BURST), bucket.tokens + (now - bucket.updated) * CHAT_PER_SECOND
        )
        bucket.updated = now
        return bucket
