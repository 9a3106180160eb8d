"""The scheduler job: every `SCHEDULE_TICK` seconds (and at start) the due scheduled sends go
through the send service, and each chat is told what became of its finished ones: the send's
confirmation (edited as reports arrive, like `/send`'s), or why it was missed or failed."""

from __future__ import annotations

import logging

from telegram import Message, ReplyParameters
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.access.handlers import language_of
from bot.alerts.admin_chat import AdminChatAlerts
from bot.context import Context
from bot.render import digest, render_confirmation
from bot.schedule.service import Scheduler, asked_in
from bot.texts import t
from bot.topics.mirror import mirror_send
from storage.models import ScheduledSend, ScheduleState

log = logging.getLogger(__name__)


async def run_scheduled(context: Context) -> None:
    """Send what is due, mark what is too late missed, then tell the chats."""
    data = context.bot_data
    scheduler = Scheduler(
        data.repo,
        AdminChatAlerts(data, context.bot),
        data.accounts,
        poll_delay=data.config.polling.delivery,
        clock=data.clock,
    )
    await scheduler.run()
    await report_scheduled(context)


async def report_scheduled(context: Context) -> None:
    """Tell each chat, once, what became of its finished scheduled sends; a chat Telegram
    refuses for good is not asked again, a failure for now is retried at the next run."""
    data = context.bot_data
    for row in await data.repo.unreported_scheduled():
        try:
            await _report(context, row)
        except (BadRequest, Forbidden) as exc:
            log.warning(
                "scheduled send #%d: chat %s refused its report: %s", row.id, row.chat_id, exc
            )
        except TelegramError as exc:
            log.warning("scheduled send #%d: report not posted yet: %s", row.id, exc)
            return
        await data.repo.mark_scheduled_reported(row.id)


async def _post(context: Context, row: ScheduledSend, text: str) -> Message:
    """Post in the row's chat, as a reply to the `/schedule` that asked (if still there)."""
    origin = asked_in(row)
    reply = (
        ReplyParameters(origin[1], allow_sending_without_reply=True)
        if origin is not None and origin[0] == row.chat_id
        else None
    )
    return await context.bot.send_message(
        row.chat_id, text, parse_mode="HTML", reply_parameters=reply
    )


async def _report(context: Context, row: ScheduledSend) -> None:
    data = context.bot_data
    lang = await language_of(data, row.requested_by)
    if row.state is ScheduleState.MISSED:
        await _post(
            context,
            row,
            t(
                lang,
                "schedule.missed",
                schedule_id=row.id,
                time=row.due_at,
                user_id=row.requested_by,
            ),
        )
        return
    send = await data.repo.get_send(row.send_id) if row.send_id is not None else None
    if send is None:
        await _post(
            context,
            row,
            t(lang, "schedule.failed", schedule_id=row.id, error=row.error or "-"),
        )
        return
    recipients = await data.repo.get_recipients(send.id)
    confirmation = render_confirmation(lang, send, recipients)
    if row.state is ScheduleState.FAILED:
        heading = t(lang, "schedule.failed_send", schedule_id=row.id)
        await _post(context, row, f"{heading}\n\n{confirmation}")
        return
    # The confirmation alone, as `/send` posts it (a reply to the `/schedule` that asked):
    # delivery reports edit it from here.
    shown = await _post(context, row, confirmation)
    await data.repo.set_confirmation(
        send.id, shown.chat_id, shown.message_id, text_digest=digest(confirmation)
    )
    await mirror_send(context.bot, data, send, recipients, shown, str(row.requested_by))
