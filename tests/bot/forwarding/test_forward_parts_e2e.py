"""A long SMS (several Telegram messages) resumes from the first part Telegram has not
accepted: a 502 on part two, a restart and a SIGKILL in the middle post no part twice and
every part once, and each part stays linked for replies."""

from __future__ import annotations

import re
from typing import Any

from bridge_harness import (
    ADMIN_CHAT,
    OPERATOR,
    PAYAMAK_LINE,
    RAYGAN_LINE,
    SUPPORT_GROUP,
    BridgeProcess,
    World,
    wait_for,
)

from sandbox.telegram import FakeMessage

CUSTOMER = "09127654321"
CUSTOMER_SHOWN = "+98 912 765 4321"
WORDS = 1500  # about 15,000 characters: four Telegram messages
_WORD = re.compile(r"«(\d{4})»")


def long_body(tag: str) -> str:
    """A body of numbered words (none a substring of another), with HTML's special characters."""
    return " ".join(f"{tag}«{i:04d}»{'<&>'[i % 3]}" for i in range(WORDS))


def parts_of(world: World, chat: int, tag: str) -> list[FakeMessage]:
    """The bot's messages in `chat` that carry words of the body."""
    return [m for m in world.fake.bot_messages(chat) if f"{tag}«" in m.text]


def word_counts(world: World, chat: int, tag: str) -> dict[int, int]:
    """How often each numbered word of the body shows in the chat's parts put together (a
    part may end inside a word; Telegram trims the whitespace at a message's edges)."""
    pieces = [
        m.text.partition("\n\n")[2] if CUSTOMER_SHOWN in m.text else m.text
        for m in parts_of(world, chat, tag)
    ]
    joined = "".join("".join(pieces).split())
    counts: dict[int, int] = {}
    for number in re.findall(rf"{re.escape(tag)}«(\d{{4}})»", joined):
        counts[int(number)] = counts.get(int(number), 0) + 1
    return counts


def every_word_once(world: World, chat: int, tag: str) -> bool:
    """True once every word arrived; AssertionError as soon as one shows twice."""
    counts = word_counts(world, chat, tag)
    doubled = sorted(n for n, c in counts.items() if c > 1)
    assert not doubled, f"words posted twice: {doubled[:5]}…"
    return len(counts) == WORDS


class FailFromPart:
    """Matches the sends of the body's part `first` and every later part (parts told apart by
    the first numbered word they carry), so the parts before it go through."""

    def __init__(self, tag: str, first: int) -> None:
        self._tag = tag
        self._first = first
        self.starts: list[int] = []

    def __call__(self, params: dict[str, Any]) -> bool:
        text = str(params.get("text", ""))
        if f"{self._tag}«" not in text:
            return False
        match = _WORD.search(text[text.index(f"{self._tag}«") :])
        assert match is not None
        start = int(match.group(1))
        if start not in self.starts:
            self.starts.append(start)
        return self.starts.index(start) >= self._first - 1


def links_of(world: World, chat: int) -> dict[int, int | None]:
    """message id → the incoming SMS it stands for, in `chat`."""
    with world.db() as db:
        rows = db.execute(
            "SELECT message_id, incoming_id FROM message_links WHERE chat_id = ?", (chat,)
        ).fetchall()
    return {int(r["message_id"]): r["incoming_id"] for r in rows}


def forward_done(world: World, tag: str) -> bool:
    """The SMS is recorded as forwarded (nothing left pending for it)."""
    with world.db() as db:
        row = db.execute(
            "SELECT count(*) FROM forwards f JOIN incoming i ON i.id = f.incoming_id"
            " WHERE f.message_id IS NULL AND i.body LIKE ?",
            (f"{tag}«%",),
        ).fetchone()
    return int(row[0]) == 0


async def test_a_502_on_part_two_posts_no_part_twice_and_every_part_stays_linked(
    bridge: World,
) -> None:
    tag = "p502"
    body = long_body(tag)
    fake = bridge.fake
    part_two = FailFromPart(tag, 2)
    fake.fail_requests(502, times=1, methods={"sendMessage"}, matching=part_two)
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body)
    await fake.wait_until(lambda: every_word_once(bridge, SUPPORT_GROUP, tag), timeout=30)
    assert any(r.status == 502 for r in fake.calls("sendMessage", chat_id=SUPPORT_GROUP))
    parts = parts_of(bridge, SUPPORT_GROUP, tag)
    assert len(parts) >= 3
    assert CUSTOMER_SHOWN in parts[0].text
    assert [m.message_id for m in parts] == sorted(m.message_id for m in parts)
    await wait_for(lambda: forward_done(bridge, tag), what="the forward recorded as done")
    # Every part (the one refused once too) is linked to the SMS, so a reply to any answers it.
    links = links_of(bridge, SUPPORT_GROUP)
    incoming = {links.get(m.message_id) for m in parts}
    assert len(incoming) == 1 and None not in incoming
    reply = bridge.say(OPERATOR, SUPPORT_GROUP, "دریافت شد", reply_to=parts[1].message_id)
    await bridge.reply(SUPPORT_GROUP, lambda m: m.reply_to == reply["message_id"])
    assert [(s.line, s.mobile[-10:], s.text) for s in bridge.sandbox.raygan.sent] == [
        (RAYGAN_LINE, CUSTOMER[-10:], "دریافت شد")
    ]


async def test_a_restart_in_the_middle_of_a_long_sms_posts_the_remaining_parts_once(
    world: World,
) -> None:
    tag = "restart"
    body = long_body(tag)
    fake = world.fake
    from_three = FailFromPart(tag, 3)
    fake.fail_requests(502, methods={"sendMessage"}, matching=from_three)
    await world.start_bridge()
    world.sandbox.payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, body)
    admin_chat = ADMIN_CHAT  # the Payamak line has no route
    await fake.wait_until(
        lambda: any(r.status == 502 and from_three(r.params) for r in fake.calls("sendMessage")),
        timeout=30,
    )
    assert len(parts_of(world, admin_chat, tag)) == 2
    await world.stop_bridge()
    fake.clear_failures()
    await world.start_bridge()
    await fake.wait_until(lambda: every_word_once(world, admin_chat, tag), timeout=30)
    await wait_for(lambda: forward_done(world, tag), what="the forward recorded as done")
    assert every_word_once(world, admin_chat, tag)
    links = links_of(world, admin_chat)
    assert len({links.get(m.message_id) for m in parts_of(world, admin_chat, tag)} - {None}) == 1
    assert all(links.get(m.message_id) for m in parts_of(world, admin_chat, tag))


async def test_sigkill_in_the_middle_of_a_long_sms_posts_the_remaining_parts_once(
    world: World, bridge_process: BridgeProcess
) -> None:
    tag = "sigkill"
    body = long_body(tag)
    fake = world.fake
    from_three = FailFromPart(tag, 3)
    fake.fail_requests(502, methods={"sendMessage"}, matching=from_three)
    bridge_process.start()
    world.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body)
    await fake.wait_until(
        lambda: any(r.status == 502 and from_three(r.params) for r in fake.calls("sendMessage")),
        timeout=45,
    )
    bridge_process.kill()
    assert len(parts_of(world, SUPPORT_GROUP, tag)) == 2

    # A retry the bridge wrote just before it died is still refused, not let through.
    await fake.settle()
    fake.clear_failures()
    bridge_process.start()
    await fake.wait_until(lambda: every_word_once(world, SUPPORT_GROUP, tag), timeout=45)
    # A later SMS arriving shows the restarted bridge went past the long one.
    marker = "پیامک بعد از راه‌اندازی دوباره"
    world.sandbox.raygan.inject_incoming(RAYGAN_LINE, "09120000001", marker)
    await world.reply(SUPPORT_GROUP, lambda m: marker in m.text)
    assert every_word_once(world, SUPPORT_GROUP, tag)
    assert forward_done(world, tag)
    links = links_of(world, SUPPORT_GROUP)
    assert all(links.get(m.message_id) for m in parts_of(world, SUPPORT_GROUP, tag))
    assert "Traceback" not in bridge_process.log_text()
    bridge_process.kill()
