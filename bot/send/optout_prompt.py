"""Asking before sending to numbers that opted out of the line: every send path that is not
previewed (`/send <numbers> <text>`, a reply to an SMS, a message in a topic, `/schedule`)
posts this prompt instead of going; its "Send anyway" goes, once, for the person who asked
(while still an operator), and Cancel drops it. The guided `/send` says it in its preview.

Open prompts live in the chat's data, by the prompt's message id: a prompt left open across
a restart says it is no longer valid, and nothing is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.access.handlers import language_of, role_name, sender_role
from bot.access.service import has_right
from bot.context import Context
from bot.optout.service import opted_out_recipients
from bot.texts import t
from providers.phone import display_number
from storage.models import Role

log = logging.getLogger(__name__)

GO_DATA: Final = "optout:go"
DROP_DATA: Final = "optout:drop"
_PROMPTS: Final = "optout_prompts"  # in chat_data: prompt message id -> OptOutPrompt

# What "Send anyway" does: given the pressing update's context and the prompt message.
Go = Callable[[Context, Message], Awaitable[None]]


@dataclass(frozen=True)
class OptOutPrompt:
    """A send held back because some of its numbers opted out, and who may let it go."""

    user_id: int
    go: Go


def _prompts(context: Context) -> dict[int, OptOutPrompt]:
    chat_data = context.chat_data
    assert chat_data is not None, "prompts are posted in a chat"
    prompts = chat_data.get(_PROMPTS)
    if not isinstance(prompts, dict):
        prompts = {}
        chat_data[_PROMPTS] = prompts
    return prompts


def opted_out_warning(lang: str, line: str, listed: Sequence[str]) -> str:
    """The words that name the recipients that opted out of `line`."""
    return t(
        lang,
        "optout.warning",
        count=len(listed),
        line=line,
        number=tuple(display_number(n) for n in listed),
    )


async def held_for_opt_outs(
    context: Context,
    message: Message,
    user_id: int,
    lang: str,
    line: str,
    numbers: Sequence[str],
    go: Go,
) -> bool:
    """If some of `numbers` opted out of `line`, post the prompt (a reply to `message`) and
    return True: nothing goes until "Send anyway". False: none did, the caller goes on."""
    listed = await opted_out_recipients(context.bot_data.repo, line, numbers)
    if not listed:
        return False
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "button.send_anyway"), callback_data=GO_DATA),
                InlineKeyboardButton(t(lang, "button.cancel"), callback_data=DROP_DATA),
            ]
        ]
    )
    text = f"{opted_out_warning(lang, line, listed)}\n\n{t(lang, 'optout.ask')}"
    prompt = await message.reply_html(text, reply_markup=buttons)
    _prompts(context)[prompt.message_id] = OptOutPrompt(user_id, go)
    log.info(
        "user %s: %d of %d recipients opted out of %s; asked before sending",
        user_id,
        len(listed),
        len(numbers),
        line,
    )
    return True


async def _pressed(update: Update, context: Context) -> tuple[OptOutPrompt, Message] | None:
    """The pressed prompt, if the presser may decide it; else None, after saying why."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = context.bot_data
    lang = await language_of(data, user.id)
    prompt_message = query.message
    if not isinstance(prompt_message, Message):
        await query.answer(t(lang, "optout.prompt_expired"), show_alert=True)
        return None
    prompt = _prompts(context).get(prompt_message.message_id)
    if prompt is None:
        await query.answer(t(lang, "optout.prompt_expired"), show_alert=True)
        return None
    if prompt.user_id != user.id:
        log.info("user %s pressed user %s's opt-out prompt", user.id, prompt.user_id)
        await query.answer(t(lang, "flow_not_yours"), show_alert=True)
        return None
    role = await sender_role(update, context)
    if not has_right(role, Role.OPERATOR):
        _prompts(context).pop(prompt_message.message_id, None)
        await data.repo.audit(user.id, prompt_message.chat_id, "refused", "send anyway")
        await query.answer(
            t(lang, "flow_refused_right", role=role_name(lang, role)), show_alert=True
        )
        return None
    return prompt, prompt_message


async def send_anyway(update: Update, context: Context) -> None:
    """ "Send anyway" pressed: the held send goes, once."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return
    prompt, prompt_message = pressed
    # Taken before going: a second press while the first is on its way finds nothing.
    _prompts(context).pop(prompt_message.message_id, None)
    assert update.callback_query is not None
    await update.callback_query.answer()
    await prompt.go(context, prompt_message)


async def drop_held(update: Update, context: Context) -> None:
    """Cancel pressed on the prompt: nothing is sent."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return
    _prompt, prompt_message = pressed
    _prompts(context).pop(prompt_message.message_id, None)
    assert update.callback_query is not None and update.effective_user is not None
    await update.callback_query.answer()
    lang = await language_of(context.bot_data, update.effective_user.id)
    await prompt_message.edit_text(t(lang, "cancelled"), parse_mode="HTML", reply_markup=None)


def optout_prompt_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The prompt's two buttons."""
    return [
        CallbackQueryHandler(send_anyway, pattern=f"^{GO_DATA}$"),
        CallbackQueryHandler(drop_held, pattern=f"^{DROP_DATA}$"),
    ]
