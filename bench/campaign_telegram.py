"""SPEC §7 campaigns through Telegram: a 50,000-row `/bulk` campaign from upload to summary,
its one progress message edited at most every 3 s, and no Telegram 429 left unhandled.

The real bridge (`bot.app.RunningBridge`: PTB with its AIORateLimiter, the campaign jobs,
SQLite in a temp folder) runs against both provider simulators (100 ms a call) and
`sandbox.telegram.TelegramFake(flood=True)`, which answers 429 with `retry_after` past
Telegram's limits, all in this process. A campaign makes few Telegram calls of its own (an
edit every 3 s, the summary), so besides the flood limits the fake answers the first
`--refuse` progress edits and the summary's first upload 429 (`retry_after` 1 s), as a busy
bot's Telegram would. For each provider, an operator uploads a CSV
(`mobile,name,city`) with the caption `/bulk` and answers the text prompt; the script presses
Send on the preview and waits for the summary document. RayganSMS gets each row's own text
(`{name}`: `SendCorrespondingMessage`); Payamak, which groups recipients by text, gets one text
per city (`{city}`, five of them), with the opt-out suffix it requires.

Printed, each with its bound: wall from Send to the summary, the SMS the simulator took (every
row's own text exactly once), the progress message's edits and the smallest gap between two
(≥ 3 s, less the scheduler's jitter of 0.2 s), the calls the fake answered 429 and whether the
summary still came, and the bridge's ERROR log records (an unhandled error is logged by the
bot's error handler: 0).

    .venv/bin/python bench/campaign_telegram.py [--rows 50000] [--latency 0.1] [--refuse 2]
                                                [--timeout 600] [--accounts raygan,meli]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import logging
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from machine import describe_machine
from records import ErrorRecords

from bot.app import RunningBridge
from bot.campaigns.jobs import PROGRESS_INTERVAL
from bot.config import Config
from sandbox.bridge_config import bridge_config
from sandbox.server import ProviderSandbox, RunningServer
from sandbox.telegram import FakeMessage, TelegramFake

TOKEN = "1000001:bench-token-not-a-real-one"
ADMIN = 111111111
ADMIN_CHAT = -1001234567890
CITIES = ("تهران", "شیراز", "تبریز", "مشهد", "اصفهان")
SUFFIX = "لغو۱۱"
JITTER_S = 0.2  # how much earlier than its interval a JobQueue run may come
WAIT_S = 60.0  # for the bot's answer to an upload or a text


@dataclass(frozen=True)
class Case:
    """One provider's campaign: the account, its template, the text each row should get."""

    account: str
    template: str

    def text_of(self, name: str, city: str) -> str:
        """The text a row gets on the wire (the suffix where the account needs it)."""
        text = self.template.replace("{name}", name).replace("{city}", city)
        return f"{text}\n{SUFFIX}"


CASES = (
    Case("raygan", "سلام {name}، سفارش شما آماده است"),
    Case("meli", "فروش ویژه شعبه {city} تا جمعه"),
)


def rows_of(count: int) -> list[tuple[str, str, str]]:
    """(mobile, name, city) of each row, every number different."""
    return [(f"0912{i:07d}", f"مشتری{i}", CITIES[i % len(CITIES)]) for i in range(count)]


def csv_of(rows: list[tuple[str, str, str]]) -> bytes:
    """The file the operator uploads (UTF-8 with a BOM, as Excel saves it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["mobile", "name", "city"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def make_config(case: Case, telegram_url: str, sandbox_url: str, db_path: Path) -> Config:
    """The bridge with the one account of the case, the opt-out suffix, 50,000 rows allowed."""
    return Config.model_validate(
        bridge_config(
            token=TOKEN,
            telegram_url=telegram_url,
            sandbox_url=sandbox_url,
            db_path=db_path,
            admins=[ADMIN],
            admin_chat_id=ADMIN_CHAT,
            accounts=[case.account],
            polling={"inbox": 30, "delivery": 3600, "credit": 3600},
            bulk={"max_recipients": 50_000, "opt_out_suffix": SUFFIX},
        )
    )


def sent_texts(sandbox: ProviderSandbox, case: Case) -> Counter[tuple[str, str]]:
    """(mobile as 09…, text) of every SMS the case's simulator took, counted."""
    if case.account == "raygan":
        return Counter((s.mobile, s.text) for s in sandbox.raygan.sent)
    return Counter((number, s.text) for s in sandbox.payamak.sent for number in s.to)


async def run_case(
    case: Case, count: int, latency: float, give_up_s: float, refuse: int, tmp: Path
) -> bool:
    """One provider's campaign from upload to summary; prints its figures; True if all PASS."""
    sandbox = ProviderSandbox()
    for simulator in (sandbox.raygan, sandbox.payamak):
        for account in simulator.accounts.values():
            account.credit = 10**12
        simulator.faults.set_latency(latency)
    fake = TelegramFake(TOKEN, flood=True)
    fake.add_user(ADMIN, "Sara", language_code="fa")
    fake.add_group(ADMIN_CHAT, "SMS admins")
    rows = rows_of(count)
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    try:
        async with (
            RunningServer(sandbox.build_app()) as providers,
            RunningServer(fake.build_app()) as telegram,
        ):
            config = make_config(case, telegram.url, providers.url, tmp / f"{case.account}.db")
            async with RunningBridge(config):
                fake.upload_document(ADMIN, ADMIN, "customers.csv", csv_of(rows), caption="/bulk")
                await fake.wait_for_bot_message(ADMIN, timeout=WAIT_S)  # asks for the text
                fake.user_sends(ADMIN, ADMIN, case.template)
                preview = await fake.wait_for_bot_message(
                    ADMIN, predicate=lambda m: bool(m.buttons()), timeout=WAIT_S
                )
                go = next(
                    str(b["callback_data"])
                    for b in preview.buttons()
                    if str(b.get("callback_data", "")).startswith("bulk:go:")
                )
                if refuse:
                    fake.fail_requests(429, times=refuse, methods={"editmessagetext"})
                    fake.fail_requests(429, times=1, methods={"senddocument"})
                started = time.perf_counter()
                fake.press_button(ADMIN, ADMIN, preview.message_id, go)
                progress = await fake.wait_for_bot_message(ADMIN, timeout=WAIT_S)
                summary: FakeMessage = await fake.wait_for_bot_message(
                    ADMIN, predicate=lambda m: m.document is not None, timeout=give_up_s
                )
                wall = time.perf_counter() - started
                edited_at = list(fake.message(ADMIN, progress.message_id).edited_at)
    finally:
        logging.getLogger().removeHandler(errors)
    wanted = Counter((mobile, case.text_of(name, city)) for mobile, name, city in rows)
    got = sent_texts(sandbox, case)
    missing = sum((wanted - got).values())
    extra = sum((got - wanted).values())
    calls = dict(sandbox.raygan.calls if case.account == "raygan" else sandbox.payamak.calls)
    sends = {m: n for m, n in calls.items() if m.startswith("Send")}
    gaps = [later - earlier for earlier, later in pairwise(edited_at)]
    smallest = min(gaps) if gaps else float("inf")
    refused = Counter(r.method for r in fake.requests if r.status == 429)
    report = summary.document.content.decode("utf-8-sig") if summary.document else ""
    reported = Counter(row["outcome"] for row in csv.DictReader(io.StringIO(report)))
    print(
        f"  {case.account:<7} Send → summary {wall:7.2f} s  provider send calls {sends}"
        f"  SMS {sum(got.values()):,} (each row's text once: missing {missing}, extra {extra})"
        f"  report {dict(reported)}"
    )
    print(
        f"          progress edits {len(edited_at)}, smallest gap"
        f" {smallest:.2f} s (bound ≥ {PROGRESS_INTERVAL:g} s − {JITTER_S:g} s);"
        f" answered 429 by the fake: {dict(refused) or 0}; ERROR records {len(errors.records)}"
    )
    for record in errors.records[:5]:
        print(f"          error: {record.name}: {record.getMessage()[:200]}")
    once = missing == 0 and extra == 0 and reported.get("sent", 0) == count
    spaced = smallest >= PROGRESS_INTERVAL - JITTER_S
    # The last edit shows the campaign done: refused ones were retried, not dropped.
    handled = not errors.records and bool(edited_at)
    print(
        f"          every row's text once: {'PASS' if once else 'FAIL'}"
        f"   edits ≥ 3 s apart: {'PASS' if spaced else 'FAIL'}"
        f"   no 429 left unhandled, no error: {'PASS' if handled else 'FAIL'}",
        flush=True,
    )
    return once and spaced and handled


async def run(
    count: int, latency: float, give_up_s: float, refuse: int, accounts: list[str]
) -> int:
    """Every case in turn; exit status 0 when all PASS."""
    print(
        f"campaign through Telegram: {count:,} rows, {latency * 1000:g} ms per provider call,"
        " Telegram fake with flood limits; everything in this process"
    )
    print(f"machine: {describe_machine()}")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            if case.account in accounts:
                ok = await run_case(case, count, latency, give_up_s, refuse, Path(tmp)) and ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the CSV (≤ 50,000)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds a provider call")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after (seconds)")
    parser.add_argument(
        "--refuse", type=int, default=2, help="progress edits the fake answers 429 first"
    )
    parser.add_argument(
        "--accounts", default="raygan,meli", help="which cases: raygan, meli or both"
    )
    args = parser.parse_args()
    if not 1 <= args.rows <= 50_000:
        parser.error("--rows must be 1 to 50,000")
    accounts = [a.strip() for a in args.accounts.split(",") if a.strip()]
    if not accounts or set(accounts) - {c.account for c in CASES}:
        parser.error("--accounts takes raygan, meli or both, comma-separated")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The worker's job runs longer than its 1 s interval while a chunk is out: APScheduler says
    # it skipped a run (max_instances=1, as intended) at every tick; noise here.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    return asyncio.run(run(args.rows, args.latency, args.timeout, args.refuse, accounts))


if __name__ == "__main__":
    sys.exit(main())
