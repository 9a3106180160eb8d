"""Rows of the bridge's database as frozen dataclasses; every datetime is timezone-aware UTC."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from providers.base import DeliveryState


class Role(enum.StrEnum):
    """What a Telegram user may do (SPEC §4)."""

    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


class SendStatus(enum.StrEnum):
    """Where a send stands as a whole (SPEC §5: written before the provider is called)."""

    SUBMITTING = "submitting"  # stored, the provider is being called; never resent
    SUBMITTED = "submitted"  # the provider accepted every recipient
    PARTIAL = "partial"  # some recipients went, the others failed or are unknown
    FAILED = "failed"  # nothing went
    UNKNOWN = "unknown"  # we cannot know whether the provider took it


RouteSource = Literal["config", "admin"]
HistoryKind = Literal["sent", "received"]


@dataclass(frozen=True, slots=True)
class User:
    """A user granted a role at run time."""

    user_id: int
    role: Role
    granted_by: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Route:
    """Incoming SMS on `line` are forwarded to `chat_id`."""

    line: str
    chat_id: int
    source: RouteSource
    created_by: int | None


@dataclass(frozen=True, slots=True)
class Topic:
    """The forum topic `thread_id` in `chat_id` holds the conversation of `line` with `number`."""

    chat_id: int
    thread_id: int
    line: str
    number: str
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Mirror:
    """A send to a customer shown in their topic: the message, its text without the state,
    the state it shows and the recipient's state now."""

    chat_id: int
    message_id: int
    recipient_id: int
    head: str
    shown_state: DeliveryState
    state: DeliveryState


@dataclass(frozen=True, slots=True)
class ExportScope:
    """Which SMS an export holds: a chat's (sends asked there, SMS forwarded there), a
    topic's conversation (`line` and `number`, in `chat_id`), or a whole line's (`chat_id`
    None)."""

    chat_id: int | None
    line: str | None = None
    number: str | None = None


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One SMS of an export: received (`state` None) or sent to one recipient."""

    kind: HistoryKind
    at: datetime
    line: str
    number: str
    text: str
    state: DeliveryState | None
    send_id: int | None
    cursor: tuple[str, str, int, int]  # where the next page starts


@dataclass(frozen=True, slots=True)
class NewSend:
    """A send to store (`SendStore.create_sends`): what `create_send` takes, as one value."""

    idempotency_key: str
    account: str
    line: str
    text: str
    chat_id: int
    requested_by: int
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Send:
    """One request to send one text to some recipients.

    `confirmation_version` grows with every change the confirmation message should show; pass
    it back to `DeliveryStore.mark_confirmation_rendered` so a change made while rendering is not
    lost.
    """

    id: int
    idempotency_key: str
    account: str
    line: str
    text: str
    chat_id: int
    requested_by: int
    status: SendStatus
    error: str | None
    confirmation_chat_id: int | None
    confirmation_message_id: int | None
    created_at: datetime
    updated_at: datetime
    recipient_count: int = 0
    confirmation_version: int = 0
    # Failover: the account the send was first given to, which surely sent nothing, and why
    # (its error's reason key or category); `account` is then the fallback that sent it.
    failover_from: str | None = None
    failover_reason: str | None = None


@dataclass(frozen=True, slots=True)
class SendRecipient:
    """One recipient of a send and its delivery state."""

    id: int
    send_id: int
    recipient: str  # E.164
    state: DeliveryState
    raw_code: str | None
    provider_message_id: str | None
    provider_group_id: str | None
    polls: int
    next_poll_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """An SMS received on one of our lines, stored once."""

    id: int
    account: str
    line: str
    sender: str
    body: str
    received_at: datetime
    dedupe_key: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QuarantinedRecord:
    """An inbox record that could not be read, kept as the provider listed it."""

    id: int
    account: str
    line: str
    record_key: str
    raw: str
    reason: str
    created_at: datetime
    reported_at: datetime | None
    resolved_at: datetime | None
    incoming_id: int | None


@dataclass(frozen=True, slots=True)
class StoredInbox:
    """What storing one inbox fetch did: the SMS new to the database (queued for their chats),
    the records newly quarantined, and whether anything was written at all."""

    new: list[IncomingMessage]
    quarantined: list[QuarantinedRecord]
    wrote: bool


@dataclass(frozen=True, slots=True)
class PendingForward:
    """An incoming SMS that still has to reach a chat."""

    incoming: IncomingMessage
    chat_id: int


@dataclass(frozen=True, slots=True)
class ForwardPart:
    """One Telegram message of a long SMS on its way to a chat; `message_id` once accepted."""

    part: int
    text: str
    message_id: int | None


@dataclass(frozen=True, slots=True)
class RefusedChat:
    """A chat Telegram refuses for good (bot removed, chat gone), not asked before `retry_at`."""

    chat_id: int
    reason: str
    refusals: int
    first_refused_at: datetime
    refused_at: datetime
    retry_at: datetime


@dataclass(frozen=True, slots=True)
class HandOver:
    """An SMS that was waiting for a chat Telegram refuses, now waiting for `to_chat_id`."""

    incoming_id: int
    line: str
    to_chat_id: int


@dataclass(frozen=True, slots=True)
class ChatMove:
    """What followed a group to the supergroup it was upgraded to."""

    old_chat_id: int
    new_chat_id: int
    lines: tuple[str, ...]  # the lines routed to it (config and admin routes)
    pending: int  # SMS that were waiting for it


@dataclass(frozen=True, slots=True)
class MessageLink:
    """What a Telegram message in a chat stands for (for replies and /status)."""

    chat_id: int
    message_id: int
    incoming_id: int | None
    send_id: int | None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of /history: a send requested in the chat or an SMS forwarded to it.

    For a send, `number` is one of its recipients (the lowest) and `recipient_count` how many
    there are; `state` is their common state, or None when they differ (see `state_counts`).
    """

    kind: HistoryKind
    at: datetime
    line: str
    number: str
    text: str
    send_id: int | None
    state: DeliveryState | None
    incoming_id: int | None = None
    recipient_count: int = 1
    state_counts: tuple[tuple[DeliveryState, int], ...] = ()
    send_status: SendStatus | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """Something a user did or was refused."""

    id: int
    at: datetime
    user_id: int | None
    chat_id: int | None
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one poll learnt about one recipient, to be stored."""

    recipient_id: int
    state: DeliveryState
    raw_code: str | None
    next_poll_at: datetime | None


@dataclass(frozen=True, slots=True)
class PollHealth:
    """How one account's polling job has been doing (what `sms-bridge health` reads)."""

    account: str
    job: str
    consecutive_failures: int
    last_failure_at: datetime | None
    last_success_at: datetime | None


# ---------------------------------------------------------------- campaigns (/bulk)


class CampaignStatus(enum.StrEnum):
    """Where a campaign stands: previewed (draft), sending, paused, finished or cancelled."""

    DRAFT = "draft"  # stored whole at the preview; nothing sent before Send
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


class ChunkState(enum.StrEnum):
    """One chunk (one provider call) of a campaign."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"  # marked before its provider call; at start: unknown, never resent
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


SkipReason = Literal["blacklisted", "opted_out"]


@dataclass(frozen=True, slots=True)
class CampaignRecipientInput:
    """A recipient as the campaign is stored: its row, text, parts, and chunk (None: skipped)."""

    row_number: int
    recipient: str  # E.164
    text: str
    parts: int
    chunk: int | None
    skip_reason: SkipReason | None = None


@dataclass(frozen=True, slots=True)
class Campaign:
    """A stored campaign."""

    id: int
    idempotency_key: str
    account: str
    line: str
    chat_id: int
    requested_by: int
    file_name: str
    template: str | None
    status: CampaignStatus
    pause_reason: str | None
    wait_reason: str | None
    wait_until: datetime | None
    not_before: datetime | None
    recipient_count: int
    chunk_count: int
    progress_chat_id: int | None
    progress_message_id: int | None
    progress_digest: str | None
    summary_sent: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StartedChunk:
    """A chunk marked in flight: its send (stored, submitting) and what goes in its call."""

    campaign_id: int
    chunk: int
    send: Send
    messages: tuple[tuple[str, str], ...]  # (recipient E.164, text), in row order


@dataclass(frozen=True, slots=True)
class CampaignProgress:
    """A campaign's counts: recipients per delivery state (of the chunks sent or in flight),
    those still waiting for their chunk, those skipped, and chunks done of all."""

    states: dict[DeliveryState, int]
    waiting: int
    skipped: dict[str, int]
    chunks_done: int
    chunk_count: int


@dataclass(frozen=True, slots=True)
class RecoveredCampaign:
    """A campaign whose chunks were in flight when the process stopped: now unknown."""

    campaign: Campaign
    unknown_chunks: int
    unknown_recipients: int


@dataclass(frozen=True, slots=True)
class CampaignReportRow:
    """One recipient's outcome for the campaign's CSV report."""

    row_number: int
    recipient: str
    text: str
    outcome: str  # a DeliveryState value, 'skipped:<reason>', 'not_sent' (waiting, cancelled)
    raw_code: str | None


# ---------------------------------------------------------------- opt-out, scheduled sends

OptOutSource = Literal["sms", "admin"]


@dataclass(frozen=True, slots=True)
class OptOut:
    """`number` asked `line` to send it nothing more (by SMS), or an admin put it there."""

    line: str
    number: str  # E.164 when it is a mobile, else as the provider gave it
    source: OptOutSource
    incoming_id: int | None  # the SMS that asked, if it was one
    body: str  # what that SMS said ("" if none)
    created_at: datetime


class ScheduleState(enum.StrEnum):
    """Where a scheduled send stands; every state but `pending` is final."""

    PENDING = "pending"  # waiting for its time (or claimed and being sent: `claimed_at`)
    SENT = "sent"  # handed to the send service (`send_id` tells what became of it)
    MISSED = "missed"  # the bridge was down at its time, and it is too late now
    CANCELLED = "cancelled"
    FAILED = "failed"  # it could not be sent (the send service refused it)


@dataclass(frozen=True, slots=True)
class ScheduledSend:
    """A send asked for later; the stored row, not an in-memory job, is the truth."""

    id: int
    idempotency_key: str
    chat_id: int
    requested_by: int
    account: str
    line: str
    recipients: tuple[str, ...]  # E.164, in the order given (empty for a campaign)
    text: str
    campaign_id: int | None
    due_at: datetime
    state: ScheduleState
    claimed_at: datetime | None
    send_id: int | None
    error: str | None
    cancelled_by: int | None
    reported_at: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookEventType(enum.StrEnum):
    """What a webhook event tells of."""

    RECEIVED = "sms.received"
    STATUS = "sms.status"


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One stored webhook event: `body` is what is POSTed, the same bytes on every attempt."""

    id: int
    event_id: str
    type: WebhookEventType
    body: str
    created_at: datetime
    attempts: int
    delivered_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class WebhookBacklog:
    """The events not delivered yet: how many, the oldest's creation, the oldest tried one's."""

    pending: int
    oldest_created_at: datetime | None
    oldest_attempted_at: datetime | None


class OtpState(enum.StrEnum):
    """Where a verification code stands."""

    ACTIVE = "active"  # sent (or being sent): checkable until it expires or runs out of checks
    VERIFIED = "verified"  # checked good once; never again
    CANCELLED = "cancelled"  # a newer code to the same number replaced it
    FAILED = "failed"  # its SMS surely did not go: it counts toward no limit


OtpMode = Literal["own", "provider"]


@dataclass(frozen=True, slots=True)
class OtpDraft:
    """A code about to be stored, before its SMS goes. Never the code itself: mode `own`
    keeps its keyed hash and salt, mode `provider` nothing (the provider checks it)."""

    number: str  # E.164
    mode: OtpMode
    account: str
    requested_by: str  # "tg:<user id>" or "api:<key name>"
    expires_at: datetime
    max_checks: int
    code_hmac: str | None = None
    salt: str | None = None
    request_key: str | None = None  # the same key again returns the stored code, nothing new


@dataclass(frozen=True, slots=True)
class OtpCode:
    """A stored verification code (its keyed hash, never the code)."""

    id: int
    number: str
    mode: OtpMode
    account: str
    code_hmac: str | None
    salt: str | None
    state: OtpState
    checks: int
    max_checks: int
    cancelled_by: int | None
    send_id: int | None
    provider_ref: str | None
    requested_by: str
    request_key: str | None
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class OtpIssue:
    """What storing a new code did: the code (`created` False: its request key was seen
    before), or no code and the seconds until the per-number limits allow one."""

    code: OtpCode | None
    created: bool
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class OtpAuditEntry:
    """One send or check of a code, or its refusal, and who asked."""

    id: int
    at: datetime
    code_id: int | None
    number: str
    action: Literal["send", "check"]
    result: str
    requested_by: str
    detail: str


@dataclass(frozen=True, slots=True)
class Flow:
    """One person's multi-step flow in one chat (the guided /send), as far as they got: kept
    in the database so that any replica can take its next step."""

    chat_id: int
    user_id: int
    kind: str
    step: str
    data: dict[str, str]
    preview_id: int | None
    updated_at: datetime
