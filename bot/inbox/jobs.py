"""The inbox job: each line's new SMS fetched from its stored cursor and stored, then forwarded."""

from __future__ import annotations

import logging

from bot.context import Context
from bot.forwarding.jobs import forward_incoming

# poll_inbox's body is kept word for word as it was in bot/jobs.py (so a change to it made on
# another branch applies as it is); these aliases are the names it uses.
from bot.jobs.runner import JOB_KWARGS
from bot.jobs.runner import account_of as _account_of
from bot.jobs.runner import run_for_account as _run_for_account

log = logging.getLogger(__name__)


def _forward_soon(context: Context) -> None:
    if context.job_queue is not None:
        context.job_queue.run_once(forward_incoming, 0, name="forward-now", job_kwargs=JOB_KWARGS)


async def poll_inbox(context: Context) -> None:
    """Fetch each line's new SMS from its stored cursor and store them before forwarding."""
    account = _account_of(context)
    data = context.bot_data

    async def work() -> None:
        stored = 0
        for line in account.lines:
            cursor = await data.repo.get_cursor(account.name, line)
            batch = await account.provider.fetch_inbox(line, cursor)
            chats = await data.repo.chats_for_line(line) or [data.config.telegram.admin_chat_id]
            new = await data.repo.store_incoming(
                account.name, line, batch.messages, chat_ids=chats, cursor=batch.next_cursor
            )
            stored += len(new)
        if stored:
            log.info("inbox of %s: %d new SMS stored", account.name, stored)
            _forward_soon(context)

    await _run_for_account(context, account, "inbox", work)
