"""Issue 11 topics: 1,000 customers each sending 3 SMS within a minute into one topic-routed
forum group, through the flood-limited Telegram fake: every SMS in its customer's topic, none
lost, none doubled, none in the wrong topic; the time against the bound Telegram's limits set.

The real bridge (PTB with AIORateLimiter, the inbox and forwarding jobs, SQLite in a temp
folder) runs against the RayganSMS simulator and `TelegramFake(flood=True)` (20 messages a
minute per group, topics included: they share their group's limit; createForumTopic counts
too). Bound: every topic needs its createForumTopic and at least one message, so
2 × customers calls at 20 a minute: 100 minutes for 1,000 customers.

    .venv/bin/python bench/topic_burst.py [--customers 1000] [--per-customer 3] [--timeout 9000]
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
from providers.phone import display_number, normalize_mobile
from sandbox.bridge_config import bridge_config
from sandbox.server import ProviderSandbox, RunningServer
from sandbox.telegram import GROUP_PER_MINUTE, TelegramFake

TOKEN = "1000001:bench-token-not-a-real-one"
ADMIN = 111111111
ADMIN_CHAT = -1001234567890
FORUM = -1007770000001
USER = "bench"
PASSWORD = "bench-secret"
RAYGAN_LINE = "50002910001080"
MARK = re.compile(r"#c(\d{5})m(\d)\b")


def make_config(telegram_url: str, sandbox_url: str, db_path: Path) -> Config:
    """The bridge's config: one RayganSMS account, its line routed to the forum in topics."""
    data = bridge_config(
        token=TOKEN,
        telegram_url=telegram_url,
        sandbox_url=sandbox_url,
        db_path=db_path,
        admins=[ADMIN],
        admin_chat_id=ADMIN_CHAT,
        accounts=["raygan"],
        username=USER,
        passwords={"raygan": PASSWORD},
        routes={RAYGAN_LINE: FORUM},
        polling={"inbox": 2, "delivery": 60, "credit": 3600},
    )
    data["routes"][0]["topics"] = True
    return Config.model_validate(data)


def customer(i: int) -> str:
    """The i-th customer's mobile (7919 is prime to 10^7: no repeats)."""
    return f"0935{(i * 7919) % 10_000_000:07d}"


def placed(fake: TelegramFake) -> tuple[Counter[tuple[int, int]], int, int]:
    """Each SMS mark's count in the forum, marks in the wrong topic, marks outside topics."""
    names = {t.thread_id: t.name for t in fake.topics(FORUM)}
    found: Counter[tuple[int, int]] = Counter()
    wrong = outside = 0
    for message in fake.bot_messages(FORUM):
        for c, m in MARK.findall(message.text or ""):
            found[(int(c), int(m))] += 1
            if message.thread_id is None:
                outside += 1
            elif names.get(message.thread_id) != display_number(normalize_mobile(customer(int(c)))):
                wrong += 1
    return found, wrong, outside


async def run(customers: int, per: int, give_up_s: float, tmp: Path) -> int:
    """Inject, wait until all are placed, print; 0 when all are in their topics once."""
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    sandbox = ProviderSandbox()
    sandbox.raygan.add_account(USER, PASSWORD, lines=[RAYGAN_LINE])
    fake = TelegramFake(TOKEN, flood=True)
    fake.add_user(ADMIN, "Sara", language_code="fa")
    fake.add_group(ADMIN_CHAT, "SMS admins")
    fake.add_group(FORUM, "Customers", bot_is_admin=True, forum=True, can_manage_topics=True)
    total = customers * per
    async with (
        RunningServer(sandbox.build_app()) as providers,
        RunningServer(fake.build_app()) as telegram,
    ):
        config = make_config(telegram.url, providers.url, tmp / "bridge.sqlite3")
        async with RunningBridge(config):
            # Wait for the line's first poll, so the burst is new SMS, not history.
            await asyncio.sleep(3.0)
            for m in range(per):
                for c in range(customers):
                    sandbox.raygan.inject_incoming(
                        RAYGAN_LINE, customer(c), f"سلام، سفارش من؟ #c{c:05d}m{m}"
                    )
            started = time.perf_counter()
            deadline = started + give_up_s
            found: Counter[tuple[int, int]] = Counter()
            while time.perf_counter() < deadline:
                found, _wrong, _outside = placed(fake)
                if len(found) == total:
                    break
                await asyncio.sleep(1.0)
            elapsed = time.perf_counter() - started
            await asyncio.sleep(3.0)
            found, wrong, outside = placed(fake)
    logging.getLogger().removeHandler(errors)

    creates = len([r for r in fake.requests if r.method == "createForumTopic" and r.status == 200])
    posts = len([m for m in fake.bot_messages(FORUM) if m.text])
    refused_429 = sum(1 for r in fake.requests if r.status == 429)
    lost = total - len(found)
    doubled = sum(1 for n in found.values() if n > 1)
    bound_min = 2 * customers / GROUP_PER_MINUTE
    used_min = (creates + posts) / GROUP_PER_MINUTE
    print(
        f"topic burst: {customers:,} customers × {per} SMS = {total:,} SMS on {RAYGAN_LINE}, "
        f"one forum group in topic mode; Telegram fake with flood limits "
        f"({GROUP_PER_MINUTE}/min per group, topics included)"
    )
    print(
        f"  all placed after {elapsed:.1f} s ({elapsed / 60:.1f} min); topics opened {creates:,}, "
        f"messages in them {posts:,} ({total / max(posts, 1):.1f} SMS per message)"
    )
    print(
        f"  bound: {customers:,} topics need ≥ {2 * customers:,} calls at {GROUP_PER_MINUTE}/min "
        f"= {bound_min:.1f} min; the {creates + posts:,} calls made need ≥ {used_min:.1f} min"
    )
    print(
        f"  429 answers {refused_429:,}; error log records {len(errors.records)}; "
        f"lost {lost}; doubled {doubled}; in the wrong topic {wrong}; outside topics {outside}"
    )
    for record in errors.records[:5]:
        print(f"  error: {record.name}: {record.getMessage()[:200]}")
    ok = not lost and not doubled and not wrong and not outside and not errors.records
    print("PASS: every SMS in its customer's topic once" if ok else "FAIL", flush=True)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--per-customer", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=9000.0)
    args = parser.parse_args(argv)
    if not 1 <= args.customers <= 99_999 or not 1 <= args.per_customer <= 9:
        parser.error("--customers 1 to 99,999, --per-customer 1 to 9")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    print(f"machine: {describe_machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(run(args.customers, args.per_customer, args.timeout, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
