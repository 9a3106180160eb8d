"""What every adapter does alike: recipients to E.164, the errors of a bad request, an
unreadable answer or an HTTP status, and the short snippet of an answer kept for the log."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from providers.base import ErrorCategory, ProviderError
from providers.phone import InvalidNumberError, normalize_mobile, to_provider_format

SNIPPET_CHARS = 120  # of a provider's answer kept in an error: enough to recognise, not a page
NAMED_INVALID = 10  # invalid numbers named in one error; the rest are counted


def snippet(body: str) -> str:
    """The answer on one line, cut short, for `provider_message`."""
    return " ".join(body.split())[:SNIPPET_CHARS]


def bad_request(provider: str, reason: str, reason_key: str = "") -> ProviderError:
    """The request's own fault, found before anything is sent."""
    return ProviderError(
        ErrorCategory.BAD_REQUEST, reason, provider=provider, reason_key=reason_key
    )


def unsupported(provider: str, reason: str) -> ProviderError:
    """The provider cannot do what was asked."""
    return ProviderError(
        ErrorCategory.UNSUPPORTED, reason, provider=provider, reason_key="unsupported"
    )


def garbled(provider: str, method: str, reason: str, body: str = "") -> ProviderError:
    """An answer we cannot read: transient, and safe to ask again on a read."""
    return ProviderError(
        ErrorCategory.TRANSIENT,
        f"{method}: unreadable answer: {reason}",
        provider=provider,
        provider_message=snippet(body),
        retry_safe=True,
        reason_key="unreadable",
    )


def e164_recipients(provider: str, raw: Sequence[str]) -> list[str]:
    """Every recipient as E.164, or one BAD_REQUEST naming the invalid ones (nothing is sent)."""
    if not raw:
        raise bad_request(provider, "no recipients", "no_recipients")
    numbers: list[str] = []
    invalid: list[InvalidNumberError] = []
    for item in raw:
        try:
            numbers.append(normalize_mobile(item))
        except InvalidNumberError as exc:
            invalid.append(exc)
    if invalid:
        named = "; ".join(f"{e.raw!r}: {e.reason}" for e in invalid[:NAMED_INVALID])
        more = f" and {len(invalid) - NAMED_INVALID} more" if len(invalid) > NAMED_INVALID else ""
        plural = "s" if len(invalid) > 1 else ""
        raise bad_request(provider, f"invalid number{plural}: {named}{more}", "invalid_numbers")
    return numbers


def provider_numbers(numbers: Iterable[str]) -> list[str]:
    """E.164 numbers in the `09…` form both providers take."""
    return [to_provider_format(number) for number in numbers]


def with_recipients(error: ProviderError, numbers: Sequence[str]) -> ProviderError:
    """On a send whose outcome is unknown, every recipient not already named may have gone."""
    if error.outcome_unknown and not error.unknown_recipients:
        return error.with_(unknown_recipients=tuple(numbers))
    return error


def http_status_error(provider: str, method: str, status: int, body: str) -> ProviderError | None:
    """Map an HTTP status other than 200 to the error it means; None for 200."""
    if status == 200:
        return None
    if status in (401, 403):
        category, reason, retry, key = ErrorCategory.AUTH, "credentials refused", False, "auth"
    elif status == 429:
        category, reason, retry, key = (
            ErrorCategory.RATE_LIMIT,
            "too many requests",
            True,
            "rate_limit",
        )
    elif status >= 500:
        category, reason, retry, key = ErrorCategory.TRANSIENT, "server error", True, "server"
    else:
        category, reason, retry, key = (
            ErrorCategory.BAD_REQUEST,
            "request refused",
            False,
            "refused",
        )
    return ProviderError(
        category,
        f"{method}: {reason} (HTTP {status})",
        provider=provider,
        code=str(status),
        provider_message=snippet(body),
        retry_safe=retry,
        reason_key=f"http.{key}",
    )


def parse_json(provider: str, method: str, status: int, body: str) -> Any:
    """The answer's JSON document, after its HTTP status; raises the error either means."""
    status_error = http_status_error(provider, method, status, body)
    if status_error is not None:
        raise status_error
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        kind = "an HTML page" if body.lstrip().startswith("<") else "malformed JSON"
        raise garbled(provider, method, kind, body) from None
