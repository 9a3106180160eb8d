"""The Telegram fake over HTTP, driven by a real PTB `Bot` (raw aiohttp where PTB won't send)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sim_support import FakeClock
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)

from sandbox.server import RunningServer
from sandbox.telegram import TelegramFake, trim_spec

# PTB 22 deprecates RetryAfter.retry_after as an int; either form is fine here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456789:AAF-test-token_for_the_fake"
ALI = 42
SARA = 43
GROUP = -1001234567890
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1000.0)  # monotonic seconds, moved only by the test


@pytest.fixture
def fake(clock: FakeClock) -> TelegramFake:
    fake = TelegramFake(TOKEN, clock=clock)
    fake.add_user(ALI, "Ali", username="ali")
    fake.add_user(SARA, "Sara")
    fake.add_group(GROUP, "Sales")
    return fake


@pytest.fixture
async def server(fake: TelegramFake) -> AsyncIterator[RunningServer]:
    async with RunningServer(fake.build_app()) as running:
        yield running


@pytest.fixture
async def bot(server: RunningServer) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot"
    ) as bot:
        yield bot


@pytest.fixture
async def http(server: RunningServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=server.url) as session:
        yield session


async def call(
    http: aiohttp.ClientSession, method: str, token: str = TOKEN, **params: Any
) -> tuple[int, dict[str, Any]]:
    """A raw form-encoded call; non-string values JSON-serialised, as PTB does."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with http.post(f"/bot{token}/{method}", data=form) as response:
        return response.status, await response.json()


def retry_after_seconds(err: RetryAfter) -> float:
    value = err.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def keyboard(*datas: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in datas]])


# -- basics ----------------------------------------------------------------------------------


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


async def test_errors_have_telegrams_envelope_and_status(http: aiohttp.ClientSession) -> None:
    status, body = await call(http, "sendMessage", chat_id=999, text="hi")
    assert status == 400
    assert body == {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}


async def test_wrong_token_is_401(server: RunningServer, fake: TelegramFake) -> None:
    bot = Bot("123456789:not-the-token", base_url=f"{server.url}/bot")
    with pytest.raises(InvalidToken):
        await bot.initialize()
    await bot.shutdown()
    assert (fake.requests[-1].status, fake.requests[-1].description) == (401, "Unauthorized")


async def test_unknown_method_is_404_and_names_are_case_insensitive(
    http: aiohttp.ClientSession,
) -> None:
    assert await call(http, "sendSms", chat_id=ALI, text="x") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, body = await call(http, "SENDMESSAGE", chat_id=ALI, text="x")
    assert (status, body["ok"], body["result"]["text"]) == (200, True, "x")


async def test_get_with_query_string_and_json_body_are_accepted(
    http: aiohttp.ClientSession,
) -> None:
    async with http.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": ALI, "text": "q"}) as r:
        assert (await r.json())["result"]["text"] == "q"
    body = {"chat_id": ALI, "text": "j", "reply_markup": {"inline_keyboard": []}}
    async with http.post(f"/bot{TOKEN}/sendMessage", json=body) as r:
        assert (await r.json())["result"]["text"] == "j"


async def test_other_methods_of_the_api_answer_true_after_the_check(
    http: aiohttp.ClientSession, fake: TelegramFake
) -> None:
    assert await call(http, "setMyDescription", description="SMS console") == (
        200,
        {"ok": True, "result": True},
    )
    status, body = await call(http, "setMyDescription", descriptionn="typo")
    assert status == 400
    assert body["description"].startswith('Bad Request: unknown parameter "descriptionn"')


# -- parameters ------------------------------------------------------------------------------

PARAMETER_ERRORS: list[tuple[str, dict[str, Any], str]] = [
    ("sendMessage", {"text": "x"}, "Bad Request: chat_id is empty"),
    ("sendMessage", {"chat_id": ALI}, "Bad Request: message text is empty"),
    ("sendMessage", {"chat_id": ALI, "text": ""}, "Bad Request: message text is empty"),
    ("deleteMessage", {"chat_id": ALI}, "Bad Request: message identifier is not specified"),
    ("getFile", {}, 'Bad Request: parameter "file_id" is required'),
    ("sendDocument", {"chat_id": ALI}, "Bad Request: there is no document in the request"),
    ("deleteMessage", {"chat_id": ALI, "message_id": "abc"}, 'parameter "message_id" must be'),
    ("sendMessage", {"chat_id": ALI, "text": "x", "disable_notification": "yes"}, '"disable_'),
    ("getUpdates", {"allowed_updates": "message"}, 'parameter "allowed_updates" must be'),
    ("sendMessage", {"chat_id": ALI, "text": "x", "reply_markup": "{oops"}, '"reply_markup"'),
    (
        "sendMessage",
        {"chat_id": ALI, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": 1}]]}},
        "Bad Request: can't parse reply_markup JSON object: "
        "reply_markup.inline_keyboard[0][0].text must be String",
    ),
    ("sendMessage", {"chat_id": ALI, "text": "x", "reply_to_message_id": 1}, "unknown parameter"),
    ("sendMessage", {"chat_id": ALI, "text": "x", "parse_mode": "MarkdownV2"}, "parse_mode"),
]


@pytest.mark.parametrize(("method", "params", "description"), PARAMETER_ERRORS)
async def test_parameters_are_checked_against_the_api(
    http: aiohttp.ClientSession, method: str, params: dict[str, Any], description: str
) -> None:
    status, body = await call(http, method, **params)
    assert (status, body["ok"], body["error_code"]) == (400, False, 400)
    assert description in body["description"]


async def test_ptb_extra_parameters_are_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Unknown parameter"):
        await bot.send_message(ALI, "x", api_kwargs={"disable_web_page_preview": True})


# -- sendMessage refusals --------------------------------------------------------------------

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


async def test_a_blocked_user_is_403(bot: Bot, fake: TelegramFake) -> None:
    fake.block_bot(SARA)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(SARA, "x")


# -- chats the bot can no longer post to -------------------------------------------------------

BASIC_GROUP = -4001234567


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


async def test_an_outage_can_hit_only_the_requests_it_matches(bot: Bot, fake: TelegramFake) -> None:
    fake.fail_requests(
        502, times=1, methods={"sendMessage"}, matching=lambda p: "part two" in p["text"]
    )
    await bot.send_message(ALI, "part one")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ALI, "part two")
    await bot.send_message(ALI, "part two")  # `times` counts only the requests it hit
    assert [m.text for m in fake.bot_messages(ALI)] == ["part one", "part two"]
    assert [r.status for r in fake.calls("sendMessage", chat_id=ALI)] == [200, 502, 200]
    assert fake.calls("sendMessage", chat_id=SARA) == []


async def test_the_control_api_drives_chats_and_faults_over_http(
    bot: Bot, fake: TelegramFake, http: aiohttp.ClientSession
) -> None:
    async def control(route: str, body: Any) -> tuple[int, dict[str, Any]]:
        async with http.post(f"/_sandbox/telegram/{route}", json=body) as response:
            return response.status, await response.json(content_type=None)

    assert await control("groups", {"chat_id": BASIC_GROUP, "title": "Old"}) == (
        200,
        {"ok": True, "chat": {"id": BASIC_GROUP, "type": "group", "title": "Old"}},
    )
    status, body = await control("migrate", {"chat_id": BASIC_GROUP})
    assert (status, body) == (200, {"ok": True, "new_chat_id": int(f"-100{-BASIC_GROUP}")})
    with pytest.raises(ChatMigrated):
        await bot.send_message(BASIC_GROUP, "x")
    assert (await control("remove_bot", {"chat_id": GROUP, "kicked": False}))[0] == 200
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(GROUP, "x")
    status, body = await control("remove_bot", {"chat_id": GROUP})
    assert status == 409 and "not a member" in body["error"]
    assert (await control("add_bot", {"chat_id": GROUP}))[0] == 200
    await bot.send_message(GROUP, "back")
    assert (await control("delete_chat", {"chat_id": SARA}))[0] == 200
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(SARA, "x")
    assert await control("faults", {"status": 502, "chat_id": ALI, "text_contains": "two"}) == (
        200,
        {"ok": True},
    )
    await bot.send_message(ALI, "one")
    await bot.send_message(GROUP, "two")  # another chat: not hit
    with pytest.raises(NetworkError):
        await bot.send_message(ALI, "two")
    assert (await control("faults", {"clear": True}))[0] == 200
    await bot.send_message(ALI, "two")
    async with http.get(
        "/_sandbox/telegram/requests", params={"method": "sendMessage", "chat_id": str(ALI)}
    ) as response:
        listed = (await response.json())["requests"]
    assert [(r["status"], r["description"]) for r in listed] == [
        (200, None),
        (502, "Bad Gateway"),
        (200, None),
    ]
    status, _ = await control("migrate", {"chat_id": "not a number"})
    assert status == 400
    status, _ = await control("faults", [1, 2])
    assert status == 400


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


# -- editing and deleting --------------------------------------------------------------------


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


# -- updates ---------------------------------------------------------------------------------


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


async def test_closing_the_server_answers_waiting_long_polls(
    fake: TelegramFake, server: RunningServer
) -> None:
    async with aiohttp.ClientSession() as session:
        poll = asyncio.create_task(
            session.post(f"{server.url}/bot{TOKEN}/getUpdates", data={"timeout": "90"})
        )
        await fake.wait_until(lambda: fake.waiting_polls == 1, what="the long poll")
        await server.close()
        assert poll.done()
        response = poll.result()
        assert await response.json() == {"ok": True, "result": []}
        response.release()


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


# -- files, commands, actions ----------------------------------------------------------------


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


# -- flood limits and outages ----------------------------------------------------------------


async def test_flood_one_chat_allows_a_burst_then_one_a_second(
    bot: Bot, fake: TelegramFake, clock: FakeClock
) -> None:
    fake.set_flood(True)
    for n in range(3):
        await bot.send_message(ALI, f"burst {n}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALI, "too fast")
    assert retry_after_seconds(caught.value) == 1
    assert fake.requests[-1].description == "Too Many Requests: retry after 1"
    await bot.send_message(SARA, "another chat is fine")
    clock.advance(1.0)
    await bot.send_message(ALI, "after a second")
    assert len(fake.bot_messages(ALI)) == 4


async def test_flood_group_allows_20_a_minute(
    bot: Bot, fake: TelegramFake, clock: FakeClock
) -> None:
    fake.set_flood(True)
    for n in range(20):
        await bot.send_message(GROUP, f"digest {n}")
        clock.advance(1.0)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "21st")
    assert retry_after_seconds(caught.value) == 40  # the first one leaves the minute at t=60
    clock.advance(40.0)
    await bot.send_message(GROUP, "21st, later")


async def test_flood_overall_30_a_second(bot: Bot, fake: TelegramFake, clock: FakeClock) -> None:
    users = range(1000, 1031)
    for user_id in users:
        fake.add_user(user_id, f"user {user_id}")
    fake.set_flood(True)
    for user_id in list(users)[:30]:
        await bot.send_message(user_id, "broadcast")
    with pytest.raises(RetryAfter):
        await bot.send_message(1030, "31st in the same second")
    clock.advance(1.0)
    await bot.send_message(1030, "31st")


async def test_no_flood_limits_unless_asked(bot: Bot, fake: TelegramFake) -> None:
    for n in range(10):
        await bot.send_message(ALI, f"{n}")
    assert len(fake.bot_messages(ALI)) == 10


async def test_outage_for_a_number_of_requests(bot: Bot, fake: TelegramFake) -> None:
    fake.fail_requests(502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(ALI, "x")
    await bot.send_message(ALI, "works again")
    assert [r.status for r in fake.requests] == [200, 502, 502, 200]  # getMe first
    assert [m.text for m in fake.messages(ALI)] == ["works again"]


async def test_outage_for_a_while_on_some_methods(
    bot: Bot, fake: TelegramFake, clock: FakeClock
) -> None:
    fake.fail_requests(429, seconds=30, methods={"sendMessage"}, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALI, "x")
    assert retry_after_seconds(caught.value) == 7
    await bot.send_chat_action(ALI, "typing")  # other methods are unaffected
    clock.advance(30.0)
    await bot.send_message(ALI, "x")
    fake.fail_requests(500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.get_me()
    fake.clear_failures()
    await bot.get_me()


# -- waiting ---------------------------------------------------------------------------------


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


# -- the shipped API data --------------------------------------------------------------------


def test_shipped_api_data_is_the_trim_of_the_shared_one() -> None:
    shared = Path(__file__).parents[3].parent / "shared" / "telegram-bot-api.json"
    if not shared.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{shared} is missing: the shipped Bot API data cannot be checked")
        pytest.skip(f"{shared} is not here (outside the project checkout)")
    shipped = Path(__file__).parents[3] / "sandbox" / "data" / "telegram-bot-api.json"
    expected = trim_spec(json.loads(shared.read_text(encoding="utf-8")))
    assert json.loads(shipped.read_text(encoding="utf-8")) == expected, (
        "regenerate with: python -m sandbox.telegram ../shared/telegram-bot-api.json"
    )


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
