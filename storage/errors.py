"""The errors every storage backend raises."""

from __future__ import annotations


class StorageError(Exception):
    """The database could not do what was asked."""


class MigrationError(StorageError):
    """The migrations on disk and those recorded in the database disagree."""


class NotFoundError(StorageError, LookupError):
    """The row a change refers to does not exist."""
