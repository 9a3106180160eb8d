"""The guided `/send`: numbers, then text, then a preview whose Send button sends exactly once."""

from __future__ import annotations

from bridge_harness import OPERATOR, PAYAMAK_LINE, RAYGAN_LINE, World
from e2e_steps import ask, nothing_sent, now_text, sends_rows, wait_for

from sandbox.telegram import FakeMessage

SEND = "send:ok"
CANCEL = "send:no"


async def preview_of(world: World, numbers: str, text: str) -> FakeMessage:
    """Walk the guided flow up to the preview with its buttons."""
    question = await ask(world, OPERATOR, OPERATOR, "/send")
    assert "شماره‌های گیرنده" in question.shown
    count = await ask(world, OPERATOR, OPERATOR, numbers)
    assert "حالا متن پیامک" in count.shown, count.shown
    return await ask(world, OPERATOR, OPERATOR, text)


async def test_send_pressed_sends_one_sms_and_the_preview_becomes_the_confirmation(
    bridge: World,
) -> None:
    question = await ask(bridge, OPERATOR, OPERATOR, "/send")
    assert "شماره‌های گیرنده" in question.shown
    count = await ask(bridge, OPERATOR, OPERATOR, "۰۹۱۲۱۱۱۲۲۲۲\n9123334444, 09121112222")
    assert count.shown.startswith("۲ گیرنده"), count.shown
    preview = await ask(bridge, OPERATOR, OPERATOR, "سلام\nخط دوم & <تست>")
    assert [b["callback_data"] for b in preview.buttons()] == [SEND, CANCEL]
    for shown in (RAYGAN_LINE, "raygan", "گیرندگان: ۲", "بخش‌ها: ۱", "سلام\nخط دوم & <تست>"):
        assert shown in preview.shown, (shown, preview.shown)
    assert nothing_sent(bridge), "the preview alone must not send"

    query = bridge.fake.press_button(OPERATOR, OPERATOR, preview.message_id, SEND)
    await bridge.fake.wait_until(lambda: "#1" in now_text(bridge, OPERATOR, preview.message_id))
    sent = bridge.sandbox.raygan.sent
    assert sorted(s.mobile for s in sent) == ["09121112222", "09123334444"]
    assert {(s.line, s.text) for s in sent} == {(RAYGAN_LINE, "سلام\nخط دوم & <تست>")}
    assert bridge.sandbox.raygan.calls["SendMessage"] == 1
    edited = bridge.fake.message(OPERATOR, preview.message_id)
    assert edited.buttons() == [], "the confirmation keeps no Send button"
    assert query in bridge.fake.callback_answers
    await wait_for(
        lambda: sends_rows(bridge)[0]["confirmation_message_id"] == preview.message_id,
        "the preview stored as the send's confirmation",
    )
    await bridge.fake.wait_until(
        lambda: now_text(bridge, OPERATOR, preview.message_id).count("تحویل شد") == 2
    )


async def test_cancel_sends_nothing_and_says_so(bridge: World) -> None:
    preview = await preview_of(bridge, "09121112222", "never sent")
    bridge.fake.press_button(OPERATOR, OPERATOR, preview.message_id, CANCEL)
    await bridge.fake.wait_until(lambda: "لغو شد" in now_text(bridge, OPERATOR, preview.message_id))
    # The flow is over: a later /lines is answered, and still nothing went out.
    await ask(bridge, OPERATOR, OPERATOR, "/lines")
    assert nothing_sent(bridge)
    assert sends_rows(bridge) == []


async def test_cancel_command_ends_the_flow_before_the_preview(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/send")
    await ask(bridge, OPERATOR, OPERATOR, "09121112222")
    answer = await ask(bridge, OPERATOR, OPERATOR, "/cancel")
    assert "لغو شد" in answer.shown
    # Text typed now is not an SMS: the flow has ended.
    bridge.say(OPERATOR, OPERATOR, "this is not an SMS")
    await ask(bridge, OPERATOR, OPERATOR, "/lines")
    assert nothing_sent(bridge)


async def test_send_pressed_twice_sends_once(bridge: World) -> None:
    preview = await preview_of(bridge, "09121112222", "just once")
    first = bridge.fake.press_button(OPERATOR, OPERATOR, preview.message_id, SEND)
    second = bridge.fake.press_button(OPERATOR, OPERATOR, preview.message_id, SEND)
    await bridge.fake.wait_until(
        lambda: first in bridge.fake.callback_answers and second in bridge.fake.callback_answers
    )
    # And once more on the confirmation, as a client showing a stale keyboard would.
    third = bridge.fake.press_button(OPERATOR, OPERATOR, preview.message_id, SEND, check=False)
    await bridge.fake.wait_until(lambda: third in bridge.fake.callback_answers)
    assert bridge.sandbox.raygan.calls["SendMessage"] == 1
    assert [s.text for s in bridge.sandbox.raygan.sent] == ["just once"]
    assert len(sends_rows(bridge)) == 1
    assert "#1" in now_text(bridge, OPERATOR, preview.message_id)
    for late in (second, third):
        answer = bridge.fake.callback_answers[late]
        assert answer.text is not None and "معتبر نیست" in answer.text, answer


async def test_invalid_number_in_the_flow_is_named_and_asked_again(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/send")
    refusal = await ask(bridge, OPERATOR, OPERATOR, "09121112222 0912111")
    assert "0912111" in refusal.shown and "معتبر نیستند" in refusal.shown
    count = await ask(bridge, OPERATOR, OPERATOR, "09121112222")
    assert count.shown.startswith("۱ گیرنده"), count.shown
    preview = await ask(bridge, OPERATOR, OPERATOR, "after a retry")
    bridge.fake.press_button(OPERATOR, OPERATOR, preview.message_id, SEND)
    await bridge.fake.wait_until(lambda: "#1" in now_text(bridge, OPERATOR, preview.message_id))
    assert [(s.mobile, s.text) for s in bridge.sandbox.raygan.sent] == [
        ("09121112222", "after a retry")
    ]


async def test_too_long_text_in_the_flow_is_refused_and_asked_again(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/send")
    await ask(bridge, OPERATOR, OPERATOR, "09121112222")
    refusal = await ask(bridge, OPERATOR, OPERATOR, "س" * 700)
    assert "۱۱ بخش" in refusal.shown and "حداکثر ۱۰ بخش" in refusal.shown, refusal.shown
    assert refusal.buttons() == []
    preview = await ask(bridge, OPERATOR, OPERATOR, "کوتاه")
    assert [b["callback_data"] for b in preview.buttons()] == [SEND, CANCEL]
    assert nothing_sent(bridge)


async def test_guided_flow_sends_from_the_chats_chosen_payamak_line(bridge: World) -> None:
    await ask(bridge, OPERATOR, OPERATOR, "/from meli")
    preview = await preview_of(bridge, "09121112222", "via payamak")
    assert PAYAMAK_LINE in preview.shown and "meli" in preview.shown
    bridge.fake.press_button(OPERATOR, OPERATOR, preview.message_id, SEND)
    await bridge.fake.wait_until(lambda: "#1" in now_text(bridge, OPERATOR, preview.message_id))
    assert [(s.line, s.to, s.text) for s in bridge.sandbox.payamak.sent] == [
        (PAYAMAK_LINE, ("09121112222",), "via payamak")
    ]
    assert bridge.sandbox.raygan.calls["SendMessage"] == 0


async def test_cancel_with_no_flow_open_says_there_is_nothing_to_cancel(bridge: World) -> None:
    answer = await ask(bridge, OPERATOR, OPERATOR, "/cancel")
    assert "کاری در جریان نیست" in answer.shown
    assert nothing_sent(bridge)
