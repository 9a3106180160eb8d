"""Issue 13: the inbound and delivery throughput of one `sms-bridge run` replica vs two, on one
throwaway PostgreSQL database.

For each replica count (1, then 2) the real processes run in webhook mode against the Telegram
fake (no flood limit: it answers every call, so the bridge and PTB's own rate limiter are what
is measured) and the provider simulators, both served by this process, as the e2e tests do
(`tests/support/replica_harness.py`). `--accounts` accounts, RayganSMS and Payamak in turn,
each with its own line routed to its own group, so that work led per (job, account) can split.
`--rounds` rounds of the two phases, one after the other; their median times are compared.

- inbound: `--sms` SMS injected at once across the lines, each body marked `#bNNNNN`; the time
  until every mark shows in its line's group; lost (never shown) and doubled (shown twice).
  A round starts at least `--gap` (a minute) after the one before ended, so that PTB's limiter
  of 20 messages a minute into a group starts empty in every round, as in the first.
- delivery: `--recipients` tracked recipients, really sent through our adapters to the
  simulators and stored in the shared database (sends of 100) with their next poll far off,
  then all made due at once; the time until every one is polled and its report (delivered)
  stored; doubled = polled more than once.

Each phase counts the provider calls the simulators answered; the run counts the 429s the fake
answered and the ERROR lines the replicas logged, and tells which replica led what.
Bound: two replicas take at most 1.2 × one replica's time in each phase; the delivery phase
makes the same status calls with one replica and two (the inbox listings depend on how long
a phase runs, so they are shown, not compared); 0 lost, 0 doubled, no ERROR line.

    .venv/bin/python bench/replicas.py [--sms 2400] [--recipients 8000] [--accounts 4]
                                       [--latency 0.075] [--rounds 3] [--gap 60]
                                       [--timeout 600]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from inbound_burst import BODIES
from machine import describe_machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from bridge_harness import ADMIN, ADMIN_CHAT, TOKEN, World  # noqa: E402
from postgres_server import shared_server  # noqa: E402
from replica_harness import Replicas, running_replicas  # noqa: E402

from bot.app import make_provider  # noqa: E402
from bot.config import Config  # noqa: E402
from sandbox.server import PAYAMAK_API, RAYGAN_API, ProviderSandbox, RunningServer  # noqa: E402
from sandbox.telegram import TelegramFake  # noqa: E402
from storage.postgres import PgStorage  # noqa: E402
from storage.postgres.db import open_pool  # noqa: E402

BOUND_RATIO = 1.2
GROUP_WINDOW_S = 60.0  # PTB's AIORateLimiter: 20 messages a minute into one group
SEND_GROUP = 100  # recipients per stored send (a RayganSMS group, one Payamak SendSMS)
DELIVERY_STEP = 0.2  # simulator seconds per delivery state: final after 2 steps
CREDIT = 10**12
TEXT = "سفارش شما ارسال شد"
MARK = re.compile(r"#b(\d{5})\b")
ERROR_LINE = re.compile(r"\S+ \S+ ERROR ")  # bot.logs.LOG_FORMAT: date, time, level
LISTING_METHODS = {"ReceiveMessages", "GetMessages"}  # the inbox polls, going on meanwhile
CREDIT_METHODS = {"GetCredit"}


@dataclass(frozen=True)
class BenchAccount:
    """One provider account of the bench: its simulator, line and the group it is routed to."""

    name: str
    provider: str
    line: str
    chat_id: int
    username: str
    password: str


def bench_accounts(count: int) -> list[BenchAccount]:
    """`count` accounts, RayganSMS and Payamak in turn, each one line routed to its own group."""
    accounts = []
    for i in range(count):
        raygan = i % 2 == 0
        accounts.append(
            BenchAccount(
                name=f"{'raygan' if raygan else 'meli'}{i + 1}",
                provider="raygansms" if raygan else "payamak",
                line=f"5000291000{i + 1:04d}" if raygan else f"1000{i + 1:04d}",
                chat_id=-1009000000000 - i,
                username=f"bench{i + 1}",
                password=f"bench-secret-{i + 1}",
            )
        )
    return accounts


def overrides(accounts: list[BenchAccount], sandbox_url: str) -> dict[str, Any]:
    """The world's config overrides: these accounts and routes, quick polling."""
    entries: list[dict[str, Any]] = []
    for index, account in enumerate(accounts):
        api = RAYGAN_API if account.provider == "raygansms" else PAYAMAK_API
        entry: dict[str, Any] = {
            "name": account.name,
            "provider": account.provider,
            "base_url": f"{sandbox_url}{api}",
            "username": account.username,
            "password": account.password,
            "lines": [account.line],
            "timeout_seconds": 10,
            "read_attempts": 1,
        }
        if index == 0:
            entry["default"] = True
        entries.append(entry)
    return {
        "accounts": entries,
        "routes": [{"line": a.line, "chat_id": a.chat_id} for a in accounts],
        "polling": {"inbox": 1.0, "delivery": 1.0, "credit": 3600},
    }


@dataclass
class Phase:
    """What one phase (inbound or delivery) of one replica count measured over its rounds:
    each round's time; lost and doubled counted once at the end; calls and CPU summed."""

    items: int  # per round
    times: list[float] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    cpu: list[float] = field(default_factory=list)
    finished: bool = True
    lost: int = 0
    doubled: int = 0
    misplaced: int = 0
    messages: int = 0  # Telegram messages posted (inbound)

    @property
    def elapsed(self) -> float:
        """The median round's time (seconds)."""
        return statistics.median(self.times) if self.times else 0.0

    @property
    def rate(self) -> float:
        """Items per second in the median round."""
        return self.items / self.elapsed if self.elapsed > 0 else 0.0

    def add_round(
        self, elapsed: float, finished: bool, calls: Counter[str], cpu: list[float]
    ) -> None:
        """Count one round in."""
        self.times.append(elapsed)
        self.finished = self.finished and finished
        self.calls += calls
        self.cpu = [a + b for a, b in zip(self.cpu, cpu, strict=True)] if self.cpu else cpu


@dataclass
class Outcome:
    """Both phases of one replica count, and what the run logged and was answered."""

    replicas: int
    inbound: Phase
    delivery: Phase
    refused_429: int
    error_lines: list[str]
    leaders: dict[str, list[int]] = field(default_factory=dict)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pids(replicas: Replicas) -> list[int]:
    """The replicas' process ids, then this process's (the simulators and the fake)."""
    found = [p.proc.pid for p in replicas.processes if p.proc is not None]
    return [*found, os.getpid()]


def postgres_cpu_seconds() -> float:
    """CPU seconds of the PostgreSQL server and its backends alive now (a backend that has
    exited is not counted: the replicas' pools keep theirs for the whole run)."""
    process = shared_server().process
    if process is None:
        return 0.0
    total = cpu_seconds(process.pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if int(fields[1]) == process.pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def cpu_now(replicas: Replicas) -> list[float]:
    """CPU seconds so far of each replica, of this process, and of PostgreSQL."""
    return [*(cpu_seconds(pid) for pid in pids(replicas)), postgres_cpu_seconds()]


def cpu_since(replicas: Replicas, before: list[float]) -> list[float]:
    """CPU seconds spent since `before` (a `cpu_now`), in the same order."""
    return [now - then for now, then in zip(cpu_now(replicas), before, strict=True)]


def provider_calls(sandbox: ProviderSandbox) -> Counter[str]:
    """Every API call both simulators have answered so far, by method."""
    return Counter(sandbox.raygan.calls) + Counter(sandbox.payamak.calls)


def set_latency(sandbox: ProviderSandbox, seconds: float) -> None:
    """Both simulators answer every call `seconds` late."""
    sandbox.raygan.faults.set_latency(seconds)
    sandbox.payamak.faults.set_latency(seconds)


def seen_marks(fake: TelegramFake, accounts: list[BenchAccount]) -> tuple[Counter[int], int]:
    """How many times each SMS's mark shows in the groups, and how many showed in a group
    that is not their line's (SMS i is on line i mod len(accounts))."""
    found: Counter[int] = Counter()
    misplaced = 0
    for index, account in enumerate(accounts):
        for message in fake.bot_messages(account.chat_id):
            for mark in MARK.findall(message.text or ""):
                found[int(mark)] += 1
                misplaced += int(mark) % len(accounts) != index
    return found, misplaced


async def wait_until(
    check: Callable[[], Awaitable[bool]], give_up_s: float, every: float = 0.1
) -> bool:
    """Poll the async `check` until it is true (True) or `give_up_s` passes (False)."""
    deadline = time.perf_counter() + give_up_s
    while not await check():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(every)
    return True


async def inbound_round(
    world: World, replicas: Replicas, accounts: list[BenchAccount], phase: Phase, give_up_s: float
) -> None:
    """Inject `phase.items` SMS at once across the lines (marks numbered on from the rounds
    before); time until every one shows in its group."""
    sandbox = world.sandbox
    first = len(phase.times) * phase.items
    count = first + phase.items  # every SMS of this round and the rounds before
    calls_before = provider_calls(sandbox)
    cpu_before = cpu_now(replicas)
    for i in range(first, count):
        account = accounts[i % len(accounts)]
        sender = f"0935{(i * 7919) % 10_000_000:07d}"
        body = f"{BODIES[i % len(BODIES)]} #b{i:05d}"
        simulator = sandbox.raygan if account.provider == "raygansms" else sandbox.payamak
        simulator.inject_incoming(account.line, sender, body)
    started = time.perf_counter()

    async def all_shown() -> bool:
        return len(seen_marks(world.fake, accounts)[0]) >= count

    finished = await wait_until(all_shown, give_up_s, every=0.1)
    elapsed = time.perf_counter() - started
    cpu = cpu_since(replicas, cpu_before)
    calls = provider_calls(sandbox) - calls_before
    phase.add_round(elapsed, finished, calls, cpu)


async def inbound_tally(
    world: World, replicas: Replicas, accounts: list[BenchAccount], phase: Phase
) -> None:
    """After the last round: every SMS injected shown once, in its own group, and stored."""
    # A little longer, so a doubled message sent just after the last one is seen.
    await asyncio.sleep(3.0)
    count = len(phase.times) * phase.items
    found, phase.misplaced = seen_marks(world.fake, accounts)
    lost = sum(1 for i in range(count) if found[i] == 0)
    phase.doubled = sum(1 for n in found.values() if n > 1)
    stored = await replicas.scalar("SELECT count(*) FROM incoming")
    phase.lost = max(lost, count - stored)
    phase.messages = sum(len(world.fake.bot_messages(a.chat_id)) for a in accounts)


async def fill_recipients(
    url: str, config: Config, accounts: list[BenchAccount], count: int, round_index: int
) -> None:
    """Send `count` recipients through our adapters (sends of SEND_GROUP, the accounts in
    turn) and store each send in the shared database with its first poll a day away."""
    later = datetime.now(UTC) + timedelta(days=1)
    configured = {a.name: a for a in config.accounts}
    pool = await open_pool(url, min_size=1, max_size=2, migrate=False)
    try:
        repo = PgStorage(pool)
        async with aiohttp.ClientSession() as session:
            providers = {a.name: make_provider(session, configured[a.name]) for a in accounts}
            for number, start in enumerate(range(0, count, SEND_GROUP)):
                account = accounts[number % len(accounts)]
                mobiles = [
                    f"0912{(i * 7919) % 10_000_000:07d}"
                    for i in range(start, min(start + SEND_GROUP, count))
                ]
                send, _ = await repo.create_send(
                    idempotency_key=f"bench:{round_index}:{number}",
                    account=account.name,
                    line=account.line,
                    text=TEXT,
                    chat_id=ADMIN_CHAT,
                    requested_by=ADMIN,
                    recipients=[f"+98{m[1:]}" for m in mobiles],
                )
                result = await providers[account.name].send(account.line, mobiles, TEXT)
                await repo.record_send_result(send.id, result.receipts, next_poll_at=later)
    finally:
        await pool.close()


async def delivery_round(
    world: World,
    replicas: Replicas,
    accounts: list[BenchAccount],
    phase: Phase,
    latency: float,
    give_up_s: float,
) -> None:
    """Store `phase.items` tracked recipients, make them all due at once; time until every
    one is polled and its report stored."""
    sandbox = world.sandbox
    set_latency(sandbox, 0.0)  # the fill is not what is measured
    config = Config.model_validate({**world.config_data(), "storage": {"url": replicas.url}})
    round_index = len(phase.times)
    await fill_recipients(replicas.url, config, accounts, phase.items, round_index)
    count = (round_index + 1) * phase.items  # this round's and the rounds' before
    # Every SMS is past its last delivery step: one poll each finds its final report.
    await asyncio.sleep(2 * DELIVERY_STEP + 0.5)
    set_latency(sandbox, latency)
    calls_before = provider_calls(sandbox)
    cpu_before = cpu_now(replicas)
    await replicas.scalar(
        "WITH due AS (UPDATE send_recipients SET next_poll_at = now()"
        " WHERE next_poll_at IS NOT NULL RETURNING 1) SELECT count(*) FROM due"
    )
    started = time.perf_counter()

    async def all_reported() -> bool:
        done = await replicas.scalar(
            "SELECT count(*) FROM send_recipients WHERE state = 'delivered' AND polls >= 1"
        )
        return done >= count

    finished = await wait_until(all_reported, give_up_s, every=0.1)
    elapsed = time.perf_counter() - started
    cpu = cpu_since(replicas, cpu_before)
    calls = provider_calls(sandbox) - calls_before
    phase.add_round(elapsed, finished, calls, cpu)


async def delivery_tally(replicas: Replicas, phase: Phase) -> None:
    """After the last round: every recipient's report stored, none polled twice."""
    await asyncio.sleep(1.0)
    (row,) = await replicas.fetch(
        "SELECT count(*) FILTER (WHERE state <> 'delivered') AS lost,"
        " count(*) FILTER (WHERE polls > 1) AS doubled, count(*) AS total FROM send_recipients"
    )
    count = len(phase.times) * phase.items
    phase.lost = int(row["lost"]) + max(0, count - int(row["total"]))
    phase.doubled = int(row["doubled"])


async def run_replicas(replica_count: int, args: argparse.Namespace, tmp: Path) -> Outcome:
    """One replica count: a fresh world and database, both phases."""
    accounts = bench_accounts(args.accounts)
    sandbox = ProviderSandbox()
    sandbox.raygan.delivery_step = DELIVERY_STEP
    sandbox.payamak.delivery_step = DELIVERY_STEP
    for account in accounts:
        simulator = sandbox.raygan if account.provider == "raygansms" else sandbox.payamak
        simulator.add_account(account.username, account.password, lines=[account.line])
        simulator.accounts[account.username].credit = CREDIT
    fake = TelegramFake(TOKEN)  # no flood limit: the bridge is what is measured
    fake.add_user(ADMIN, "Sara", language_code="fa")
    fake.add_group(ADMIN_CHAT, "SMS admins")
    for account in accounts:
        fake.add_group(account.chat_id, f"Line {account.line}")
    folder = tmp / f"replicas{replica_count}"
    folder.mkdir()
    async with (
        RunningServer(sandbox.build_app()) as providers,
        RunningServer(fake.build_app()) as telegram,
    ):
        stack = AsyncExitStack()
        world = World(
            fake, sandbox, telegram.url, providers.url, folder / "unused.sqlite3", folder, stack
        )
        world.overrides = overrides(accounts, providers.url)
        async with running_replicas(world, count=replica_count) as replicas:
            lines = len(accounts)
            await replicas.wait_until(
                f"SELECT count(*) >= {lines} FROM inbox_cursors",
                "the first poll of every line",
                timeout=60,
            )
            inbound, delivery = Phase(args.sms), Phase(args.recipients)
            inbound_done = -float("inf")
            for _ in range(args.rounds):
                # Each inbound round starts with PTB's per-group limiter empty, as the first
                # one does: what the round before posted has left its window.
                await asyncio.sleep(max(0.0, inbound_done + args.gap - time.monotonic()))
                set_latency(sandbox, args.latency)
                await inbound_round(world, replicas, accounts, inbound, args.timeout)
                inbound_done = time.monotonic()
                await delivery_round(
                    world, replicas, accounts, delivery, args.latency, args.timeout
                )
            await inbound_tally(world, replicas, accounts, inbound)
            await delivery_tally(replicas, delivery)
            leaders = replicas.leaderships()
            logs = [p.log_text() for p in replicas.processes]
        await stack.aclose()
    refused = sum(1 for r in fake.requests if r.status == 429)
    error_lines = [line for text in logs for line in text.splitlines() if ERROR_LINE.match(line)]
    return Outcome(replica_count, inbound, delivery, refused, error_lines, leaders)


def status_calls(calls: Counter[str]) -> Counter[str]:
    """The calls that ask about deliveries: all but the inbox listings and credit checks."""
    return Counter(
        {m: n for m, n in calls.items() if m not in LISTING_METHODS | CREDIT_METHODS and n}
    )


def _calls(calls: Counter[str]) -> str:
    return ", ".join(f"{method} {n:,}" for method, n in sorted(calls.items()) if n) or "none"


def _times(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times) + " s"


def _cpu(cpu: list[float]) -> str:
    replicas = " + ".join(f"{c:.1f}" for c in cpu[:-2])
    return (
        f"CPU s: replicas {replicas}, simulators and fake {cpu[-2]:.1f}, PostgreSQL {cpu[-1]:.1f}"
    )


def report(outcome: Outcome) -> None:
    """Print one replica count's figures."""
    n = outcome.replicas
    print(f"{n} replica{'s' if n > 1 else ''}:")
    inbound = outcome.inbound
    rounds = len(inbound.times)
    print(
        f"  inbound   {inbound.items:6,} SMS        median {inbound.elapsed:6.2f} s "
        f"{inbound.rate:7.1f} SMS/s         lost {inbound.lost}, doubled {inbound.doubled}, "
        f"in the wrong group {inbound.misplaced}"
        f"{'' if inbound.finished else '  (gave up)'}"
    )
    total = rounds * inbound.items
    print(
        f"            rounds: {_times(inbound.times)}; {inbound.messages:,} Telegram messages "
        f"for {total:,} SMS ({total / max(inbound.messages, 1):.1f} SMS per message)"
    )
    print(f"            provider calls: {_calls(inbound.calls)}")
    print(f"            {_cpu(inbound.cpu)}")
    delivery = outcome.delivery
    print(
        f"  delivery  {delivery.items:6,} recipients median {delivery.elapsed:6.2f} s "
        f"{delivery.rate:7.1f} recipients/s  lost {delivery.lost}, doubled {delivery.doubled}"
        f"{'' if delivery.finished else '  (gave up)'}"
    )
    print(f"            rounds: {_times(delivery.times)}")
    print(
        f"            provider calls: {_calls(status_calls(delivery.calls))}; inbox listings "
        f"meanwhile {sum(n for m, n in delivery.calls.items() if m in LISTING_METHODS):,}"
    )
    print(f"            {_cpu(delivery.cpu)}")
    print(f"  answered 429 by the fake: {outcome.refused_429}; ERROR log lines: "
          f"{len(outcome.error_lines)}")  # fmt: skip
    for line in outcome.error_lines[:5]:
        print(f"    {line[:200]}")
    by_replica: dict[int, list[str]] = {}
    for name, indexes in sorted(outcome.leaders.items()):
        for index in indexes:
            by_replica.setdefault(index, []).append(name.removesuffix(":"))
    for index in range(n):
        print(f"  replica {index} led: {', '.join(by_replica.get(index, [])) or 'nothing'}")


def verdict(one: Outcome, two: Outcome) -> bool:
    """Print the bound, each check PASS or FAIL; True when all pass."""
    checks: list[tuple[str, bool]] = []
    for label, a, b in (
        ("inbound", one.inbound, two.inbound),
        ("delivery", one.delivery, two.delivery),
    ):
        limit = BOUND_RATIO * a.elapsed
        checks.append(
            (
                f"{label}: 2 replicas {b.elapsed:.2f} s vs 1 replica {a.elapsed:.2f} s (medians) "
                f"(×{b.elapsed / a.elapsed:.2f}; bound ≤ {BOUND_RATIO} × = {limit:.2f} s)",
                a.finished and b.finished and b.elapsed <= limit,
            )
        )
    status = [status_calls(o.delivery.calls) for o in (one, two)]
    checks.append(
        (
            f"delivery status calls the same with 1 and 2 replicas ({_calls(status[0])} vs "
            f"{_calls(status[1])})",
            status[0] == status[1],
        )
    )
    listings = [
        sum(n for m, n in o.inbound.calls.items() if m in LISTING_METHODS) for o in (one, two)
    ]
    print(
        f"  (not compared: the inbox listings of the inbound phase, {listings[0]:,} with 1 "
        f"replica and {listings[1]:,} with 2: one per line per poll for as long as it lasted)"
    )
    for outcome in (one, two):
        phases = (outcome.inbound, outcome.delivery)
        checks.append(
            (
                f"{outcome.replicas} replica(s): 0 lost, 0 doubled, 0 in the wrong group, "
                f"no ERROR line",
                not any(p.lost or p.doubled or p.misplaced for p in phases)
                and not outcome.error_lines,
            )
        )
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}: {text}")
    return all(ok for _, ok in checks)


async def run(args: argparse.Namespace, tmp: Path) -> int:
    """Both replica counts, their figures and the bound; exit status 0 when all pass."""
    print(
        f"{args.accounts} accounts (RayganSMS and Payamak in turn, each line its own group), "
        f"{args.latency * 1000:g} ms per provider call, Telegram fake without flood limits "
        "(the bridge's own AIORateLimiter still holds 20/min per group)"
    )
    outcomes = []
    for replica_count in (1, 2):
        outcome = await run_replicas(replica_count, args, tmp)
        report(outcome)
        outcomes.append(outcome)
    print("bound:")
    ok = verdict(outcomes[0], outcomes[1])
    print("PASS" if ok else "FAIL", flush=True)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument(
        "--sms", type=int, default=2400, help="SMS injected a round (rounds × SMS ≤ 99,999)"
    )
    parser.add_argument(
        "--recipients", type=int, default=8000, help="tracked recipients made due a round"
    )
    parser.add_argument("--accounts", type=int, default=4, help="provider accounts (1 to 20)")
    parser.add_argument(
        "--latency", type=float, default=0.075, help="seconds per provider call (0 to 5)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each phase (median)")
    parser.add_argument(
        "--gap",
        type=float,
        default=GROUP_WINDOW_S,
        help="least seconds from one inbound round's end to the next one's start",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="give up a round after (s)")
    args = parser.parse_args(argv)
    if not 1 <= args.sms <= 99_999:
        parser.error("--sms must be 1 to 99,999")
    if args.recipients < 1:
        parser.error("--recipients must be at least 1")
    if not 1 <= args.accounts <= 20:
        parser.error("--accounts must be 1 to 20")
    if not 0 <= args.latency <= 5:
        parser.error("--latency must be 0 to 5 seconds")
    if args.rounds < 1 or args.rounds * args.sms > 99_999:
        parser.error("--rounds must be at least 1, and --rounds × --sms at most 99,999")
    if args.gap < 0:
        parser.error("--gap must not be negative")
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    print(f"machine: {describe_machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
