"""The guided `/send`: numbers, then text, then a preview whose Send button sends once. Each
step and button is checked against the person's role now; drafts are per (chat, person)."""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final

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

from bot.access.handlers import asked, language_of, role_name, sender_role
from bot.access.service import has_right
from bot.account.handlers import chat_sender
from bot.context import Context
from bot.optout.service import opted_out_recipients
from bot.send.optout_prompt import opted_out_warning
from bot.send.service import (
    Recipients,
    SmsText,
    check_numbers,
    check_text,
    parse_number_list,
)
from bot.send.shared import confirm, new_request, problem_text, submit
from bot.texts import t
from storage.models import Role

log = logging.getLogger(__name__)

ASK_NUMBERS, ASK_TEXT, CONFIRM = range(3)
CONFIRM_DATA: Final = "send:ok"
CANCEL_DATA: Final = "send:no"
_DRAFTS: Final = "send_drafts"  # in chat_data: user id -> that user's guided draft in this chat
TEXT_ONLY: Final = filters.TEXT & ~filters.COMMAND
NOT_TEXT: Final = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL


@dataclass
class Draft:
    """One person's guided /send in one chat, as far as they got (each step checked)."""

    recipients: Recipients
    text: SmsText | None = None
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


async def still_operator(update: Update, context: Context, step: str) -> bool:
    """Whether the person may still send; if not, their flow ends (draft dropped), nothing is
    sent, and they are told why. Checked at every step: a right can be taken mid-flow."""
    user = update.effective_user
    assert user is not None
    data = context.bot_data
    role = await sender_role(update, context)
    if has_right(role, Role.OPERATOR):
        return True
    chat = update.effective_chat
    chat_drafts(context).pop(user.id, None)
    lang = await language_of(data, user.id)
    text = t(lang, "flow_refused_right", role=role_name(lang, role))
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
    recipients = check_numbers(parse_number_list(message.text or ""))
    if not isinstance(recipients, Recipients):
        await message.reply_html(problem_text(lang, recipients))
        return ASK_NUMBERS
    chat_drafts(context)[user.id] = Draft(recipients)
    await message.reply_html(t(lang, "ask_text", count=len(recipients.numbers)))
    return ASK_TEXT


@flow_step("text")
async def guided_text(update: Update, context: Context) -> int | None:
    """Guided flow, step 2: the text, then a preview with Send and Cancel buttons."""
    message, user, lang = await asked(update, context)
    draft = chat_drafts(context).get(user.id)
    if draft is None:
        await message.reply_html(t(lang, "flow_expired"))
        return ConversationHandler.END
    account, line = await chat_sender(context.bot_data, message.chat_id)
    text = check_text(account, message.text or "")
    if not isinstance(text, SmsText):
        await message.reply_html(problem_text(lang, text))
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
        count=len(draft.recipients.numbers),
        parts=text.parts,
        text=text.body,
    )
    listed = await opted_out_recipients(context.bot_data.repo, line, draft.recipients.numbers)
    if listed:
        # The preview is this flow's confirmation: Send sends to them too, knowingly.
        preview = f"{opted_out_warning(lang, line, listed)}\n\n{preview}"
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
    account = data.accounts.get(draft.account)
    if account is None or draft.text is None:
        await query.answer(t(lang, "flow_expired"), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    request = new_request(preview, user.id, account, draft.line, draft.recipients, draft.text)
    outcome = await submit(context, request)
    await confirm(data, lang, request, outcome, preview, in_place=True)
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


def guided_handlers(
    send_command: Callable[[Update, Context], Coroutine[Any, Any, int | None]],
) -> list[BaseHandler[Update, Context, Any]]:
    """The guided flow, entered by `send_command` (which answers ASK_NUMBERS for `/send`
    alone), and the buttons and /cancel outside it."""
    with warnings.catch_warnings():
        # Buttons belong to the user's one open flow in a chat, not to each message, so
        # per_message=False is what we want; PTB warns about that combination regardless.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CommandHandler("send", send_command)],
            states={
                ASK_NUMBERS: [MessageHandler(TEXT_ONLY, guided_numbers)],
                ASK_TEXT: [
                    MessageHandler(TEXT_ONLY, guided_text),
                    MessageHandler(NOT_TEXT, guided_not_text),
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
    ]
