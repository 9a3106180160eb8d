"""Incoming SMS on a line in topic mode: each customer's SMS in that customer's forum topic,
opened on the first SMS, found again after a restart, opened anew when a person deleted or
closed it, without losing an SMS; two customers never cross."""

from __future__ import annotations

from collections.abc import Callable

from bridge_harness import FORUM, RAYGAN_LINE, SUPPORT_GROUP, World, wait_for

from sandbox.telegram import FakeMessage

ALI = "09123456789"
SARA = "09350000001"


def containing(text: str) -> Callable[[FakeMessage], bool]:
    """A predicate: the bot message shows `text`."""
    return lambda message: text in message.shown


def sms_from(world: World, sender: str, body: str) -> None:
    """An SMS from `sender` arrives on the RayganSMS line."""
    world.sandbox.raygan.inject_incoming(RAYGAN_LINE, sender, body)


def open_topics(world: World) -> dict[str, int]:
    """The forum's open topics, name → thread id."""
    return {t.name: t.thread_id for t in world.fake.topics(FORUM) if not t.deleted}


def stored_topics(world: World) -> list[tuple[str, str, int]]:
    """The stored topics (line, number, thread id)."""
    with world.db() as db:
        rows = db.execute("SELECT line, number, thread_id FROM topics ORDER BY thread_id")
        return [(r["line"], r["number"], r["thread_id"]) for r in rows]


async def test_the_first_sms_opens_the_topic_the_next_goes_into_it_and_a_restart_finds_it(
    forum: World,
) -> None:
    sms_from(forum, ALI, "سلام، سفارش ۴۲ کجاست؟")
    first = await forum.reply(FORUM, containing("سفارش ۴۲"))
    assert open_topics(forum) == {"+98 912 345 6789": first.thread_id}
    assert first.thread_id is not None
    sms_from(forum, ALI, "هنوز نرسیده")
    second = await forum.reply(FORUM, containing("هنوز نرسیده"))
    assert second.thread_id == first.thread_id

    await forum.stop_bridge()
    await forum.start_bridge()
    sms_from(forum, ALI, "بعد از راه‌اندازی دوباره")
    third = await forum.reply(FORUM, containing("بعد از راه‌اندازی دوباره"))
    assert third.thread_id == first.thread_id
    assert len(forum.fake.calls("createForumTopic")) == 1
    assert stored_topics(forum) == [(RAYGAN_LINE, "+989123456789", first.thread_id)]


async def test_two_customers_never_cross_topics(forum: World) -> None:
    bodies = {ALI: [f"علی {n}" for n in range(3)], SARA: [f"سارا {n}" for n in range(3)]}
    for n in range(3):
        sms_from(forum, ALI, bodies[ALI][n])
        sms_from(forum, SARA, bodies[SARA][n])

    def shown_everywhere() -> str:
        return "\n".join(m.shown for m in forum.fake.bot_messages(FORUM))

    await forum.fake.wait_until(
        lambda: all(b in shown_everywhere() for bs in bodies.values() for b in bs), timeout=15
    )
    topics = open_topics(forum)
    assert set(topics) == {"+98 912 345 6789", "+98 935 000 0001"}
    for name, mine, theirs in (
        ("+98 912 345 6789", bodies[ALI], bodies[SARA]),
        ("+98 935 000 0001", bodies[SARA], bodies[ALI]),
    ):
        inside = "\n".join(m.shown for m in forum.fake.topic_messages(FORUM, topics[name]))
        assert [inside.count(body) for body in mine] == [1, 1, 1]
        assert not any(body in inside for body in theirs)
    outside = [m for m in forum.fake.bot_messages(FORUM) if m.thread_id is None and m.shown]
    assert outside == []


async def test_a_topic_deleted_by_a_person_is_opened_anew_and_the_sms_is_not_lost(
    forum: World,
) -> None:
    sms_from(forum, ALI, "اولین پیام")
    first = await forum.reply(FORUM, containing("اولین پیام"))
    assert first.thread_id is not None
    forum.fake.delete_topic(FORUM, first.thread_id)
    sms_from(forum, ALI, "پیام بعد از حذف")
    again = await forum.reply(FORUM, containing("پیام بعد از حذف"))
    assert again.thread_id not in (None, first.thread_id)
    assert not again.deleted
    assert open_topics(forum) == {"+98 912 345 6789": again.thread_id}
    refused = [c for c in forum.fake.calls("sendMessage") if c.status == 400]
    assert [c.description for c in refused] == ["Bad Request: message thread not found"]
    assert stored_topics(forum) == [(RAYGAN_LINE, "+989123456789", again.thread_id)]


async def test_a_topic_closed_by_a_person_is_opened_anew_and_the_sms_is_not_lost(
    forum: World,
) -> None:
    sms_from(forum, ALI, "اولین پیام")
    first = await forum.reply(FORUM, containing("اولین پیام"))
    assert first.thread_id is not None
    forum.fake.close_topic(FORUM, first.thread_id)
    sms_from(forum, ALI, "پیام بعد از بستن")
    again = await forum.reply(FORUM, containing("پیام بعد از بستن"))
    assert again.thread_id not in (None, first.thread_id)
    refused = [c for c in forum.fake.calls("sendMessage") if c.status == 400]
    assert [c.description for c in refused] == ["Bad Request: TOPIC_CLOSED"], refused


async def test_a_backlog_gets_digests_per_topic(forum: World) -> None:
    forum.fake.fail_requests(502, methods={"sendMessage", "createForumTopic"})
    for n in range(8):
        sms_from(forum, ALI, f"انبوه {n}")
    sms_from(forum, SARA, "فقط یکی")
    sms_from(forum, SARA, "و یکی دیگر")
    await wait_for(
        lambda: len(forum.fake.calls("createForumTopic")) > 1, what="forwarding held back"
    )
    forum.fake.clear_failures()
    await forum.reply(FORUM, containing("فقط یکی"))
    await forum.fake.wait_until(
        lambda: any("انبوه 7" in m.shown for m in forum.fake.bot_messages(FORUM)), timeout=15
    )
    topics = open_topics(forum)
    ali = [m for m in forum.fake.topic_messages(FORUM, topics["+98 912 345 6789"]) if m.shown]
    assert len(ali) == 1  # one digest holds the eight
    assert all(f"انبوه {n}" in ali[0].shown for n in range(8))
    sara = [m for m in forum.fake.topic_messages(FORUM, topics["+98 935 000 0001"]) if m.shown]
    # The group has a backlog: Sara's two SMS share one digest in her topic.
    assert [("فقط یکی" in m.shown and "و یکی دیگر" in m.shown) for m in sara] == [True]


async def test_a_plain_route_beside_a_topic_route_is_as_before(forum: World) -> None:
    forum.sandbox.payamak.inject_incoming("10002188", ALI, "از خط دیگر")
    plain = await forum.reply(SUPPORT_GROUP, containing("از خط دیگر"))
    assert plain.thread_id is None
    assert forum.fake.calls("createForumTopic") == []


async def test_a_forum_where_the_bot_may_not_open_topics_gets_the_sms_itself(
    forum: World,
) -> None:
    forum.fake.set_bot_rights(FORUM, admin=False)
    sms_from(forum, ALI, "بدون تاپیک")
    arrived = await forum.reply(FORUM, containing("بدون تاپیک"))
    assert arrived.thread_id is None
    [refused] = forum.fake.calls("createForumTopic")
    assert refused.description == "Bad Request: not enough rights to manage topics"
    assert stored_topics(forum) == []
