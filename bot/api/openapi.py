"""The OpenAPI 3.1 document of the API, generated from the same pydantic models that
validate requests and shape answers (`bot.api.schemas`)."""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from bot.api.schemas import (
    ErrorBody,
    Health,
    MessageAccepted,
    MessageStatus,
    OtpAccepted,
    OtpRequest,
    OtpVerdict,
    OtpVerifyRequest,
    SendMessageRequest,
)
from bot.config import ApiConfig
from bot.config.models import OtpConfig

REF: Final = "#/components/schemas/{model}"

_MODELS: Final[list[tuple[type[BaseModel], JsonSchemaMode]]] = [
    (SendMessageRequest, "validation"),
    (MessageAccepted, "serialization"),
    (MessageStatus, "serialization"),
    (OtpRequest, "validation"),
    (OtpAccepted, "serialization"),
    (OtpVerifyRequest, "validation"),
    (OtpVerdict, "serialization"),
    (Health, "serialization"),
    (ErrorBody, "serialization"),
]


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": REF.format(model=model.__name__)}


def _json(model: type[BaseModel], description: str, **headers: str) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ref(model)}},
    }
    if headers:
        answer["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return answer


def _errors(*statuses: int) -> dict[str, Any]:
    words = {
        400: "The body is not JSON",
        401: "No key, or a key that is not known",
        403: "The key has not the scope this route needs",
        404: "No such message (of this key)",
        409: "The Idempotency-Key was used for a different message",
        413: "The body is larger than the cap",
        422: "A field is not valid: each problem names its field (`to[2]`)",
        429: "Over the key's rate limit (or, for codes, the number's)",
        502: "The SMS provider refused or failed",
        503: "The OTP account cannot do what otp.mode needs",
    }
    answers = {}
    for status in statuses:
        extra = {"Retry-After": "Seconds to wait"} if status == 429 else {}
        answers[str(status)] = _json(ErrorBody, words[status], **extra)
    return answers


def openapi_document(config: ApiConfig, otp: OtpConfig) -> dict[str, Any]:
    """The document for `config` (its body cap and limits are stated in it)."""
    config_otp_limits = (
        f"{otp.per_number_minute} a minute, {otp.per_number_hour} an hour; a code lives "
        f"{otp.ttl_seconds} s and takes {otp.max_checks} checks"
    )
    _keys, schemas = models_json_schema(_MODELS, ref_template=REF)
    secured: list[dict[str, list[str]]] = [{"bearer": []}]
    paths: dict[str, Any] = {
        "/v1/messages": {
            "post": {
                "operationId": "sendMessage",
                "summary": "Send one text to up to 100 mobiles, once per Idempotency-Key",
                "description": (
                    "Scope `sms:send`. The message is stored before it is sent; the answer "
                    "(202) comes before the provider is called, every recipient `queued`. The "
                    "same Idempotency-Key again answers the first answer again (with the "
                    "header Idempotent-Replayed) and sends nothing. "
                    f"Bodies are capped at {config.max_body_bytes} bytes."
                ),
                "security": secured,
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": True,
                        "description": "Your id of this message (1 to 200 characters)",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(SendMessageRequest)}},
                },
                "responses": {
                    "202": _json(
                        MessageAccepted,
                        "Stored; it is sent once",
                        **{"Idempotent-Replayed": "`true` when the key was seen before"},
                    ),
                    **_errors(400, 401, 403, 409, 413, 422, 429),
                },
            }
        },
        "/v1/messages/{id}": {
            "get": {
                "operationId": "getMessage",
                "summary": "A message's state and each recipient's (scope `read`)",
                "description": "A key reads the messages it sent.",
                "security": secured,
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1},
                    }
                ],
                "responses": {
                    "200": _json(MessageStatus, "The message"),
                    **_errors(401, 403, 404, 429),
                },
            }
        },
        "/v1/otp": {
            "post": {
                "operationId": "sendOtp",
                "summary": "Send a verification code to a mobile (scope `otp`)",
                "description": (
                    "A new code cancels the number's earlier one. Over the per-number limits "
                    f"({config_otp_limits}): 429 with Retry-After. An optional "
                    "Idempotency-Key answers the first code again and sends nothing."
                ),
                "security": secured,
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(OtpRequest)}},
                },
                "responses": {
                    "202": _json(OtpAccepted, "The code is on its way"),
                    **_errors(400, 401, 403, 413, 422, 429, 502, 503),
                },
            }
        },
        "/v1/otp/verify": {
            "post": {
                "operationId": "verifyOtp",
                "summary": "Check a code (scope `otp`); a good code is good once",
                "security": secured,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(OtpVerifyRequest)}},
                },
                "responses": {
                    "200": _json(OtpVerdict, "Valid, or why not"),
                    **_errors(400, 401, 403, 413, 422, 429, 502),
                },
            }
        },
        "/v1/health": {
            "get": {
                "operationId": "health",
                "summary": "Whether the bridge's database answers (no key needed)",
                "security": [],
                "responses": {
                    "200": _json(Health, "The database answers"),
                    "503": _json(Health, "The database does not answer"),
                },
            }
        },
        "/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document (no key needed)",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sms-bridge API",
            "version": "1",
            "description": (
                "Send SMS through the bridge's accounts and read their delivery states. "
                "Authorization: Bearer <key>. Every error is "
                '`{"errors": [{"field", "message"}]}`. Each key may make '
                f"{config.rate_burst} requests at once and {config.rate_per_second:g} a "
                "second after that (429 with Retry-After beyond). Webhooks (sms.received, "
                "sms.status) are POSTed to the configured URL with "
                "X-SMS-Bridge-Signature: sha256=<HMAC-SHA256 hex of the body>."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
