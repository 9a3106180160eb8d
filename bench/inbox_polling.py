"""Inbox polling, the cost of one poll (issue 6).

RayganSMS dates some SMS hours before they show up, so each poll reads a look-back (default
6 h) again; Payamak lists its inbox in an order nobody documents, so a poll must find the new
SMS whatever the order. Both are measured through the real adapters against the simulators
over HTTP (in this process, one shared hand-moved clock, `--latency` injected per call), and
every poll's batch is stored through `SqliteStorage.store_inbox` into a fresh SQLite file, as the
inbox job does.

RayganSMS, for each size N: a line holding N SMS spread over the look-back; a first poll (no
plan of windows yet), then `--polls` polls 30 s apart with 2 new SMS each and, halfway, one SMS
dated 2 h before it shows up. Printed: ReceiveMessages calls of the first poll and per steady
poll (max, mean), wall time per poll, store time per poll, cursor writes, and the polls until
the late SMS was fetched. Bound: at most MAX_RECEIVE_CALLS (40) calls a poll; steady about one
call per 80 SMS of the look-back plus one.

Payamak, for each listing order: an inbox of M old SMS; calls of the first poll after the
start (a start read newest first does not learn where the listing ends oldest first, so that
poll may look for it), then of polls with nothing new (bound: 1 in a steady order,
IDLE_CALLS = 5 whatever the order), then of the polls that
read a burst of 60 and of 1,000 new SMS (bound: about one call per 98 in a steady order, at most
50 a poll), and that every SMS was read once.

    .venv/bin/python bench/inbox_polling.py [--sizes 10,100,1000,3000,10000] [--latency 0.1]
        [--polls 20] [--payamak-inbox 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from machine import describe_machine

from providers.base import InboxWindow
from providers.offset_listing import IDLE_CALLS
from providers.payamak import MAX_INBOX_CALLS, PayamakProvider
from providers.raygansms import MAX_RECEIVE_CALLS, RayganSmsProvider
from sandbox.payamak import PayamakSimulator
from sandbox.server import PAYAMAK_API, RAYGAN_API, ProviderSandbox, RunningServer
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

RAYGAN_LINE = "50002910001080"
PAYAMAK_LINE = "10002188"
LOOKBACK = 6 * 3600
POLL_EVERY = 30
WINDOW = InboxWindow(first_start=600, lookback=LOOKBACK)
ORDERS = ("oldest_first", "newest_first", "alternate", "random")


class Clock:
    """Unix seconds shared by the simulators and the adapters, moved by hand."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


@dataclass
class RayganFigures:
    """One look-back size's results."""

    size: int
    first_calls: int
    steady_calls: list[int]
    poll_seconds: list[float]
    store_seconds: list[float]
    cursor_writes: int
    late_after_polls: int | None
    fetched_all: bool


async def raygan_run(
    size: int, polls: int, latency: float, session: aiohttp.ClientSession, tmp: Path
) -> RayganFigures:
    """A line with `size` SMS in its look-back, polled `polls` times after a first poll."""
    clock = Clock()
    sandbox = ProviderSandbox()
    sandbox.raygan.clock = clock
    raygan = sandbox.raygan
    raygan.faults.set_latency(latency)
    rng = random.Random(size)
    now = int(clock.now)
    for n in range(size):
        raygan.inject_incoming(
            RAYGAN_LINE, f"0912{n:07d}", f"m{n}", date=now - rng.randrange(LOOKBACK)
        )
    conn = await open_database(tmp / f"raygan-{size}.sqlite3")
    repo = SqliteStorage(conn)
    figures = RayganFigures(size, 0, [], [], [], 0, None, False)
    async with RunningServer(sandbox.build_app()) as server:
        provider = RayganSmsProvider(
            session, base_url=server.url + RAYGAN_API, username="demo", password="demo", clock=clock
        )
        cursor: str | None = str(now - POLL_EVERY)  # an earlier poll's: not a first start
        late_body = "dated two hours before it shows up"
        for poll in range(polls + 1):
            if poll:
                clock.now += POLL_EVERY
                for k in range(2):
                    raygan.inject_incoming(RAYGAN_LINE, "09350000000", f"new {poll}-{k}")
                if poll == polls // 2:
                    raygan.inject_incoming(RAYGAN_LINE, "09351111111", late_body, late_by=7200)
            calls = raygan.calls["ReceiveMessages"]
            started = time.perf_counter()
            batch = await provider.fetch_inbox(RAYGAN_LINE, cursor, WINDOW)
            fetched = time.perf_counter()
            stored = await repo.store_inbox(
                "raygan", RAYGAN_LINE, batch.messages, chat_ids=[-1], cursor=batch.next_cursor
            )
            done = time.perf_counter()
            made = raygan.calls["ReceiveMessages"] - calls
            if poll == 0:
                figures.first_calls = made
            else:
                figures.steady_calls.append(made)
                figures.poll_seconds.append(fetched - started)
                figures.store_seconds.append(done - fetched)
                figures.cursor_writes += batch.next_cursor != cursor
            if figures.late_after_polls is None and any(m.body == late_body for m in stored.new):
                figures.late_after_polls = poll - polls // 2
            cursor = batch.next_cursor or cursor
        async with conn.execute("SELECT count(*) FROM incoming") as rows:
            row = await rows.fetchone()
        figures.fetched_all = row is not None and row[0] == size + 2 * polls + 1
    await conn.close()
    return figures


@dataclass
class PayamakFigures:
    """One listing order's results."""

    order: str
    settle_calls: int  # the first poll after the start: it may look for where the list ends
    idle_calls: list[int]
    burst_calls: dict[int, list[int]]
    read_once: bool


async def payamak_run(
    order: str, inbox: int, latency: float, session: aiohttp.ClientSession
) -> PayamakFigures:
    """An inbox of `inbox` old SMS listed in `order`: idle polls, then bursts."""
    clock = Clock()
    sim = PayamakSimulator(clock=clock)
    sim.faults.set_latency(latency)
    old = datetime.fromtimestamp(clock.now, UTC) - timedelta(days=3)
    for n in range(inbox):
        sim.inject_incoming(PAYAMAK_LINE, f"0912{n:07d}", f"old {n}", old)
    sandbox = ProviderSandbox(payamak=sim)
    figures = PayamakFigures(order, 0, [], {}, True)
    async with RunningServer(sandbox.build_app()) as server:
        provider = PayamakProvider(
            session,
            base_url=server.url + PAYAMAK_API,
            username="demo",
            password="demo",
            clock=clock,
        )
        sim.set_listing_order(order, seed=1)
        cursor: str | None = None
        while cursor is None:  # the first start (a random order may need two polls)
            cursor = (await provider.fetch_inbox(PAYAMAK_LINE, None, WINDOW)).next_cursor
        for poll in range(11):
            calls = sim.calls["GetMessages"]
            batch = await provider.fetch_inbox(PAYAMAK_LINE, cursor, WINDOW)
            made = sim.calls["GetMessages"] - calls
            if poll == 0:
                figures.settle_calls = made
            else:
                figures.idle_calls.append(made)
            figures.read_once &= batch.messages == ()
            cursor = batch.next_cursor or cursor
        for burst in (60, 1000):
            wanted = {f"burst {burst}-{n}" for n in range(burst)}
            for body in sorted(wanted):
                sim.inject_incoming(PAYAMAK_LINE, "09350000000", body)
            seen: list[str] = []
            figures.burst_calls[burst] = []
            for _ in range(6):  # until read, and one poll more
                calls = sim.calls["GetMessages"]
                batch = await provider.fetch_inbox(PAYAMAK_LINE, cursor, WINDOW)
                figures.burst_calls[burst].append(sim.calls["GetMessages"] - calls)
                seen += [m.body for m in batch.messages]
                cursor = batch.next_cursor or cursor
                if wanted <= set(seen) and len(figures.burst_calls[burst]) > 1:
                    break
            # Read again by a poll that ran out of calls is fine (storage dedupes on MsgID);
            # what counts is that each one was read and none invented.
            figures.read_once &= set(seen) == wanted
    return figures


def raygan_report(figures: RayganFigures) -> tuple[str, bool]:
    steady = figures.steady_calls
    expected = -(-figures.size // 80) + 1
    within = max(steady) <= MAX_RECEIVE_CALLS and figures.first_calls <= MAX_RECEIVE_CALLS
    late = "never" if figures.late_after_polls is None else f"{figures.late_after_polls}"
    line = (
        f"  raygansms  look-back {figures.size:>6} SMS  first poll {figures.first_calls:>3} calls"
        f"  steady {max(steady):>3} max / {statistics.mean(steady):5.1f} mean calls"
        f" (≈ ceil(N/80)+1 = {expected}, bound {MAX_RECEIVE_CALLS})"
        f"  poll {statistics.mean(figures.poll_seconds):6.2f} s"
        f"  store {1000 * statistics.mean(figures.store_seconds):6.1f} ms"
        f"  cursor writes {figures.cursor_writes}/{len(steady)}"
        f"  2 h late SMS fetched after {late} poll(s)"
    )
    ok = within and figures.fetched_all and figures.late_after_polls is not None
    verdict = (
        f"\n             calls ≤ {MAX_RECEIVE_CALLS}: {'PASS' if within else 'FAIL'}"
        f"   every SMS fetched: {'PASS' if figures.fetched_all else 'FAIL'}"
        f"   late SMS fetched: {'PASS' if figures.late_after_polls is not None else 'FAIL'}"
    )
    return line + verdict, ok


def payamak_report(figures: PayamakFigures, inbox: int) -> tuple[str, bool]:
    steady = figures.order in ("oldest_first", "newest_first")
    idle_bound = 1 if steady else IDLE_CALLS
    idle_ok = max(figures.idle_calls) <= idle_bound
    bursts = "  ".join(
        f"burst {k}: {calls} calls" for k, calls in sorted(figures.burst_calls.items())
    )
    per_poll_ok = all(c <= MAX_INBOX_CALLS for calls in figures.burst_calls.values() for c in calls)
    line = (
        f"  payamak    {figures.order:<13} inbox {inbox}  first poll after the start"
        f" {figures.settle_calls} calls, then idle polls {max(figures.idle_calls)} max"
        f" / {statistics.mean(figures.idle_calls):.1f} mean calls (bound {idle_bound})  {bursts}"
        f"\n             idle within bound: {'PASS' if idle_ok else 'FAIL'}"
        f"   ≤ {MAX_INBOX_CALLS} calls a poll: {'PASS' if per_poll_ok else 'FAIL'}"
        f"   every SMS read: {'PASS' if figures.read_once else 'FAIL'}"
    )
    return line, idle_ok and per_poll_ok and figures.read_once


async def main(sizes: list[int], latency: float, polls: int, inbox: int) -> int:
    print(
        f"inbox polling: look-back {LOOKBACK // 3600} h, a poll every {POLL_EVERY} s,"
        f" {latency * 1000:.0f} ms injected per call"
    )
    print(f"machine: {describe_machine()}")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        async with aiohttp.ClientSession() as session:
            for size in sizes:
                text, good = raygan_report(
                    await raygan_run(size, polls, latency, session, Path(tmp))
                )
                print(text, flush=True)
                ok &= good
            for order in ORDERS:
                text, good = payamak_report(
                    await payamak_run(order, inbox, latency, session), inbox
                )
                print(text, flush=True)
                ok &= good
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000,3000,10000")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--polls", type=int, default=20)
    parser.add_argument("--payamak-inbox", type=int, default=10_000)
    args = parser.parse_args(argv)
    try:
        args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes must be numbers separated by commas")
    if args.polls < 2:
        parser.error("--polls must be at least 2")
    return args


if __name__ == "__main__":
    options = parse_args(sys.argv[1:])
    sys.exit(
        asyncio.run(main(options.size_list, options.latency, options.polls, options.payamak_inbox))
    )
