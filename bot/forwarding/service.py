"""What to forward to which chat, without Telegram: the chats with SMS waiting, refused chats
backed off and their SMS handed on, upgraded groups followed, long SMS resumed part by part.

The caller posts to Telegram and renders the texts; this module keeps the storage in step.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from providers.phone import display_number
from storage.base import Storage
from storage.models import ChatMove, IncomingMessage, RefusedChat, Topic

log = logging.getLogger(__name__)

FORWARD_BATCH = 400  # pending forwards read per chat per round
# A chat Telegram refuses for good is asked again after these waits (the last repeats): once
# a minute at first instead of every round (about 60 calls a minute), hourly in the end.
REFUSED_CHAT_BACKOFF = (60.0, 300.0, 900.0, 3600.0)

TOPIC_ATTEMPTS = 2  # a topic gone under our feet is opened anew once per round

Post = Callable[[str], Awaitable[int]]
"""Posts one text to the chat; returns the id of the message it became."""


@dataclass(frozen=True, slots=True)
class ChatTurn:
    """A chat with SMS waiting; `refusal` if Telegram refused it before, `backed_off` while
    it is not to be asked again yet."""

    chat_id: int
    refusal: RefusedChat | None
    backed_off: bool


@dataclass(frozen=True, slots=True)
class Refusal:
    """A chat refused for good once more: its standing, and how many SMS were handed on."""

    state: RefusedChat
    handed: int  # SMS now waiting for another chat
    to_chats: tuple[int, ...]  # where they wait now

    @property
    def first(self) -> bool:
        """The first refusal of this chat (the admins are told once)."""
        return self.state.refusals == 1


@dataclass(frozen=True, slots=True)
class Conversation:
    """The waiting SMS of one customer of one line, for that customer's topic."""

    line: str
    number: str
    messages: tuple[IncomingMessage, ...]


def topic_name(number: str) -> str:
    """The name a customer's new topic gets: the number as people write it."""
    return display_number(number)[:128]


def by_conversation(
    pending: Sequence[IncomingMessage], topic_lines: set[str]
) -> tuple[list[IncomingMessage], list[Conversation]]:
    """Split a chat's waiting SMS: those posted in the chat itself, and per (line, customer)
    those for that customer's topic, each in order, conversations in order of their first SMS."""
    plain: list[IncomingMessage] = []
    grouped: dict[tuple[str, str], list[IncomingMessage]] = {}
    for message in pending:
        if message.line in topic_lines:
            grouped.setdefault((message.line, message.sender), []).append(message)
        else:
            plain.append(message)
    return plain, [Conversation(line, number, tuple(ms)) for (line, number), ms in grouped.items()]


class Forwarding:
    """The storage side of forwarding; `fallback_chat_id` (the admin chat) takes the SMS of
    refused chats whose line has no other route."""

    def __init__(self, repo: Storage, fallback_chat_id: int) -> None:
        self.repo = repo
        self.fallback_chat_id = fallback_chat_id

    async def follow_migrations(self) -> bool:
        """Move SMS waiting for upgraded groups to their supergroups; True if any moved."""
        return await self.repo.follow_migrations() > 0

    async def chats_waiting(self, now: datetime) -> list[ChatTurn]:
        """Every chat with SMS waiting, and whether it is backed off at `now`."""
        refused = await self.repo.refused_chats()
        turns = []
        for chat_id in await self.repo.pending_forward_chats():
            known = refused.get(chat_id)
            turns.append(ChatTurn(chat_id, known, known is not None and now < known.retry_at))
        return turns

    async def hand_over(self, chat_id: int) -> bool:
        """Hand the SMS waiting for a refused chat on; True if any now wait elsewhere."""
        handed = await self.repo.hand_over_pending(chat_id, fallback_chat_id=self.fallback_chat_id)
        if handed:
            log.info(
                "%d SMS for refused chat %s handed to %s",
                len(handed),
                chat_id,
                sorted({h.to_chat_id for h in handed}),
            )
        return bool(handed)

    async def refuse(self, chat_id: int, reason: str) -> Refusal:
        """Telegram will not take messages into the chat: back it off and hand its SMS on."""
        state = await self.repo.record_refusal(chat_id, reason, REFUSED_CHAT_BACKOFF)
        handed = await self.repo.hand_over_pending(chat_id, fallback_chat_id=self.fallback_chat_id)
        refusal = Refusal(
            state,
            len({h.incoming_id for h in handed}),
            tuple(sorted({h.to_chat_id for h in handed})),
        )
        log.warning(
            "Telegram refuses chat %s (%s), refusal %d: %d SMS handed to %s; next try after %s",
            chat_id,
            reason,
            state.refusals,
            refusal.handed,
            list(refusal.to_chats) or "nowhere (they wait)",
            state.retry_at.isoformat(),
        )
        return refusal

    async def accepted_again(self, chat_id: int) -> bool:
        """A refused chat took a message: it is no longer backed off. False if it was not."""
        if await self.repo.clear_refusal(chat_id):
            log.warning("chat %s accepts messages again", chat_id)
            return True
        return False

    async def follow_upgrade(self, old_chat_id: int, new_chat_id: int) -> ChatMove:
        """A group became a supergroup: its routes and waiting SMS move there."""
        move = await self.repo.migrate_chat(old_chat_id, new_chat_id)
        log.warning(
            "chat %s was upgraded to supergroup %s: routes of %s and %d waiting SMS moved",
            old_chat_id,
            new_chat_id,
            list(move.lines),
            move.pending,
        )
        return move

    async def topic_lines(self, chat_id: int) -> set[str]:
        """The lines whose SMS go to their customers' topics in this chat."""
        return await self.repo.topic_lines(chat_id)

    async def topic_for(self, chat_id: int, line: str, number: str) -> Topic | None:
        """The customer's stored topic in the chat, if one is open."""
        return await self.repo.get_topic(chat_id, line, number)

    async def topic_opened(self, chat_id: int, line: str, number: str, thread_id: int) -> Topic:
        """Telegram opened the customer's topic: stored, so a restart finds it."""
        topic = await self.repo.save_topic(chat_id, line, number, thread_id, topic_name(number))
        log.info("topic %s opened in chat %s for %s on line %s", thread_id, chat_id, number, line)
        return topic

    async def topic_gone(self, chat_id: int, thread_id: int, reason: str) -> None:
        """Telegram says the topic is deleted or closed: the next SMS opens a new one."""
        await self.repo.forget_topic(chat_id, thread_id)
        log.warning("topic %s in chat %s is gone (%s): a new one opens", thread_id, chat_id, reason)

    async def still_waiting(
        self, chat_id: int, messages: Sequence[IncomingMessage]
    ) -> list[IncomingMessage]:
        """Those of `messages` not yet posted in the chat, in order."""
        waiting = {m.id for m in await self.backlog(chat_id)}
        return [m for m in messages if m.id in waiting]

    async def backlog(self, chat_id: int) -> list[IncomingMessage]:
        """The chat's waiting SMS, oldest first (at most FORWARD_BATCH); in a chat with topics,
        conversation by conversation, so that a customer's waiting SMS are read together and
        can go as one digest in their topic (read oldest-first, a batch of many customers'
        interleaved SMS would hold one of each)."""
        if await self.topic_lines(chat_id):
            forwards = await self.repo.pending_conversations(chat_id, FORWARD_BATCH)
        else:
            forwards = await self.repo.pending_forwards(FORWARD_BATCH, chat_id=chat_id)
        return [f.incoming for f in forwards]

    async def begun(self, chat_id: int) -> set[int]:
        """The SMS whose parts have begun to reach the chat (they resume on their own)."""
        return await self.repo.forwards_with_parts(chat_id)

    async def posted(self, chat_id: int, incoming_ids: Sequence[int], message_id: int) -> None:
        """These SMS reached the chat as the message `message_id`."""
        await self.repo.mark_forwarded(chat_id, incoming_ids, message_id)

    async def forward_one(
        self,
        chat_id: int,
        message: IncomingMessage,
        render: Callable[[], Sequence[str]],
        post: Post,
    ) -> None:
        """One SMS as its own message, or as parts that resume at the first one not accepted;
        `render` gives its texts (asked only when no part was stored before)."""
        parts = await self.repo.forward_parts(chat_id, message.id)
        if not parts:
            texts = render()
            if len(texts) == 1:
                await self.posted(chat_id, [message.id], await post(texts[0]))
                return
            # Stored before the first part goes, so a resume posts exactly the same parts.
            parts = await self.repo.start_forward_parts(chat_id, message.id, texts)
        for part in parts:
            if part.message_id is None:
                sent = await post(part.text)
                await self.repo.record_forward_part(chat_id, message.id, part.part, sent)
