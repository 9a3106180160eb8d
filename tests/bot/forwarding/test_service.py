"""The forwarding service without Telegram: a long SMS resumes at the first part not posted,
a refused chat is backed off and its SMS handed on (the admins told only the first time), a
backed-off chat is recognised, an upgraded group is followed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.forwarding.service import REFUSED_CHAT_BACKOFF, Forwarding
from providers.base import IncomingSms
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

LINE = "50002910001080"
ADMIN_CHAT = -100100
GROUP = -100200
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class PostFailed(Exception):
    """Stands for Telegram refusing one post (the service lets it through)."""


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    db = await open_database(tmp_path / "db.sqlite3")
    try:
        yield SqliteStorage(db)
    finally:
        await db.close()


async def stored(repo: SqliteStorage, key: str, chat_id: int = GROUP) -> int:
    [message] = await repo.store_incoming(
        "raygan",
        LINE,
        [IncomingSms(LINE, "+989121234567", f"body {key}", T0, key)],
        chat_ids=[chat_id],
        cursor=key,
    )
    return message.id


async def test_a_long_sms_resumes_at_the_first_part_not_posted(repo: SqliteStorage) -> None:
    forwarding = Forwarding(repo, ADMIN_CHAT)
    await stored(repo, "a")
    [message] = await forwarding.backlog(GROUP)
    posted: list[str] = []
    renders: list[int] = []

    def render() -> list[str]:
        renders.append(1)
        return ["part 1", "part 2", "part 3"]

    async def refuse_part_two(text: str) -> int:
        if text == "part 2":
            raise PostFailed(text)
        posted.append(text)
        return 100 + len(posted)

    async def post(text: str) -> int:
        posted.append(text)
        return 100 + len(posted)

    with pytest.raises(PostFailed):
        await forwarding.forward_one(GROUP, message, render, refuse_part_two)
    assert posted == ["part 1"]
    assert [m.id for m in await forwarding.backlog(GROUP)] == [message.id], "still waiting"
    await forwarding.forward_one(GROUP, message, render, post)
    assert posted == ["part 1", "part 2", "part 3"], "each part once, in order"
    assert renders == [1], "the stored parts are posted, not a new rendering"
    assert await forwarding.backlog(GROUP) == []


async def test_a_short_sms_is_one_post(repo: SqliteStorage) -> None:
    forwarding = Forwarding(repo, ADMIN_CHAT)
    await stored(repo, "a")
    [message] = await forwarding.backlog(GROUP)
    posted: list[str] = []

    async def post(text: str) -> int:
        posted.append(text)
        return 7

    await forwarding.forward_one(GROUP, message, lambda: ["the sms"], post)
    assert posted == ["the sms"]
    assert await forwarding.backlog(GROUP) == []


async def test_a_refused_chat_is_backed_off_and_its_sms_handed_to_the_admin_chat(
    repo: SqliteStorage,
) -> None:
    forwarding = Forwarding(repo, ADMIN_CHAT)
    incoming = await stored(repo, "a")
    refusal = await forwarding.refuse(GROUP, "Forbidden: bot was kicked from the group chat")
    assert refusal.first and (refusal.handed, refusal.to_chats) == (1, (ADMIN_CHAT,))
    assert refusal.state.retry_at - refusal.state.refused_at == timedelta(
        seconds=REFUSED_CHAT_BACKOFF[0]
    )
    assert [m.id for m in await forwarding.backlog(ADMIN_CHAT)] == [incoming]
    # While backed off, what comes for the chat is handed on without asking Telegram.
    turns = {t.chat_id: t for t in await forwarding.chats_waiting(datetime.now(UTC))}
    assert not turns[ADMIN_CHAT].backed_off
    later = await stored(repo, "b")
    turns = {t.chat_id: t for t in await forwarding.chats_waiting(datetime.now(UTC))}
    assert turns[GROUP].backed_off and turns[GROUP].refusal is not None
    assert await forwarding.hand_over(GROUP)
    assert [m.id for m in await forwarding.backlog(ADMIN_CHAT)] == [incoming, later]
    # Refused again after the wait: not the first time any more (the admins were told).
    again = await forwarding.refuse(GROUP, "Forbidden: bot was kicked from the group chat")
    assert not again.first and again.handed == 0
    assert await forwarding.accepted_again(GROUP)
    assert not await forwarding.accepted_again(GROUP)


async def test_an_upgraded_group_takes_its_waiting_sms_along(repo: SqliteStorage) -> None:
    forwarding = Forwarding(repo, ADMIN_CHAT)
    old, new = -4000400, -1004000400
    await repo.add_route(LINE, old, created_by=None)
    incoming = await stored(repo, "a", chat_id=old)
    move = await forwarding.follow_upgrade(old, new)
    assert (move.lines, move.pending) == ((LINE,), 1)
    assert [m.id for m in await forwarding.backlog(new)] == [incoming]
    assert not await forwarding.follow_migrations(), "nothing more to follow"


async def test_a_chat_with_topics_reads_its_backlog_conversation_by_conversation(
    repo: SqliteStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A burst interleaves customers; with a batch smaller than the backlog, read oldest-first
    # it would hold one SMS of each and no topic could get a digest.
    monkeypatch.setattr("bot.forwarding.service.FORWARD_BATCH", 6)
    customers = [f"+98912111000{n}" for n in range(4)]
    burst = [
        IncomingSms(LINE, customers[n], f"{n}:{k}", T0 + timedelta(seconds=4 * k + n), f"{n}{k}")
        for k in range(3)
        for n in range(4)
    ]
    await repo.store_incoming("raygan", LINE, burst, chat_ids=[GROUP], cursor="c")
    forwarding = Forwarding(repo, ADMIN_CHAT)
    plain = [m.body for m in await forwarding.backlog(GROUP)]
    assert plain == ["0:0", "1:0", "2:0", "3:0", "0:1", "1:1"]  # a plain chat: oldest first
    await repo.add_route(LINE, GROUP, None)
    await repo.set_route_topics(LINE, GROUP, True)
    topics = [m.body for m in await forwarding.backlog(GROUP)]
    assert topics == ["0:0", "0:1", "0:2", "1:0", "1:1", "1:2"]
