"""The Bot API methods of the fake (`sandbox.telegram.methods`), called by a real PTB `Bot`."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, Conflict
from telegram_support import ALI, NOT_MODIFIED, SARA, TOKEN, call, keyboard

from sandbox.server import RunningServer
from sandbox.telegram import TelegramFake

# PTB 22 deprecates RetryAfter.retry_after as an int; either form is fine here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_get_me_describes_the_bot(bot: Bot, fake: TelegramFake) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (fake.bot_id, fake.bot_username, True)


async def test_send_message_stores_what_a_person_sees(bot: Bot, fake: TelegramFake) -> None:
    sent = await bot.send_message(
        ALI, "<b>Sent</b> to +98 912 &lt;x&gt;", parse_mode="HTML", reply_markup=keyboard("ok")
    )
    assert sent.text == "Sent to +98 912 <x>"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 4)]
    [stored] = fake.bot_messages(ALI)
    assert stored.message_id == sent.message_id
    assert stored.text == "Sent to +98 912 <x>"
    assert stored.html == "<b>Sent</b> to +98 912 &lt;x&gt;"
    assert stored.reply_markup == {"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]}


REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"chat_id": 999, "text": "x"}, "Bad Request: chat not found"),
    ({"chat_id": "@nobody", "text": "x"}, "Bad Request: chat not found"),
    (
        {"chat_id": ALI, "text": "1 < 2", "parse_mode": "HTML"},
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
    ),
    (
        {"chat_id": ALI, "text": "<b>x</i>", "parse_mode": "HTML"},
        'Bad Request: can\'t parse entities: Unmatched end tag at byte offset 4, expected "</b>", '
        'found "</i>"',
    ),
    ({"chat_id": ALI, "text": "x" * 4097}, "Bad Request: message is too long"),
    (
        {"chat_id": ALI, "text": "<b> </b>\n", "parse_mode": "HTML"},
        "Bad Request: message text is empty",
    ),
    (
        {"chat_id": ALI, "text": "x", "reply_markup": keyboard("d" * 65)},
        "Bad Request: BUTTON_DATA_INVALID",
    ),
    (
        {"chat_id": ALI, "text": "x", "reply_parameters": ReplyParameters(message_id=77)},
        "Bad Request: message to be replied not found",
    ),
]


@pytest.mark.parametrize(("kwargs", "description"), REFUSALS)
async def test_send_message_refusals(
    bot: Bot, fake: TelegramFake, kwargs: dict[str, Any], description: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(**kwargs)
    # PTB strips "Bad Request: " and re-capitalises; the fake's own record keeps Telegram's text.
    assert caught.value.message.lower() == description.removeprefix("Bad Request: ").lower()
    assert fake.requests[-1].description == description
    assert fake.messages(ALI) == []


async def test_reply_to_a_missing_message_is_allowed_when_asked(
    bot: Bot, fake: TelegramFake
) -> None:
    params = ReplyParameters(message_id=77, allow_sending_without_reply=True)
    sent = await bot.send_message(ALI, "x", reply_parameters=params)
    assert sent.reply_to_message is None
    assert fake.bot_messages(ALI)[0].reply_to is None


HTML_OVER_HTTP: list[tuple[str, str | None]] = [
    ("<b>bold <i>and italic</i></b> <a href='https://example.com'>link</a>", None),
    ('<pre><code class="language-csv">a,b</code></pre>', None),
    ("tom &amp; jerry &#128512; &#x1F600; &quot;q&quot;", None),
    ("<b>" + "x" * 4096 + "</b>", None),  # the tags do not count
    ("&amp;" * 4096, None),  # entities count once each
    ("😀" * 2048, None),  # 4096 UTF-16 units
    ("😀" * 2048 + "x", "Bad Request: message is too long"),
    ("x" * 4097, "Bad Request: message is too long"),
    ("tom & jerry", 'Character "&" must be escaped'),
    ("<br>", 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 0'),
    ("<b>open", "can't parse entities: Can't find end tag corresponding to start tag \"b\""),
]


@pytest.mark.parametrize(("text", "error"), HTML_OVER_HTTP)
async def test_html_parse_mode_over_http(
    http: aiohttp.ClientSession, fake: TelegramFake, text: str, error: str | None
) -> None:
    status, body = await call(http, "sendMessage", chat_id=ALI, text=text, parse_mode="HTML")
    if error is None:
        assert status == 200, body
        assert fake.bot_messages(ALI)[0].text == body["result"]["text"]
    else:
        assert status == 400
        assert error in body["description"]
        assert fake.messages(ALI) == []


@pytest.mark.parametrize(("data", "accepted"), [("ب" * 32, True), ("ب" * 32 + "x", False)])
async def test_callback_data_is_limited_to_64_bytes(bot: Bot, data: str, accepted: bool) -> None:
    if accepted:
        await bot.send_message(ALI, "x", reply_markup=keyboard(data))
    else:
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(ALI, "x", reply_markup=keyboard(data))


async def test_edit_to_the_same_content_is_not_modified(bot: Bot, fake: TelegramFake) -> None:
    sent = await bot.send_message(ALI, "<b>1/3</b>", parse_mode="HTML", reply_markup=keyboard("x"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>1/3</b>", ALI, sent.message_id, parse_mode="HTML", reply_markup=keyboard("x")
        )
    assert fake.requests[-1].description == NOT_MODIFIED
    # Same text without the markup is a change: editMessageText without markup drops it.
    edited = await bot.edit_message_text("<b>1/3</b>", ALI, sent.message_id, parse_mode="HTML")
    assert edited.reply_markup is None
    await bot.edit_message_text("<b>2/3</b>", ALI, sent.message_id, parse_mode="HTML")
    stored = fake.message(ALI, sent.message_id)
    assert (stored.text, stored.edits, stored.reply_markup) == ("2/3", ["1/3", "1/3"], None)


async def test_edit_and_delete_of_missing_messages(bot: Bot, fake: TelegramFake) -> None:
    sent = await bot.send_message(ALI, "x")
    assert await bot.delete_message(ALI, sent.message_id) is True
    assert fake.message(ALI, sent.message_id).deleted
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("y", ALI, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ALI, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_reply_markup(ALI, 555, reply_markup=keyboard("a"))


async def test_a_users_message_cannot_be_edited(bot: Bot, fake: TelegramFake) -> None:
    message = fake.user_sends(ALI, ALI, "hello")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("changed", ALI, message["message_id"])


async def test_get_updates_offset_semantics(bot: Bot, fake: TelegramFake) -> None:
    for text in ("one", "two", "three", "four"):
        fake.user_sends(ALI, ALI, text)
    first = await bot.get_updates()
    assert [u.message.text for u in first] == ["one", "two", "three", "four"]
    again = await bot.get_updates()  # nothing confirmed yet
    assert [u.update_id for u in again] == [u.update_id for u in first]
    confirmed = await bot.get_updates(offset=first[1].update_id, limit=1)
    assert [u.message.text for u in confirmed] == ["two"]
    assert [u["message"]["text"] for u in fake.pending_updates()] == ["two", "three", "four"]
    last = await bot.get_updates(offset=-1)  # forget all but the last one
    assert [u.message.text for u in last] == ["four"]
    assert [u["message"]["text"] for u in fake.pending_updates()] == ["four"]
    assert await bot.get_updates(offset=last[0].update_id + 1) == ()


async def test_long_poll_wakes_up_when_an_update_arrives(bot: Bot, fake: TelegramFake) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await fake.wait_until(lambda: fake.waiting_polls == 1, what="the long poll to start")
    fake.user_sends(ALI, ALI, "/start")
    updates = await asyncio.wait_for(poll, 10)
    assert [u.message.text for u in updates] == ["/start"]


async def test_a_second_long_poll_terminates_the_first(
    bot: Bot, fake: TelegramFake, server: RunningServer
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await fake.wait_until(lambda: fake.waiting_polls == 1, what="the first long poll")
    async with Bot(TOKEN, base_url=f"{server.url}/bot") as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_allowed_updates_filter_updates_created_afterwards(
    bot: Bot, fake: TelegramFake
) -> None:
    sent = await bot.send_message(ALI, "pick", reply_markup=keyboard("a"))
    assert await bot.get_updates(allowed_updates=["message"]) == ()
    fake.press_button(ALI, ALI, sent.message_id, "a")
    fake.user_sends(ALI, ALI, "text")
    assert [u.message.text for u in await bot.get_updates()] == ["text"]
    await bot.get_updates(allowed_updates=[])  # back to the default: everything but reactions
    fake.press_button(ALI, ALI, sent.message_id, "a")
    [update] = await bot.get_updates(offset=-1)
    assert update.callback_query.data == "a"


async def test_upload_get_file_and_download(bot: Bot, fake: TelegramFake) -> None:
    content = "number,text\n09123456789,سلام\n".encode()
    fake.upload_document(ALI, ALI, "list.csv", content, caption="/bulk")
    [update] = await bot.get_updates()
    document = update.message.document
    assert (document.file_name, document.mime_type, update.message.caption) == (
        "list.csv",
        "text/csv",
        "/bulk",
    )
    file = await bot.get_file(document.file_id)
    assert bytes(await file.download_as_bytearray()) == content
    with pytest.raises(BadRequest, match="Wrong file_id"):
        await bot.get_file("nope")


async def test_send_document_stores_the_file(bot: Bot, fake: TelegramFake) -> None:
    sent = await bot.send_document(
        ALI,
        b"id,state\n1,delivered\n",
        filename="report.csv",
        caption="<b>Report</b>",
        parse_mode="HTML",
    )
    assert (sent.document.file_name, sent.caption) == ("report.csv", "Report")
    [stored] = fake.bot_messages(ALI)
    assert stored.document is not None
    assert stored.document.content == b"id,state\n1,delivered\n"
    assert stored.text == "Report"
    again = await bot.send_document(SARA, sent.document.file_id)  # re-send by file_id
    assert again.document.file_id == sent.document.file_id


async def test_set_my_commands_and_chat_actions(bot: Bot, fake: TelegramFake) -> None:
    assert await bot.set_my_commands([("send", "Send an SMS"), ("help", "Help")])
    assert [c.command for c in await bot.get_my_commands()] == ["send", "help"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Send-SMS", "bad name")])
    assert await bot.send_chat_action(ALI, "typing")
    assert fake.chat_actions == [(ALI, "typing")]
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(ALI, "dancing")
