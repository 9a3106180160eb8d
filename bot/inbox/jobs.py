"""The inbox job: each line's new SMS fetched from its stored cursor and stored, then forwarded."""

from __future__ import annotations

import logging

from bot.context import Context
from bot.forwarding.jobs import forward_incoming
from bot.inbox.polling import poll_account_inbox
from bot.jobs.runner import JOB_KWARGS
from bot.jobs.runner import account_of as _account_of
from bot.jobs.runner import run_for_account as _run_for_account

log = logging.getLogger(__name__)


def _forward_soon(context: Context) -> None:
    if context.job_queue is not None:
        context.job_queue.run_once(forward_incoming, 0, name="forward-now", job_kwargs=JOB_KWARGS)


async def poll_inbox(context: Context) -> None:
    """Fetch each line's new SMS from its stored cursor and store them before forwarding
    (`bot.inbox.polling`)."""
    account = _account_of(context)

    async def work() -> None:
        if await poll_account_inbox(context.bot_data, context.bot, account):
            _forward_soon(context)

    await _run_for_account(context, account, "inbox", work)
