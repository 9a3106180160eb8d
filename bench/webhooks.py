"""SPEC §7 webhooks: events reach a receiver within 2 s of being stored (p99), and a receiver
that is down for a while (a minute by default) gets every event afterwards, none missing,
duplicates only by `event_id`.

The real bridge (`bot.app.RunningBridge`: its webhook sender job, SQLite in a temp folder)
runs in this process against the RayganSMS simulator, the Telegram fake and a local
receiver (aiohttp) that answers 200 and records each POST. Events come from both sources:
messages POSTed through the API (each recipient's `sms.status` changes: sent, delivered) and
incoming SMS injected on the line (`sms.received`).

1. Live: `--messages` API sends and as many incoming SMS over a few seconds; each event's
   delay is the receiver's clock at arrival less the event's `created_at` (when it was stored).
2. Down: the receiver stops listening (connections refused) for `--down` seconds while as
   many events again are made; then it comes back. Every event stored must arrive, each
   event_id with the same bytes every time it arrives, signed.

    .venv/bin/python bench/webhooks.py [--messages 300] [--down 60]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import socket
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from machine import describe_machine

from bot.app import RunningBridge
from bot.config import Config
from sandbox.bridge_config import bridge_config
from sandbox.server import ProviderSandbox, RunningServer
from sandbox.telegram import TelegramFake

TOKEN = "1000001:bench-token-not-a-real-one"
KEY = "bench-api-key-0123456789abcdef"
SECRET = "bench-webhook-secret-0123456789"
ADMIN = 111111111
ADMIN_CHAT = -1001234567890
RAYGAN_LINE = "50002910001080"
BOUND_P99 = 2.0
BACKOFF = [1.0, 2.0, 5.0, 10.0]


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Receiver:
    """A receiver on a fixed port that can go down and come back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.got: list[tuple[bytes, str, float]] = []  # body, signature, arrival (epoch s)
        self._runner: web.AppRunner | None = None

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.got.append((body, request.headers.get("X-SMS-Bridge-Signature", ""), time.time()))
        return web.json_response({"ok": True})

    async def start(self) -> None:
        """Listen."""
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Stop listening (connections refused)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def make_config(telegram_url: str, sandbox_url: str, db: Path, api_port: int, hook: str) -> Config:
    """The bridge with its API and webhooks to `hook`."""
    return Config.model_validate(
        bridge_config(
            token=TOKEN,
            telegram_url=telegram_url,
            sandbox_url=sandbox_url,
            db_path=db,
            admins=[ADMIN],
            admin_chat_id=ADMIN_CHAT,
            accounts=["raygan"],
            polling={"inbox": 0.5, "delivery": 1, "credit": 3600},
            delivery={"backoff_seconds": [1.0, 2.0], "give_up_hours": 1},
            api={
                "listen": f"127.0.0.1:{api_port}",
                "webhook_url": hook,
                "webhook_secret": SECRET,
                "webhook_backoff_seconds": BACKOFF,
                "rate_per_second": 1e6,
                "rate_burst": 10**6,
                "keys": [{"name": "bench", "key": KEY, "scopes": ["sms:send"]}],
            },
        )
    )


async def make_events(
    http: aiohttp.ClientSession, api: str, sandbox: ProviderSandbox, count: int, tag: str
) -> None:
    """`count` API sends and `count` incoming SMS, spread over about two seconds."""
    for i in range(count):
        async with http.post(
            f"{api}/v1/messages",
            json={"to": [f"0912{i:07d}"], "text": f"bench {tag} {i}"},
            headers={"Authorization": f"Bearer {KEY}", "Idempotency-Key": f"{tag}-{i}"},
        ) as answer:
            assert answer.status == 202, await answer.text()
        sandbox.raygan.inject_incoming(RAYGAN_LINE, f"0935{i:07d}", f"incoming {tag} {i}")
        await asyncio.sleep(2.0 / count)


def stored(db: Path) -> dict[str, tuple[str, str, bool]]:
    """event_id → (body, created_at, delivered) of every stored event."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT event_id, body, created_at, delivered_at IS NOT NULL FROM webhook_events"
        ).fetchall()
    return {r[0]: (r[1], r[2], bool(r[3])) for r in rows}


async def settle(db: Path, timeout: float) -> bool:  # noqa: ASYNC109
    """Wait until every stored event is delivered and no more come (delivery polls end)."""
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline:
        events = stored(db)
        if events and all(d for _, _, d in events.values()) and len(events) == last:
            return True
        last = len(events)
        await asyncio.sleep(2.0)
    return False


async def run(messages: int, down: float, tmp: Path) -> int:
    """Both phases; 0 when both bounds hold."""
    print(f"machine: {describe_machine()}")
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # busy forwarding skips a tick
    sandbox = ProviderSandbox()
    sandbox.raygan.delivery_step = 0.3
    fake = TelegramFake(TOKEN)
    fake.add_user(ADMIN, "Sara", language_code="fa")
    fake.add_group(ADMIN_CHAT, "SMS admins")
    receiver = Receiver()
    await receiver.start()
    api_port = free_port()
    db = tmp / "bridge.sqlite3"
    async with (
        RunningServer(sandbox.build_app()) as providers,
        RunningServer(fake.build_app()) as telegram,
        aiohttp.ClientSession() as http,
    ):
        hook = f"http://127.0.0.1:{receiver.port}/hook"
        config = make_config(telegram.url, providers.url, db, api_port, hook)
        api = f"http://127.0.0.1:{api_port}"
        async with RunningBridge(config):
            await asyncio.sleep(2.0)  # the first inbox poll: SMS from now on are new
            await make_events(http, api, sandbox, messages, "live")
            settled = await settle(db, 120)
            events = stored(db)
            delays = []
            first_arrival: dict[str, float] = {}
            for body, _sig, at in receiver.got:
                event_id = json.loads(body)["event_id"]
                first_arrival.setdefault(event_id, at)
            for event_id, (_body, created, _d) in events.items():
                if event_id in first_arrival:
                    made = datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp()
                    delays.append(first_arrival[event_id] - made)
            p50, p99 = percentile(delays, 0.5), percentile(delays, 0.99)
            live_ok = settled and len(delays) == len(events) and p99 <= BOUND_P99
            kinds = defaultdict(int)
            for body, _sig, _at in receiver.got:
                kinds[json.loads(body)["type"]] += 1
            print(
                f"live: {len(events)} events stored ({dict(kinds)}) from {messages} API sends "
                f"and {messages} incoming SMS; all delivered: {settled}"
            )
            print(
                f"  stored → received: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
                f"max {max(delays) * 1000:.0f} ms (bound p99 {BOUND_P99:.0f} s): "
                f"{'PASS' if live_ok else 'FAIL'}"
            )

            before = len(receiver.got)
            await receiver.stop()
            began = time.monotonic()
            await make_events(http, api, sandbox, messages, "down")
            await asyncio.sleep(max(0.0, down - (time.monotonic() - began)))
            waiting = sum(1 for _, _, d in stored(db).values() if not d)
            await receiver.start()
            back = time.monotonic()
            settled = await settle(db, 300)
            caught_up = time.monotonic() - back
            events = stored(db)
        await receiver.stop()
    received: dict[str, set[bytes]] = defaultdict(set)
    arrivals: dict[str, int] = defaultdict(int)
    signed = True
    for body, signature, _at in receiver.got:
        event_id = json.loads(body)["event_id"]
        received[event_id].add(body)
        arrivals[event_id] += 1
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        signed = signed and hmac.compare_digest(expected, signature)
    missing = [e for e in events if e not in received]
    changed = [e for e, bodies in received.items() if len(bodies) != 1]
    same_bytes = all(received[e] == {events[e][0].encode()} for e in events if e in received)
    duplicates = sum(n - 1 for n in arrivals.values())
    down_ok = settled and not missing and not changed and same_bytes and signed
    print(
        f"down: the receiver refused connections for {down:.0f} s while {messages} API sends "
        f"and {messages} incoming SMS were made ({waiting} events waiting when it came back; "
        f"retries every {BACKOFF} s, the last repeating)"
    )
    print(
        f"  after it came back: every event delivered in {caught_up:.1f} s; "
        f"{len(events)} events stored, {len(received)} received, {len(missing)} missing, "
        f"{duplicates} duplicates (all by event_id: {not changed and same_bytes}), "
        f"{len(receiver.got) - before} POSTs after the outage began, signatures valid: {signed}"
    )
    print(f"  none missing, duplicates only by event_id: {'PASS' if down_ok else 'FAIL'}")
    return 0 if live_ok and down_ok else 1


def main() -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--down", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as folder:
        return asyncio.run(run(args.messages, args.down, Path(folder)))


if __name__ == "__main__":
    sys.exit(main())
