"""SPEC §7 API: `POST /v1/messages` (one recipient, the simulator at 0 latency) accepts at
least 500 requests/s (stored, answered 202), with its p99 latency, and every one is sent
exactly once (the simulator's own record).

Three processes, as in production: `sms-bridge sandbox --telegram` (the provider simulators
and the Telegram fake), the real `sms-bridge run` with `[api]` on SQLite in a temp folder, and
this script, the clients: `--concurrency` connections POSTing `--requests` messages, each
with its own Idempotency-Key and a numbered text. Then it waits until the bridge has called
the provider for every one, reads the simulator's record of what it sent (each number once,
none missing), and POSTs `--replays` of the same keys again: each must answer the first
answer again and send nothing.

    .venv/bin/python bench/api_send.py [--requests 4000] [--concurrency 32] [--replays 200]
                                       [--delivery-poll 10]

`--delivery-poll 600` keeps delivery polling (one status call per send on RayganSMS) out of
the load window, to show how much of the machine it takes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
from machine import describe_machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from bridge_harness import write_toml  # noqa: E402

from sandbox.bridge_config import bridge_config  # noqa: E402
from sandbox.server import RAYGAN_CONTROL, SANDBOX_TOKEN  # noqa: E402

BOUND_PER_SECOND = 500.0
KEY = "bench-api-key-0123456789abcdef"
NUMBER = "09121234567"
MARK = re.compile(r"#(\d+)$")


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of a process so far (this one if None)."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def wait_until(check: Any, what: str, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Poll the async `check` until it is true."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


def start(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    """A subprocess of the bridge's CLI, its output to `log`."""
    env = {k: v for k, v in os.environ.items() if k != "SMS_BRIDGE_CONFIG"}
    env["SMS_BRIDGE_LOG_LEVEL"] = "WARNING"
    profile = os.environ.get("BENCH_PROFILE")  # a path: cProfile the bridge into it
    prefix = ["-m", "cProfile", "-o", profile] if profile and argv[0] == "run" else []
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, *prefix, "-m", "bot.cli", *argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


async def post(
    http: aiohttp.ClientSession, url: str, index: int, latencies: list[float]
) -> tuple[int, dict[str, Any]]:
    """One POST /v1/messages; its latency appended."""
    began = time.perf_counter()
    async with http.post(
        url,
        json={"to": [NUMBER], "text": f"سفارش شما ثبت شد #{index}"},
        headers={"Authorization": f"Bearer {KEY}", "Idempotency-Key": f"bench-{index}"},
    ) as answer:
        body = await answer.json()
        latencies.append(time.perf_counter() - began)
        return answer.status, body


async def load(url: str, count: int, concurrency: int) -> tuple[float, list[float], Counter[int]]:
    """POST `count` messages over `concurrency` connections: wall seconds, latencies, statuses."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(count):
        queue.put_nowait(index)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            while not queue.empty():
                index = queue.get_nowait()
                status, _body = await post(http, url, index, latencies)
                statuses[status] += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - began, latencies, statuses


async def run(requests: int, concurrency: int, replays: int, delivery_poll: float) -> int:
    """The benchmark; 0 when every figure is within its bound."""
    print(f"machine: {describe_machine()}")
    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    sandbox_port, api_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    sandbox = start(["sandbox", "--telegram", "--port", str(sandbox_port)], work / "sandbox.log")
    bridge: subprocess.Popen[bytes] | None = None
    try:
        async with aiohttp.ClientSession() as http:

            async def sandbox_up() -> bool:
                try:
                    async with http.get(f"{sandbox_url}{RAYGAN_CONTROL}/calls") as answer:
                        return answer.status == 200
                except aiohttp.ClientError:
                    return False

            await wait_until(sandbox_up, "the sandbox")
            data = bridge_config(
                token=SANDBOX_TOKEN,
                telegram_url=sandbox_url,
                sandbox_url=sandbox_url,
                db_path=work / "bridge.sqlite3",
                admins=[1],
                admin_chat_id=-1001,
                accounts=("raygan",),
                polling={"delivery": delivery_poll},
                api={
                    "listen": f"127.0.0.1:{api_port}",
                    "rate_per_second": 1e6,
                    "rate_burst": 10**6,
                    "keys": [{"name": "bench", "key": KEY, "scopes": ["sms:send", "read"]}],
                },
            )
            config = write_toml(data, work / "config.toml")
            bridge = start(["run", "--config", str(config)], work / "bridge.log")
            api = f"http://127.0.0.1:{api_port}"

            async def api_up() -> bool:
                assert bridge is not None
                if bridge.poll() is not None:
                    raise SystemExit((work / "bridge.log").read_text())
                try:
                    async with http.get(f"{api}/v1/health") as answer:
                        return answer.status == 200
                except aiohttp.ClientError:
                    return False

            await wait_until(api_up, "the bridge's API")
            cpu_before = [cpu_seconds(bridge.pid), cpu_seconds(sandbox.pid), cpu_seconds()]
            wall, latencies, statuses = await load(f"{api}/v1/messages", requests, concurrency)
            cpu_after = [cpu_seconds(bridge.pid), cpu_seconds(sandbox.pid), cpu_seconds()]
            used = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
            rate = statuses[202] / wall
            print(
                f"POST /v1/messages, 1 recipient: {requests} requests, {concurrency} connections,"
                f" first delivery poll {delivery_poll:g} s after each send"
            )
            print(f"  answered: {dict(sorted(statuses.items()))} in {wall:.2f} s")
            print(
                f"  latency p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
                f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
                f"max {max(latencies) * 1000:.1f} ms"
            )
            print(
                f"  CPU during the load: bridge {used[0]:.1f} s, simulators + Telegram fake "
                f"{used[1]:.1f} s, clients {used[2]:.1f} s; the machine had "
                f"{wall * (os.cpu_count() or 1):.1f} CPU-s ({wall:.1f} s × {os.cpu_count()} CPUs)"
            )
            rate_ok = statuses[202] == requests and rate >= BOUND_PER_SECOND
            verdict = "PASS" if rate_ok else "FAIL"
            print(f"  accepted {rate:.0f} requests/s (bound {BOUND_PER_SECOND:.0f}): {verdict}")

            db = sqlite3.connect(f"file:{work / 'bridge.sqlite3'}?mode=ro", uri=True)

            async def all_called() -> bool:
                row = db.execute("SELECT count(*) FROM sends WHERE status = 'submitting'")
                return bool(row.fetchone()[0] == 0)

            began = time.perf_counter()
            await wait_until(all_called, "every provider call", timeout=300)
            print(f"  every provider call made {time.perf_counter() - began:.2f} s after")
            replayed: Counter[str] = Counter()
            for index in range(0, requests, max(1, requests // max(1, replays))):
                async with http.post(
                    f"{api}/v1/messages",
                    json={"to": [NUMBER], "text": f"سفارش شما ثبت شد #{index}"},
                    headers={"Authorization": f"Bearer {KEY}", "Idempotency-Key": f"bench-{index}"},
                ) as answer:
                    replayed[answer.headers.get("Idempotent-Replayed", "no")] += 1
            async with http.get(f"{sandbox_url}{RAYGAN_CONTROL}/sent") as answer:
                sent = (await answer.json())["sent"]
            marks = Counter(int(m.group(1)) for s in sent if (m := MARK.search(s["text"])))
            missing = [i for i in range(requests) if marks[i] == 0]
            doubled = [i for i, n in marks.items() if n > 1]
            states = dict(db.execute("SELECT status, count(*) FROM sends GROUP BY status"))
            db.close()
            once = not missing and not doubled and len(sent) == requests
            print(
                f"  the simulator sent {len(sent)} SMS: {len(missing)} missing, "
                f"{len(doubled)} sent twice; sends by status {states}"
            )
            print(f"  replays of {sum(replayed.values())} keys: {dict(replayed)}")
            replays_ok = set(replayed) == {"true"}
            print(f"  every one sent exactly once: {'PASS' if once and replays_ok else 'FAIL'}")
            return 0 if rate_ok and once and replays_ok else 1
    finally:
        for process in (bridge, sandbox):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


def main() -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--replays", type=int, default=200)
    parser.add_argument(
        "--delivery-poll",
        type=float,
        default=10.0,
        help="[polling] delivery: seconds to a send's first delivery poll (default: the config's)",
    )
    args = parser.parse_args()
    if not 1 <= args.requests <= 8000:
        parser.error("--requests must be 1 to 8,000 (the simulator's default credit)")
    return asyncio.run(run(args.requests, args.concurrency, args.replays, args.delivery_poll))


if __name__ == "__main__":
    raise SystemExit(main())
