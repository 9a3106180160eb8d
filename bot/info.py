"""`/status`, `/history`, `/credit`, `/lines`: reading, never changing."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access import asked, requires
from bot.context import Account, Context
from bot.render import pack_messages, render_confirmation, shorten, state_label
from bot.texts import t
from providers.base import ProviderError
from providers.phone import display_number, to_ascii_digits
from storage.models import Role

log = logging.getLogger(__name__)

HISTORY_DEFAULT = 10
HISTORY_MAX = 50


def _int_argument(context: Context) -> int | None:
    """The first argument as a whole number (Persian digits and a leading # accepted)."""
    if not context.args:
        return None
    raw = to_ascii_digits(context.args[0]).lstrip("#")
    return int(raw) if raw.isdigit() else None


@requires(Role.VIEWER)
async def status_command(update: Update, context: Context) -> None:
    """`/status <id>`: a send's per-recipient delivery states."""
    message, _user, lang = await asked(update, context)
    data = context.bot_data
    send_id = _int_argument(context)
    if send_id is None:
        await message.reply_html(t(lang, "status_usage"))
        return
    send = await data.repo.get_send(send_id)
    if send is None:
        await message.reply_html(t(lang, "status_not_found", send_id=send_id))
        return
    recipients = await data.repo.get_recipients(send_id)
    await message.reply_html(render_confirmation(lang, send, recipients))


@requires(Role.VIEWER)
async def history_command(update: Update, context: Context) -> None:
    """`/history [n]`: this chat's recent sent and received SMS, newest first."""
    message, _user, lang = await asked(update, context)
    data = context.bot_data
    limit = min(_int_argument(context) or HISTORY_DEFAULT, HISTORY_MAX)
    entries = await data.repo.history(message.chat_id, limit)
    if not entries:
        await message.reply_html(t(lang, "history_empty"))
        return
    chunks = [t(lang, "history_header")]
    for entry in entries:
        if entry.kind == "sent":
            chunks.append(
                t(
                    lang,
                    "history_sent",
                    send_id=entry.send_id or "",
                    time=entry.at,
                    number=display_number(entry.number),
                    text=shorten(entry.text),
                    state=state_label(lang, entry.state) if entry.state else "",
                )
            )
        else:
            chunks.append(
                t(
                    lang,
                    "history_received",
                    time=entry.at,
                    number=display_number(entry.number),
                    line=entry.line,
                    text=shorten(entry.text),
                )
            )
    for text in pack_messages(chunks, sep="\n"):
        await message.reply_html(text)


async def _credit_line(lang: str, account: Account) -> str:
    try:
        credit = await account.provider.credit()
    except ProviderError as exc:
        log.warning("credit of %s: %s", account.name, exc)
        return t(lang, "credit_error", account=account.name, reason=exc)
    return t(lang, "credit_line", account=account.name, credit=credit)


@requires(Role.OPERATOR)
async def credit_command(update: Update, context: Context) -> None:
    """`/credit`: each account's credit, asked of every provider at once."""
    message, _user, lang = await asked(update, context)
    data = context.bot_data
    lines = await asyncio.gather(*(_credit_line(lang, a) for a in data.accounts.values()))
    await message.reply_html("\n".join(lines))


@requires(Role.VIEWER)
async def lines_command(update: Update, context: Context) -> None:
    """`/lines`: each account's lines (from config), the default marked."""
    message, _user, lang = await asked(update, context)
    data = context.bot_data
    default = data.default_account.name
    text = "\n".join(
        t(
            lang,
            "lines_line",
            account=a.name,
            provider=a.config.provider,
            default=t(lang, "default_mark") if a.name == default else "",
            lines=tuple(a.lines),
        )
        for a in data.accounts.values()
    )
    await message.reply_html(text)


def info_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("status", status_command),
        CommandHandler("history", history_command),
        CommandHandler("credit", credit_command),
        CommandHandler("lines", lines_command),
    ]
