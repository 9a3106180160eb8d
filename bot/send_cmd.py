"""`/send` (inline and guided), `/from`, and answering an SMS by replying to it."""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.access import asked, has_right, language_of, requires, role_of
from bot.context import Account, BotData, Context
from bot.render import digest, render_confirmation
from bot.sending import (
    SendOutcome,
    SendRequest,
    error_text,
    numbers_problem,
    parse_recipients,
    split_numbers_and_text,
    submit_send,
    text_problem,
)
from bot.texts import t
from providers.parts import count_parts
from providers.phone import split_number_list, to_ascii_digits
from storage.models import IncomingMessage, MessageLink, Role, SendStatus

log = logging.getLogger(__name__)

ASK_NUMBERS, ASK_TEXT, CONFIRM = range(3)
CONFIRM_DATA = "send:ok"
CANCEL_DATA = "send:no"
_DRAFTS = "send_drafts"  # in chat_data: user id -> that user's guided draft in this chat


@dataclass
class Draft:
    """One person's guided /send in one chat, as far as they got."""

    numbers: tuple[str, ...]
    text: str = ""
    account: str = ""
    line: str = ""
    preview_id: int | None = None


def chat_drafts(context: Context) -> dict[int, Draft]:
    """The open guided drafts of the update's chat, by user.

    Kept per (chat, user), like the conversation itself: a draft kept per user would follow
    them into another group, where a preview's Send would send the other group's text.
    """
    chat_data = context.chat_data
    assert chat_data is not None, "the guided flow runs in a chat"
    drafts = chat_data.get(_DRAFTS)
    if not isinstance(drafts, dict):
        drafts = {}
        chat_data[_DRAFTS] = drafts
    return drafts


async def chat_sender(data: BotData, chat_id: int) -> tuple[Account, str]:
    """The account and line this chat sends from: its /from choice, else the default."""
    chosen = await data.repo.get_chat_sender(chat_id)
    if chosen is not None:
        account = data.accounts.get(chosen[0])
        if account is not None and chosen[1] in account.lines:
            return account, chosen[1]
    account = data.default_account
    return account, account.lines[0]


def command_arguments(message: Message) -> str:
    """Everything after the command, new lines kept (context.args would lose them)."""
    text = message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def post_confirmation(
    data: BotData, message: Message, lang: str, outcome: SendOutcome
) -> None:
    """Reply with the send's confirmation, which delivery polling edits later."""
    send = outcome.send
    recipients = await data.repo.get_recipients(send.id)
    text = render_confirmation(lang, send, recipients)
    sent = await message.reply_html(text)
    await data.repo.set_confirmation(
        send.id, sent.chat_id, sent.message_id, text_digest=digest(text)
    )


async def report_outcome(data: BotData, message: Message, lang: str, outcome: SendOutcome) -> None:
    """Tell the person what happened to their send."""
    if not outcome.created:
        return
    if outcome.error is not None:
        await message.reply_html(error_text(lang, outcome, outcome.send.account))
        if outcome.send.status is SendStatus.FAILED:
            return
    await post_confirmation(data, message, lang, outcome)


@requires(Role.OPERATOR)
async def send_command(update: Update, context: Context) -> int:
    """`/send <numbers> <text>`, or `/send` alone to start the guided flow."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    arguments = command_arguments(message)
    if not arguments.strip():
        await message.reply_html(t(lang, "ask_numbers"))
        return ASK_NUMBERS
    raw_numbers, text = split_numbers_and_text(arguments)
    parsed = parse_recipients(raw_numbers)
    account, line = await chat_sender(data, message.chat_id)
    problem = numbers_problem(lang, parsed) or text_problem(lang, account, text)
    if problem is not None:
        if not raw_numbers:
            problem = f"{problem}\n\n{t(lang, 'send_usage')}"
        await message.reply_html(problem)
        return ConversationHandler.END
    request = SendRequest(
        idempotency_key=f"tg:{message.chat_id}:{message.message_id}",
        account=account,
        line=line,
        recipients=parsed.valid,
        text=text,
        chat_id=message.chat_id,
        user_id=user.id,
    )
    outcome = await submit_send(data, context.bot, request)
    await report_outcome(data, message, lang, outcome)
    return ConversationHandler.END


async def still_operator(update: Update, context: Context, step: str) -> bool:
    """Whether the person may still send; if not, their flow ends (draft dropped), nothing is
    sent, and they are told why. Checked at every step: a right can be taken mid-flow."""
    user = update.effective_user
    assert user is not None
    data = context.bot_data
    role = await role_of(data, user.id)
    if has_right(role, Role.OPERATOR):
        return True
    chat = update.effective_chat
    chat_drafts(context).pop(user.id, None)
    lang = await language_of(data, user.id)
    text = t(lang, "flow_refused_right", role=t(lang, f"role.{role.value}") if role else "-")
    log.info("user %s (%s) lost the right to send before the guided %s", user.id, role, step)
    await data.repo.audit(user.id, chat.id if chat else None, "refused", f"/send {step}")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_html(text)
    return False


StepHandler = Callable[[Update, Context], Coroutine[Any, Any, int | None]]


def flow_step(step: str) -> Callable[[StepHandler], StepHandler]:
    """Decorator for a typed step of the guided flow: it runs only while the person is still an
    operator, else the flow ends."""

    def wrap(handler: StepHandler) -> StepHandler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: Context) -> int | None:
            if not await still_operator(update, context, step):
                return ConversationHandler.END
            return await handler(update, context)

        return guarded

    return wrap


@flow_step("numbers")
async def guided_numbers(update: Update, context: Context) -> int | None:
    """Guided flow, step 1: the numbers."""
    message, user, lang = await asked(update, context)
    parsed = parse_recipients(split_number_list(message.text or ""))
    problem = numbers_problem(lang, parsed)
    if problem is not None:
        await message.reply_html(problem)
        return ASK_NUMBERS
    chat_drafts(context)[user.id] = Draft(numbers=tuple(parsed.valid))
    await message.reply_html(t(lang, "ask_text", count=len(parsed.valid)))
    return ASK_TEXT


@flow_step("text")
async def guided_text(update: Update, context: Context) -> int | None:
    """Guided flow, step 2: the text, then a preview with Send and Cancel buttons."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    draft = chat_drafts(context).get(user.id)
    if draft is None:
        await message.reply_html(t(lang, "flow_expired"))
        return ConversationHandler.END
    text = message.text or ""
    account, line = await chat_sender(data, message.chat_id)
    problem = text_problem(lang, account, text)
    if problem is not None:
        await message.reply_html(problem)
        return ASK_TEXT
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "button.confirm"), callback_data=CONFIRM_DATA),
                InlineKeyboardButton(t(lang, "button.cancel"), callback_data=CANCEL_DATA),
            ]
        ]
    )
    preview = t(
        lang,
        "preview",
        line=line,
        account=account.name,
        count=len(draft.numbers),
        parts=count_parts(text).parts,
        text=text,
    )
    sent = await message.reply_html(preview, reply_markup=buttons)
    draft.text, draft.account, draft.line = text, account.name, line
    draft.preview_id = sent.message_id
    return CONFIRM


@flow_step("text")
async def guided_not_text(update: Update, context: Context) -> int | None:
    """Guided flow, step 2, answered with a photo, a sticker, a file…: asked again."""
    message, _user, lang = await asked(update, context)
    await message.reply_html(t(lang, "text_only"))
    return None  # still waiting for the text


async def pressed_draft(update: Update, context: Context) -> Draft | None:
    """The presser's own draft behind the pressed preview; else None, after telling them the
    preview is someone else's or no longer valid (and changing nothing)."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    drafts = chat_drafts(context)
    preview = query.message
    preview_id = preview.message_id if isinstance(preview, Message) else None
    mine = drafts.get(user.id)
    if preview_id is not None and mine is not None and mine.preview_id == preview_id:
        return mine
    lang = await language_of(context.bot_data, user.id)
    owners = [u for u, d in drafts.items() if preview_id is not None and d.preview_id == preview_id]
    if owners:
        log.info("user %s pressed a button of user %s's send preview", user.id, owners[0])
        await query.answer(t(lang, "flow_not_yours"), show_alert=True)
    else:
        await query.answer(t(lang, "flow_expired"), show_alert=True)
    return None


async def guided_confirm(update: Update, context: Context) -> int | None:
    """Guided flow, step 3: Send pressed on the preview; the preview becomes the confirmation."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = context.bot_data
    draft = await pressed_draft(update, context)
    if draft is None:
        return None  # someone else's or an old preview: this person's own flow goes on
    if not await still_operator(update, context, "confirm"):
        return ConversationHandler.END
    lang = await language_of(data, user.id)
    chat_drafts(context).pop(user.id, None)
    preview = query.message
    assert isinstance(preview, Message)
    if draft.account not in data.accounts:
        await query.answer(t(lang, "flow_expired"), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    account = data.accounts[draft.account]
    request = SendRequest(
        idempotency_key=f"tg:{preview.chat_id}:{preview.message_id}",
        account=account,
        line=draft.line,
        recipients=draft.numbers,
        text=draft.text,
        chat_id=preview.chat_id,
        user_id=user.id,
    )
    outcome = await submit_send(data, context.bot, request)
    if outcome.error is not None:
        await preview.reply_html(error_text(lang, outcome, account.name))
    if outcome.created and outcome.send.status is not SendStatus.FAILED:
        recipients = await data.repo.get_recipients(outcome.send.id)
        text = render_confirmation(lang, outcome.send, recipients)
        await preview.edit_text(text, parse_mode="HTML", reply_markup=None)
        await data.repo.set_confirmation(
            outcome.send.id, preview.chat_id, preview.message_id, text_digest=digest(text)
        )
    elif outcome.created:
        await preview.edit_reply_markup(reply_markup=None)
    return ConversationHandler.END


async def guided_cancel_button(update: Update, context: Context) -> int | None:
    """Cancel pressed on the preview: nothing is sent."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    if await pressed_draft(update, context) is None:
        return None
    if not await still_operator(update, context, "cancel"):
        return ConversationHandler.END
    lang = await language_of(context.bot_data, user.id)
    chat_drafts(context).pop(user.id, None)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(t(lang, "cancelled"), parse_mode="HTML")
    return ConversationHandler.END


async def guided_cancel(update: Update, context: Context) -> int:
    """/cancel typed: the flow ends, nothing is sent (ending one's own flow needs no right)."""
    message, user, lang = await asked(update, context)
    chat_drafts(context).pop(user.id, None)
    await message.reply_html(t(lang, "cancelled"))
    return ConversationHandler.END


async def guided_timeout(update: Update, context: Context) -> None:
    """The flow was left open too long: its draft goes with it."""
    user = update.effective_user
    if user is not None and context.chat_data is not None:
        chat_drafts(context).pop(user.id, None)


async def nothing_to_cancel(update: Update, context: Context) -> None:
    """/cancel with no flow open."""
    message, _user, lang = await asked(update, context)
    await message.reply_html(t(lang, "nothing_to_cancel"))


async def stale_button(update: Update, context: Context) -> None:
    """A Send/Cancel button pressed outside the presser's own open flow: someone else's
    preview, or one whose flow has ended. Nothing happens but saying which."""
    await pressed_draft(update, context)


async def replied_sms(
    data: BotData, message: Message
) -> tuple[MessageLink | None, IncomingMessage | None]:
    """What the message replies to: our record of that message, and the SMS it shows."""
    assert message.reply_to_message is not None
    link = await data.repo.get_link(message.chat_id, message.reply_to_message.message_id)
    incoming = await data.repo.get_incoming(link.incoming_id) if link and link.incoming_id else None
    return link, incoming


@requires(Role.OPERATOR)
async def reply_to_sms(update: Update, context: Context) -> None:
    """A reply to a forwarded SMS goes as an SMS to its sender, from the line it came in on."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    link, incoming = await replied_sms(data, message)
    if incoming is None:
        if link is None and message.chat.type == message.chat.PRIVATE:
            await message.reply_html(t(lang, "reply_no_target"))
        return
    account = data.account_for_line(incoming.line)
    text = message.text or ""
    if account is None:
        lines = ", ".join(line for a in data.accounts.values() for line in a.lines)
        await message.reply_html(t(lang, "no_such_sender", name=incoming.line, lines=lines))
        return
    parsed = parse_recipients([incoming.sender])
    problem = numbers_problem(lang, parsed) or text_problem(lang, account, text)
    if problem is not None:
        await message.reply_html(problem)
        return
    request = SendRequest(
        idempotency_key=f"tg:{message.chat_id}:{message.message_id}",
        account=account,
        line=incoming.line,
        recipients=parsed.valid,
        text=text,
        chat_id=message.chat_id,
        user_id=user.id,
    )
    outcome = await submit_send(data, context.bot, request)
    await report_outcome(data, message, lang, outcome)


async def non_text_reply(update: Update, context: Context) -> None:
    """A photo, sticker, file… sent as a reply to a forwarded SMS: nothing goes, and the person
    is told only text can (replies to anything else are chatter, left alone)."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    _link, incoming = await replied_sms(data, message)
    if incoming is None:
        return
    role = await role_of(data, user.id)
    if not has_right(role, Role.OPERATOR):
        role_name = t(lang, f"role.{role.value}") if role else "-"
        await message.reply_html(t(lang, "refused_right", role=role_name))
        return
    log.info("user %s replied to incoming %s with no text: nothing sent", user.id, incoming.id)
    await message.reply_html(t(lang, "text_only"))


@requires(Role.OPERATOR)
async def from_command(update: Update, context: Context) -> None:
    """`/from <account or line>`: this chat's sending line."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    choice = to_ascii_digits(command_arguments(message).strip())
    account, line = await chat_sender(data, message.chat_id)
    if not choice:
        current = f"{line} ({account.name})"
        await message.reply_html(t(lang, "from_usage", current=current))
        return
    target = data.accounts.get(choice.lower())
    if target is not None:
        account, line = target, target.lines[0]
    elif (owner := data.account_for_line(choice)) is not None:
        account, line = owner, choice
    else:
        lines = ", ".join(f"{ln} ({a.name})" for a in data.accounts.values() for ln in a.lines)
        await message.reply_html(t(lang, "no_such_sender", name=choice, lines=lines))
        return
    await data.repo.set_chat_sender(message.chat_id, account.name, line)
    await data.repo.audit(user.id, message.chat_id, "from", f"{account.name} {line}")
    await message.reply_html(t(lang, "from_set", line=line, account=account.name))


def send_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this module, in the order they must be tried."""
    text_only = filters.TEXT & ~filters.COMMAND
    not_text = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    with warnings.catch_warnings():
        # Buttons belong to the user's one open flow in a chat, not to each message, so
        # per_message=False is what we want; PTB warns about that combination regardless.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CommandHandler("send", send_command)],
            states={
                ASK_NUMBERS: [MessageHandler(text_only, guided_numbers)],
                ASK_TEXT: [
                    MessageHandler(text_only, guided_text),
                    MessageHandler(not_text, guided_not_text),
                ],
                CONFIRM: [
                    CallbackQueryHandler(guided_confirm, pattern=f"^{CONFIRM_DATA}$"),
                    CallbackQueryHandler(guided_cancel_button, pattern=f"^{CANCEL_DATA}$"),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, guided_timeout)],
            },
            fallbacks=[CommandHandler("cancel", guided_cancel)],
            conversation_timeout=900,
            # One conversation per (chat, person), as the drafts: two people in a group each
            # have their own, and one person's flows in two groups never meet.
            per_chat=True,
            per_user=True,
            per_message=False,
        )
    return [
        conversation,
        CallbackQueryHandler(stale_button, pattern="^send:"),
        CommandHandler("cancel", nothing_to_cancel),
        CommandHandler("from", from_command),
        MessageHandler(filters.REPLY & text_only, reply_to_sms),
        MessageHandler(filters.REPLY & not_text, non_text_reply),
    ]
