"""What every send path in Telegram shares: the one `SendRequest` builder, submitting with
the admin chat as alert sink, the problem and failure texts, and the confirmation posting."""

from __future__ import annotations

from typing import Final

from telegram import Message

from bot.alerts.admin_chat import AdminChatAlerts
from bot.context import Account, BotData, Context
from bot.render import digest, render_confirmation
from bot.send.optout_prompt import Go, held_for_opt_outs
from bot.send.service import (
    EmptyText,
    InvalidNumbers,
    NoNumbers,
    Recipients,
    SendOutcome,
    SendProblem,
    SendRequest,
    SmsText,
    TooManyParts,
    TooManyRecipients,
    sendable,
    submit_send,
)
from bot.texts import Raw, t
from bot.topics.mirror import mirror_send
from providers.base import ErrorCategory
from providers.phone import InvalidNumberError, parse_numbers
from storage.models import SendStatus

# providers.phone's reasons (plain English) → their text keys.
_REASON_KEYS: Final = {
    "empty": "number_reason.empty",
    "contains characters that are not digits": "number_reason.not_digits",
    "not a phone number": "number_reason.not_a_phone",
    "not an Iranian number": "number_reason.not_iranian",
    "not a valid Iranian number": "number_reason.not_valid",
    "not a mobile number": "number_reason.not_mobile",
}


def number_reason(lang: str, error: InvalidNumberError) -> str:
    """Why a number is refused, in the user's language."""
    key = _REASON_KEYS.get(error.reason)
    return t(lang, key) if key else error.reason


def problem_text(lang: str, problem: SendProblem) -> str:
    """The refusal for a send that cannot go, in the user's language."""
    match problem:
        case InvalidNumbers(items):
            lines = "\n".join(
                t(lang, "invalid_number_item", raw=e.raw, reason=number_reason(lang, e))
                for e in items
            )
            return t(lang, "invalid_numbers", items=Raw(lines))
        case NoNumbers():
            return t(lang, "no_numbers")
        case TooManyRecipients(count, limit):
            return t(lang, "too_many_recipients", limit=limit, count=count)
        case EmptyText():
            return t(lang, "empty_text")
        case TooManyParts(parts, limit, account):
            return t(lang, "too_many_parts", parts=parts, account=account, limit=limit)


def error_text(lang: str, outcome: SendOutcome) -> str:
    """What to tell the person whose send failed, in plain words."""
    error = outcome.error
    assert error is not None
    if error.outcome_unknown or error.unknown_recipients:
        return t(lang, "error.unknown_outcome", send_id=outcome.send.id)
    if error.category is ErrorCategory.PARTIAL:
        return t(lang, "error.partial", reason=error)
    return t(lang, f"error.{error.category.value}", account=outcome.send.account, reason=error)


def new_request(
    asked_in: Message,
    user_id: int,
    account: Account,
    line: str,
    recipients: Recipients,
    text: SmsText,
) -> SendRequest:
    """The one place a `SendRequest` is made: its idempotency key is the chat and message
    that asked (a `/send`, a reply, or the preview whose Send was pressed)."""
    return SendRequest(
        idempotency_key=f"tg:{asked_in.chat_id}:{asked_in.message_id}",
        account=account,
        line=line,
        recipients=recipients,
        text=text,
        chat_id=asked_in.chat_id,
        user_id=user_id,
    )


async def submit(context: Context, request: SendRequest) -> SendOutcome:
    """`submit_send` with the admin chat as its alert sink."""
    data = context.bot_data
    alerts = AdminChatAlerts(data, context.bot)
    account = data.accounts.get(request.account.name)
    return await submit_send(
        data.repo,
        alerts,
        request,
        poll_delay=data.config.polling.delivery,
        limits=account,
        clock=data.clock,
    )


async def confirm(
    data: BotData,
    lang: str,
    request: SendRequest,
    outcome: SendOutcome,
    message: Message,
    *,
    in_place: bool,
) -> None:
    """Tell the person what happened to their send: a failure in words (a reply to
    `message`), and, unless nothing went, the confirmation that delivery polling edits later:
    a reply to `message`, or `message` itself edited (`in_place`: the preview). A request
    seen before says nothing again."""
    if not outcome.created:
        return
    send = outcome.send
    if outcome.error is not None:
        await message.reply_html(error_text(lang, outcome))
    if send.status is SendStatus.FAILED:
        if in_place:
            await message.edit_reply_markup(reply_markup=None)
        return
    recipients = await data.repo.get_recipients(send.id)
    text = render_confirmation(lang, send, recipients, parts=request.text.parts)
    if in_place:
        await message.edit_text(text, parse_mode="HTML", reply_markup=None)
        shown = message
    else:
        shown = await message.reply_html(text)
    await data.repo.set_confirmation(
        send.id, shown.chat_id, shown.message_id, text_digest=digest(text)
    )
    asker = message.from_user if not in_place else None
    name = asker.full_name if asker is not None else str(send.requested_by)
    await mirror_send(message.get_bot(), data, send, recipients, message, name)


async def answer_by_sms(
    context: Context, message: Message, user_id: int, lang: str, line: str, number: str
) -> None:
    """`message`'s text as one SMS to `number` from `line` (a reply to an SMS, a message in a
    customer's topic): checked, stored, sent once, confirmed in reply to `message`."""
    data = context.bot_data
    account = data.account_for_line(line)
    if account is None:
        lines = ", ".join(owned for a in data.accounts.values() for owned in a.lines)
        await message.reply_html(t(lang, "no_such_sender", name=line, lines=lines))
        return
    checked = sendable(account, parse_numbers([number]), message.text or "")
    if not isinstance(checked, tuple):
        await message.reply_html(problem_text(lang, checked))
        return
    request = new_request(message, user_id, account, line, *checked)
    if await held_for_opt_outs(
        context, message, user_id, lang, line, request.recipients.numbers, sending(request, lang)
    ):
        return
    outcome = await submit(context, request)
    await confirm(data, lang, request, outcome, message, in_place=False)


def sending(request: SendRequest, lang: str) -> Go:
    """What "Send anyway" does for a held send: send it once, and turn the prompt into its
    confirmation."""

    async def go(context: Context, prompt: Message) -> None:
        outcome = await submit(context, request)
        await confirm(context.bot_data, lang, request, outcome, prompt, in_place=True)

    return go
