"""The users' side in-process (`sandbox.telegram.driver`): chats, messages, files, buttons, the
bot removed or a group upgraded, and waiting for the bot."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram_support import ALI, BASIC_GROUP, GROUP, SARA, call, keyboard

from sandbox.telegram import TelegramFake

# PTB 22 deprecates RetryAfter.retry_after as an int; either form is fine here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_a_blocked_user_is_403(bot: Bot, fake: TelegramFake) -> None:
    fake.block_bot(SARA)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(SARA, "x")


@pytest.mark.parametrize(
    ("chat", "kicked", "description"),
    [
        (GROUP, True, "Forbidden: bot was kicked from the supergroup chat"),
        (GROUP, False, "Forbidden: bot is not a member of the supergroup chat"),
        (BASIC_GROUP, True, "Forbidden: bot was kicked from the group chat"),
        (BASIC_GROUP, False, "Forbidden: bot is not a member of the group chat"),
    ],
    ids=["kicked-supergroup", "left-supergroup", "kicked-group", "left-group"],
)
async def test_a_bot_removed_from_a_group_is_403_until_added_back(
    bot: Bot, fake: TelegramFake, chat: int, kicked: bool, description: str
) -> None:
    if chat == BASIC_GROUP:
        fake.add_group(BASIC_GROUP, "Old group")
    await bot.send_message(chat, "before")
    fake.remove_bot(chat, kicked=kicked, by=ALI)
    with pytest.raises(Forbidden) as caught:
        await bot.send_message(chat, "while removed")
    assert fake.requests[-1].status == 403
    assert fake.requests[-1].description == description
    assert caught.value.message == description  # PTB keeps "Forbidden: "
    with pytest.raises(Forbidden):
        await bot.edit_message_text("edited", chat_id=chat, message_id=1)
    # The bot is told it was removed, and hears nothing more from the group.
    (update,) = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.chat.id == chat
    assert update.my_chat_member.from_user.id == ALI
    assert update.my_chat_member.old_chat_member.status == "member"
    assert update.my_chat_member.new_chat_member.status == ("kicked" if kicked else "left")
    fake.user_sends(ALI, chat, "/help")
    assert await bot.get_updates(offset=update.update_id + 1) == ()
    fake.add_bot(chat)
    (back,) = await bot.get_updates(offset=update.update_id + 1)
    assert back.my_chat_member is not None
    assert back.my_chat_member.new_chat_member.status == "member"
    await bot.send_message(chat, "after")
    assert [m.text for m in fake.bot_messages(chat)] == ["before", "after"]
    with pytest.raises(ValueError, match="already a member"):
        fake.add_bot(chat)


async def test_a_deleted_chat_is_not_found(bot: Bot, fake: TelegramFake) -> None:
    await bot.send_message(GROUP, "before")
    fake.delete_chat(GROUP)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(GROUP, "after")
    assert fake.requests[-1].description == "Bad Request: chat not found"
    assert [m.text for m in fake.bot_messages(GROUP)] == ["before"]  # still readable by tests
    with pytest.raises(ValueError, match="gone"):
        fake.user_sends(ALI, GROUP, "anyone?")


async def test_a_group_upgraded_to_a_supergroup_answers_with_its_new_id(
    bot: Bot, fake: TelegramFake, http: aiohttp.ClientSession
) -> None:
    fake.add_group(BASIC_GROUP, "Old group")
    await bot.send_message(BASIC_GROUP, "before")
    new_id = fake.migrate_group(BASIC_GROUP)
    assert new_id == int(f"-100{-BASIC_GROUP}")
    status, body = await call(http, "sendMessage", chat_id=BASIC_GROUP, text="after")
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": new_id},
    }
    with pytest.raises(ChatMigrated) as caught:  # PTB's own exception, not a BadRequest
        await bot.send_message(BASIC_GROUP, "after")
    assert caught.value.new_chat_id == new_id
    sent = await bot.send_message(new_id, "after")
    assert sent.chat.type == "supergroup"
    assert sent.chat.title == "Old group"
    # Both chats carry the service message, and the bot gets both.
    updates = await bot.get_updates()
    assert [(u.message.chat.id, u.message.migrate_to_chat_id) for u in updates[:1]] == [
        (BASIC_GROUP, new_id)
    ]
    assert [(u.message.chat.id, u.message.migrate_from_chat_id) for u in updates[1:]] == [
        (new_id, BASIC_GROUP)
    ]
    with pytest.raises(ValueError, match="gone"):
        fake.user_sends(ALI, BASIC_GROUP, "hello?")
    fake.user_sends(ALI, new_id, "/help")
    with pytest.raises(ValueError, match="not a group that can be upgraded"):
        fake.migrate_group(new_id)  # a supergroup is not upgraded again
    with pytest.raises(ValueError, match="not a group that can be upgraded"):
        fake.migrate_group(BASIC_GROUP)


async def test_deliver_again_redelivers_a_confirmed_update(bot: Bot, fake: TelegramFake) -> None:
    fake.user_sends(ALI, ALI, "/send 09123456789 hi")
    [update] = await bot.get_updates()
    assert await bot.get_updates(offset=update.update_id + 1) == ()
    fake.deliver_again(update.update_id)
    [again] = await bot.get_updates(offset=update.update_id + 1)
    assert (again.update_id, again.message.text) == (update.update_id, "/send 09123456789 hi")


async def test_user_messages_carry_commands_and_full_replies(bot: Bot, fake: TelegramFake) -> None:
    sent = await bot.send_message(ALI, "SMS from +98 912 345 6789: salam")
    fake.user_sends(ALI, ALI, "thanks", reply_to=sent.message_id)
    fake.user_sends(ALI, ALI, "/status@sms_bridge_bot 17")
    reply, command = await bot.get_updates()
    assert reply.message.reply_to_message.text == "SMS from +98 912 345 6789: salam"
    assert reply.message.reply_to_message.from_user.id == fake.bot_id
    assert command.message.entities[0].type == "bot_command"
    assert command.message.entities[0].length == len("/status@sms_bridge_bot")
    assert [m.text for m in fake.messages(ALI)] == [
        "SMS from +98 912 345 6789: salam",
        "thanks",
        "/status@sms_bridge_bot 17",
    ]
    assert fake.messages(ALI)[1].reply_to == sent.message_id


async def test_privacy_mode_in_groups(bot: Bot, fake: TelegramFake) -> None:
    sent = await bot.send_message(GROUP, "incoming SMS")
    fake.user_sends(ALI, GROUP, "chatting among ourselves")
    fake.user_sends(ALI, GROUP, "/help@other_bot")
    fake.user_sends(ALI, GROUP, "/help")
    fake.user_sends(SARA, GROUP, "answer", reply_to=sent.message_id)
    texts = [u.message.text for u in await bot.get_updates()]
    assert texts == ["/help", "answer"]
    assert len(fake.withheld_updates) == 2
    fake.add_group(-1009, "Admins", bot_is_admin=True)
    fake.user_sends(ALI, -1009, "anything")
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["anything"]


async def test_button_press_and_its_answer(bot: Bot, fake: TelegramFake) -> None:
    sent = await bot.send_message(ALI, "confirm?", reply_markup=keyboard("yes", "no"))
    with pytest.raises(ValueError, match="no button with data 'maybe'"):
        fake.press_button(ALI, ALI, sent.message_id, "maybe")
    query_id = fake.press_button(ALI, ALI, sent.message_id, "yes")
    [update] = await bot.get_updates()
    assert update.callback_query.id == query_id
    assert update.callback_query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query_id, text="Sending…") is True
    assert fake.callback_answers[query_id].text == "Sending…"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_photos_and_stickers_arrive_as_telegram_shapes_them(
    bot: Bot, fake: TelegramFake
) -> None:
    first = await bot.send_message(ALI, "an SMS")
    fake.user_sends_media(ALI, ALI, "photo", caption="look", reply_to=first.message_id)
    fake.user_sends_media(ALI, ALI, "sticker")
    photo, sticker = [u.message for u in await bot.get_updates()]
    assert photo.text is None and photo.caption == "look"
    assert len(photo.photo) == 3 and photo.photo[-1].width == 800
    assert photo.reply_to_message is not None
    assert photo.reply_to_message.message_id == first.message_id
    assert sticker.text is None and sticker.sticker is not None
    assert (sticker.sticker.type, sticker.sticker.is_animated) == ("regular", False)
    with pytest.raises(ValueError, match="no caption"):
        fake.user_sends_media(ALI, ALI, "sticker", caption="x")
    with pytest.raises(ValueError, match="unknown media kind"):
        fake.user_sends_media(ALI, ALI, "voice")


async def test_a_file_in_a_group_reaches_the_bot_with_a_command_or_as_a_reply(
    bot: Bot, fake: TelegramFake
) -> None:
    prompt = await bot.send_message(GROUP, "Send the file as a reply to this message")
    fake.upload_document(ALI, GROUP, "a.txt", b"09123456789\n")
    fake.upload_document(ALI, GROUP, "b.txt", b"09123456789\n", caption="/bulk")
    fake.upload_document(ALI, GROUP, "c.txt", b"09123456789\n", reply_to=prompt.message_id)
    updates = await bot.get_updates()
    assert [u.message.document.file_name for u in updates] == ["b.txt", "c.txt"]
    assert updates[0].message.caption_entities[0].type == "bot_command"


async def test_wait_for_bot_message_returns_each_message_once(bot: Bot, fake: TelegramFake) -> None:
    await bot.send_message(ALI, "first")
    await bot.send_message(ALI, "second")
    assert (await fake.wait_for_bot_message(ALI)).text == "first"
    waiting = asyncio.create_task(
        fake.wait_for_bot_message(ALI, predicate=lambda m: m.text.startswith("third"))
    )
    await bot.send_message(ALI, "third")
    assert (await waiting).text == "third"
    assert (await fake.wait_for_bot_message(ALI)).text == "second"


async def test_waits_time_out_with_a_clear_message(bot: Bot, fake: TelegramFake) -> None:
    await bot.send_message(ALI, "something else")
    with pytest.raises(AssertionError, match="a bot message in chat 43"):
        await fake.wait_for_bot_message(SARA, timeout=0.05)

    def report_sent() -> bool:
        return False

    with pytest.raises(AssertionError, match=r"report_sent.*something else"):
        await fake.wait_until(report_sent, timeout=0.05)
