"""The durable send: what may be sent (typed problems, not texts), the one `SendRequest`, and
`submit_send`, which stores the send with its idempotency key before any provider call.

Knows nothing of Telegram: the bot, the HTTP API and the jobs call the same functions."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from bot.alerts.service import AlertSink, alert_provider_error
from bot.delivery.service import first_poll_at
from providers.base import ProviderError, Receipt, SmsProvider
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
    # Who asked, for the audit log, when it is not a Telegram user (an API key's name).
    audit_as: str = ""


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """The stored send; `created` False when the same request was seen before."""

    send: Send
    created: bool
    error: ProviderError | None = None


async def submit_send(
    repo: Storage, alerts: AlertSink, request: SendRequest, *, poll_delay: float
) -> SendOutcome:
    """Store the send, then call the provider once, then store its answer; problems that
    need a person go to `alerts`. `poll_delay`: seconds until the first delivery poll.

    A second request with the same idempotency key (a Telegram update delivered twice, a
    button pressed twice) returns the stored send and calls nobody.
    """
    stored = await store_send(repo, request)
    if not stored.created:
        return stored
    return await call_provider(repo, alerts, request, stored.send, poll_delay=poll_delay)


async def store_send(repo: Storage, request: SendRequest) -> SendOutcome:
    """The first half of `submit_send`: store the send (or find it by its key) and audit it.
    The caller then calls `call_provider` once, if `created` (the HTTP API answers between)."""
    recipients = request.recipients.numbers
    account = request.account
    send, created = await repo.create_send(
        idempotency_key=request.idempotency_key,
        account=account.name,
        line=request.line,
        text=request.text.body,
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
                text=r.text.body,
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
    record: RecordResult | None = None,
) -> SendOutcome:
    """The second half of `submit_send`: call the provider once for the stored `send`, then
    store its answer (a send stored but never called is marked unknown at the next start);
    `record` stores it (default `repo.record_send_result`)."""
    recipients = request.recipients.numbers
    account = request.account
    try:
        result = await account.provider.send(request.line, recipients, request.text.body)
    except ProviderError as error:
        return await _record_failure(repo, alerts, request, send, error, poll_delay)
    except Exception:
        # A bug after the request may have left: the outcome is unknown now (not only after a
        # restart, which is what happens if the process dies here), and it is never resent.
        await repo.record_send_failure(
            send.id,
            error="internal error during the provider call",
            unknown_recipients=recipients,
        )
        raise
    if record is None:
        stored = await repo.record_send_result(
            send.id, result.receipts, next_poll_at=first_poll_at(poll_delay)
        )
    else:
        stored = await record(send.id, result.receipts, first_poll_at(poll_delay))
    log.info("send %s: %d recipients accepted by %s", send.id, len(result.receipts), account.name)
    return SendOutcome(stored, created=True)


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
    "parse_number_list",
    "split_numbers_and_text",
    "store_send",
    "store_sends",
    "submit_send",
]
