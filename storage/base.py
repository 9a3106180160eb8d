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

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from providers.base import DeliveryState, IncomingSms, Receipt, UnreadableRecord
from storage.models import (
    Campaign,
    CampaignProgress,
    CampaignRecipientInput,
    CampaignReportRow,
    CampaignStatus,
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
    NewSend,
    OptOut,
    OptOutSource,
    OtpAuditEntry,
    OtpCode,
    OtpDraft,
    OtpIssue,
    PendingForward,
    PollHealth,
    QuarantinedRecord,
    RecoveredCampaign,
    RefusedChat,
    Role,
    Route,
    ScheduledSend,
    ScheduleState,
    Send,
    SendRecipient,
    StartedChunk,
    StoredInbox,
    Topic,
    User,
    WebhookBacklog,
    WebhookEvent,
    WebhookEventType,
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

    async def switch_send_account(
        self, send_id: int, *, account: str, line: str, reason: str
    ) -> Send:
        """Failover: a send still submitting, whose account surely sent nothing, now goes from
        `line` of `account` (its recipients too); the first account is kept in
        `failover_from`, with `reason`. Once per send: a second switch, or one of a send that
        is no longer submitting, raises StorageError."""
        ...

    async def create_sends(self, sends: Sequence[NewSend]) -> list[tuple[Send, bool]]:
        """`create_send` for many sends in ONE transaction (the HTTP API commits concurrent
        requests together), answers in the order given; a key seen before, or earlier in
        the same batch, answers that send and False."""
        ...

    async def record_send_result(
        self, send_id: int, receipts: Sequence[Receipt], *, next_poll_at: datetime
    ) -> Send:
        """The provider took the send: status submitted; each recipient gets its ids and state
        sent, or unknown if its receipt cannot be tracked (or is missing). Returns the send as
        stored now."""
        ...

    async def record_send_results(
        self, results: Sequence[tuple[int, Sequence[Receipt], datetime]]
    ) -> list[Send]:
        """`record_send_result` for many sends, each (send id, receipts, next poll), in ONE
        transaction (the HTTP API records concurrent answers together); all or none."""
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
        opt_out_keys: Collection[str] = (),
    ) -> StoredInbox:
        """One inbox fetch, in one transaction: the messages not seen before (by dedupe key),
        each queued for every chat; `history` stored but queued for no chat; `unreadable`
        records quarantined once (by key); the cursor moved (None: left as it is). A fetch
        that brings nothing new and leaves the cursor as it was writes nothing.

        A new message (or history) whose dedupe key is in `opt_out_keys` asks to be sent
        nothing more: its sender goes on the line's opt-out list in the same transaction."""
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

    async def pending_conversations(self, chat_id: int, limit: int = 200) -> list[PendingForward]:
        """The chat's waiting SMS conversation by conversation: every waiting SMS of the
        senders whose oldest waiting SMS is oldest, each sender's together, at most `limit`."""
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

    async def audit_many(self, entries: Sequence[tuple[int | None, int | None, str, str]]) -> None:
        """`audit` for several (user_id, chat_id, action, detail) entries, in one transaction."""
        ...


class WebhookOutbox(Protocol):
    """Webhook events (SPEC §8), stored in the transaction of what they tell of, then sent
    until the receiver answers 2xx (`bot.webhooks`)."""

    async def set_webhook_events(self, enabled: bool) -> None:
        """From now on, every new incoming SMS (`sms.received`) and every recipient's state
        change (`sms.status`) also stores its event, in the same transaction; off: none."""
        ...

    async def add_webhook_event(
        self, kind: WebhookEventType, data: Mapping[str, Any]
    ) -> WebhookEvent:
        """Store one event (due at once) and return it."""
        ...

    async def claim_webhook_events(
        self, now: datetime, *, limit: int, lease_seconds: float
    ) -> list[WebhookEvent]:
        """Undelivered events due by `now`, oldest first, each claimed for `lease_seconds`
        (not handed out again before, unless marked) with one more attempt counted."""
        ...

    async def mark_webhook_delivered(self, event_ids: Sequence[int]) -> None:
        """The receiver answered 2xx to these events: never sent again."""
        ...

    async def record_webhook_failure(
        self, event_id: int, *, error: str, retry_at: datetime
    ) -> None:
        """The attempt failed: retried at `retry_at` (an event delivered meanwhile stays so)."""
        ...

    async def webhook_backlog(self) -> WebhookBacklog:
        """How many events wait, the oldest's creation, and the oldest tried one's."""
        ...

    async def get_webhook_event(self, event_id: str) -> WebhookEvent | None:
        """One event by its `event_id`."""


class CampaignStore(Protocol):
    """Campaigns (/bulk): stored whole before the first call, sent chunk by chunk, each chunk
    a send (`SendStore`) from the moment it is marked in flight."""

    async def create_campaign(
        self,
        *,
        idempotency_key: str,
        account: str,
        line: str,
        chat_id: int,
        requested_by: int,
        file_name: str,
        template: str | None,
        recipients: Sequence[CampaignRecipientInput],
    ) -> tuple[Campaign, bool]:
        """Store a campaign whole (status draft), its recipients with their texts, and its
        chunks; with a key seen before, return that campaign and False, writing nothing."""
        ...

    async def get_campaign(self, campaign_id: int) -> Campaign | None:
        """One campaign by id."""
        ...

    async def change_campaign_status(
        self,
        campaign_id: int,
        status: CampaignStatus,
        *,
        expect: Sequence[CampaignStatus],
        pause_reason: str | None = None,
        not_before: datetime | None = None,
    ) -> Campaign | None:
        """Move a campaign to `status` if it is in one of `expect` (else None, nothing
        changed); a move clears its wait. `not_before` holds a start until then."""
        ...

    async def set_campaign_wait(
        self, campaign_id: int, reason: str | None, until: datetime | None
    ) -> None:
        """Say why a running campaign is not sending now, and until when (None: it is)."""
        ...

    async def runnable_campaigns(self, now: datetime) -> list[Campaign]:
        """Running campaigns whose start time (if any) has come, oldest first."""
        ...

    async def campaigns_to_show(self) -> list[Campaign]:
        """Campaigns whose progress message may need an edit: running, paused, or finished
        without their summary yet."""
        ...

    async def pending_chunks(self, campaign_id: int, limit: int) -> list[tuple[int, int]]:
        """The first `limit` chunks not sent yet, in order, each (chunk, recipients in it)."""
        ...

    async def start_chunk(self, campaign_id: int, chunk: int) -> StartedChunk | None:
        """Mark a pending chunk of a running campaign in flight, storing it as a send
        (submitting) with its recipients (queued), in one transaction; None (nothing written)
        if the campaign is not running or the chunk not pending."""
        ...

    async def finish_chunk(self, campaign_id: int, chunk: int) -> Campaign:
        """The chunk's send has its outcome stored: the chunk takes it (sent, failed or
        unknown); the campaign is done when no chunk is left to send."""
        ...

    async def record_chunk_result(
        self,
        campaign_id: int,
        chunk: int,
        receipts: Sequence[Receipt],
        *,
        next_poll_at: datetime,
    ) -> Campaign:
        """The provider took a chunk in flight: its send's result stored (as
        `record_send_result`) and the chunk closed (as `finish_chunk`), in one transaction."""
        ...

    async def release_chunk(
        self, campaign_id: int, chunk: int, *, pause_reason: str, error: str
    ) -> Campaign:
        """The provider surely sent nothing of the chunk and the campaign must wait for a
        person (a limit, credit): the chunk is pending again (its send row dropped) and the
        campaign paused with `pause_reason`."""
        ...

    async def recover_campaigns(self) -> list[RecoveredCampaign]:
        """At start (before `mark_in_flight_unknown`): chunks marked in flight take their
        send's outcome; a send still submitting becomes unknown, never resent. Returns the
        campaigns with chunks made unknown, one entry each."""
        ...

    async def campaign_progress(self, campaign_id: int) -> CampaignProgress:
        """Counts per delivery state of the chunks' sends, recipients still waiting, skipped."""
        ...

    async def campaign_report(self, campaign_id: int) -> list[CampaignReportRow]:
        """Every recipient of the campaign with its outcome, in row order."""
        ...

    async def campaign_example(self, campaign_id: int) -> str | None:
        """The text of the campaign's first recipient to be sent to."""
        ...

    async def campaign_of_send(self, send_id: int) -> int | None:
        """The campaign a send (one of its chunks) belongs to, if any."""
        ...

    async def set_progress_message(
        self, campaign_id: int, chat_id: int, message_id: int, digest: str
    ) -> None:
        """Remember the message showing the campaign's progress, and what it shows."""
        ...

    async def mark_progress_shown(self, campaign_id: int, digest: str) -> None:
        """The progress message now shows the text with `digest`."""
        ...

    async def claim_summary(self, campaign_id: int) -> bool:
        """True once (the caller then posts the summary) for a finished campaign."""
        ...

    async def release_summary(self, campaign_id: int) -> None:
        """The summary claimed could not be posted: the next claim may post it."""
        ...


class UsageStore(Protocol):
    """SMS counted per account and period (max_per_minute, daily_limit), across restarts."""

    async def reserve_usage(
        self, account: str, count: int, limits: Sequence[tuple[str, int]]
    ) -> str | None:
        """Count `count` SMS in each (bucket, limit) if none would go over its limit, in one
        transaction; else count nothing and return the first bucket that would."""
        ...

    async def usage(self, account: str, bucket: str) -> int:
        """How many SMS of the account are counted in `bucket`."""


class OptOutStore(Protocol):
    """Each line's opt-out list: the numbers it must not send to without asking."""

    async def add_opt_out(
        self,
        line: str,
        number: str,
        *,
        source: OptOutSource = "admin",
        incoming_id: int | None = None,
        body: str = "",
    ) -> bool:
        """Put `number` on `line`'s list; False if it was there already (kept as it was)."""
        ...

    async def remove_opt_out(self, line: str | None, number: str) -> bool:
        """Take `number` off `line`'s list (None: off every line's); False if it was on none."""
        ...

    async def list_opt_outs(self, line: str | None = None) -> list[OptOut]:
        """The list of one line (None: of every line), by line then newest first."""
        ...

    async def opted_out_among(self, line: str, numbers: Sequence[str]) -> set[str]:
        """Which of `numbers` are on `line`'s list (cheap for a campaign's thousands)."""
        ...


class ScheduleStore(Protocol):
    """Sends asked for later: stored when asked, claimed once when due, final once done."""

    async def create_scheduled(
        self,
        *,
        idempotency_key: str,
        chat_id: int,
        requested_by: int,
        account: str,
        line: str,
        recipients: Sequence[str],
        text: str,
        due_at: datetime,
        campaign_id: int | None = None,
    ) -> tuple[ScheduledSend, bool]:
        """Store a pending scheduled send; with a key seen before, return that one and False,
        writing nothing."""
        ...

    async def get_scheduled(self, schedule_id: int) -> ScheduledSend | None:
        """One scheduled send by id."""
        ...

    async def pending_scheduled(
        self, chat_id: int | None = None, limit: int = 50
    ) -> list[ScheduledSend]:
        """Pending scheduled sends (of one chat, or all), soonest first."""
        ...

    async def cancel_scheduled(
        self, schedule_id: int, cancelled_by: int
    ) -> tuple[ScheduledSend, bool]:
        """Cancel a pending send nobody has claimed yet (final, and counted as reported);
        False (and the row as it is) if it is claimed or final already. NotFoundError if
        there is no such row."""
        ...

    async def mark_missed_scheduled(self, due_before: datetime) -> list[ScheduledSend]:
        """Pending sends never claimed and due before `due_before` become missed; returns
        them (their requesters are still to be told: `unreported_scheduled`)."""
        ...

    async def claim_due_scheduled(
        self, now: datetime, *, reclaim_before: datetime, limit: int = 50
    ) -> list[ScheduledSend]:
        """Claim pending sends due by `now` that nobody claimed (or whose claim was taken
        before `reclaim_before`: its claimer died); soonest first, as claimed now (stamped
        `now`: the caller's clock is the one times are compared on)."""
        ...

    async def finish_scheduled(
        self,
        schedule_id: int,
        state: ScheduleState,
        *,
        send_id: int | None = None,
        error: str | None = None,
    ) -> ScheduledSend:
        """A claimed send is done: `state` sent or failed (final). A row already final is
        returned as it is."""
        ...

    async def unreported_scheduled(self, limit: int = 50) -> list[ScheduledSend]:
        """Final scheduled sends whose chat has not been told yet, oldest first."""
        ...

    async def mark_scheduled_reported(self, schedule_id: int) -> None:
        """The chat was told what became of this scheduled send."""


class OtpStore(Protocol):
    """Verification codes (as keyed hashes), the per-number limits counted from them, their
    checks, the HMAC key, and the audit of every send and check. `now` is the caller's clock
    (the limits and expiry are reckoned with it, so a test can move it)."""

    async def otp_key(self, candidate: str) -> str:
        """The HMAC key kept in the database; `candidate` is stored if there is none yet (the
        first of several replicas to ask wins, and all get the same key)."""
        ...

    async def issue_otp(
        self, draft: OtpDraft, *, now: datetime, per_minute: int, per_hour: int
    ) -> OtpIssue:
        """In one transaction: a request key seen before returns its code (`created` False);
        else, if the number had `per_minute` codes in the last minute or `per_hour` in the
        last hour (failed ones not counted), no code and `retry_after`; else the code is
        stored active and every earlier active code of the number is cancelled by it. Each
        outcome is audited (action "send")."""
        ...

    async def set_otp_sent(
        self, code_id: int, *, send_id: int | None = None, provider_ref: str | None = None
    ) -> None:
        """The code's SMS went: the send that carried it, or the provider's reference."""
        ...

    async def fail_otp(self, code_id: int, *, detail: str = "", now: datetime) -> None:
        """The code's SMS surely did not go: it is failed (counts toward no limit) and the
        codes it cancelled are active again; audited (action "send", result "failed")."""
        ...

    async def latest_otp(self, number: str) -> OtpCode | None:
        """The number's newest code that did not fail (any state), if any."""
        ...

    async def claim_otp_check(self, code_id: int, *, checks_seen: int) -> bool:
        """Count one check of an active code whose checks are still `checks_seen` (and under
        its maximum); False if another check came first or it is no longer active."""
        ...

    async def finish_otp_check(self, code_id: int, *, valid: bool | None) -> None:
        """The claimed check's answer: True makes the code verified (good once); False leaves
        it; None gives the check back (nothing could be decided, e.g. the provider failed)."""
        ...

    async def audit_otp(
        self,
        *,
        number: str,
        action: str,
        result: str,
        requested_by: str,
        now: datetime,
        code_id: int | None = None,
        detail: str = "",
    ) -> None:
        """Record a send or check of a code, or its refusal, and who asked."""
        ...

    async def otp_audit(self, number: str, limit: int = 100) -> list[OtpAuditEntry]:
        """The number's latest audit entries, oldest first."""
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
    CampaignStore,
    UsageStore,
    OptOutStore,
    ScheduleStore,
    WebhookOutbox,
    OtpStore,
    UpdateStore,
    FlowStore,
    Protocol,
):
    """All of the bridge's storage: what `BotData.repo` is."""
