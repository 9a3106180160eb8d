"""The SQLite backend: one file, one process, WAL (see `claims` for what assumes one process)."""

from storage.sqlite.backend import SqliteStorage
from storage.sqlite.db import open_database

__all__ = ["SqliteStorage", "open_database"]
