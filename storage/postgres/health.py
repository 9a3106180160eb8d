"""Alert throttling and polling jobs' health (`HealthStore`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.models import PollHealth
from storage.postgres.core import PgBase, _one, _opt_time, to_db_time


class PgHealth(PgBase):
    """PostgreSQL: alert throttling and poll health."""

    async def should_alert(self, key: str, *, window: float, now: datetime) -> bool:
        """True (and `now` recorded) unless `key` was alerted within the last `window` s."""
        cutoff = to_db_time(now - timedelta(seconds=window))
        changed = await self._change(
            "INSERT INTO alerts (key, last_at) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at"
            " WHERE alerts.last_at <= ?",
            (key, to_db_time(now), cutoff),
        )
        return changed > 0

    async def record_poll_failure(self, account: str, job: str) -> int:
        """Count one more failure of a polling job; returns the consecutive failures so far."""
        now = self._now()
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "INSERT INTO poll_health (account, job, consecutive_failures, last_failure_at)"
                " VALUES (?, ?, 1, ?) ON CONFLICT (account, job) DO UPDATE SET"
                " consecutive_failures = poll_health.consecutive_failures + 1,"
                " last_failure_at = excluded.last_failure_at RETURNING consecutive_failures",
                (account, job, now),
            )
        assert row is not None  # an upsert … RETURNING always returns the row
        return int(row["consecutive_failures"])

    async def record_poll_success(self, account: str, job: str) -> int:
        """A polling job worked; returns the failures it had before (0 if none)."""
        now = self._now()
        async with self._transaction() as conn:
            row = await _one(
                conn,
                "SELECT consecutive_failures FROM poll_health WHERE account = ? AND job = ?",
                (account, job),
            )
            await conn.execute(
                "INSERT INTO poll_health (account, job, consecutive_failures, last_success_at)"
                " VALUES (?, ?, 0, ?) ON CONFLICT (account, job) DO UPDATE SET"
                " consecutive_failures = 0, last_success_at = excluded.last_success_at",
                (account, job, now),
            )
        return 0 if row is None else int(row["consecutive_failures"])

    async def poll_health(self) -> list[PollHealth]:
        """Every polling job's record: failures in a row, last failure, last success."""
        rows = await self._fetchall("SELECT * FROM poll_health ORDER BY account, job")
        return [
            PollHealth(
                r["account"],
                r["job"],
                r["consecutive_failures"],
                _opt_time(r["last_failure_at"]),
                _opt_time(r["last_success_at"]),
            )
            for r in rows
        ]
