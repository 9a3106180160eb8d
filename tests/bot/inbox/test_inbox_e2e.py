"""The inbound side end to end, on the real bridge against the simulators and the Telegram fake:
nothing missed and nothing doubled whatever order Payamak lists in, SMS RayganSMS dates late,
pages that shift while read, unreadable records, and the first start of a line.

SMS carry a mark (`#x017`) so that each one can be counted in the chat, whether it came alone or
inside a digest.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from bridge_harness import (
    ADMIN_CHAT,
    PAYAMAK_LINE,
    RAYGAN_LINE,
    SUPPORT_GROUP,
    BridgeProcess,
    World,
    wait_for,
)

from providers.phone import to_ascii_digits
from sandbox.telegram import FakeMessage

CUSTOMER = "09127654321"
MARK = re.compile(r"#x(\d{3})\b")


def marks(world: World, chat: int) -> Counter[int]:
    """How many times each mark shows in the bot's messages in `chat`."""
    found: Counter[int] = Counter()
    for message in world.fake.bot_messages(chat):
        found.update(int(m) for m in MARK.findall(message.text or ""))
    return found


async def all_forwarded_once(world: World, chat: int, wanted: set[int]) -> None:
    """Wait until every wanted mark is in the chat, then check none is there twice."""
    try:
        await wait_for(lambda: wanted <= set(marks(world, chat)), what=f"marks {sorted(wanted)}")
    except AssertionError:
        missing = sorted(wanted - set(marks(world, chat)))
        lost = f"{len(missing)} of {len(wanted)} never forwarded: {missing}"
        raise AssertionError(lost) from None
    doubled = {mark: n for mark, n in marks(world, chat).items() if n > 1}
    assert doubled == {}, f"forwarded more than once: {doubled}"


async def polls(world: World, method: str, count: int) -> None:
    """Let `count` more inbox polls of one simulator happen."""
    sim = world.sandbox.raygan if method == "ReceiveMessages" else world.sandbox.payamak
    target = sim.calls[method] + count
    await wait_for(lambda: sim.calls[method] >= target, what=f"{count} more {method} calls")


def containing(text: str) -> object:
    """A predicate on bot messages."""

    def check(message: FakeMessage) -> bool:
        return text in message.text

    return check


# ---------------------------------------------------------------- Payamak: any listing order


async def test_payamak_newest_first_forwards_every_new_sms_once(bridge: World) -> None:
    payamak = bridge.sandbox.payamak
    payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, "before the switch #x000")
    await all_forwarded_once(bridge, ADMIN_CHAT, {0})
    payamak.set_listing_order("newest_first")
    for n in range(1, 6):
        payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, f"newest first #x{n:03d}")
        await polls(bridge, "GetMessages", 1)
    await all_forwarded_once(bridge, ADMIN_CHAT, {0, 1, 2, 3, 4, 5})


async def test_payamak_newest_first_a_burst_of_60_is_forwarded_once_each(bridge: World) -> None:
    payamak = bridge.sandbox.payamak
    payamak.set_listing_order("newest_first")
    for n in range(30):  # history the bridge has already read
        payamak.inject_incoming(PAYAMAK_LINE, "09120000000", f"earlier #x{900 + n}")
    await all_forwarded_once(bridge, ADMIN_CHAT, set(range(900, 930)))
    for n in range(60):
        payamak.inject_incoming(PAYAMAK_LINE, f"0912{n:07d}", f"burst #x{n:03d}")
    await all_forwarded_once(bridge, ADMIN_CHAT, set(range(900, 930)) | set(range(60)))


@pytest.mark.parametrize("order", ["alternate", "random", "switched"])
async def test_payamak_changing_order_misses_and_doubles_nothing(bridge: World, order: str) -> None:
    payamak = bridge.sandbox.payamak
    wanted: set[int] = set()
    if order != "switched":
        payamak.set_listing_order(order, seed=3)
    for n in range(8):
        if order == "switched":
            payamak.set_listing_order("newest_first" if n % 2 else "oldest_first")
        payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, f"one by one #x{n:03d}")
        wanted.add(n)
        await polls(bridge, "GetMessages", 2)
    for n in range(100, 350):  # more than two pages at once
        payamak.inject_incoming(PAYAMAK_LINE, f"0912{n:07d}", f"a burst #x{n:03d}")
        wanted.add(n)
    await all_forwarded_once(bridge, ADMIN_CHAT, wanted)


async def test_payamak_newest_first_an_sms_stored_just_before_a_crash_is_shown_once(
    world: World, bridge_process: BridgeProcess
) -> None:
    fake, payamak = world.fake, world.sandbox.payamak
    payamak.set_listing_order("newest_first")
    payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, "already there #x900")
    bridge_process.start()
    await world.first_polls_done()
    # Forwarded before the outage: a SIGKILL between Telegram's answer and the commit would
    # re-post it (the one window Telegram's API leaves), which is not what this test is about.
    await all_forwarded_once(world, ADMIN_CHAT, {900})
    fake.fail_requests(502, methods={"sendMessage"})
    body = "stored, then the bridge died #x001"
    payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, body)

    def stored() -> bool:
        with world.db() as db:
            found = db.execute("SELECT 1 FROM incoming WHERE body = ?", (body,)).fetchone()
        return found is not None

    await wait_for(stored, what="the SMS stored")
    await fake.wait_until(lambda: any(r.status == 502 for r in fake.calls("sendMessage")))
    bridge_process.kill()
    # A retry the bridge wrote just before it died is still refused, not let through.
    await fake.settle()
    fake.clear_failures()
    bridge_process.start()
    await all_forwarded_once(world, ADMIN_CHAT, {1})
    payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, "after the restart #x002")
    await all_forwarded_once(world, ADMIN_CHAT, {1, 2})
    assert "Traceback" not in bridge_process.log_text()
    bridge_process.kill()


# ---------------------------------------------------------------- first start


def announcement(world: World, chat: int) -> list[FakeMessage]:
    """The bot's first-start announcements in `chat` (🔔, naming how many SMS follow)."""
    return [m for m in world.fake.bot_messages(chat) if m.text.startswith("🔔")]


@pytest.mark.parametrize(
    ("line", "chat"),
    [(RAYGAN_LINE, SUPPORT_GROUP), (PAYAMAK_LINE, ADMIN_CHAT)],
    ids=["raygansms", "payamak"],
)
async def test_the_first_start_forwards_only_the_recent_window_and_announces_its_count(
    world: World, line: str, chat: int
) -> None:
    now = datetime.now(UTC)
    ages = [timedelta(days=7, minutes=n) for n in range(500)]  # the inbox's history
    ages += [timedelta(hours=2), timedelta(minutes=11)]  # recent, but before the window
    ages += [timedelta(minutes=9), timedelta(minutes=5), timedelta(minutes=1)]  # the window
    for n, age in sorted(enumerate(ages), key=lambda item: -item[1]):
        inject_at(world, line, f"09{n:09d}"[:11], f"aged {age} #x{n:03d}", now - age)
    window = {502, 503, 504}
    await world.start_bridge()
    await all_forwarded_once(world, chat, window)
    (told,) = announcement(world, chat)
    assert told.message_id < min(
        m.message_id for m in world.fake.bot_messages(chat) if MARK.search(m.text)
    )
    assert re.search(r"\b3\b", to_ascii_digits(told.text))
    assert line in told.text
    # Later polls (RayganSMS looks back hours) do not pour the history either.
    await polls(world, "ReceiveMessages" if line == RAYGAN_LINE else "GetMessages", 3)
    inject_at(world, line, CUSTOMER, "a new one #x600", datetime.now(UTC))
    await all_forwarded_once(world, chat, window | {600})
    assert set(marks(world, chat)) == window | {600}
    assert len(announcement(world, chat)) == 1


async def test_a_first_start_with_nothing_recent_announces_nothing(world: World) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    for n in range(5):
        inject_at(world, PAYAMAK_LINE, CUSTOMER, f"old #x{n:03d}", old)
        inject_at(world, RAYGAN_LINE, CUSTOMER, f"old #x{100 + n}", old)
    await world.start_bridge()
    await world.first_polls_done()
    inject_at(world, PAYAMAK_LINE, CUSTOMER, "new #x200", datetime.now(UTC))
    await all_forwarded_once(world, ADMIN_CHAT, {200})
    assert not announcement(world, ADMIN_CHAT) and not announcement(world, SUPPORT_GROUP)
    assert set(marks(world, ADMIN_CHAT)) == {200}
    assert set(marks(world, SUPPORT_GROUP)) == set()


def inject_at(world: World, line: str, sender: str, body: str, when: datetime) -> None:
    """An SMS reaches `line` dated `when`, on whichever simulator owns the line."""
    if line == RAYGAN_LINE:
        world.sandbox.raygan.inject_incoming(line, sender, body, date=int(when.timestamp()))
    else:
        world.sandbox.payamak.inject_incoming(line, sender, body, when=when)


# ---------------------------------------------------------------- RayganSMS: late and shifting


@pytest.mark.parametrize("late_by", [180, 600, 7200], ids=["3min", "10min", "2h"])
async def test_raygansms_an_sms_dated_long_before_it_shows_up_is_forwarded(
    bridge: World, late_by: int
) -> None:
    raygan = bridge.sandbox.raygan
    await polls(bridge, "ReceiveMessages", 2)
    record = raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, "late #x001", late_by=late_by)
    assert record.date <= time.time() - late_by
    await all_forwarded_once(bridge, SUPPORT_GROUP, {1})
    raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, "then a fresh one #x002")
    await all_forwarded_once(bridge, SUPPORT_GROUP, {1, 2})


@pytest.mark.parametrize("shift", ["arrival", 1, -1], ids=["arrival-mid-read", "plus1", "minus1"])
async def test_raygansms_a_listing_shifting_between_pages_loses_and_doubles_nothing(
    bridge: World, shift: object
) -> None:
    raygan = bridge.sandbox.raygan
    if isinstance(shift, int):
        raygan.page_shift = shift
    await polls(bridge, "ReceiveMessages", 1)
    # Dated within the last 100 s: a window any poll reads, early or late dates aside.
    start = int(time.time()) - 100
    for n in range(150):
        date = start + n * 100 // 150
        raygan.inject_incoming(RAYGAN_LINE, f"0912{n:07d}", f"paged #x{n:03d}", date=date)
    wanted = set(range(150))
    if shift == "arrival":
        # Lands, dated early, while the pages of the listing are read.
        raygan.inject_incoming(
            RAYGAN_LINE, CUSTOMER, "landed mid-read #x999", date=start + 1, appear_after_calls=1
        )
        wanted.add(999)
    await all_forwarded_once(bridge, SUPPORT_GROUP, wanted)
    await polls(bridge, "ReceiveMessages", 3)
    await all_forwarded_once(bridge, SUPPORT_GROUP, wanted)
    with bridge.db() as db:
        stored = db.execute("SELECT count(*) FROM incoming WHERE line = ?", (RAYGAN_LINE,))
        assert stored.fetchone()[0] == len(wanted)


# ---------------------------------------------------------------- unreadable records


def quarantined(world: World) -> list[dict[str, object]]:
    """The quarantine table's rows."""
    with world.db() as db:
        return [dict(r) for r in db.execute("SELECT * FROM inbox_quarantine ORDER BY id")]


@pytest.mark.parametrize(
    ("line", "chat", "raw", "shown"),
    [
        (RAYGAN_LINE, SUPPORT_GROUP, {"MsgBody": None, "Mobile": "<b>98912</b> & co"}, "MsgBody"),
        (PAYAMAK_LINE, ADMIN_CHAT, {"SendDate": "yesterday <i>", "Sender": "<b>"}, "yesterday"),
    ],
    ids=["raygansms-null-body", "payamak-bad-date"],
)
async def test_an_unreadable_record_is_quarantined_reported_once_and_the_line_moves_on(
    bridge: World, line: str, chat: int, raw: dict[str, object], shown: str
) -> None:
    if line == RAYGAN_LINE:
        bridge.sandbox.raygan.inject_incoming(line, CUSTOMER, "unreadable", raw=raw)
        bridge.sandbox.raygan.inject_incoming(line, CUSTOMER, "behind it #x001")
    else:
        bridge.sandbox.payamak.inject_incoming(line, CUSTOMER, "unreadable", raw=raw)
        bridge.sandbox.payamak.inject_incoming(line, CUSTOMER, "behind it #x001")
    await all_forwarded_once(bridge, chat, {1})
    alert = await bridge.reply(ADMIN_CHAT, containing(shown))
    # The raw record, escaped: its markup shows as text.
    assert "<b>" in alert.text
    (row,) = quarantined(bridge)
    assert row["line"] == line and row["resolved_at"] is None
    assert "<b>" in str(row["raw"])
    method = "ReceiveMessages" if line == RAYGAN_LINE else "GetMessages"
    await polls(bridge, method, 4)
    assert len(quarantined(bridge)) == 1
    assert sum(shown in m.text for m in bridge.fake.bot_messages(ADMIN_CHAT)) == 1


async def test_a_payamak_send_date_with_an_offset_is_read_not_quarantined(bridge: World) -> None:
    offset = {"SendDate": "2025-03-20T15:30:00+03:30"}
    payamak = bridge.sandbox.payamak
    payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, "with an offset #x001", raw=offset)
    forwarded = await bridge.reply(ADMIN_CHAT, containing("#x001"))
    assert "1403/12/30 ساعت 15:30" in to_ascii_digits(forwarded.shown)  # 12:00 UTC, Tehran 15:30
    assert quarantined(bridge) == []


async def test_a_record_quarantined_before_is_read_again_at_start_and_forwarded(
    world: World,
) -> None:
    await world.start_bridge()
    await world.first_polls_done()
    await world.stop_bridge()
    raw = (
        '{"MsgID": 4516399999, "Body": "kept in quarantine #x001", "SendDate":'
        ' "2025-03-20T15:30:00+03:30", "Sender": "9127654321", "Receiver": "10002188"}'
    )
    with sqlite3.connect(world.db_path) as db:
        db.execute(
            "INSERT INTO inbox_quarantine (account, line, record_key, raw, reason, created_at)"
            " VALUES ('meli', ?, 'payamak:4516399999', ?, 'SendDate with an offset',"
            " '2025-03-20T12:00:00.000000Z')",
            (PAYAMAK_LINE, raw),
        )
    await world.start_bridge()
    await all_forwarded_once(world, ADMIN_CHAT, {1})
    (row,) = quarantined(world)
    assert row["resolved_at"] is not None and row["incoming_id"] is not None


# ---------------------------------------------------------------- quiet polls


async def test_idle_polls_write_nothing_and_log_nothing_at_info(
    bridge: World, caplog: pytest.LogCaptureFixture
) -> None:
    raygan = bridge.sandbox.raygan
    raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, "one #x001")
    await all_forwarded_once(bridge, SUPPORT_GROUP, {1})
    await polls(bridge, "ReceiveMessages", 2)
    before = bridge.inbox_cursors()
    with bridge.db() as db:
        stamps = db.execute("SELECT account, line, updated_at FROM inbox_cursors").fetchall()
        health = db.execute("SELECT * FROM poll_health ORDER BY account, job").fetchall()
    caplog.clear()
    caplog.set_level("INFO")
    # The look-back reads the SMS above again and again: each time it is known, nothing new.
    await polls(bridge, "ReceiveMessages", 5)
    await polls(bridge, "GetMessages", 5)
    with bridge.db() as db:
        assert db.execute("SELECT account, line, updated_at FROM inbox_cursors").fetchall() == (
            stamps
        )
    assert bridge.inbox_cursors() == before
    with bridge.db() as db:  # successes in a row are recorded once a heartbeat, not every poll
        assert db.execute("SELECT * FROM poll_health ORDER BY account, job").fetchall() == health
    inbox_logs = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.INFO
        and (
            r.name.startswith(("providers.", "storage.", "bot.inbox"))
            or r.name.startswith("bot.jobs")
        )
    ]
    assert inbox_logs == []
    raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, "two #x002")
    await all_forwarded_once(bridge, SUPPORT_GROUP, {1, 2})
    await asyncio.sleep(0)
    told = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert any("1 new SMS" in text for text in told), told
