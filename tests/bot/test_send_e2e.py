"""`/send` end to end: the provider gets exactly the numbers and text, the confirmation follows
the delivery reports."""

from __future__ import annotations

from bridge_harness import ADMIN, RAYGAN_LINE, World


async def test_send_reaches_raygan_and_confirmation_is_edited_to_delivered(bridge: World) -> None:
    bridge.say(ADMIN, ADMIN, "/send ۰۹۱۲۱۱۱۲۲۲۲, 9123334444\nسلام\nخط دوم <b>")
    confirmation = await bridge.reply(ADMIN)
    sent = bridge.sandbox.raygan.sent
    assert sorted(s.mobile for s in sent) == ["09121112222", "09123334444"]
    assert {s.text for s in sent} == {"سلام\nخط دوم <b>"}
    assert {s.line for s in sent} == {RAYGAN_LINE}
    await bridge.fake.wait_until(
        lambda: bridge.fake.message(ADMIN, confirmation.message_id).text.count("تحویل شد") == 2
    )
