"""A send with its recipients' states, and a chat's recent SMS both ways."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from storage.base import Storage
from storage.models import HistoryEntry, Send, SendRecipient

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
