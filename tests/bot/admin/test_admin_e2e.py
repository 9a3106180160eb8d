"""Admin commands end to end: `/route`, `/unroute`, `/routes`, `/allow`, `/deny`, `/users`,
each with its refusals."""

from __future__ import annotations

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
from e2e_steps import ask, stored_role


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
