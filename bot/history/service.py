"""A send with its recipients' states, and a chat's recent SMS both ways."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from storage.base import Storage
from storage.models import ExportScope, HistoryEntry, Send, SendRecipient, Topic

HISTORY_DEFAULT: Final = 10
HISTORY_MAX: Final = 50


@dataclass(frozen=True, slots=True)
class SendView:
    """A send as it stands: the send and each recipient's state."""

    send: Send
    recipients: tuple[SendRecipient, ...]


class SendNotFound(LookupError):
    """No send has this id."""

    def __init__(self, send_id: int) -> None:
        super().__init__(f"no send {send_id}")
        self.send_id = send_id


async def send_status(repo: Storage, send_id: int) -> SendView:
    """The send `send_id` and its recipients; SendNotFound if there is none."""
    send = await repo.get_send(send_id)
    if send is None:
        raise SendNotFound(send_id)
    return SendView(send, tuple(await repo.get_recipients(send_id)))


async def chat_history(repo: Storage, chat_id: int, asked: int | None) -> list[HistoryEntry]:
    """The chat's latest sent and received SMS, newest first (`asked` of them, capped)."""
    limit = min(asked or HISTORY_DEFAULT, HISTORY_MAX)
    return await repo.history(chat_id, limit)


async def conversation_history(
    repo: Storage, topic: Topic, asked: int | None, now: datetime
) -> list[HistoryEntry]:
    """A topic's conversation (its customer and line, both ways), newest first, capped.

    Read oldest first through the export pages, keeping the last ones: one customer's
    conversation is short, and the export pages cost the same however long it is."""
    limit = min(asked or HISTORY_DEFAULT, HISTORY_MAX)
    scope = ExportScope(topic.chat_id, topic.line, topic.number)
    kept: deque[HistoryEntry] = deque(maxlen=limit)
    after: tuple[str, str, int, int] | None = None
    since = datetime.fromtimestamp(0, now.tzinfo)
    while page := await repo.export_page(scope, since, after, 1000):
        for row in page:
            kept.append(
                HistoryEntry(
                    row.kind, row.at, row.line, row.number, row.text, row.send_id, row.state
                )
            )
        after = page[-1].cursor
    return list(reversed(kept))
