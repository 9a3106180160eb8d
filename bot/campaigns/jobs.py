"""The campaign jobs: the worker's turn, and the progress messages, summaries and reports."""

from __future__ import annotations

import logging
import time
from typing import Final

from telegram import InputFile
from telegram.error import BadRequest, TelegramError

from bot.access.handlers import language_of
from bot.alerts.admin_chat import AdminChatAlerts
from bot.campaigns import render
from bot.campaigns.service import CampaignWorker
from bot.context import Context
from storage.models import Campaign

log = logging.getLogger(__name__)

WORKER_INTERVAL: Final = 1.0  # how soon a running campaign's next turn comes
PROGRESS_INTERVAL: Final = 3.0  # a progress message is edited at most this often (SPEC §4)
# An edit that returned less than this before a turn was late (Telegram said 429 and the
# rate limiter waited): that turn leaves the campaign alone. The slack is the job's own jitter.
_LATE_EDIT: Final = PROGRESS_INTERVAL - 0.5


def campaign_worker(context: Context) -> CampaignWorker:
    """The worker over the bridge's storage, accounts, alerts and clock."""
    data = context.bot_data
    return CampaignWorker(
        data.repo,
        AdminChatAlerts(data, context.bot),
        data.accounts,
        clock=data.clock,
        quiet_hours=data.config.bulk.quiet_window(),
        poll_delay=data.config.polling.delivery,
    )


async def run_campaigns(context: Context) -> None:
    """One turn of the worker: every running campaign sends what it may now."""
    await campaign_worker(context).run_once()


async def show_campaigns(context: Context) -> None:
    """Edit each campaign's progress message to what it shows now; post the summary and the
    report of each finished one, once."""
    data = context.bot_data
    for campaign in await data.repo.campaigns_to_show():
        try:
            await _show(context, campaign)
        except TelegramError as error:
            log.warning("campaign %s: progress not shown: %s", campaign.id, error)


async def _show(context: Context, campaign: Campaign) -> None:
    data = context.bot_data
    assert campaign.progress_chat_id is not None and campaign.progress_message_id is not None
    last = data.progress_edited_at.get(campaign.id)
    if last is not None and time.monotonic() - last < _LATE_EDIT:
        return  # its last edit landed late; the next turn edits (and posts the summary)
    lang = await language_of(data, campaign.requested_by)
    progress = await data.repo.campaign_progress(campaign.id)
    text = render.progress_text(lang, campaign, progress, data.clock())
    shown = render.progress_digest(text, campaign)
    if shown != campaign.progress_digest:
        try:
            await context.bot.edit_message_text(
                text,
                chat_id=campaign.progress_chat_id,
                message_id=campaign.progress_message_id,
                parse_mode="HTML",
                reply_markup=render.progress_buttons(lang, campaign),
            )
            data.progress_edited_at[campaign.id] = time.monotonic()
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise
        await data.repo.mark_progress_shown(campaign.id, shown)
    if campaign.summary_sent or campaign.status.value not in ("done", "cancelled"):
        return
    if not await data.repo.claim_summary(campaign.id):
        return
    report = await data.repo.campaign_report(campaign.id)
    try:
        await context.bot.send_document(
            campaign.progress_chat_id,
            InputFile(render.report_csv(report), filename=f"campaign-{campaign.id}.csv"),
            caption=render.summary_text(lang, campaign, progress),
            parse_mode="HTML",
            reply_to_message_id=campaign.progress_message_id,
        )
    except TelegramError:
        # Not posted (Telegram down past the rate limiter's retries): a later turn posts it.
        await data.repo.release_summary(campaign.id)
        raise
    data.progress_edited_at.pop(campaign.id, None)  # never edited again
    log.info("campaign %s: summary posted", campaign.id)
