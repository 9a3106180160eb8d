"""`/bulk` end to end: the real PTB Application against the Telegram fake and both simulators.
A file uploaded (caption `/bulk`, or after `/bulk`), previewed, sent; each row's own text on the
wire; blacklisted numbers skipped and counted; only the uploader's buttons count; pause,
resume, cancel; quiet hours and the throttle on the bridge's movable clock; bad files refused
with nothing stored or sent."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from bridge_harness import ADMIN, OPERATOR, SUPPORT_GROUP, VIEWER, World, wait_for
from openpyxl import Workbook

from bot.campaigns.jobs import PROGRESS_INTERVAL
from bot.throttle.service import TEHRAN
from sandbox.telegram import FakeMessage

# How much earlier than its interval a JobQueue run may edit (the scheduler's own lag is later).
EDIT_JITTER_S = 0.2


def csv_bytes(
    rows: Sequence[Sequence[object]], encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


NAMES = [
    ["mobile", "name"],
    ["09121110001", "Ali"],
    ["09121110002", "سارا"],
    ["09121110003", "Reza"],
]


async def upload(
    world: World, name: str, content: bytes, *, user: int = OPERATOR, caption: str = "/bulk"
) -> FakeMessage:
    """`user` sends a file in their private chat; the bot's next message there."""
    world.fake.upload_document(user, user, name, content, caption=caption)
    return await world.reply(user)


def button(message: FakeMessage, action: str) -> str:
    """The callback data of the message's `action` button (`go`, `at`, `no`, `pause`, …)."""
    for item in message.buttons():
        data = str(item.get("callback_data", ""))
        if data.startswith(f"bulk:{action}:"):
            return data
    raise AssertionError(f"no {action} button on {message.shown!r}")


def press(world: World, user: int, chat: int, message: FakeMessage, action: str) -> str:
    """`user` presses the button; the bot's answer text to the press."""
    return world.fake.press_button(user, chat, message.message_id, button(message, action))


def answer_text(world: World, query_id: str) -> str:
    answer = world.fake.callback_answers.get(query_id)
    return "" if answer is None or answer.text is None else answer.text


def campaign_rows(world: World) -> int:
    with world.db() as db:
        return int(db.execute("SELECT count(*) FROM campaigns").fetchone()[0])


async def summary(world: World, chat: int) -> FakeMessage:
    """The campaign's summary: a document with every recipient's outcome."""
    return await world.fake.wait_for_bot_message(
        chat, predicate=lambda m: m.document is not None, timeout=20
    )


def report(message: FakeMessage) -> list[dict[str, str]]:
    assert message.document is not None
    text = message.document.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


async def send_campaign(world: World, preview: FakeMessage, user: int = OPERATOR) -> FakeMessage:
    """Press Send on the preview; the progress message."""
    press(world, user, user, preview, "go")
    return await world.reply(user)


async def test_a_csv_with_name_is_previewed_then_each_row_gets_its_own_text(
    bridge: World,
) -> None:
    asked = await upload(bridge, "customers.csv", csv_bytes(NAMES))
    assert "{name}" in asked.shown
    bridge.say(OPERATOR, OPERATOR, "سلام {name} عزیز")
    preview = await bridge.reply(OPERATOR)
    shown = preview.shown
    assert "پیش‌نمایش" in shown and "سلام Ali عزیز" in shown
    assert [b["callback_data"].split(":")[1] for b in preview.buttons()] == ["go", "at", "no"]
    assert bridge.sandbox.raygan.sent == []  # nothing before Send
    progress = await send_campaign(bridge, preview)
    done = await summary(bridge, OPERATOR)
    sent = sorted((s.method, s.mobile, s.text) for s in bridge.sandbox.raygan.sent)
    assert sent == [
        ("SendCorrespondingMessage", "09121110001", "سلام Ali عزیز"),
        ("SendCorrespondingMessage", "09121110002", "سلام سارا عزیز"),
        ("SendCorrespondingMessage", "09121110003", "سلام Reza عزیز"),
    ]
    rows = report(done)
    assert [(r["row"], r["number"]) for r in rows] == [
        ("2", "+989121110001"),
        ("3", "+989121110002"),
        ("4", "+989121110003"),
    ]
    assert {r["outcome"] for r in rows} <= {"sent", "pending", "at_carrier", "delivered"}
    await bridge.fake.wait_until(
        lambda: "۳ / ۳" in bridge.fake.message(OPERATOR, progress.message_id).shown
    )
    status = await _ask(bridge, "/status c1")
    assert "#c1" in status.shown


async def _ask(world: World, text: str, user: int = OPERATOR) -> FakeMessage:
    world.say(user, user, text)
    return await world.reply(user)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "list.xlsx",
            xlsx_bytes([["شماره", "متن"], [9121110001, "سه"], [9121110002, "دو"]]),
        ),
        (
            "list.csv",
            csv_bytes(
                [["شماره", "متن"], ["09121110001", "سه"], ["09121110002", "دو"]], "cp1256", ";"
            ),
        ),
    ],
    ids=["xlsx", "windows-1256"],
)
async def test_xlsx_and_windows_1256_rows_send_their_own_text(
    bridge: World, name: str, content: bytes
) -> None:
    bridge.say(OPERATOR, OPERATOR, "/bulk")
    await bridge.reply(OPERATOR)
    preview = await upload(bridge, name, content, caption="")
    assert "سه" in preview.shown
    await send_campaign(bridge, preview)
    await summary(bridge, OPERATOR)
    assert sorted((s.mobile, s.text) for s in bridge.sandbox.raygan.sent) == [
        ("09121110001", "سه"),
        ("09121110002", "دو"),
    ]


async def test_blacklisted_numbers_are_counted_and_skipped(bridge: World) -> None:
    bridge.sandbox.raygan.blacklist.add("09121110002")
    rows = [["mobile", "text"], ["09121110001", "a"], ["09121110002", "b"], ["0912", "c"]]
    preview = await upload(bridge, "l.csv", csv_bytes(rows))
    shown = preview.shown
    assert "در فهرست سیاه اپراتورها: ۱" in shown
    assert "نامعتبر: ۱" in shown and "ردیف ۴" in shown
    await send_campaign(bridge, preview)
    done = await summary(bridge, OPERATOR)
    assert [s.mobile for s in bridge.sandbox.raygan.sent] == ["09121110001"]
    outcomes = {r["number"]: r["outcome"] for r in report(done)}
    assert outcomes["+989121110002"] == "skipped:blacklisted"
    assert "کنارگذاشته: ۱" in done.shown


async def test_only_the_uploader_while_still_an_operator_may_press(bridge: World) -> None:
    # In a group, where others can see the preview.
    bridge.fake.upload_document(
        OPERATOR,
        SUPPORT_GROUP,
        "l.csv",
        csv_bytes([["mobile", "text"], ["09121110001", "x"]]),
        caption="/bulk",
    )
    preview = await bridge.reply(SUPPORT_GROUP)
    for other in (ADMIN, VIEWER):
        query = press(bridge, other, SUPPORT_GROUP, preview, "go")
        await bridge.fake.wait_until(lambda q=query: q in bridge.fake.callback_answers)
        assert "فقط کسی که" in answer_text(bridge, query)
    assert bridge.sandbox.raygan.sent == [] and bridge.sandbox.raygan.calls["SendMessage"] == 0
    # The uploader loses the right: the button does nothing either.
    assert bridge.bridge is not None
    await bridge.bridge.data.repo.remove_user(OPERATOR)
    query = press(bridge, OPERATOR, SUPPORT_GROUP, preview, "go")
    await bridge.fake.wait_until(lambda: query in bridge.fake.callback_answers)
    assert bridge.sandbox.raygan.sent == []
    with bridge.db() as db:
        assert db.execute("SELECT status FROM campaigns").fetchone()[0] == "draft"


async def test_pause_resume_and_cancel_between_chunks(world: World) -> None:
    world.overrides = {"accounts": _accounts(world, max_per_minute=2)}
    await _start(world)
    assert world.bridge is not None
    # Held inside one minute: the next chunk waits for the clock to be moved, not for time.
    world.bridge.data.clock.hold(datetime(2026, 11, 22, 8, 30, 5, tzinfo=UTC))
    rows = [["mobile", "text"]] + [[f"091211100{i:02d}", "hi"] for i in range(6)]
    preview = await upload(world, "l.csv", csv_bytes(rows))
    progress = await send_campaign(world, preview)
    await wait_for(lambda: len(world.sandbox.raygan.sent) == 2, what="the first chunk")
    await world.fake.wait_until(
        lambda: "سقف دقیقه‌ای" in world.fake.message(OPERATOR, progress.message_id).shown,
        timeout=10,
    )
    shown = world.fake.message(OPERATOR, progress.message_id)
    press(world, OPERATOR, OPERATOR, shown, "pause")
    await wait_for(lambda: _status(world) == "paused", what="paused")
    world.bridge.data.clock.move(timedelta(minutes=1))
    await world.fake.wait_until(
        lambda: "متوقف است" in world.fake.message(OPERATOR, progress.message_id).shown
    )
    assert len(world.sandbox.raygan.sent) == 2  # paused: the next chunk waits
    press(world, OPERATOR, OPERATOR, world.fake.message(OPERATOR, progress.message_id), "resume")
    await wait_for(lambda: len(world.sandbox.raygan.sent) == 4, what="the second chunk")
    await world.fake.wait_until(
        lambda: any(
            b.get("callback_data", "").startswith("bulk:no:")
            for b in world.fake.message(OPERATOR, progress.message_id).buttons()
        )
    )
    press(world, OPERATOR, OPERATOR, world.fake.message(OPERATOR, progress.message_id), "no")
    await wait_for(lambda: _status(world) == "cancelled", what="cancelled")
    world.bridge.data.clock.move(timedelta(minutes=1))
    done = await summary(world, OPERATOR)
    assert len(world.sandbox.raygan.sent) == 4
    assert sum(r["outcome"] == "not_sent" for r in report(done)) == 2
    assert "لغو شد" in done.shown
    # Its progress changed often within seconds (a chunk, the wait, paused, resumed, cancelled),
    # yet its one message was edited at most every PROGRESS_INTERVAL (3 s, SPEC §4).
    edited_at = world.fake.message(OPERATOR, progress.message_id).edited_at
    assert len(edited_at) >= 3
    gaps = [later - earlier for earlier, later in pairwise(edited_at)]
    assert min(gaps) >= PROGRESS_INTERVAL - EDIT_JITTER_S, gaps


async def test_quiet_hours_hold_a_campaign_and_it_resumes_after(world: World) -> None:
    local = datetime.now(UTC).astimezone(TEHRAN)
    start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    window = f"{start:%H:%M}-{end:%H:%M}"
    world.overrides = {"bulk": {"quiet_hours": window}}
    await _start(world)
    preview = await upload(world, "l.csv", csv_bytes([["mobile", "text"], ["09121110001", "x"]]))
    progress = await send_campaign(world, preview)
    await world.fake.wait_until(
        lambda: "ساعت سکوت" in world.fake.message(OPERATOR, progress.message_id).shown
    )
    assert world.sandbox.raygan.sent == []
    assert world.bridge is not None
    world.bridge.data.clock.move(timedelta(hours=1, minutes=5))
    await summary(world, OPERATOR)
    assert [s.mobile for s in world.sandbox.raygan.sent] == ["09121110001"]


async def test_payamak_never_answers_code_15_with_the_suffix_configured(world: World) -> None:
    world.overrides = {"bulk": {"opt_out_suffix": "لغو11"}}
    world.sandbox.payamak.require_opt_out = True
    await _start(world)
    await _ask(world, "/from meli")
    rows = [["mobile"], ["09121110001"], ["09121110002"], ["09121110003"]]
    world.fake.upload_document(OPERATOR, OPERATOR, "l.csv", csv_bytes(rows), caption="/bulk")
    await world.reply(OPERATOR)
    world.say(OPERATOR, OPERATOR, "تخفیف ویژه")
    preview = await world.reply(OPERATOR)
    await send_campaign(world, preview)
    await summary(world, OPERATOR)
    (call,) = world.sandbox.payamak.sent
    assert (call.text, len(call.to)) == ("تخفیف ویژه\nلغو11", 3)


async def test_not_enough_credit_shows_cost_and_credit_and_offers_no_send(bridge: World) -> None:
    bridge.sandbox.raygan.accounts["demo"].credit = 1
    preview = await upload(
        bridge, "l.csv", csv_bytes([["mobile", "text"], ["09121110001", "سلام"]])
    )
    assert "ارسال ممکن نیست" in preview.shown
    assert [b["callback_data"].split(":")[1] for b in preview.buttons()] == ["no"]
    assert bridge.sandbox.raygan.sent == []


BAD_FILES = [
    ("list.pdf", b"%PDF-1.4", "فایل CSV، TXT یا XLSX نیست"),
    ("list.csv", b"", "هیچ ردیفی ندارد"),
    ("list.csv", csv_bytes([["name"], ["Ali"]]), "ستون شماره پیدا نشد"),
    ("list.csv", "mobile\n09121110001\n".encode("utf-16"), "نه UTF-8 است"),
    ("list.csv", csv_bytes([["mobile"], ["0912"], ["021"]]), "همهٔ ردیف‌ها نامعتبرند"),
    ("list.csv", csv_bytes([["mobile"]] + [[f"0912{i:07d}"] for i in range(6)]), "بیش از ۵ ردیفی"),
    (
        "list.csv",
        csv_bytes([["mobile", "text"], ["09121110001", "x {family}"]]),
        "جای‌نگهدارهایی دارد که هیچ ستونی ندارد",
    ),
    (
        "list.csv",
        csv_bytes([["mobile", "text"], ["09121110001", "ok"], ["09121110002", "س" * 700]]),
        "ردیف ۳",
    ),
]


@pytest.mark.parametrize(("name", "content", "words"), BAD_FILES)
async def test_a_bad_file_is_refused_and_changes_nothing(
    world: World, name: str, content: bytes, words: str
) -> None:
    world.overrides = {"bulk": {"max_recipients": 5}}
    await _start(world)
    answer = await upload(world, name, content)
    assert words in answer.shown
    assert campaign_rows(world) == 0
    assert world.sandbox.raygan.sent == [] and world.sandbox.payamak.sent == []


async def test_a_file_over_20_mb_is_refused_before_download(bridge: World) -> None:
    big = b"mobile\n" + b"09121110001\n" * (21 * 1024 * 1024 // 12)
    answer = await upload(bridge, "big.csv", big)
    assert "بیش از ۲۰ مگابایت" in answer.shown
    assert "getFile" not in [r.method for r in bridge.fake.requests]
    assert campaign_rows(bridge) == 0


# ---------------------------------------------------------------- helpers


def _accounts(world: World, **settings: object) -> list[dict[str, object]]:
    accounts = [dict(a) for a in world.config_data()["accounts"]]
    accounts[0].update(settings)
    return accounts


async def _start(world: World) -> None:
    from storage.models import Role

    await world.start_bridge()
    assert world.bridge is not None
    await world.bridge.data.repo.set_role(OPERATOR, Role.OPERATOR, ADMIN)
    await world.bridge.data.repo.set_role(VIEWER, Role.VIEWER, ADMIN)
    await world.first_polls_done()


def _status(world: World) -> str:
    with world.db() as db:
        return str(db.execute("SELECT status FROM campaigns").fetchone()[0])


async def test_opted_out_numbers_are_counted_and_skipped(bridge: World) -> None:
    from bridge_harness import RAYGAN_LINE

    assert bridge.bridge is not None
    await bridge.bridge.data.repo.add_opt_out(RAYGAN_LINE, "+989121110002")
    rows = [["mobile", "text"], ["09121110001", "a"], ["09121110002", "b"]]
    preview = await upload(bridge, "l.csv", csv_bytes(rows))
    assert "لغو عضویت: ۱" in preview.shown
    await send_campaign(bridge, preview)
    done = await summary(bridge, OPERATOR)
    assert [s.mobile for s in bridge.sandbox.raygan.sent] == ["09121110001"]
    outcomes = {r["number"]: r["outcome"] for r in report(done)}
    assert outcomes["+989121110002"] == "skipped:opted_out"


async def test_schedule_refuses_a_past_time_and_holds_the_campaign_until_its_time(
    bridge: World,
) -> None:
    assert bridge.bridge is not None
    clock = bridge.bridge.data.clock
    clock.hold(datetime(2026, 11, 22, 8, 0, tzinfo=UTC))  # 11:30 in Tehran
    preview = await upload(bridge, "l.csv", csv_bytes([["mobile", "text"], ["09121110001", "x"]]))
    press(bridge, OPERATOR, OPERATOR, preview, "at")
    asked = await bridge.reply(OPERATOR)
    assert "کی شروع شود" in asked.shown
    past = await _ask(bridge, "1405/09/01 10:00")
    assert "گذشته است" in past.shown
    wrong = await _ask(bridge, "1403/12/31 10:00")  # Esfand never has 31 days
    assert "وجود ندارد" in wrong.shown
    scheduled = await _ask(bridge, "+2h")
    assert "شروع می‌شود" in scheduled.shown
    progress = await bridge.reply(OPERATOR)
    assert "شروع در" in progress.shown
    assert not preview.buttons() or not bridge.fake.message(OPERATOR, preview.message_id).buttons()
    await asyncio.sleep(2.5)  # several worker turns
    assert bridge.sandbox.raygan.sent == []
    clock.move(timedelta(hours=2))
    await summary(bridge, OPERATOR)
    assert [s.mobile for s in bridge.sandbox.raygan.sent] == ["09121110001"]


async def test_a_scheduled_campaign_is_listed_by_scheduled_and_cancelled_from_there(
    bridge: World,
) -> None:
    assert bridge.bridge is not None
    bridge.bridge.data.clock.hold(datetime(2026, 11, 22, 8, 0, tzinfo=UTC))
    preview = await upload(bridge, "l.csv", csv_bytes([["mobile", "text"], ["09121110001", "x"]]))
    press(bridge, OPERATOR, OPERATOR, preview, "at")
    await bridge.reply(OPERATOR)
    await _ask(bridge, "+2h")
    await bridge.reply(OPERATOR)  # the progress message: waiting for its time
    listed = await _ask(bridge, "/scheduled")
    assert "کارزار #c1" in listed.shown and "۱ گیرنده" in listed.shown
    press(bridge, OPERATOR, OPERATOR, listed, "no")
    await wait_for(lambda: _status(bridge) == "cancelled", what="the campaign cancelled")
    bridge.bridge.data.clock.move(timedelta(hours=3))
    await asyncio.sleep(1.5)  # worker turns past its time
    assert bridge.sandbox.raygan.sent == []
    again = await _ask(bridge, "/scheduled")
    assert "کارزار" not in again.shown


async def test_send_and_campaigns_share_the_accounts_per_minute_count(world: World) -> None:
    world.overrides = {"accounts": _accounts(world, max_per_minute=2)}
    await _start(world)
    assert world.bridge is not None
    world.bridge.data.clock.hold(datetime(2026, 11, 22, 8, 30, 5, tzinfo=UTC))
    await _ask(world, "/send 09121110001 09121110002 hello")
    assert len(world.sandbox.raygan.sent) == 2
    preview = await upload(world, "l.csv", csv_bytes([["mobile", "text"], ["09121110003", "x"]]))
    progress = await send_campaign(world, preview)
    await world.fake.wait_until(
        lambda: "سقف دقیقه‌ای" in world.fake.message(OPERATOR, progress.message_id).shown
    )
    assert len(world.sandbox.raygan.sent) == 2
    world.bridge.data.clock.move(timedelta(minutes=1))
    await summary(world, OPERATOR)
    assert len(world.sandbox.raygan.sent) == 3


async def test_a_send_over_the_daily_limit_is_refused_and_sends_nothing(world: World) -> None:
    world.overrides = {"accounts": _accounts(world, daily_limit=1)}
    await _start(world)
    answer = await _ask(world, "/send 09121110001 09121110002 hello")
    assert "سقف ارسال حساب" in answer.shown
    assert world.sandbox.raygan.sent == []
    with world.db() as db:
        assert db.execute("SELECT status FROM sends").fetchone()[0] == "failed"


async def test_an_edit_telegram_held_back_keeps_the_next_one_three_seconds_after_it(
    world: World,
) -> None:
    # Payamak, 30 chunks at 1.5 s a call, 8 at a time: the progress changes at every turn for
    # about 6 s. Telegram answers one mid-campaign edit 429 (retry after 2 s): the rate limiter
    # sends it again 2 s late, and the next turn must not edit right behind it.
    world.overrides = {"bulk": {"opt_out_suffix": "لغو۱۱"}}
    await _start(world)
    world.say(OPERATOR, OPERATOR, "/from meli")
    await world.reply(OPERATOR)
    world.sandbox.payamak.faults.set_latency(1.5, method="SendSMS")
    rows = [["mobile", "text"], *([f"0912{i:07d}", "حراج"] for i in range(3000))]
    preview = await upload(world, "big.csv", csv_bytes(rows))
    progress = await send_campaign(world, preview)
    fake = world.fake
    await fake.wait_until(lambda: bool(fake.message(OPERATOR, progress.message_id).edited_at))
    fake.fail_requests(429, times=1, methods={"editmessagetext"}, retry_after=2)
    done = await summary(world, OPERATOR)
    assert len(report(done)) == 3000 and "not_sent" not in {r["outcome"] for r in report(done)}
    assert any(r.status == 429 for r in fake.calls("editMessageText"))
    edited_at = fake.message(OPERATOR, progress.message_id).edited_at
    assert len(edited_at) >= 3
    gaps = [later - earlier for earlier, later in pairwise(edited_at)]
    assert min(gaps) >= PROGRESS_INTERVAL - EDIT_JITTER_S, gaps


async def test_a_summary_telegram_refused_is_posted_at_a_later_turn(bridge: World) -> None:
    asked = await upload(bridge, "customers.csv", csv_bytes(NAMES))
    assert "{name}" in asked.shown
    bridge.say(OPERATOR, OPERATOR, "Hi {name}")
    preview = await bridge.reply(OPERATOR)
    bridge.fake.fail_requests(502, times=1, methods={"senddocument"})
    await send_campaign(bridge, preview)
    done = await summary(bridge, OPERATOR)
    assert len(report(done)) == 3
    assert [r.status for r in bridge.fake.calls("sendDocument")] == [502, 200]
