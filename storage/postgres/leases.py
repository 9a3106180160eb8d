"""Leaders and the replica's life on PostgreSQL, held by advisory locks on ONE dedicated
connection (not the pool's): the locks live exactly as long as that connection, so a replica
that dies (SIGKILL, lost host) loses them the moment PostgreSQL sees its socket close, and
another replica takes the job at its next run.

- `lead(job, key)`: one leader per (job, account): `pg_try_advisory_lock` taken on the first
  call that finds it free and kept after (sticky: the same replica keeps polling an account).
- the replica lock: each process holds `(REPLICA_NAMESPACE, replica_id)` for its life; a send
  it stores carries that id, so another replica can tell a send in flight on a live replica
  (leave it) from one whose replica died (mark it unknown, `PgSends.mark_in_flight_unknown`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets

import asyncpg

log = logging.getLogger(__name__)

LEADER_NAMESPACE = 0x5E5C  # pg_advisory_lock(int, int): (leaders, hashtext(job:key))
REPLICA_NAMESPACE = 0x5E5D  # (replicas, replica id)


def new_replica_id() -> int:
    """A random positive 31-bit id for this process (the second key of its replica lock)."""
    return secrets.randbelow(2**31 - 2) + 1


class PgLeases:
    """This process's leaderships and its replica lock, on one dedicated connection."""

    def __init__(self, url: str, replica_id: int) -> None:
        self._url = url
        self.replica_id = replica_id
        self._conn: asyncpg.Connection | None = None
        self._held: set[str] = set()
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Connect and take this replica's lock."""
        async with self._lock:
            await self._connect()

    async def _connect(self) -> asyncpg.Connection:
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        if self._held:
            log.warning("lost the database connection holding %s; leading nothing", self._held)
        self._held = set()
        self._conn = await asyncpg.connect(self._url)
        await self._conn.execute(
            "SELECT pg_advisory_lock($1, $2)", REPLICA_NAMESPACE, self.replica_id
        )
        return self._conn

    async def lead(self, job: str, key: str = "") -> bool:
        """Whether this process leads (job, key) now: taken if free, kept once taken."""
        name = f"{job}:{key}"
        async with self._lock:
            try:
                conn = await self._connect()
                taken = bool(
                    await conn.fetchval(
                        "SELECT pg_try_advisory_lock($1, hashtext($2))", LEADER_NAMESPACE, name
                    )
                )
                if taken and name in self._held:
                    # Already ours: the try counted once more; keep the count at one.
                    await conn.execute(
                        "SELECT pg_advisory_unlock($1, hashtext($2))", LEADER_NAMESPACE, name
                    )
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("cannot ask the database who leads %s: %s", name, exc)
                if self._conn is not None:
                    self._conn.terminate()
                self._conn = None
                self._held = set()
                return False
            if taken and name not in self._held:
                log.info("leading %s now", name)
                self._held.add(name)
            return taken

    async def close(self) -> None:
        """Let every leadership and the replica lock go (closing the connection does it)."""
        async with self._lock:
            conn, self._conn = self._conn, None
            self._held = set()
            if conn is not None and not conn.is_closed():
                await conn.close()
