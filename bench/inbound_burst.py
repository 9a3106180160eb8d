"""SPEC §7 inbound burst: 5,000 SMS into one group through a Telegram fake that enforces
20 messages a minute per group: all visible, none lost, no unhandled 429, in minutes, not hours.

The real bridge (`bot.app.RunningBridge`, PTB and its AIORateLimiter, the inbox and forwarding
jobs, SQLite in a temp folder) runs against the RayganSMS simulator and the Telegram fake
(`sandbox.telegram.TelegramFake(flood=True)`: 429 with `retry_after` past 20 a minute in a
group, 30 a second overall, and the per-chat burst limit), all in this process. The SMS are
injected at once on the RayganSMS line routed to the group; the benchmark waits until every
body shows in the group and counts each one's occurrences there.

    .venv/bin/python bench/inbound_burst.py [--count 5000] [--timeout 1800]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from machine import describe_machine
from records import ErrorRecords

from bot.app import RunningBridge
from bot.config import Config
from sandbox.bridge_config import bridge_config
from sandbox.server import ProviderSandbox, RunningServer
from sandbox.telegram import GROUP_PER_MINUTE, TelegramFake

TOKEN = "1000001:bench-token-not-a-real-one"
ADMIN = 111111111
ADMIN_CHAT = -1001234567890
GROUP = -1009876543210
USER = "bench"
PASSWORD = "bench-secret"
RAYGAN_LINE = "50002910001080"
MARK = re.compile(r"#b(\d{5})\b")
BODIES = (
    "سلام، سفارش من کی می‌رسد؟",
    "لطفا فاکتور را ایمیل کنید",
    "Is the shop open on Friday?",
    "کد تخفیف کار نمی‌کند",
    "ممنون، دریافت شد 🙏",
)


def make_config(telegram_url: str, sandbox_url: str, db_path: Path) -> Config:
    """The bridge's config: one RayganSMS account, its line routed to the group."""
    return Config.model_validate(
        bridge_config(
            token=TOKEN,
            telegram_url=telegram_url,
            sandbox_url=sandbox_url,
            db_path=db_path,
            admins=[ADMIN],
            admin_chat_id=ADMIN_CHAT,
            accounts=["raygan"],
            username=USER,
            passwords={"raygan": PASSWORD},
            routes={RAYGAN_LINE: GROUP},
            polling={"inbox": 2, "delivery": 60, "credit": 3600},
        )
    )


def seen_marks(fake: TelegramFake) -> Counter[int]:
    """How many times each SMS's mark shows in the group's bot messages."""
    found: Counter[int] = Counter()
    for message in fake.bot_messages(GROUP):
        found.update(int(m) for m in MARK.findall(message.text or ""))
    return found


async def run(count: int, give_up_s: float, tmp: Path) -> int:
    """Inject, wait until all are visible, print; exit status 0 when nothing was lost."""
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    sandbox = ProviderSandbox()
    sandbox.raygan.add_account(USER, PASSWORD, lines=[RAYGAN_LINE])
    fake = TelegramFake(TOKEN, flood=True)
    fake.add_user(ADMIN, "Sara", language_code="fa")
    fake.add_group(ADMIN_CHAT, "SMS admins")
    fake.add_group(GROUP, "Support")
    async with (
        RunningServer(sandbox.build_app()) as providers,
        RunningServer(fake.build_app()) as telegram,
    ):
        config = make_config(telegram.url, providers.url, tmp / "bridge.sqlite3")
        async with RunningBridge(config):
            for i in range(count):
                sender = f"0935{(i * 7919) % 10_000_000:07d}"
                sandbox.raygan.inject_incoming(
                    RAYGAN_LINE, sender, f"{BODIES[i % len(BODIES)]} #b{i:05d}"
                )
            started = time.perf_counter()
            deadline = started + give_up_s
            found: Counter[int] = Counter()
            while time.perf_counter() < deadline:
                found = seen_marks(fake)
                if len(found) == count:
                    break
                await asyncio.sleep(1.0)
            elapsed = time.perf_counter() - started
            # A little longer, so a doubled message sent just after the last one is seen.
            await asyncio.sleep(3.0)
            found = seen_marks(fake)
    logging.getLogger().removeHandler(errors)

    messages = fake.bot_messages(GROUP)
    sent_calls = [r for r in fake.requests if r.method == "sendMessage"]
    refused_429 = sum(1 for r in sent_calls if r.status == 429)
    lost = [i for i in range(count) if found[i] == 0]
    doubled = [i for i, n in found.items() if n > 1]
    admin_alerts = len(fake.bot_messages(ADMIN_CHAT))
    floor_min = len(messages) / GROUP_PER_MINUTE
    print(
        f"inbound burst: {count:,} SMS injected at once on {RAYGAN_LINE}, routed to one group; "
        f"Telegram fake with flood limits ({GROUP_PER_MINUTE}/min per group)"
    )
    print(
        f"  all visible after {elapsed:.1f} s ({elapsed / 60:.1f} min) — "
        f"{len(messages):,} Telegram messages in the group "
        f"({count / max(len(messages), 1):.1f} SMS per message); "
        f"{len(messages):,} messages at {GROUP_PER_MINUTE}/min need at least {floor_min:.1f} min"
    )
    print(
        f"  sendMessage calls {len(sent_calls):,}, of which answered 429 by the fake: "
        f"{refused_429:,}; error log records: {len(errors.records)}; "
        f"messages to the admin chat: {admin_alerts}"
    )
    print(f"  lost: {len(lost)}{' ' + str(lost[:10]) if lost else ''}; doubled: {len(doubled)}")
    for record in errors.records[:5]:
        print(f"  error: {record.name}: {record.getMessage()[:200]}")
    ok = not lost and not doubled and not errors.records and elapsed < give_up_s
    print("PASS: all visible, none lost or doubled, no unhandled 429" if ok else "FAIL", flush=True)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="SMS to inject (≤ 99,999)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up after (seconds)")
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 99_999:
        parser.error("--count must be 1 to 99,999")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # While Telegram's limit holds the forwarding job back, APScheduler says at every tick that
    # it skipped the next run (max_instances=1, as intended): noise here.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    print(f"machine: {describe_machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(run(args.count, args.timeout, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
