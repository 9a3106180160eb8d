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
