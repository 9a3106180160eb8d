"""Writing in a customer's topic: text goes as an SMS to that customer from the topic's line
(as `/send` does: stored first, the same idempotency key, role checked, confirmed); anything
else is refused in words. `/name <name>` renames the topic. A message in a topic that is not
a customer's is left to the reply handlers."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.access.handlers import asked, requires, role_name, sender_role
from bot.access.service import has_right
from bot.account.handlers import command_arguments
from bot.context import Context
from bot.send.guided import NOT_TEXT, TEXT_ONLY
from bot.send.handlers import non_text_reply, reply_to_sms
from bot.send.shared import answer_by_sms, number_reason
from bot.texts import t
from bot.topics.service import BadTopicName, checked_name, conversation, reachable_number, renamed
from storage.models import Role

log = logging.getLogger(__name__)


async def topic_text(update: Update, context: Context) -> None:
    """Text in a customer's topic: one SMS to that customer from the topic's line."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    topic = await conversation(data.repo, message.chat_id, message.message_thread_id)
    if topic is None:
        if message.reply_to_message is not None:
            await reply_to_sms(update, context)
        return
    role = await sender_role(update, context)
    if not has_right(role, Role.OPERATOR):
        await message.reply_html(t(lang, "refused_right", role=role_name(lang, role)))
        return
    unreachable = reachable_number(topic)
    if unreachable is not None:
        await message.reply_html(
            t(
                lang,
                "topic_cannot_receive",
                number=topic.number,
                reason=number_reason(lang, unreachable),
            )
        )
        return
    await answer_by_sms(context, message, user.id, lang, topic.line, topic.number)


async def topic_not_text(update: Update, context: Context) -> None:
    """A photo, sticker, file… in a customer's topic: nothing goes, the person is told why."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    topic = await conversation(data.repo, message.chat_id, message.message_thread_id)
    if topic is None:
        if message.reply_to_message is not None:
            await non_text_reply(update, context)
        return
    role = await sender_role(update, context)
    if not has_right(role, Role.OPERATOR):
        await message.reply_html(t(lang, "refused_right", role=role_name(lang, role)))
        return
    log.info("user %s wrote no text in topic %s: nothing sent", user.id, topic.thread_id)
    await message.reply_html(t(lang, "text_only"))


@requires(Role.OPERATOR)
async def name_command(update: Update, context: Context) -> None:
    """`/name <name>` in a customer's topic: the topic is called that from now on."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    topic = await conversation(data.repo, message.chat_id, message.message_thread_id)
    if topic is None:
        await message.reply_html(t(lang, "name_usage"))
        return
    try:
        name = checked_name(command_arguments(message))
    except BadTopicName as bad:
        key = "name_usage" if bad.length == 0 else "name_too_long"
        await message.reply_html(t(lang, key, count=bad.length))
        return
    if name != topic.name:
        try:
            await context.bot.edit_forum_topic(message.chat_id, topic.thread_id, name=name)
        except BadRequest as exc:
            if "not_modified" not in exc.message.lower():
                raise
        await renamed(data.repo, topic, name, user.id)
    await message.reply_html(t(lang, "name_done", name=name))


def topic_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature, tried before the send handlers (a message in a topic is
    a reply to the topic's first message for Telegram)."""
    in_topic = filters.IS_TOPIC_MESSAGE
    return [
        CommandHandler("name", name_command),
        MessageHandler(in_topic & TEXT_ONLY, topic_text),
        MessageHandler(in_topic & NOT_TEXT, topic_not_text),
    ]
