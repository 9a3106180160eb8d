"""The inbox's notices in Telegram: a line's first start told in its chats, records set aside
and read again told to the admins (the polling itself is `bot.inbox.service`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot
from telegram.error import ChatMigrated, TelegramError

from bot.context import Account, BotData
from bot.forwarding.jobs import follow_upgrade
from bot.forwarding.service import Forwarding
from bot.inbox.service import InboxPoller
from bot.render import shorten
from bot.texts import t
from storage.models import QuarantinedRecord

log = logging.getLogger(__name__)

RAW_SHOWN = 3000  # characters of a quarantined record shown to the admins


class TelegramInboxNotices:
    """`InboxNotices` posted by the bot, in the configured language."""

    def __init__(self, data: BotData, bot: Bot) -> None:
        self._data = data
        self._bot = bot
        self._lang = data.config.telegram.language

    async def first_start(self, line: str, chat_ids: Sequence[int], count: int) -> None:
        """Tell each routed chat that the line's first poll forwards `count` recent SMS only."""
        minutes = f"{self._data.config.polling.inbox_first_window / 60:g}"
        text = t(self._lang, "inbox.first_start", line=line, count=count, minutes=minutes)
        for chat in chat_ids:
            target = await self._data.repo.current_chat_id(chat)
            try:
                try:
                    await self._bot.send_message(target, text, parse_mode="HTML")
                except ChatMigrated as exc:
                    # Followed here as the forwarder would: routes and SMS move, admins told.
                    new_chat_id = int(exc.new_chat_id)
                    forwarding = Forwarding(
                        self._data.repo, self._data.config.telegram.admin_chat_id
                    )
                    await follow_upgrade(self._bot, self._data, forwarding, target, new_chat_id)
                    await self._bot.send_message(new_chat_id, text, parse_mode="HTML")
            except TelegramError as exc:
                # The SMS themselves are stored and will be forwarded; only the notice is lost.
                log.warning(
                    "first-start notice for line %s not posted to %s: %s", line, target, exc
                )

    async def quarantined(self, account: str, record: QuarantinedRecord) -> bool:
        """Show the admins a record set aside, its raw content escaped."""
        raw = record.raw if len(record.raw) <= RAW_SHOWN else shorten(record.raw, RAW_SHOWN)
        text = t(
            self._lang,
            "inbox.quarantined",
            account=account,
            line=record.line,
            record_id=record.id,
            reason=record.reason,
            raw=raw,
        )
        return await self._to_admins(text, f"report of quarantined record #{record.id}")

    async def quarantine_read(self, record: QuarantinedRecord) -> None:
        """Tell the admins a record set aside could be read now."""
        text = t(self._lang, "inbox.quarantine_read", record_id=record.id, line=record.line)
        await self._to_admins(text, f"notice of quarantined record #{record.id} read")

    async def _to_admins(self, text: str, what: str) -> bool:
        admin_chat = await self._data.repo.current_chat_id(self._data.config.telegram.admin_chat_id)
        try:
            await self._bot.send_message(admin_chat, text, parse_mode="HTML")
        except TelegramError as exc:
            log.warning("%s not posted: %s", what, exc)
            return False
        return True


async def poll_account_inbox(data: BotData, bot: Bot, account: Account) -> int:
    """One inbox poll of every line of `account` (`InboxPoller.poll`) with Telegram notices."""
    poller = InboxPoller(
        repo=data.repo,
        admin_chat_id=data.config.telegram.admin_chat_id,
        window=data.config.polling.inbox_window(),
        notices=TelegramInboxNotices(data, bot),
        forward_lock=data.forward_lock,
        reread=data.quarantine_reread,
    )
    return await poller.poll(account)
