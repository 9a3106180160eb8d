"""What the Telegram fake's tests share: the bot's token, its users and chats, raw calls.

(On pytest's pythonpath: `from telegram_support import ALI, call, ...`; the fixtures that serve
the fake are in tests/sandbox/telegram/conftest.py.)
"""

from __future__ import annotations

import datetime as dtm
import json
from typing import Any

import aiohttp
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter

TOKEN = "123456789:AAF-test-token_for_the_fake"
ALI = 42
SARA = 43
GROUP = -1001234567890
BASIC_GROUP = -4001234567  # a basic group (not a supergroup): one that can be upgraded
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


async def call(
    http: aiohttp.ClientSession, method: str, token: str = TOKEN, **params: Any
) -> tuple[int, dict[str, Any]]:
    """A raw form-encoded call; non-string values JSON-serialised, as PTB does."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with http.post(f"/bot{token}/{method}", data=form) as response:
        return response.status, await response.json()


def retry_after_seconds(err: RetryAfter) -> float:
    """A RetryAfter's wait in seconds (PTB 22 gives an int or a timedelta)."""
    value = err.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def keyboard(*datas: str) -> InlineKeyboardMarkup:
    """One row of buttons, each carrying its text as callback data."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in datas]])
