"""Writing in a customer's topic: exactly one SMS to that customer from the topic's line, with
the confirmation in the topic; the same idempotency as /send; every refusal changes nothing.
`/route <line> topics` and `/name` in a topic."""

from __future__ import annotations

from collections.abc import Callable

from bridge_harness import (
    ADMIN,
    FORUM,
    OPERATOR,
    RAYGAN_LINE,
    SUPPORT_GROUP,
    VIEWER,
    World,
)
from e2e_steps import nothing_sent, sends_rows

from sandbox.telegram import FakeMessage

ALI = "09123456789"
SHOP = "DigiShop"


def containing(text: str) -> Callable[[FakeMessage], bool]:
    """A predicate: the bot message shows `text`."""
    return lambda message: text in message.shown


def national(number: str) -> str:
    """The last ten digits of a mobile number, however a provider wrote it."""
    return "".join(ch for ch in number if ch.isdigit())[-10:]


def sent_sms(world: World) -> list[tuple[str, str, str]]:
    """Every SMS either provider sent so far, as (line, recipient's ten digits, text)."""
    raygan = [(s.line, national(s.mobile), s.text) for s in world.sandbox.raygan.sent]
    payamak = [(s.line, national(to), s.text) for s in world.sandbox.payamak.sent for to in s.to]
    return raygan + payamak


async def customer_topic(world: World, sender: str = ALI, body: str = "سلام") -> int:
    """An SMS from `sender` opens their topic; its thread id."""
    world.sandbox.raygan.inject_incoming(RAYGAN_LINE, sender, body)
    forwarded = await world.reply(FORUM, containing(body))
    assert forwarded.thread_id is not None
    return forwarded.thread_id


async def test_writing_in_the_topic_sends_one_sms_to_that_customer_from_that_line(
    forum: World,
) -> None:
    thread = await customer_topic(forum)
    text = 'سفارش <۴۲> شما & "ارسال" شد'
    written = forum.fake.user_sends(OPERATOR, FORUM, text, thread_id=thread)
    confirmation = await forum.reply(FORUM, lambda m: m.reply_to == written["message_id"])
    assert confirmation.thread_id == thread
    assert sent_sms(forum) == [(RAYGAN_LINE, national(ALI), text)]
    [send] = sends_rows(forum)
    assert send["idempotency_key"] == f"tg:{FORUM}:{written['message_id']}"
    assert send["line"] == RAYGAN_LINE


async def test_a_topic_message_delivered_twice_sends_one_sms(forum: World) -> None:
    thread = await customer_topic(forum)
    written = forum.fake.user_sends(OPERATOR, FORUM, "یک بار", thread_id=thread)
    update_id = int(forum.fake.pending_updates()[-1]["update_id"])
    await forum.reply(FORUM, lambda m: m.reply_to == written["message_id"])
    forum.fake.deliver_again(update_id)
    forum.fake.user_sends(ADMIN, FORUM, "/lines")
    await forum.reply(FORUM, containing("10002188"))
    assert sent_sms(forum) == [(RAYGAN_LINE, national(ALI), "یک بار")]


async def test_two_customers_each_get_only_their_answer(forum: World) -> None:
    ali = await customer_topic(forum, ALI, "از علی")
    sara = await customer_topic(forum, "09350000001", "از سارا")
    for thread, text in ((ali, "جواب علی"), (sara, "جواب سارا")):
        written = forum.fake.user_sends(OPERATOR, FORUM, text, thread_id=thread)
        await forum.reply(FORUM, lambda m, w=written: m.reply_to == w["message_id"])
    assert sent_sms(forum) == [
        (RAYGAN_LINE, national(ALI), "جواب علی"),
        (RAYGAN_LINE, "9350000001", "جواب سارا"),
    ]


async def test_a_viewer_writing_in_the_topic_sends_nothing(forum: World) -> None:
    thread = await customer_topic(forum)
    written = forum.fake.user_sends(VIEWER, FORUM, "پیامک مجانی", thread_id=thread)
    refusal = await forum.reply(FORUM, lambda m: m.reply_to == written["message_id"])
    assert "مشاهده‌گر" in refusal.shown
    assert nothing_sent(forum)


async def test_a_sticker_or_photo_in_the_topic_is_refused_in_words(forum: World) -> None:
    thread = await customer_topic(forum)
    for kind in ("sticker", "photo"):
        media = forum.fake.user_sends_media(OPERATOR, FORUM, kind, thread_id=thread)
        answer = await forum.reply(FORUM, lambda m, s=media: m.reply_to == s["message_id"])
        assert "فقط متن" in answer.shown
        assert answer.thread_id == thread
    assert nothing_sent(forum)


async def test_a_sender_that_cannot_receive_sms_is_refused_with_the_reason(
    forum: World,
) -> None:
    thread = await customer_topic(forum, SHOP, "تخفیف ویژه")
    written = forum.fake.user_sends(OPERATOR, FORUM, "لغو", thread_id=thread)
    refusal = await forum.reply(FORUM, lambda m: m.reply_to == written["message_id"])
    assert "نمی‌توان پیامک فرستاد" in refusal.shown
    assert SHOP in refusal.shown
    assert nothing_sent(forum)


async def test_name_renames_the_topic_and_a_restart_keeps_it(forum: World) -> None:
    thread = await customer_topic(forum)
    forum.fake.user_sends(OPERATOR, FORUM, "/name رضا محمدی", thread_id=thread)
    done = await forum.reply(FORUM, containing("رضا محمدی"))
    assert done.thread_id == thread
    assert [t.name for t in forum.fake.topics(FORUM)] == ["رضا محمدی"]
    forum.fake.user_sends(OPERATOR, FORUM, "/name " + "x" * 129, thread_id=thread)
    too_long = await forum.reply(FORUM, containing("۱۲۹"))
    assert too_long.thread_id == thread
    assert [t.name for t in forum.fake.topics(FORUM)] == ["رضا محمدی"]
    assert nothing_sent(forum)


async def test_route_topics_is_checked_and_then_opens_topics(bridge: World) -> None:
    forum = -1007770000002
    bridge.fake.add_group(forum, "New forum", bot_is_admin=True, forum=True)
    answer = await _ask(bridge, SUPPORT_GROUP, f"/route {RAYGAN_LINE} topics")
    assert "انجمن" in answer.shown  # not a forum
    answer = await _ask(bridge, forum, f"/route {RAYGAN_LINE} topics")
    assert "Manage topics" in answer.shown  # no right to manage topics
    with bridge.db() as db:
        routed = db.execute("SELECT chat_id, topics FROM routes WHERE line = ?", (RAYGAN_LINE,))
        assert [tuple(r) for r in routed] == [(SUPPORT_GROUP, 0)]

    bridge.fake.set_bot_rights(forum, admin=True, can_manage_topics=True)
    answer = await _ask(bridge, forum, f"/route {RAYGAN_LINE} topics")
    assert "تاپیک خودش" in answer.shown
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, ALI, "به تاپیک برود")
    arrived = await bridge.reply(forum, containing("به تاپیک برود"))
    assert arrived.thread_id is not None
    assert [t.name for t in bridge.fake.topics(forum)] == ["+98 912 345 6789"]


async def _ask(world: World, chat: int, text: str) -> FakeMessage:
    written = world.say(ADMIN, chat, text)
    return await world.reply(chat, lambda m: m.reply_to == written["message_id"])


async def test_a_send_from_send_is_mirrored_into_the_customers_topic_with_its_state(
    forum: World,
) -> None:
    thread = await customer_topic(forum)
    forum.sandbox.raygan.set_outcome(ALI, "delivered")
    forum.say(OPERATOR, SUPPORT_GROUP, f"/from {RAYGAN_LINE}")
    await forum.reply(SUPPORT_GROUP)
    forum.say(OPERATOR, SUPPORT_GROUP, f"/send {ALI} بستهٔ شما آماده است")
    await forum.reply(SUPPORT_GROUP)  # the confirmation
    mirror = await forum.reply(FORUM, containing("Omid"))
    assert mirror.thread_id == thread
    assert "بستهٔ شما آماده است" in mirror.shown
    await forum.fake.wait_until(
        lambda: "تحویل شد" in forum.fake.message(FORUM, mirror.message_id).shown, timeout=15
    )
    assert sent_sms(forum) == [(RAYGAN_LINE, national(ALI), "بستهٔ شما آماده است")]


async def test_a_send_written_in_the_topic_is_not_mirrored_there_again(forum: World) -> None:
    thread = await customer_topic(forum)
    written = forum.fake.user_sends(OPERATOR, FORUM, "فقط یک بار", thread_id=thread)
    await forum.reply(FORUM, lambda m: m.reply_to == written["message_id"])
    forum.fake.user_sends(ADMIN, FORUM, "/lines")
    await forum.reply(FORUM, containing("10002188"))
    assert not [m for m in forum.fake.bot_messages(FORUM) if "↗️" in m.shown]


async def test_history_in_a_topic_shows_that_conversation(forum: World) -> None:
    thread = await customer_topic(forum, ALI, "پیام علی")
    await customer_topic(forum, "09350000001", "پیام سارا")
    written = forum.fake.user_sends(OPERATOR, FORUM, "جواب علی", thread_id=thread)
    await forum.reply(FORUM, lambda m: m.reply_to == written["message_id"])
    asked = forum.fake.user_sends(VIEWER, FORUM, "/history", thread_id=thread)
    shown = await forum.reply(FORUM, lambda m: m.reply_to == asked["message_id"])
    assert shown.thread_id == thread
    assert "جواب علی" in shown.shown and "پیام علی" in shown.shown
    assert shown.shown.index("جواب علی") < shown.shown.index("پیام علی")  # newest first
    assert "پیام سارا" not in shown.shown


async def test_a_private_chat_with_topics_gets_a_topic_per_customer(bridge: World) -> None:
    answer = await _ask_private(bridge, f"/route {RAYGAN_LINE} topics")
    assert "انجمن" in answer.shown  # the bot has no topic mode in private chats yet
    bridge.fake.enable_private_topics()
    answer = await _ask_private(bridge, f"/route {RAYGAN_LINE} topics")
    assert "تاپیک خودش" in answer.shown
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, ALI, "در گفتگوی خصوصی")
    arrived = await bridge.reply(ADMIN, containing("در گفتگوی خصوصی"))
    assert arrived.thread_id is not None
    bridge.fake.user_sends(ADMIN, ADMIN, "جواب خصوصی", thread_id=arrived.thread_id)
    await bridge.reply(ADMIN, lambda m: m.thread_id == arrived.thread_id and "#" in m.shown)
    assert sent_sms(bridge) == [(RAYGAN_LINE, national(ALI), "جواب خصوصی")]


async def _ask_private(world: World, text: str) -> FakeMessage:
    world.say(ADMIN, ADMIN, text)
    return await world.reply(ADMIN)
