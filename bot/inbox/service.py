"""Inbox polling without Telegram: each line's new SMS fetched from its stored cursor and stored
before anything is forwarded; a line's first start announced; records that cannot be read
quarantined, reported once, and read again with today's parser at each process's first poll.

What people are told goes through `InboxNotices` (the bot posts it to Telegram; another front
end could do otherwise). Logs: what changed at INFO or WARNING; a poll that finds nothing new
only at DEBUG.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import MutableSet, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.account.service import AccountLike
from bot.optout.service import is_opt_out_request
from providers.base import InboxBatch, InboxWindow, UnreadableRecord
from storage.base import Storage
from storage.models import QuarantinedRecord

log = logging.getLogger(__name__)


class InboxNotices(Protocol):
    """What the inbox tells people: the chats of a line, and the admins."""

    async def first_start(self, line: str, chat_ids: Sequence[int], count: int) -> None:
        """The line's first poll forwards only the `count` SMS of the recent window."""
        ...

    async def quarantined(self, account: str, record: QuarantinedRecord) -> bool:
        """A record could not be read and was set aside; True once the admins were told."""
        ...

    async def quarantine_read(self, record: QuarantinedRecord) -> None:
        """A record set aside earlier could be read now and is forwarded."""
        ...


@dataclass
class InboxPoller:
    """One process's inbox polling over storage: where each account's SMS are stored."""

    repo: Storage
    admin_chat_id: int
    window: InboxWindow
    notices: InboxNotices
    # Held while a first start is stored and announced, so the notice comes before the SMS.
    forward_lock: asyncio.Lock
    # Accounts whose quarantined records this process has read again (once each).
    reread: MutableSet[str]

    async def poll(self, account: AccountLike) -> int:
        """One inbox poll of every line of `account`; how many new SMS were stored."""
        stored = 0
        if account.name not in self.reread:
            stored += await self.reread_quarantine(account)
            self.reread.add(account.name)
        for line in account.lines:
            cursor = await self.repo.get_cursor(account.name, line)
            batch = await account.provider.fetch_inbox(line, cursor, self.window)
            stored += await self._store(account, line, batch)
        await self.report_quarantine(account)
        return stored

    async def _chats(self, line: str) -> list[int]:
        return await self.repo.chats_for_line(line) or [self.admin_chat_id]

    async def _store(self, account: AccountLike, line: str, batch: InboxBatch) -> int:
        chats = await self._chats(line)
        opt_outs = {
            m.dedupe_key for m in (*batch.messages, *batch.history) if is_opt_out_request(m.body)
        }

        async def store() -> int:
            result = await self.repo.store_inbox(
                account.name,
                line,
                batch.messages,
                chat_ids=chats,
                cursor=batch.next_cursor,
                history=batch.history,
                unreadable=batch.unreadable,
                opt_out_keys=opt_outs,
            )
            for message in result.new:
                if message.dedupe_key in opt_outs:
                    log.info(
                        "inbox of %s %s: SMS #%d asks to opt out; its sender is on the list",
                        account.name,
                        line,
                        message.id,
                    )
            if batch.first_start and result.new:
                await self.notices.first_start(line, chats, len(result.new))
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
            async with self.forward_lock:
                new = await store()
            log.info(
                "inbox of %s %s: first poll; %d SMS of the last %g min forwarded, %d older kept"
                " back as history",
                account.name,
                line,
                new,
                self.window.first_start / 60,
                len(batch.history),
            )
        else:
            new = await store()
        if new:
            log.info("inbox of %s %s: %d new SMS stored", account.name, line, new)
        else:
            log.debug("inbox of %s %s: nothing new", account.name, line)
        return new

    async def report_quarantine(self, account: AccountLike) -> None:
        """Tell the admins, once each, about records of `account` set aside; a report that
        cannot be made now is made at a later poll."""
        for record in await self.repo.unreported_quarantine(account.name):
            if not await self.notices.quarantined(account.name, record):
                return
            await self.repo.mark_quarantine_reported(record.id)

    async def reread_quarantine(self, account: AccountLike) -> int:
        """Read `account`'s quarantined records again with today's parser; those it can read
        are stored and forwarded, the admins told. How many new SMS that gave."""
        new = 0
        for record in await self.repo.open_quarantine(account.name):
            listed = UnreadableRecord(record.line, record.record_key, record.raw, record.reason)
            try:
                sms = account.provider.read_unreadable(listed)
            except ValueError as exc:
                log.debug("quarantined record #%d still cannot be read: %s", record.id, exc)
                continue
            chats = await self._chats(record.line)
            stored = await self.repo.resolve_quarantine(record.id, sms, chat_ids=chats)
            log.info(
                "inbox of %s %s: quarantined record #%d read now%s",
                account.name,
                record.line,
                record.id,
                "; forwarded" if stored else "; it was stored before",
            )
            new += stored is not None
            await self.notices.quarantine_read(record)
        return new
