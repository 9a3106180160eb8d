"""`PgStorage`: every storage protocol over one asyncpg connection pool."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.base import Storage
from storage.postgres.access import PgAccess
from storage.postgres.audit import PgAudit
from storage.postgres.campaigns import PgCampaigns, PgUsage
from storage.postgres.chats import PgChatMoves
from storage.postgres.deliveries import PgDeliveries
from storage.postgres.export import PgExport
from storage.postgres.flows import PgFlows
from storage.postgres.forwarding import PgForwarding
from storage.postgres.health import PgHealth
from storage.postgres.history import PgHistory
from storage.postgres.inbox import PgInbox
from storage.postgres.optouts import PgOptOuts
from storage.postgres.otp import PgOtp
from storage.postgres.routes import PgRoutes
from storage.postgres.scheduled import PgScheduled
from storage.postgres.sends import PgSends
from storage.postgres.topics import PgTopics
from storage.postgres.updates import PgUpdates
from storage.postgres.webhooks import PgWebhooks


class PgStorage(
    PgAccess,
    PgRoutes,
    PgSends,
    PgDeliveries,
    PgInbox,
    PgForwarding,
    PgChatMoves,
    PgTopics,
    PgExport,
    PgHistory,
    PgHealth,
    PgAudit,
    PgCampaigns,
    PgUsage,
    PgOptOuts,
    PgScheduled,
    PgWebhooks,
    PgOtp,
    PgUpdates,
    PgFlows,
):
    """The bridge's storage on PostgreSQL: `PgStorage(await open_pool(url))` is a `Storage`."""


if TYPE_CHECKING:
    # mypy proves here that the backend implements every protocol, signature by signature.
    _IMPLEMENTS: type[Storage] = PgStorage
