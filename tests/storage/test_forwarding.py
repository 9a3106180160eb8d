"""Forwarding's storage: the parts of a long SMS, chats Telegram refuses, groups upgraded to
supergroups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from providers.base import IncomingSms
from storage.db import open_database
from storage.repository import NotFoundError, Repository

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


async def store(repo: Repository, *keys: str, chats: list[int], line: str = LINE) -> list[int]:
    new = await repo.store_incoming(
        "raygan", line, [sms(k, line, i) for i, k in enumerate(keys)], chat_ids=chats, cursor="c"
    )
    return [m.id for m in new]


async def waiting(repo: Repository, chat_id: int) -> list[int]:
    return [p.incoming.id for p in await repo.pending_forwards(chat_id=chat_id)]


# -- parts ---------------------------------------------------------------------------------------


async def test_a_long_sms_resumes_at_the_first_part_not_accepted(repo: Repository) -> None:
    (a,) = await store(repo, "a", chats=[GROUP])
    parts = await repo.start_forward_parts(GROUP, a, ["one", "two", "three"])
    assert [(p.part, p.text, p.message_id) for p in parts] == [
        (0, "one", None),
        (1, "two", None),
        (2, "three", None),
    ]
    assert await repo.record_forward_part(GROUP, a, 0, 10) is False
    assert await repo.record_forward_part(GROUP, a, 1, 11) is False
    # Resuming (after a retry or a restart) reads the parts as stored, whatever is rendered now.
    again = await repo.start_forward_parts(GROUP, a, ["a different", "split"])
    assert [(p.text, p.message_id) for p in again] == [
        ("one", 10),
        ("two", 11),
        ("three", None),
    ]
    assert await repo.forward_parts(GROUP, a) == again
    assert await repo.forwards_with_parts(GROUP) == {a}
    assert await waiting(repo, GROUP) == [a]
    with pytest.raises(NotFoundError):
        await repo.record_forward_part(GROUP, a, 1, 99)  # an accepted part is never redone
    assert await repo.record_forward_part(GROUP, a, 2, 12) is True
    assert await waiting(repo, GROUP) == []
    assert await repo.forward_parts(GROUP, a) == []
    # Every part stands for the SMS (a reply to any of them answers it).
    for message_id in (10, 11, 12):
        link = await repo.get_link(GROUP, message_id)
        assert link is not None and link.incoming_id == a
    history = await repo.history(GROUP)
    assert [e.incoming_id for e in history] == [a]


async def test_parts_only_for_a_forward_that_waits(repo: Repository) -> None:
    (a,) = await store(repo, "a", chats=[GROUP])
    with pytest.raises(NotFoundError):
        await repo.start_forward_parts(OTHER_GROUP, a, ["one", "two"])
    with pytest.raises(ValueError):
        await repo.start_forward_parts(GROUP, a, ["one", ""])
    await repo.mark_forwarded(GROUP, [a], 5)
    with pytest.raises(NotFoundError):
        await repo.start_forward_parts(GROUP, a, ["one", "two"])


async def test_parts_survive_a_restart(db_path: Path) -> None:
    conn = await open_database(db_path)
    repo = Repository(conn)
    (a,) = await store(repo, "a", chats=[GROUP])
    await repo.start_forward_parts(GROUP, a, ["one", "two"])
    await repo.record_forward_part(GROUP, a, 0, 10)
    await conn.close()
    conn = await open_database(db_path)
    try:
        parts = await Repository(conn).forward_parts(GROUP, a)
        assert [(p.text, p.message_id) for p in parts] == [("one", 10), ("two", None)]
    finally:
        await conn.close()


# -- refused chats -----------------------------------------------------------------------------


async def test_a_refused_chat_backs_off_along_the_schedule(
    repo: Repository,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    first = await repo.record_refusal(GROUP, "Forbidden: bot was kicked", BACKOFF)
    assert (first.refusals, first.retry_at) == (1, clock.now + timedelta(seconds=60))
    start = clock.now
    clock.advance(61)
    second = await repo.record_refusal(GROUP, "Forbidden: bot was kicked", BACKOFF)
    assert (second.refusals, second.retry_at) == (2, clock.now + timedelta(seconds=300))
    for _ in range(3):
        clock.advance(3601)
        later = await repo.record_refusal(GROUP, "Chat not found", BACKOFF)
        assert later.retry_at == clock.now + timedelta(seconds=3600)  # the last step repeats
    assert later.reason == "Chat not found" and later.first_refused_at == start
    assert set(await repo.refused_chats()) == {GROUP}
    assert await repo.clear_refusal(GROUP) is True
    assert await repo.clear_refusal(GROUP) is False
    assert (await repo.record_refusal(GROUP, "again", BACKOFF)).refusals == 1
    with pytest.raises(ValueError):
        await repo.record_refusal(GROUP, "x", ())


async def test_a_route_asked_for_from_a_refused_chat_takes_it_back(repo: Repository) -> None:
    await repo.record_refusal(GROUP, "Forbidden: bot was kicked", BACKOFF)
    await repo.add_route(LINE, OTHER_GROUP, 1)
    assert set(await repo.refused_chats()) == {GROUP}
    await repo.add_route(LINE, GROUP, 1)
    assert await repo.refused_chats() == {}


async def test_sms_of_a_refused_chat_go_to_the_admin_chat_without_other_routes(
    repo: Repository,
) -> None:
    await repo.sync_config_routes([(LINE, GROUP)])
    a, b = await store(repo, "a", "b", chats=[GROUP])
    await repo.start_forward_parts(GROUP, a, ["one", "two"])
    await repo.record_forward_part(GROUP, a, 0, 10)
    await repo.record_refusal(GROUP, "Forbidden", BACKOFF)
    handed = await repo.hand_over_pending(GROUP, fallback_chat_id=ADMIN_CHAT)
    assert [(h.incoming_id, h.to_chat_id) for h in handed] == [(a, ADMIN_CHAT), (b, ADMIN_CHAT)]
    assert await waiting(repo, GROUP) == []
    assert await waiting(repo, ADMIN_CHAT) == [a, b]
    # The parts posted into the refused chat are no part of the new chat's forward.
    assert await repo.forward_parts(GROUP, a) == []
    assert await repo.forward_parts(ADMIN_CHAT, a) == []
    assert await repo.hand_over_pending(GROUP, fallback_chat_id=ADMIN_CHAT) == []


async def test_sms_of_a_refused_chat_go_to_the_lines_other_routes_once(
    repo: Repository,
) -> None:
    await repo.sync_config_routes([(LINE, GROUP)])
    (a,) = await store(repo, "a", chats=[GROUP])
    await repo.add_route(LINE, OTHER_GROUP, 1)  # routed elsewhere after it was stored
    (b,) = await store(repo, "b", chats=[GROUP, OTHER_GROUP])  # stored for both since
    await repo.record_refusal(GROUP, "Forbidden", BACKOFF)
    handed = await repo.hand_over_pending(GROUP, fallback_chat_id=ADMIN_CHAT)
    assert {(h.incoming_id, h.to_chat_id) for h in handed} == {(a, OTHER_GROUP), (b, OTHER_GROUP)}
    assert await waiting(repo, OTHER_GROUP) == [a, b]  # b once, not twice
    assert await waiting(repo, ADMIN_CHAT) == []
    assert await waiting(repo, GROUP) == []


async def test_a_route_to_another_refused_chat_is_no_way_out(repo: Repository) -> None:
    await repo.sync_config_routes([(LINE, GROUP), (LINE, OTHER_GROUP)])
    (a,) = await store(repo, "a", chats=[GROUP])
    await repo.record_refusal(GROUP, "Forbidden", BACKOFF)
    await repo.record_refusal(OTHER_GROUP, "Forbidden", BACKOFF)
    handed = await repo.hand_over_pending(GROUP, fallback_chat_id=ADMIN_CHAT)
    assert [(h.incoming_id, h.to_chat_id) for h in handed] == [(a, ADMIN_CHAT)]


async def test_with_nowhere_to_go_sms_keep_waiting(repo: Repository) -> None:
    (a,) = await store(repo, "a", chats=[ADMIN_CHAT], line=OTHER_LINE)
    await repo.record_refusal(ADMIN_CHAT, "Forbidden", BACKOFF)
    assert await repo.hand_over_pending(ADMIN_CHAT, fallback_chat_id=ADMIN_CHAT) == []
    assert await waiting(repo, ADMIN_CHAT) == [a]
    (b,) = await store(repo, "b", chats=[GROUP], line=OTHER_LINE)
    await repo.record_refusal(GROUP, "Forbidden", BACKOFF)
    assert await repo.hand_over_pending(GROUP, fallback_chat_id=ADMIN_CHAT) == []
    assert await waiting(repo, GROUP) == [b]


# -- groups upgraded to supergroups --------------------------------------------------------------


async def test_an_upgraded_group_takes_its_routes_settings_and_waiting_sms_along(
    repo: Repository,
) -> None:
    await repo.sync_config_routes([(LINE, OLD_GROUP)])
    await repo.add_route(OTHER_LINE, OLD_GROUP, 1)
    await repo.add_route(OTHER_LINE, GROUP, 1)
    await repo.set_chat_sender(OLD_GROUP, "raygan", LINE)
    done, a, b = await store(repo, "done", "a", "b", chats=[OLD_GROUP])
    await repo.mark_forwarded(OLD_GROUP, [done], 7)
    await repo.start_forward_parts(OLD_GROUP, a, ["one", "two"])
    await repo.record_forward_part(OLD_GROUP, a, 0, 8)
    move = await repo.migrate_chat(OLD_GROUP, NEW_GROUP)
    assert (move.lines, move.pending) == ((OTHER_LINE, LINE), 2)  # lines in order
    assert {(r.line, r.chat_id, r.source) for r in await repo.list_routes()} == {
        (LINE, NEW_GROUP, "config"),
        (OTHER_LINE, NEW_GROUP, "admin"),
        (OTHER_LINE, GROUP, "admin"),
    }
    assert await repo.get_chat_sender(NEW_GROUP) == ("raygan", LINE)
    assert await repo.get_chat_sender(OLD_GROUP) is None
    assert await waiting(repo, NEW_GROUP) == [a, b]
    assert await waiting(repo, OLD_GROUP) == []
    assert await repo.forward_parts(NEW_GROUP, a) == []  # posted there from the first part
    assert [e.incoming_id for e in await repo.history(OLD_GROUP)] == [done]
    assert await repo.current_chat_id(OLD_GROUP) == NEW_GROUP
    assert await repo.current_chat_id(GROUP) == GROUP


async def test_config_routes_and_later_sms_follow_an_upgrade(repo: Repository) -> None:
    await repo.sync_config_routes([(LINE, OLD_GROUP)])
    await repo.migrate_chat(OLD_GROUP, NEW_GROUP)
    # The next start: the config still names the old group.
    await repo.sync_config_routes([(LINE, OLD_GROUP), (OTHER_LINE, GROUP)])
    assert {(r.line, r.chat_id) for r in await repo.list_routes()} == {
        (LINE, NEW_GROUP),
        (OTHER_LINE, GROUP),
    }
    # SMS queued for the old id anyway (the config's admin chat, a poll racing the move) follow.
    a, b = await store(repo, "a", "b", chats=[OLD_GROUP])
    assert await repo.follow_migrations() == 2
    assert await waiting(repo, NEW_GROUP) == [a, b]
    assert await repo.follow_migrations() == 0


async def test_an_upgrade_of_an_upgrade_is_followed_in_one_step(repo: Repository) -> None:
    await repo.migrate_chat(OLD_GROUP, NEW_GROUP)
    await repo.migrate_chat(NEW_GROUP, GROUP)
    assert await repo.current_chat_id(OLD_GROUP) == GROUP
    assert await repo.current_chat_id(NEW_GROUP) == GROUP
    (a,) = await store(repo, "a", chats=[OLD_GROUP])
    await repo.follow_migrations()
    assert await waiting(repo, GROUP) == [a]
    with pytest.raises(ValueError):
        await repo.migrate_chat(GROUP, GROUP)


async def test_an_upgrade_ends_a_refusal(repo: Repository) -> None:
    await repo.record_refusal(OLD_GROUP, "Forbidden", BACKOFF)
    await repo.migrate_chat(OLD_GROUP, NEW_GROUP)
    assert await repo.refused_chats() == {}
