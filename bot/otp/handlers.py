"""`/otp <number>` sends a verification code; `/verify <number> <code>` checks it (operators).

Every answer is a text in the user's language; the service (`bot.otp.service`) decides."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access.handlers import asked, requires
from bot.account.handlers import command_arguments
from bot.config import OtpConfig
from bot.context import Context
from bot.otp.service import (
    OtpCheck,
    OtpCheckFailed,
    OtpRefused,
    OtpSent,
    telegram_requester,
)
from bot.otp.shared import otp_service
from bot.send.shared import number_reason
from bot.texts import t
from providers.phone import InvalidNumberError, display_number, normalize_mobile, to_ascii_digits
from storage.models import Role

log = logging.getLogger(__name__)


def _shown(number: str) -> str:
    """A number as the answers show it: `+98 912 …` when it is a mobile, else as typed."""
    try:
        return display_number(normalize_mobile(number))
    except InvalidNumberError:
        return number


def sent_text(lang: str, number: str, answer: OtpSent) -> str:
    """What `/otp` answers when the code went (or may have)."""
    key = "otp.sent_unknown" if answer.outcome_unknown else "otp.sent"
    text = t(lang, key, number=_shown(number), account=answer.account, time=answer.expires_at)
    if answer.failover_from:
        text += "\n" + t(lang, "otp.failover", account=answer.account, name=answer.failover_from)
    return text


def refused_text(lang: str, number: str, answer: OtpRefused) -> str:
    """What `/otp` answers when no code went."""
    match answer.reason:
        case "rate_limited":
            return t(lang, "otp.rate_limited", seconds=answer.retry_after_seconds or 1)
        case "invalid_number":
            reason = number_reason(lang, InvalidNumberError(number, answer.detail))
            return t(lang, "otp.invalid_number", raw=number, reason=reason)
        case "unsupported":
            return t(lang, "otp.unsupported", account=answer.detail)
        case "send_failed":
            if answer.error is not None:
                return t(lang, "otp.send_failed", reason=answer.error)
            return t(lang, "otp.not_sent")


def check_text(lang: str, answer: OtpCheck | OtpCheckFailed, raw: str, config: OtpConfig) -> str:
    """What `/verify` answers."""
    if isinstance(answer, OtpCheckFailed):
        if answer.reason == "invalid_number":
            reason = number_reason(lang, InvalidNumberError(raw, answer.detail))
            return t(lang, "otp.invalid_number", raw=raw, reason=reason)
        return t(lang, "otp.check_failed", reason=answer.error)
    if answer.valid:
        return t(lang, "otp.valid")
    if answer.malformed:
        if config.mode == "provider":
            return t(lang, "otp.malformed_digits", count=answer.checks_left)
        return t(lang, "otp.malformed", length=config.length, count=answer.checks_left)
    match answer.reason:
        case "wrong":
            return t(lang, "otp.wrong", count=answer.checks_left)
        case "expired":
            return t(lang, "otp.expired")
        case "too_many_checks":
            return t(lang, "otp.too_many_checks")
        case _:
            return t(lang, "otp.no_code")


@requires(Role.OPERATOR)
async def otp_command(update: Update, context: Context) -> None:
    """`/otp <number>`: send the number a verification code."""
    message, user, lang = await asked(update, context)
    number = command_arguments(message).strip()
    if not number:
        await message.reply_html(t(lang, "otp.usage"))
        return
    service = otp_service(context.bot_data, context.bot)
    answer = await service.send(
        number,
        telegram_requester(user.id),
        idempotency_key=f"tg:{message.chat_id}:{message.message_id}",
        chat_id=message.chat_id,
    )
    if isinstance(answer, OtpSent):
        if not answer.created:
            return  # the same update again: answered the first time
        await message.reply_html(sent_text(lang, number, answer))
        return
    log.info("otp to %r refused: %s", number, answer.reason)
    await message.reply_html(refused_text(lang, number, answer))


@requires(Role.OPERATOR)
async def verify_command(update: Update, context: Context) -> None:
    """`/verify <number> <code>`: valid, wrong (checks left), expired, too many checks, or no
    code. The last word is the code, everything before it the number (it may be in groups)."""
    message, user, lang = await asked(update, context)
    words = to_ascii_digits(command_arguments(message)).split()
    if len(words) < 2:
        await message.reply_html(t(lang, "otp.verify_usage"))
        return
    number, code = " ".join(words[:-1]), words[-1]
    service = otp_service(context.bot_data, context.bot)
    answer = await service.verify(number, code, telegram_requester(user.id))
    await message.reply_html(check_text(lang, answer, number, service.config))


def otp_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature."""
    return [CommandHandler("otp", otp_command), CommandHandler("verify", verify_command)]
