"""Issue 11 /export: a CSV of 1,000,000 stored messages of one line, streamed: time and peak
memory, which must stay flat (it must not grow with the export).

Fills a fresh database (the real migrations) with incoming SMS and single-recipient sends on
one line, then runs what `/export` runs for an admin's whole-line export
(`bot.export.service.export_rows` page by page into `bot.export.csvfile.write_export`, to a
temporary file) and prints rows, bytes, seconds, rows a second and the peak RSS before and
during the export. The bound: the export's RSS growth stays under 50 MB whatever the size
(a CSV of 1,000,000 rows is ~150 MB: built in memory it could not).

    .venv/bin/python bench/export_csv.py [--messages 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
from machine import describe_machine

from bot.export.csvfile import write_export
from bot.export.service import export_rows
from storage.models import ExportScope
from storage.sqlite import SqliteStorage
from storage.sqlite.core import to_db_time
from storage.sqlite.db import open_database

LINE = "50002910001080"
BATCH = 100_000
BOUND_GROWTH_MB = 50.0
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def peak_mb() -> float:
    """Peak resident set so far, MB (VmHWM; ru_maxrss where /proc is not there)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    match = re.search(r"VmHWM:\s+(\d+)", status)
    assert match is not None
    return int(match.group(1)) / 1024


def reset_peak() -> bool:
    """Start a fresh high-water mark; False when the kernel refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def _write(conn: aiosqlite.Connection, sql: str, rows: list[tuple[object, ...]]) -> None:
    await conn.execute("BEGIN IMMEDIATE")
    await conn.executemany(sql, rows)
    await conn.execute("COMMIT")


async def fill(conn: aiosqlite.Connection, messages: int) -> None:
    """Half incoming SMS, half sends of one recipient, all on LINE over the last 30 days."""
    half = messages // 2

    def moment(i: int) -> str:
        return to_db_time(NOW - timedelta(seconds=(i * 2_591_999) % 2_592_000))

    def number(i: int) -> str:
        return f"+98912{(i * 7919) % 10_000_000:07d}"

    async def batched(sql: str, rows: Iterator[tuple[object, ...]]) -> None:
        chunk: list[tuple[object, ...]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == BATCH:
                await _write(conn, sql, chunk)
                chunk = []
        if chunk:
            await _write(conn, sql, chunk)

    await batched(
        "INSERT INTO incoming (id, account, line, sender, body, received_at, dedupe_key,"
        " created_at) VALUES (?, 'raygan', ?, ?, ?, ?, ?, ?)",
        (
            (i, LINE, number(i), f"سلام، سفارش {i} کی می‌رسد؟", moment(i), f"k{i}", moment(i))
            for i in range(1, half + 1)
        ),
    )
    await batched(
        "INSERT INTO sends (id, idempotency_key, account, line, text, chat_id, requested_by,"
        " status, recipient_count, created_at, updated_at)"
        " VALUES (?, ?, 'raygan', ?, ?, -100, 7, 'submitted', 1, ?, ?)",
        (
            (i, f"tg:{i}", LINE, f"سفارش {i} فردا می‌رسد، ممنون", moment(i), moment(i))
            for i in range(1, messages - half + 1)
        ),
    )
    await batched(
        "INSERT INTO send_recipients (id, send_id, account, recipient, state, updated_at)"
        " VALUES (?, ?, 'raygan', ?, 'delivered', ?)",
        ((i, i, number(i), moment(i)) for i in range(1, messages - half + 1)),
    )


async def run(messages: int, tmp: Path) -> int:
    """Fill, export, print; 0 when every row was written and memory stayed flat."""
    conn = await open_database(tmp / "bridge.sqlite3")
    try:
        started = time.perf_counter()
        await fill(conn, messages)
        filled = time.perf_counter() - started
        repo = SqliteStorage(conn)
        fresh = reset_peak()
        before = peak_mb()
        started = time.perf_counter()
        with (tmp / "export.csv").open("wb") as out:
            rows = export_rows(repo, ExportScope(None, LINE), 3650, NOW + timedelta(minutes=1))
            count = await write_export(rows, "fa", out)
        elapsed = time.perf_counter() - started
        during = peak_mb()
        size = (tmp / "export.csv").stat().st_size
    finally:
        await conn.close()
    growth = during - before
    print(
        f"export: {messages:,} stored messages of line {LINE} (filled in {filled:.1f} s); "
        f"the whole line exported as /export does for an admin"
    )
    print(
        f"  rows {count:,} in {elapsed:.1f} s ({count / max(elapsed, 1e-9):,.0f} rows/s), "
        f"CSV {size / 1e6:.1f} MB"
    )
    print(
        f"  peak RSS before the export {before:.1f} MB, during it {during:.1f} MB: growth "
        f"{growth:.1f} MB (bound {BOUND_GROWTH_MB:.0f} MB, flat whatever the size)"
        + ("" if fresh else " (high-water mark not resettable: cumulative)")
    )
    ok = count == messages and growth < BOUND_GROWTH_MB
    print("PASS: every row written, memory flat" if ok else "FAIL", flush=True)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    print(f"machine: {describe_machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(run(args.messages, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
