"""A routed chat Telegram refuses for good (bot kicked, not a member, chat not found) hands its
SMS to the line's current route or the admin chat, is backed off instead of hammered, and the
admins are told once; a group upgraded to a supergroup is followed to its new id."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from bridge_harness import (
    ADMIN,
    ADMIN_CHAT,
    PAYAMAK_LINE,
    RAYGAN_LINE,
    SUPPORT_GROUP,
    World,
    wait_for,
)

from sandbox.telegram import FakeMessage

CUSTOMER = "09127654321"
NEW_GROUP = -1005550001111
OLD_GROUP = -4005550002222  # a basic group (no -100 prefix): one that can be upgraded
QUIET_SECONDS = 3.0  # long enough for ten forwarding rounds (every 0.3 s in the harness)


def bodies(tag: str, count: int) -> list[str]:
    """Distinct bodies, none a substring of another."""
    return [f"«{tag}-{i:02d}» پیام <{i}> & ادامه" for i in range(count)]


def inject(world: World, texts: list[str]) -> None:
    """SMS on the RayganSMS line, one second apart, oldest first."""
    start = int(time.time()) - len(texts) - 5
    for offset, body in enumerate(texts):
        world.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body, date=start + offset)


def arrived_once_in_order(world: World, chat: int, expected: list[str]) -> bool:
    """Every body is in the chat, each in one message once, in the given order."""
    messages = world.fake.bot_messages(chat)
    where = [[i for i, m in enumerate(messages) if body in m.text] for body in expected]
    if any(not w for w in where):
        return False
    assert all(len(w) == 1 for w in where), "an SMS was forwarded twice"
    assert [w[0] for w in where] == sorted(w[0] for w in where), "SMS out of order"
    return True


def nowhere(world: World, chat: int, texts: list[str]) -> bool:
    """None of the bodies is in the chat."""
    return not any(body in m.text for m in world.fake.bot_messages(chat) for body in texts)


def alerts_about(world: World, *chat_ids: int) -> Callable[[FakeMessage], bool]:
    """A predicate: an admin-chat message that names every one of the chats."""
    return lambda m: all(str(c) in m.text for c in chat_ids)


def count_alerts(world: World, *chat_ids: int) -> int:
    """How many messages in the admin chat name every one of the chats."""
    match = alerts_about(world, *chat_ids)
    return sum(1 for m in world.fake.bot_messages(ADMIN_CHAT) if match(m))


def sends_to(world: World, chat: int) -> int:
    """How many times the bridge tried to post into `chat`, whatever Telegram answered."""
    return len(world.fake.calls("sendMessage", chat_id=chat))


def pending(world: World, chat: int) -> int:
    """SMS still waiting to reach `chat`."""
    with world.db() as db:
        row = db.execute(
            "SELECT count(*) FROM forwards WHERE chat_id = ? AND message_id IS NULL", (chat,)
        ).fetchone()
    return int(row[0])


def routes(world: World) -> set[tuple[str, int]]:
    """The stored routes as (line, chat)."""
    with world.db() as db:
        return {(r[0], int(r[1])) for r in db.execute("SELECT line, chat_id FROM routes")}


@pytest.mark.parametrize(
    "how", ["kicked", "left", "chat-not-found"], ids=["kicked", "not-a-member", "chat-not-found"]
)
async def test_sms_for_a_chat_telegram_refuses_go_to_the_admin_chat_with_one_alert(
    bridge: World, how: str
) -> None:
    fake = bridge.fake
    first = bodies(f"{how}-a", 3)
    inject(bridge, first[:1])
    await fake.wait_until(lambda: arrived_once_in_order(bridge, SUPPORT_GROUP, first[:1]))
    if how == "chat-not-found":
        fake.delete_chat(SUPPORT_GROUP)
    else:
        fake.remove_bot(SUPPORT_GROUP, kicked=how == "kicked")
    before = sends_to(bridge, SUPPORT_GROUP)
    inject(bridge, first[1:])
    await fake.wait_until(lambda: arrived_once_in_order(bridge, ADMIN_CHAT, first[1:]))
    alert = await bridge.reply(ADMIN_CHAT, alerts_about(bridge, SUPPORT_GROUP))
    reason = {"kicked": "kicked", "left": "not a member", "chat-not-found": "chat not found"}
    assert reason[how] in alert.text.lower()  # Telegram's own words say why
    # More SMS keep coming for the dead chat: they go straight to the admin chat, and the
    # dead chat is not asked again for a while (once per backoff, not once per round).
    later = bodies(f"{how}-b", 2)
    inject(bridge, later)
    await fake.wait_until(lambda: arrived_once_in_order(bridge, ADMIN_CHAT, first[1:] + later))
    await asyncio.sleep(QUIET_SECONDS)
    assert sends_to(bridge, SUPPORT_GROUP) - before == 1
    assert count_alerts(bridge, SUPPORT_GROUP) == 1
    assert pending(bridge, SUPPORT_GROUP) == 0
    assert arrived_once_in_order(bridge, ADMIN_CHAT, first[1:] + later)


async def test_sms_waiting_for_a_dead_chat_go_to_the_new_route_an_admin_made(
    bridge: World,
) -> None:
    fake = bridge.fake
    fake.add_group(NEW_GROUP, "Support 2")
    waiting = bodies("rerouted", 3)
    # Telegram is down for the support group while the SMS come in: they wait for it.
    fake.fail_requests(
        502, methods={"sendMessage"}, matching=lambda p: p["chat_id"] == SUPPORT_GROUP
    )
    inject(bridge, waiting)
    await fake.wait_until(lambda: any(r.status == 502 for r in fake.calls("sendMessage")))
    await wait_for(lambda: pending(bridge, SUPPORT_GROUP) == 3, what="the SMS waiting")
    # Meanwhile the bot was removed from it, and an admin routed the line to another group.
    fake.remove_bot(SUPPORT_GROUP)
    bridge.say(ADMIN, NEW_GROUP, f"/route {RAYGAN_LINE}")
    await bridge.reply(NEW_GROUP)
    fake.clear_failures()
    await fake.wait_until(lambda: arrived_once_in_order(bridge, NEW_GROUP, waiting))
    await bridge.reply(ADMIN_CHAT, alerts_about(bridge, SUPPORT_GROUP))
    later = bodies("rerouted-later", 2)
    inject(bridge, later)
    await fake.wait_until(lambda: arrived_once_in_order(bridge, NEW_GROUP, waiting + later))
    await asyncio.sleep(QUIET_SECONDS)
    assert nowhere(bridge, ADMIN_CHAT, waiting + later)
    assert count_alerts(bridge, SUPPORT_GROUP) == 1
    assert (
        len([r for r in fake.calls("sendMessage", chat_id=SUPPORT_GROUP) if r.status == 403]) == 1
    )
    assert pending(bridge, SUPPORT_GROUP) == 0


async def test_a_group_upgraded_to_a_supergroup_is_followed_with_its_routes_and_sms(
    world: World,
) -> None:
    fake = world.fake
    fake.add_group(OLD_GROUP, "Sales")
    world.overrides["routes"] = [{"line": RAYGAN_LINE, "chat_id": OLD_GROUP}]
    await world.start_bridge()
    before = bodies("before-upgrade", 1)
    inject(world, before)
    await fake.wait_until(lambda: arrived_once_in_order(world, OLD_GROUP, before))
    new_id = fake.migrate_group(OLD_GROUP)
    after = bodies("after-upgrade", 3)
    inject(world, after)
    await fake.wait_until(lambda: arrived_once_in_order(world, new_id, after))
    told = await world.reply(ADMIN_CHAT, alerts_about(world, OLD_GROUP, new_id))
    assert RAYGAN_LINE in told.text
    assert routes(world) == {(RAYGAN_LINE, new_id)}
    assert pending(world, OLD_GROUP) == 0
    refused = [r for r in fake.calls("sendMessage", chat_id=OLD_GROUP) if r.status == 400]
    assert len(refused) == 1
    # After a restart with the config still naming the old group, the new one is used.
    await world.stop_bridge()
    await world.start_bridge()
    again = bodies("after-restart", 1)
    inject(world, again)
    await fake.wait_until(lambda: arrived_once_in_order(world, new_id, after + again))
    assert routes(world) == {(RAYGAN_LINE, new_id)}
    # The SMS before the upgrade and the one refusal; a first-start notice may come too (it
    # depends on whether the line's first poll already saw the SMS).
    posted = [
        r
        for r in fake.calls("sendMessage", chat_id=OLD_GROUP)
        if not str(r.params.get("text", "")).startswith("🔔")
    ]
    assert len(posted) == len(before) + 1
    assert count_alerts(world, OLD_GROUP, new_id) == 1
    assert nowhere(world, ADMIN_CHAT, after + again)


async def test_a_group_the_bot_is_back_in_gets_its_sms_again_after_route(bridge: World) -> None:
    fake = bridge.fake
    fake.remove_bot(SUPPORT_GROUP)
    away = bodies("away", 2)
    inject(bridge, away)
    await fake.wait_until(lambda: arrived_once_in_order(bridge, ADMIN_CHAT, away))
    # The bot is added back; an admin says /route there (the route was still in the config).
    fake.add_bot(SUPPORT_GROUP)
    bridge.say(ADMIN, SUPPORT_GROUP, f"/route {RAYGAN_LINE}")
    await bridge.reply(SUPPORT_GROUP)
    back = bodies("back", 2)
    inject(bridge, back)
    await fake.wait_until(lambda: arrived_once_in_order(bridge, SUPPORT_GROUP, back))
    assert nowhere(bridge, ADMIN_CHAT, back)
    assert nowhere(bridge, SUPPORT_GROUP, away)


async def test_an_admin_chat_upgraded_to_a_supergroup_is_followed(world: World) -> None:
    fake = world.fake
    fake.add_group(OLD_GROUP, "SMS admins (old)")
    world.overrides["telegram"] = {"admin_chat_id": OLD_GROUP}
    await world.start_bridge()
    new_id = fake.migrate_group(OLD_GROUP)
    unrouted = bodies("to-admins", 2)  # the Payamak line has no route: the admin chat's
    for body in unrouted:
        world.sandbox.payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, body)
    await fake.wait_until(lambda: arrived_once_in_order(world, new_id, unrouted))
    told = await world.reply(new_id, alerts_about(world, OLD_GROUP, new_id))
    assert "⚠️" not in told.text
    later = bodies("to-admins-later", 1)
    world.sandbox.payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, later[0])
    await fake.wait_until(lambda: arrived_once_in_order(world, new_id, unrouted + later))
    assert len(fake.calls("sendMessage", chat_id=OLD_GROUP)) == 1


async def test_a_refused_chat_is_asked_again_after_its_backoff_and_taken_back(
    bridge: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real schedule starts at a minute; a second here, so the test need not wait one.
    monkeypatch.setattr("bot.forwarding.service.REFUSED_CHAT_BACKOFF", (1.0,))
    fake = bridge.fake
    fake.remove_bot(SUPPORT_GROUP)
    away = bodies("backoff-away", 1)
    inject(bridge, away)
    await fake.wait_until(lambda: arrived_once_in_order(bridge, ADMIN_CHAT, away))
    fake.add_bot(SUPPORT_GROUP)  # nobody says /route: only the backoff brings it back
    await asyncio.sleep(1.5)
    back = bodies("backoff-back", 2)
    inject(bridge, back)
    await fake.wait_until(lambda: arrived_once_in_order(bridge, SUPPORT_GROUP, back))
    await bridge.reply(
        ADMIN_CHAT, lambda m: m.text.startswith("✅") and str(SUPPORT_GROUP) in m.text
    )
    assert nowhere(bridge, ADMIN_CHAT, back)
    with bridge.db() as db:
        assert db.execute("SELECT count(*) FROM refused_chats").fetchone()[0] == 0
