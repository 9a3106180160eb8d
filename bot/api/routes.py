"""The API's routes on aiohttp: each checks its key and scope, reads its body through the
pydantic models, calls `bot.api.service`, and answers JSON (errors through `ApiError`)."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.alerts.service import AlertSink
from bot.api import service
from bot.api.schemas import (
    ErrorBody,
    FieldError,
    Health,
    OtpAccepted,
    OtpRequest,
    OtpVerdict,
    OtpVerifyRequest,
    SendMessageRequest,
)
from bot.api.service import ApiAccount, ApiClient, KeyRing, RateLimiter, Refusal
from bot.otp.service import OtpCheckFailed, OtpRefused, OtpService, api_requester
from bot.send.service import call_provider
from storage.base import Storage
from storage.errors import StorageError

log = logging.getLogger(__name__)

_Model = TypeVar("_Model", bound=BaseModel)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """An error answer: its status, problems and headers (turned into JSON by the server)."""

    def __init__(
        self, status: int, errors: list[FieldError], headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.errors = errors
        self.headers = dict(headers or {})

    @classmethod
    def refusal(cls, refusal: Refusal) -> ApiError:
        """A service's refusal as an error answer."""
        return cls(refusal.status, refusal.errors)


def error_response(
    status: int, errors: list[FieldError], headers: Mapping[str, str] | None = None
) -> web.Response:
    """The JSON body of every error."""
    return web.json_response(
        ErrorBody(errors=errors).model_dump(mode="json"), status=status, headers=headers
    )


def model_response(model: BaseModel, status: int = 200, **headers: str) -> web.Response:
    """A model as the JSON answer (fields left None are left out)."""
    return web.json_response(
        model.model_dump(mode="json", exclude_none=True), status=status, headers=headers or None
    )


@dataclass
class ApiDeps:
    """What the routes use: storage, accounts, keys, limits, and the provider calls running."""

    repo: Storage
    accounts: Mapping[str, ApiAccount]
    default_account: ApiAccount
    alerts: AlertSink
    keys: KeyRing
    limiter: RateLimiter
    poll_delay: float
    max_body_bytes: int
    otp: OtpService
    batcher: service.SendBatcher
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """Run `work` after the answer is sent; kept until done (the server waits at stop)."""
        task = asyncio.create_task(work, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s failed", task.get_name(), exc_info=task.exception())


DEPS: web.AppKey[ApiDeps] = web.AppKey("deps", ApiDeps)


async def client_of(request: web.Request, scope: str) -> ApiClient:
    """The request's client if it has `scope` (else 401/403, the refusal audited under the
    key's name), within its rate limit (else 429)."""
    deps = request.app[DEPS]
    client = deps.keys.authenticate(request.headers.get("Authorization"))
    if client is None:
        raise ApiError(
            401,
            [FieldError(field="Authorization", message="a valid API key is needed (Bearer)")],
            {"WWW-Authenticate": 'Bearer realm="sms-bridge"'},
        )
    if scope not in client.scopes:
        message = f"the key {client.name!r} has no {scope!r} scope"
        detail = f"{request.method} {request.path} by api key {client.name}: no {scope}"
        await deps.repo.audit(None, None, "api_refused", detail)
        raise ApiError(403, [FieldError(field="Authorization", message=message)])
    wait = deps.limiter.retry_after(client.name)
    if wait is not None:
        message = f"too many requests from {client.name!r}; retry after {wait} s"
        raise ApiError(429, [FieldError(field="", message=message)], {"Retry-After": str(wait)})
    return client


async def read_body(request: web.Request, model: type[_Model]) -> _Model:
    """The request's JSON body as `model`: 413 over the cap, 400 not JSON, 422 not valid."""
    cap = request.app[DEPS].max_body_bytes
    if request.content_length is not None and request.content_length > cap:
        raise too_large(cap)
    raw = await request.read()  # client_max_size refuses a longer body sent without a length
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        message = f"not valid JSON: {exc.msg if isinstance(exc, json.JSONDecodeError) else exc}"
        raise ApiError(400, [FieldError(field="body", message=message)]) from None
    if not isinstance(data, dict):
        raise ApiError(422, [FieldError(field="body", message="must be a JSON object")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, service.validation_errors(exc)) from None


def too_large(cap: int) -> ApiError:
    """413 for a body over `cap` bytes."""
    return ApiError(413, [FieldError(field="body", message=f"larger than {cap} bytes")])


async def post_message(request: web.Request) -> web.Response:
    """POST /v1/messages: store the send, answer 202, then call the provider once."""
    deps = request.app[DEPS]
    client = await client_of(request, "sms:send")
    key = service.idempotency_key(client, request.headers.get("Idempotency-Key"))
    if isinstance(key, Refusal):
        raise ApiError.refusal(key)
    body = await read_body(request, SendMessageRequest)
    planned = service.plan_send(body, deps.accounts, deps.default_account, client=client, key=key)
    if isinstance(planned, Refusal):
        raise ApiError.refusal(planned)
    accepted = await service.accept_send(deps.batcher, planned)
    if isinstance(accepted, Refusal):
        raise ApiError.refusal(accepted)
    if not accepted.created:
        return model_response(accepted.answer, 202, **{"Idempotent-Replayed": "true"})
    deps.spawn(
        call_provider(
            deps.repo,
            deps.alerts,
            accepted.request,
            accepted.send,
            poll_delay=deps.poll_delay,
            # The account's throttle and daily cap hold for API sends as for every other.
            limits=deps.accounts.get(accepted.request.account.name),
            record=deps.batcher.record,
        ),
        name=f"api send {accepted.send.id}",
    )
    return model_response(accepted.answer, 202)


async def get_message(request: web.Request) -> web.Response:
    """GET /v1/messages/{id}: the send's state and its recipients'."""
    deps = request.app[DEPS]
    client = await client_of(request, "read")
    send_id = int(request.match_info["id"])
    status = await service.message_status(deps.repo, client, send_id)
    found = "" if status is not None else " (none of its own)"
    await deps.repo.audit(None, None, "api_read", f"#{send_id} by api key {client.name}{found}")
    if status is None:
        raise ApiError(404, [FieldError(field="id", message=f"no message {send_id}")])
    return model_response(status)


async def health(request: web.Request) -> web.Response:
    """GET /v1/health: 200 {"ok": true} when the database answers, else 503."""
    try:
        await request.app[DEPS].repo.poll_health()
    except (sqlite3.Error, StorageError, ValueError) as exc:
        # ValueError: aiosqlite's answer once its connection is closed.
        log.warning("health: the database does not answer: %s", exc)
        return model_response(Health(ok=False), 503)
    return model_response(Health(ok=True))


async def post_otp(request: web.Request) -> web.Response:
    """POST /v1/otp: send a verification code (202), within the per-number limits (429)."""
    deps = request.app[DEPS]
    client = await client_of(request, "otp")
    body = await read_body(request, OtpRequest)
    header = (request.headers.get("Idempotency-Key") or "").strip()
    key = f"api:{client.name}:otp:{header}" if header else None
    sent = await deps.otp.send(body.to, api_requester(client.name), idempotency_key=key)
    if isinstance(sent, OtpRefused):
        raise _otp_refusal(sent)
    headers = {} if sent.created else {"Idempotent-Replayed": "true"}
    return model_response(OtpAccepted(id=sent.id, expires_at=sent.expires_at), 202, **headers)


def _otp_refusal(refused: OtpRefused) -> ApiError:
    match refused.reason:
        case "rate_limited":
            wait = str(refused.retry_after_seconds or 1)
            message = f"too many codes for this number; retry after {wait} s"
            return ApiError(429, [FieldError(field="to", message=message)], {"Retry-After": wait})
        case "invalid_number":
            return ApiError(422, [FieldError(field="to", message=refused.detail)])
        case "unsupported":
            message = f"the OTP account {refused.detail!r} cannot send provider codes"
            return ApiError(503, [FieldError(field="", message=message)])
        case "send_failed":
            reason = str(refused.error) if refused.error is not None else refused.detail
            message = f"the code could not be sent: {reason}"
            return ApiError(502, [FieldError(field="", message=message)])


async def post_otp_verify(request: web.Request) -> web.Response:
    """POST /v1/otp/verify: whether the code is right (200 either way), or why not."""
    deps = request.app[DEPS]
    client = await client_of(request, "otp")
    body = await read_body(request, OtpVerifyRequest)
    checked = await deps.otp.verify(body.to, body.code, api_requester(client.name))
    if isinstance(checked, OtpCheckFailed):
        if checked.reason == "invalid_number":
            raise ApiError(422, [FieldError(field="to", message=checked.detail)])
        reason = str(checked.error) if checked.error is not None else checked.detail
        message = f"the code could not be checked: {reason}"
        raise ApiError(502, [FieldError(field="", message=message)])
    left = checked.checks_left if checked.reason == "wrong" else None
    return model_response(OtpVerdict(valid=checked.valid, reason=checked.reason, checks_left=left))
