"""`/send <numbers> <text>` (and `/send` alone, which starts the guided flow), answering an
SMS by replying to it, and the registration of every send handler."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, ConversationHandler, MessageHandler, filters

from bot.access.handlers import asked, requires, role_name, sender_role
from bot.access.service import has_right
from bot.account.handlers import chat_sender, command_arguments
from bot.context import BotData, Context
from bot.send.guided import ASK_NUMBERS, NOT_TEXT, TEXT_ONLY, guided_handlers, start_flow
from bot.send.optout_prompt import held_for_opt_outs, optout_prompt_handlers
from bot.send.service import sendable, split_numbers_and_text
from bot.send.shared import answer_by_sms, confirm, new_request, problem_text, sending, submit
from bot.texts import t
from storage.models import IncomingMessage, MessageLink, Role

log = logging.getLogger(__name__)


@requires(Role.OPERATOR)
async def send_command(update: Update, context: Context) -> int:
    """`/send <numbers> <text>`, or `/send` alone to start the guided flow."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    arguments = command_arguments(message)
    if not arguments.strip():
        # Stored before the question is asked: the answer may reach another replica.
        await start_flow(update, context)
        await message.reply_html(t(lang, "ask_numbers"))
        return ASK_NUMBERS
    numbers, text = split_numbers_and_text(arguments)
    account, line = await chat_sender(data, message.chat_id)
    checked = sendable(account, numbers.parsed, text)
    if not isinstance(checked, tuple):
        refusal = problem_text(lang, checked)
        if not numbers.raw:
            refusal = f"{refusal}\n\n{t(lang, 'send_usage')}"
        await message.reply_html(refusal)
        return ConversationHandler.END
    request = new_request(message, user.id, account, line, *checked)
    if await held_for_opt_outs(
        context, message, user.id, lang, line, request.recipients.numbers, sending(request, lang)
    ):
        return ConversationHandler.END
    outcome = await submit(context, request)
    await confirm(data, lang, request, outcome, message, in_place=False)
    return ConversationHandler.END


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
    await answer_by_sms(context, message, user.id, lang, incoming.line, incoming.sender)


async def non_text_reply(update: Update, context: Context) -> None:
    """A photo, sticker, file… sent as a reply to a forwarded SMS: nothing goes, and the person
    is told only text can (replies to anything else are chatter, left alone)."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    _link, incoming = await replied_sms(data, message)
    if incoming is None:
        return
    role = await sender_role(update, context)
    if not has_right(role, Role.OPERATOR):
        await message.reply_html(t(lang, "refused_right", role=role_name(lang, role)))
        return
    log.info("user %s replied to incoming %s with no text: nothing sent", user.id, incoming.id)
    await message.reply_html(t(lang, "text_only"))


def send_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature, in the order they must be tried."""
    return [
        *guided_handlers(send_command),
        *optout_prompt_handlers(),
        MessageHandler(filters.REPLY & TEXT_ONLY, reply_to_sms),
        MessageHandler(filters.REPLY & NOT_TEXT, non_text_reply),
    ]
