"""The PostgreSQL backend: every storage protocol over an asyncpg pool, for one bridge or several
replicas on one database (`storage.url`)."""

from storage.postgres.backend import PgStorage
from storage.postgres.db import open_pool

__all__ = ["PgStorage", "open_pool"]
