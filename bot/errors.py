"""The one error handler: log with the traceback, tell the user briefly, alert the admins."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.access.handlers import language_of
from bot.alerts.admin_chat import send_alert
from bot.context import Context
from bot.logs import redact
from bot.texts import t

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log every unhandled error; the user sees a short apology, never a traceback."""
    error = context.error
    log.error("unhandled error while handling %s", type(update).__name__, exc_info=error)
    data = context.bot_data
    if isinstance(update, Update) and update.effective_message is not None:
        user = update.effective_user
        lang = await language_of(data, user.id if user else None)
        try:
            await update.effective_message.reply_html(t(lang, "error.internal"))
        except TelegramError as exc:
            log.warning("could not tell the user about the error: %s", exc)
    # Exception text leaves the process here (into the admin chat): redact it on its way out.
    summary = redact(f"{type(error).__name__}: {error}", data.config.secret_values())[:500]
    await send_alert(
        data, context.bot, f"error:{type(error).__name__}", "alert.error", error=summary
    )
