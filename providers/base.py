"""The one interface every SMS provider adapter implements, its results and its errors."""

from __future__ import annotations

import abc
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


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
class InboxBatch:
    """Messages fetched from a cursor, and the cursor to store once they are stored."""

    messages: tuple[IncomingSms, ...]
    next_cursor: str


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
    """A provider call failed. Its text never holds a secret.

    `retry_safe` says whether the same call may be made again without risk of a second SMS.
    `outcome_unknown` is set on sends whose request may have reached the provider.
    On a failed or partial send, recipients in `receipts` went, those in
    `unknown_recipients` may have gone (never resend them), and the rest surely did not.
    A receipt with neither `message_id` nor `group_id` went but cannot be tracked.
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

    def __str__(self) -> str:
        code = f" (code {self.code})" if self.code is not None else ""
        return f"{self.provider or 'provider'}: {self.category.value}: {self.reason}{code}"


class AuthError(ProviderError):
    """Credentials refused, web service not enabled, IP not allowed, account inactive."""


class CreditError(ProviderError):
    """Not enough credit."""


class BadRequestError(ProviderError):
    """The request itself is wrong (invalid number, empty text, too many parts, …)."""


class RateLimitError(ProviderError):
    """A provider-side limit was reached (daily or volume)."""


class TransientError(ProviderError):
    """Network fault, server error or an answer we cannot read."""


class PartialSendError(ProviderError):
    """Some recipients were accepted (`receipts`), others were not."""


class NotSupportedError(ProviderError):
    """This provider has no such capability."""


_ERROR_CLASS: dict[ErrorCategory, type[ProviderError]] = {
    ErrorCategory.AUTH: AuthError,
    ErrorCategory.CREDIT: CreditError,
    ErrorCategory.BAD_REQUEST: BadRequestError,
    ErrorCategory.RATE_LIMIT: RateLimitError,
    ErrorCategory.TRANSIENT: TransientError,
    ErrorCategory.PARTIAL: PartialSendError,
    ErrorCategory.UNSUPPORTED: NotSupportedError,
}


def make_error(category: ErrorCategory, reason: str, **kwargs: object) -> ProviderError:
    """Build the exception class that belongs to `category`."""
    cls = _ERROR_CLASS[category]
    return cls(category, reason, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the interface


class SmsProvider(abc.ABC):
    """One account at one provider. Numbers go in any accepted form and come out E.164."""

    provider_name: str = ""
    capabilities: frozenset[Capability] = frozenset()

    def supports(self, capability: Capability) -> bool:
        """Whether this adapter can do `capability`."""
        return capability in self.capabilities

    def _unsupported(self, capability: Capability) -> NotSupportedError:
        return NotSupportedError(
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
    async def fetch_inbox(self, line: str, cursor: str | None) -> InboxBatch:
        """Messages received on `line` since `cursor` (None: the adapter's first window)."""

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
