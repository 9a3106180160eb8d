"""SPEC §7 bulk: 50,000 recipients through each simulator with 100 ms per call.

Our adapters (RayganSmsProvider, PayamakProvider) send one text to the same generated list of
Iranian mobiles; the wall time is compared with the bound set by the provider's per-call limit
and our concurrency, peak memory with 150 MB. In the same run the official `melipayamak` SDK
(`Rest`, synchronous, `requests`) sends the same list its own way: chunks of 100, one call after
the other (how its API is used), and then from a thread pool as wide as our concurrency.

The simulators (sandbox.server.ProviderSandbox on RunningServer, `faults.set_latency`) run in a
child process, so the figures here are the client's: its CPU does not share a core with the
simulator's, and its memory is not the simulator's store of 50,000 sent SMS.

Bound: a call takes `latency`; at most `concurrency` run at once, so `calls` calls need at least
ceil(calls / concurrency) × latency (RayganSMS: 1 SendMessage of 50,000 → 1 × latency; Payamak:
500 SendSMS of 100 → ceil(500 / 8) × 0.1 s = 6.3 s; calls × latency ÷ concurrency = 6.25 s).
Memory: the process's resident-set high-water mark (VmHWM in /proc/self/status, reset before
each run by writing 5 to /proc/self/clear_refs; ru_maxrss of getrusage where that is refused,
which then covers the whole process lifetime). The simulator's memory is not in it.

    .venv/bin/python bench/bulk_send.py [--recipients 50000] [--latency 0.1] [--concurrency 8]
                                        [--skip-sdk]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from machine import describe_machine

from providers.base import SendResult, SmsProvider
from providers.http import HttpSettings
from providers.payamak import MAX_RECIPIENTS as PAYAMAK_CHUNK
from providers.payamak import PayamakProvider
from providers.phone import normalize_mobile
from providers.raygansms import RayganSmsProvider
from sandbox.server import (
    PAYAMAK_API,
    PAYAMAK_CONTROL,
    RAYGAN_API,
    RAYGAN_CONTROL,
    ProviderSandbox,
    RunningServer,
)

USER = "bench"
PASSWORD = "bench-secret"
RAYGAN_LINE = "50002910001080"
PAYAMAK_LINE = "10002188"
CREDIT = 10**12
TEXT = "فروش ویژه پایان سال: ۲۰٪ تخفیف روی همه کالاها تا جمعه. لغو۱۱"
WITHIN = 0.10  # ours within 10 % of the bound
MEMORY_MB = 150.0


# ---------------------------------------------------------------- the simulator process


async def serve_sandbox(latency: float) -> None:
    """Child process: both simulators with `latency` per call; print the URL, serve until
    stdin closes (so the child never outlives the benchmark)."""
    sandbox = ProviderSandbox()
    sandbox.raygan.add_account(USER, PASSWORD, lines=[RAYGAN_LINE], credit=CREDIT)
    sandbox.payamak.add_account(USER, PASSWORD, lines=[PAYAMAK_LINE], credit=CREDIT)
    sandbox.raygan.faults.set_latency(latency)
    sandbox.payamak.faults.set_latency(latency)
    loop = asyncio.get_running_loop()
    closed = asyncio.Event()

    def watch_stdin() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(closed.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    async with RunningServer(sandbox.build_app()) as server:
        print(server.url, flush=True)
        await closed.wait()


class SandboxProcess:
    """The simulators in a child process (`bulk_send.py --serve-sandbox`)."""

    def __init__(self, latency: float) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-sandbox", "--latency", str(latency)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        self.url = self._proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.close()
            raise SystemExit("the simulator process did not start")

    def close(self) -> None:
        """Close its stdin (it stops serving) and wait for it."""
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)


async def calls_of(session: aiohttp.ClientSession, url: str, control: str) -> int:
    """Total API calls a simulator has answered so far (its control API's `calls`)."""
    async with session.get(f"{url}{control}/calls") as response:
        counts: dict[str, int] = await response.json()
    return sum(counts.values())


# ---------------------------------------------------------------- measuring


def recipients(count: int) -> list[str]:
    """`count` distinct valid mobiles, 0912xxxxxxx (7919 is prime to 10^7: no repeats)."""
    return [f"0912{(i * 7919) % 10_000_000:07d}" for i in range(count)]


def _hwm_mb() -> float:
    """Peak resident set so far, MB (VmHWM; ru_maxrss where /proc is not there)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    match = re.search(r"VmHWM:\s+(\d+)", status)
    assert match is not None
    return int(match.group(1)) / 1024


def _reset_hwm() -> bool:
    """Start a fresh high-water mark; False when the kernel refuses (the mark is cumulative)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Run:
    """One sender's figures."""

    name: str
    wall: float
    cpu: float  # this process's CPU seconds (user + system) during the run
    calls: int
    peak_mb: float
    hwm_reset: bool
    accepted: int


async def timed(
    name: str,
    session: aiohttp.ClientSession,
    url: str,
    control: str,
    work: Callable[[], Awaitable[int]],
) -> Run:
    """Run `work` (returns recipients accepted) and take wall time, calls and peak memory."""
    before = await calls_of(session, url, control)
    reset = _reset_hwm()
    cpu_started = time.process_time()
    started = time.perf_counter()
    accepted = await work()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = _hwm_mb()
    calls = await calls_of(session, url, control) - before
    return Run(name, wall, cpu, calls, peak, reset, accepted)


def _receipts(result: SendResult) -> int:
    return sum(1 for r in result.receipts if r.message_id or r.group_id)


def sdk_send(url: str, numbers: list[str], threads: int) -> int:
    """The official SDK: chunks of 100 through `Rest.send`, in `threads` threads (1: in turn)."""
    from melipayamak import Api
    from melipayamak.sms import Rest

    rest = Api(USER, PASSWORD).sms()
    assert isinstance(rest, Rest)
    rest.PATH = f"{url}{PAYAMAK_API}/%s"
    chunks = [
        ",".join(numbers[i : i + PAYAMAK_CHUNK]) for i in range(0, len(numbers), PAYAMAK_CHUNK)
    ]

    def one(chunk: str) -> int:
        answer: dict[str, Any] = rest.send(chunk, PAYAMAK_LINE, TEXT)
        if str(answer.get("RetStatus")) != "1":
            raise RuntimeError(f"the SDK's send was refused: {json.dumps(answer)[:200]}")
        return len(str(answer["Value"]).split(","))

    if threads <= 1:
        return sum(one(chunk) for chunk in chunks)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return sum(pool.map(one, chunks))


def bound_s(calls: int, latency: float, concurrency: int) -> float:
    """The least wall time `calls` calls of `latency` can take, `concurrency` at a time."""
    return math.ceil(calls / concurrency) * latency


async def run(count: int, latency: float, concurrency: int, skip_sdk: bool) -> int:
    """Send, measure, print; exit status 0 when every target is met."""
    numbers = recipients(count)
    # What the adapters do to every number before any call, timed alone for the breakdown.
    started = time.perf_counter()
    for number in numbers:
        normalize_mobile(number)
    normalise_s = time.perf_counter() - started

    settings = HttpSettings(max_concurrency=concurrency)
    sandbox = SandboxProcess(latency)
    runs: list[tuple[Run, int]] = []  # with the number of calls the bound is for
    sdk_runs: list[Run] = []
    try:
        raygan_url = f"{sandbox.url}{RAYGAN_API}"
        payamak_url = f"{sandbox.url}{PAYAMAK_API}"
        async with aiohttp.ClientSession() as session:
            raygan: SmsProvider = RayganSmsProvider(
                session, base_url=raygan_url, username=USER, password=PASSWORD, settings=settings
            )
            payamak: SmsProvider = PayamakProvider(
                session, base_url=payamak_url, username=USER, password=PASSWORD, settings=settings
            )

            async def raygan_work() -> int:
                return _receipts(await raygan.send(RAYGAN_LINE, numbers, TEXT))

            async def payamak_work() -> int:
                return _receipts(await payamak.send(PAYAMAK_LINE, numbers, TEXT))

            # One single-recipient send each first, not measured: the first connection and
            # the simulator's first request are not part of a bulk send's cost.
            await raygan.send(RAYGAN_LINE, numbers[:1], TEXT)
            await payamak.send(PAYAMAK_LINE, numbers[:1], TEXT)
            raygan_calls = math.ceil(count / 50_000)
            payamak_calls = math.ceil(count / PAYAMAK_CHUNK)
            runs.append(
                (
                    await timed("raygansms", session, sandbox.url, RAYGAN_CONTROL, raygan_work),
                    raygan_calls,
                )
            )
            runs.append(
                (
                    await timed("payamak", session, sandbox.url, PAYAMAK_CONTROL, payamak_work),
                    payamak_calls,
                )
            )
            if not skip_sdk:
                for label, threads in (("in turn", 1), (f"{concurrency} threads", concurrency)):

                    async def sdk_work(threads: int = threads) -> int:
                        return await asyncio.to_thread(sdk_send, sandbox.url, numbers, threads)

                    sdk_runs.append(
                        await timed(
                            f"melipayamak SDK ({label})",
                            session,
                            sandbox.url,
                            PAYAMAK_CONTROL,
                            sdk_work,
                        )
                    )
    finally:
        sandbox.close()

    print(
        f"bulk send: {count:,} recipients, {latency * 1000:g} ms injected per call, "
        f"our concurrency {concurrency} per account; simulators in a child process"
    )
    print(
        f"machine: {describe_machine()}; "
        f"normalize_mobile × {count:,} alone: {normalise_s:.2f} s "
        f"({normalise_s / max(count, 1) * 1e6:.1f} µs/number)"
    )
    print("memory: peak RSS (VmHWM) of this process during each run, simulator excluded")
    ok = True
    for result, bound_calls in runs:
        bound = bound_s(bound_calls, latency, concurrency)
        ratio = result.wall / bound if bound else float("inf")
        time_ok = result.wall <= bound * (1 + WITHIN) and result.calls == bound_calls
        memory_ok = result.peak_mb < MEMORY_MB
        complete = result.accepted == count
        ok = ok and time_ok and memory_ok and complete
        print(
            f"  {result.name:<10} wall {result.wall:7.2f} s  calls {result.calls:5,}  "
            f"bound ceil({bound_calls}/{concurrency})×{latency:g} = {bound:.2f} s  "
            f"ratio {ratio:5.2f}  our CPU {result.cpu:5.2f} s  peak RSS {result.peak_mb:6.1f} MB"
            + ("" if result.hwm_reset else " (cumulative)")
            + f"  accepted {result.accepted:,}"
        )
        if bound_calls <= concurrency:
            # One round of calls: wall = our CPU + the injected latency + the rest.
            rest = result.wall - result.cpu - bound
            print(
                f"  {'':<10} of the wall: our CPU {result.cpu:.2f} s, injected latency "
                f"{bound:.2f} s, the rest {rest:.2f} s (the simulator taking {count:,} "
                f"numbers in one request, transport)"
            )
        print(
            f"  {'':<10} time within {WITHIN:.0%} of the bound: "
            f"{'PASS' if time_ok else 'FAIL'}   memory < {MEMORY_MB:g} MB: "
            f"{'PASS' if memory_ok else 'FAIL'}   every recipient accepted: "
            f"{'PASS' if complete else 'FAIL'}"
        )
    payamak_wall = runs[1][0].wall
    for result in sdk_runs:
        print(
            f"  {result.name:<28} wall {result.wall:7.2f} s  calls {result.calls:5,}  "
            f"CPU {result.cpu:5.2f} s  "
            f"accepted {result.accepted:,}  ({result.wall / payamak_wall:.1f}× ours on Payamak)"
        )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and run (or, with --serve-sandbox, be the simulator process)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=50_000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per call")
    parser.add_argument("--concurrency", type=int, default=HttpSettings().max_concurrency)
    parser.add_argument("--skip-sdk", action="store_true", help="do not run the melipayamak SDK")
    parser.add_argument("--serve-sandbox", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_sandbox:
        asyncio.run(serve_sandbox(args.latency))
        return 0
    if args.recipients < 1 or args.recipients > 50_000:
        parser.error("--recipients must be 1 to 50,000 (one RayganSMS SendMessage)")
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    return asyncio.run(run(args.recipients, args.latency, args.concurrency, args.skip_sdk))


if __name__ == "__main__":
    sys.exit(main())
