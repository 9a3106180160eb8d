"""Roles and the commands other than /send, end to end, each with its refusals."""

from __future__ import annotations

import re

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
from e2e_steps import ask, nothing_sent, persian_number, sends_rows

from sandbox.faults import FaultKind


def audit_actions(world: World, user: int) -> list[str]:
    """The audit log's actions of one user, oldest first."""
    conn = world.db()
    try:
        rows = conn.execute("SELECT action FROM audit_log WHERE user_id = ? ORDER BY id", (user,))
        return [r["action"] for r in rows]
    finally:
        conn.close()


def stored_role(world: World, user: int) -> str | None:
    """The role stored for a user, if any."""
    conn = world.db()
    try:
        row = conn.execute("SELECT role FROM users WHERE user_id = ?", (user,)).fetchone()
        return None if row is None else str(row["role"])
    finally:
        conn.close()


def credit_calls(world: World) -> int:
    """GetCredit calls both simulators received (the credit job runs first after 5 s)."""
    return world.sandbox.raygan.calls["GetCredit"] + world.sandbox.payamak.calls["GetCredit"]


def listed_commands(help_text: str) -> set[str]:
    """The commands a /help answer lists, one per line."""
    return set(re.findall(r"^/(\w+) — ", help_text, flags=re.MULTILINE))


# ---------------------------------------------------------------- roles


NO_ROLE_ATTEMPTS = [
    "/send 09121112222 free SMS",
    "/status 1",
    "/help",
    "/credit",
    "/allow 555555555 admin",
]


async def test_a_user_with_no_role_is_refused_politely_and_nothing_happens(bridge: World) -> None:
    for command in NO_ROLE_ATTEMPTS:
        refusal = await ask(bridge, STRANGER, STRANGER, command)
        assert "دسترسی ندارید" in refusal.shown and str(STRANGER) in refusal.shown, command
    assert nothing_sent(bridge)
    assert credit_calls(bridge) == 0
    assert stored_role(bridge, STRANGER) is None
    assert audit_actions(bridge, STRANGER) == ["refused"] * len(NO_ROLE_ATTEMPTS)


async def test_a_user_with_no_role_is_refused_in_their_telegram_language(bridge: World) -> None:
    bridge.fake.add_user(STRANGER, "Eve", language_code="en")
    refusal = await ask(bridge, STRANGER, STRANGER, "/send 09121112222 hi")
    assert "Sorry, you have no access" in refusal.shown
    assert nothing_sent(bridge)


async def test_a_viewer_cannot_send_but_can_see_a_sends_status(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 from the operator")
    refusal = await ask(bridge, VIEWER, VIEWER, "/send 09123334444 from the viewer")
    assert "«مشاهده‌گر» مجاز نیست" in refusal.shown
    status = await ask(bridge, VIEWER, VIEWER, "/status 1")
    assert "#1" in status.shown and "+98 912 111 2222" in status.shown
    assert [s.text for s in bridge.sandbox.raygan.sent] == ["from the operator"]
    assert bridge.sandbox.raygan.calls["SendMessage"] == 1


async def test_a_viewer_is_refused_what_needs_more_rights(bridge: World) -> None:
    for command in ("/credit", "/from meli", "/route 10002188", "/allow 555555555 viewer"):
        refusal = await ask(bridge, VIEWER, VIEWER, command)
        assert "«مشاهده‌گر» مجاز نیست" in refusal.shown, command
    assert credit_calls(bridge) == 0
    assert stored_role(bridge, STRANGER) is None
    conn = bridge.db()
    try:
        assert conn.execute("SELECT * FROM chat_settings").fetchall() == []
        assert [r["source"] for r in conn.execute("SELECT source FROM routes")] == ["config"]
    finally:
        conn.close()


ADMIN_ONLY = [
    "/allow 555555555 admin",
    "/deny 333333333",
    "/users",
    "/route 10002188",
    "/unroute 50002910001080",
    "/routes",
]


async def test_an_operator_cannot_use_admin_commands(bridge: World) -> None:
    for command in ADMIN_ONLY:
        refusal = await ask(bridge, OPERATOR, OPERATOR, command)
        assert "«اپراتور» مجاز نیست" in refusal.shown, command
    assert stored_role(bridge, STRANGER) is None
    assert stored_role(bridge, VIEWER) == "viewer"
    routes = await ask(bridge, ADMIN, ADMIN, "/routes")
    assert routes.shown == f"• {RAYGAN_LINE} ← {SUPPORT_GROUP} (از تنظیمات)"


async def test_in_a_group_the_senders_role_counts(bridge: World) -> None:
    stranger = await ask(bridge, STRANGER, SUPPORT_GROUP, "/send 09121110000 from eve")
    assert "دسترسی ندارید" in stranger.shown
    viewer = await ask(bridge, VIEWER, SUPPORT_GROUP, "/send 09121110001 from vida")
    assert "«مشاهده‌گر» مجاز نیست" in viewer.shown
    confirmation = await ask(bridge, OPERATOR, SUPPORT_GROUP, "/send 09121110002 from omid")
    assert "#1" in confirmation.shown
    assert [(s.mobile, s.text) for s in bridge.sandbox.raygan.sent] == [
        ("09121110002", "from omid")
    ]
    # An admin's group does not make its members admins either.
    admin_chat = await ask(bridge, OPERATOR, ADMIN_CHAT, "/allow 555555555 admin")
    assert "«اپراتور» مجاز نیست" in admin_chat.shown
    assert stored_role(bridge, STRANGER) is None


# ---------------------------------------------------------------- /help and /language

HELP_BY_ROLE = [
    pytest.param(
        VIEWER,
        {"start", "help", "status", "history", "lines", "language"},
        id="viewer",
    ),
    pytest.param(
        OPERATOR,
        {"start", "help", "status", "history", "lines", "language"}
        | {"send", "credit", "from", "cancel"},
        id="operator",
    ),
    pytest.param(
        ADMIN,
        {"start", "help", "status", "history", "lines", "language"}
        | {"send", "credit", "from", "cancel"}
        | {"route", "unroute", "routes", "allow", "deny", "users"},
        id="admin",
    ),
]


@pytest.mark.parametrize(("user", "commands"), HELP_BY_ROLE)
async def test_help_lists_only_what_the_role_may_use(
    bridge: World, user: int, commands: set[str]
) -> None:
    for command in ("/help", "/start"):
        answer = await ask(bridge, user, user, command)
        assert listed_commands(answer.shown) == commands, answer.shown


async def test_language_en_switches_this_users_texts_only(bridge: World) -> None:
    answer = await ask(bridge, OPERATOR, OPERATOR, "/language en")
    assert answer.shown == "Your language is now English."
    help_text = (await ask(bridge, OPERATOR, OPERATOR, "/help")).shown
    assert "Your role: operator" in help_text and "/send — send an SMS" in help_text
    refusal = await ask(bridge, OPERATOR, OPERATOR, "/send 0912111 hi")
    assert "These numbers are not valid, and nothing was sent" in refusal.shown
    confirmation = await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 hi")
    assert confirmation.shown.startswith("Send #1 from line")
    other = await ask(bridge, VIEWER, VIEWER, "/help")
    assert "نقش شما: مشاهده‌گر" in other.shown
    back = await ask(bridge, OPERATOR, OPERATOR, "/language fa")
    assert back.shown == "زبان شما فارسی شد."
    assert "نقش شما: اپراتور" in (await ask(bridge, OPERATOR, OPERATOR, "/help")).shown


@pytest.mark.parametrize("command", ["/language", "/language de"])
async def test_language_needs_fa_or_en(bridge: World, command: str) -> None:
    answer = await ask(bridge, OPERATOR, OPERATOR, command)
    assert "/language fa" in answer.shown and "/language en" in answer.shown
    assert "نقش شما: اپراتور" in (await ask(bridge, OPERATOR, OPERATOR, "/help")).shown


# ---------------------------------------------------------------- /status and /history


async def test_status_shows_each_recipients_final_state(bridge: World) -> None:
    bridge.sandbox.raygan.set_outcome("09123334444", "undelivered")
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 09123334444 hi")
    await bridge.fake.wait_until(
        lambda: "۱ تحویل‌شده، ۱ ناموفق" in bridge.fake.bot_messages(OPERATOR)[0].shown
    )
    status = await ask(bridge, VIEWER, VIEWER, "/status 1")
    lines = status.shown.splitlines()
    assert lines[0] == f"ارسال #1 از خط {RAYGAN_LINE} (raygan)"
    assert "+98 912 111 2222: ✅ تحویل شد" in lines
    assert "+98 912 333 4444: ❌ تحویل نشد" in lines


async def test_status_takes_the_id_in_any_digits(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 first")
    await ask(bridge, OPERATOR, OPERATOR, "/send 09123334444 second")
    for typed in ("2", "۲", "#2", "٢", "#۲"):
        lines = (await ask(bridge, VIEWER, VIEWER, f"/status {typed}")).shown.splitlines()
        assert lines[0] == f"ارسال #2 از خط {RAYGAN_LINE} (raygan)", (typed, lines)
        assert any(line.startswith("+98 912 333 4444: ") for line in lines), (typed, lines)
        assert not any("912 111 2222" in line for line in lines), (typed, lines)


STATUS_REFUSALS = [
    ("/status 42", "ارسال #42 پیدا نشد."),
    ("/status ۴۲", "ارسال #42 پیدا نشد."),
    ("/status", "روش استفاده: /status شناسهٔ ارسال"),
    ("/status abc", "روش استفاده: /status شناسهٔ ارسال"),
]


async def test_status_refusals(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 hi")
    for command, expected in STATUS_REFUSALS:
        answer = await ask(bridge, VIEWER, VIEWER, command)
        assert answer.shown == expected, command


async def test_history_lists_this_chats_sent_and_received_sms(bridge: World) -> None:
    empty = await ask(bridge, OPERATOR, SUPPORT_GROUP, "/history")
    assert empty.shown == "هنوز پیامکی در این گفتگو نیست."
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, "989127654321", "قیمت چند است؟")
    forwarded = await bridge.reply(SUPPORT_GROUP)
    assert "قیمت چند است؟" in forwarded.shown
    await ask(bridge, OPERATOR, SUPPORT_GROUP, "/send 09121112222 پاسخ اول")
    await ask(bridge, OPERATOR, SUPPORT_GROUP, "/send 09123334444 پاسخ دوم")
    await ask(bridge, OPERATOR, OPERATOR, "/send 09125556666 not in the group")
    history = await ask(bridge, VIEWER, SUPPORT_GROUP, "/history")
    lines = history.shown.splitlines()
    assert lines[0] == "آخرین پیامک‌های این گفتگو:"
    assert len(lines) == 4, lines
    assert lines[1].startswith("📤 #2 ") and "+98 912 333 4444: پاسخ دوم" in lines[1]
    assert lines[2].startswith("📤 #1 ") and "+98 912 111 2222: پاسخ اول" in lines[2]
    assert lines[3].startswith("📩 ") and "+98 912 765 4321" in lines[3]
    assert RAYGAN_LINE in lines[3] and "قیمت چند است؟" in lines[3]
    assert "not in the group" not in history.shown
    newest = await ask(bridge, VIEWER, SUPPORT_GROUP, "/history ۱")
    assert newest.shown.splitlines()[1:] == lines[1:2]


# ---------------------------------------------------------------- /credit and /lines


async def test_credit_shows_each_accounts_credit(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 سلام")
    answer = await ask(bridge, OPERATOR, OPERATOR, "/credit")
    raygan = bridge.sandbox.raygan.accounts["demo"].credit
    payamak = bridge.sandbox.payamak.accounts["demo"].credit
    assert raygan < 1_000_000, "the send was charged"
    assert f"• raygan: {persian_number(raygan)} ریال" in answer.shown.splitlines()
    assert f"• meli: {persian_number(payamak)} ریال" in answer.shown.splitlines()


async def test_credit_of_a_failing_account_is_unknown_and_the_other_still_shows(
    bridge: World,
) -> None:
    bridge.sandbox.raygan.faults.inject(
        FaultKind.HTTP_STATUS, method="GetCredit", value=500, times=None
    )
    answer = await ask(bridge, OPERATOR, OPERATOR, "/credit")
    lines = answer.shown.splitlines()
    assert any(line.startswith("• raygan: نامشخص (") for line in lines), lines
    assert f"• meli: {persian_number(bridge.sandbox.payamak.accounts['demo'].credit)} ریال" in lines


async def test_lines_lists_each_accounts_lines_with_the_default_marked(bridge: World) -> None:
    answer = await ask(bridge, VIEWER, VIEWER, "/lines")
    assert answer.shown.splitlines() == [
        f"• raygan (raygansms) ⭐: {RAYGAN_LINE}",
        f"• meli (payamak): {PAYAMAK_LINE}",
    ]


# ---------------------------------------------------------------- /route, /unroute, /routes


async def test_route_brings_a_lines_incoming_sms_here_and_unroute_stops_it(
    bridge: World,
) -> None:
    added = await ask(bridge, ADMIN, SUPPORT_GROUP, "/route ۱۰۰۰۲۱۸۸")
    assert added.shown == f"از این پس پیامک‌های ورودی خط {PAYAMAK_LINE} به این گفتگو فرستاده می‌شود."
    again = await ask(bridge, ADMIN, SUPPORT_GROUP, f"/route {PAYAMAK_LINE}")
    assert again.shown == f"پیامک‌های خط {PAYAMAK_LINE} از قبل به این گفتگو فرستاده می‌شود."
    routes = await ask(bridge, ADMIN, ADMIN, "/routes")
    assert sorted(routes.shown.splitlines()) == sorted(
        [
            f"• {RAYGAN_LINE} ← {SUPPORT_GROUP} (از تنظیمات)",
            f"• {PAYAMAK_LINE} ← {SUPPORT_GROUP} (افزودهٔ مدیر)",
        ]
    )
    bridge.sandbox.payamak.inject_incoming(PAYAMAK_LINE, "09127654321", "routed to support")
    forwarded = await bridge.reply(SUPPORT_GROUP)
    assert "routed to support" in forwarded.shown and PAYAMAK_LINE in forwarded.shown

    removed = await ask(bridge, ADMIN, SUPPORT_GROUP, f"/unroute {PAYAMAK_LINE}")
    assert removed.shown == f"مسیر خط {PAYAMAK_LINE} به این گفتگو حذف شد."
    missing = await ask(bridge, ADMIN, SUPPORT_GROUP, f"/unroute {PAYAMAK_LINE}")
    assert missing.shown == f"خط {PAYAMAK_LINE} مسیری به این گفتگو ندارد."
    routes = await ask(bridge, ADMIN, ADMIN, "/routes")
    assert routes.shown == f"• {RAYGAN_LINE} ← {SUPPORT_GROUP} (از تنظیمات)"
    # Unrouted, the line's SMS go to the admin chat again.
    bridge.sandbox.payamak.inject_incoming(PAYAMAK_LINE, "09127654321", "back to admins")
    alert = await bridge.reply(ADMIN_CHAT, lambda m: "back to admins" in m.shown)
    assert PAYAMAK_LINE in alert.shown


ROUTE_REFUSALS = [
    (
        "/route 99999",
        f"خط 99999 متعلق به هیچ‌یک از حساب‌ها نیست. خطوط موجود: {RAYGAN_LINE}، {PAYAMAK_LINE}",
    ),
    (
        "/unroute 99999",
        f"خط 99999 متعلق به هیچ‌یک از حساب‌ها نیست. خطوط موجود: {RAYGAN_LINE}، {PAYAMAK_LINE}",
    ),
    ("/route", "روش استفاده: /route شماره‌خط در گفتگویی که پیامک‌ها باید به آن برسند."),
    ("/unroute", "روش استفاده: /route شماره‌خط در گفتگویی که پیامک‌ها باید به آن برسند."),
]


async def test_route_refusals_change_nothing(bridge: World) -> None:
    for command, expected in ROUTE_REFUSALS:
        answer = await ask(bridge, ADMIN, SUPPORT_GROUP, command)
        assert answer.shown == expected, command
    routes = await ask(bridge, ADMIN, ADMIN, "/routes")
    assert routes.shown == f"• {RAYGAN_LINE} ← {SUPPORT_GROUP} (از تنظیمات)"


# ---------------------------------------------------------------- /allow, /deny, /users


async def test_allow_grants_a_role_that_works_and_deny_takes_it_away(bridge: World) -> None:
    refused = await ask(bridge, STRANGER, STRANGER, "/send 09121112222 before")
    assert "دسترسی ندارید" in refused.shown
    granted = await ask(bridge, ADMIN, ADMIN, f"/allow {STRANGER} operator")
    assert granted.shown == f"کاربر {STRANGER} اکنون نقش «اپراتور» دارد."
    assert stored_role(bridge, STRANGER) == "operator"
    confirmation = await ask(bridge, STRANGER, STRANGER, "/send 09121112222 after")
    assert "#1" in confirmation.shown
    users = await ask(bridge, ADMIN, ADMIN, "/users")
    assert users.shown.splitlines() == [
        f"• {ADMIN}: مدیر (از تنظیمات)",
        f"• {OPERATOR}: اپراتور",
        f"• {VIEWER}: مشاهده‌گر",
        f"• {STRANGER}: اپراتور",
    ]
    denied = await ask(bridge, ADMIN, ADMIN, f"/deny {STRANGER}")
    assert denied.shown == f"دسترسی کاربر {STRANGER} گرفته شد."
    refused_again = await ask(bridge, STRANGER, STRANGER, "/send 09121112222 denied")
    assert "دسترسی ندارید" in refused_again.shown
    assert [s.text for s in bridge.sandbox.raygan.sent] == ["after"]


async def test_allow_with_persian_digits_and_a_role_change(bridge: World) -> None:
    answer = await ask(bridge, ADMIN, ADMIN, "/allow ۳۳۳۳۳۳۳۳۳ OPERATOR")
    assert answer.shown == f"کاربر {VIEWER} اکنون نقش «اپراتور» دارد."
    assert stored_role(bridge, VIEWER) == "operator"
    await ask(bridge, VIEWER, VIEWER, "/send 09121112222 promoted")
    assert [s.text for s in bridge.sandbox.raygan.sent] == ["promoted"]


ROLE_REFUSALS = [
    ("/allow 555555555 boss", "نقش باید یکی از admin، operator یا viewer باشد: boss"),
    ("/allow eve operator", "شناسهٔ کاربر باید عدد باشد: eve"),
    ("/allow 555555555", "روش استفاده: /allow شناسهٔ کاربر admin|operator|viewer"),
    ("/allow", "روش استفاده: /allow شناسهٔ کاربر admin|operator|viewer"),
    ("/deny", "روش استفاده: /deny شناسهٔ کاربر"),
    ("/deny eve", "شناسهٔ کاربر باید عدد باشد: eve"),
    ("/deny 555555555", "کاربر 555555555 نقشی نداشت."),
    (f"/deny {ADMIN}", f"کاربر {ADMIN} در تنظیمات، مدیر تعریف شده است و از اینجا حذف نمی‌شود."),
]


async def test_allow_and_deny_refusals_change_no_role(bridge: World) -> None:
    for command, expected in ROLE_REFUSALS:
        answer = await ask(bridge, ADMIN, ADMIN, command)
        assert answer.shown == expected, command
    assert stored_role(bridge, STRANGER) is None
    assert (stored_role(bridge, OPERATOR), stored_role(bridge, VIEWER)) == ("operator", "viewer")
    admin_help = await ask(bridge, ADMIN, ADMIN, "/help")
    assert "نقش شما: مدیر" in admin_help.shown


# ---------------------------------------------------------------- /from


FROM_REFUSALS = [
    (
        "/from nowhere",
        "خط یا حسابی به نام «nowhere» وجود ندارد. خطوط موجود: "
        f"{RAYGAN_LINE} (raygan), {PAYAMAK_LINE} (meli)",
    ),
    (
        "/from 99999",
        "خط یا حسابی به نام «99999» وجود ندارد. خطوط موجود: "
        f"{RAYGAN_LINE} (raygan), {PAYAMAK_LINE} (meli)",
    ),
    ("/from", f"روش استفاده: /from نام‌حساب یا شماره‌خط\nخط کنونی: {RAYGAN_LINE} (raygan)"),
]


async def test_from_refusals_keep_the_chats_line(bridge: World) -> None:
    for command, expected in FROM_REFUSALS:
        answer = await ask(bridge, OPERATOR, OPERATOR, command)
        assert answer.shown == expected, command
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 still raygan")
    assert [s.text for s in bridge.sandbox.raygan.sent] == ["still raygan"]
    assert not bridge.sandbox.payamak.sent


async def test_from_without_argument_shows_the_current_choice(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/from meli")
    answer = await ask(bridge, OPERATOR, OPERATOR, "/from")
    assert answer.shown.endswith(f"خط کنونی: {PAYAMAK_LINE} (meli)")
    assert sends_rows(bridge) == []
