"""The guided `/send`: numbers, then text, then a preview whose Send button sends once. Each
step and button is checked against the person's role now; drafts are per (chat, person).

The flow lives in the database (`FlowStore`), not in the process: with several replicas behind
a webhook, each step may reach another replica, which reads where the person got to. Its
handlers run in their own handler group before the others (`GUIDED_GROUP`): a text from a
person with an open flow is that flow's next step, and nothing else sees it; without one,
the update goes on to the other handlers. The Send button takes the flow out of the database
in one step, so two presses (on one replica or two) send once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

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
from storage.models import Flow, Role

log = logging.getLogger(__name__)

ASK_NUMBERS, ASK_TEXT, CONFIRM = range(3)
CONFIRM_DATA: Final = "send:ok"
CANCEL_DATA: Final = "send:no"
FLOW_KIND: Final = "send"
FLOW_TIMEOUT: Final = 900.0  # seconds a guided /send stays open untouched
GUIDED_GROUP: Final = -1  # after the access check (-2), before every other handler (0)
STEP_NUMBERS, STEP_TEXT, STEP_CONFIRM = "numbers", "text", "confirm"
PREVIEW_WAIT_STEP, PREVIEW_WAIT_STEPS = 0.1, 30  # a press may beat the preview's id: wait ≤ 3 s
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

    def stored(self) -> dict[str, str]:
        """The draft as the flow's data."""
        data = {"numbers": ",".join(self.recipients.numbers), "account": self.account}
        if self.text is not None:
            data |= {"body": self.text.body, "parts": str(self.text.parts), "line": self.line}
        return data

    @classmethod
    def from_flow(cls, flow: Flow) -> Draft:
        """The draft a stored flow holds (its numbers and text were checked when given)."""
        data = flow.data
        numbers = tuple(n for n in data.get("numbers", "").split(",") if n)
        text = SmsText(data["body"], int(data["parts"])) if "body" in data else None
        return cls(
            Recipients(numbers),
            text,
            data.get("account", ""),
            data.get("line", ""),
            flow.preview_id,
        )


def _place(update: Update) -> tuple[int, int]:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None, "the guided flow runs in a chat"
    return chat.id, user.id


async def open_flow(update: Update, context: Context) -> Flow | None:
    """The person's open guided /send in this chat (kept per (chat, person): a draft kept per
    person would follow them into another group, where a preview's Send would send the other
    group's text)."""
    chat_id, user_id = _place(update)
    return await context.bot_data.repo.get_flow(chat_id, user_id, FLOW_KIND, max_age=FLOW_TIMEOUT)


async def end_flow(update: Update, context: Context) -> None:
    """Drop the person's guided /send in this chat (if any)."""
    chat_id, user_id = _place(update)
    await context.bot_data.repo.drop_flow(chat_id, user_id, FLOW_KIND)


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
    await end_flow(update, context)
    lang = await language_of(data, user.id)
    text = t(lang, "flow_refused_right", role=role_name(lang, role))
    log.info("user %s (%s) lost the right to send before the guided %s", user.id, role, step)
    await data.repo.audit(user.id, chat.id if chat else None, "refused", f"/send {step}")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_html(text)
    return False


StepHandler = Callable[[Update, Context, Flow], Coroutine[Any, Any, None]]


def flow_step(step: str, *steps: str) -> Callable[[StepHandler], Callable[[Update, Context], Any]]:
    """Decorator for a typed step of the guided flow: it runs when the person's open flow is
    at one of these steps (and then nothing else handles the update), and only while the
    person is still an operator, else the flow ends. Without such a flow, it lets the update
    go on to the other handlers."""
    wanted = {step, *steps}

    def wrap(handler: StepHandler) -> Callable[[Update, Context], Any]:
        @functools.wraps(handler)
        async def guarded(update: Update, context: Context) -> None:
            if update.effective_chat is None or update.effective_user is None:
                return
            flow = await open_flow(update, context)
            if flow is None or flow.step not in wanted:
                return
            if await still_operator(update, context, step):
                await handler(update, context, flow)
            raise ApplicationHandlerStop

        return guarded

    return wrap


@flow_step(STEP_NUMBERS)
async def guided_numbers(update: Update, context: Context, flow: Flow) -> None:
    """Guided flow, step 1: the numbers."""
    message, user, lang = await asked(update, context)
    recipients = check_numbers(parse_number_list(message.text or ""))
    if not isinstance(recipients, Recipients):
        await message.reply_html(problem_text(lang, recipients))
        return
    draft = Draft(recipients)
    await context.bot_data.repo.save_flow(
        message.chat_id, user.id, FLOW_KIND, STEP_TEXT, draft.stored()
    )
    await message.reply_html(t(lang, "ask_text", count=len(recipients.numbers)))


@flow_step(STEP_TEXT)
async def guided_text(update: Update, context: Context, flow: Flow) -> None:
    """Guided flow, step 2: the text, then a preview with Send and Cancel buttons."""
    message, user, lang = await asked(update, context)
    draft = Draft.from_flow(flow)
    account, line = await chat_sender(context.bot_data, message.chat_id)
    text = check_text(account, message.text or "")
    if not isinstance(text, SmsText):
        await message.reply_html(problem_text(lang, text))
        return
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
    draft.text, draft.account, draft.line = text, account.name, line
    repo = context.bot_data.repo
    listed = await opted_out_recipients(repo, line, draft.recipients.numbers)
    if listed:
        # The preview is this flow's confirmation: Send sends to them too, knowingly.
        preview = f"{opted_out_warning(lang, line, listed)}\n\n{preview}"
    # At the confirm step before the preview exists (a press may reach another replica at
    # once), then with the preview's id, which a press must match.
    await repo.save_flow(message.chat_id, user.id, FLOW_KIND, STEP_CONFIRM, draft.stored())
    sent = await message.reply_html(preview, reply_markup=buttons)
    await repo.save_flow(
        message.chat_id, user.id, FLOW_KIND, STEP_CONFIRM, draft.stored(), sent.message_id
    )


@flow_step(STEP_TEXT)
async def guided_not_text(update: Update, context: Context, flow: Flow) -> None:
    """Guided flow, step 2, answered with a photo, a sticker, a file…: asked again."""
    message, _user, lang = await asked(update, context)
    await message.reply_html(t(lang, "text_only"))


async def _refuse_press(update: Update, context: Context, preview_id: int | None) -> None:
    """Tell the presser the preview is someone else's or no longer valid (nothing changes)."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    lang = await language_of(context.bot_data, user.id)
    owners = []
    if preview_id is not None and isinstance(query.message, Message):
        flows = await context.bot_data.repo.flows_with_preview(
            query.message.chat_id, FLOW_KIND, preview_id
        )
        owners = [f.user_id for f in flows if f.user_id != user.id]
    if owners:
        log.info("user %s pressed a button of user %s's send preview", user.id, owners[0])
        await query.answer(t(lang, "flow_not_yours"), show_alert=True)
    else:
        await query.answer(t(lang, "flow_expired"), show_alert=True)


async def _own_preview(update: Update, context: Context) -> Flow | None:
    """The presser's own open flow behind the pressed preview, else None (after saying so)."""
    query = update.callback_query
    assert query is not None
    preview = query.message
    preview_id = preview.message_id if isinstance(preview, Message) else None
    flow = await open_flow(update, context)
    for _ in range(PREVIEW_WAIT_STEPS):
        # Pressed while the replica that sent the preview is still storing its id.
        if flow is None or flow.step != STEP_CONFIRM or flow.preview_id is not None:
            break
        await asyncio.sleep(PREVIEW_WAIT_STEP)
        flow = await open_flow(update, context)
    if preview_id is not None and flow is not None and flow.preview_id == preview_id:
        return flow
    await _refuse_press(update, context, preview_id)
    return None


async def guided_button(update: Update, context: Context) -> None:
    """Send or Cancel pressed on a preview: the presser's own flow goes on, anyone else's
    (or an old preview) only gets told so."""
    query = update.callback_query
    assert query is not None
    if await _own_preview(update, context) is not None:
        if query.data == CONFIRM_DATA:
            await guided_confirm(update, context)
        else:
            await guided_cancel_button(update, context)
    raise ApplicationHandlerStop


async def guided_confirm(update: Update, context: Context) -> None:
    """Guided flow, step 3: Send pressed on the preview; the preview becomes the confirmation."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = context.bot_data
    if not await still_operator(update, context, "confirm"):
        return
    lang = await language_of(data, user.id)
    preview = query.message
    assert isinstance(preview, Message)
    flow = await data.repo.take_flow(
        preview.chat_id, user.id, FLOW_KIND, preview.message_id, max_age=FLOW_TIMEOUT
    )
    if flow is None:  # pressed twice: the other press has it
        await query.answer(t(lang, "flow_expired"), show_alert=True)
        return
    draft = Draft.from_flow(flow)
    account = data.accounts.get(draft.account)
    if account is None or draft.text is None:
        await query.answer(t(lang, "flow_expired"), show_alert=True)
        return
    await query.answer()
    request = new_request(preview, user.id, account, draft.line, draft.recipients, draft.text)
    outcome = await submit(context, request)
    await confirm(data, lang, request, outcome, preview, in_place=True)


async def guided_cancel_button(update: Update, context: Context) -> None:
    """Cancel pressed on the preview: nothing is sent."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    if not await still_operator(update, context, "cancel"):
        return
    lang = await language_of(context.bot_data, user.id)
    await end_flow(update, context)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(t(lang, "cancelled"), parse_mode="HTML")


async def guided_cancel(update: Update, context: Context) -> None:
    """/cancel typed: the flow ends, nothing is sent (ending one's own flow needs no right);
    with no flow open, it says there is nothing to cancel."""
    message, _user, lang = await asked(update, context)
    if await open_flow(update, context) is None:
        await message.reply_html(t(lang, "nothing_to_cancel"))
    else:
        await end_flow(update, context)
        await message.reply_html(t(lang, "cancelled"))
    raise ApplicationHandlerStop


async def start_flow(update: Update, context: Context) -> None:
    """Open the person's guided /send in this chat at its first step (replacing one open)."""
    chat_id, user_id = _place(update)
    await context.bot_data.repo.save_flow(chat_id, user_id, FLOW_KIND, STEP_NUMBERS, {})


def guided_handlers(
    send_command: Callable[[Update, Context], Coroutine[Any, Any, int | None]],
) -> list[BaseHandler[Update, Context, Any]]:
    """The `/send` command (group 0, among the others); `/send` alone calls `start_flow`."""
    return [CommandHandler("send", send_command)]


def guided_flow_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The flow's steps, its buttons and /cancel, for `GUIDED_GROUP` (before the others)."""
    return [
        CommandHandler("cancel", guided_cancel),
        CallbackQueryHandler(guided_button, pattern="^send:"),
        MessageHandler(TEXT_ONLY, _text_step),
        MessageHandler(NOT_TEXT, guided_not_text),
    ]


async def _text_step(update: Update, context: Context) -> None:
    """A text is the numbers or the text, whichever step the person's flow is at."""
    await guided_numbers(update, context)
    await guided_text(update, context)
