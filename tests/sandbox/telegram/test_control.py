"""The users' side over HTTP (`sandbox.telegram.control`, under /_sandbox/telegram/)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError
from telegram_support import ALI, BASIC_GROUP, GROUP, SARA

from sandbox.telegram import TelegramFake

# PTB 22 deprecates RetryAfter.retry_after as an int; either form is fine here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


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


async def test_the_users_side_over_http_says_presses_uploads_and_reads(
    bot: Bot, fake: TelegramFake, http: aiohttp.ClientSession
) -> None:
    async def control(route: str, body: Any) -> tuple[int, dict[str, Any]]:
        async with http.post(f"/_sandbox/telegram/{route}", json=body) as response:
            return response.status, await response.json(content_type=None)

    async def messages(chat_id: int, since: int = 0) -> list[dict[str, Any]]:
        params = {"chat_id": str(chat_id), "since": str(since)}
        async with http.get("/_sandbox/telegram/messages", params=params) as response:
            assert response.status == 200
            listed: list[dict[str, Any]] = (await response.json())["messages"]
            return listed

    newcomer = 424242
    status, body = await control(
        "users", {"user_id": newcomer, "first_name": "Neda", "language_code": "en"}
    )
    assert status == 200 and body["user"]["first_name"] == "Neda"
    status, body = await control(
        "say", {"user_id": newcomer, "chat_id": newcomer, "text": "/start"}
    )
    assert status == 200
    said = body["message"]
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["/start"]

    sent = await bot.send_message(
        newcomer,
        "<b>سلام</b> <code>&lt;b&gt;</code>",
        parse_mode="HTML",
        reply_markup={"inline_keyboard": [[{"text": "OK", "callback_data": "ok:1"}]]},
    )
    listed = await messages(newcomer)
    assert [m["message_id"] for m in listed] == [said["message_id"], sent.message_id]
    shown = listed[1]
    assert shown["from_bot"] and shown["text"] == "سلام <b>"
    assert [(e["type"], e["offset"], e["length"]) for e in shown["entities"]] == [
        ("bold", 0, 4),
        ("code", 5, 3),
    ]
    assert shown["buttons"] == [[{"text": "OK", "callback_data": "ok:1"}]]
    assert await messages(newcomer, since=sent.message_id) == []

    status, body = await control(
        "press",
        {"user_id": newcomer, "chat_id": newcomer, "message_id": sent.message_id, "data": "ok:1"},
    )
    assert status == 200
    status, refused = await control(
        "press",
        {"user_id": newcomer, "chat_id": newcomer, "message_id": sent.message_id, "data": "no"},
    )
    assert status == 409 and "has no button with data 'no'" in refused["error"]

    status, uploaded = await control(
        "upload",
        {
            "user_id": newcomer,
            "chat_id": newcomer,
            "filename": "numbers.csv",
            "content_base64": "MDkxMjc2NTQzMjEK",
            "caption": "/bulk",
            "reply_to": sent.message_id,
        },
    )
    assert status == 200
    document = uploaded["message"]["document"]
    assert document["file_name"] == "numbers.csv"
    assert fake.document_content(document["file_id"]) == b"09127654321\n"
    updates = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert updates[0].callback_query is not None and updates[0].callback_query.data == "ok:1"
    assert updates[1].message is not None and updates[1].message.caption == "/bulk"
    assert updates[1].message.reply_to_message is not None
    assert (await messages(newcomer))[-1]["document"] == "numbers.csv"

    status, _ = await control(
        "upload",
        {"user_id": newcomer, "chat_id": newcomer, "filename": "x", "content_base64": "%%"},
    )
    assert status == 400
    status, _ = await control("say", {"user_id": newcomer, "chat_id": newcomer, "text": ""})
    assert status == 409
    async with http.get("/_sandbox/telegram/messages", params={"chat_id": "x"}) as response:
        assert response.status == 400

    assert await control("flood", {"enabled": True}) == (200, {"ok": True})
    assert (await control("flood", {"enabled": "yes"}))[0] == 400
    assert await control("flood", {"enabled": False}) == (200, {"ok": True})
