"""One OTP send + verify round trip through the HTTP API against the RayganSMS simulator:
`POST /v1/otp`, the code read from the simulator's record of the SMS, `POST /v1/otp/verify`;
p50/p99 printed (SPEC §7 gives no bound; every verify must answer valid).

The real bridge (`bot.app.RunningBridge`, its API, the OTP service in mode `own`, SQLite in a
temp folder) runs in this process with the simulator and the Telegram fake. Each round uses a
new number (the per-number limits allow one code a minute).

    .venv/bin/python bench/otp_api.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import socket
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from machine import describe_machine

from bot.app import RunningBridge
from bot.config import Config
from sandbox.bridge_config import bridge_config
from sandbox.server import ProviderSandbox, RunningServer
from sandbox.telegram import TelegramFake

TOKEN = "1000001:bench-token-not-a-real-one"
KEY = "bench-api-key-0123456789abcdef"
ADMIN = 111111111
ADMIN_CHAT = -1001234567890
CODE = re.compile(r"\d{6}")


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


async def run(rounds: int, tmp: Path) -> int:
    """The rounds; 0 when every code was sent and verified valid."""
    print(f"machine: {describe_machine()}")
    logging.basicConfig(level=logging.ERROR)
    sandbox = ProviderSandbox()
    fake = TelegramFake(TOKEN)
    fake.add_user(ADMIN, "Sara", language_code="fa")
    fake.add_group(ADMIN_CHAT, "SMS admins")
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {KEY}"}
    async with (
        RunningServer(sandbox.build_app()) as providers,
        RunningServer(fake.build_app()) as telegram,
        aiohttp.ClientSession(headers=headers) as http,
    ):
        config = Config.model_validate(
            bridge_config(
                token=TOKEN,
                telegram_url=telegram.url,
                sandbox_url=providers.url,
                db_path=tmp / "bridge.sqlite3",
                admins=[ADMIN],
                admin_chat_id=ADMIN_CHAT,
                accounts=["raygan"],
                api={
                    "listen": f"127.0.0.1:{port}",
                    "rate_per_second": 1e6,
                    "rate_burst": 10**6,
                    "keys": [{"name": "bench", "key": KEY, "scopes": ["otp"]}],
                },
            )
        )
        times: list[float] = []
        valid = 0
        async with RunningBridge(config):
            for i in range(rounds):
                number = f"0912{i:07d}"
                began = time.perf_counter()
                async with http.post(f"{api}/v1/otp", json={"to": number}) as answer:
                    assert answer.status == 202, await answer.text()
                sms = [s for s in sandbox.raygan.sent if s.mobile == number]
                match = CODE.search(sms[-1].text) if sms else None
                assert match is not None, "the code's SMS was not sent before the 202"
                async with http.post(
                    f"{api}/v1/otp/verify", json={"to": number, "code": match.group(0)}
                ) as answer:
                    verdict = await answer.json()
                times.append(time.perf_counter() - began)
                valid += verdict == {"valid": True}
    ok = valid == rounds
    print(f"OTP through the API, mode own, RayganSMS simulator at 0 latency: {rounds} rounds")
    print(
        f"  send + verify round trip: p50 {percentile(times, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(times, 0.99) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
        "(no bound in SPEC §7: printed)"
    )
    print(f"  every code verified valid ({valid}/{rounds}): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def main() -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-otp-") as folder:
        return asyncio.run(run(args.rounds, Path(folder)))


if __name__ == "__main__":
    sys.exit(main())
