"""Forum topics in the Telegram fake: created by the bot, written in by people, closed and
deleted by a person, with Telegram's refusals."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest
from telegram_support import ALI, GROUP

from sandbox.telegram import TelegramFake

FORUM = -1007770000001


@pytest.fixture
def forum(fake: TelegramFake) -> int:
    fake.add_group(FORUM, "Support", bot_is_admin=True, forum=True, can_manage_topics=True)
    return FORUM


async def test_a_topic_created_by_the_bot_takes_messages(
    bot: Bot, fake: TelegramFake, forum: int
) -> None:
    topic = await bot.create_forum_topic(forum, "+98 912 345 6789")
    sent = await bot.send_message(forum, "hello", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id
    assert sent.is_topic_message
    opening, posted = fake.topic_messages(forum, topic.message_thread_id)
    assert opening.raw["forum_topic_created"]["name"] == "+98 912 345 6789"
    assert posted.text == "hello"
    fake.user_sends(ALI, forum, "answer", thread_id=topic.message_thread_id)
    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.is_topic_message
    assert update.message.message_thread_id == topic.message_thread_id
    assert await bot.edit_forum_topic(forum, topic.message_thread_id, name="Reza")
    assert [t.name for t in fake.topics(forum)] == ["Reza"]


async def test_a_topic_closed_or_deleted_by_a_person_is_refused_in_telegrams_words(
    bot: Bot, fake: TelegramFake, forum: int
) -> None:
    closed = await bot.create_forum_topic(forum, "one")
    deleted = await bot.create_forum_topic(forum, "two")
    fake.close_topic(forum, closed.message_thread_id)
    fake.delete_topic(forum, deleted.message_thread_id)
    with pytest.raises(BadRequest, match="Topic_closed"):
        await bot.send_message(forum, "x", message_thread_id=closed.message_thread_id)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(forum, "x", message_thread_id=deleted.message_thread_id)
    assert all(m.deleted for m in fake.topic_messages(forum, deleted.message_thread_id))


async def test_topics_need_a_forum_and_the_right_to_manage_them(
    bot: Bot, fake: TelegramFake
) -> None:
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(GROUP, "x")
    fake.add_group(FORUM, "Support", forum=True)
    with pytest.raises(BadRequest, match="Not enough rights to manage topics"):
        await bot.create_forum_topic(FORUM, "x")
    chat = await bot.get_chat(FORUM)
    assert chat.is_forum
    member = await bot.get_chat_member(FORUM, fake.bot_id)
    assert member.status == "member"


async def test_topics_closed_and_deleted_over_the_control_api(
    bot: Bot, fake: TelegramFake, http: aiohttp.ClientSession
) -> None:
    async def control(route: str, body: Any) -> int:
        async with http.post(f"/_sandbox/telegram/{route}", json=body) as response:
            return response.status

    body = {"chat_id": FORUM, "title": "Support", "bot_is_admin": True, "forum": True}
    assert await control("groups", {**body, "can_manage_topics": True}) == 200
    one = await bot.create_forum_topic(FORUM, "one")
    two = await bot.create_forum_topic(FORUM, "two")
    assert (
        await control("close_topic", {"chat_id": FORUM, "thread_id": one.message_thread_id}) == 200
    )
    assert (
        await control("delete_topic", {"chat_id": FORUM, "thread_id": two.message_thread_id}) == 200
    )
    assert await control("delete_topic", {"chat_id": FORUM, "thread_id": 999}) == 409
    with pytest.raises(BadRequest, match="Topic_closed"):
        await bot.send_message(FORUM, "x", message_thread_id=one.message_thread_id)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(FORUM, "x", message_thread_id=two.message_thread_id)


async def test_private_chats_get_topics_when_the_bot_has_topic_mode(
    bot: Bot, fake: TelegramFake
) -> None:
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(ALI, "x")
    assert not (await bot.get_me()).has_topics_enabled
    fake.enable_private_topics()
    assert (await bot.get_me()).has_topics_enabled is True
    topic = await bot.create_forum_topic(ALI, "+98 912 345 6789")
    sent = await bot.send_message(ALI, "hi", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id
