"""`/schedule <when> <numbers> <text>`, `/scheduled` with a cancel button per pending send,
and the cancel buttons (only the person who asked, or an admin, while they have the right)."""

from __future__ import annotations

import logging
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.access.handlers import asked, language_of, requires, role_name, sender_role
from bot.access.service import has_right
from bot.account.handlers import chat_sender, command_arguments
from bot.context import Context
from bot.render import shorten
from bot.schedule.service import ScheduleRequest, may_cancel, schedule_send
from bot.schedule.when import WhenProblem, WhenProblemKind, parse_when, split_when
from bot.send.optout_prompt import held_for_opt_outs
from bot.send.service import sendable, split_numbers_and_text
from bot.send.shared import problem_text
from bot.texts import Raw, t
from storage.errors import NotFoundError
from storage.models import Campaign, CampaignStatus, Role, ScheduledSend, ScheduleState

log = logging.getLogger(__name__)

# Callback data (Telegram takes at most 64 bytes): the prefix, then the scheduled send's id.
CANCEL_FROM_CONFIRMATION: Final = "sched:cancel:"
CANCEL_FROM_LIST: Final = "sched:list:"
LISTED: Final = 30  # /scheduled shows this many (soonest first), and says how many more


def when_problem_text(lang: str, problem: WhenProblem) -> str:
    """Why a `<when>` gives no time, in the user's language, with the forms it takes."""
    reason = t(lang, f"schedule.when.{problem.kind.value}", value=problem.text.strip())
    return f"{reason}\n\n{t(lang, 'schedule.forms')}"


def _cancel_button(lang: str, prefix: str, row: ScheduledSend) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t(lang, "button.cancel_schedule", schedule_id=row.id), callback_data=f"{prefix}{row.id}"
    )


@requires(Role.OPERATOR)
async def schedule_command(update: Update, context: Context) -> None:
    """`/schedule <when> <numbers> <text>`: stored now, sent once at its time."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    arguments = command_arguments(message)
    if not arguments.strip():
        await message.reply_html(t(lang, "schedule.usage"))
        return
    when_text, rest = split_when(arguments)
    due = parse_when(when_text, data.clock())
    if isinstance(due, WhenProblem):
        await message.reply_html(when_problem_text(lang, due))
        return
    numbers, text = split_numbers_and_text(rest)
    account, line = await chat_sender(data, message.chat_id)
    checked = sendable(account, numbers.parsed, text)
    if not isinstance(checked, tuple):
        refusal = problem_text(lang, checked)
        if not numbers.raw:
            refusal = f"{refusal}\n\n{t(lang, 'schedule.usage')}"
        await message.reply_html(refusal)
        return
    recipients, sms = checked
    request = ScheduleRequest(
        idempotency_key=f"tg:{message.chat_id}:{message.message_id}",
        account=account,
        line=line,
        recipients=recipients,
        text=sms,
        chat_id=message.chat_id,
        user_id=user.id,
        due_at=due,
    )

    async def go(pressed: Context, prompt: Message) -> None:
        await _schedule(pressed, lang, request, prompt, in_place=True)

    if await held_for_opt_outs(context, message, user.id, lang, line, recipients.numbers, go):
        return
    await _schedule(context, lang, request, message, in_place=False)


async def _schedule(
    context: Context, lang: str, request: ScheduleRequest, message: Message, *, in_place: bool
) -> None:
    """Store the scheduled send and confirm it with its time (Jalali, Tehran) and a cancel
    button; a request seen before says nothing again."""
    data = context.bot_data
    # The time may have passed while an opt-out prompt waited for its answer.
    if request.due_at <= data.clock():
        problem = when_problem_text(lang, WhenProblem(WhenProblemKind.PAST, ""))
        if in_place:
            await message.edit_text(problem, parse_mode="HTML", reply_markup=None)
        else:
            await message.reply_html(problem)
        return
    row, created = await schedule_send(data.repo, request)
    if not created:
        return
    text = t(
        lang,
        "schedule.confirmed",
        schedule_id=row.id,
        count=len(row.recipients),
        line=row.line,
        account=row.account,
        time=row.due_at,
        parts=request.text.parts,
    )
    buttons = InlineKeyboardMarkup([[_cancel_button(lang, CANCEL_FROM_CONFIRMATION, row)]])
    if in_place:
        await message.edit_text(text, parse_mode="HTML", reply_markup=buttons)
    else:
        await message.reply_html(text, reply_markup=buttons)


def _list_text(lang: str, rows: list[ScheduledSend], total: int, campaigns: list[Campaign]) -> str:
    if not rows and not campaigns:
        return t(lang, "schedule.list_empty")
    items = [
        t(
            lang,
            "schedule.list_item",
            schedule_id=row.id,
            time=row.due_at,
            count=len(row.recipients),
            line=row.line,
            text=shorten(row.text, 60),
        )
        for row in rows
    ]
    items += [
        t(
            lang,
            "schedule.list_campaign",
            campaign_id=c.id,
            time=c.not_before,
            count=c.recipient_count,
            line=c.line,
            name=shorten(c.file_name, 60),
        )
        for c in campaigns
    ]
    header = t(lang, "schedule.list_header", count=total + len(campaigns))
    more = [t(lang, "schedule.list_more", count=total - len(rows))] if total > len(rows) else []
    return "\n".join([header, "", *items, *more])


async def _scheduled_campaigns(context: Context, chat_id: int) -> list[Campaign]:
    """This chat's campaigns waiting for their start time (the preview's Schedule button)."""
    now = context.bot_data.clock()
    return sorted(
        (
            c
            for c in await context.bot_data.repo.campaigns_to_show()
            if c.chat_id == chat_id
            and c.status is CampaignStatus.RUNNING
            and c.not_before is not None
            and c.not_before > now
        ),
        key=lambda c: (c.not_before, c.id),
    )


async def _list(
    context: Context, chat_id: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    pending = await context.bot_data.repo.pending_scheduled(chat_id, limit=LISTED + 1000)
    shown = pending[:LISTED]
    campaigns = (await _scheduled_campaigns(context, chat_id))[:LISTED]
    rows = [[_cancel_button(lang, CANCEL_FROM_LIST, row)] for row in shown]
    # A campaign's own Cancel (its uploader's, checked by the campaign's handler).
    rows += [
        [
            InlineKeyboardButton(
                t(lang, "button.cancel_campaign", campaign_id=c.id),
                callback_data=f"bulk:no:{c.id}",
            )
        ]
        for c in campaigns
    ]
    # Telegram refuses a keyboard with no rows: an empty list has none.
    buttons = InlineKeyboardMarkup(rows) if rows else None
    return _list_text(lang, shown, len(pending), campaigns), buttons


@requires(Role.OPERATOR)
async def scheduled_command(update: Update, context: Context) -> None:
    """`/scheduled`: this chat's pending scheduled sends, soonest first, each with a cancel
    button."""
    message, _user, lang = await asked(update, context)
    text, buttons = await _list(context, message.chat_id, lang)
    await message.reply_html(text, reply_markup=buttons)


async def cancel_pressed(update: Update, context: Context) -> None:
    """A cancel button: the scheduled send is cancelled (final) if the presser may, and it
    was not claimed or finished already; the message shows what happened."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None and query.data is not None
    data = context.bot_data
    lang = await language_of(data, user.id)
    prefix, _, raw_id = query.data.rpartition(":")
    pressed = query.message if isinstance(query.message, Message) else None
    try:
        row = await data.repo.get_scheduled(int(raw_id))
    except ValueError:
        row = None
    if row is None or pressed is None or row.chat_id != pressed.chat_id:
        await query.answer(t(lang, "schedule.not_found"), show_alert=True)
        return
    role = await sender_role(update, context)
    if not has_right(role, Role.OPERATOR):
        await data.repo.audit(user.id, pressed.chat_id, "refused", f"cancel schedule #{row.id}")
        await query.answer(t(lang, "refused_right", role=role_name(lang, role)), show_alert=True)
        return
    if not may_cancel(row, user.id, role):
        log.info(
            "user %s may not cancel scheduled send #%d of %s", user.id, row.id, row.requested_by
        )
        await data.repo.audit(user.id, pressed.chat_id, "refused", f"cancel schedule #{row.id}")
        await query.answer(t(lang, "schedule.cancel_not_yours"), show_alert=True)
        return
    try:
        row, changed = await data.repo.cancel_scheduled(row.id, user.id)
    except NotFoundError:
        await query.answer(t(lang, "schedule.not_found"), show_alert=True)
        return
    if not changed:
        await query.answer(_too_late(lang, row), show_alert=True)
    else:
        await data.repo.audit(user.id, pressed.chat_id, "cancel_schedule", f"#{row.id}")
        await query.answer(t(lang, "schedule.cancelled", schedule_id=row.id))
    if f"{prefix}:" == CANCEL_FROM_LIST:
        text, buttons = await _list(context, pressed.chat_id, lang)
        await pressed.edit_text(text, parse_mode="HTML", reply_markup=buttons)
    elif changed:
        await pressed.edit_text(
            t(lang, "schedule.cancelled", schedule_id=row.id), parse_mode="HTML", reply_markup=None
        )


def _too_late(lang: str, row: ScheduledSend) -> str:
    if row.state is ScheduleState.PENDING:
        return t(lang, "schedule.cancel_in_flight", schedule_id=row.id)
    return t(
        lang,
        "schedule.cancel_final",
        schedule_id=row.id,
        state=Raw(t(lang, f"schedule.state.{row.state.value}")),
    )


def schedule_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature."""
    return [
        CommandHandler("schedule", schedule_command),
        CommandHandler("scheduled", scheduled_command),
        CallbackQueryHandler(cancel_pressed, pattern=r"^sched:(cancel|list):\d+$"),
    ]
