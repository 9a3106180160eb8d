"""`SqliteStorage`: every storage protocol over one aiosqlite connection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.base import Storage
from storage.sqlite.access import SqliteAccess
from storage.sqlite.audit import SqliteAudit
from storage.sqlite.campaigns import SqliteCampaigns, SqliteUsage
from storage.sqlite.chats import SqliteChatMoves
from storage.sqlite.deliveries import SqliteDeliveries
from storage.sqlite.export import SqliteExport
from storage.sqlite.flows import SqliteFlows
from storage.sqlite.forwarding import SqliteForwarding
from storage.sqlite.health import SqliteHealth
from storage.sqlite.history import SqliteHistory
from storage.sqlite.inbox import SqliteInbox
from storage.sqlite.optouts import SqliteOptOuts
from storage.sqlite.otp import SqliteOtp
from storage.sqlite.routes import SqliteRoutes
from storage.sqlite.scheduled import SqliteScheduled
from storage.sqlite.sends import SqliteSends
from storage.sqlite.topics import SqliteTopics
from storage.sqlite.updates import SqliteUpdates
from storage.sqlite.webhooks import SqliteWebhooks


class SqliteStorage(
    SqliteAccess,
    SqliteRoutes,
    SqliteSends,
    SqliteDeliveries,
    SqliteInbox,
    SqliteForwarding,
    SqliteChatMoves,
    SqliteTopics,
    SqliteExport,
    SqliteHistory,
    SqliteHealth,
    SqliteAudit,
    SqliteCampaigns,
    SqliteUsage,
    SqliteOptOuts,
    SqliteScheduled,
    SqliteWebhooks,
    SqliteOtp,
    SqliteUpdates,
    SqliteFlows,
):
    """The bridge's storage on SQLite: `SqliteStorage(open_database(path))` is a `Storage`."""


if TYPE_CHECKING:
    # mypy proves here that the backend implements every protocol, signature by signature.
    _IMPLEMENTS: type[Storage] = SqliteStorage
