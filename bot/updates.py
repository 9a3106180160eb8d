"""Updates handled concurrently, each chat's in the order Telegram sent them.

PTB's `concurrent_updates(True)` runs every update at once: one chat's "/send", its numbers and
its Send button could then overtake each other, which `ConversationHandler` is not written for.
Handled one at a time instead, one slow provider call (a hung `/send`, a `/credit` retrying its
reads) holds up every other chat. This processor chains the updates of one chat and lets
different chats run side by side.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Handlers running at once, all chats together: each holds at most one database round trip or
# one provider call at a time, and each account bounds its own provider concurrency.
MAX_RUNNING: Final = 32
# Updates handed over by PTB and not yet finished (waiting for their chat's turn or running).
# Past this PTB keeps the rest in its queue, in order, until some finish.
MAX_HELD: Final = 1024


def ordering_key(update: object) -> int | None:
    """What an update keeps its order within: its chat, else its sender (a private chat's id is
    its user's, so a user's chat-less updates queue with their private chat); None for updates
    with neither, which then queue together."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs each chat's updates one after another in arrival order, different chats
    concurrently, at most `max_running` handlers at once."""

    def __init__(self, max_running: int = MAX_RUNNING, max_held: int = MAX_HELD) -> None:
        if max_running < 1 or max_held < max_running:
            raise ValueError("need 1 <= max_running <= max_held")
        # PTB's own bound counts what waits for its chat too; the running bound is ours, taken
        # only once it is the update's turn, so a busy chat cannot fill it with waiters.
        super().__init__(max_concurrent_updates=max_held)
        self._running = asyncio.Semaphore(max_running)
        self._max_running = max_running
        # Per key, the future the key's latest update resolves when it is done.
        self._tails: dict[int | None, asyncio.Future[None]] = {}

    @property
    def max_running(self) -> int:
        """Handlers that may run at the same time, all chats together."""
        return self._max_running

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update to finish, then run this one."""
        key = ordering_key(update)
        previous = self._tails.get(key)
        # Registered before the first await: PTB starts updates in order, so the chain is too.
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = done
        started = False
        try:
            if previous is not None:
                await asyncio.shield(previous)
            async with self._running:
                started = True
                await coroutine
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: it will never run

            def finish(_: object = None) -> None:
                if not done.done():
                    done.set_result(None)
                if self._tails.get(key) is done:
                    del self._tails[key]

            if previous is not None and not previous.done():
                # Cancelled while the previous still runs: the next must still wait for it.
                previous.add_done_callback(finish)
            else:
                finish()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: `Application.stop` waits for every update PTB handed over."""
