"""The storage protocols: one per kind of data, and `Storage`, which is all of them.

Services, handlers and jobs are typed against these, never against a backend. A backend
(today `storage.sqlite.SqliteStorage`) implements every protocol; the contract tests in
`tests/storage/` run the same suite against each backend.

Every backend keeps these promises:
- timestamps are timezone-aware UTC, set by the backend (from its clock) when a row is written;
- each method that changes several rows changes all of them or none (one transaction), also
  when the calling task is cancelled;
- a row a change refers to that does not exist raises `storage.errors.NotFoundError`;
- the methods are safe to call from concurrent tasks; where callers need several calls to be
  one claim (forwarding, confirmation edits), see `storage.sqlite.claims` for the seam.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from providers.base import DeliveryState, IncomingSms, Receipt, UnreadableRecord
from storage.models import (
    ChatMove,
    DeliveryReport,
    ExportRow,
    ExportScope,
    Flow,
    ForwardPart,
    HandOver,
    HistoryEntry,
    IncomingMessage,
    MessageLink,
    Mirror,
    PendingForward,
    PollHealth,
    QuarantinedRecord,
    RefusedChat,
    Role,
    Route,
    Send,
    SendRecipient,
    StoredInbox,
    Topic,
    User,
)


class AccessStore(Protocol):
    """Users, their roles and the UI language each chose."""

    async def get_role(self, user_id: int) -> Role | None:
        """The role granted to a user at run time, if any."""
        ...

    async def set_role(self, user_id: int, role: Role, granted_by: int | None) -> None:
        """Grant a role (replacing any earlier one)."""
        ...

    async def remove_user(self, user_id: int) -> bool:
        """Take a user's role away; False if there was none."""
        ...

    async def list_users(self) -> list[User]:
        """Every user with a run-time role, by id."""
        ...

    async def get_user_language(self, user_id: int) -> str | None:
        """The UI language a user chose, if any."""
        ...

    async def set_user_language(self, user_id: int, lang: str) -> None:
        """Remember a user's UI language."""
        ...


class RouteStore(Protocol):
    """Which chats each line's SMS go to, and the line each chat sends from."""

    async def sync_config_routes(self, routes: Sequence[tuple[str, int]]) -> None:
        """Make the config routes exactly `routes`; routes admins added stay as they are.
        A chat upgraded to a supergroup is routed under its new id (the config may still name
        the old one)."""
        ...

    async def add_route(self, line: str, chat_id: int, created_by: int | None) -> bool:
        """Route a line to a chat at run time; False if that route already existed.

        A chat Telegram refused is taken back at once: a route asked for from the chat itself
        shows the bot is in it again.
        """
        ...

    async def remove_route(self, line: str, chat_id: int) -> bool:
        """Remove a route, whatever its source (a config route returns at the next start)."""
        ...

    async def list_routes(self) -> list[Route]:
        """Every route, by line then chat."""
        ...

    async def chats_for_line(self, line: str) -> list[int]:
        """The chats incoming SMS on `line` go to."""
        ...

    async def get_chat_sender(self, chat_id: int) -> tuple[str, str] | None:
        """The chat's default (account, line) for sending, if set."""
        ...

    async def set_chat_sender(self, chat_id: int, account: str, line: str) -> None:
        """Set the chat's default (account, line)."""
        ...


class SendStore(Protocol):
    """Sends and their recipients, stored before the provider is called."""

    async def create_send(
        self,
        *,
        idempotency_key: str,
        account: str,
        line: str,
        text: str,
        chat_id: int,
        requested_by: int,
        recipients: Sequence[str],
    ) -> tuple[Send, bool]:
        """Store a send (status submitting) and its recipients (queued) before the provider is
        called; with a key seen before, return that send and False, writing nothing."""
        ...

    async def record_send_result(
        self, send_id: int, receipts: Sequence[Receipt], *, next_poll_at: datetime
    ) -> Send:
        """The provider took the send: status submitted; each recipient gets its ids and state
        sent, or unknown if its receipt cannot be tracked (or is missing). Returns the send as
        stored now."""
        ...

    async def record_send_failure(
        self,
        send_id: int,
        *,
        error: str,
        receipts: Sequence[Receipt] = (),
        unknown_recipients: Sequence[str] = (),
        next_poll_at: datetime | None = None,
    ) -> Send:
        """The provider call failed: recipients in `receipts` went, those in
        `unknown_recipients` may have gone, the rest failed. Returns the send as stored now."""
        ...

    async def set_confirmation(
        self, send_id: int, chat_id: int, message_id: int, *, text_digest: str | None = None
    ) -> None:
        """Remember the message that shows the send's progress (and link it to the send).

        Pass the digest of the text it was sent with, so the next re-render (which this asks
        for, in case reports arrived while it was being sent) edits only if the text differs.
        """
        ...

    async def get_send(self, send_id: int) -> Send | None:
        """One send by id."""
        ...

    async def get_recipients(
        self, send_id: int, *, limit: int | None = None
    ) -> list[SendRecipient]:
        """A send's recipients in the order they were given (the first `limit` if given)."""
        ...

    async def recipient_state_counts(self, send_id: int) -> dict[DeliveryState, int]:
        """How many of a send's recipients are in each state (cheap for bulk sends)."""
        ...

    async def mark_in_flight_unknown(self) -> list[Send]:
        """At start: sends still `submitting` (the process died while calling the provider)
        become unknown, their queued recipients too; returns them. Never resends."""
        ...


class DeliveryStore(Protocol):
    """Delivery polling and the confirmations that show its results."""

    async def due_recipients(
        self, account: str, now: datetime, limit: int = 500
    ) -> list[SendRecipient]:
        """Tracked, non-final recipients of `account` whose next poll is due, oldest first."""
        ...

    async def apply_deliveries(self, reports: Sequence[DeliveryReport]) -> int:
        """`apply_delivery` for many recipients in one transaction (a poll cycle's batch);
        returns how many changed state. Unknown recipient ids change nothing and raise."""
        ...

    async def dirty_confirmations(self, limit: int = 50) -> list[Send]:
        """Sends whose confirmation message no longer shows their state, oldest first."""
        ...

    async def mark_confirmation_rendered(
        self, send_id: int, text_digest: str, *, version: int | None = None
    ) -> None:
        """The confirmation now shows the text with `text_digest`.

        `version` is the `Send.confirmation_version` read before rendering; with it, a change
        stored while rendering keeps the confirmation dirty. Without it, every change so far
        counts as shown.
        """
        ...

    async def confirmation_digest(self, send_id: int) -> str | None:
        """The digest of the text the confirmation message shows now."""
        ...

    async def overdue_recipient_counts(self, due_before: datetime) -> dict[str, int]:
        """Per account, the tracked non-final recipients whose poll was due before
        `due_before` and has not happened (delivery polling that is stuck leaves these)."""
        ...


class InboxStore(Protocol):
    """Incoming SMS, where each inbox poller resumes, and records that could not be read."""

    async def get_cursor(self, account: str, line: str) -> str | None:
        """Where the inbox poller of (account, line) resumes."""
        ...

    async def store_incoming(
        self,
        account: str,
        line: str,
        messages: Sequence[IncomingSms],
        *,
        chat_ids: Sequence[int],
        cursor: str,
    ) -> list[IncomingMessage]:
        """`store_inbox` with only readable new messages; returns the new ones."""
        ...

    async def store_inbox(
        self,
        account: str,
        line: str,
        messages: Sequence[IncomingSms],
        *,
        chat_ids: Sequence[int],
        cursor: str | None,
        history: Sequence[IncomingSms] = (),
        unreadable: Sequence[UnreadableRecord] = (),
    ) -> StoredInbox:
        """One inbox fetch, in one transaction: the messages not seen before (by dedupe key),
        each queued for every chat; `history` stored but queued for no chat; `unreadable`
        records quarantined once (by key); the cursor moved (None: left as it is). A fetch
        that brings nothing new and leaves the cursor as it was writes nothing."""
        ...

    async def open_quarantine(self, account: str | None = None) -> list[QuarantinedRecord]:
        """Quarantined records not read yet (of one account, or all), oldest first."""
        ...

    async def unreported_quarantine(self, account: str) -> list[QuarantinedRecord]:
        """Quarantined records still unread that the admins have not been told about yet."""
        ...

    async def mark_quarantine_reported(self, record_id: int) -> None:
        """The admins were told about this record."""
        ...

    async def resolve_quarantine(
        self, record_id: int, message: IncomingSms, *, chat_ids: Sequence[int]
    ) -> IncomingMessage | None:
        """A quarantined record could be read after all: store it as an incoming SMS (queued
        unless known) and close the record, in one transaction; the new SMS, or None."""
        ...

    async def get_incoming(self, incoming_id: int) -> IncomingMessage | None:
        """One stored incoming SMS."""
        ...


class ForwardStore(Protocol):
    """Forwarding incoming SMS to chats: forwards, their parts, refused chats."""

    async def pending_forwards(
        self, limit: int = 200, *, chat_id: int | None = None
    ) -> list[PendingForward]:
        """Incoming SMS not yet forwarded, by (chat, incoming id); only one chat's if given."""
        ...

    async def pending_forward_chats(self) -> list[int]:
        """The chats that have incoming SMS waiting to be forwarded."""
        ...

    async def mark_forwarded(
        self, chat_id: int, incoming_ids: Sequence[int], message_id: int
    ) -> None:
        """These incoming SMS reached the chat in `message_id` (one SMS: linked for replies).
        Already forwarded ones keep their first message."""
        ...

    async def forward_parts(self, chat_id: int, incoming_id: int) -> list[ForwardPart]:
        """The stored parts of a long SMS on its way to a chat, in order (none if not begun)."""
        ...

    async def forwards_with_parts(self, chat_id: int) -> set[int]:
        """The SMS whose parts have begun on their way to the chat (they resume on their own)."""
        ...

    async def start_forward_parts(
        self, chat_id: int, incoming_id: int, texts: Sequence[str]
    ) -> list[ForwardPart]:
        """Store the rendered parts of a long SMS before the first is posted; if they were
        stored before, those are kept (resuming must post exactly what was begun)."""
        ...

    async def record_forward_part(
        self, chat_id: int, incoming_id: int, part: int, message_id: int
    ) -> bool:
        """Telegram accepted one part as `message_id`: remember it and link it to the SMS (a
        reply to any part answers it), in one transaction. After the last part the forward is
        done (its message the first part's) and the parts are dropped; returns True then."""
        ...

    async def refused_chats(self) -> dict[int, RefusedChat]:
        """Every chat Telegram refuses for good, by id."""
        ...

    async def record_refusal(
        self, chat_id: int, reason: str, backoff_seconds: Sequence[float]
    ) -> RefusedChat:
        """Telegram refused the chat for good (once more): it is not asked again before the
        next step of `backoff_seconds` (the last step repeats). `refusals` 1 means it is new."""
        ...

    async def clear_refusal(self, chat_id: int) -> bool:
        """Telegram accepts the chat again; False if it was not refused."""
        ...

    async def hand_over_pending(self, chat_id: int, *, fallback_chat_id: int) -> list[HandOver]:
        """The SMS waiting for a chat Telegram refuses go to their line's other routes that
        Telegram does not refuse (an admin may have routed the line elsewhere), else to
        `fallback_chat_id` (the admin chat, followed if upgraded); one already waiting for
        or shown in such a chat is not queued there twice. If there is nowhere to go (the
        fallback is that chat, or refused too), the SMS keep waiting where they are."""
        ...


class ChatMoveStore(Protocol):
    """Groups upgraded to supergroups, and the routes, lines and SMS that follow them."""

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> ChatMove:
        """A group became the supergroup `new_chat_id`: in one transaction, remember it (for
        config routes and the admin chat), move its routes (config and admin), its sending
        line and the SMS waiting for it (to be posted there from their first part)."""
        ...

    async def follow_migrations(self) -> int:
        """Move SMS queued since for a chat that was upgraded (a config admin chat, or one
        stored while the move happened) to its new id; returns how many moved."""
        ...

    async def current_chat_id(self, chat_id: int) -> int:
        """The id to post to for `chat_id`: the supergroup it was upgraded to, if it was."""
        ...


class TopicStore(Protocol):
    """Routes in topic mode and the forum topic of each (chat, line, customer number)."""

    async def set_route_topics(self, line: str, chat_id: int, topics: bool) -> bool:
        """Turn topic mode of a route on or off; False if there is no such route."""
        ...

    async def topic_lines(self, chat_id: int) -> set[str]:
        """The lines routed to the chat in topic mode."""
        ...

    async def get_topic(self, chat_id: int, line: str, number: str) -> Topic | None:
        """The stored topic of a customer of a line in a chat, if any."""
        ...

    async def topic_by_thread(self, chat_id: int, thread_id: int) -> Topic | None:
        """The conversation a topic of the chat holds, if it is one of ours."""
        ...

    async def save_topic(
        self, chat_id: int, line: str, number: str, thread_id: int, name: str
    ) -> Topic:
        """Store the customer's topic (replacing a forgotten or older one)."""
        ...

    async def forget_topic(self, chat_id: int, thread_id: int) -> bool:
        """The topic is gone (deleted or closed by a person); False if it was not stored."""
        ...

    async def rename_topic(self, chat_id: int, thread_id: int, name: str) -> bool:
        """Store the topic's new name; False if it is not stored."""
        ...

    async def topics_for_number(self, number: str) -> list[Topic]:
        """Every stored topic of a customer number, by chat then line."""
        ...

    async def add_mirror(
        self, chat_id: int, message_id: int, recipient_id: int, head: str, state: DeliveryState
    ) -> None:
        """A send's recipient is shown in a topic by this message, in `state`."""
        ...

    async def stale_mirrors(self, limit: int = 100) -> list[Mirror]:
        """Mirrors whose recipient's state is not the one they show, oldest first."""
        ...

    async def mark_mirror_shown(self, chat_id: int, message_id: int, state: DeliveryState) -> None:
        """The mirror now shows `state` (or it cannot be edited any more)."""
        ...


class ExportStore(Protocol):
    """A chat's, a topic's or a line's sent and received SMS, page by page, for /export."""

    async def export_page(
        self,
        scope: ExportScope,
        since: datetime,
        after: tuple[str, str, int, int] | None = None,
        limit: int = 1000,
    ) -> list[ExportRow]:
        """The next `limit` SMS of the scope from `since`, oldest first, after the row whose
        `cursor` is `after` (the first page if None); a sent SMS is one row per recipient. A
        chat's received SMS are those posted there."""
        ...


class HistoryStore(Protocol):
    """What a Telegram message stands for, and a chat's recent history."""

    async def get_link(self, chat_id: int, message_id: int) -> MessageLink | None:
        """What a Telegram message stands for, if we know."""
        ...

    async def history(self, chat_id: int, limit: int = 10) -> list[HistoryEntry]:
        """The chat's recent sends and forwarded incoming SMS, newest first."""
        ...


class HealthStore(Protocol):
    """Alert throttling and the health of polling jobs."""

    async def should_alert(self, key: str, *, window: float, now: datetime) -> bool:
        """True (and `now` recorded) unless `key` was alerted within the last `window` s."""
        ...

    async def record_poll_failure(self, account: str, job: str) -> int:
        """Count one more failure of a polling job; returns the consecutive failures so far."""
        ...

    async def record_poll_success(self, account: str, job: str) -> int:
        """A polling job worked; returns the failures it had before (0 if none)."""
        ...

    async def poll_health(self) -> list[PollHealth]:
        """Every polling job's record: failures in a row, last failure, last success."""
        ...


class AuditStore(Protocol):
    """The audit log of what users did or were refused."""

    async def audit(
        self, user_id: int | None, chat_id: int | None, action: str, detail: str = ""
    ) -> None:
        """Record what a user did (or was refused)."""
        ...


class UpdateStore(Protocol):
    """Telegram updates claimed once by id (webhook mode: any replica may be posted any)."""

    async def claim_update(self, update_id: int, *, keep_seconds: float = 86400.0) -> bool:
        """True the first time `update_id` is claimed, False ever after (a repeat to drop);
        claims older than `keep_seconds` are forgotten (Telegram keeps an update 24 h)."""
        ...


class FlowStore(Protocol):
    """Multi-step flows (the guided /send) by (chat, person, kind), shared by every replica."""

    async def save_flow(
        self,
        chat_id: int,
        user_id: int,
        kind: str,
        step: str,
        data: Mapping[str, str],
        preview_id: int | None = None,
    ) -> None:
        """Store the flow as it is now (replacing what it was)."""
        ...

    async def get_flow(
        self, chat_id: int, user_id: int, kind: str, *, max_age: float
    ) -> Flow | None:
        """The person's open flow in the chat; None if none, or if untouched for longer than
        `max_age` seconds (then it is dropped)."""
        ...

    async def flows_with_preview(self, chat_id: int, kind: str, preview_id: int) -> list[Flow]:
        """The open flows of the chat whose preview is that message (whose is it?)."""
        ...

    async def take_flow(
        self, chat_id: int, user_id: int, kind: str, preview_id: int, *, max_age: float
    ) -> Flow | None:
        """Remove and return the person's flow if its preview is that message and it is not
        older than `max_age` s: of two presses (or replicas), one gets it, the other None."""
        ...

    async def drop_flow(self, chat_id: int, user_id: int, kind: str) -> bool:
        """End the person's flow; False if there was none."""
        ...


class Leases(Protocol):
    """Which process leads each job where several may run (one leader per (job, account))."""

    async def lead(self, job: str, key: str = "") -> bool:
        """Whether this process leads (job, key) now: taken if free, kept once taken, lost
        when the process dies (another then takes it at its next try)."""
        ...

    async def close(self) -> None:
        """Let every leadership go."""
        ...


class Storage(
    AccessStore,
    RouteStore,
    SendStore,
    DeliveryStore,
    InboxStore,
    ForwardStore,
    ChatMoveStore,
    TopicStore,
    ExportStore,
    HistoryStore,
    HealthStore,
    AuditStore,
    UpdateStore,
    FlowStore,
    Protocol,
):
    """All of the bridge's storage: what `BotData.repo` is."""
