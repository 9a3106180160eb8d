"""One slow provider call holds up nothing else: while a `/send` or a `/credit` hangs in the
provider, `/help` in another chat is answered at once; each chat's own updates still run in the
order they were sent."""

from __future__ import annotations

import asyncio

from bridge_harness import ADMIN, OPERATOR, SUPPORT_GROUP, VIEWER, World
from e2e_steps import ask, wait_for

from sandbox.faults import FaultKind

# The harness's accounts give up on a provider call after 3 s; /help must not wait for that.
PROMPTLY = 1.0


async def answered_promptly(world: World, user: int, chat: int, text: str) -> str:
    """`user` writes `text` in `chat`; the answer, which must come within PROMPTLY seconds."""
    loop = asyncio.get_running_loop()
    asked_at = loop.time()
    answer = await ask(world, user, chat, text)
    waited = loop.time() - asked_at
    assert waited < PROMPTLY, f"{text} answered after {waited:.2f}s"
    return answer.text


async def test_help_in_another_chat_is_answered_while_a_send_hangs_in_the_provider(
    bridge: World,
) -> None:
    raygan = bridge.sandbox.raygan
    raygan.faults.inject(FaultKind.TIMEOUT, method="SendMessage", times=1)
    bridge.say(OPERATOR, OPERATOR, "/send 09121112222 slow provider")
    await wait_for(lambda: raygan.calls["SendMessage"] == 1, "the send inside the provider call")

    assert "/help" in await answered_promptly(bridge, VIEWER, VIEWER, "/help")
    assert "/send" in await answered_promptly(bridge, ADMIN, SUPPORT_GROUP, "/help")
    assert bridge.fake.bot_messages(OPERATOR) == [], "the send is still waiting on the provider"
    # The hung call ends by the adapter's timeout: the operator hears about it, nothing twice.
    await bridge.reply(OPERATOR)
    assert raygan.calls["SendMessage"] == 1


async def test_help_is_answered_while_credit_hangs_in_the_provider(bridge: World) -> None:
    raygan = bridge.sandbox.raygan
    raygan.faults.inject(FaultKind.TIMEOUT, method="GetCredit", times=None)
    before = raygan.calls["GetCredit"]
    bridge.say(OPERATOR, OPERATOR, "/credit")
    await wait_for(lambda: raygan.calls["GetCredit"] > before, "/credit inside the provider call")

    assert "/help" in await answered_promptly(bridge, VIEWER, VIEWER, "/help")
    assert bridge.fake.bot_messages(OPERATOR) == [], "/credit is still waiting on the provider"
    raygan.faults.clear()
    credit = await bridge.reply(OPERATOR)
    assert "raygan" in credit.text and "meli" in credit.text


async def test_a_chats_own_updates_wait_for_its_slow_one_and_keep_their_order(
    bridge: World,
) -> None:
    raygan = bridge.sandbox.raygan
    raygan.faults.inject(FaultKind.TIMEOUT, method="SendMessage", times=1)
    bridge.say(OPERATOR, OPERATOR, "/send 09121112222 slow provider")
    bridge.say(OPERATOR, OPERATOR, "/help")
    helped = await bridge.reply(OPERATOR, lambda m: "/lines" in m.text)
    about_the_send = [m for m in bridge.fake.bot_messages(OPERATOR) if "#1" in m.text]
    assert about_the_send, "the /send was answered (outcome unknown, its confirmation)"
    assert all(m.message_id < helped.message_id for m in about_the_send)
    assert raygan.calls["SendMessage"] == 1


async def test_a_guided_flow_typed_in_one_go_is_handled_step_by_step(bridge: World) -> None:
    # Three messages queued before the bot reads any: each must see the state the one before
    # left, or the numbers would arrive before the flow asked for them.
    for text in ("/send", "09121112222", "typed in one go"):
        bridge.say(OPERATOR, OPERATOR, text)
    question = await bridge.reply(OPERATOR)
    count = await bridge.reply(OPERATOR)
    preview = await bridge.reply(OPERATOR)
    assert "شماره‌های گیرنده" in question.text
    assert count.shown.startswith("۱ گیرنده"), count.text
    assert "typed in one go" in preview.text and preview.buttons(), preview.text
