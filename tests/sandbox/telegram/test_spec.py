"""The Bot API data and the parameter checks against it (`sandbox.telegram.spec`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest
from telegram_support import ALI, call

from sandbox.telegram import trim_spec

# PTB 22 deprecates RetryAfter.retry_after as an int; either form is fine here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


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
