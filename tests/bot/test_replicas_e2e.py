"""Two real `sms-bridge run` replicas on one PostgreSQL database, in webhook mode, the Telegram
fake posting updates to both in turn: every incoming SMS forwarded once, every /send sent once
(also an update posted to both), and one replica SIGKILLed: the other takes over polling and
forwarding within 30 s, nothing lost or doubled."""

from __future__ import annotations

from bridge_harness import (
    ADMIN,
    RAYGAN_LINE,
    SUPPORT_GROUP,
    World,
    wait_for,
)
from replica_harness import Replicas

from sandbox.telegram import FakeMessage

TAKEOVER_S = 30.0


def _forwarded(world: World, body: str) -> int:
    return sum(1 for m in world.fake.bot_messages(SUPPORT_GROUP) if body in m.text)


async def _inject_and_see_once(world: World, bodies: list[str], timeout: float) -> None:  # noqa: ASYNC109
    for body in bodies:
        world.sandbox.raygan.inject_incoming(RAYGAN_LINE, "09351234567", body)
    await wait_for(
        lambda: all(_forwarded(world, b) >= 1 for b in bodies),
        what="every SMS forwarded",
        timeout=timeout,
    )


async def test_two_replicas_share_the_work_and_one_takes_over_from_the_other(
    world: World, replicas: Replicas
) -> None:
    raygan = world.sandbox.raygan
    # Every line was polled once (by its leader) before SMS arrive: they are new ones.
    lines = sum(len(a["lines"]) for a in world.config_data()["accounts"])
    await replicas.wait_until(f"SELECT count(*) >= {lines} FROM inbox_cursors", "first polls")
    # Telegram answers late: a second forwarder would find the same SMS still waiting.
    world.fake.slow_methods["sendMessage"] = 0.6
    first = [f"پیام شماره {i}" for i in range(6)]
    await _inject_and_see_once(world, first, timeout=20)

    # Each /send goes to one replica or the other (round-robin): each is sent once.
    sends = [f"/send 0912111{i:04d} سلام {i}" for i in range(4)]
    for text in sends:
        world.say(ADMIN, ADMIN, text)
    await wait_for(lambda: len(raygan.sent) >= len(sends), what="the sends", timeout=20)
    # One update posted to both replicas at once: sent once.
    world.fake.webhook_fan_out = True
    world.say(ADMIN, ADMIN, "/send 09121119999 هر دو")
    await wait_for(lambda: len(raygan.sent) >= len(sends) + 1, what="the doubled send")
    world.fake.webhook_fan_out = False
    posted_to_both = [u for _, u, s in world.fake.webhook_posts if s == 200]
    assert len(posted_to_both) > len(set(posted_to_both)), "one update reached both"
    assert {u for _, u, _ in world.fake.webhook_posts} >= set(posted_to_both)
    hooks_used = {url for url, _, status in world.fake.webhook_posts if status == 200}
    assert hooks_used == set(replicas.hooks), "both replicas answered updates"

    # A guided /send: its four steps reach the replicas in turn (round-robin), so it is
    # started on one and confirmed on the other, and sends once.
    await wait_for(
        lambda: sum("ارسال #" in m.shown for m in world.fake.bot_messages(ADMIN)) >= len(sends) + 1,
        what="every send's confirmation",
    )
    steps_from = len(world.fake.webhook_posts)

    async def step(text: str) -> FakeMessage:
        last = max(m.message_id for m in world.fake.bot_messages(ADMIN))
        world.say(ADMIN, ADMIN, text)
        return await world.reply(ADMIN, lambda m: m.message_id > last)

    question = await step("/send")
    assert "شماره‌های گیرنده" in question.shown
    await step("09127770000")
    preview = await step("از دو نسخه")
    assert "از دو نسخه" in preview.shown and preview.buttons()
    world.fake.press_button(ADMIN, ADMIN, preview.message_id, "send:ok")
    await wait_for(
        lambda: [s.text for s in raygan.sent].count("از دو نسخه") == 1, what="the guided send"
    )
    flow_posts = [(url, u) for url, u, status in world.fake.webhook_posts[steps_from:] if status]
    assert len(flow_posts) == 4
    assert flow_posts[0][0] != flow_posts[-1][0], "started on one replica, confirmed on the other"
    sends.append("guided")

    # The replica polling the inbox dies; the other takes over polling and forwarding.
    leader = replicas.leader_of(f"inbox:{world.config_data()['accounts'][0]['name']}")
    replicas.processes[leader].kill()
    later = [f"پس از مرگ {i}" for i in range(5)]
    await _inject_and_see_once(world, later, timeout=TAKEOVER_S)
    survivor = replicas.processes[1 - leader]
    assert "leading inbox:" in survivor.log_text()

    # Nothing doubled: each SMS once, each send once, one stored send per /send (checked once
    # nothing is waiting: a second poster would have posted before the forward was marked).
    await replicas.wait_until(
        "SELECT count(*) = 0 FROM forwards WHERE message_id IS NULL", "no forward waiting"
    )
    await replicas.wait_until(
        "SELECT count(*) = 0 FROM sends WHERE status = 'submitting'", "no send in flight"
    )
    for body in first + later:
        assert _forwarded(world, body) == 1, body
    assert len(raygan.sent) == len(sends) + 1
    assert await replicas.scalar("SELECT count(*) FROM sends") == len(sends) + 1
    assert await replicas.scalar("SELECT count(*) FROM incoming") == len(first) + len(later)
    assert "Traceback" not in survivor.log_text()
