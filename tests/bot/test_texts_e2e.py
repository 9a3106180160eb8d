"""What a Persian operator reads, end to end: every number in order under right-to-left layout
(the Unicode bidi algorithm, as Telegram's clients lay out each line), Persian digits for counts
and dates, credit with its unit, and the providers' refusals in Persian."""

from __future__ import annotations

import re

from bidi_layout import layout, layout_problems
from bridge_harness import (
    ADMIN,
    ADMIN_CHAT,
    OPERATOR,
    PAYAMAK_LINE,
    RAYGAN_LINE,
    RAYGAN_PASSWORD,
    SUPPORT_GROUP,
    World,
)
from e2e_steps import ask, persian_number, sends_rows, texts, wait_for

from sandbox.faults import FaultKind

CUSTOMER = "09127654321"
CUSTOMER_SHOWN = "+98 912 765 4321"


def visual_lines(text: str) -> list[str]:
    """Each line of a message as it shows on screen, left to right."""
    return [line.visual for line in layout(text)]


async def test_a_forwarded_sms_shows_the_senders_number_in_order(bridge: World) -> None:
    body = "سلام، سفارش 12 کی می‌رسد؟"
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body)
    forwarded = await bridge.reply(SUPPORT_GROUP, lambda m: body in m.shown)
    assert layout_problems(forwarded.text, own_direction=(body,)) == []
    first = visual_lines(forwarded.text)[0]
    assert CUSTOMER_SHOWN in first and "4321 765 912 98+" not in first
    time_line = forwarded.shown.splitlines()[2]
    assert time_line.startswith("زمان: ۱۴") and " ساعت " in time_line, time_line
    assert not re.search("[0-9]", time_line), "the date and time in Persian digits"


async def test_a_burst_forwarded_as_a_digest_keeps_every_number_in_order(bridge: World) -> None:
    bodies = [f"پیام شمارهٔ {i}" for i in range(8)]
    for i, body in enumerate(bodies):
        bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, f"0912765432{i}", body)
    await bridge.fake.wait_until(
        lambda: all(
            any(b in m.shown for m in bridge.fake.bot_messages(SUPPORT_GROUP)) for b in bodies
        )
    )
    digests = [m for m in bridge.fake.bot_messages(SUPPORT_GROUP) if "پیامک جدید" in m.shown]
    assert digests, [m.shown for m in bridge.fake.bot_messages(SUPPORT_GROUP)]
    for digest in digests:
        assert layout_problems(digest.text, own_direction=tuple(bodies)) == []
        assert any("+98 912 765 4320" in line for line in visual_lines(digest.text))


async def test_a_confirmation_and_status_keep_ids_and_numbers_in_order(bridge: World) -> None:
    confirmation = await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 09123334444 سلام")
    await bridge.fake.wait_until(
        lambda: "۲ تحویل‌شده" in bridge.fake.message(OPERATOR, confirmation.message_id).shown
    )
    for text in (
        bridge.fake.message(OPERATOR, confirmation.message_id).text,
        (await ask(bridge, OPERATOR, OPERATOR, "/status 1")).text,
    ):
        assert layout_problems(text) == []
        shown = visual_lines(text)
        assert "#1" in shown[0] and "1#" not in shown[0]
        assert any("+98 912 111 2222" in line for line in shown)
        assert "۲ گیرنده، ۱ بخش — ۲ تحویل‌شده، ۰ ناموفق، ۰ در انتظار" in text


async def test_history_keeps_numbers_dates_and_ids_in_order(bridge: World) -> None:
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, "قیمت چند است؟")
    await bridge.reply(SUPPORT_GROUP)
    await ask(bridge, OPERATOR, SUPPORT_GROUP, "/send 09121112222 پاسخ 12")
    history = await ask(bridge, OPERATOR, SUPPORT_GROUP, "/history")
    assert layout_problems(history.text) == []
    lines = history.shown.splitlines()
    assert lines[1].startswith("📤 #1 ۱۴") and "ساعت" in lines[1]
    assert any(CUSTOMER_SHOWN in line for line in visual_lines(history.text))


async def test_routes_lines_and_credit_read_right_to_left_with_numbers_in_order(
    bridge: World,
) -> None:
    await ask(bridge, ADMIN, SUPPORT_GROUP, f"/route {PAYAMAK_LINE}")
    routes = await ask(bridge, ADMIN, ADMIN, "/routes")
    assert layout_problems(routes.text) == []
    assert all(line.right_to_left for line in layout(routes.text))
    # The arrow points from the line to the chat, whose id keeps its minus sign in front.
    assert all(f"{SUPPORT_GROUP}" in line for line in visual_lines(routes.text))
    assert sorted(routes.shown.splitlines()) == sorted(
        [
            f"• {RAYGAN_LINE} ← {SUPPORT_GROUP} (از تنظیمات)",
            f"• {PAYAMAK_LINE} ← {SUPPORT_GROUP} (افزودهٔ مدیر)",
        ]
    )
    lines = await ask(bridge, OPERATOR, OPERATOR, "/lines")
    assert layout_problems(lines.text) == []
    credit = await ask(bridge, OPERATOR, OPERATOR, "/credit")
    assert layout_problems(credit.text) == []
    raygan = bridge.sandbox.raygan.accounts["demo"].credit
    assert f"• raygan: {persian_number(raygan)} ریال" in credit.shown.splitlines()


async def test_english_credit_has_its_unit_and_plurals_are_right(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/language en")
    credit = await ask(bridge, OPERATOR, OPERATOR, "/credit")
    raygan = bridge.sandbox.raygan.accounts["demo"].credit
    assert f"• raygan: {raygan:,} rials" in credit.shown.splitlines()
    confirmation = await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 hi")
    assert "1 recipient, 1 part — " in confirmation.shown


async def test_a_line_the_account_does_not_own_is_named_not_called_a_credentials_problem(
    world: World,
) -> None:
    # The provider's account lost the configured line: RayganSMS answers 2001 to its use.
    world.sandbox.raygan.add_account("demo", RAYGAN_PASSWORD, lines=["50009999"])
    await world.start_bridge()
    answer = await ask(world, ADMIN, ADMIN, "/send 09121112222 hello")
    assert answer.shown == (
        "سامانهٔ پیامک درخواست را نپذیرفت: این خط متعلق به این حساب نیست؛ یکی از مدیران باید"
        " شمارهٔ خط را در تنظیمات بررسی کند"
    )
    assert "نام کاربری" not in answer.shown and "رمز" not in answer.shown
    [row] = sends_rows(world)
    assert row["status"] == "failed" and not world.sandbox.raygan.sent
    # Not taken for a credentials refusal: no alert says the account was refused.
    calls = world.sandbox.raygan.calls
    seen = calls["ReceiveMessages"]
    await wait_for(lambda: calls["ReceiveMessages"] >= seen + 1, "one more inbox round")
    assert not any("نام کاربری" in text for text in texts(world, ADMIN_CHAT))


async def test_a_payamak_refusal_reaches_a_persian_user_in_persian(bridge: World) -> None:
    bridge.sandbox.payamak.faults.inject(FaultKind.ERROR_CODE, method="SendSMS", value=14)
    await ask(bridge, OPERATOR, OPERATOR, "/from meli")
    answer = await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 https://example.com")
    assert answer.shown == "سامانهٔ پیامک درخواست را نپذیرفت: متن پیامک پیوند (لینک) دارد"
    assert layout_problems(answer.text) == []
