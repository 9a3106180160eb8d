"""Opening the SQLite database (WAL, foreign keys) and applying its numbered SQL migrations."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import aiosqlite

from storage.errors import MigrationError, StorageError
from storage.migrations import Migration, read_migrations
from storage.migrations import check_recorded as _check_recorded

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
MIGRATIONS_PACKAGE = "storage.sqlite"
MIGRATIONS_DIR = "migrations"

_CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


class DatabaseInUseError(StorageError):
    """Another process (or another open connection of this one) owns the database."""

    def __init__(self, db_path: Path, lock_path: Path, holder: str | None) -> None:
        self.db_path = db_path
        self.lock_path = lock_path
        self.holder = holder
        if holder == str(os.getpid()):
            by = "another connection of this same process"
        else:
            by = f"another sms-bridge (process {holder})" if holder else "another sms-bridge"
        super().__init__(
            f"the database {db_path} is in use by {by}: only one bridge may run on it "
            f"(lock {lock_path}); stop the other one or give this one its own storage.path"
        )


def lock_path_for(db_path: Path) -> Path:
    """The lock file beside the database: `<db>.lock`."""
    return db_path.with_name(db_path.name + ".lock")


class DatabaseLock:
    """An exclusive `flock` on `<db>.lock`, held while one bridge owns the database.

    A separate file, not the database itself: SQLite takes POSIX byte-range locks on the
    database (and on `-wal`/`-shm` in WAL mode), and where `flock` is emulated with POSIX locks
    (some network file systems) a lock on the database file would collide with SQLite's own.
    The kernel drops a `flock` when its last file descriptor closes, so a process killed by
    SIGKILL leaves nothing held; the file itself stays and is never deleted (deleting it while
    another process waits on it would let two processes lock two different files).
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path_for(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock now."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock without waiting; DatabaseInUseError if anyone holds it."""
        if self._fd is not None:
            return
        # O_CLOEXEC (Python's default): a program this process starts must not keep the lock.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_holder(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise DatabaseInUseError(self.db_path, self.path, holder) from None
            raise StorageError(f"could not lock {self.path}: {exc.strerror or exc}") from None
        # Who holds it, for the refusal the next process prints; informative only.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (closing the descriptor is what releases a `flock`)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def _read_holder(fd: int) -> str | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return None
    return text if text.isdigit() else None


class LockedConnection(aiosqlite.Connection):
    """An aiosqlite connection that holds its database's `DatabaseLock` until closed."""

    def __init__(self, db_path: Path, lock: DatabaseLock) -> None:
        path = str(db_path)
        super().__init__(lambda: sqlite3.connect(path, isolation_level=None), iter_chunk_size=64)
        self.lock = lock

    async def close(self) -> None:
        """Close the connection, then release the lock."""
        try:
            await super().close()
        finally:
            self.lock.release()


def load_migrations(directory: Path | None = None) -> list[Migration]:
    """The migration files in version order; refuses gaps, duplicates and stray names."""
    if directory is not None:
        entries = [(p.name, p.read_text(encoding="utf-8")) for p in directory.iterdir()]
    else:
        root = resources.files(MIGRATIONS_PACKAGE).joinpath(MIGRATIONS_DIR)
        entries = [(p.name, p.read_text(encoding="utf-8")) for p in root.iterdir() if p.is_file()]
    return read_migrations(entries)


def split_statements(sql: str) -> list[str]:
    """Split a script into single statements (sqlite3.complete_statement knows strings,
    comments and trigger bodies)."""
    statements: list[str] = []
    buffer: list[str] = []
    for char in sql:
        buffer.append(char)
        if char == ";":
            candidate = "".join(buffer)
            if sqlite3.complete_statement(candidate):
                statements.append(candidate.strip())
                buffer = []
    rest = _strip_comments("".join(buffer))
    if rest:
        raise MigrationError(f"incomplete statement at the end of a migration: {rest[:60]!r}")
    return statements


def _strip_comments(text: str) -> str:
    lines = [line.split("--", 1)[0] for line in text.splitlines()]
    return "\n".join(lines).strip()


async def open_database(path: str | Path) -> LockedConnection:
    """Open (creating it and its folders if needed) the database and apply migrations, holding
    its lock until the connection is closed: one owner per database file
    (DatabaseInUseError while another has it open).

    The connection is in autocommit mode: every change that spans statements runs inside an
    explicit BEGIN IMMEDIATE … COMMIT (see `storage.sqlite.core`).
    """
    db_path = Path(path)
    # Private from the start, whatever the umask: the file holds phone numbers and texts.
    # SQLite gives its -wal and -shm files the database file's mode.
    db_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = DatabaseLock(db_path)
    lock.acquire()
    try:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        conn = LockedConnection(db_path, lock)
        await conn  # starts aiosqlite's thread and connects
    except BaseException:
        lock.release()
        raise
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
            row = await cursor.fetchone()
        if row is None or str(row[0]).lower() != "wal":
            raise StorageError(f"could not switch {db_path} to WAL journal mode")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await apply_migrations(conn)
    except BaseException:
        await conn.close()
        raise
    return conn


async def applied_migrations(conn: aiosqlite.Connection) -> dict[int, tuple[str, str]]:
    """Recorded migrations: version → (name, checksum)."""
    async with conn.execute("SELECT version, name, checksum FROM schema_migrations") as cursor:
        rows = await cursor.fetchall()
    return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}


async def apply_migrations(
    conn: aiosqlite.Connection, migrations: list[Migration] | None = None
) -> list[int]:
    """Apply the migrations not yet recorded, each in its own transaction; returns their
    versions. Refuses a database whose recorded migrations differ from the files."""
    available = load_migrations() if migrations is None else migrations
    await conn.execute(_CREATE_MIGRATIONS_TABLE)
    applied_now: list[int] = []
    for migration in available:
        try:
            await conn.execute("BEGIN IMMEDIATE")
            # Read inside the write transaction: another process may be migrating too.
            recorded = await applied_migrations(conn)
            _check_recorded(recorded, available)
            if migration.version in recorded:
                await conn.execute("COMMIT")
                continue
            for statement in split_statements(migration.sql):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
                " VALUES (?, ?, ?, ?)",
                (
                    migration.version,
                    migration.name,
                    migration.checksum,
                    datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                ),
            )
            await conn.execute("COMMIT")
        except BaseException:
            await conn.rollback()  # queued behind any cancelled statement; no-op if none
            raise
        log.info("applied migration %04d_%s", migration.version, migration.name)
        applied_now.append(migration.version)
    if not available:
        _check_recorded(await applied_migrations(conn), available)
    return applied_now
