"""Forwarding's storage: the parts of a long SMS, chats Telegram refuses, groups upgraded to
supergroups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage_backends import Backend

from providers.base import IncomingSms
from storage.base import Storage
from storage.errors import NotFoundError

LINE = "50002910001080"
OTHER_LINE = "10002188"
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ADMIN_CHAT = -100100
GROUP = -100200
OTHER_GROUP = -100300
OLD_GROUP = -4000400
NEW_GROUP = -1004000400
BACKOFF = (60.0, 300.0, 3600.0)


def sms(key: str, line: str = LINE, seconds: int = 0) -> IncomingSms:
    return IncomingSms(line, "+989121234567", f"body {key}", T0 + timedelta(seconds=seconds), key)


async def store(
    storage_backend: Storage, *keys: str, chats: list[int], line: str = LINE
) -> list[int]:
    new = await storage_backend.store_incoming(
        "raygan", line, [sms(k, line, i) for i, k in enumerate(keys)], chat_ids=chats, cursor="c"
    )
    return [m.id for m in new]


async def waiting(storage_backend: Storage, chat_id: int) -> list[int]:
    return [p.incoming.id for p in await storage_backend.pending_forwards(chat_id=chat_id)]


# -- parts ---------------------------------------------------------------------------------------


async def test_a_long_sms_resumes_at_the_first_part_not_accepted(storage_backend: Storage) -> None:
    (a,) = await store(storage_backend, "a", chats=[GROUP])
    parts = await storage_backend.start_forward_parts(GROUP, a, ["one", "two", "three"])
    assert [(p.part, p.text, p.message_id) for p in parts] == [
        (0, "one", None),
        (1, "two", None),
        (2, "three", None),
    ]
    assert await storage_backend.record_forward_part(GROUP, a, 0, 10) is False
    assert await storage_backend.record_forward_part(GROUP, a, 1, 11) is False
    # Resuming (after a retry or a restart) reads the parts as stored, whatever is rendered now.
    again = await storage_backend.start_forward_parts(GROUP, a, ["a different", "split"])
    assert [(p.text, p.message_id) for p in again] == [
        ("one", 10),
        ("two", 11),
        ("three", None),
    ]
    assert await storage_backend.forward_parts(GROUP, a) == again
    assert await storage_backend.forwards_with_parts(GROUP) == {a}
    assert await waiting(storage_backend, GROUP) == [a]
    with pytest.raises(NotFoundError):
        await storage_backend.record_forward_part(
            GROUP, a, 1, 99
        )  # an accepted part is never redone
    assert await storage_backend.record_forward_part(GROUP, a, 2, 12) is True
    assert await waiting(storage_backend, GROUP) == []
    assert await storage_backend.forward_parts(GROUP, a) == []
    # Every part stands for the SMS (a reply to any of them answers it).
    for message_id in (10, 11, 12):
        link = await storage_backend.get_link(GROUP, message_id)
        assert link is not None and link.incoming_id == a
    history = await storage_backend.history(GROUP)
    assert [e.incoming_id for e in history] == [a]


async def test_parts_only_for_a_forward_that_waits(storage_backend: Storage) -> None:
    (a,) = await store(storage_backend, "a", chats=[GROUP])
    with pytest.raises(NotFoundError):
        await storage_backend.start_forward_parts(OTHER_GROUP, a, ["one", "two"])
    with pytest.raises(ValueError):
        await storage_backend.start_forward_parts(GROUP, a, ["one", ""])
    await storage_backend.mark_forwarded(GROUP, [a], 5)
    with pytest.raises(NotFoundError):
        await storage_backend.start_forward_parts(GROUP, a, ["one", "two"])


async def test_parts_survive_a_restart(backend: Backend, place: Path) -> None:
    async with backend.open(place, None) as opened:
        storage_backend = opened.storage
        (a,) = await store(storage_backend, "a", chats=[GROUP])
        await storage_backend.start_forward_parts(GROUP, a, ["one", "two"])
        await storage_backend.record_forward_part(GROUP, a, 0, 10)
    async with backend.open(place, None) as opened:
        parts = await opened.storage.forward_parts(GROUP, a)
        assert [(p.text, p.message_id) for p in parts] == [("one", 10), ("two", None)]


# -- refused chats -----------------------------------------------------------------------------


async def test_a_refused_chat_backs_off_along_the_schedule(
    storage_backend: Storage,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    first = await storage_backend.record_refusal(GROUP, "Forbidden: bot was kicked", BACKOFF)
    assert (first.refusals, first.retry_at) == (1, clock.now + timedelta(seconds=60))
    start = clock.now
    clock.advance(61)
    second = await storage_backend.record_refusal(GROUP, "Forbidden: bot was kicked", BACKOFF)
    assert (second.refusals, second.retry_at) == (2, clock.now + timedelta(seconds=300))
    for _ in range(3):
        clock.advance(3601)
        later = await storage_backend.record_refusal(GROUP, "Chat not found", BACKOFF)
        assert later.retry_at == clock.now + timedelta(seconds=3600)  # the last step repeats
    assert later.reason == "Chat not found" and later.first_refused_at == start
    assert set(await storage_backend.refused_chats()) == {GROUP}
    assert await storage_backend.clear_refusal(GROUP) is True
    assert await storage_backend.clear_refusal(GROUP) is False
    assert (await storage_backend.record_refusal(GROUP, "again", BACKOFF)).refusals == 1
    with pytest.raises(ValueError):
        await storage_backend.record_refusal(GROUP, "x", ())


async def test_a_route_asked_for_from_a_refused_chat_takes_it_back(
    storage_backend: Storage,
) -> None:
    await storage_backend.record_refusal(GROUP, "Forbidden: bot was kicked", BACKOFF)
    await storage_backend.add_route(LINE, OTHER_GROUP, 1)
    assert set(await storage_backend.refused_chats()) == {GROUP}
    await storage_backend.add_route(LINE, GROUP, 1)
    assert await storage_backend.refused_chats() == {}


async def test_sms_of_a_refused_chat_go_to_the_admin_chat_without_other_routes(
    storage_backend: Storage,
) -> None:
    await storage_backend.sync_config_routes([(LINE, GROUP)])
    a, b = await store(storage_backend, "a", "b", chats=[GROUP])
    await storage_backend.start_forward_parts(GROUP, a, ["one", "two"])
    await storage_backend.record_forward_part(GROUP, a, 0, 10)
    await storage_backend.record_refusal(GROUP, "Forbidden", BACKOFF)
    handed = await storage_backend.hand_over_pending(GROUP, fallback_chat_id=ADMIN_CHAT)
    assert [(h.incoming_id, h.to_chat_id) for h in handed] == [(a, ADMIN_CHAT), (b, ADMIN_CHAT)]
    assert await waiting(storage_backend, GROUP) == []
    assert await waiting(storage_backend, ADMIN_CHAT) == [a, b]
    # The parts posted into the refused chat are no part of the new chat's forward.
    assert await storage_backend.forward_parts(GROUP, a) == []
    assert await storage_backend.forward_parts(ADMIN_CHAT, a) == []
    assert await storage_backend.hand_over_pending(GROUP, fallback_chat_id=ADMIN_CHAT) == []


async def test_sms_of_a_refused_chat_go_to_the_lines_other_routes_once(
    storage_backend: Storage,
) -> None:
    await storage_backend.sync_config_routes([(LINE, GROUP)])
    (a,) = await store(storage_backend, "a", chats=[GROUP])
    await storage_backend.add_route(LINE, OTHER_GROUP, 1)  # routed elsewhere after it was stored
    (b,) = await store(storage_backend, "b", chats=[GROUP, OTHER_GROUP])  # stored for both since
    await storage_backend.record_refusal(GROUP, "Forbidden", BACKOFF)
    handed = await storage_backend.hand_over_pending(GROUP, fallback_chat_id=ADMIN_CHAT)
    assert {(h.incoming_id, h.to_chat_id) for h in handed} == {(a, OTHER_GROUP), (b, OTHER_GROUP)}
    assert await waiting(storage_backend, OTHER_GROUP) == [a, b]  # b once, not twice
    assert await waiting(storage_backend, ADMIN_CHAT) == []
    assert await waiting(storage_backend, GROUP) == []


async def test_a_route_to_another_refused_chat_is_no_way_out(storage_backend: Storage) -> None:
    await storage_backend.sync_config_routes([(LINE, GROUP), (LINE, OTHER_GROUP)])
    (a,) = await store(storage_backend, "a", chats=[GROUP])
    await storage_backend.record_refusal(GROUP, "Forbidden", BACKOFF)
    await storage_backend.record_refusal(OTHER_GROUP, "Forbidden", BACKOFF)
    handed = await storage_backend.hand_over_pending(GROUP, fallback_chat_id=ADMIN_CHAT)
    assert [(h.incoming_id, h.to_chat_id) for h in handed] == [(a, ADMIN_CHAT)]


async def test_with_nowhere_to_go_sms_keep_waiting(storage_backend: Storage) -> None:
    (a,) = await store(storage_backend, "a", chats=[ADMIN_CHAT], line=OTHER_LINE)
    await storage_backend.record_refusal(ADMIN_CHAT, "Forbidden", BACKOFF)
    assert await storage_backend.hand_over_pending(ADMIN_CHAT, fallback_chat_id=ADMIN_CHAT) == []
    assert await waiting(storage_backend, ADMIN_CHAT) == [a]
    (b,) = await store(storage_backend, "b", chats=[GROUP], line=OTHER_LINE)
    await storage_backend.record_refusal(GROUP, "Forbidden", BACKOFF)
    assert await storage_backend.hand_over_pending(GROUP, fallback_chat_id=ADMIN_CHAT) == []
    assert await waiting(storage_backend, GROUP) == [b]


# -- groups upgraded to supergroups --------------------------------------------------------------


async def test_an_upgraded_group_takes_its_routes_settings_and_waiting_sms_along(
    storage_backend: Storage,
) -> None:
    await storage_backend.sync_config_routes([(LINE, OLD_GROUP)])
    await storage_backend.add_route(OTHER_LINE, OLD_GROUP, 1)
    await storage_backend.add_route(OTHER_LINE, GROUP, 1)
    await storage_backend.set_chat_sender(OLD_GROUP, "raygan", LINE)
    done, a, b = await store(storage_backend, "done", "a", "b", chats=[OLD_GROUP])
    await storage_backend.mark_forwarded(OLD_GROUP, [done], 7)
    await storage_backend.start_forward_parts(OLD_GROUP, a, ["one", "two"])
    await storage_backend.record_forward_part(OLD_GROUP, a, 0, 8)
    move = await storage_backend.migrate_chat(OLD_GROUP, NEW_GROUP)
    assert (move.lines, move.pending) == ((OTHER_LINE, LINE), 2)  # lines in order
    assert {(r.line, r.chat_id, r.source) for r in await storage_backend.list_routes()} == {
        (LINE, NEW_GROUP, "config"),
        (OTHER_LINE, NEW_GROUP, "admin"),
        (OTHER_LINE, GROUP, "admin"),
    }
    assert await storage_backend.get_chat_sender(NEW_GROUP) == ("raygan", LINE)
    assert await storage_backend.get_chat_sender(OLD_GROUP) is None
    assert await waiting(storage_backend, NEW_GROUP) == [a, b]
    assert await waiting(storage_backend, OLD_GROUP) == []
    assert (
        await storage_backend.forward_parts(NEW_GROUP, a) == []
    )  # posted there from the first part
    assert [e.incoming_id for e in await storage_backend.history(OLD_GROUP)] == [done]
    assert await storage_backend.current_chat_id(OLD_GROUP) == NEW_GROUP
    assert await storage_backend.current_chat_id(GROUP) == GROUP


async def test_config_routes_and_later_sms_follow_an_upgrade(storage_backend: Storage) -> None:
    await storage_backend.sync_config_routes([(LINE, OLD_GROUP)])
    await storage_backend.migrate_chat(OLD_GROUP, NEW_GROUP)
    # The next start: the config still names the old group.
    await storage_backend.sync_config_routes([(LINE, OLD_GROUP), (OTHER_LINE, GROUP)])
    assert {(r.line, r.chat_id) for r in await storage_backend.list_routes()} == {
        (LINE, NEW_GROUP),
        (OTHER_LINE, GROUP),
    }
    # SMS queued for the old id anyway (the config's admin chat, a poll racing the move) follow.
    a, b = await store(storage_backend, "a", "b", chats=[OLD_GROUP])
    assert await storage_backend.follow_migrations() == 2
    assert await waiting(storage_backend, NEW_GROUP) == [a, b]
    assert await storage_backend.follow_migrations() == 0


async def test_an_upgrade_of_an_upgrade_is_followed_in_one_step(storage_backend: Storage) -> None:
    await storage_backend.migrate_chat(OLD_GROUP, NEW_GROUP)
    await storage_backend.migrate_chat(NEW_GROUP, GROUP)
    assert await storage_backend.current_chat_id(OLD_GROUP) == GROUP
    assert await storage_backend.current_chat_id(NEW_GROUP) == GROUP
    (a,) = await store(storage_backend, "a", chats=[OLD_GROUP])
    await storage_backend.follow_migrations()
    assert await waiting(storage_backend, GROUP) == [a]
    with pytest.raises(ValueError):
        await storage_backend.migrate_chat(GROUP, GROUP)


async def test_an_upgrade_ends_a_refusal(storage_backend: Storage) -> None:
    await storage_backend.record_refusal(OLD_GROUP, "Forbidden", BACKOFF)
    await storage_backend.migrate_chat(OLD_GROUP, NEW_GROUP)
    assert await storage_backend.refused_chats() == {}


# -- conversation by conversation ----------------------------------------------------------------


async def test_pending_conversations_keep_each_senders_waiting_sms_together(
    storage_backend: Storage,
) -> None:
    # Three customers' SMS interleaved, as a burst arrives: a0 b0 c0 a1 b1 c1 a2 b2 c2.
    senders = ["+989121110001", "+989121110002", "+989121110003"]
    burst = [
        IncomingSms(LINE, senders[n], f"{n}:{k}", T0 + timedelta(seconds=3 * k + n), f"{n}{k}")
        for k in range(3)
        for n in range(3)
    ]
    await storage_backend.store_incoming("raygan", LINE, burst, chat_ids=[GROUP], cursor="c")
    oldest_first = await storage_backend.pending_forwards(4, chat_id=GROUP)
    assert [p.incoming.body for p in oldest_first] == ["0:0", "1:0", "2:0", "0:1"]
    # The first two conversations whole, in the order their oldest SMS came.
    two = await storage_backend.pending_conversations(GROUP, 6)
    assert [p.incoming.body for p in two] == ["0:0", "0:1", "0:2", "1:0", "1:1", "1:2"]
    # A limit below a conversation's size cuts it, never mixes in another sender first.
    assert [p.incoming.body for p in await storage_backend.pending_conversations(GROUP, 2)] == [
        "0:0",
        "0:1",
    ]
    first = [p.incoming.id for p in two[:3]]
    await storage_backend.mark_forwarded(GROUP, first, 77)
    rest = await storage_backend.pending_conversations(GROUP, 10)
    assert [p.incoming.body for p in rest] == ["1:0", "1:1", "1:2", "2:0", "2:1", "2:2"]
    assert await storage_backend.pending_conversations(OTHER_GROUP, 10) == []
