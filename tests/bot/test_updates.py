"""The update processor: each chat's updates one after another in arrival order, different chats
at the same time, never more than the bound running at once."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import pytest
from telegram import CallbackQuery, Chat, InlineQuery, Message, Update, User

from bot.updates import ChatOrderedUpdateProcessor, ordering_key

WHEN = datetime(2026, 11, 22, tzinfo=UTC)


def message_update(update_id: int, chat_id: int, user_id: int = 7) -> Update:
    kind = Chat.PRIVATE if chat_id > 0 else Chat.SUPERGROUP
    chat = Chat(chat_id, kind)
    user = User(user_id, "u", is_bot=False)
    return Update(update_id, message=Message(update_id, WHEN, chat, from_user=user, text="x"))


def test_the_key_is_the_chat_else_the_sender() -> None:
    assert ordering_key(message_update(1, -100123, user_id=5)) == -100123
    user = User(5, "u", is_bot=False)
    button = CallbackQuery(
        "q", user, "ci", message=Message(9, WHEN, Chat(-100123, Chat.SUPERGROUP)), data="d"
    )
    assert ordering_key(Update(2, callback_query=button)) == -100123
    inline = InlineQuery("i", user, "query", "")
    assert ordering_key(Update(3, inline_query=inline)) == 5, "no chat: the sender's"
    assert ordering_key("a custom update") is None


async def run_all(
    processor: ChatOrderedUpdateProcessor, updates: list[Update], delay: dict[int, float]
) -> tuple[list[tuple[str, int, int]], int]:
    """Hand every update to the processor as PTB does (one task each, in order); the log of
    (start|end, chat, update id) and the most handlers seen running at once."""
    log: list[tuple[str, int, int]] = []
    running = 0
    most = 0

    async def handle(update: Update) -> None:
        nonlocal running, most
        assert update.effective_chat is not None
        chat = update.effective_chat.id
        running += 1
        most = max(most, running)
        log.append(("start", chat, update.update_id))
        await asyncio.sleep(delay[update.update_id])
        log.append(("end", chat, update.update_id))
        running -= 1

    async with processor:
        tasks = [asyncio.create_task(processor.process_update(u, handle(u))) for u in updates]
        await asyncio.gather(*tasks)
    return log, most


async def test_one_chats_updates_run_one_after_another_in_arrival_order() -> None:
    rng = random.Random(6)
    chats = [-1001, -1002, 33, 44]
    updates = [message_update(i, rng.choice(chats)) for i in range(1, 121)]
    # Early updates slower than late ones: without the chain the late ones would overtake.
    delay = {u.update_id: rng.uniform(0, 0.02) * (1 + (u.update_id < 60)) for u in updates}
    log, _ = await run_all(ChatOrderedUpdateProcessor(max_running=8), updates, delay)
    for chat in chats:
        events = [(kind, uid) for kind, c, uid in log if c == chat]
        expected = sorted(u.update_id for u in updates if u.effective_chat.id == chat)  # type: ignore[union-attr]
        assert [uid for kind, uid in events if kind == "start"] == expected
        # Never two of one chat at once: each start follows the previous one's end.
        for i in range(0, len(events), 2):
            assert events[i] == ("start", expected[i // 2])
            assert events[i + 1] == ("end", expected[i // 2])


async def test_a_slow_chat_does_not_hold_up_the_others() -> None:
    slow = [message_update(i, -1001) for i in range(1, 6)]
    fast = [message_update(i, 40 + i) for i in range(6, 11)]
    delay = {**{u.update_id: 0.3 for u in slow}, **{u.update_id: 0.0 for u in fast}}
    log, _ = await run_all(ChatOrderedUpdateProcessor(max_running=4), slow + fast, delay)
    first_slow_end = log.index(("end", -1001, 1))
    fast_ends = [i for i, (kind, chat, _) in enumerate(log) if kind == "end" and chat != -1001]
    assert len(fast_ends) == 5 and max(fast_ends) < first_slow_end


async def test_no_more_than_the_bound_run_at_once() -> None:
    updates = [message_update(i, -1000 - i) for i in range(1, 41)]
    delay = {u.update_id: 0.01 for u in updates}
    processor = ChatOrderedUpdateProcessor(max_running=3)
    _, most = await run_all(processor, updates, delay)
    assert most == 3


def test_bounds_must_make_sense() -> None:
    with pytest.raises(ValueError, match="max_running"):
        ChatOrderedUpdateProcessor(max_running=0)
    with pytest.raises(ValueError, match="max_running"):
        ChatOrderedUpdateProcessor(max_running=10, max_held=5)
