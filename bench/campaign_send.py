"""SPEC §7 campaigns: a 50,000-recipient campaign through each simulator at 100 ms per call,
compared with the bound of bench/bulk_send.py (×1.2).

The campaign (one text, the opt-out suffix) is stored as a draft by `prepare_campaign`, then
`CampaignWorker.run_once` sends it whole, chunk by chunk, each marked in SQLite before its call
and its answer stored after it, through the real adapters against the simulators in a child
process. Telegram is not in it (the progress message is edited by its own job every 3 s).

Bound: as bulk_send.py, ceil(calls / concurrency) × latency for the calls the adapters need at
least (RayganSMS: 1 SendMessage of 50,000; Payamak: 500 SendSMS of 100), × 1.2. The campaign
makes its own number of calls: RayganSMS chunks of 1,000 (so that a crash leaves at most 1,000
`unknown`), which is 50 calls, more than the bound's one; Payamak chunks of 100, the same 500.

    .venv/bin/python bench/campaign_send.py [--recipients 50000] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from bulk_send import (
    PASSWORD,
    PAYAMAK_LINE,
    RAYGAN_LINE,
    USER,
    SandboxProcess,
    _hwm_mb,
    _reset_hwm,
)
from machine import describe_machine

from bot.campaigns.files import CampaignFile, RenderedCampaign, read_campaign_file, render_campaign
from bot.campaigns.service import (
    CHUNK_SIZE,
    CampaignWorker,
    Preview,
    prepare_campaign,
    start_campaign,
)
from providers.base import SmsProvider
from providers.http import HttpSettings
from providers.payamak import PayamakProvider
from providers.raygansms import RayganSmsProvider
from sandbox.server import PAYAMAK_API, RAYGAN_API
from storage.models import CampaignStatus
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

WITHIN = 1.2
TEXT = "فروش ویژه پایان سال: ۲۰٪ تخفیف روی همه کالاها تا جمعه."
CONCURRENCY = HttpSettings().max_concurrency


@dataclass(frozen=True)
class Account:
    """A benchmark account, as campaigns see it."""

    name: str
    provider: SmsProvider
    part_limit: int | None
    max_per_minute: int | None = None
    daily_limit: int = 0


class NoAlerts:
    """Alerts go nowhere in a benchmark (none is expected)."""

    async def alert(self, key: str, text_key: str, /, **values: object) -> bool:
        print(f"  alert {key}: {text_key}")
        return True


def file_of(count: int) -> CampaignFile:
    data = ("mobile\n" + "".join(f"0912{i:07d}\n" for i in range(count))).encode()
    read = read_campaign_file("list.txt", data, max_rows=count)
    assert isinstance(read, CampaignFile), read
    return read


async def send_once(
    account: Account, line: str, count: int, folder: Path
) -> tuple[float, float, int, int]:
    """(wall s, peak MB, calls made by the worker, recipients accepted)."""
    conn = await open_database(folder / f"{account.name}.sqlite3")
    repo = SqliteStorage(conn)
    try:
        read = file_of(count)
        rendered = render_campaign(read, TEXT, suffix="لغو11", part_limit=account.part_limit)
        assert isinstance(rendered, RenderedCampaign), rendered
        preview = await prepare_campaign(
            repo,
            account,
            line=line,
            file=read,
            file_name="list.txt",
            rendered=rendered,
            template=TEXT,
            opted_out=(),
            idempotency_key=f"bench:{account.name}",
            chat_id=-100,
            user_id=1,
        )
        assert isinstance(preview, Preview), preview
        await start_campaign(repo, preview.campaign.id)
        worker = CampaignWorker(
            repo,
            NoAlerts(),
            {account.name: account},
            clock=lambda: datetime.now(UTC),
            quiet_hours=None,
            poll_delay=10.0,
        )
        reset = _reset_hwm()
        started = time.perf_counter()
        await worker.run_once()
        wall = time.perf_counter() - started
        peak = _hwm_mb() if reset else float("nan")
        campaign = await repo.get_campaign(preview.campaign.id)
        assert campaign is not None and campaign.status is CampaignStatus.DONE, campaign
        progress = await repo.campaign_progress(campaign.id)
        accepted = sum(n for state, n in progress.states.items() if state.value != "failed")
        return wall, peak, campaign.chunk_count, accepted
    finally:
        await conn.close()


async def run(count: int, latency: float) -> int:
    sandbox = SandboxProcess(latency)
    print(
        f"campaign send: {count:,} recipients, {latency * 1000:g} ms per call, our concurrency"
        f" {CONCURRENCY} per account; simulators in a child process"
    )
    print(f"machine: {describe_machine()}")
    ok = True
    try:
        async with aiohttp.ClientSession() as session:
            raygan = RayganSmsProvider(
                session, base_url=sandbox.url + RAYGAN_API, username=USER, password=PASSWORD
            )
            payamak = PayamakProvider(
                session, base_url=sandbox.url + PAYAMAK_API, username=USER, password=PASSWORD
            )
            cases = [
                (Account("raygan", raygan, 10), RAYGAN_LINE, 1),
                (Account("meli", payamak, None), PAYAMAK_LINE, math.ceil(count / 100)),
            ]
            with tempfile.TemporaryDirectory() as folder:
                for account, line, bound_calls in cases:
                    wall, peak, calls, accepted = await send_once(
                        account, line, count, Path(folder)
                    )
                    bound = math.ceil(bound_calls / CONCURRENCY) * latency
                    own = math.ceil(calls / CONCURRENCY) * latency
                    time_ok = wall <= bound * WITHIN
                    ratio = wall / bound if bound else float("inf")
                    ok = ok and time_ok and accepted == count
                    name = account.provider.provider_name
                    print(
                        f"  {name:<10} wall {wall:6.2f} s  calls {calls:4d} (chunks of"
                        f" {CHUNK_SIZE[name]:,})  bulk_send bound"
                        f" ceil({bound_calls}/{CONCURRENCY})"
                        f"×{latency:g} = {bound:.2f} s  ratio {ratio:5.2f}  own calls' bound"
                        f" {own:.2f} s  peak RSS {peak:6.1f} MB  accepted {accepted:,}"
                    )
                    verdict = "PASS" if time_ok else "FAIL"
                    every = "PASS" if accepted == count else "FAIL"
                    print(
                        f"             within {WITHIN:g}× the bound: {verdict}"
                        f"   every recipient accepted: {every}"
                    )
    finally:
        sandbox.close()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=50_000)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    if not 1 <= args.recipients <= 50_000:
        parser.error("--recipients must be 1 to 50000")
    return asyncio.run(run(args.recipients, args.latency))


if __name__ == "__main__":
    sys.exit(main())
