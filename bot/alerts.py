"""Alerts to the admin chat, never the same one twice within the configured window."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import Bot
from telegram.error import ChatMigrated, TelegramError

from bot.context import BotData
from bot.logs import redact
from bot.texts import Raw, t
from providers.base import ErrorCategory, ProviderError

log = logging.getLogger(__name__)


async def send_alert(data: BotData, bot: Bot, key: str, text_key: str, **values: object) -> bool:
    """Post an alert unless the same `key` was posted within the window; True if posted."""
    window = data.config.alerts.window_seconds
    if not await data.repo.should_alert(key, window=window, now=datetime.now(UTC)):
        log.info("alert %s suppressed (already sent within %ss)", key, window)
        return False
    # Alert values carry provider and exception text into a chat: no secret goes with them.
    secrets = data.config.secret_values()
    clean = {
        k: redact(v, secrets) if isinstance(v, str) and not isinstance(v, Raw) else v
        for k, v in values.items()
    }
    text = t(data.config.telegram.language, text_key, **clean)
    log.warning("alert %s: %s", key, text)
    # The admin chat may have been upgraded to a supergroup since the config was written.
    chat_id = await data.repo.current_chat_id(data.config.telegram.admin_chat_id)
    try:
        try:
            await bot.send_message(chat_id, text, parse_mode="HTML")
        except ChatMigrated as exc:
            move = await data.repo.migrate_chat(chat_id, int(exc.new_chat_id))
            log.warning(
                "the admin chat %s was upgraded to supergroup %s (%d waiting SMS moved);"
                " replace telegram.admin_chat_id in the config",
                chat_id,
                move.new_chat_id,
                move.pending,
            )
            await bot.send_message(move.new_chat_id, text, parse_mode="HTML")
    except TelegramError as exc:
        log.error("alert %s could not be posted to the admin chat: %s", key, exc)
        return False
    return True


async def alert_provider_error(data: BotData, bot: Bot, account: str, error: ProviderError) -> None:
    """Alert the admins when an error needs a person: credentials, access, credit, limits."""
    if error.category is ErrorCategory.AUTH:
        await send_alert(data, bot, f"auth:{account}", "alert.auth", account=account, reason=error)
    elif error.category is ErrorCategory.CREDIT:
        await send_alert(data, bot, f"credit_out:{account}", "alert.credit_out", account=account)
    elif error.category is ErrorCategory.RATE_LIMIT:
        await send_alert(data, bot, f"limit:{account}", "alert.auth", account=account, reason=error)
