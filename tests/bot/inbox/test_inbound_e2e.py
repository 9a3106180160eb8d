"""Incoming SMS end to end: from a provider's inbox to the routed Telegram chat, verbatim,
once each, and split (never cut) when longer than a Telegram message."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import jdatetime
import pytest
from bridge_harness import ADMIN_CHAT, PAYAMAK_LINE, RAYGAN_LINE, SUPPORT_GROUP, World

from sandbox.telegram import FakeMessage

CUSTOMER = "09127654321"
CUSTOMER_SHOWN = "+98 912 765 4321"
TRICKY_BODY = 'قیمت <b>جدید</b> & "ویژه" > 5 چیست؟ 😀👍🏽 &amp; </i>'


def jalali(moment: datetime) -> str:
    """The moment as a person in Tehran reads it: `۱۴۰۴/۰۹/۰۱ ساعت ۱۴:۳۰`."""
    local = jdatetime.datetime.fromgregorian(datetime=moment.astimezone(ZoneInfo("Asia/Tehran")))
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    return f"{local.strftime('%Y/%m/%d')} ساعت {local.strftime('%H:%M')}".translate(persian)


def containing(body: str) -> Callable[[FakeMessage], bool]:
    """A predicate: the bot message shows `body`."""
    return lambda message: body in message.shown


def inject(world: World, line: str, sender: str, body: str, when: datetime) -> None:
    """An SMS reaches `line` at `when`, on whichever simulator owns the line."""
    if line == RAYGAN_LINE:
        world.sandbox.raygan.inject_incoming(line, sender, body, date=int(when.timestamp()))
    else:
        world.sandbox.payamak.inject_incoming(line, sender, body, when=when)


def now_whole_second() -> datetime:
    """Now, without a fraction (RayganSMS dates are whole seconds)."""
    return datetime.fromtimestamp(int(time.time()), UTC)


@pytest.mark.parametrize(
    ("line", "chat"),
    [(RAYGAN_LINE, SUPPORT_GROUP), (PAYAMAK_LINE, ADMIN_CHAT)],
    ids=["raygan-routed-to-support", "payamak-unrouted-to-admin-chat"],
)
async def test_incoming_sms_arrives_verbatim_in_its_chat_with_sender_line_and_jalali_time(
    bridge: World, line: str, chat: int
) -> None:
    when = now_whole_second()
    inject(bridge, line, CUSTOMER, TRICKY_BODY, when)
    forwarded = await bridge.reply(chat, containing(TRICKY_BODY))
    assert forwarded.shown.endswith("\n\n" + TRICKY_BODY)
    header = forwarded.shown[: -len(TRICKY_BODY)]
    assert CUSTOMER_SHOWN in header
    assert line in header
    assert jalali(when) in header
    other = ADMIN_CHAT if chat == SUPPORT_GROUP else SUPPORT_GROUP
    assert not any(TRICKY_BODY in m.shown for m in bridge.fake.bot_messages(other))


async def test_a_body_longer_than_a_telegram_message_is_split_never_cut(bridge: World) -> None:
    words = ["سلام", "<b>", "&", '"نقل"', "😀", "order-42", "تخفیف", ">", "پایان."]
    body = " ".join(words[i % len(words)] + str(i) for i in range(900))
    assert len(body) > 4096 + 1000
    bridge.sandbox.payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, body)
    first = await bridge.reply(ADMIN_CHAT, containing("سلام0 "))
    # The last word is in the last part: once it is there, every part is.
    await bridge.reply(ADMIN_CHAT, containing("پایان.899"))
    parts = [m for m in bridge.fake.bot_messages(ADMIN_CHAT) if m.message_id >= first.message_id]
    assert len(parts) >= 2
    assert all(len(m.text.encode("utf-16-le")) // 2 <= 4096 for m in parts)
    header, _, head_of_body = parts[0].shown.partition("\n\n")
    assert CUSTOMER_SHOWN in header
    pieces = [head_of_body, *(m.shown for m in parts[1:])]
    # Each part is a stretch of the body as it was; together they hold every character of it
    # (Telegram trims whitespace at a message's edges, so only that may differ at the joins).
    assert body.startswith(head_of_body)
    assert all(piece in body for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(body.split())


async def test_an_sms_fetched_again_by_overlapping_windows_is_forwarded_once(
    bridge: World,
) -> None:
    raygan = bridge.sandbox.raygan
    body = "یک بار کافی است <once>"
    raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body)
    await bridge.reply(SUPPORT_GROUP, containing(body))
    # Every later poll's window still covers the SMS (the adapter looks back 120 s).
    polls = raygan.calls["ReceiveMessages"]
    await bridge.fake.wait_until(lambda: raygan.calls["ReceiveMessages"] >= polls + 3)
    marker = "نشانه: پیامک بعدی"
    raygan.inject_incoming(RAYGAN_LINE, "09120000001", marker)
    await bridge.reply(SUPPORT_GROUP, containing(marker))
    texts = [m.shown for m in bridge.fake.bot_messages(SUPPORT_GROUP)]
    assert sum(body in text for text in texts) == 1
    with bridge.db() as db:
        stored = db.execute("SELECT count(*) FROM incoming WHERE body = ?", (body,)).fetchone()[0]
    assert stored == 1


async def test_two_identical_sms_from_one_sender_in_the_same_second_are_both_forwarded(
    bridge: World,
) -> None:
    raygan = bridge.sandbox.raygan
    body = "دوبار فرستادم"
    second = int(time.time())
    raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body, date=second)
    raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body, date=second)
    await bridge.reply(SUPPORT_GROUP, containing(body))
    await bridge.reply(SUPPORT_GROUP, containing(body))
    polls = raygan.calls["ReceiveMessages"]
    await bridge.fake.wait_until(lambda: raygan.calls["ReceiveMessages"] >= polls + 3)
    marker = "نشانه: بعد از دو پیامک یکسان"
    raygan.inject_incoming(RAYGAN_LINE, "09120000001", marker)
    await bridge.reply(SUPPORT_GROUP, containing(marker))
    texts = [m.shown for m in bridge.fake.bot_messages(SUPPORT_GROUP)]
    assert sum(body in text for text in texts) == 2
