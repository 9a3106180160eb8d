"""Our sends mirrored into the customers' topics: a short "sent by …" line per topic, its
delivery state edited in as reports arrive. Best effort: a mirror Telegram refuses is logged
and never holds up the send or its confirmation."""

from __future__ import annotations

import logging

from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import BotData
from bot.render import shorten, state_label
from bot.texts import t
from bot.topics.service import mirror_targets
from storage.models import Send, SendRecipient

log = logging.getLogger(__name__)

MIRRORS_PER_ROUND = 100


def _mirror_text(lang: str, head: str, recipient_state: str) -> str:
    return f"{head} — {recipient_state}"


async def mirror_send(
    bot: Bot,
    data: BotData,
    send: Send,
    recipients: list[SendRecipient],
    asked_in: Message,
    sender_name: str,
) -> None:
    """Show the send in each recipient's topic of the send's line (not where it was asked)."""
    where = (asked_in.chat_id, asked_in.message_thread_id if asked_in.is_topic_message else None)
    lang = data.config.telegram.language
    for topic, recipient in await mirror_targets(data.repo, send, recipients, where):
        head = t(lang, "mirror_head", name=sender_name, send_id=send.id, text=shorten(send.text))
        try:
            posted = await bot.send_message(
                topic.chat_id,
                _mirror_text(lang, head, state_label(lang, recipient.state)),
                parse_mode="HTML",
                message_thread_id=topic.thread_id,
            )
        except (BadRequest, Forbidden) as exc:
            log.warning("send %s not mirrored into topic %s: %s", send.id, topic.thread_id, exc)
            continue
        except TelegramError as exc:
            log.warning("send %s not mirrored (will not retry): %s", send.id, exc)
            continue
        await data.repo.add_mirror(
            topic.chat_id, posted.message_id, recipient.id, head, recipient.state
        )


async def update_mirrors(bot: Bot, data: BotData) -> None:
    """Edit each mirror whose recipient's state changed to show the new state."""
    lang = data.config.telegram.language
    for mirror in await data.repo.stale_mirrors(MIRRORS_PER_ROUND):
        try:
            await bot.edit_message_text(
                _mirror_text(lang, mirror.head, state_label(lang, mirror.state)),
                chat_id=mirror.chat_id,
                message_id=mirror.message_id,
                parse_mode="HTML",
            )
        except (BadRequest, Forbidden) as exc:
            # Not modified, deleted with its topic, chat refused: nothing more to show there.
            log.warning("mirror %s in %s not edited: %s", mirror.message_id, mirror.chat_id, exc)
        except TelegramError as exc:
            log.warning("mirror %s: will retry: %s", mirror.message_id, exc)
            continue
        await data.repo.mark_mirror_shown(mirror.chat_id, mirror.message_id, mirror.state)
