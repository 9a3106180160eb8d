"""Roles end to end: who has none is refused politely, each role is refused what needs
more, and in a group the sender's role counts."""

from __future__ import annotations

from bridge_harness import (
    ADMIN,
    ADMIN_CHAT,
    OPERATOR,
    RAYGAN_LINE,
    STRANGER,
    SUPPORT_GROUP,
    VIEWER,
    World,
)
from e2e_steps import ask, audit_actions, credit_calls, nothing_sent, stored_role

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
