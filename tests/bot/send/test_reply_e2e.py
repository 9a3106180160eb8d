"""Answering an SMS by replying to it in Telegram: exactly one SMS back to its sender, from the
line it came in on; nothing for people without the right, nothing for other bot messages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bridge_harness import (
    ADMIN,
    ADMIN_CHAT,
    OPERATOR,
    PAYAMAK_LINE,
    RAYGAN_LINE,
    STRANGER,
    SUPPORT_GROUP,
    VIEWER,
    World,
)

from sandbox.telegram import FakeMessage

CUSTOMER = "09127654321"
REPLY = 'سلام، سفارش <۴۲> شما & "ارسال" شد 😀'


def containing(text: str) -> Callable[[FakeMessage], bool]:
    """A predicate: the bot message shows `text`."""
    return lambda message: text in message.text


def national(number: str) -> str:
    """The last ten digits of a mobile number, however a provider wrote it."""
    return "".join(ch for ch in number if ch.isdigit())[-10:]


def sent_sms(world: World) -> list[tuple[str, str, str]]:
    """Every SMS either provider sent so far, as (line, recipient's ten digits, text)."""
    raygan = [(s.line, national(s.mobile), s.text) for s in world.sandbox.raygan.sent]
    payamak = [(s.line, national(to), s.text) for s in world.sandbox.payamak.sent for to in s.to]
    return raygan + payamak


async def forwarded_sms(world: World, line: str, chat: int, body: str) -> FakeMessage:
    """Inject an SMS from CUSTOMER on `line` and wait for it in `chat`."""
    if line == RAYGAN_LINE:
        world.sandbox.raygan.inject_incoming(line, CUSTOMER, body)
    else:
        world.sandbox.payamak.inject_incoming(line, CUSTOMER, body)
    return await world.reply(chat, containing(body))


@pytest.mark.parametrize(
    ("line", "chat"),
    [(RAYGAN_LINE, SUPPORT_GROUP), (PAYAMAK_LINE, ADMIN_CHAT)],
    ids=["raygan", "payamak"],
)
@pytest.mark.parametrize("user", [ADMIN, OPERATOR], ids=["admin", "operator"])
async def test_a_reply_to_an_sms_is_one_sms_to_its_sender_from_its_line(
    bridge: World, line: str, chat: int, user: int
) -> None:
    sms = await forwarded_sms(bridge, line, chat, f"قیمت چند است؟ ({line})")
    before = sent_sms(bridge)
    reply = bridge.say(user, chat, REPLY, reply_to=sms.message_id)
    # The confirmation (a reply to the reply) comes after the provider accepted the SMS.
    await bridge.reply(chat, lambda m: m.reply_to == reply["message_id"])
    assert sent_sms(bridge)[len(before) :] == [(line, national(CUSTOMER), REPLY)]
    assert sent_sms(bridge)[: len(before)] == before


@pytest.mark.parametrize("user", [STRANGER, VIEWER], ids=["no-role", "viewer"])
async def test_a_reply_by_someone_who_may_not_send_sends_nothing(bridge: World, user: int) -> None:
    sms = await forwarded_sms(bridge, RAYGAN_LINE, SUPPORT_GROUP, "کسی جواب می‌دهد؟")
    attempt = bridge.say(user, SUPPORT_GROUP, "free SMS for everyone", reply_to=sms.message_id)
    await bridge.reply(SUPPORT_GROUP, lambda m: m.reply_to == attempt["message_id"])
    # Updates are handled in order: an answer to a later command means the reply was handled.
    bridge.say(ADMIN, SUPPORT_GROUP, "/lines")
    await bridge.reply(SUPPORT_GROUP, containing(RAYGAN_LINE))
    assert sent_sms(bridge) == []
    with bridge.db() as db:
        assert db.execute("SELECT count(*) FROM sends").fetchone()[0] == 0


async def test_a_reply_to_a_bot_message_that_is_no_sms_sends_nothing(bridge: World) -> None:
    # In a private chat the bot says why.
    bridge.say(ADMIN, ADMIN, "/help")
    help_answer = await bridge.reply(ADMIN)
    bridge.say(ADMIN, ADMIN, "این یک پاسخ است", reply_to=help_answer.message_id)
    explanation = await bridge.reply(ADMIN)
    assert "/send" in explanation.text
    # In a group it stays quiet: a later command's answer shows the reply was handled.
    bridge.say(ADMIN, SUPPORT_GROUP, "/help")
    group_help = await bridge.reply(SUPPORT_GROUP)
    bridge.say(OPERATOR, SUPPORT_GROUP, "پاسخ به راهنما", reply_to=group_help.message_id)
    bridge.say(ADMIN, SUPPORT_GROUP, "/lines")
    await bridge.reply(SUPPORT_GROUP, containing(RAYGAN_LINE))
    assert sent_sms(bridge) == []
    with bridge.db() as db:
        assert db.execute("SELECT count(*) FROM sends").fetchone()[0] == 0
