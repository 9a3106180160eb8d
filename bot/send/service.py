"""The durable send: what may be sent (typed problems, not texts), the one `SendRequest`, and
`submit_send`, which stores the send with its idempotency key before any provider call.

Knows nothing of Telegram: the bot, the HTTP API and the jobs call the same functions."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final, Protocol

from bot.alerts.service import AlertSink, alert_provider_error
from bot.delivery.service import first_poll_at
from bot.throttle.service import AccountLimits, Granted, MustWait, reserve
from providers.base import ErrorCategory, ProviderError, Receipt, SendResult, SmsProvider
from providers.parts import count_parts
from providers.phone import (
    InvalidNumberError,
    ParsedNumbers,
    normalize_mobile,
    parse_numbers,
    split_number_list,
    to_ascii_digits,
)
from storage.base import Storage
from storage.models import NewSend, Send

log = logging.getLogger(__name__)

MAX_RECIPIENTS_PER_SEND: Final = 100  # more than this is a /bulk job, with its own preview


class SendingAccount(Protocol):
    """What sending needs of a configured account."""

    @property
    def name(self) -> str:
        """The short name people type."""
        ...

    @property
    def provider(self) -> SmsProvider:
        """Its adapter."""
        ...

    @property
    def part_limit(self) -> int | None:
        """The most parts one text may take on it (None: no limit of ours)."""
        ...

    @property
    def lines(self) -> tuple[str, ...]:
        """Its lines; a failover sends from the fallback's first."""
        ...

    @property
    def fallback(self) -> SendingAccount | None:
        """The account a send goes through when this one surely sent nothing (config
        `accounts[].fallback`), or None."""
        ...


# ---------------------------------------------------------------- what may be sent


@dataclass(frozen=True, slots=True)
class Recipients:
    """Validated recipients: E.164, distinct, at least one, at most the per-send limit."""

    numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SmsText:
    """A text that may be sent on the account it was checked for, with its part count."""

    body: str
    parts: int


@dataclass(frozen=True, slots=True)
class InvalidNumbers:
    """Some numbers are not Iranian mobiles (each with its reason)."""

    items: tuple[InvalidNumberError, ...]


@dataclass(frozen=True, slots=True)
class NoNumbers:
    """No number was given."""


@dataclass(frozen=True, slots=True)
class TooManyRecipients:
    """More recipients than one send takes."""

    count: int
    limit: int


@dataclass(frozen=True, slots=True)
class EmptyText:
    """The text is empty (or only spaces)."""


@dataclass(frozen=True, slots=True)
class TooManyParts:
    """The text takes more parts than the account accepts."""

    parts: int
    limit: int
    account: str


NumbersProblem = InvalidNumbers | NoNumbers | TooManyRecipients
TextProblem = EmptyText | TooManyParts
SendProblem = NumbersProblem | TextProblem


def check_numbers(parsed: ParsedNumbers) -> Recipients | NumbersProblem:
    """The recipients, or why this list of numbers cannot be sent to."""
    if parsed.invalid:
        return InvalidNumbers(parsed.invalid)
    if not parsed.valid:
        return NoNumbers()
    if len(parsed.valid) > MAX_RECIPIENTS_PER_SEND:
        return TooManyRecipients(len(parsed.valid), MAX_RECIPIENTS_PER_SEND)
    return Recipients(parsed.valid)


def check_text(account: SendingAccount, text: str) -> SmsText | TextProblem:
    """The text with its parts, or why it cannot be sent on this account."""
    if not text.strip():
        return EmptyText()
    parts = count_parts(text).parts
    limit = account.part_limit
    if limit is not None and parts > limit:
        return TooManyParts(parts, limit, account.name)
    return SmsText(text, parts)


def parse_number_list(text: str) -> ParsedNumbers:
    """A typed list of numbers (spaces, commas, new lines), each normalised once."""
    return parse_numbers(split_number_list(text))


# ---------------------------------------------------------------- `/send <numbers> <text>`


@dataclass(frozen=True, slots=True)
class TypedNumbers:
    """The numbers at the head of `/send` arguments: as typed, and their parse."""

    raw: tuple[str, ...]
    parsed: ParsedNumbers


def split_numbers_and_text(arguments: str) -> tuple[TypedNumbers, str]:
    """`/send` arguments: the leading numbers, then the text (which may span lines).

    Numbers are separated by commas, new lines or spaces; a number written in groups
    (`+98 912 345 6789`) is put back together, group by group, until it forms a mobile. A
    leading run of digits that never forms one is kept as it is, so the refusal names it.
    Each number is normalised once, while it is put together.
    """
    raw: list[str] = []
    valid: dict[str, None] = {}
    invalid: list[InvalidNumberError] = []
    pending: list[str] = []
    last: str | InvalidNumberError | None = None  # the normalisation of "".join(pending)

    def flush() -> None:
        if not pending:
            return
        typed = " ".join(pending)
        raw.append(typed)
        if isinstance(last, str):
            valid.setdefault(last, None)
        else:
            assert last is not None
            invalid.append(InvalidNumberError(typed, last.reason))
        pending.clear()

    rest = arguments.strip()
    while rest:
        match = _TOKEN.match(rest)
        assert match is not None  # rest is stripped, so a token is there
        token, gap = match.group(1), match.group(2)
        pieces = split_number_list(token)
        if not pieces or not all(_NUMBERISH.fullmatch(to_ascii_digits(p)) for p in pieces):
            break
        for index, piece in enumerate(pieces):
            pending.append(piece)
            joined = "".join(pending)
            last = _normalized(joined)
            complete = isinstance(last, str) or _digit_count(joined) >= _MAX_DIGITS
            separated = index < len(pieces) - 1 or token.endswith(_LIST_SEPARATORS)
            if complete or separated:
                flush()
        if "\n" in gap:
            flush()
        rest = rest[match.end() :]
    flush()
    return TypedNumbers(tuple(raw), ParsedNumbers(tuple(valid), tuple(invalid))), rest.strip()


_TOKEN = re.compile(r"(\S+)(\s*)")
_NUMBERISH = re.compile(r"[+\d()\-]*\d[+\d()\-]*")
_LIST_SEPARATORS = (",", "،", ";", "؛")
_MAX_DIGITS = 14  # no mobile in any accepted form has more


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in to_ascii_digits(text))


def _normalized(text: str) -> str | InvalidNumberError:
    try:
        return normalize_mobile(text)
    except InvalidNumberError as exc:
        return exc


# ---------------------------------------------------------------- the send itself


@dataclass(frozen=True, slots=True)
class SendRequest:
    """What a person asked to send, validated: from `line` of `account`, once per key."""

    idempotency_key: str
    account: SendingAccount
    line: str
    recipients: Recipients
    text: SmsText
    chat_id: int
    user_id: int
    # The text kept in the database (history, exports, confirmations) when it must differ
    # from what goes out: a verification code's SMS is stored with its code masked.
    stored_text: str | None = None
    # Who asked, for the audit log, when it is not a Telegram user (an API key's name).
    audit_as: str = ""


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """The stored send; `created` False when the same request was seen before."""

    send: Send
    created: bool
    error: ProviderError | None = None


async def submit_send(
    repo: Storage,
    alerts: AlertSink,
    request: SendRequest,
    *,
    poll_delay: float,
    limits: AccountLimits | None = None,
    clock: Callable[[], datetime] | None = None,
) -> SendOutcome:
    """Store the send, then call the provider once, then store its answer; problems that
    need a person go to `alerts`. `poll_delay`: seconds until the first delivery poll.

    With `limits`, the send counts against the account's per-minute and daily limits, which
    every send of the account shares (campaigns too): at the per-minute limit it waits for the
    next minute; over the daily cap (or over a minute's worth at once) it is refused, stored
    as failed, and nothing is sent.

    A second request with the same idempotency key (a Telegram update delivered twice, a
    button pressed twice) returns the stored send and calls nobody.
    """
    stored = await store_send(repo, request)
    if not stored.created:
        return stored
    return await call_provider(
        repo, alerts, request, stored.send, poll_delay=poll_delay, limits=limits, clock=clock
    )


async def store_send(repo: Storage, request: SendRequest) -> SendOutcome:
    """The first half of `submit_send`: store the send (or find it by its key) and audit it.
    The caller then calls `call_provider` once, if `created` (the HTTP API answers between)."""
    recipients = request.recipients.numbers
    send, created = await repo.create_send(
        idempotency_key=request.idempotency_key,
        account=request.account.name,
        line=request.line,
        text=request.text.body if request.stored_text is None else request.stored_text,
        chat_id=request.chat_id,
        requested_by=request.user_id,
        recipients=recipients,
    )
    if not created:
        log.info(
            "send %s: request %s seen before; not sent again", send.id, request.idempotency_key
        )
        return SendOutcome(send, created=False)
    by = f" by {request.audit_as}" if request.audit_as else ""
    detail = f"#{send.id} to {len(recipients)}{by}"
    await repo.audit(request.user_id, request.chat_id, "send", detail)
    return SendOutcome(send, created=True)


async def store_sends(repo: Storage, requests: Sequence[SendRequest]) -> list[SendOutcome]:
    """`store_send` for many requests at once: stored in one transaction and audited in
    one more (the HTTP API's group commit of concurrent requests); outcomes in order."""
    stored = await repo.create_sends(
        [
            NewSend(
                idempotency_key=r.idempotency_key,
                account=r.account.name,
                line=r.line,
                text=r.text.body if r.stored_text is None else r.stored_text,
                chat_id=r.chat_id,
                requested_by=r.user_id,
                recipients=r.recipients.numbers,
            )
            for r in requests
        ]
    )
    entries: list[tuple[int | None, int | None, str, str]] = []
    for request, (send, created) in zip(requests, stored, strict=True):
        if created:
            by = f" by {request.audit_as}" if request.audit_as else ""
            detail = f"#{send.id} to {len(request.recipients.numbers)}{by}"
            entries.append((request.user_id, request.chat_id, "send", detail))
        else:
            log.info(
                "send %s: request %s seen before; not sent again", send.id, send.idempotency_key
            )
    await repo.audit_many(entries)
    return [SendOutcome(send, created=created) for send, created in stored]


RecordResult = Callable[[int, Sequence[Receipt], datetime], Awaitable[Send]]
"""Stores a provider's answer: `Storage.record_send_result`, or a batcher of it (the API)."""


async def call_provider(
    repo: Storage,
    alerts: AlertSink,
    request: SendRequest,
    send: Send,
    *,
    poll_delay: float,
    limits: AccountLimits | None = None,
    clock: Callable[[], datetime] | None = None,
    record: RecordResult | None = None,
) -> SendOutcome:
    """The second half of `submit_send`: call the provider once for the stored `send`, then
    store its answer (`record`, default `repo.record_send_result`; a send stored but never
    called is marked unknown at the next start). If the account surely sent nothing and has
    a fallback, the send is moved to the fallback's first line in the database, then sent
    there, once (one hop). With `limits`, the account's throttle and daily cap are honoured
    first (see `submit_send`); a send they refuse is stored failed, with no failover."""
    account = request.account
    if limits is not None:
        recipients = request.recipients.numbers
        refused = await _wait_for_room(repo, limits, len(recipients), clock or _utc_now)
        if refused is not None:
            stored = await repo.record_send_failure(send.id, error=str(refused))
            log.info("send %s refused by the account's limits: %s", send.id, refused)
            return SendOutcome(stored, created=True, error=refused)
    try:
        result = await _provider_send(repo, request, send)
    except ProviderError as error:
        moved = _failover_request(request, error)
        if moved is None:
            return await _record_failure(repo, alerts, request, send, error, poll_delay)
        # The first account surely sent nothing: its trouble still needs a person.
        await alert_provider_error(alerts, account.name, error)
        log.warning(
            "send %s: %s sent nothing (%s); sending through its fallback %s",
            send.id,
            account.name,
            error,
            moved.account.name,
        )
        # Stored before the second call, like the first: a crash now leaves it unknown.
        send = await repo.switch_send_account(
            send.id, account=moved.account.name, line=moved.line, reason=failover_reason(error)
        )
        request = moved
        try:
            result = await _provider_send(repo, request, send)
        except ProviderError as second:
            return await _record_failure(repo, alerts, request, send, second, poll_delay)
    if record is None:
        stored = await repo.record_send_result(
            send.id, result.receipts, next_poll_at=first_poll_at(poll_delay)
        )
    else:
        stored = await record(send.id, result.receipts, first_poll_at(poll_delay))
    log.info(
        "send %s: %d recipients accepted by %s",
        send.id,
        len(result.receipts),
        request.account.name,
    )
    return SendOutcome(stored, created=True)


async def _provider_send(repo: Storage, request: SendRequest, send: Send) -> SendResult:
    """The one provider call of a send (or of its failover)."""
    try:
        return await request.account.provider.send(
            request.line, request.recipients.numbers, request.text.body
        )
    except ProviderError:
        raise
    except Exception:
        # A bug after the request may have left: the outcome is unknown now (not only after a
        # restart, which is what happens if the process dies here), and it is never resent.
        await repo.record_send_failure(
            send.id,
            error="internal error during the provider call",
            unknown_recipients=request.recipients.numbers,
        )
        raise


# What an account that surely sent nothing may have failed with (SPEC §5: failover only then).
FAILOVER_CATEGORIES: Final = frozenset(
    {ErrorCategory.AUTH, ErrorCategory.CREDIT, ErrorCategory.RATE_LIMIT, ErrorCategory.TRANSIENT}
)


def surely_nothing_sent(error: ProviderError) -> bool:
    """Whether a failed send surely sent no SMS, for a reason of the account, not of the
    request: credentials, access or IP refused, no credit, a sending limit, or a provider
    that was never reached (a TRANSIENT send failure that is not `outcome_unknown`: the
    connection was never made, or the provider's answer says nothing went). Never when the
    outcome is unknown or some recipients went."""
    return (
        error.category in FAILOVER_CATEGORIES
        and not error.outcome_unknown
        and not error.receipts
        and not error.unknown_recipients
    )


def failover_reason(error: ProviderError) -> str:
    """Why a send moved to the fallback, as stored: `<category>:<reason key>`, the reason key
    being the error's own, else `<provider>.<code>`, else empty (the texts word each)."""
    key = error.reason_key or (
        f"{error.provider}.{error.code}" if error.provider and error.code else ""
    )
    return f"{error.category.value}:{key}"


def _failover_request(request: SendRequest, error: ProviderError) -> SendRequest | None:
    """The same request on the account's fallback, if this error allows one (one hop: the
    fallback's own fallback is never followed) and the text fits the fallback."""
    fallback = request.account.fallback
    if fallback is None or not fallback.lines or not surely_nothing_sent(error):
        return None
    text = check_text(fallback, request.text.body)
    if not isinstance(text, SmsText):
        log.warning("no failover to %s: the text does not fit it (%s)", fallback.name, text)
        return None
    return replace(request, account=fallback, line=fallback.lines[0], text=text)


async def _record_failure(
    repo: Storage,
    alerts: AlertSink,
    request: SendRequest,
    send: Send,
    error: ProviderError,
    poll_delay: float,
) -> SendOutcome:
    went = {r.recipient for r in error.receipts}
    unknown: tuple[str, ...] = error.unknown_recipients
    if error.outcome_unknown and not unknown:
        unknown = tuple(r for r in request.recipients.numbers if r not in went)
    stored = await repo.record_send_failure(
        send.id,
        error=str(error),
        receipts=error.receipts,
        unknown_recipients=unknown,
        next_poll_at=first_poll_at(poll_delay) if error.receipts else None,
    )
    log.warning("send %s failed: %s", send.id, error)
    await alert_provider_error(alerts, request.account.name, error)
    if unknown:
        await alerts.alert(
            f"unknown_send:{send.id}",
            "alert.unknown_outcome",
            send_id=send.id,
            account=request.account.name,
        )
    return SendOutcome(stored, created=True, error=error)


# The longest a single send waits for the account's next minute before it is refused.
_MAX_THROTTLE_WAIT: Final = 61.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def _wait_for_room(
    repo: Storage, limits: AccountLimits, count: int, clock: Callable[[], datetime]
) -> ProviderError | None:
    """Count the send against the account's limits, waiting for the next minute if need be;
    the reason it may not go (the daily cap, or more than a minute's worth), or None."""
    waited = 0.0
    while True:
        now = clock()
        answer = await reserve(repo, limits, count, now)
        if isinstance(answer, Granted):
            return None
        if isinstance(answer, MustWait) and answer.reason == "throttle":
            pause = max(0.05, (answer.until - now).total_seconds())
            if waited + pause <= _MAX_THROTTLE_WAIT:
                waited += pause
                await asyncio.sleep(pause)
                continue
        return ProviderError(
            ErrorCategory.RATE_LIMIT,
            f"the account's {answer.reason.replace('_', ' ')} is reached",
            provider="bridge",
            nothing_sent=True,
            reason_key=answer.reason,
        )


def sendable(
    account: SendingAccount, parsed: ParsedNumbers, text: str
) -> tuple[Recipients, SmsText] | SendProblem:
    """The recipients and text of a one-step send, or its first problem (numbers first)."""
    recipients = check_numbers(parsed)
    if not isinstance(recipients, Recipients):
        return recipients
    checked = check_text(account, text)
    if not isinstance(checked, SmsText):
        return checked
    return recipients, checked


__all__ = [
    "MAX_RECIPIENTS_PER_SEND",
    "EmptyText",
    "InvalidNumbers",
    "NoNumbers",
    "Recipients",
    "SendOutcome",
    "SendProblem",
    "SendRequest",
    "SmsText",
    "TooManyParts",
    "TooManyRecipients",
    "TypedNumbers",
    "call_provider",
    "check_numbers",
    "check_text",
    "failover_reason",
    "parse_number_list",
    "split_numbers_and_text",
    "store_send",
    "store_sends",
    "submit_send",
    "surely_nothing_sent",
]
