"""Opt-out in a forum routed in topic mode: the customer's `11` is marked in their topic, and
writing to them there asks first."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from bridge_harness import ADMIN, FORUM, OPERATOR, RAYGAN_LINE, SUPPORT_GROUP, World
from e2e_steps import nothing_sent, now_text

from storage.models import Role

CUSTOMER = "09123456789"


@pytest.fixture
async def forum(world: World) -> AsyncIterator[World]:
    """RayganSMS routed to FORUM with topics."""
    world.fake.add_group(FORUM, "Customers", bot_is_admin=True, forum=True, can_manage_topics=True)
    world.overrides["routes"] = [
        {"line": RAYGAN_LINE, "chat_id": FORUM, "topics": True},
        {"line": "10002188", "chat_id": SUPPORT_GROUP},
    ]
    await world.start_bridge()
    assert world.bridge is not None
    await world.bridge.data.repo.set_role(OPERATOR, Role.OPERATOR, ADMIN)
    await world.first_polls_done()
    yield world


async def test_an_opt_out_in_a_topic_is_marked_there_and_writing_there_asks_first(
    forum: World,
) -> None:
    forum.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, "لغو ۱۱")
    forwarded = await forum.reply(FORUM, lambda m: "لغو ۱۱" in m.shown)
    assert forwarded.thread_id is not None
    assert forwarded.shown.startswith("🚫") and "لغو عضویت" in forwarded.shown
    thread = forwarded.thread_id

    written = forum.fake.user_sends(OPERATOR, FORUM, "one more offer", thread_id=thread)
    prompt = await forum.reply(FORUM, lambda m: m.reply_to == written["message_id"])
    assert prompt.thread_id == thread and "با این حال" in prompt.shown
    assert nothing_sent(forum)
    query = forum.fake.press_button(OPERATOR, FORUM, prompt.message_id, "optout:go")
    await forum.fake.wait_until(lambda: query in forum.fake.callback_answers)
    await forum.fake.wait_until(lambda: "ارسال #1" in now_text(forum, FORUM, prompt.message_id))
    assert [(s.mobile, s.text) for s in forum.sandbox.raygan.sent] == [(CUSTOMER, "one more offer")]
