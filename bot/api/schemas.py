"""The bodies the API takes and gives, as pydantic models: requests are validated by them and
the OpenAPI document (`bot.api.openapi`) is generated from them, so the two cannot differ."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.send.service import MAX_RECIPIENTS_PER_SEND

RecipientState = Literal[
    "queued",
    "sent",
    "pending",
    "at_carrier",
    "delivered",
    "undelivered",
    "failed",
    "blocked",
    "unknown",
]
MessageState = Literal["submitting", "submitted", "partial", "failed", "unknown"]


class _Request(BaseModel):
    """A request body: unknown fields are refused (a typo must not be ignored)."""

    model_config = ConfigDict(extra="forbid")


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SendMessageRequest(_Request):
    """POST /v1/messages: one text to up to 100 Iranian mobiles."""

    to: Annotated[
        list[str],
        Field(
            min_length=1,
            max_length=MAX_RECIPIENTS_PER_SEND,
            description="Iranian mobile numbers in any common form (09…, +98…, Persian digits)",
            examples=[["09123456789"]],
        ),
    ]
    text: Annotated[str, Field(min_length=1, description="The SMS text", examples=["سلام"])]
    account: Annotated[
        str | None, Field(description="The account to send from (default: the default one)")
    ] = None
    line: Annotated[
        str | None, Field(description="The line to send from (default: the account's first)")
    ] = None


class AcceptedRecipient(_Answer):
    """One recipient of an accepted message."""

    to: Annotated[str, Field(description="E.164", examples=["+989123456789"])]
    state: RecipientState


class MessageAccepted(_Answer):
    """202: the message is stored and will be sent once."""

    id: int
    recipients: list[AcceptedRecipient]


class RecipientStatus(_Answer):
    """One recipient's delivery state now."""

    to: str
    state: RecipientState
    updated_at: datetime


class MessageStatus(_Answer):
    """A message and its recipients' states."""

    id: int
    state: MessageState
    recipients: list[RecipientStatus]


class OtpRequest(_Request):
    """POST /v1/otp: send a verification code."""

    to: Annotated[str, Field(description="An Iranian mobile number", examples=["09123456789"])]


class OtpAccepted(_Answer):
    """202: the code is on its way."""

    id: int
    expires_at: datetime


class OtpVerifyRequest(_Request):
    """POST /v1/otp/verify: check a code."""

    to: str
    code: str


class OtpVerdict(_Answer):
    """Whether the code is right; if not, why (`reason` is left out when it is)."""

    valid: bool
    reason: Annotated[
        Literal["wrong", "expired", "too_many_checks", "no_code"] | None,
        Field(description="Only when valid is false"),
    ] = None
    checks_left: Annotated[
        int | None, Field(description="Only when wrong: the checks the code has left")
    ] = None


class Health(_Answer):
    """GET /v1/health."""

    ok: bool


class FieldError(_Answer):
    """One problem; `field` names the field (`to[2]`), the header or `body`, or is empty."""

    field: str
    message: str


class ErrorBody(_Answer):
    """Every error answer (4xx, 5xx)."""

    errors: list[FieldError]
