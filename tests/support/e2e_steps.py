"""Small steps shared by the end-to-end tests of sending, commands and failures.

(On pytest's pythonpath next to bridge_harness; the tests import it as `e2e_steps`.)
"""

from __future__ import annotations

import sqlite3

from bridge_harness import BridgeProcess, World, wait_for

from sandbox.telegram import FakeMessage

# What each simulator counts as "an SMS was asked for".
SEND_METHODS = {"raygan": ("SendMessage",), "payamak": ("SendSMS",)}


async def ask(
    world: World, user: int, chat: int, text: str, reply_to: int | None = None
) -> FakeMessage:
    """`user` writes `text` in `chat`; the bot's next message there."""
    world.say(user, chat, text, reply_to=reply_to)
    return await world.reply(chat)


def say_and_get_update(world: World, user: int, chat: int, text: str) -> int:
    """`user` writes `text` in `chat`; the id of the update Telegram queued for it."""
    world.say(user, chat, text)
    # user_sends is synchronous: the update is pending until the bot's next getUpdates.
    return int(world.fake.pending_updates()[-1]["update_id"])


def send_calls(world: World) -> int:
    """How many send calls both simulators received (whatever they answered)."""
    raygan = sum(world.sandbox.raygan.calls[m] for m in SEND_METHODS["raygan"])
    payamak = sum(world.sandbox.payamak.calls[m] for m in SEND_METHODS["payamak"])
    return raygan + payamak


def nothing_sent(world: World) -> bool:
    """No simulator was asked to send and none recorded an SMS."""
    return (
        send_calls(world) == 0 and not world.sandbox.raygan.sent and not world.sandbox.payamak.sent
    )


def persian_number(value: object) -> str:
    """A count or an amount as Persian messages write it: `۱٬۲۳۴`."""
    return f"{value:,}".translate(str.maketrans("0123456789,.", "۰۱۲۳۴۵۶۷۸۹٬٫"))


def texts(world: World, chat: int) -> list[str]:
    """The bot's messages in `chat` as they read now (what a person reads)."""
    return [m.shown for m in world.fake.bot_messages(chat)]


def now_text(world: World, chat: int, message_id: int) -> str:
    """One message's text as it reads now (after edits; what a person reads)."""
    return world.fake.message(chat, message_id).shown


def sends_rows(world: World) -> list[sqlite3.Row]:
    """Every stored send, oldest first (read-only)."""
    conn = world.db()
    try:
        return list(conn.execute("SELECT * FROM sends ORDER BY id"))
    finally:
        conn.close()


def recipient_states(world: World, send_id: int) -> dict[str, str]:
    """A stored send's recipients (E.164) and their states (read-only)."""
    conn = world.db()
    try:
        rows = conn.execute(
            "SELECT recipient, state FROM send_recipients WHERE send_id = ? ORDER BY id",
            (send_id,),
        )
        return {r["recipient"]: r["state"] for r in rows}
    finally:
        conn.close()


async def stop_gracefully(process: BridgeProcess) -> int:
    """SIGTERM the bridge subprocess and wait for it without blocking this event loop (the
    fakes it talks to while shutting down run here); its exit code."""
    proc = process.proc
    assert proc is not None
    proc.terminate()
    await wait_for(lambda: proc.poll() is not None, "the bridge process to exit after SIGTERM")
    return int(proc.returncode)


def audit_actions(world: World, user: int) -> list[str]:
    """The audit log's actions of one user, oldest first."""
    conn = world.db()
    try:
        rows = conn.execute("SELECT action FROM audit_log WHERE user_id = ? ORDER BY id", (user,))
        return [r["action"] for r in rows]
    finally:
        conn.close()


def stored_role(world: World, user: int) -> str | None:
    """The role stored for a user, if any."""
    conn = world.db()
    try:
        row = conn.execute("SELECT role FROM users WHERE user_id = ?", (user,)).fetchone()
        return None if row is None else str(row["role"])
    finally:
        conn.close()


def credit_calls(world: World) -> int:
    """GetCredit calls both simulators received (the credit job runs first after 5 s)."""
    return world.sandbox.raygan.calls["GetCredit"] + world.sandbox.payamak.calls["GetCredit"]
