"""SPEC §7 storage: with 1,000,000 stored messages, /status and /history answer in < 20 ms,
on both backends.

Fills a fresh database (through the real migrations) with incoming SMS and sends/recipients in
big executemany transactions, then times the repository calls behind /status
(`get_send` + `get_recipients`) and /history (`history`), and prints the median, the p99 and
the bound, plus a markdown row for bench/RESULTS.md.

    .venv/bin/python bench/storage_queries.py [--messages 1000000] [--calls 2000] [--keep PATH]
    .venv/bin/python bench/storage_queries.py --backend postgres [--url postgresql://…/db]

On PostgreSQL without --url it starts a throwaway server (the machine's initdb and postgres,
as the tests do: tests/support/postgres_server.py) and fills a fresh database with COPY.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import asyncpg

from storage.base import Storage
from storage.postgres import PgStorage, open_pool
from storage.sqlite import SqliteStorage
from storage.sqlite.core import to_db_time
from storage.sqlite.db import open_database

BOUND_MS = 20.0
TEST_SUPPORT = str(Path(__file__).resolve().parents[1] / "tests" / "support")
CHATS = 20
LINES = ("50002910001080", "10002188", "30001234")
BULK_SENDS = 4  # in chat 0, so its /history always holds big sends
BULK_SIZE = 10_000
BATCH = 100_000
STATES = ("sent", "at_carrier", "delivered", "delivered", "delivered", "undelivered", "failed")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SPAN_S = 90 * 24 * 3600


def _moment(rng: random.Random) -> str:
    return to_db_time(_instant(rng))


def _instant(rng: random.Random) -> datetime:
    return NOW - timedelta(seconds=rng.uniform(0, SPAN_S))


def _number(i: int) -> str:
    return f"+98912{i % 10_000_000:07d}"


async def fill(conn: aiosqlite.Connection, messages: int, rng: random.Random) -> tuple[int, int]:
    """Half incoming SMS, half sent-recipient rows; returns (sends, incoming) counts."""
    incoming_n = messages // 2
    recipients_n = messages - incoming_n
    bulk_total = BULK_SENDS * BULK_SIZE
    single_sends = max(recipients_n - bulk_total, 0)
    sends_n = single_sends + BULK_SENDS

    async def batched(sql: str, rows: Iterator[tuple[object, ...]]) -> None:
        chunk: list[tuple[object, ...]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == BATCH:
                await _write(conn, sql, chunk)
                chunk = []
        if chunk:
            await _write(conn, sql, chunk)

    def incoming_rows() -> Iterator[tuple[object, ...]]:
        for i in range(1, incoming_n + 1):
            at = _moment(rng)
            yield (i, "raygan", LINES[i % 3], _number(i), f"پیام شماره {i}", at, f"k{i}", at)

    def send_rows() -> Iterator[tuple[object, ...]]:
        for i in range(1, sends_n + 1):
            at = _moment(rng)
            count = BULK_SIZE if i <= BULK_SENDS else 1
            chat = 0 if i <= BULK_SENDS else i % CHATS
            yield (i, f"chat:{i}", "raygan", LINES[i % 3], f"متن {i}", chat, 7, count, at, at)

    def recipient_rows() -> Iterator[tuple[object, ...]]:
        rid = 0
        for send_id in range(1, sends_n + 1):
            count = BULK_SIZE if send_id <= BULK_SENDS else 1
            for _ in range(count):
                rid += 1
                state = rng.choice(STATES)
                poll = None if state in ("delivered", "undelivered", "failed") else _moment(rng)
                yield (rid, send_id, _number(rid), state, str(rid), poll, _moment(rng))

    await batched(
        "INSERT INTO incoming (id, account, line, sender, body, received_at, dedupe_key,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        incoming_rows(),
    )
    # Every incoming SMS was forwarded to one chat, received_at copied as store_incoming does.
    await conn.execute("BEGIN IMMEDIATE")
    await conn.execute(
        "INSERT INTO forwards (chat_id, incoming_id, received_at, message_id, forwarded_at,"
        f" created_at) SELECT id % {CHATS}, id, received_at, id, created_at, created_at"
        " FROM incoming"
    )
    await conn.execute("COMMIT")
    await batched(
        "INSERT INTO sends (id, idempotency_key, account, line, text, chat_id, requested_by,"
        " status, recipient_count, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?)",
        send_rows(),
    )
    await batched(
        "INSERT INTO send_recipients (id, send_id, account, recipient, state,"
        " provider_message_id, next_poll_at, updated_at) VALUES (?, ?, 'raygan', ?, ?, ?, ?, ?)",
        recipient_rows(),
    )
    return sends_n, incoming_n


async def fill_postgres(pool: asyncpg.Pool, messages: int, rng: random.Random) -> tuple[int, int]:
    """The same rows as `fill`, written with COPY; returns (sends, incoming) counts."""
    incoming_n = messages // 2
    recipients_n = messages - incoming_n
    sends_n = max(recipients_n - BULK_SENDS * BULK_SIZE, 0) + BULK_SENDS

    def incoming_rows() -> Iterator[tuple[object, ...]]:
        for i in range(1, incoming_n + 1):
            at = _instant(rng)
            yield (i, "raygan", LINES[i % 3], _number(i), f"پیام شماره {i}", at, f"k{i}", at)

    def send_rows() -> Iterator[tuple[object, ...]]:
        for i in range(1, sends_n + 1):
            at = _instant(rng)
            count = BULK_SIZE if i <= BULK_SENDS else 1
            chat = 0 if i <= BULK_SENDS else i % CHATS
            yield (i, f"chat:{i}", "raygan", LINES[i % 3], f"متن {i}", chat, 7, "submitted",
                   count, at, at)  # fmt: skip

    def recipient_rows() -> Iterator[tuple[object, ...]]:
        rid = 0
        for send_id in range(1, sends_n + 1):
            count = BULK_SIZE if send_id <= BULK_SENDS else 1
            for _ in range(count):
                rid += 1
                state = rng.choice(STATES)
                poll = None if state in ("delivered", "undelivered", "failed") else _instant(rng)
                yield (rid, send_id, "raygan", _number(rid), state, str(rid), poll, _instant(rng))

    async with pool.acquire() as conn:
        await conn.copy_records_to_table(
            "incoming",
            records=incoming_rows(),
            columns=[
                "id", "account", "line", "sender", "body", "received_at", "dedupe_key",
                "created_at",
            ],
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO forwards (chat_id, incoming_id, received_at, message_id, forwarded_at,"
            f" created_at) SELECT id % {CHATS}, id, received_at, id, created_at, created_at"
            " FROM incoming"
        )
        await conn.copy_records_to_table(
            "sends",
            records=send_rows(),
            columns=[
                "id", "idempotency_key", "account", "line", "text", "chat_id", "requested_by",
                "status", "recipient_count", "created_at", "updated_at",
            ],
        )  # fmt: skip
        # The state-count trigger runs per row, as it does for the bridge's own writes.
        await conn.copy_records_to_table(
            "send_recipients",
            records=recipient_rows(),
            columns=[
                "id", "send_id", "account", "recipient", "state", "provider_message_id",
                "next_poll_at", "updated_at",
            ],
        )  # fmt: skip
        await conn.execute("VACUUM ANALYZE")
    return sends_n, incoming_n


async def _write(conn: aiosqlite.Connection, sql: str, rows: list[tuple[object, ...]]) -> None:
    await conn.execute("BEGIN IMMEDIATE")
    try:
        await conn.executemany(sql, rows)
        await conn.execute("COMMIT")
    except BaseException:
        await conn.execute("ROLLBACK")
        raise


async def measure(calls: int, call: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """Median and p99 of `calls` awaited calls, in milliseconds."""
    for _ in range(20):  # warm the page cache and the statement cache
        await call()
    samples: list[float] = []
    for _ in range(calls):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


async def run(messages: int, calls: int, keep: Path | None) -> int:
    """Fill, measure, print (SQLite); exit status 0 when every p99 is under the bound."""
    rng = random.Random(20261122)
    with tempfile.TemporaryDirectory() as tmp:
        path = keep if keep is not None else Path(tmp) / "bench.sqlite3"
        if path.exists():
            raise SystemExit(f"{path} exists; the benchmark needs a fresh database")
        conn = await open_database(path)
        try:
            started = time.perf_counter()
            sends_n, incoming_n = await fill(conn, messages, rng)
            fill_s = time.perf_counter() - started
            size_mb = path.stat().st_size / 1e6
            figures, informational = await measure_all(SqliteStorage(conn), calls, sends_n, rng)
        finally:
            await conn.close()
    driver = f"aiosqlite (thread hop included), SQLite {sqlite3.sqlite_version}"
    return report(messages, calls, sends_n, incoming_n, fill_s, size_mb, driver, figures,
                  informational)  # fmt: skip


async def run_postgres(messages: int, calls: int, url: str | None) -> int:
    """Fill, measure, print (PostgreSQL); exit status 0 when every p99 is under the bound."""
    rng = random.Random(20261122)
    server = None
    if url is None:
        sys.path.insert(0, TEST_SUPPORT)
        from postgres_server import start_server

        server = start_server()
        admin = await asyncpg.connect(server.url("postgres"))
        await admin.execute("CREATE DATABASE bench")
        await admin.close()
        url = server.url("bench")
    try:
        pool = await open_pool(url, min_size=1, max_size=4)
        try:
            started = time.perf_counter()
            sends_n, incoming_n = await fill_postgres(pool, messages, rng)
            fill_s = time.perf_counter() - started
            size_mb = await pool.fetchval("SELECT pg_database_size(current_database())") / 1e6
            version = await pool.fetchval("SHOW server_version")
            figures, informational = await measure_all(PgStorage(pool), calls, sends_n, rng)
        finally:
            await pool.close()
    finally:
        if server is not None:
            server.stop()
    driver = f"asyncpg pool over TCP 127.0.0.1, PostgreSQL {version}"
    return report(messages, calls, sends_n, incoming_n, fill_s, size_mb, driver, figures,
                  informational)  # fmt: skip


Figures = dict[str, tuple[float, float]]


async def measure_all(
    repo: Storage, calls: int, sends_n: int, rng: random.Random
) -> tuple[Figures, tuple[float, float]]:
    """The timed repository calls behind /status and /history, on any backend."""

    async def status_single() -> None:
        send_id = rng.randint(BULK_SENDS + 1, sends_n)
        assert await repo.get_send(send_id) is not None
        assert await repo.get_recipients(send_id)

    async def status_bulk() -> None:
        send_id = rng.randint(1, BULK_SENDS)
        assert await repo.get_send(send_id) is not None
        assert await repo.recipient_state_counts(send_id)
        assert await repo.get_recipients(send_id, limit=50)

    async def history() -> None:
        assert len(await repo.history(rng.randrange(CHATS), 10)) == 10

    async def history_bulk_chat() -> None:
        assert await repo.history(0, 10)

    async def status_bulk_all_rows() -> None:
        assert len(await repo.get_recipients(rng.randint(1, BULK_SENDS))) == BULK_SIZE

    informational = await measure(max(calls // 20, 10), status_bulk_all_rows)
    figures = {
        "/status (1 recipient)": await measure(calls, status_single),
        f"/status ({BULK_SIZE:,} recipients: counts + first 50)": await measure(calls, status_bulk),
        "/history 10 (any chat)": await measure(calls, history),
        "/history 10 (chat with bulk sends)": await measure(calls, history_bulk_chat),
    }
    return figures, informational


def report(
    messages: int,
    calls: int,
    sends_n: int,
    incoming_n: int,
    fill_s: float,
    size_mb: float,
    driver: str,
    figures: Figures,
    informational: tuple[float, float],
) -> int:
    """Print the figures, the bound and a RESULTS.md row; 0 when every p99 is under it."""
    recipients_n = messages - incoming_n
    machine = f"{_machine()}; {driver}"
    print(
        f"storage: {incoming_n:,} incoming + {recipients_n:,} sent recipients "
        f"({sends_n:,} sends) = {messages:,} messages; filled in {fill_s:.1f} s, {size_mb:.0f} MB"
    )
    print(f"{calls} calls each, through {driver}; bound: p99 < {BOUND_MS} ms")
    ok = True
    for name, (median, p99) in figures.items():
        verdict = "ok" if p99 < BOUND_MS else "OVER"
        ok = ok and p99 < BOUND_MS
        print(f"  {name:<50} median {median:6.2f} ms   p99 {p99:6.2f} ms   {verdict}")
    print(
        f"  (not bounded: every row of a {BULK_SIZE:,}-recipient send: median "
        f"{informational[0]:.1f} ms, p99 {informational[1]:.1f} ms)"
    )
    status_p50, status_p99 = figures["/status (1 recipient)"]
    hist_p50, hist_p99 = figures["/history 10 (any chat)"]
    print()
    print(
        "| benchmark | messages | /status median / p99 | /history median / p99 | bound | machine |"
    )
    print(
        f"| storage_queries | {messages:,} | {status_p50:.2f} / {status_p99:.2f} ms "
        f"| {hist_p50:.2f} / {hist_p99:.2f} ms | p99 < {BOUND_MS:.0f} ms | {machine} |"
    )
    return 0 if ok else 1


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()}, Python {platform.python_version()}"


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--url", help="PostgreSQL: an empty database to fill (default: own)")
    args = parser.parse_args()
    if args.backend == "postgres":
        raise SystemExit(asyncio.run(run_postgres(args.messages, args.calls, args.url)))
    raise SystemExit(asyncio.run(run(args.messages, args.calls, args.keep)))


if __name__ == "__main__":
    main()
