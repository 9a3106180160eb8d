"""`/export [days]` (admins: `/export [days] <line>`): the SMS as a CSV document."""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access.handlers import asked, requires, role_name, sender_role
from bot.access.service import has_right
from bot.context import Context
from bot.export.csvfile import write_export
from bot.export.service import (
    EXPORT_MAX_DAYS,
    BadDays,
    UnknownExportLine,
    export_days,
    export_rows,
    export_scope,
)
from bot.texts import t
from bot.topics.service import conversation
from providers.phone import to_ascii_digits
from storage.models import Role

log = logging.getLogger(__name__)

MAX_DOCUMENT = 50 * 1000 * 1000  # Telegram takes documents up to 50 MB from a bot


@requires(Role.VIEWER)
async def export_command(update: Update, context: Context) -> None:
    """`/export [days] [line]`: this chat's (or topic's, or an admin's line's) SMS as CSV."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    args = list(context.args or [])
    try:
        days = export_days(args[0] if args else None)
    except BadDays as bad:
        await message.reply_html(t(lang, "export_bad_days", raw=bad.raw, limit=EXPORT_MAX_DAYS))
        return
    line = to_ascii_digits(args[1]) if len(args) > 1 else None
    if line is not None and not has_right(await sender_role(update, context), Role.ADMIN):
        role = await sender_role(update, context)
        await message.reply_html(t(lang, "refused_right", role=role_name(lang, role)))
        return
    thread = message.message_thread_id if message.is_topic_message else None
    topic = await conversation(data.repo, message.chat_id, thread)
    lines = tuple(ln for a in data.accounts.values() for ln in a.lines)
    try:
        scope = export_scope(message.chat_id, topic, line, lines)
    except UnknownExportLine as unknown:
        await message.reply_html(t(lang, "route_unknown_line", line=unknown.line, lines=lines))
        return
    rows = export_rows(data.repo, scope, days, datetime.now(UTC))
    # On disk, not in memory: an export may hold millions of rows.
    with tempfile.TemporaryFile() as out:
        count = await write_export(rows, lang, out)
        if count == 0:
            await message.reply_html(t(lang, "export_empty", days=days))
            return
        size = out.tell()
        if size > MAX_DOCUMENT:
            log.info("export of %d rows is %d bytes: too big to send", count, size)
            await message.reply_html(
                t(lang, "export_too_big", count=count, days=days, size=size // 1_000_000)
            )
            return
        out.seek(0)
        name = f"sms-{scope.line or message.chat_id}-{days}d.csv"
        await message.reply_document(
            out, filename=name, caption=t(lang, "export_caption", count=count, days=days)
        )
    await data.repo.audit(user.id, message.chat_id, "export", f"{days} {line or ''}".strip())


def export_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature."""
    return [CommandHandler("export", export_command)]
