"""SPEC §7 campaigns: a 50,000-row CSV (and the same rows as XLSX) read, validated,
blacklist-checked and previewed in under 5 s and 200 MB.

The file (mobile, name, city; a few invalid rows and duplicates) is written first; then, timed:
`read_campaign_file`, `render_campaign` with a `{name}` template and the opt-out suffix, and
`prepare_campaign` (ShowWhiteList in batches, GetPrices, GetCredit through the real RayganSMS
adapter against the simulator in a child process at `--latency` per call, the draft stored whole
in SQLite). Memory: this process's resident-set high-water mark (VmHWM) reset after the file is
written, so it is the preview's, not the file generator's.

    .venv/bin/python bench/campaign_preview.py [--rows 50000] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from bulk_send import PASSWORD, RAYGAN_LINE, USER, SandboxProcess, _hwm_mb, _reset_hwm
from machine import describe_machine
from openpyxl import Workbook

from bot.campaigns.files import CampaignFile, RenderedCampaign, read_campaign_file, render_campaign
from bot.campaigns.service import Preview, prepare_campaign
from providers.http import HttpSettings
from providers.raygansms import RayganSmsProvider
from sandbox.server import RAYGAN_API
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

BOUND_S = 5.0
MEMORY_MB = 200.0
TEMPLATE = "سلام {name} از {city}، فروش ویژه پایان سال"


def rows(count: int) -> list[list[object]]:
    """The file's rows: a header, then numbers with a name and a city; every 500th row
    invalid, every 1,000th a duplicate of the row before."""
    out: list[list[object]] = [["mobile", "name", "city"]]
    for i in range(count):
        if i % 500 == 499:
            out.append(["0912", f"name {i}", "تهران"])
        elif i % 1000 == 998:
            out.append(out[-1])
        else:
            out.append([f"0912{i:07d}", f"name {i}", "تهران"])
    return out


def csv_file(table: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return buffer.getvalue().encode("utf-8")


def xlsx_file(table: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in table:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Account:
    """The benchmark's account, as campaigns see it."""

    name: str
    provider: RayganSmsProvider
    part_limit: int | None = 10
    max_per_minute: int | None = None
    daily_limit: int = 0


async def preview_once(
    name: str, data: bytes, url: str, folder: Path
) -> tuple[float, float, Preview, dict[str, float]]:
    """Read, validate, render, check and store one file; (wall s, peak MB, preview, steps)."""
    reset = _reset_hwm()
    steps: dict[str, float] = {}
    conn = await open_database(folder / f"{name}.sqlite3")
    try:
        async with aiohttp.ClientSession() as session:
            provider = RayganSmsProvider(
                session,
                base_url=url + RAYGAN_API,
                username=USER,
                password=PASSWORD,
                settings=HttpSettings(),
            )
            started = time.perf_counter()
            read = await asyncio.to_thread(read_campaign_file, name, data, max_rows=50_000)
            assert isinstance(read, CampaignFile), read
            steps["read"] = time.perf_counter() - started
            mark = time.perf_counter()
            rendered = await asyncio.to_thread(
                render_campaign, read, TEMPLATE, suffix="لغو11", part_limit=10
            )
            assert isinstance(rendered, RenderedCampaign), rendered
            steps["render"] = time.perf_counter() - mark
            mark = time.perf_counter()
            preview = await prepare_campaign(
                SqliteStorage(conn),
                Account("raygan", provider),
                line=RAYGAN_LINE,
                file=read,
                file_name=name,
                rendered=rendered,
                template=TEMPLATE,
                opted_out=(),
                idempotency_key=f"bench:{name}",
                chat_id=-100,
                user_id=1,
            )
            assert isinstance(preview, Preview), preview
            steps["check+store"] = time.perf_counter() - mark
            wall = time.perf_counter() - started
    finally:
        await conn.close()
    peak = _hwm_mb() if reset else float("nan")
    return wall, peak, preview, steps


async def run(count: int, latency: float) -> int:
    table = rows(count)
    files = {"list.csv": csv_file(table), "list.xlsx": xlsx_file(table)}
    del table
    sandbox = SandboxProcess(latency)
    ok = True
    print(
        f"campaign preview: {count:,} rows, {latency * 1000:g} ms per provider call;"
        " simulator in a child process"
    )
    print(f"machine: {describe_machine()}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            for name, data in files.items():
                wall, peak, preview, steps = await preview_once(
                    name, data, sandbox.url, Path(folder)
                )
                time_ok, memory_ok = wall < BOUND_S, peak < MEMORY_MB
                ok = ok and time_ok and memory_ok
                detail = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in steps.items())
                print(
                    f"  {name:<10} {len(data) / 1e6:5.1f} MB  wall {wall:5.2f} s ({detail})"
                    f"  peak RSS {peak:6.1f} MB  valid {preview.valid:,}  invalid"
                    f" {preview.invalid_count:,}  duplicates {preview.duplicates:,}  to send"
                    f" {preview.to_send:,}  parts {preview.total_parts:,}"
                )
                print(
                    f"             under {BOUND_S:g} s: {'PASS' if time_ok else 'FAIL'}"
                    f"   under {MEMORY_MB:g} MB: {'PASS' if memory_ok else 'FAIL'}"
                )
    finally:
        sandbox.close()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    if not 1 <= args.rows <= 50_000:
        parser.error("--rows must be 1 to 50000 (bulk.max_recipients' default)")
    return asyncio.run(run(args.rows, args.latency))


if __name__ == "__main__":
    sys.exit(main())
