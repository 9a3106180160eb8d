"""End-to-end harness: both provider simulators, the Telegram fake and the real bridge.

(On pytest's pythonpath; its fixtures are in tests/bot/conftest.py.)

Nothing of our own is mocked: PTB talks HTTP to the Telegram fake, the adapters talk HTTP to
the simulators, and the bridge keeps its state in a real SQLite file under tmp_path.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import RunningBridge
from bot.config import Config
from bot.throttle.service import ServiceClock
from sandbox.bridge_config import bridge_config, with_overrides
from sandbox.server import ProviderSandbox
from sandbox.telegram import FakeMessage, TelegramFake

TOKEN = "1000001:e2e-test-token-not-a-real-one"
ADMIN = 111111111
OPERATOR = 222222222
VIEWER = 333333333
STRANGER = 555555555
ADMIN_CHAT = -1001234567890
SUPPORT_GROUP = -1009876543210
FORUM = -1007770000001  # a forum supergroup (tests of topics)
RAYGAN_LINE = "50002910001080"
PAYAMAK_LINE = "10002188"
WAIT = 15.0
RAYGAN_PASSWORD = "demo-raygan-secret"
PAYAMAK_PASSWORD = "demo-payamak-secret"


def make_config(api_url: str, sandbox_url: str, db_path: Path, **overrides: Any) -> dict[str, Any]:
    """A config (as TOML-shaped data) pointing at the fakes, with fast polling."""
    data = bridge_config(
        token=TOKEN,
        telegram_url=api_url,
        sandbox_url=sandbox_url,
        db_path=db_path,
        admins=[ADMIN],
        admin_chat_id=ADMIN_CHAT,
        passwords={"raygan": RAYGAN_PASSWORD, "meli": PAYAMAK_PASSWORD},
        account_settings={"timeout_seconds": 3, "read_attempts": 1},
        routes={RAYGAN_LINE: SUPPORT_GROUP},
        polling={"inbox": 0.3, "delivery": 0.3, "credit": 3600},
        alerts={"window_seconds": 3600, "failures_before_alert": 3},
        delivery={"backoff_seconds": [0.2, 0.2, 0.3, 0.5], "give_up_hours": 1},
    )
    return with_overrides(data, overrides)


@dataclass
class World:
    """Everything outside the bridge, plus the bridge's config and database path."""

    fake: TelegramFake
    sandbox: ProviderSandbox
    telegram_url: str
    sandbox_url: str
    db_path: Path
    tmp_path: Path
    stack: AsyncExitStack
    bridge: RunningBridge | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    # What time the bridge's scheduled sends go by (None: the wall clock); see MovableClock.
    clock: ServiceClock | None = None

    def config_data(self) -> dict[str, Any]:
        """The bridge's config as data."""
        return make_config(self.telegram_url, self.sandbox_url, self.db_path, **self.overrides)

    def config(self) -> Config:
        """The bridge's config."""
        return Config.model_validate(self.config_data())

    async def start_bridge(self) -> RunningBridge:
        """Start the real bridge in this event loop."""
        if self.clock is None:
            self.bridge = RunningBridge(self.config())
        else:
            self.bridge = RunningBridge(self.config(), clock=self.clock)
        await self.stack.enter_async_context(self.bridge)
        return self.bridge

    async def stop_bridge(self) -> None:
        """Stop the bridge started by start_bridge (and everything after it on the stack)."""
        await self.stack.aclose()
        self.bridge = None

    def inbox_cursors(self) -> dict[tuple[str, str], str]:
        """The stored inbox cursors by (account, line); empty before the database exists."""
        if not self.db_path.exists():
            return {}
        try:
            with self.db() as db:
                rows = db.execute("SELECT account, line, cursor FROM inbox_cursors").fetchall()
        except sqlite3.OperationalError:  # not migrated yet
            return {}
        return {(r["account"], r["line"]): r["cursor"] for r in rows}

    async def first_polls_done(self) -> None:
        """Wait until every configured line has been polled once (its cursor is stored), so SMS
        injected from now on are new ones, not the inbox's history at the first start."""
        lines = {(a["name"], line) for a in self.config_data()["accounts"] for line in a["lines"]}
        await wait_for(
            lambda: lines <= set(self.inbox_cursors()), what="the first poll of every line"
        )

    def say(self, user: int, chat: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
        """A user writes in a chat."""
        return self.fake.user_sends(user, chat, text, reply_to=reply_to)

    async def reply(self, chat: int, predicate: Any = None) -> FakeMessage:
        """The bot's next message in `chat`."""
        return await self.fake.wait_for_bot_message(chat, predicate=predicate, timeout=WAIT)

    def db(self) -> sqlite3.Connection:
        """A read-only look into the bridge's database."""
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        return conn


class MovableClock(ServiceClock):
    """The bridge's clock, running with the wall clock from `start`; a test jumps it."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
        self.set(start)

    def jump(self, seconds: float) -> datetime:
        """Jump forward (or back) by `seconds`; the new now."""
        self.move(timedelta(seconds=seconds))
        return self()

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (it runs on from there)."""
        self.held = None
        self.offset = moment - datetime.now(UTC)


class BridgeProcess:
    """`sms-bridge run` as a real subprocess (for tests that kill it with SIGKILL)."""

    def __init__(self, world: World, config_path: Path, log_path: Path) -> None:
        self._world = world
        self._config_path = config_path
        self._log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the bridge process; its log goes to log_path (appended)."""
        log = self._log_path.open("ab")
        env = {k: v for k, v in os.environ.items() if k != "SMS_BRIDGE_CONFIG"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--config", str(self._config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        log.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)

    async def stop(self) -> None:
        """SIGTERM if still running, and wait without blocking the event loop: the fakes the
        bridge talks to while shutting down run in this loop."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 10)
        except subprocess.TimeoutExpired:
            proc.kill()
            await asyncio.to_thread(proc.wait, 10)

    def log_text(self) -> str:
        """Everything the process logged so far."""
        return self._log_path.read_text(encoding="utf-8", errors="replace")


def write_toml(data: dict[str, Any], path: Path) -> Path:
    """Write TOML-shaped data (tables, arrays of tables, scalars, lists) to `path`."""
    lines: list[str] = []

    def scalar(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return repr(value)
        if isinstance(value, list):
            return "[" + ", ".join(scalar(v) for v in value) + "]"
        escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'

    def tables(value: Any) -> bool:
        return isinstance(value, list) and bool(value) and isinstance(value[0], dict)

    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines += [f"{k} = {scalar(v)}" for k, v in value.items() if not tables(v)]
            for name, items in value.items():  # arrays of tables inside it: [[api.keys]]
                if tables(items):
                    for item in items:
                        lines.append(f"[[{key}.{name}]]")
                        lines += [f"{k} = {scalar(v)}" for k, v in item.items()]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {scalar(v)}" for k, v in item.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


async def wait_for(
    condition: Callable[[], bool],
    what: str = "a condition",
    timeout: float = WAIT,  # noqa: ASYNC109 - the tests' own bound, as in the Telegram fake
) -> None:
    """Poll `condition` (one that no Telegram fake event signals: the database, a simulator,
    a subprocess) every few milliseconds until it holds; AssertionError naming `what` after
    `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)
