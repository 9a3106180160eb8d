"""`sms-bridge health`: does the database answer, and is every polling job still succeeding?

For a container's HEALTHCHECK (or any monitor): it reads what the running bridge records in
`poll_health` after each poll and compares each account's last success per job with that job's
configured interval. It opens the database read-only, never creates or migrates it, and
imports nothing of PTB, so a check every minute costs little.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.config import Config
from storage.models import PollHealth
from storage.repository import Repository

# A poll may take a while before it records anything (timeouts, retries with pauses, a long
# round of delivery reports), so a job counts as stuck only after two of its intervals plus
# this much without a success.
GRACE_SECONDS = 300.0
BUSY_TIMEOUT_SECONDS = 5.0


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
        records = await Repository(conn).poll_health()
    except sqlite3.Error as exc:
        return Health(False, f"unhealthy: database {path} does not answer: {exc}")
    finally:
        await conn.close()
    return judge(config, records, moment)


def judge(config: Config, records: list[PollHealth], now: datetime) -> Health:
    """Every configured account × job must have succeeded within `stale_after` its interval."""
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
