"""The one way the bridge builds its `OtpService`: the configured `[otp]`, the OTP account
(`otp.account`, else the default account) and the admin chat as alert sink. The bot's
`/otp`/`/verify` and the HTTP API's `/v1/otp` routes both call it."""

from __future__ import annotations

from telegram import Bot

from bot.alerts.admin_chat import AdminChatAlerts
from bot.context import BotData
from bot.otp.service import OtpService


def otp_service(data: BotData, bot: Bot) -> OtpService:
    """The bridge's OTP service, alerting the admin chat through `bot`."""
    config = data.config
    return OtpService(
        data.repo,
        config.otp,
        data.accounts[config.otp_account.name],
        AdminChatAlerts(data, bot),
        poll_delay=config.polling.delivery,
    )
