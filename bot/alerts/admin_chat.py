"""The alert sink that posts to the admin chat (redacted, in the configured language), used by
handlers, jobs and the services they call."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import ChatMigrated, TelegramError

from bot.alerts import service
from bot.alerts.service import AlertDedupe
from bot.context import BotData
from bot.logs import redact
from bot.texts import Raw, t
from providers.base import ProviderError

log = logging.getLogger(__name__)


class AdminChatAlerts:
    """An `AlertSink` over the admin chat of `data`'s config, posting with `bot`."""

    def __init__(self, data: BotData, bot: Bot) -> None:
        self._data = data
        self._bot = bot
        self._dedupe = AlertDedupe(data.repo, data.config.alerts.window_seconds)

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        """Post an alert unless the same `key` was posted within the window; True if posted."""
        if not await self._dedupe.due(key):
            return False
        data = self._data
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
                await self._bot.send_message(chat_id, text, parse_mode="HTML")
            except ChatMigrated as exc:
                move = await data.repo.migrate_chat(chat_id, int(exc.new_chat_id))
                log.warning(
                    "the admin chat %s was upgraded to supergroup %s (%d waiting SMS moved);"
                    " replace telegram.admin_chat_id in the config",
                    chat_id,
                    move.new_chat_id,
                    move.pending,
                )
                await self._bot.send_message(move.new_chat_id, text, parse_mode="HTML")
        except TelegramError as exc:
            log.error("alert %s could not be posted to the admin chat: %s", key, exc)
            return False
        return True


async def send_alert(data: BotData, bot: Bot, key: str, text_key: str, **values: object) -> bool:
    """Post an alert to the admin chat unless `key` went out within the window (for jobs)."""
    return await AdminChatAlerts(data, bot).alert(key, text_key, **values)


async def alert_provider_error(data: BotData, bot: Bot, account: str, error: ProviderError) -> None:
    """`service.alert_provider_error` through the admin chat (for jobs)."""
    await service.alert_provider_error(AdminChatAlerts(data, bot), account, error)
