"""`/schedule`, `/scheduled` and their cancel buttons end to end: the real bridge on a clock the
test moves (`timed`), the Telegram fake and the RayganSMS simulator.

Each time form goes once, at its time and not before; a send that came due while the bridge
was down goes at the next start unless it is more than 6 hours late (then it is missed and its
requester told); cancelled is final; every bad input is a clear answer that stores nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from bridge_harness import ADMIN, OPERATOR, SUPPORT_GROUP, VIEWER, MovableClock, World
from e2e_steps import ask, nothing_sent, now_text

from sandbox.telegram import FakeMessage
from storage.models import Role

# 10:00 UTC is 13:30 in Tehran on Jalali 1405/09/01.
START = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
OTHER_OPERATOR = 444444444


@pytest.fixture
async def timed(world: World) -> AsyncIterator[World]:
    """The world with the bridge running on a MovableClock from START (world.clock), an
    operator, a second operator and a viewer granted, every line polled once."""
    world.clock = MovableClock(START)
    world.fake.add_user(OTHER_OPERATOR, "Nima", language_code="fa")
    await world.start_bridge()
    assert world.bridge is not None
    repo = world.bridge.data.repo
    await repo.set_role(OPERATOR, Role.OPERATOR, ADMIN)
    await repo.set_role(OTHER_OPERATOR, Role.OPERATOR, ADMIN)
    await repo.set_role(VIEWER, Role.VIEWER, ADMIN)
    await world.first_polls_done()
    yield world


def clock_of(world: World) -> MovableClock:
    assert isinstance(world.clock, MovableClock)
    return world.clock


def sms_to(world: World, mobile: str) -> list[str]:
    """The texts RayganSMS sent to `mobile` (as `09…`) so far."""
    return [s.text for s in world.sandbox.raygan.sent if s.mobile == mobile]


def rows(world: World) -> list[dict[str, object]]:
    """Every stored scheduled send, by id (read-only)."""
    with world.db() as db:
        return [dict(r) for r in db.execute("SELECT * FROM scheduled_sends ORDER BY id")]


def containing(text: str) -> Callable[[FakeMessage], bool]:
    return lambda message: text in message.shown


async def fired(world: World, mobile: str, count: int = 1) -> None:
    """Wait until `mobile` has had `count` SMS (the scheduler runs every few seconds)."""
    await world.fake.wait_until(
        lambda: len(sms_to(world, mobile)) >= count, 20, what=f"{count} SMS to {mobile}"
    )


# (the /schedule line, recipient, its due time in UTC, the time its confirmation shows)
FORMS = [
    ("/schedule 14:30 09121110001 clock", "09121110001", datetime(2026, 11, 22, 11, 0), "۱۴:۳۰"),
    (
        "/schedule ۱۴۰۵/۰۹/۰۱ ۱۵:۰۰ ۰۹۱۲۱۱۱۰۰۰۲ jalali",
        "09121110002",
        datetime(2026, 11, 22, 11, 30),
        "۱۵:۰۰",
    ),
    (
        "/schedule 2026-11-22 16:00 09121110003 gregorian",
        "09121110003",
        datetime(2026, 11, 22, 12, 30),
        "۱۶:۰۰",
    ),
    ("/schedule +4h 09121110004 hours", "09121110004", datetime(2026, 11, 22, 14, 0), "۱۷:۳۰"),
    ("/schedule +300m 09121110005 minutes", "09121110005", datetime(2026, 11, 22, 15, 0), "۱۸:۳۰"),
    ("/schedule +1d 09121110006 days", "09121110006", datetime(2026, 11, 23, 10, 0), "۱۳:۳۰"),
]


async def test_each_time_form_goes_once_at_its_time(timed: World) -> None:
    clock = clock_of(timed)
    for command, _mobile, _due, shown in FORMS:
        answer = await ask(timed, OPERATOR, OPERATOR, command)
        assert "زمان‌بندی" in answer.shown and shown in answer.shown, answer.shown
        assert "به وقت تهران" in answer.shown
    day = {"۰۱": "۱۴۰۵/۰۹/۰۱", "۰۲": "۱۴۰۵/۰۹/۰۲"}
    confirmations = [m.shown for m in timed.fake.bot_messages(OPERATOR)]
    assert sum(day["۰۱"] in c for c in confirmations) == 5
    assert sum(day["۰۲"] in c for c in confirmations) == 1
    stored = rows(timed)
    assert [r["state"] for r in stored] == ["pending"] * 6
    stored_due = [datetime.fromisoformat(str(row["due_at"])) for row in stored]
    for got, (_command, _mobile, due, _shown) in zip(stored_due, FORMS, strict=True):
        # A relative time counts from the moment it was asked (the clock runs on meanwhile).
        assert abs(got - due.replace(tzinfo=UTC)) < timedelta(seconds=30), (got, due)
    assert nothing_sent(timed)

    for index, (_command, mobile, _due, _shown) in enumerate(FORMS):
        clock.set(stored_due[index] + timedelta(seconds=1))
        await fired(timed, mobile)
        # Not before its time: the later ones have not gone.
        for _c, later, _d, _s in FORMS[index + 1 :]:
            assert sms_to(timed, later) == [], (mobile, later)
        confirmation = await timed.reply(OPERATOR, containing("ارسال #"))
        assert confirmation.reply_to is not None  # a reply to the /schedule that asked

    # Once: a last send scheduled after all of them goes, and none went twice meanwhile.
    await ask(timed, OPERATOR, OPERATOR, "/schedule +1m 09121110009 marker")
    clock.jump(120)
    await fired(timed, "09121110009")
    for _command, mobile, _due, _shown in FORMS:
        assert len(sms_to(timed, mobile)) == 1, mobile
    assert timed.sandbox.raygan.calls["SendMessage"] == 7
    stored = rows(timed)
    assert [r["state"] for r in stored] == ["sent"] * 7
    assert all(r["send_id"] is not None for r in stored)
    with timed.db() as db:
        keys = [r[0] for r in db.execute("SELECT idempotency_key FROM sends ORDER BY id")]
    assert keys == [f"schedule:{r['id']}" for r in stored]


async def test_across_a_restart_late_sends_go_and_too_late_ones_are_missed(
    timed: World,
) -> None:
    clock = clock_of(timed)
    await ask(timed, OPERATOR, SUPPORT_GROUP, "/schedule +2h 09121110001 too late")
    await ask(timed, OPERATOR, SUPPORT_GROUP, "/schedule +3h 09121110002 late but in time")
    await ask(timed, OPERATOR, SUPPORT_GROUP, "/schedule ۱۴۰۵/۰۹/۰۲ ۱۰:۰۰ 09121110003 tomorrow")
    first, second, third = (int(str(r["id"])) for r in rows(timed))
    await timed.stop_bridge()

    # Down until 18:30 UTC: the first is 6.5 h late, the second 5.5 h.
    clock.set(datetime(2026, 11, 22, 18, 30, tzinfo=UTC))
    await timed.start_bridge()
    await fired(timed, "09121110002")
    went = await timed.reply(SUPPORT_GROUP, containing("ارسال #"))
    assert "+98 912 111 0002" in went.shown
    missed = await timed.reply(SUPPORT_GROUP, containing("از دست رفت"))
    assert f"#{first}" in missed.shown and str(OPERATOR) in missed.shown
    assert "چیزی فرستاده نشد" in missed.shown
    assert sms_to(timed, "09121110001") == []
    assert sms_to(timed, "09121110003") == []
    states = {int(str(r["id"])): r["state"] for r in rows(timed)}
    assert states == {first: "missed", second: "sent", third: "pending"}
    listed = await ask(timed, OPERATOR, SUPPORT_GROUP, "/scheduled")
    assert f"#{third}" in listed.shown and f"#{first}" not in listed.shown
    assert [b["callback_data"] for b in listed.buttons()] == [f"sched:list:{third}"]

    # The one still pending goes at its time, once, after another restart.
    await timed.stop_bridge()
    await timed.start_bridge()
    clock.set(datetime(2026, 11, 23, 6, 30, 5, tzinfo=UTC))
    await fired(timed, "09121110003")
    assert [len(sms_to(timed, f"0912111000{n}")) for n in (1, 2, 3)] == [0, 1, 1]
    # Missed is final: still missed, and told once.
    assert sum("از دست رفت" in m.shown for m in timed.fake.bot_messages(SUPPORT_GROUP)) == 1
    assert rows(timed)[0]["state"] == "missed"


async def test_cancel_only_by_the_requester_or_an_admin_and_it_is_final(timed: World) -> None:
    clock = clock_of(timed)
    mine = await ask(timed, OPERATOR, SUPPORT_GROUP, "/schedule +1h 09121110001 cancelled")
    other = await ask(timed, OPERATOR, SUPPORT_GROUP, "/schedule +2h 09121110002 by admin")
    first, second = (int(str(r["id"])) for r in rows(timed))
    assert [b["callback_data"] for b in mine.buttons()] == [f"sched:cancel:{first}"]

    # Someone else (another operator, a viewer) cannot cancel it.
    query = timed.fake.press_button(
        OTHER_OPERATOR, SUPPORT_GROUP, mine.message_id, f"sched:cancel:{first}"
    )
    await timed.fake.wait_until(lambda: query in timed.fake.callback_answers)
    answer = timed.fake.callback_answers[query].text or ""
    assert "فقط کسی که" in answer
    query = timed.fake.press_button(VIEWER, SUPPORT_GROUP, mine.message_id, f"sched:cancel:{first}")
    await timed.fake.wait_until(lambda: query in timed.fake.callback_answers)
    assert "مشاهده‌گر" in (timed.fake.callback_answers[query].text or "")
    assert [r["state"] for r in rows(timed)] == ["pending", "pending"]

    # The requester cancels it from /scheduled: the list shows what is left.
    listed = await ask(timed, OPERATOR, SUPPORT_GROUP, "/scheduled")
    assert [b["callback_data"] for b in listed.buttons()] == [
        f"sched:list:{first}",
        f"sched:list:{second}",
    ]
    timed.fake.press_button(OPERATOR, SUPPORT_GROUP, listed.message_id, f"sched:list:{first}")
    await timed.fake.wait_until(
        lambda: f"#{first}" not in now_text(timed, SUPPORT_GROUP, listed.message_id)
    )
    assert [
        b["callback_data"] for b in timed.fake.message(SUPPORT_GROUP, listed.message_id).buttons()
    ] == [f"sched:list:{second}"]
    # An admin may cancel anyone's, from its confirmation.
    timed.fake.press_button(ADMIN, SUPPORT_GROUP, other.message_id, f"sched:cancel:{second}")
    await timed.fake.wait_until(
        lambda: "لغو شد" in now_text(timed, SUPPORT_GROUP, other.message_id)
    )
    assert [r["state"] for r in rows(timed)] == ["cancelled", "cancelled"]
    # Pressed again: final, nothing changes.
    query = timed.fake.press_button(
        OPERATOR, SUPPORT_GROUP, mine.message_id, f"sched:cancel:{first}"
    )
    await timed.fake.wait_until(lambda: query in timed.fake.callback_answers)
    assert "پیش‌تر لغو شده" in (timed.fake.callback_answers[query].text or "")
    empty = await ask(timed, OPERATOR, SUPPORT_GROUP, "/scheduled")
    assert "ندارد" in empty.shown and empty.buttons() == []

    # Their times pass: nothing goes (a later send shows the scheduler ran meanwhile).
    await ask(timed, OPERATOR, SUPPORT_GROUP, "/schedule +3h 09121110003 marker")
    clock.jump(3 * 3600 + 60)
    await fired(timed, "09121110003")
    assert sms_to(timed, "09121110001") == [] and sms_to(timed, "09121110002") == []
    assert [r["state"] for r in rows(timed)] == ["cancelled", "cancelled", "sent"]


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("/schedule", "کاربرد"),
        ("/schedule 1403/12/31 10:00 09121110001 x", "وجود ندارد"),  # Esfand has no 31st
        ("/schedule 1404/12/30 10:00 09121110001 x", "وجود ندارد"),  # 1404 is not leap
        ("/schedule 25:00 09121110001 x", "وجود ندارد"),
        ("/schedule 1405/08/30 10:00 09121110001 x", "گذشته است"),  # the day before START
        ("/schedule 2026-11-22 13:00 09121110001 x", "گذشته است"),  # 13:00 Tehran passed
        ("/schedule tomorrow 09121110001 x", "نیست که بتوانم بخوانم"),
        ("/schedule +2w 09121110001 x", "نیست که بتوانم بخوانم"),
        ("/schedule +2h 0912111 x", "معتبر نیستند"),
        ("/schedule +2h 09121110001", "خالی"),
        ("/schedule +2h", "شماره"),
    ],
)
async def test_bad_input_is_a_clear_answer_that_stores_nothing(
    timed: World, command: str, says: str
) -> None:
    answer = await ask(timed, OPERATOR, OPERATOR, command)
    assert says in answer.shown, answer.shown
    assert rows(timed) == []
    assert answer.buttons() == []
    clock_of(timed).jump(2 * 86400)
    await ask(timed, OPERATOR, OPERATOR, "/lines")
    assert nothing_sent(timed)


async def test_schedule_and_scheduled_need_an_operator(timed: World) -> None:
    answer = await ask(timed, VIEWER, VIEWER, "/schedule +1h 09121110001 x")
    assert "مشاهده‌گر" in answer.shown
    answer = await ask(timed, VIEWER, VIEWER, "/scheduled")
    assert "مشاهده‌گر" in answer.shown
    assert rows(timed) == []


async def test_english_confirmation_shows_jalali_and_tehran_time(timed: World) -> None:
    await ask(timed, OPERATOR, OPERATOR, "/language en")
    answer = await ask(timed, OPERATOR, OPERATOR, "/schedule 14:30 09121110001 hello")
    assert "1405/09/01 14:30 (Tehran time)" in answer.shown, answer.shown
    assert "1 recipient, 1 part" in answer.shown
