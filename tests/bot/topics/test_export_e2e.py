"""`/export [days]`: this chat's (or topic's) sent and received SMS as a CSV document, UTF-8
with a BOM, Jalali and ISO times, numbers as text; bad day counts refused, nothing sent."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from bridge_harness import ADMIN, FORUM, OPERATOR, RAYGAN_LINE, SUPPORT_GROUP, VIEWER, World

from sandbox.telegram import FakeMessage

ALI = "09123456789"


def containing(text: str) -> Callable[[FakeMessage], bool]:
    """A predicate: the bot message shows `text`."""
    return lambda message: text in message.shown


def unformula(value: str) -> str:
    """A cell written as Excel's text formula `="…"`, as its text."""
    assert value.startswith('="') and value.endswith('"'), value
    return value[2:-1]


async def exported(
    world: World, chat: int, command: str, thread: int | None = None
) -> list[list[str]]:
    """Ask for the export; the CSV's rows as the csv module reads them (header first)."""
    written = world.fake.user_sends(VIEWER, chat, command, thread_id=thread)
    answer = await world.reply(chat, lambda m: m.reply_to == written["message_id"])
    assert answer.document is not None, answer.shown
    assert answer.thread_id == thread
    content = world.fake.document_content(answer.document.file_id)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def test_export_of_a_chat_row_by_row(bridge: World) -> None:
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, ALI, "سلام، قیمت «۱۲۳» چند است؟")
    await bridge.reply(SUPPORT_GROUP, containing("قیمت"))
    bridge.say(OPERATOR, SUPPORT_GROUP, f"/send {ALI} قیمت ۴۵۰٬۰۰۰ تومان, ok")
    await bridge.reply(SUPPORT_GROUP)
    header, *rows = await exported(bridge, SUPPORT_GROUP, "/export ۷")
    assert header == [
        "جهت",
        "زمان (شمسی، تهران)",
        "زمان (ISO، UTC)",
        "خط",
        "شماره",
        "متن",
        "وضعیت",
        "شناسهٔ ارسال",
    ]
    received, sent = rows
    assert received[0] == "دریافتی"
    assert (unformula(received[3]), unformula(received[4])) == (RAYGAN_LINE, "+989123456789")
    assert received[5] == "سلام، قیمت «۱۲۳» چند است؟"
    assert received[6] == "" and received[7] == ""
    assert sent[0] == "ارسالی"
    assert sent[5] == "قیمت ۴۵۰٬۰۰۰ تومان, ok"
    assert unformula(sent[4]) == "+989123456789"
    assert sent[6]  # its delivery state
    assert unformula(sent[7]).isdigit()
    for row in rows:
        assert row[1][:2] == "14" and row[1][4] == "/"  # Jalali year 14xx
        assert row[2].endswith("Z") and "T" in row[2]


async def test_export_in_a_topic_holds_that_conversation(forum: World) -> None:
    forum.sandbox.raygan.inject_incoming(RAYGAN_LINE, ALI, "از علی")
    first = await forum.reply(FORUM, containing("از علی"))
    forum.sandbox.raygan.inject_incoming(RAYGAN_LINE, "09350000001", "از سارا")
    await forum.reply(FORUM, containing("از سارا"))
    _header, *rows = await exported(forum, FORUM, "/export", thread=first.thread_id)
    assert [(r[0], r[5]) for r in rows] == [("دریافتی", "از علی")]


@pytest.mark.parametrize("days", ["-3", "0", "100000", "سی", "2.5"])
async def test_a_bad_day_count_is_refused(bridge: World, days: str) -> None:
    written = bridge.say(VIEWER, SUPPORT_GROUP, f"/export {days}")
    answer = await bridge.reply(SUPPORT_GROUP, lambda m: m.reply_to == written["message_id"])
    assert answer.document is None
    assert "تعداد روز درستی نیست" in answer.shown
    assert bridge.fake.calls("sendDocument") == []


async def test_only_an_admin_exports_a_whole_line(bridge: World) -> None:
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, ALI, "کل خط")
    await bridge.reply(SUPPORT_GROUP, containing("کل خط"))
    written = bridge.say(OPERATOR, SUPPORT_GROUP, f"/export 1 {RAYGAN_LINE}")
    refusal = await bridge.reply(SUPPORT_GROUP, lambda m: m.reply_to == written["message_id"])
    assert refusal.document is None
    bridge.say(ADMIN, ADMIN, f"/export 1 {RAYGAN_LINE}")
    answer = await bridge.reply(ADMIN, lambda m: m.document is not None)
    assert answer.document is not None
    rows = list(
        csv.reader(
            io.StringIO(bridge.fake.document_content(answer.document.file_id).decode("utf-8-sig"))
        )
    )
    assert [r[5] for r in rows[1:]] == ["کل خط"]


async def test_an_export_too_big_for_telegram_is_refused_in_words(
    bridge: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram's 50 MB made small, so a few rows exceed it.
    monkeypatch.setattr("bot.export.handlers.MAX_DOCUMENT", 100)
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, ALI, "یک پیامک بلند " * 5)
    await bridge.reply(SUPPORT_GROUP, containing("یک پیامک بلند"))
    written = bridge.say(VIEWER, SUPPORT_GROUP, "/export")
    answer = await bridge.reply(SUPPORT_GROUP, lambda m: m.reply_to == written["message_id"])
    assert answer.document is None
    assert "۵۰ مگابایت" in answer.shown
    assert bridge.fake.calls("sendDocument") == []
