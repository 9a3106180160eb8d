"""Campaigns without Telegram: the preview (blacklist, opt-outs, parts, cost, chunks) stored as
a draft, and the worker that sends a running campaign chunk by chunk.

The worker marks each chunk in flight (a stored send) before its provider call and stores the
answer after it; pause and cancel are read before every chunk; quiet hours and the account's
throttle make a campaign wait (saying why and until when) instead of failing; a provider limit
or empty credit pauses it and alerts the admins. The time is the injected clock's."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final, Protocol

from bot.alerts.service import AlertSink, alert_provider_error
from bot.campaigns.files import CampaignFile, InvalidRow, RenderedCampaign, RenderedRow
from bot.delivery.service import first_poll_at
from bot.throttle.service import (
    AccountLimits,
    MustWait,
    NeverFits,
    Window,
    largest_call,
    quiet_until,
    reserve,
)
from providers.base import (
    Capability,
    ErrorCategory,
    OutgoingMessage,
    Prices,
    ProviderError,
    SendResult,
    SmsProvider,
)
from providers.parts import Encoding
from storage.base import Storage
from storage.models import (
    Campaign,
    CampaignRecipientInput,
    CampaignStatus,
    SkipReason,
    StartedChunk,
)

log = logging.getLogger(__name__)

# Recipients per provider call. Payamak takes at most 100 numbers a SendSMS, one text each;
# RayganSMS takes a text per recipient in one SendCorrespondingMessage: a bigger chunk is fewer
# calls, a smaller one fewer recipients left `unknown` when the process dies during a call.
CHUNK_SIZE: Final = {"payamak": 100, "raygansms": 1000}
DEFAULT_CHUNK: Final = 100
GROUPED_BY_TEXT: Final = frozenset({"payamak"})  # one call per distinct text
BLACKLIST_BATCH: Final = 10_000  # numbers per ShowWhiteList call
PARALLEL_CHUNKS: Final = 8  # chunks in flight at once (the adapters' own limit is 8 a account)


class CampaignAccount(AccountLimits, Protocol):
    """What campaigns need of a configured account."""

    @property
    def provider(self) -> SmsProvider:
        """Its adapter."""
        ...

    @property
    def part_limit(self) -> int | None:
        """The most parts one text may take (None: no limit of ours)."""
        ...


# ---------------------------------------------------------------- the preview


@dataclass(frozen=True, slots=True)
class Preview:
    """Everything the preview shows, for the draft campaign stored with it."""

    campaign: Campaign
    rows_read: int
    valid: int
    invalid: tuple[InvalidRow, ...]  # the first ten
    invalid_count: int
    duplicates: int
    blacklisted: int
    blacklist_checked: bool  # False: the account has no ShowWhiteList, or it failed
    blacklist_error: ProviderError | None
    opted_out: int
    to_send: int
    parts_per_message: tuple[int, int]  # (fewest, most)
    total_parts: int
    cost: Decimal | None
    credit: Decimal | None
    price_error: ProviderError | None
    example: str
    empty_placeholders: tuple[str, ...]

    @property
    def enough_credit(self) -> bool:
        """False only when both are known and the cost is over the credit."""
        return self.cost is None or self.credit is None or self.cost <= self.credit


@dataclass(frozen=True, slots=True)
class NothingToSend:
    """Every valid number is blacklisted or opted out."""

    blacklisted: int
    opted_out: int


async def prepare_campaign(
    repo: Storage,
    account: CampaignAccount,
    *,
    line: str,
    file: CampaignFile,
    file_name: str,
    rendered: RenderedCampaign,
    template: str | None,
    opted_out: Collection[str],
    idempotency_key: str,
    chat_id: int,
    user_id: int,
) -> Preview | NothingToSend:
    """Check the rendered rows against the carriers' blacklist and the opt-out list, price
    them, plan the chunks, and store the campaign whole as a draft (nothing is sent)."""
    numbers = [row.number for row in rendered.rows]
    # The blacklist and the prices are asked at once: the preview waits for the slower.
    pricing = asyncio.ensure_future(_price(account.provider))
    try:
        blacklisted, checked, blacklist_error = await _blacklisted(account.provider, numbers)
    except BaseException:
        pricing.cancel()
        raise
    skips: dict[str, SkipReason] = {}
    for number in numbers:
        if number in blacklisted:
            skips[number] = "blacklisted"
        elif number in opted_out:
            skips[number] = "opted_out"
    sendable = [row for row in rendered.rows if row.number not in skips]
    counts = {"blacklisted": 0, "opted_out": 0}
    for reason in skips.values():
        counts[reason] += 1
    if not sendable:
        pricing.cancel()
        return NothingToSend(counts["blacklisted"], counts["opted_out"])
    chunks = plan_chunks(account, sendable)
    inputs = [
        CampaignRecipientInput(row.row, row.number, row.text, row.parts, chunks[row.number])
        for row in sendable
    ]
    inputs += [
        CampaignRecipientInput(row.row, row.number, row.text, row.parts, None, skips[row.number])
        for row in rendered.rows
        if row.number in skips
    ]
    campaign, _ = await repo.create_campaign(
        idempotency_key=idempotency_key,
        account=account.name,
        line=line,
        chat_id=chat_id,
        requested_by=user_id,
        file_name=file_name,
        template=template,
        recipients=inputs,
    )
    prices, credit, price_error = await pricing
    cost = None if prices is None else _cost(prices, sendable)
    parts = [row.parts for row in sendable]
    return Preview(
        campaign=campaign,
        rows_read=file.rows_read,
        valid=len(file.rows),
        invalid=file.invalid[:10],
        invalid_count=len(file.invalid),
        duplicates=file.duplicates,
        blacklisted=counts["blacklisted"],
        blacklist_checked=checked,
        blacklist_error=blacklist_error,
        opted_out=counts["opted_out"],
        to_send=len(sendable),
        parts_per_message=(min(parts), max(parts)),
        total_parts=sum(parts),
        cost=cost,
        credit=credit,
        price_error=price_error,
        example=sendable[0].text,
        empty_placeholders=rendered.empty_placeholders,
    )


async def _blacklisted(
    provider: SmsProvider, numbers: Sequence[str]
) -> tuple[set[str], bool, ProviderError | None]:
    if not provider.supports(Capability.BLACKLIST):
        return set(), False, None
    batches = [numbers[i : i + BLACKLIST_BATCH] for i in range(0, len(numbers), BLACKLIST_BATCH)]
    # Side by side: the adapter's own concurrency limit bounds them.
    checks = await asyncio.gather(
        *(provider.filter_blacklist(batch) for batch in batches), return_exceptions=True
    )
    found: set[str] = set()
    for check in checks:
        if isinstance(check, ProviderError):
            log.warning("blacklist check failed: %s", check)
            return set(), False, check
        if isinstance(check, BaseException):
            raise check
        found.update(check.blacklisted)
    return found, True, None


async def _price(
    provider: SmsProvider,
) -> tuple[Prices | None, Decimal | None, ProviderError | None]:
    """The account's part prices and credit (None where it has no such method)."""
    try:
        prices = await provider.prices() if provider.supports(Capability.PRICES) else None
        credit = await provider.credit() if provider.supports(Capability.CREDIT) else None
    except ProviderError as error:
        log.warning("campaign preview: prices or credit unavailable: %s", error)
        return None, None, error
    return prices, credit, None


def _cost(prices: Prices, rows: Sequence[RenderedRow]) -> Decimal:
    ucs2 = sum(row.parts for row in rows if row.encoding == Encoding.UCS2.value)
    gsm7 = sum(row.parts for row in rows) - ucs2
    return prices.ucs2_part * ucs2 + prices.gsm7_part * gsm7


def plan_chunks(account: CampaignAccount, rows: Sequence[RenderedRow]) -> dict[str, int]:
    """Each recipient's chunk: consecutive rows, or (Payamak) rows grouped by their text, at
    most one call's worth and never more than the account's throttle lets one call carry."""
    name = account.provider.provider_name
    size = largest_call(account, CHUNK_SIZE.get(name, DEFAULT_CHUNK))
    chunks: dict[str, int] = {}
    if name in GROUPED_BY_TEXT:
        by_text: dict[str, list[str]] = {}
        for row in rows:
            by_text.setdefault(row.text, []).append(row.number)
        index = 0
        for numbers in by_text.values():
            for start in range(0, len(numbers), size):
                for number in numbers[start : start + size]:
                    chunks[number] = index
                index += 1
        return chunks
    for position, row in enumerate(rows):
        chunks[row.number] = position // size
    return chunks


# ---------------------------------------------------------------- the worker


@dataclass(frozen=True, slots=True)
class Advance:
    """What one turn of the worker did for a campaign."""

    chunks_sent: int
    waiting: str | None = None  # 'quiet_hours', 'throttle', 'daily_limit'
    paused: str | None = None  # why the worker paused it (a provider limit, credit, …)


class _CallSlots:
    """A campaign's provider calls: at most `size` at once, one chunk more marked and waiting
    for the next free one (so a call goes the moment another returns, its chunk's marking
    done before), and a way to wait until a slot frees."""

    AHEAD: Final = 1

    def __init__(self, size: int) -> None:
        self._size = size
        self._marked = 0  # chunks started here whose call has not returned
        self._calls = asyncio.Semaphore(size)
        self._freed = asyncio.Event()

    def full(self) -> bool:
        """Whether every slot has a call and the chunks ahead are marked."""
        return self._marked >= self._size + self.AHEAD

    def take(self) -> None:
        """A chunk is marked; its call goes when a slot is free."""
        self._marked += 1

    async def call_slot(self) -> bool:
        """Wait for a free slot for the call; whether it had to wait (the chunk was marked
        ahead, and the campaign may have been paused or cancelled meanwhile)."""
        waited = self._calls.locked()
        await self._calls.acquire()
        return waited

    def free(self) -> None:
        """A call has returned."""
        self._marked -= 1
        self._calls.release()
        self._freed.set()

    def next_freed(self) -> asyncio.Task[bool]:
        """A task that ends when a slot is freed after now."""
        self._freed.clear()  # here, not in the task: a slot freed before it first runs counts
        return asyncio.ensure_future(self._freed.wait())


class CampaignWorker:
    """Sends running campaigns, chunk by chunk, on the injected clock."""

    def __init__(
        self,
        repo: Storage,
        alerts: AlertSink,
        accounts: Mapping[str, CampaignAccount],
        *,
        clock: Callable[[], datetime],
        quiet_hours: Window | None,
        poll_delay: float,
        parallel: int = PARALLEL_CHUNKS,
    ) -> None:
        self._repo = repo
        self._alerts = alerts
        self._accounts = accounts
        self._clock = clock
        self._quiet = quiet_hours
        self._poll_delay = poll_delay
        self._parallel = parallel

    async def run_once(self) -> dict[int, Advance]:
        """One turn for every runnable campaign: send what may be sent now."""
        done: dict[int, Advance] = {}
        for campaign in await self._repo.runnable_campaigns(self._clock()):
            account = self._accounts.get(campaign.account)
            if account is None:
                log.error(
                    "campaign %s: account %s is not configured", campaign.id, campaign.account
                )
                continue
            try:
                done[campaign.id] = await self.advance(campaign, account)
            except Exception:
                log.exception("campaign %s: the worker failed; it goes on next turn", campaign.id)
        return done

    async def advance(self, campaign: Campaign, account: CampaignAccount) -> Advance:
        """Send the campaign's chunks in order until it is finished, paused, cancelled or must
        wait: up to `parallel` provider calls at once, the next chunk started (marked before
        its call) as soon as a call returns, while that call's answer is stored. Pause,
        cancel, quiet hours and the throttle are looked at before every chunk; chunks already
        in flight finish."""
        flying: set[asyncio.Task[str | None]] = set()
        pending: deque[tuple[int, int]] = deque()  # read a few at a time, claimed one by one
        slots = _CallSlots(self._parallel)
        sent = 0
        stop: Advance | None = None
        wait: tuple[str, datetime] | None = None
        try:
            while True:
                # Answers being stored are bounded too: a crash makes each chunk in flight
                # unknown, so at most `parallel` more than the calls themselves.
                while (
                    stop is None
                    and wait is None
                    and not slots.full()
                    and len(flying) < 2 * self._parallel
                ):
                    now = self._clock()
                    quiet = quiet_until(now, self._quiet)
                    if quiet is not None:
                        wait = ("quiet_hours", quiet)
                        break
                    if not pending:
                        pending.extend(await self._repo.pending_chunks(campaign.id, self._parallel))
                        if not pending:
                            break
                    chunk, size = pending[0]
                    answer = await reserve(self._repo, account, size, now)
                    if isinstance(answer, NeverFits):  # planned to fit; the config changed
                        answer = MustWait(answer.reason, now)
                    if isinstance(answer, MustWait):
                        wait = (answer.reason, answer.until)
                        break
                    item = await self._repo.start_chunk(campaign.id, chunk)
                    pending.popleft()
                    if item is None:
                        stop = Advance(sent)  # paused or cancelled since
                        break
                    if sent == 0 and not flying:
                        await self._repo.set_campaign_wait(campaign.id, None, None)
                    sent += 1
                    slots.take()
                    flying.add(
                        asyncio.ensure_future(self._send_chunk(campaign, account, item, slots))
                    )
                if not flying:
                    break
                freed = slots.next_freed()
                await asyncio.wait({*flying, freed}, return_when=asyncio.FIRST_COMPLETED)
                freed.cancel()
                for task in [t for t in flying if t.done()]:
                    flying.discard(task)
                    paused = task.result()
                    if paused is not None and (stop is None or stop.paused is None):
                        stop = Advance(sent, paused=paused)
        finally:
            if flying:
                # Never abandon a call in flight: its answer must be stored.
                for outcome in await asyncio.gather(*flying, return_exceptions=True):
                    if isinstance(outcome, str) and (stop is None or stop.paused is None):
                        stop = Advance(sent, paused=outcome)
        if stop is not None:
            return Advance(sent, paused=stop.paused)
        if wait is not None:
            reason, until = wait
            await self._repo.set_campaign_wait(campaign.id, reason, until)
            return Advance(sent, waiting=reason)
        return Advance(sent)

    async def _send_chunk(
        self, campaign: Campaign, account: CampaignAccount, item: StartedChunk, slots: _CallSlots
    ) -> str | None:
        """One chunk's provider call and its stored outcome; the pause reason, if it pauses.
        Its call slot is freed once a successful answer is in hand (the next chunk goes while
        this one is stored), or once a failure is handled (a pause is known before any other
        chunk starts). A chunk marked ahead that waited for its slot goes back unsent if the
        campaign was paused or cancelled meanwhile."""
        send_id = item.send.id
        waited = await slots.call_slot()
        freed = False
        try:
            if waited and not await self._still_running(campaign.id):
                # Paused or cancelled while this chunk waited: it goes back, unsent.
                await self._repo.release_chunk(
                    campaign.id, item.chunk, pause_reason="user", error="not sent: stopped"
                )
                return None
            try:
                result = await _call(account.provider, campaign.line, item.messages)
            except ProviderError as error:
                return await self._failed(campaign, account, item, error)
            except Exception:
                await self._repo.record_send_failure(
                    send_id,
                    error="internal error during the provider call",
                    unknown_recipients=[n for n, _ in item.messages],
                )
                await self._repo.finish_chunk(campaign.id, item.chunk)
                raise
            slots.free()
            freed = True
            await self._repo.record_chunk_result(
                campaign.id,
                item.chunk,
                result.receipts,
                next_poll_at=first_poll_at(self._poll_delay),
            )
            return None
        finally:
            if not freed:
                slots.free()

    async def _still_running(self, campaign_id: int) -> bool:
        campaign = await self._repo.get_campaign(campaign_id)
        return campaign is not None and campaign.status is CampaignStatus.RUNNING

    async def _failed(
        self, campaign: Campaign, account: CampaignAccount, item: StartedChunk, error: ProviderError
    ) -> str | None:
        nothing_went = not error.receipts and not error.unknown_recipients
        nothing_went = nothing_went and not error.outcome_unknown
        await alert_provider_error(self._alerts, account.name, error)
        if nothing_went and error.category in _PAUSING:
            reason = error.category.value
            await self._repo.release_chunk(
                campaign.id, item.chunk, pause_reason=reason, error=str(error)
            )
            log.warning("campaign %s paused: %s", campaign.id, error)
            await self._alerts.alert(
                f"campaign_paused:{campaign.id}:{reason}",
                "alert.campaign_paused",
                campaign_id=campaign.id,
                account=account.name,
                reason=error,
            )
            return reason
        went = {r.recipient for r in error.receipts}
        unknown = list(error.unknown_recipients)
        if error.outcome_unknown and not unknown:
            unknown = [n for n, _ in item.messages if n not in went]
        await self._repo.record_send_failure(
            item.send.id,
            error=str(error),
            receipts=error.receipts,
            unknown_recipients=unknown,
            next_poll_at=first_poll_at(self._poll_delay) if error.receipts else None,
        )
        await self._repo.finish_chunk(campaign.id, item.chunk)
        log.warning("campaign %s chunk %s failed: %s", campaign.id, item.chunk, error)
        if unknown:
            await self._alerts.alert(
                f"campaign_unknown:{campaign.id}",
                "alert.campaign_unknown",
                campaign_id=campaign.id,
                account=account.name,
                count=len(unknown),
            )
        return None


# A provider limit, credit or credentials: the campaign waits for a person, the chunk is kept.
_PAUSING: Final = frozenset({ErrorCategory.RATE_LIMIT, ErrorCategory.CREDIT, ErrorCategory.AUTH})


async def _call(
    provider: SmsProvider, line: str, messages: Sequence[tuple[str, str]]
) -> SendResult:
    texts = {text for _, text in messages}
    if len(texts) == 1:
        return await provider.send(line, [n for n, _ in messages], next(iter(texts)))
    return await provider.send_each(line, [OutgoingMessage(n, t) for n, t in messages])


# ---------------------------------------------------------------- control


async def start_campaign(
    repo: Storage, campaign_id: int, *, not_before: datetime | None = None
) -> Campaign | None:
    """Send (or schedule) a previewed campaign; None if it is no longer a draft."""
    return await repo.change_campaign_status(
        campaign_id, CampaignStatus.RUNNING, expect=[CampaignStatus.DRAFT], not_before=not_before
    )


async def pause_campaign(repo: Storage, campaign_id: int) -> Campaign | None:
    """Pause a running campaign before its next chunk; None if it is not running."""
    return await repo.change_campaign_status(
        campaign_id, CampaignStatus.PAUSED, expect=[CampaignStatus.RUNNING], pause_reason="user"
    )


async def resume_campaign(repo: Storage, campaign_id: int) -> Campaign | None:
    """Resume a paused campaign; None if it is not paused."""
    return await repo.change_campaign_status(
        campaign_id, CampaignStatus.RUNNING, expect=[CampaignStatus.PAUSED]
    )


async def cancel_campaign(repo: Storage, campaign_id: int) -> Campaign | None:
    """Cancel a campaign for good (its chunks not sent stay unsent); None if it is over."""
    return await repo.change_campaign_status(
        campaign_id,
        CampaignStatus.CANCELLED,
        expect=[CampaignStatus.DRAFT, CampaignStatus.RUNNING, CampaignStatus.PAUSED],
    )


__all__ = [
    "CHUNK_SIZE",
    "Advance",
    "CampaignAccount",
    "CampaignWorker",
    "NothingToSend",
    "Preview",
    "cancel_campaign",
    "pause_campaign",
    "plan_chunks",
    "prepare_campaign",
    "resume_campaign",
    "start_campaign",
]
