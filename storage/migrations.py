"""Numbered SQL migrations, as every backend keeps them: `NNNN_name.sql`, no gaps, never edited
once applied (each backend has its own folder and applies them its own way)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from storage.errors import MigrationError

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file's text, recorded when applied."""
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def read_migrations(entries: Iterable[tuple[str, str]]) -> list[Migration]:
    """(file name, text) pairs as migrations in version order; refuses gaps, duplicates and
    stray names (files not ending in .sql are not migrations)."""
    migrations: list[Migration] = []
    for filename, text in entries:
        if not filename.endswith(".sql"):
            continue
        match = MIGRATION_NAME.match(filename)
        if match is None:
            raise MigrationError(f"migration file {filename!r} is not named NNNN_name.sql")
        migrations.append(Migration(int(match.group(1)), match.group(2), text))
    migrations.sort(key=lambda m: m.version)
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"migration {expected:04d} is missing or duplicated "
                f"(found {migration.version:04d}_{migration.name}.sql in its place)"
            )
    return migrations


def check_recorded(recorded: dict[int, tuple[str, str]], available: list[Migration]) -> None:
    """Refuse a database whose recorded migrations (version → (name, checksum)) are not a
    gapless prefix of `available`, or differ from the files."""
    by_version = {m.version: m for m in available}
    for version in sorted(recorded):
        name, checksum = recorded[version]
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration {version:04d}_{name}, which this program does not "
                "know (is the program older than the database?)"
            )
        if migration.name != name or migration.checksum != checksum:
            raise MigrationError(
                f"migration {version:04d}_{migration.name}.sql differs from the one applied to "
                f"this database ({version:04d}_{name}); applied migrations must never be edited, "
                "add a new numbered file instead"
            )
    if recorded and sorted(recorded) != list(range(1, max(recorded) + 1)):
        raise MigrationError(f"the database's recorded migrations have a gap: {sorted(recorded)}")
