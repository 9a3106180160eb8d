"""SPEC §7 delivery polling: 100,000 tracked recipients: API calls per recipient over its life
(bounded by the backoff schedule), how long a fresh send's report waits, and the time one poll
cycle takes.

1. The schedule: `bot.delivery.service.first_poll_at` (`[polling] delivery` after the send)
   and `next_poll_at` (`[delivery] backoff_seconds`) with the config's defaults give every
   poll a never-final recipient gets before the give-up age; times the calls one poll costs per
   recipient, that bounds its life's calls (Payamak: at most LIFE_BOUND). The longest wait of a
   report the provider has during the send's first minute is the longest gap between polls
   there plus one tick of the delivery job (`bot.delivery.jobs.DELIVERY_TICK`), bound
   FIRST_MINUTE_BOUND.
2. One cycle: the recipients are really sent through our adapters to the simulators (RayganSMS
   SendMessage groups, Payamak SendSMS recIds), stored through `Storage.create_send` and
   `record_send_result` with their first poll due now, and then the bot's own job
   `bot.delivery.jobs.poll_deliveries` runs once per account, as the JobQueue would run it,
   against the simulators. Its wall time and the provider calls it made are printed.

The simulators run in this process (they are not the figure here; the bulk benchmark isolates
them). `--latency` adds that much per provider call (default none); the least time the calls
of a cycle can take at 100 ms a call is printed for comparison either way.

    .venv/bin/python bench/delivery_polling.py [--recipients 100000] [--payamak-share 0.5]
                                               [--group 1000] [--latency 0]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import aiohttp
from machine import describe_machine

from bot.config import Config, DeliveryConfig, PollingConfig
from bot.context import Account, BotData, Context
from bot.delivery.jobs import DELIVERY_TICK, poll_deliveries
from bot.delivery.service import DELIVERY_BATCH, first_poll_at, next_poll_at
from providers.payamak import MAX_RECIPIENTS as PAYAMAK_CHUNK
from sandbox.bridge_config import bridge_config
from sandbox.server import ProviderSandbox, RunningServer
from storage.base import Storage
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database
from storage.sqlite.leases import SqliteLeases

TOKEN = "1000001:bench-token-not-a-real-one"
USER = "bench"
PASSWORD = "bench-secret"
RAYGAN_LINE = "50002910001080"
PAYAMAK_LINE = "10002188"
CREDIT = 10**12
TEXT = "سفارش شما ارسال شد"
REFERENCE_LATENCY = 0.1  # the bulk benchmark's per-call latency, for the printed comparison
RAYGAN_STATUS_BATCH = 100  # CorrespondingMessageStatus ids per call (the adapter's default)
LIFE_BOUND = 20  # Payamak GetDeliveries2 calls per recipient over its life (one recId a call)
FIRST_MINUTE_BOUND = 15.0  # seconds a report the provider has may wait in a send's first minute


def make_config(sandbox_url: str, db_path: Path) -> Config:
    """The bridge's config with both accounts on the simulators; delivery at its defaults."""
    config = Config.model_validate(
        bridge_config(
            token=TOKEN,
            sandbox_url=sandbox_url,
            db_path=db_path,
            admins=[1],
            admin_chat_id=-1001,
            username=USER,
            passwords={"raygan": PASSWORD, "meli": PASSWORD},
        )
    )
    assert config.delivery == DeliveryConfig()  # the defaults a fresh install runs with
    assert config.polling == PollingConfig()
    return config


# ---------------------------------------------------------------- the schedule


def schedule_polls(data: BotData) -> list[float]:
    """Seconds after the send of every poll a never-final recipient gets, using the bot's
    own `first_poll_at` and `next_poll_at`."""
    sent = datetime(2026, 1, 1, tzinfo=UTC)
    when: datetime | None = first_poll_at(data.config.polling.delivery, sent)
    moments: list[float] = []
    polls = 0
    while when is not None:
        moments.append((when - sent).total_seconds())
        when = next_poll_at(data.config, polls, when)
        polls += 1
    return moments


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:.4g} min"
    return f"{seconds / 3600:.3g} h"


def first_minute_wait(moments: Sequence[float]) -> float:
    """The longest a report the provider gets in the send's first minute waits to be seen: the
    longest gap among the polls up to the first one at or past 60 s, plus one job tick."""
    covering = [0.0, *(m for m in moments if m < 60), min(m for m in moments if m >= 60)]
    return max(b - a for a, b in itertools.pairwise(covering)) + DELIVERY_TICK


def print_schedule(data: BotData, group: int) -> tuple[int, bool]:
    """Print the schedule, the first-minute wait and the life-time call bound per provider;
    returns the poll count and whether both bounds hold."""
    delivery = data.config.delivery
    moments = schedule_polls(data)
    polls = len(moments)
    backoff = ", ".join(_duration(s) for s in delivery.backoff_seconds)
    print(
        f"schedule (PollingConfig and DeliveryConfig defaults): first poll"
        f" {_duration(data.config.polling.delivery)} after the send, then backoff [{backoff}],"
        f" give up after {delivery.give_up_hours:g} h"
    )
    print(
        f"  polls of a recipient that never reaches a final state: {polls}, at "
        + ", ".join(_duration(m) for m in moments)
    )
    wait = first_minute_wait(moments)
    prompt = wait <= FIRST_MINUTE_BOUND
    print(
        f"  a report the provider has during the send's first minute waits at most {wait:g} s"
        f" (longest gap there + {DELIVERY_TICK:g} s job tick); bound {FIRST_MINUTE_BOUND:g} s:"
        f" {'PASS' if prompt else 'FAIL'}"
    )
    per_group = min(group, DELIVERY_BATCH)
    print("  API calls per recipient over its life (at most):")
    bounded = polls <= LIFE_BOUND
    print(
        f"    payamak   GetDeliveries2, one recId a call:        {polls} × 1 = {polls}"
        f"  (bound {LIFE_BOUND}: {'PASS' if bounded else 'FAIL'})"
    )
    print(
        f"    raygansms GroupMessageStatus, one call per group per batch of ≤ {DELIVERY_BATCH}"
        f" due: {polls} × 1/{per_group} = {polls / per_group:.3f}"
    )
    print(
        f"    raygansms CorrespondingMessageStatus, {RAYGAN_STATUS_BATCH} ids a call:"
        f"     {polls} × 1/{RAYGAN_STATUS_BATCH} = {polls / RAYGAN_STATUS_BATCH:.2f}"
    )
    return polls, prompt and bounded


# ---------------------------------------------------------------- filling


async def fill(
    repo: Storage,
    accounts: dict[str, Account],
    numbers: Sequence[str],
    payamak_share: float,
    group: int,
) -> dict[str, int]:
    """Send to `numbers` in sends of `group` (the first share through Payamak, the rest through
    RayganSMS) and store each send with its first poll due now; returns recipients per account."""
    due = datetime.now(UTC) - timedelta(seconds=1)
    split = round(len(numbers) * payamak_share)
    plan = [("meli", PAYAMAK_LINE, numbers[:split]), ("raygan", RAYGAN_LINE, numbers[split:])]
    stored: dict[str, int] = {}
    for name, line, part in plan:
        provider = accounts[name].provider
        stored[name] = 0
        for start in range(0, len(part), group):
            chunk = list(part[start : start + group])
            send, _ = await repo.create_send(
                idempotency_key=f"bench:{name}:{start}",
                account=name,
                line=line,
                text=TEXT,
                chat_id=-1001,
                requested_by=1,
                recipients=[f"+98{n[1:]}" for n in chunk],
            )
            result = await provider.send(line, chunk, TEXT)
            await repo.record_send_result(send.id, result.receipts, next_poll_at=due)
            stored[name] += len(chunk)
    return stored


def _recipient_counts(db_path: Path, account: str) -> tuple[int, int, int, int]:
    """(recipients, polled once, polled more than once, still due now) of `account`."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT COUNT(*), SUM(polls = 1), SUM(polls > 1),"
            " SUM(next_poll_at IS NOT NULL AND next_poll_at <= strftime('%Y-%m-%dT%H:%M:%fZ'))"
            " FROM send_recipients WHERE account = ?",
            (account,),
        ).fetchone()
        failures = conn.execute(
            "SELECT COALESCE(SUM(consecutive_failures), 0) FROM poll_health WHERE account = ?",
            (account,),
        ).fetchone()[0]
    finally:
        conn.close()
    if failures:
        raise SystemExit(f"the delivery job of {account} failed {failures} time(s)")
    return int(row[0]), int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)


# ---------------------------------------------------------------- the cycle


async def run(count: int, payamak_share: float, group: int, latency: float, db_dir: Path) -> int:
    """Fill, run one cycle per account, print; exit status 0 when the schedule keeps its two
    bounds and every recipient was polled exactly once by the cycle."""
    db_path = db_dir / "bench.sqlite3"
    sandbox = ProviderSandbox()
    sandbox.raygan.add_account(USER, PASSWORD, lines=[RAYGAN_LINE], credit=CREDIT)
    sandbox.payamak.add_account(USER, PASSWORD, lines=[PAYAMAK_LINE], credit=CREDIT)
    numbers = [f"0912{(i * 7919) % 10_000_000:07d}" for i in range(count)]
    async with RunningServer(sandbox.build_app()) as server, aiohttp.ClientSession() as session:
        config = make_config(server.url, db_path)
        data = BotData()
        data.config = config
        data.db = await open_database(db_path)
        data.repo = SqliteStorage(data.db)
        data.leases = SqliteLeases()
        data.session = session
        from bot.app import make_provider  # the bot's own wiring of adapters from config

        data.accounts = {a.name: Account(a, make_provider(session, a)) for a in config.accounts}
        try:
            polls, schedule_ok = print_schedule(data, group)
            started = time.perf_counter()
            stored = await fill(data.repo, data.accounts, numbers, payamak_share, group)
            fill_s = time.perf_counter() - started
            print(
                f"filled: {count:,} tracked recipients in {fill_s:.1f} s (sent through the "
                f"adapters, stored by the repository): "
                + ", ".join(f"{n} {c:,}" for n, c in stored.items())
                + f"; RayganSMS groups of {group:,}, Payamak sends of {group:,}"
                f" ({PAYAMAK_CHUNK} a SendSMS)"
            )
            if latency:
                sandbox.raygan.faults.set_latency(latency)
                sandbox.payamak.faults.set_latency(latency)
            ok = schedule_ok
            print(
                f"one poll cycle: bot.delivery.jobs.poll_deliveries per account, batches of "
                f"{DELIVERY_BATCH} due recipients, concurrency "
                f"{config.accounts[0].max_concurrency} per account, "
                f"{latency * 1000:g} ms injected per call"
            )
            for name, simulator in (("raygan", sandbox.raygan), ("meli", sandbox.payamak)):
                if not stored.get(name):
                    continue
                before = sum(simulator.calls.values())
                context = SimpleNamespace(
                    bot_data=data, job=SimpleNamespace(data=name), bot=None, job_queue=None
                )
                started = time.perf_counter()
                await poll_deliveries(cast(Context, context))
                wall = time.perf_counter() - started
                calls = sum(simulator.calls.values()) - before
                total, once, more, still_due = _recipient_counts(db_path, name)
                complete = once == total and more == 0 and still_due == 0
                ok = ok and complete
                concurrency = data.accounts[name].config.max_concurrency
                floor = math.ceil(calls / concurrency) * REFERENCE_LATENCY
                print(
                    f"  {name:<7} {total:7,} recipients  wall {wall:7.2f} s  "
                    f"({wall / total * 1e6:5.0f} µs/recipient)  provider calls {calls:6,} "
                    f"({calls / total:.3f}/recipient)  polled once: {once:,}"
                    f"{'' if complete else f', twice+: {more:,}, still due: {still_due:,}'}"
                )
                print(
                    f"  {'':<7} those calls at {REFERENCE_LATENCY * 1000:g} ms each, "
                    f"{concurrency} at a time, take at least {floor:.1f} s"
                )
            per_call = {
                "meli": polls,
                "raygan": polls / min(group, DELIVERY_BATCH),
            }
            print(
                "life-time bound per recipient (calls): "
                + ", ".join(f"{n} {v:g}" for n, v in per_call.items())
            )
        finally:
            await data.db.close()
    print(
        "PASS: both schedule bounds hold and one cycle polled every due recipient once"
        if ok
        else "FAIL"
    )
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument(
        "--payamak-share", type=float, default=0.5, help="fraction sent through Payamak"
    )
    parser.add_argument("--group", type=int, default=1000, help="recipients per send")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per provider call")
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    args = parser.parse_args(argv)
    if args.recipients < 1 or not 0 <= args.payamak_share <= 1 or args.group < 1:
        parser.error("--recipients ≥ 1, --group ≥ 1, 0 ≤ --payamak-share ≤ 1")
    print(f"machine: {describe_machine()}")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        return asyncio.run(
            run(args.recipients, args.payamak_share, args.group, args.latency, args.keep)
        )
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(
            run(args.recipients, args.payamak_share, args.group, args.latency, Path(tmp))
        )


if __name__ == "__main__":
    sys.exit(main())
