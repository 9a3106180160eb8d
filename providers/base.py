"""The one interface every SMS provider adapter implements, its results and its errors."""

from __future__ import annotations

import abc
import enum
from collections.abc import Sequence
from dataclasses import FrozenInstanceError, dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar


class Capability(enum.Enum):
    """What an adapter can do; the bot offers or refuses each cleanly (providers.md §3)."""

    SEND = "send"  # one text to many
    SEND_EACH = "send_each"  # a different text per recipient
    SEND_TO_PORT = "send_to_port"
    SCHEDULED_SEND = "scheduled_send"  # the provider holds the message until a time
    PROVIDER_OTP = "provider_otp"  # the provider makes the code and checks it
    OWN_CODE_OTP = "own_code_otp"  # we make the code, the provider sends our text
    DELIVERY = "delivery"
    INBOX = "inbox"
    CREDIT = "credit"
    PRICES = "prices"
    LINES = "lines"
    BLACKLIST = "blacklist"


class DeliveryState(enum.StrEnum):
    """Our unified per-recipient state; it only moves forward (see `rank`)."""

    QUEUED = "queued"
    SENT = "sent"
    PENDING = "pending"  # the provider says "under review" / "not reported yet"
    AT_CARRIER = "at_carrier"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"  # we cannot know whether the provider took it (SPEC §5)

    @property
    def is_final(self) -> bool:
        """True when no later report can change this state."""
        return self in _FINAL

    @property
    def rank(self) -> int:
        """Order of progress: a report may only move a recipient to a higher rank."""
        return _RANK[self]

    def can_move_to(self, new: DeliveryState) -> bool:
        """Whether a report of `new` may replace this state (never backwards)."""
        return not self.is_final and new.rank > self.rank


_FINAL = frozenset(
    {
        DeliveryState.DELIVERED,
        DeliveryState.UNDELIVERED,
        DeliveryState.FAILED,
        DeliveryState.BLOCKED,
    }
)
_RANK = {
    DeliveryState.UNKNOWN: 0,
    DeliveryState.QUEUED: 1,
    DeliveryState.SENT: 2,
    DeliveryState.PENDING: 2,
    DeliveryState.AT_CARRIER: 3,
    DeliveryState.DELIVERED: 4,
    DeliveryState.UNDELIVERED: 4,
    DeliveryState.FAILED: 4,
    DeliveryState.BLOCKED: 4,
}


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Receipt:
    """The provider's acknowledgement for one recipient of a send.

    `message_id` is the provider's per-recipient id (RayganSMS corresponding sends, Payamak
    recIds); `group_id` is a tracking id shared by a whole send (RayganSMS `SendMessage`).
    Either is enough to ask for the recipient's delivery state later.
    """

    recipient: str  # E.164
    message_id: str | None = None
    group_id: str | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a send returned: one receipt per recipient, in the order they were given."""

    receipts: tuple[Receipt, ...]


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One recipient with its own text (for `send_each` and `send_to_port`)."""

    recipient: str  # any accepted form; adapters normalise
    text: str


@dataclass(frozen=True, slots=True)
class DeliveryUpdate:
    """The state a provider reports for one receipt, with its raw code."""

    receipt: Receipt
    state: DeliveryState
    raw_code: str


@dataclass(frozen=True, slots=True)
class IncomingSms:
    """An SMS received on one of our lines."""

    line: str
    sender: str  # E.164 when it parses as a number, else as the provider gave it
    body: str
    received_at: datetime  # timezone-aware, UTC
    dedupe_key: str  # unique per real message on this account


@dataclass(frozen=True, slots=True)
class UnreadableRecord:
    """A record an inbox listed that cannot be read as an SMS, kept as the provider gave it so
    it can be quarantined, shown to the admins and read again by a later parser."""

    line: str
    key: str  # stable per record: the same record listed again has the same key
    raw: str  # the record as listed (JSON text)
    reason: str  # why it cannot be read, plain English


@dataclass(frozen=True, slots=True)
class InboxWindow:
    """How far back an inbox fetch reaches in time (the config's [polling] inbox keys)."""

    first_start: float = 600.0  # seconds: the recent SMS a line's first fetch takes
    lookback: float = 21_600.0  # seconds: how far back SMS dated late are looked for


DEFAULT_WINDOW = InboxWindow()


@dataclass(frozen=True, slots=True)
class InboxBatch:
    """Messages fetched from a cursor, and the cursor to store once they are stored.

    `next_cursor` None means "no cursor yet": a first fetch that could not finish; the next
    fetch is a first fetch again. On a first fetch (`first_start`), `messages` are only the
    window's recent SMS, and `history` the older ones it read: stored so that a later look-back
    knows them, never forwarded. `unreadable` records are quarantined, never block the cursor.
    """

    messages: tuple[IncomingSms, ...]
    next_cursor: str | None
    unreadable: tuple[UnreadableRecord, ...] = ()
    history: tuple[IncomingSms, ...] = ()
    first_start: bool = False


@dataclass(frozen=True, slots=True)
class Prices:
    """Price of one SMS part: UCS-2 (Persian) and GSM 7-bit (Latin)."""

    ucs2_part: Decimal
    gsm7_part: Decimal


@dataclass(frozen=True, slots=True)
class BlacklistCheck:
    """Numbers (E.164) split by whether the provider will send to them."""

    allowed: tuple[str, ...]
    blacklisted: tuple[str, ...]


# ---------------------------------------------------------------- errors


class ErrorCategory(enum.StrEnum):
    """The one classification of every provider failure."""

    AUTH = "auth"  # credentials, permission, IP, account state: alert admins, never retry
    CREDIT = "credit"  # out of credit: alert admins, never retry
    BAD_REQUEST = "bad_request"  # the request's fault: tell the user why
    RATE_LIMIT = "rate_limit"  # a provider limit: retry later, alert
    TRANSIENT = "transient"  # network, 5xx, garbled answer: retry with backoff where safe
    PARTIAL = "partial"  # some recipients went, some did not
    UNSUPPORTED = "unsupported"  # this provider has no such capability


@dataclass(eq=False)
class ProviderError(Exception):
    """A provider call failed. Its text never holds a secret. Immutable once built.

    `category` is the one classification (there are no subclasses per category).
    `retry_safe` says whether the same call may be made again without risk of a second SMS.
    `outcome_unknown` is set on sends whose request may have reached the provider.
    On a failed or partial send, recipients in `receipts` went, those in
    `unknown_recipients` may have gone (never resend them), and the rest surely did not.
    A receipt with neither `message_id` nor `group_id` went but cannot be tracked.
    Whoever learns more builds a new error with `with_(...)`; nobody rewrites one in flight.
    """

    category: ErrorCategory
    reason: str  # plain words, English, for logs and as a fallback for users
    provider: str = ""
    code: str | None = None  # the provider's own code (Code, Value, HTTP status)
    provider_message: str = ""  # the provider's own text, if any
    retry_safe: bool = False
    outcome_unknown: bool = False
    receipts: tuple[Receipt, ...] = field(default=())  # PARTIAL: what did go
    unknown_recipients: tuple[str, ...] = field(default=())  # sends: may or may not have gone
    nothing_sent: bool = False  # the provider's own answer says no SMS went out
    # Names the reason for the bot's texts, which word it per language; empty means
    # "<provider>.<code>" (a code of the provider's own table) or, without a code, the category.
    reason_key: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))
        object.__setattr__(self, "_built", True)

    # Not `dataclass(frozen=True)`: its guard refuses every attribute, and the interpreter and
    # the standard library set the dunder ones (__traceback__, __cause__, __context__,
    # __notes__) on exceptions as they travel. Only the error's own facts are frozen.
    def __setattr__(self, name: str, value: object) -> None:
        if getattr(self, "_built", False) and not _is_dunder(name):
            raise FrozenInstanceError(f"cannot assign to field {name!r}: use with_()")
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if not _is_dunder(name):
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super().__delattr__(name)

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce rebuilds from `args` (the message), which is not our signature.
        return (_rebuild_error, (type(self), _facts(self)))

    def __str__(self) -> str:
        code = f" (code {self.code})" if self.code is not None else ""
        return f"{self.provider or 'provider'}: {self.category.value}: {self.reason}{code}"

    def with_(self, **changes: Any) -> ProviderError:
        """A new error like this one with `changes` applied (this one stays as it is)."""
        return replace(self, **changes)


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _facts(error: ProviderError) -> dict[str, Any]:
    return {f.name: getattr(error, f.name) for f in fields(error)}


def _rebuild_error(cls: type[ProviderError], facts: dict[str, Any]) -> ProviderError:
    return cls(**facts)


# ---------------------------------------------------------------- the interface


class SmsProvider(abc.ABC):
    """One account at one provider. Numbers go in any accepted form and come out E.164."""

    # The facts the registry (providers/registry.py) reads; each is written once, here.
    provider_name: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""
    max_parts: ClassVar[int | None] = None  # the most parts one text may take; None: no limit
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def supports(self, capability: Capability) -> bool:
        """Whether this adapter can do `capability`."""
        return capability in self.capabilities

    def _unsupported(self, capability: Capability) -> ProviderError:
        return ProviderError(
            ErrorCategory.UNSUPPORTED,
            f"{self.provider_name} does not support {capability.value}",
            provider=self.provider_name,
            reason_key="unsupported",
        )

    @abc.abstractmethod
    async def send(
        self,
        line: str,
        recipients: Sequence[str],
        text: str,
        *,
        at: datetime | None = None,
        flash: bool = False,
    ) -> SendResult:
        """Send one text to many recipients, now or (SCHEDULED_SEND) at `at`."""

    async def send_each(self, line: str, messages: Sequence[OutgoingMessage]) -> SendResult:
        """Send a different text to each recipient."""
        raise self._unsupported(Capability.SEND_EACH)

    async def send_to_port(
        self,
        line: str,
        messages: Sequence[OutgoingMessage],
        *,
        send_port: int,
        receive_port: int,
    ) -> SendResult:
        """Send to an application port on the handset."""
        raise self._unsupported(Capability.SEND_TO_PORT)

    @abc.abstractmethod
    async def delivery_statuses(self, receipts: Sequence[Receipt]) -> list[DeliveryUpdate]:
        """Current state of many receipts; receipts the provider does not report are omitted."""

    @abc.abstractmethod
    async def fetch_inbox(
        self, line: str, cursor: str | None, window: InboxWindow = DEFAULT_WINDOW
    ) -> InboxBatch:
        """Messages received on `line` since `cursor`; with no cursor (the line's first fetch)
        only those of the window's recent minutes, never the inbox's history."""

    def read_unreadable(self, record: UnreadableRecord) -> IncomingSms:
        """Read a quarantined record again with today's parser; ValueError if it still cannot."""
        raise ValueError(f"{self.provider_name or 'this provider'} cannot read records again")

    @abc.abstractmethod
    async def credit(self) -> Decimal:
        """The account's remaining credit."""

    async def prices(self) -> Prices:
        """The price of one part."""
        raise self._unsupported(Capability.PRICES)

    async def lines(self) -> tuple[str, ...]:
        """The account's dedicated lines, as the provider lists them."""
        raise self._unsupported(Capability.LINES)

    async def filter_blacklist(self, numbers: Sequence[str]) -> BlacklistCheck:
        """Split numbers by whether they are on the carriers' blacklist."""
        raise self._unsupported(Capability.BLACKLIST)

    async def send_auto_code(self, mobile: str, footer: str) -> str:
        """Have the provider make and send a verification code; returns its reference."""
        raise self._unsupported(Capability.PROVIDER_OTP)

    async def check_auto_code(self, mobile: str, code: str) -> bool:
        """Check a code the provider made."""
        raise self._unsupported(Capability.PROVIDER_OTP)

    async def send_code(self, line: str, mobile: str, text: str) -> SendResult:
        """Send a verification text holding our own code."""
        raise self._unsupported(Capability.OWN_CODE_OTP)
