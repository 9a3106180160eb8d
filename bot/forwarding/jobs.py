"""The forwarding job: stored SMS posted to their chats, digests for a backlog, and what to do
when Telegram says no (wait, follow an upgraded group, back a refused chat off, alert)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.alerts.admin_chat import send_alert
from bot.context import BotData, Context
from bot.forwarding.service import (
    TOPIC_ATTEMPTS,
    Conversation,
    Forwarding,
    by_conversation,
    topic_name,
)
from bot.render import fits_digest, render_digests, render_incoming
from storage.models import IncomingMessage

log = logging.getLogger(__name__)

FORWARD_INTERVAL = 2.0  # seconds between forwarding rounds
DIGEST_THRESHOLD = 5  # a chat with a longer backlog gets digests instead of one message each
FORWARD_PASSES = 3  # passes per round: SMS handed to another chat go in the same round
# Telegram's words for a 400 about the chat rather than the message.
_CHAT_GONE = (
    "chat not found",
    "group chat was deactivated",
    "chat_write_forbidden",
    "not enough rights to send",
    "have no rights to send",
    "peer_id_invalid",
)
# Telegram's words for a topic a person deleted or closed: the customer gets a new one.
_TOPIC_GONE = ("message thread not found", "topic_closed", "topic_deleted")


async def forward_incoming(context: Context) -> None:
    """Post stored SMS to their chats, in order per chat, until Telegram accepts them.

    A chat whose backlog is longer than Telegram lets through quickly gets digests. A chat
    that fails for a while is left for the next round; the others go on. A chat Telegram
    refuses for good hands its SMS on and is asked again only after a backoff; a group
    upgraded to a supergroup is followed to its new id.
    """
    data = context.bot_data
    # One forwarder at a time: in this process the lock (the repeating job and the one-shot
    # runs are separate jobs), across replicas the `forward` leadership.
    async with data.forward_lock:
        if await data.leases.lead("forward"):
            await _forward_pending(context.bot, data)


async def _forward_pending(bot: Bot, data: BotData) -> None:
    lang = data.config.telegram.language
    forwarding = Forwarding(data.repo, data.config.telegram.admin_chat_id)
    # SMS handed to another chat (or followed to a supergroup) go in the same round.
    for _ in range(FORWARD_PASSES):
        if not await _forward_pass(bot, data, forwarding, lang):
            return


async def _forward_pass(bot: Bot, data: BotData, forwarding: Forwarding, lang: str) -> bool:
    """One pass over the chats with SMS waiting; True if some SMS now wait for another chat."""
    moved = await forwarding.follow_migrations()
    for turn in await forwarding.chats_waiting(datetime.now(UTC)):
        chat_id = turn.chat_id
        if turn.backed_off:
            # Not asked again yet; what came for it meanwhile goes elsewhere.
            moved |= await forwarding.hand_over(chat_id)
            continue
        try:
            await _forward_chat(bot, forwarding, lang, chat_id)
        except ChatMigrated as exc:
            await follow_upgrade(bot, data, forwarding, chat_id, int(exc.new_chat_id))
            moved = True
            continue
        except RetryAfter as exc:
            log.warning("forwarding to %s paused by Telegram: %s", chat_id, exc)
            continue
        except (BadRequest, Forbidden) as exc:
            if isinstance(exc, Forbidden) or _chat_is_gone(exc):
                moved |= await _refused_for_good(bot, data, forwarding, chat_id, exc)
            else:
                log.error("forwarding to %s refused: %s", chat_id, exc)
                await send_alert(
                    data,
                    bot,
                    f"forward_refused:{chat_id}",
                    "alert.error",
                    error=f"{chat_id}: {exc}",
                )
            continue
        except TelegramError as exc:
            log.warning("forwarding to %s failed, will retry: %s", chat_id, exc)
            continue
        if turn.refusal is not None and await forwarding.accepted_again(chat_id):
            await send_alert(data, bot, f"chat_back:{chat_id}", "alert.chat_back", chat_id=chat_id)
    return moved


def _chat_is_gone(error: BadRequest) -> bool:
    """A 400 about the chat itself (it does not exist, we may not write there), not about
    our message: retrying changes nothing until a person does something."""
    text = error.message.lower()
    return any(words in text for words in _CHAT_GONE)


async def _refused_for_good(
    bot: Bot, data: BotData, forwarding: Forwarding, chat_id: int, error: TelegramError
) -> bool:
    """Telegram will not take messages into the chat: back it off, hand its SMS on, and tell
    the admins the first time. True if SMS now wait for another chat."""
    refusal = await forwarding.refuse(chat_id, error.message)
    if refusal.first:
        await send_alert(
            data,
            bot,
            f"chat_refused:{chat_id}",
            "alert.chat_refused",
            chat_id=chat_id,
            reason=error.message,
            count=refusal.handed,
        )
    return refusal.handed > 0


async def follow_upgrade(
    bot: Bot, data: BotData, forwarding: Forwarding, old_chat_id: int, new_chat_id: int
) -> None:
    """A group became a supergroup: its routes and waiting SMS move there; admins are told."""
    move = await forwarding.follow_upgrade(old_chat_id, new_chat_id)
    await send_alert(
        data,
        bot,
        f"chat_migrated:{old_chat_id}",
        "alert.chat_migrated",
        old_chat_id=old_chat_id,
        new_chat_id=new_chat_id,
        lines=", ".join(move.lines) or "—",
        count=move.pending,
    )


async def _forward_chat(bot: Bot, forwarding: Forwarding, lang: str, chat_id: int) -> None:
    """Post one chat's waiting SMS, oldest first: one message each, or digests for a backlog;
    on a line in topic mode, each customer's SMS in that customer's topic."""
    pending = await forwarding.backlog(chat_id)
    plain, conversations = by_conversation(pending, await forwarding.topic_lines(chat_id))
    await _forward_messages(bot, forwarding, lang, chat_id, plain, None)
    # Topics share their group's flood limit: with a backlog in the group, a customer's
    # SMS go as one digest in their topic as soon as there are two.
    backlogged = len(pending) > DIGEST_THRESHOLD
    for conversation in conversations:
        await _forward_conversation(bot, forwarding, lang, chat_id, conversation, backlogged)


async def _forward_messages(
    bot: Bot,
    forwarding: Forwarding,
    lang: str,
    chat_id: int,
    pending: Sequence[IncomingMessage],
    thread_id: int | None,
    backlogged: bool = False,
) -> None:
    """SMS into the chat (or one of its topics): one message each, or digests for a backlog
    (of the chat or topic, or, `backlogged`, of the group the topic is in)."""
    if len(pending) > DIGEST_THRESHOLD or (backlogged and len(pending) > 1):
        await _forward_digests(bot, forwarding, lang, chat_id, pending, thread_id)
    else:
        for message in pending:
            await _forward_one(bot, forwarding, lang, chat_id, message, thread_id)


async def _forward_conversation(
    bot: Bot,
    forwarding: Forwarding,
    lang: str,
    chat_id: int,
    conversation: Conversation,
    backlogged: bool,
) -> None:
    """One customer's waiting SMS into their topic, opened on the first SMS. A topic a person
    deleted or closed is forgotten and opened anew; the SMS not yet posted go there."""
    pending: Sequence[IncomingMessage] = conversation.messages
    for attempt in range(TOPIC_ATTEMPTS):
        thread_id = await _topic_thread(bot, forwarding, chat_id, conversation)
        try:
            await _forward_messages(bot, forwarding, lang, chat_id, pending, thread_id, backlogged)
            return
        except BadRequest as exc:
            if thread_id is None or not _topic_is_gone(exc) or attempt + 1 == TOPIC_ATTEMPTS:
                raise
            await forwarding.topic_gone(chat_id, thread_id, exc.message)
            pending = await forwarding.still_waiting(chat_id, pending)


async def _topic_thread(
    bot: Bot, forwarding: Forwarding, chat_id: int, conversation: Conversation
) -> int | None:
    """The customer's topic in the chat: the stored one, else one opened now and stored;
    None (the chat itself) if Telegram will not open topics there, so no SMS waits on it."""
    topic = await forwarding.topic_for(chat_id, conversation.line, conversation.number)
    if topic is not None:
        return topic.thread_id
    try:
        opened = await bot.create_forum_topic(chat_id, topic_name(conversation.number))
    except BadRequest as exc:
        if _chat_is_gone(exc) or not _no_topics(exc):
            raise
        log.error(
            "chat %s is routed in topic mode but Telegram opens no topic there (%s): "
            "the SMS of %s go to the chat itself",
            chat_id,
            exc.message,
            conversation.number,
        )
        return None
    stored = await forwarding.topic_opened(
        chat_id, conversation.line, conversation.number, opened.message_thread_id
    )
    return stored.thread_id


def _no_topics(error: BadRequest) -> bool:
    """A 400 saying the chat has no topics, or the bot may not open them."""
    text = error.message.lower()
    return "not a forum" in text or "rights to manage topics" in text


def _topic_is_gone(error: BadRequest) -> bool:
    """A 400 saying the topic we posted into was deleted or closed by a person."""
    text = error.message.lower()
    return any(words in text for words in _TOPIC_GONE)


async def _forward_one(
    bot: Bot,
    forwarding: Forwarding,
    lang: str,
    chat_id: int,
    message: IncomingMessage,
    thread_id: int | None = None,
) -> None:
    """One SMS as its own message, or as parts that resume at the first one not accepted."""

    async def post(text: str) -> int:
        sent = await bot.send_message(chat_id, text, parse_mode="HTML", message_thread_id=thread_id)
        return sent.message_id

    await forwarding.forward_one(chat_id, message, lambda: render_incoming(lang, message), post)


async def _forward_digests(
    bot: Bot,
    forwarding: Forwarding,
    lang: str,
    chat_id: int,
    pending: Sequence[IncomingMessage],
    thread_id: int | None = None,
) -> None:
    """A backlog as digests, in order: an SMS that does not fit one (or whose parts have
    begun) goes on its own between the digests of the SMS before and after it."""
    begun = await forwarding.begun(chat_id)
    run: list[IncomingMessage] = []

    async def post_run() -> None:
        for text, ids in render_digests(lang, run):
            sent = await bot.send_message(
                chat_id, text, parse_mode="HTML", message_thread_id=thread_id
            )
            await forwarding.posted(chat_id, ids, sent.message_id)
        run.clear()

    for message in pending:
        if message.id not in begun and fits_digest(lang, message):
            run.append(message)
        else:
            await post_run()
            await _forward_one(bot, forwarding, lang, chat_id, message, thread_id)
    await post_run()
