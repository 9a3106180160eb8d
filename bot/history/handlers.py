"""`/status` and `/history` in Telegram."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access.handlers import asked, requires
from bot.campaigns.handlers import campaign_status
from bot.context import Context
from bot.history.service import SendNotFound, chat_history, conversation_history, send_status
from bot.render import pack_messages, render_confirmation, shorten, state_label
from bot.texts import t
from bot.topics.service import conversation
from providers.phone import display_number, to_ascii_digits
from storage.models import HistoryEntry, Role


def int_argument(context: Context) -> int | None:
    """The first argument as a whole number (Persian digits and a leading # accepted)."""
    if not context.args:
        return None
    raw = to_ascii_digits(context.args[0]).lstrip("#")
    return int(raw) if raw.isdigit() else None


@requires(Role.VIEWER)
async def status_command(update: Update, context: Context) -> None:
    """`/status <id>`: a send's per-recipient delivery states."""
    message, _user, lang = await asked(update, context)
    raw = to_ascii_digits(context.args[0]).lstrip("#") if context.args else ""
    campaign = await campaign_status(context, lang, raw)
    if campaign is not None:
        await message.reply_html(campaign)
        return
    send_id = int_argument(context)
    if send_id is None:
        await message.reply_html(t(lang, "status_usage"))
        return
    try:
        view = await send_status(context.bot_data.repo, send_id)
    except SendNotFound:
        await message.reply_html(t(lang, "status_not_found", send_id=send_id))
        return
    await message.reply_html(render_confirmation(lang, view.send, view.recipients))


def history_line(lang: str, entry: HistoryEntry) -> str:
    """One entry of /history."""
    if entry.kind == "sent":
        return t(
            lang,
            "history_sent",
            send_id=entry.send_id or "",
            time=entry.at,
            number=display_number(entry.number),
            text=shorten(entry.text),
            state=state_label(lang, entry.state) if entry.state else "",
        )
    return t(
        lang,
        "history_received",
        time=entry.at,
        number=display_number(entry.number),
        line=entry.line,
        text=shorten(entry.text),
    )


@requires(Role.VIEWER)
async def history_command(update: Update, context: Context) -> None:
    """`/history [n]`: this chat's recent sent and received SMS, newest first; in a
    customer's topic, that conversation's."""
    message, _user, lang = await asked(update, context)
    repo = context.bot_data.repo
    thread = message.message_thread_id if message.is_topic_message else None
    topic = await conversation(repo, message.chat_id, thread)
    if topic is not None:
        entries = await conversation_history(repo, topic, int_argument(context), datetime.now(UTC))
    else:
        entries = await chat_history(repo, message.chat_id, int_argument(context))
    if not entries:
        await message.reply_html(t(lang, "history_empty"))
        return
    chunks = [t(lang, "history_header"), *(history_line(lang, e) for e in entries)]
    for text in pack_messages(chunks, sep="\n"):
        await message.reply_html(text)


def history_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature."""
    return [
        CommandHandler("status", status_command),
        CommandHandler("history", history_command),
    ]
