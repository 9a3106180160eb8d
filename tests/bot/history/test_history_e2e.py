"""`/status` and `/history` end to end, each with its refusals."""

from __future__ import annotations

from bridge_harness import (
    OPERATOR,
    RAYGAN_LINE,
    SUPPORT_GROUP,
    VIEWER,
    World,
)
from e2e_steps import ask


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
