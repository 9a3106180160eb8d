"""Sends interrupted by a process's death: marked unknown (never resent) and the admins told.

At every start on any backend; on PostgreSQL also every few seconds by one replica (the
leader of `in_flight`), so a replica that dies mid-send has its in-flight sends marked
unknown by another within seconds, as one process does for itself at its next start.
"""

from __future__ import annotations

import logging

from telegram import Bot

from bot.alerts.admin_chat import send_alert
from bot.context import BotData, Context

log = logging.getLogger(__name__)

IN_FLIGHT_INTERVAL = 10.0  # seconds between looks for a dead replica's in-flight sends


async def report_interrupted_sends(data: BotData, bot: Bot) -> int:
    """Mark the sends whose process died mid-call unknown, alert for each; how many."""
    # Campaign chunks first: one alert per campaign, not one per chunk in flight.
    for recovered in await data.repo.recover_campaigns():
        await send_alert(
            data,
            bot,
            f"campaign_interrupted:{recovered.campaign.id}",
            "alert.campaign_interrupted",
            campaign_id=recovered.campaign.id,
            account=recovered.campaign.account,
            count=recovered.unknown_recipients,
        )
    interrupted = await data.repo.mark_in_flight_unknown()
    for send in interrupted:
        recipients = await data.repo.get_recipients(send.id)
        log.warning("send %s was in flight at the last stop: marked unknown", send.id)
        await send_alert(
            data,
            bot,
            f"unknown_send:{send.id}",
            "alert.unknown_send",
            send_id=send.id,
            account=send.account,
            count=len(recipients),
        )
    return len(interrupted)


async def take_over_in_flight(context: Context) -> None:
    """The repeating look for sends a dead replica left in flight (one replica does it)."""
    data = context.bot_data
    if await data.leases.lead("in_flight"):
        await report_interrupted_sends(data, context.bot)
