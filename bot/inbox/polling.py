"""Inbox polling: each line's new SMS fetched from its stored cursor and stored before anything
is forwarded; a line's first start announced; records that cannot be read quarantined, reported
once to the admins, and read again with today's parser at the first poll of each process.

Logs: what changed (new SMS, a first start, a record set aside or brought back) at INFO or
WARNING; routine polls that find nothing new only at DEBUG.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import ChatMigrated, TelegramError

from bot.context import Account, BotData
from bot.forwarding.jobs import follow_upgrade
from bot.forwarding.service import Forwarding
from bot.render import shorten
from bot.texts import t
from providers.base import InboxBatch, UnreadableRecord
from storage.models import QuarantinedRecord

log = logging.getLogger(__name__)

RAW_SHOWN = 3000  # characters of a quarantined record shown to the admins


async def poll_account_inbox(data: BotData, bot: Bot, account: Account) -> int:
    """One inbox poll of every line of `account`; how many new SMS were stored."""
    stored = 0
    if account.name not in data.quarantine_reread:
        stored += await reread_quarantine(data, bot, account)
        data.quarantine_reread.add(account.name)
    window = data.config.polling.inbox_window()
    for line in account.lines:
        cursor = await data.repo.get_cursor(account.name, line)
        batch = await account.provider.fetch_inbox(line, cursor, window)
        stored += await _store(data, bot, account, line, batch)
    await report_quarantine(data, bot, account)
    return stored


async def _store(data: BotData, bot: Bot, account: Account, line: str, batch: InboxBatch) -> int:
    chats = await data.repo.chats_for_line(line) or [data.config.telegram.admin_chat_id]

    async def store() -> int:
        result = await data.repo.store_inbox(
            account.name,
            line,
            batch.messages,
            chat_ids=chats,
            cursor=batch.next_cursor,
            history=batch.history,
            unreadable=batch.unreadable,
        )
        if batch.first_start and result.new:
            await _announce(data, bot, line, chats, len(result.new))
        for record in result.quarantined:
            log.warning(
                "inbox of %s %s: record #%d set aside, it cannot be read: %s",
                account.name,
                line,
                record.id,
                record.reason,
            )
        return len(result.new)

    if batch.first_start:
        # Held while storing and announcing, so the announcement comes before the SMS it
        # announces: the forwarder posts nothing meanwhile.
        async with data.forward_lock:
            new = await store()
        log.info(
            "inbox of %s %s: first poll; %d SMS of the last %s min forwarded, %d older kept"
            " back as history",
            account.name,
            line,
            new,
            _minutes(data),
            len(batch.history),
        )
    else:
        new = await store()
    if new:
        log.info("inbox of %s %s: %d new SMS stored", account.name, line, new)
    else:
        log.debug("inbox of %s %s: nothing new", account.name, line)
    return new


def _minutes(data: BotData) -> str:
    return f"{data.config.polling.inbox_first_window / 60:g}"


async def _announce(data: BotData, bot: Bot, line: str, chats: list[int], count: int) -> None:
    """Tell each routed chat that the line's first poll forwards `count` recent SMS only."""
    text = t(
        data.config.telegram.language,
        "inbox.first_start",
        line=line,
        count=count,
        minutes=_minutes(data),
    )
    for chat in chats:
        target = await data.repo.current_chat_id(chat)
        try:
            try:
                await bot.send_message(target, text, parse_mode="HTML")
            except ChatMigrated as exc:
                # Followed here as the forwarder would: routes and the SMS move, admins told.
                forwarding = Forwarding(data.repo, data.config.telegram.admin_chat_id)
                new_chat_id = int(exc.new_chat_id)
                await follow_upgrade(bot, data, forwarding, target, new_chat_id)
                await bot.send_message(new_chat_id, text, parse_mode="HTML")
        except TelegramError as exc:
            # The SMS themselves are stored and will be forwarded; only the notice is lost.
            log.warning("first-start notice for line %s not posted to %s: %s", line, target, exc)


async def report_quarantine(data: BotData, bot: Bot, account: Account) -> None:
    """Tell the admins, once each, about records of `account` set aside; a report Telegram
    refuses now is made at a later poll."""
    for record in await data.repo.unreported_quarantine(account.name):
        text = t(
            data.config.telegram.language,
            "inbox.quarantined",
            account=account.name,
            line=record.line,
            record_id=record.id,
            reason=record.reason,
            raw=_shown(record),
        )
        try:
            await bot.send_message(data.config.telegram.admin_chat_id, text, parse_mode="HTML")
        except TelegramError as exc:
            log.warning("report of quarantined record #%d not posted: %s", record.id, exc)
            return
        await data.repo.mark_quarantine_reported(record.id)


def _shown(record: QuarantinedRecord) -> str:
    raw = record.raw
    return raw if len(raw) <= RAW_SHOWN else shorten(raw, RAW_SHOWN)


async def reread_quarantine(data: BotData, bot: Bot, account: Account) -> int:
    """Read `account`'s quarantined records again with today's parser; those it can read are
    stored and forwarded, the admins told. How many new SMS that gave."""
    new = 0
    for record in await data.repo.open_quarantine(account.name):
        listed = UnreadableRecord(record.line, record.record_key, record.raw, record.reason)
        try:
            sms = account.provider.read_unreadable(listed)
        except ValueError as exc:
            log.debug("quarantined record #%d still cannot be read: %s", record.id, exc)
            continue
        chats = await data.repo.chats_for_line(record.line) or [data.config.telegram.admin_chat_id]
        stored = await data.repo.resolve_quarantine(record.id, sms, chat_ids=chats)
        log.info(
            "inbox of %s %s: quarantined record #%d read now%s",
            account.name,
            record.line,
            record.id,
            "; forwarded" if stored else "; it was stored before",
        )
        new += stored is not None
        text = t(
            data.config.telegram.language,
            "inbox.quarantine_read",
            record_id=record.id,
            line=record.line,
        )
        try:
            await bot.send_message(data.config.telegram.admin_chat_id, text, parse_mode="HTML")
        except TelegramError as exc:
            log.warning("notice of quarantined record #%d read not posted: %s", record.id, exc)
    return new
