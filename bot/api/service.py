"""The API's logic, free of aiohttp: who a key is and what it may do, the per-key rate limit,
and what a send body asks for, checked the way `/send` checks it and stored through the same
send service (`bot.send.service`), so idempotency, audit and delivery polling are the same."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Generic, Protocol, TypeVar

from pydantic import ValidationError

from bot.api.schemas import (
    AcceptedRecipient,
    FieldError,
    MessageAccepted,
    MessageStatus,
    RecipientStatus,
    SendMessageRequest,
)
from bot.config import ApiKeyConfig
from bot.send.service import (
    MAX_RECIPIENTS_PER_SEND,
    EmptyText,
    Recipients,
    SendingAccount,
    SendOutcome,
    SendRequest,
    TooManyParts,
    check_text,
    store_sends,
)
from bot.throttle.service import AccountLimits
from providers.base import Receipt
from providers.phone import InvalidNumberError, normalize_mobile
from storage.base import Storage
from storage.models import Send

MAX_IDEMPOTENCY_KEY: Final = 200
MAX_BATCH: Final = 200  # API sends stored in one transaction at most

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")
API_CHAT_ID: Final = 0  # sends from the API belong to no Telegram chat
API_USER_ID: Final = 0  # nor to a Telegram user: the audit names the key


class ApiAccount(SendingAccount, AccountLimits, Protocol):
    """What the API needs of a configured account: sending, its limits, and its lines."""

    @property
    def lines(self) -> tuple[str, ...]:
        """The account's lines, from config."""
        ...


@dataclass(frozen=True, slots=True)
class ApiClient:
    """The client a key belongs to."""

    name: str
    scopes: frozenset[str]


class KeyRing:
    """The configured keys; `authenticate` compares in constant time."""

    def __init__(self, keys: Sequence[ApiKeyConfig]) -> None:
        self._keys = [
            (k.key.get_secret_value().encode(), ApiClient(k.name, frozenset(k.scopes)))
            for k in keys
        ]

    def authenticate(self, authorization: str | None) -> ApiClient | None:
        """The client of an `Authorization: Bearer <key>` header, or None."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        given = token.strip().encode()
        found: ApiClient | None = None
        # Every key is compared, to the end: the time taken tells nothing of which matched.
        for key, client in self._keys:
            if hmac.compare_digest(key, given):
                found = client
        return found


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """A token bucket per client: `burst` requests at once, refilled at `rate` a second."""

    rate: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def retry_after(self, client: str) -> int | None:
        """None if the request may go (a token is taken); else whole seconds to wait."""
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))


# ---------------------------------------------------------------- validation


def field_name(loc: Sequence[str | int]) -> str:
    """pydantic's location as the API names it: ("to", 2) → "to[2]"."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name or "body"


def validation_errors(error: ValidationError) -> list[FieldError]:
    """A pydantic error as the API's `errors[]`, each naming its field, in plain words."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        loc = tuple(item["loc"])
        problems.append(FieldError(field=field_name(loc), message=_message(item, loc)))
    return problems


def _message(item: Mapping[str, Any], loc: tuple[Any, ...]) -> str:
    kind = item["type"]
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    if loc == ("to",) and kind == "too_long":
        return f"too many recipients: at most {MAX_RECIPIENTS_PER_SEND} in one message"
    if loc == ("to",) and kind == "too_short":
        return "at least one number is needed"
    if loc == ("text",) and kind == "string_too_short":
        return "must not be empty"
    return str(item["msg"])


@dataclass(frozen=True, slots=True)
class Refusal:
    """A request that changes nothing: its HTTP status and the problems."""

    status: int
    errors: list[FieldError]


@dataclass(frozen=True, slots=True)
class AcceptedSend:
    """A stored send and the answer it gets; `created` False when the key was seen before."""

    answer: MessageAccepted
    request: SendRequest
    send: Send
    created: bool


def idempotency_key(client: ApiClient, header: str | None) -> str | Refusal:
    """The stored key of an API send (per client: two clients' keys never collide)."""
    value = (header or "").strip()
    if not value:
        return Refusal(422, [FieldError(field="Idempotency-Key", message="required")])
    if len(value) > MAX_IDEMPOTENCY_KEY or not value.isprintable():
        message = f"must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters"
        return Refusal(422, [FieldError(field="Idempotency-Key", message=message)])
    return f"api:{client.name}:{value}"


def plan_send(
    body: SendMessageRequest,
    accounts: Mapping[str, ApiAccount],
    default: ApiAccount,
    *,
    client: ApiClient,
    key: str,
) -> SendRequest | Refusal:
    """The send a valid body asks for, or every problem of it (each naming its field)."""
    problems: list[FieldError] = []
    numbers: dict[str, None] = {}
    for index, raw in enumerate(body.to):
        try:
            numbers.setdefault(normalize_mobile(raw), None)
        except InvalidNumberError as exc:
            problems.append(FieldError(field=f"to[{index}]", message=exc.reason))
    account, line = _sender(body, accounts, default, problems)
    if account is not None:
        text = check_text(account, body.text)
        if isinstance(text, EmptyText):
            problems.append(FieldError(field="text", message="must not be empty"))
        elif isinstance(text, TooManyParts):
            message = (
                f"takes {text.parts} parts; account {text.account!r} takes at most {text.limit}"
            )
            problems.append(FieldError(field="text", message=message))
    if problems or account is None or line is None or not numbers:
        return Refusal(422, problems)
    assert not isinstance(text, EmptyText | TooManyParts)
    return SendRequest(
        idempotency_key=key,
        account=account,
        line=line,
        recipients=Recipients(tuple(numbers)),
        text=text,
        chat_id=API_CHAT_ID,
        user_id=API_USER_ID,
        audit_as=f"api key {client.name}",
    )


def _sender(
    body: SendMessageRequest,
    accounts: Mapping[str, ApiAccount],
    default: ApiAccount,
    problems: list[FieldError],
) -> tuple[ApiAccount | None, str | None]:
    account: ApiAccount | None = default
    if body.account is not None:
        account = accounts.get(body.account)
        if account is None:
            known = ", ".join(sorted(accounts))
            message = f"no such account {body.account!r} (the accounts: {known})"
            problems.append(FieldError(field="account", message=message))
            return None, None
    if body.line is None:
        assert account is not None
        return account, account.lines[0]
    if body.account is None:
        # A line alone picks its account.
        account = next((a for a in accounts.values() if body.line in a.lines), None)
    if account is None or body.line not in account.lines:
        owner = f"of account {account.name!r}" if body.account is not None and account else ""
        message = f"no such line {owner}".strip() + f": {body.line!r}"
        problems.append(FieldError(field="line", message=message))
        return None, None
    return account, body.line


class GroupCommit(Generic[_Item, _Result]):
    """Writes concurrent items together: while one batch is written, the items that arrive
    meanwhile wait and go in the next, through `write` (one transaction). One item alone is
    written at once; under load each waits at most for the batch before it. The single
    connection's round trips, not SQL, bounded an API send's storing (bench/api_send.py), and
    a batch pays them once. A batch that fails is written item by item through `write_one`,
    so one bad item fails alone."""

    def __init__(
        self,
        write: Callable[[list[_Item]], Awaitable[list[_Result]]],
        write_one: Callable[[_Item], Awaitable[_Result]],
        *,
        max_batch: int = MAX_BATCH,
        name: str = "group commit",
    ) -> None:
        self._write = write
        self._write_one = write_one
        self._max_batch = max_batch
        self._name = name
        self._pending: list[tuple[_Item, asyncio.Future[_Result]]] = []
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: _Item) -> _Result:
        """`write` of this item, in the next batch."""
        future: asyncio.Future[_Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name=self._name)
        return await future

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                try:
                    results = await self._write([item for item, _ in batch])
                except Exception:  # noqa: BLE001 - each item is tried alone next
                    await self._one_by_one(batch)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)

    async def _one_by_one(self, batch: list[tuple[_Item, asyncio.Future[_Result]]]) -> None:
        for item, future in batch:
            try:
                result = await self._write_one(item)
            except Exception as exc:  # noqa: BLE001 - handed to the waiting request (a 500)
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)

    async def close(self) -> None:
        """Stop the writer; items still waiting are cancelled (nothing of theirs written)."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        for _, future in self._pending:
            future.cancel()
        self._pending.clear()


class SendBatcher:
    """API sends stored in batches (`store_sends`) and their provider answers recorded in
    batches (`Storage.record_send_results`): both through group commits."""

    def __init__(self, repo: Storage, *, max_batch: int = MAX_BATCH) -> None:
        self.repo = repo

        async def store_one(request: SendRequest) -> SendOutcome:
            (outcome,) = await store_sends(repo, [request])
            return outcome

        async def record_one(item: tuple[int, Sequence[Receipt], datetime]) -> Send:
            send_id, receipts, next_poll_at = item
            return await repo.record_send_result(send_id, receipts, next_poll_at=next_poll_at)

        self._stores: GroupCommit[SendRequest, SendOutcome] = GroupCommit(
            lambda requests: store_sends(repo, requests),
            store_one,
            max_batch=max_batch,
            name="api send batches",
        )
        self._results: GroupCommit[tuple[int, Sequence[Receipt], datetime], Send] = GroupCommit(
            repo.record_send_results, record_one, max_batch=max_batch, name="api result batches"
        )

    async def store(self, request: SendRequest) -> SendOutcome:
        """`store_send`, in the next batch."""
        return await self._stores.submit(request)

    async def record(
        self, send_id: int, receipts: Sequence[Receipt], next_poll_at: datetime
    ) -> Send:
        """`record_send_result`, in the next batch (`call_provider`'s `record`)."""
        return await self._results.submit((send_id, receipts, next_poll_at))

    async def close(self) -> None:
        """Stop both writers."""
        await self._stores.close()
        await self._results.close()


async def accept_send(batcher: SendBatcher, request: SendRequest) -> AcceptedSend | Refusal:
    """Store the send (or find the one stored under its key) and the 202 answer; the caller
    then calls the provider once, if `created`. A key used before for another message is
    refused (409) and changes nothing."""
    repo = batcher.repo
    outcome = await batcher.store(request)
    send = outcome.send
    numbers = list(request.recipients.numbers)  # stored in this order
    if not outcome.created:
        numbers = [r.recipient for r in await repo.get_recipients(send.id)]
        if not _same_request(send, numbers, request):
            message = f"already used for a different message (id {send.id})"
            return Refusal(409, [FieldError(field="Idempotency-Key", message=message)])
    # The answer of the first request, again for a repeat: every recipient queued, as stored.
    answer = MessageAccepted(
        id=send.id,
        recipients=[AcceptedRecipient(to=number, state="queued") for number in numbers],
    )
    return AcceptedSend(answer, request, send, outcome.created)


def _same_request(send: Send, recipients: list[str], request: SendRequest) -> bool:
    return (
        send.text == request.text.body
        and send.account == request.account.name
        and send.line == request.line
        and tuple(recipients) == request.recipients.numbers
    )


def owned_by(send: Send, client: ApiClient) -> bool:
    """Whether `client` made this send (a key reads its own sends only)."""
    return send.idempotency_key.startswith(f"api:{client.name}:")


async def message_status(repo: Storage, client: ApiClient, send_id: int) -> MessageStatus | None:
    """A send of this client and its recipients' states now; None if it has no such send."""
    send = await repo.get_send(send_id)
    if send is None or not owned_by(send, client):
        return None
    recipients = await repo.get_recipients(send_id)
    return MessageStatus(
        id=send.id,
        state=send.status.value,
        recipients=[
            RecipientStatus(to=r.recipient, state=r.state.value, updated_at=r.updated_at)
            for r in recipients
        ],
    )
