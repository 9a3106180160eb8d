"""Turning SMS, sends and states into Telegram HTML that never breaks and never exceeds 4096."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

import jdatetime

from bot.optout.service import is_opt_out_request
from bot.texts import TEHRAN, Raw, t
from providers.base import DeliveryState, ErrorCategory, ProviderError
from providers.parts import count_parts
from providers.phone import display_number
from storage.models import IncomingMessage, Send, SendRecipient

TELEGRAM_LIMIT = 4096
CONFIRMATION_RECIPIENTS = 30  # beyond this a confirmation lists a count, not every number

_TAG = re.compile(r"<[^>]*>")


def digest(text: str) -> str:
    """A short fingerprint of a rendered text (to never edit a message to the same text)."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def visible_length(html_text: str) -> int:
    """Length Telegram counts: text after entity parsing, in UTF-16 code units."""
    plain = html.unescape(_TAG.sub("", html_text))
    return len(plain.encode("utf-16-le")) // 2


def tehran_time(moment: datetime) -> str:
    """A UTC moment as Jalali date and time in Tehran: `1405/09/01 14:30`, for logs and files.

    For a message, pass the moment itself to `t`, which writes it in the user's language."""
    local = moment.astimezone(TEHRAN)
    jalali = jdatetime.datetime.fromgregorian(datetime=local)
    return str(jalali.strftime("%Y/%m/%d %H:%M"))


def pack_messages(
    chunks: Iterable[str], limit: int = TELEGRAM_LIMIT, sep: str = "\n\n"
) -> list[str]:
    """Join self-contained HTML chunks into as few messages as fit `limit`; split none."""
    messages: list[str] = []
    current = ""
    for chunk in chunks:
        for piece in _split_chunk(chunk, limit):
            candidate = f"{current}{sep}{piece}" if current else piece
            if current and visible_length(candidate) > limit:
                messages.append(current)
                current = piece
            else:
                current = candidate
    if current:
        messages.append(current)
    return messages


def _split_chunk(chunk: str, limit: int) -> list[str]:
    """A chunk too long for one message is split on its plain text, never cut."""
    if visible_length(chunk) <= limit:
        return [chunk]
    plain = html.unescape(_TAG.sub("", chunk))
    pieces: list[str] = []
    current = ""
    for char in plain:
        if len((current + char).encode("utf-16-le")) // 2 > limit:
            pieces.append(html.escape(current, quote=False))
            current = ""
        current += char
    if current:
        pieces.append(html.escape(current, quote=False))
    return pieces


def render_incoming(lang: str, message: IncomingMessage) -> list[str]:
    """One incoming SMS as one message (or several, if its body is longer than Telegram takes)."""
    text = t(
        lang,
        "incoming",
        sender=display_number(message.sender),
        line=message.line,
        time=message.received_at,
        body=_verbatim(message.body),
    )
    if is_opt_out_request(message.body):
        text = f"{t(lang, 'optout.marked')}\n{text}"
    return _split_chunk(text, TELEGRAM_LIMIT)


def _digest_item(lang: str, message: IncomingMessage) -> str:
    item = t(
        lang,
        "digest_item",
        sender=display_number(message.sender),
        line=message.line,
        time=message.received_at,
        body=_verbatim(message.body),
    )
    return f"{item}\n{t(lang, 'optout.marked')}" if is_opt_out_request(message.body) else item


def _digest_room(lang: str) -> int:
    return TELEGRAM_LIMIT - visible_length(t(lang, "digest_header", count=99999)) - 2


def fits_digest(lang: str, message: IncomingMessage) -> bool:
    """Whether the SMS fits in a digest (else it is forwarded on its own)."""
    return visible_length(_digest_item(lang, message)) + 2 <= _digest_room(lang)


def render_digests(lang: str, messages: Sequence[IncomingMessage]) -> list[tuple[str, list[int]]]:
    """Pack many incoming SMS for one chat into as few messages as fit, in order, each with a
    header, and say which SMS ids each message carries. An SMS too long for a digest
    (`fits_digest`) is left out of it (its id is in no message): the caller forwards it on
    its own, in its place."""
    packed: list[tuple[str, list[int]]] = []
    group: list[tuple[int, str]] = []
    room = _digest_room(lang)

    def flush() -> None:
        if group:
            header = t(lang, "digest_header", count=len(group))
            packed.append(
                ("\n\n".join([header, *(item for _, item in group)]), [i for i, _ in group])
            )
            group.clear()

    used = 0
    for message in messages:
        item = _digest_item(lang, message)
        size = visible_length(item) + 2
        if size > room:
            continue
        if used + size > room:
            flush()
            used = 0
        group.append((message.id, item))
        used += size
    flush()
    return packed


def state_label(lang: str, state: DeliveryState) -> str:
    """A state in words, with its symbol."""
    return t(lang, f"state.{state.value}")


def render_confirmation(
    lang: str, send: Send, recipients: Sequence[SendRecipient], *, parts: int | None = None
) -> str:
    """The confirmation message of a send, as its recipients' states stand (`parts`: its
    text's part count, when the caller has counted it already)."""
    done = sum(1 for r in recipients if r.state is DeliveryState.DELIVERED)
    failed = sum(
        1 for r in recipients if r.state.is_final and r.state is not DeliveryState.DELIVERED
    )
    waiting = len(recipients) - done - failed
    lines = [
        t(
            lang,
            "recipient_line",
            number=display_number(r.recipient),
            state=state_label(lang, r.state),
        )
        for r in recipients[:CONFIRMATION_RECIPIENTS]
    ]
    if len(recipients) > CONFIRMATION_RECIPIENTS:
        lines.append(t(lang, "confirmation_more", count=len(recipients) - CONFIRMATION_RECIPIENTS))
    summary = t(
        lang,
        "summary",
        total=len(recipients),
        parts=count_parts(send.text).parts if parts is None else parts,
        done=done,
        failed=failed,
        waiting=waiting,
    )
    if send.failover_from:
        summary = f"{failover_note(lang, send)}\n{summary}"
    return t(
        lang,
        "confirmation",
        send_id=send.id,
        line=send.line,
        account=send.account,
        summary=Raw(summary),
        recipients=Raw("\n".join(lines)),
    )


def failover_note(lang: str, send: Send) -> str:
    """Which account sent a send that moved to its fallback, and why the first did not."""
    category, _, key = (send.failover_reason or "").partition(":")
    try:
        kind = ErrorCategory(category)
    except ValueError:
        kind = ErrorCategory.TRANSIENT
    # Worded as the provider reasons are, from the stored category and reason key.
    reason = ProviderError(kind, "", reason_key=key)
    return t(lang, "failover.note", account=send.account, name=send.failover_from, reason=reason)


def shorten(text: str, limit: int = 80) -> str:
    """One line of at most `limit` characters, for lists."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _verbatim(body: str) -> Raw:
    """An SMS body as it came, only HTML-escaped: a body that is all digits (`11`, a code) or
    looks like a time keeps its own digits instead of being written as a Persian number."""
    return Raw(html.escape(body, quote=False))
