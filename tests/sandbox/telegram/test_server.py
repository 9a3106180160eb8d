"""The Bot API over HTTP (`sandbox.telegram.server`): envelope, token, routes, how parameters
arrive, and long polls at shutdown."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import Bot
from telegram.error import InvalidToken
from telegram_support import ALI, TOKEN, call

from sandbox.server import RunningServer
from sandbox.telegram import TelegramFake

# PTB 22 deprecates RetryAfter.retry_after as an int; either form is fine here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


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
