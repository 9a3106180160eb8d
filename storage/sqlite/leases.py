"""Leaders on SQLite: the one process on the file (its `DatabaseLock`) leads every job."""

from __future__ import annotations


class SqliteLeases:
    """Every job is this process's: a second bridge on the file cannot start."""

    replica_id = 0

    async def lead(self, job: str, key: str = "") -> bool:
        """Always True: one process per SQLite file."""
        return True

    async def close(self) -> None:
        """Nothing to let go (the database lock goes with the connection)."""
