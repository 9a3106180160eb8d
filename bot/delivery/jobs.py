"""The delivery jobs: the per-account poll tick and the confirmations edited to show states."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.access.handlers import language_of
from bot.context import Context
from bot.delivery.service import anything_due, poll_cycle
from bot.jobs.runner import JOB_KWARGS, account_of, run_for_account
from bot.render import digest, render_confirmation
from bot.topics.mirror import update_mirrors

log = logging.getLogger(__name__)

# How often the delivery job looks for due recipients: a report waits at most one schedule gap
# plus this (SPEC §7: shown within 15 s during a send's first minute, gaps there being 10 s).
DELIVERY_TICK = 1.0
CONFIRMATION_INTERVAL = 3.0  # edits are coalesced to at most one per send per round


async def poll_deliveries(context: Context) -> None:
    """Ask the provider about every recipient whose next poll is due; store what changed.

    Runs every DELIVERY_TICK so each recipient is asked when its schedule says, not up to a
    whole interval later; a tick with nothing due reads one index entry and returns. A tick
    that comes while this account's cycle still runs is skipped by the JobQueue
    (`max_instances=1`): the running cycle takes what is due.
    """
    account = account_of(context)
    data = context.bot_data
    if not await anything_due(data.repo, account.name, datetime.now(UTC)):
        return

    async def work() -> None:
        cycle = await poll_cycle(
            data.repo, data.config, account.name, account.provider, datetime.now(UTC)
        )
        if cycle.polled:
            log.info(
                "deliveries of %s: %d polled, %d changed", account.name, cycle.polled, cycle.changed
            )
        if cycle.changed and context.job_queue is not None:
            # Show the new states now rather than at the next confirmations round.
            context.job_queue.run_once(
                update_confirmations, 0, name="confirmations-now", job_kwargs=JOB_KWARGS
            )

    await run_for_account(context, account, "delivery", work)


async def update_confirmations(context: Context) -> None:
    """Edit each changed send's confirmation to its recipients' latest states, once a round."""
    data = context.bot_data
    # The repeating round and a round asked for by a delivery poll are separate jobs; two
    # rounds editing the same confirmation would get Telegram's "message is not modified".
    async with data.confirmation_lock:
        if not await data.leases.lead("confirmations"):
            return  # another replica edits the confirmations (PostgreSQL)
        await _update_confirmations(context)
        await update_mirrors(context.bot, data)


async def _update_confirmations(context: Context) -> None:
    data = context.bot_data
    for send in await data.repo.dirty_confirmations():
        if send.confirmation_chat_id is None or send.confirmation_message_id is None:
            await data.repo.mark_confirmation_rendered(
                send.id, "", version=send.confirmation_version
            )
            continue
        lang = await language_of(data, send.requested_by)
        recipients = await data.repo.get_recipients(send.id)
        text = render_confirmation(lang, send, recipients)
        fingerprint = digest(text)
        if fingerprint == await data.repo.confirmation_digest(send.id):
            await data.repo.mark_confirmation_rendered(
                send.id, fingerprint, version=send.confirmation_version
            )
            continue
        try:
            await context.bot.edit_message_text(
                text,
                chat_id=send.confirmation_chat_id,
                message_id=send.confirmation_message_id,
                parse_mode="HTML",
            )
        except (BadRequest, Forbidden, ChatMigrated) as exc:
            # Not modified / message gone / chat refused or upgraded: nothing more can be
            # shown there (retrying every round would only hammer Telegram).
            log.warning("confirmation of send %s not edited: %s", send.id, exc)
        except TelegramError as exc:
            log.warning("confirmation of send %s: will retry: %s", send.id, exc)
            continue
        await data.repo.mark_confirmation_rendered(
            send.id, fingerprint, version=send.confirmation_version
        )
