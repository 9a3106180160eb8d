"""The durable send: written to SQLite with its idempotency key before any provider call."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import Bot

from bot.alerts import alert_provider_error, send_alert
from bot.context import Account, BotData
from bot.texts import Raw, t
from providers.base import ErrorCategory, ProviderError
from providers.parts import count_parts
from providers.phone import (
    InvalidNumberError,
    ParsedNumbers,
    normalize_mobile,
    parse_numbers,
    split_number_list,
    to_ascii_digits,
)
from providers.registry import provider_spec
from storage.models import Send

log = logging.getLogger(__name__)

MAX_RECIPIENTS_PER_SEND = 100  # more than this is a /bulk job, with its own preview


@dataclass(frozen=True, slots=True)
class SendRequest:
    """What a person asked to send, already validated."""

    idempotency_key: str
    account: Account
    line: str
    recipients: tuple[str, ...]  # E.164
    text: str
    chat_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """The stored send; `created` False when the same request was seen before."""

    send: Send
    created: bool
    error: ProviderError | None = None


def first_poll_at(data: BotData, now: datetime | None = None) -> datetime:
    """When a fresh send's recipients are first asked about: `[polling] delivery` seconds on
    (`bot.jobs.next_poll_at` gives the later polls)."""
    return (now or datetime.now(UTC)) + timedelta(seconds=data.config.polling.delivery)


def numbers_problem(lang: str, parsed: ParsedNumbers) -> str | None:
    """The refusal for a list of numbers, or None if every one is valid."""
    if parsed.invalid:
        items = "\n".join(
            t(lang, "invalid_number_item", raw=e.raw, reason=_reason(lang, e))
            for e in parsed.invalid
        )
        return t(lang, "invalid_numbers", items=Raw(items))
    if not parsed.valid:
        return t(lang, "no_numbers")
    if len(parsed.valid) > MAX_RECIPIENTS_PER_SEND:
        return t(
            lang, "too_many_recipients", limit=MAX_RECIPIENTS_PER_SEND, count=len(parsed.valid)
        )
    return None


_REASONS_FA = {
    "empty": "خالی است",
    "contains characters that are not digits": "نویسهٔ غیرعددی دارد",
    "not a phone number": "شماره تلفن نیست",
    "not an Iranian number": "شمارهٔ ایران نیست",
    "not a valid Iranian number": "شمارهٔ معتبر ایران نیست",
    "not a mobile number": "شمارهٔ همراه نیست",
}


def _reason(lang: str, error: InvalidNumberError) -> str:
    return _REASONS_FA.get(error.reason, error.reason) if lang == "fa" else error.reason


def text_problem(lang: str, account: Account, text: str) -> str | None:
    """The refusal for a text on this account, or None if it can be sent."""
    if not text.strip():
        return t(lang, "empty_text")
    limit = provider_spec(account.config.provider).max_parts
    parts = count_parts(text).parts
    if limit is not None and parts > limit:
        return t(lang, "too_many_parts", parts=parts, account=account.name, limit=limit)
    return None


def split_numbers_and_text(args_text: str) -> tuple[list[str], str]:
    """`/send` arguments: the leading numbers, then the text (which may span lines).

    Numbers are separated by commas, new lines or spaces; a number written in groups
    (`+98 912 345 6789`) is put back together, group by group, until it forms a mobile. A
    leading run of digits that never forms one is returned as it is, so the refusal names it.
    """
    numbers: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            numbers.append(" ".join(pending))
            pending.clear()

    rest = args_text.strip()
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
            complete = _is_mobile(joined) or _digit_count(joined) >= _MAX_DIGITS
            separated = index < len(pieces) - 1 or token.endswith(_LIST_SEPARATORS)
            if complete or separated:
                flush()
        if "\n" in gap:
            flush()
        rest = rest[match.end() :]
    flush()
    return numbers, rest.strip()


_TOKEN = re.compile(r"(\S+)(\s*)")
_NUMBERISH = re.compile(r"[+\d()\-]*\d[+\d()\-]*")
_LIST_SEPARATORS = (",", "،", ";", "؛")
_MAX_DIGITS = 14  # no mobile in any accepted form has more


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in to_ascii_digits(text))


def _is_mobile(text: str) -> bool:
    try:
        normalize_mobile(text)
    except InvalidNumberError:
        return False
    return True


def parse_recipients(raw: Sequence[str]) -> ParsedNumbers:
    """Normalise typed numbers (duplicates once)."""
    return parse_numbers(raw)


async def submit_send(data: BotData, bot: Bot, request: SendRequest) -> SendOutcome:
    """Store the send, then call the provider once, then store its answer.

    A second request with the same idempotency key (a Telegram update delivered twice, a
    button pressed twice) returns the stored send and calls nobody.
    """
    repo = data.repo
    send, created = await repo.create_send(
        idempotency_key=request.idempotency_key,
        account=request.account.name,
        line=request.line,
        text=request.text,
        chat_id=request.chat_id,
        requested_by=request.user_id,
        recipients=request.recipients,
    )
    if not created:
        log.info(
            "send %s: request %s seen before; not sent again", send.id, request.idempotency_key
        )
        return SendOutcome(send, created=False)
    await repo.audit(
        request.user_id, request.chat_id, "send", f"#{send.id} to {len(request.recipients)}"
    )
    try:
        result = await request.account.provider.send(request.line, request.recipients, request.text)
    except ProviderError as error:
        return await _record_failure(data, bot, request, send, error)
    except Exception:
        # A bug after the request may have left: the outcome is unknown now (not only after a
        # restart, which is what happens if the process dies here), and it is never resent.
        await repo.record_send_failure(
            send.id,
            error="internal error during the provider call",
            unknown_recipients=request.recipients,
        )
        raise
    await repo.record_send_result(send.id, result.receipts, next_poll_at=first_poll_at(data))
    stored = await repo.get_send(send.id)
    log.info(
        "send %s: %d recipients accepted by %s", send.id, len(result.receipts), request.account.name
    )
    return SendOutcome(stored or send, created=True)


async def _record_failure(
    data: BotData, bot: Bot, request: SendRequest, send: Send, error: ProviderError
) -> SendOutcome:
    went = {r.recipient for r in error.receipts}
    unknown: tuple[str, ...] = error.unknown_recipients
    if error.outcome_unknown and not unknown:
        unknown = tuple(r for r in request.recipients if r not in went)
    await data.repo.record_send_failure(
        send.id,
        error=str(error),
        receipts=error.receipts,
        unknown_recipients=unknown,
        next_poll_at=first_poll_at(data) if error.receipts else None,
    )
    log.warning("send %s failed: %s", send.id, error)
    await alert_provider_error(data, bot, request.account.name, error)
    if unknown:
        await send_alert(
            data,
            bot,
            f"unknown_send:{send.id}",
            "alert.unknown_outcome",
            send_id=send.id,
            account=request.account.name,
        )
    stored = await data.repo.get_send(send.id)
    return SendOutcome(stored or send, created=True, error=error)


def error_text(lang: str, outcome: SendOutcome, account: str) -> str:
    """What to tell the person whose send failed, in plain words."""
    error = outcome.error
    assert error is not None
    if error.outcome_unknown or error.unknown_recipients:
        return t(lang, "error.unknown_outcome", send_id=outcome.send.id)
    if error.category is ErrorCategory.PARTIAL:
        return t(lang, "error.partial", reason=error)
    key = f"error.{error.category.value}"
    return t(lang, key, account=account, reason=error)
