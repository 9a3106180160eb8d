"""The guided `/send` checks the right at every step and on every button, keeps each draft to
its (chat, person), and a reply to an SMS that is not text is refused with a reason."""

from __future__ import annotations

from bridge_harness import (
    ADMIN,
    ADMIN_CHAT,
    OPERATOR,
    RAYGAN_LINE,
    SUPPORT_GROUP,
    VIEWER,
    World,
)
from e2e_steps import ask, nothing_sent, now_text, sends_rows

from sandbox.telegram import FakeMessage

SEND = "send:ok"
CANCEL = "send:no"
CUSTOMER = "09127654321"
NOT_ALLOWED = "مجاز نیست"
NOT_YOURS = "کس دیگری شروع کرده"
ONLY_TEXT = "فقط متن را می‌توان به‌صورت پیامک فرستاد"


async def step(world: World, user: int, chat: int, text: str) -> FakeMessage:
    """One step of the flow; in a group it answers the bot's last message (privacy mode shows
    the bot only commands and replies to it)."""
    if chat > 0 or text.startswith("/"):
        return await ask(world, user, chat, text)
    last = world.fake.bot_messages(chat)[-1]
    return await ask(world, user, chat, text, reply_to=last.message_id)


async def preview_in(world: World, user: int, chat: int, numbers: str, text: str) -> FakeMessage:
    """Walk the guided flow in `chat` up to the preview."""
    assert "شماره‌های گیرنده" in (await step(world, user, chat, "/send")).text
    assert "گیرنده" in (await step(world, user, chat, numbers)).text
    preview = await step(world, user, chat, text)
    assert [b["callback_data"] for b in preview.buttons()] == [SEND, CANCEL], preview.text
    return preview


async def answer_to(world: World, query: str) -> str:
    """The text the bot answered a button press with."""
    await world.fake.wait_until(lambda: query in world.fake.callback_answers)
    return world.fake.callback_answers[query].text or ""


def sent(world: World) -> list[tuple[str, str]]:
    """(recipient, text) of every SMS the RayganSMS simulator sent."""
    return [(s.mobile, s.text) for s in world.sandbox.raygan.sent]


async def shows(world: World, chat: int, message_id: int, text: str) -> None:
    """Wait until the message (after edits) shows `text`."""
    await world.fake.wait_until(lambda: text in now_text(world, chat, message_id))


async def demote(world: World, user: int) -> None:
    """An admin makes `user` a viewer."""
    done = await ask(world, ADMIN, ADMIN, f"/allow {user} viewer")
    assert str(user) in done.text, done.text


async def test_an_operator_demoted_after_the_preview_presses_send_and_nothing_goes(
    bridge: World,
) -> None:
    preview = await preview_in(bridge, OPERATOR, OPERATOR, "09121112222", "after demotion")
    await demote(bridge, OPERATOR)
    query = bridge.fake.press_button(OPERATOR, OPERATOR, preview.message_id, SEND)
    refusal = await answer_to(bridge, query)
    assert NOT_ALLOWED in refusal and "چیزی ارسال نشد" in refusal, refusal
    assert nothing_sent(bridge) and sends_rows(bridge) == []
    # Pressed again, the flow is over; still nothing.
    again = bridge.fake.press_button(OPERATOR, OPERATOR, preview.message_id, SEND)
    assert await answer_to(bridge, again)
    assert nothing_sent(bridge) and sends_rows(bridge) == []
    with bridge.db() as db:
        refused = db.execute(
            "SELECT detail FROM audit_log WHERE user_id = ? AND action = 'refused'", (OPERATOR,)
        ).fetchall()
    assert [r["detail"] for r in refused] == ["/send confirm"]


async def test_an_operator_demoted_mid_flow_cannot_finish_it(bridge: World) -> None:
    await step(bridge, OPERATOR, OPERATOR, "/send")
    await step(bridge, OPERATOR, OPERATOR, "09121112222")
    await demote(bridge, OPERATOR)
    refusal = await step(bridge, OPERATOR, OPERATOR, "the text of a viewer")
    assert NOT_ALLOWED in refusal.text and refusal.buttons() == [], refusal.text
    assert nothing_sent(bridge)


async def test_a_button_pressed_by_someone_else_does_nothing_but_say_so(bridge: World) -> None:
    preview = await preview_in(bridge, OPERATOR, SUPPORT_GROUP, "09121112222", "the operator's")
    for presser, button in ((ADMIN, SEND), (VIEWER, SEND), (ADMIN, CANCEL)):
        query = bridge.fake.press_button(presser, SUPPORT_GROUP, preview.message_id, button)
        assert NOT_YOURS in await answer_to(bridge, query), (presser, button)
    assert nothing_sent(bridge)
    assert bridge.fake.message(SUPPORT_GROUP, preview.message_id).buttons(), "left as it was"

    # The admin has a flow of their own in the same group: pressing the operator's preview
    # neither sends the admin's draft nor ends it.
    own = await preview_in(bridge, ADMIN, SUPPORT_GROUP, "09123334444", "the admin's")
    query = bridge.fake.press_button(ADMIN, SUPPORT_GROUP, preview.message_id, SEND)
    assert NOT_YOURS in await answer_to(bridge, query)
    assert nothing_sent(bridge)

    bridge.fake.press_button(OPERATOR, SUPPORT_GROUP, preview.message_id, SEND)
    await shows(bridge, SUPPORT_GROUP, preview.message_id, "#1")
    bridge.fake.press_button(ADMIN, SUPPORT_GROUP, own.message_id, SEND)
    await shows(bridge, SUPPORT_GROUP, own.message_id, "#2")
    assert sent(bridge) == [("09121112222", "the operator's"), ("09123334444", "the admin's")]


async def test_previews_in_two_groups_each_send_their_own_draft(bridge: World) -> None:
    first = await preview_in(bridge, OPERATOR, SUPPORT_GROUP, "09121112222", "for support")
    second = await preview_in(bridge, OPERATOR, ADMIN_CHAT, "09123334444", "for admins")
    # The same message id in both chats: only the chat tells the two previews apart.
    assert first.message_id == second.message_id

    bridge.fake.press_button(OPERATOR, SUPPORT_GROUP, first.message_id, SEND)
    await shows(bridge, SUPPORT_GROUP, first.message_id, "#1")
    assert sent(bridge) == [("09121112222", "for support")]
    assert bridge.fake.message(ADMIN_CHAT, second.message_id).buttons(), "the other still open"

    bridge.fake.press_button(OPERATOR, ADMIN_CHAT, second.message_id, SEND)
    await shows(bridge, ADMIN_CHAT, second.message_id, "#2")
    assert sent(bridge) == [("09121112222", "for support"), ("09123334444", "for admins")]
    rows = sends_rows(bridge)
    assert [(r["chat_id"], r["text"]) for r in rows] == [
        (SUPPORT_GROUP, "for support"),
        (ADMIN_CHAT, "for admins"),
    ]


async def test_a_photo_at_the_text_step_is_refused_and_the_text_asked_again(
    bridge: World,
) -> None:
    await step(bridge, OPERATOR, OPERATOR, "/send")
    await step(bridge, OPERATOR, OPERATOR, "09121112222")
    bridge.fake.user_sends_media(OPERATOR, OPERATOR, "photo", caption="a caption is not an SMS")
    assert ONLY_TEXT in (await bridge.reply(OPERATOR)).text
    preview = await step(bridge, OPERATOR, OPERATOR, "the real text")
    assert "the real text" in preview.text and preview.buttons()
    assert nothing_sent(bridge)


async def forwarded_sms(world: World, body: str) -> FakeMessage:
    """An SMS from CUSTOMER on the RayganSMS line, as forwarded into the support group."""
    world.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body)
    return await world.reply(SUPPORT_GROUP, lambda m: body in m.text)


async def test_a_reply_to_an_sms_that_is_not_text_is_refused_with_a_reason(
    bridge: World,
) -> None:
    sms = await forwarded_sms(bridge, "عکس را دیدید؟")
    fake = bridge.fake
    attempts = [
        fake.user_sends_media(OPERATOR, SUPPORT_GROUP, "sticker", reply_to=sms.message_id),
        fake.user_sends_media(
            OPERATOR, SUPPORT_GROUP, "photo", caption="caption", reply_to=sms.message_id
        ),
        fake.upload_document(
            OPERATOR, SUPPORT_GROUP, "invoice.pdf", b"%PDF-1.4", reply_to=sms.message_id
        ),
    ]
    for _attempt in attempts:
        answer = await bridge.reply(SUPPORT_GROUP)
        assert ONLY_TEXT in answer.text, answer.text
    assert nothing_sent(bridge) and sends_rows(bridge) == []


async def test_a_sticker_reply_by_a_viewer_or_to_another_message_sends_nothing(
    bridge: World,
) -> None:
    sms = await forwarded_sms(bridge, "سلام")
    bridge.fake.user_sends_media(VIEWER, SUPPORT_GROUP, "sticker", reply_to=sms.message_id)
    assert NOT_ALLOWED in (await bridge.reply(SUPPORT_GROUP)).text
    # A sticker answering the bot's own answer (not an SMS) is chatter: no answer at all.
    lines = await ask(bridge, OPERATOR, SUPPORT_GROUP, "/lines")
    bridge.fake.user_sends_media(OPERATOR, SUPPORT_GROUP, "sticker", reply_to=lines.message_id)
    # The chat's updates are handled in order: once /help is answered, the sticker was.
    after = await ask(bridge, OPERATOR, SUPPORT_GROUP, "/help")
    assert "/send" in after.text
    assert nothing_sent(bridge)
