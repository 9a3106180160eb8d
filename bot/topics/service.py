"""Conversations in forum topics, without Telegram: whose topic a message was written in,
renaming a topic, and turning a route's topic mode on after the chat was checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from providers.phone import InvalidNumberError, normalize_mobile
from storage.base import Storage
from storage.models import Send, SendRecipient, Topic

MAX_TOPIC_NAME: Final = 128  # Telegram's limit on a topic's name


@dataclass(frozen=True, slots=True)
class ForumCheck:
    """What Telegram says about a chat that is to get topics."""

    is_forum: bool
    can_manage_topics: bool


class TopicsRefused(ValueError):
    """The chat cannot get one topic per customer: `reason` is `not_forum` or `no_rights`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BadTopicName(ValueError):
    """A topic name that is empty or longer than Telegram takes."""

    def __init__(self, length: int) -> None:
        super().__init__(f"a topic name of {length} characters")
        self.length = length


async def conversation(repo: Storage, chat_id: int, thread_id: int | None) -> Topic | None:
    """The customer conversation a topic of the chat holds (None: not one of ours)."""
    if thread_id is None:
        return None
    return await repo.topic_by_thread(chat_id, thread_id)


def reachable_number(topic: Topic) -> InvalidNumberError | None:
    """Why the topic's customer cannot receive an SMS (an alphanumeric sender), or None."""
    try:
        normalize_mobile(topic.number)
    except InvalidNumberError as error:
        return error
    return None


def checked_name(raw: str) -> str:
    """A topic name as given, trimmed; BadTopicName if it is empty or too long."""
    name = " ".join(raw.split())
    if not 1 <= len(name) <= MAX_TOPIC_NAME:
        raise BadTopicName(len(name))
    return name


async def renamed(repo: Storage, topic: Topic, name: str, user_id: int) -> None:
    """Telegram renamed the topic: stored and audited."""
    await repo.rename_topic(topic.chat_id, topic.thread_id, name)
    await repo.audit(user_id, topic.chat_id, "name_topic", f"{topic.thread_id} {name}")


def topics_allowed(check: ForumCheck) -> None:
    """TopicsRefused unless the chat is a forum where the bot may manage topics."""
    if not check.is_forum:
        raise TopicsRefused("not_forum")
    if not check.can_manage_topics:
        raise TopicsRefused("no_rights")


async def route_in_topics(repo: Storage, line: str, chat_id: int, user_id: int) -> None:
    """The route of `line` to the chat gives each customer a topic from now on (audited)."""
    await repo.set_route_topics(line, chat_id, True)
    await repo.audit(user_id, chat_id, "route_topics", line)


async def mirror_targets(
    repo: Storage,
    send: Send,
    recipients: Sequence[SendRecipient],
    asked_in: tuple[int, int | None],
) -> list[tuple[Topic, SendRecipient]]:
    """The customers' topics of the send's line that show this send: every recipient's topic,
    but the one the send was written in (its confirmation is there already)."""
    targets = []
    for recipient in recipients:
        for topic in await repo.topics_for_number(recipient.recipient):
            if topic.line == send.line and (topic.chat_id, topic.thread_id) != asked_in:
                targets.append((topic, recipient))
    return targets
