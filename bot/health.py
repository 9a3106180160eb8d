"""`sms-bridge health`: does the database answer, and is every polling job still succeeding?

For a container's HEALTHCHECK (or any monitor): it reads what the running bridge records in
`poll_health` after each poll and compares each account's last success per job with that job's
configured interval; with `[api]` configured, the API's `GET /v1/health` must answer
`{"ok": true}` too. The delivery job polls only when some recipient is due (an idle tick
records nothing), so it is judged by its work instead: recipients whose poll is overdue by more
than the limit, or failures with no success within it. It opens the database read-only, never
creates or migrates it, and imports nothing of PTB, so a check every minute costs little.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import aiosqlite
import asyncpg

from bot.config import ApiConfig, Config, public_url
from bot.logs import redact
from storage.models import PollHealth
from storage.postgres import PgStorage, open_pool
from storage.sqlite import SqliteStorage

# A poll may take a while before it records anything (timeouts, retries with pauses, a long
# round of delivery reports), so a job counts as stuck only after two of its intervals plus
# this much without a success.
GRACE_SECONDS = 300.0
BUSY_TIMEOUT_SECONDS = 5.0
API_TIMEOUT_SECONDS = 10.0
# An API listening on every address is asked on the loopback one.
_ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def polling_intervals(config: Config) -> dict[str, float]:
    """The per-account polling jobs (as `bot.jobs.schedule_jobs` names them) and their
    intervals in seconds."""
    polling = config.polling
    return {"inbox": polling.inbox, "delivery": polling.delivery, "credit": polling.credit}


def stale_after(interval: float) -> float:
    """Seconds without a success after which a job that runs every `interval` s is stuck."""
    return 2 * interval + GRACE_SECONDS


@dataclass(frozen=True, slots=True)
class Health:
    """The verdict and the one line that explains it."""

    healthy: bool
    line: str


async def check_health(config: Config, now: datetime | None = None) -> Health:
    """Read the bridge's database (read-only) and judge every configured account's jobs."""
    if config.storage.is_postgres:
        return await _check_postgres(config, now)
    path = Path(config.storage.path)
    if not path.is_file():  # noqa: ASYNC240 (one stat, before any connection)
        return Health(False, f"unhealthy: database {path} does not exist (has the bridge run?)")
    moment = datetime.now(UTC) if now is None else now
    try:
        conn = await aiosqlite.connect(
            f"{path.resolve().as_uri()}?mode=ro",  # noqa: ASYNC240
            uri=True,
            timeout=BUSY_TIMEOUT_SECONDS,
        )
    except sqlite3.Error as exc:
        return Health(False, f"unhealthy: database {path} cannot be opened: {exc}")
    try:
        conn.row_factory = aiosqlite.Row
        repo = SqliteStorage(conn)
        records = await repo.poll_health()
        overdue = await repo.overdue_recipient_counts(
            moment - timedelta(seconds=stale_after(config.polling.delivery))
        )
    except sqlite3.Error as exc:
        return Health(False, f"unhealthy: database {path} does not answer: {exc}")
    finally:
        await conn.close()
    verdict = judge(config, records, moment, overdue)
    if config.api is None or not verdict.healthy:
        return verdict
    problem = await api_problem(config.api)
    if problem is not None:
        return Health(False, f"unhealthy: {problem}")
    return Health(True, f"{verdict.line}; the API on {config.api.listen} answers")


def api_health_url(config: ApiConfig) -> str:
    """Where the running bridge's API answers `GET /v1/health`."""
    host = _ANY_ADDRESS.get(config.host, config.host)
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{config.port}/v1/health"


async def api_problem(config: ApiConfig) -> str | None:
    """Why the API's health route does not answer `{"ok": true}`, or None if it does."""
    url = api_health_url(config)
    timeout = aiohttp.ClientTimeout(total=API_TIMEOUT_SECONDS)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url) as answer,
        ):
            body = await answer.json(content_type=None) if answer.status == 200 else None
            status = answer.status
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return f"the API on {config.listen} does not answer ({type(exc).__name__})"
    if status != 200 or body != {"ok": True}:
        return f"the API's /v1/health on {config.listen} answered HTTP {status}"
    return None


async def _check_postgres(config: Config, now: datetime | None) -> Health:
    """`check_health` on the PostgreSQL database of `storage.url` (never migrating it)."""
    where = public_url(config.storage.url)
    moment = datetime.now(UTC) if now is None else now
    try:
        pool = await open_pool(config.storage.url, min_size=1, max_size=1, migrate=False)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        reason = redact(str(exc), config.secret_values()) or type(exc).__name__
        return Health(False, f"unhealthy: database {where} cannot be opened: {reason}")
    try:
        repo = PgStorage(pool)
        records = await repo.poll_health()
        overdue = await repo.overdue_recipient_counts(
            moment - timedelta(seconds=stale_after(config.polling.delivery))
        )
    except asyncpg.PostgresError as exc:
        reason = redact(str(exc), config.secret_values())
        return Health(False, f"unhealthy: database {where} does not answer: {reason}")
    finally:
        await pool.close()
    return judge(config, records, moment, overdue)


def judge(
    config: Config,
    records: list[PollHealth],
    now: datetime,
    overdue: dict[str, int] | None = None,
) -> Health:
    """Every configured account × job must have succeeded within `stale_after` its interval;
    delivery, which records only the polls it makes, must leave no recipient `overdue`."""
    by_key = {(r.account, r.job): r for r in records}
    problems: list[str] = []
    ages: list[float] = []
    intervals = polling_intervals(config)
    for account in config.accounts:
        for job, interval in intervals.items():
            limit = stale_after(interval)
            record = by_key.get((account.name, job))
            failures = record.consecutive_failures if record is not None else 0
            failing = f", {failures} failures in a row" if failures else ""
            if job == "delivery":
                problem = _delivery_problem(account.name, record, (overdue or {}), now, limit)
                if problem is not None:
                    problems.append(problem)
                continue
            if record is None or record.last_success_at is None:
                problems.append(f"{job} of {account.name} never succeeded{failing}")
                continue
            age = (now - record.last_success_at).total_seconds()
            if age > limit:
                problems.append(
                    f"{job} of {account.name} last succeeded {age:.0f} s ago "
                    f"(limit {limit:.0f} s{failing})"
                )
            else:
                ages.append(age)
    if problems:
        return Health(False, "unhealthy: " + "; ".join(problems))
    count = len(config.accounts) * len(intervals)
    return Health(
        True,
        f"healthy: {count} polling jobs of {len(config.accounts)} accounts on time "
        f"(oldest success {max(ages, default=0):.0f} s ago)",
    )


def _delivery_problem(
    account: str, record: PollHealth | None, overdue: dict[str, int], now: datetime, limit: float
) -> str | None:
    waiting = overdue.get(account, 0)
    if waiting:
        return f"delivery of {account}: {waiting} recipients overdue by more than {limit:.0f} s"
    if record is None or not record.consecutive_failures:
        return None
    last = record.last_success_at
    if last is None:
        failures = record.consecutive_failures
        return f"delivery of {account} never succeeded, {failures} failures in a row"
    age = (now - last).total_seconds()
    if age > limit:
        return (
            f"delivery of {account} last succeeded {age:.0f} s ago "
            f"(limit {limit:.0f} s, {record.consecutive_failures} failures in a row)"
        )
    return None
