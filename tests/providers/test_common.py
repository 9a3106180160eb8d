"""providers.common: what both adapters do alike, and both adapters doing it alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from provider_errors import raises_category

from providers.base import ErrorCategory, OutgoingMessage, SmsProvider
from providers.common import (
    SNIPPET_CHARS,
    e164_recipients,
    http_status_error,
    parse_json,
    provider_numbers,
    snippet,
    with_recipients,
)
from providers.http import HttpSettings
from providers.registry import PROVIDERS

# Nothing listens here: an adapter that got as far as a request would fail as TRANSIENT.
NOWHERE = "http://127.0.0.1:9/api"

HTTP_STATUSES: list[tuple[int, ErrorCategory, bool, str]] = [
    (401, ErrorCategory.AUTH, False, "http.auth"),
    (403, ErrorCategory.AUTH, False, "http.auth"),
    (404, ErrorCategory.BAD_REQUEST, False, "http.refused"),
    (429, ErrorCategory.RATE_LIMIT, True, "http.rate_limit"),
    (500, ErrorCategory.TRANSIENT, True, "http.server"),
    (503, ErrorCategory.TRANSIENT, True, "http.server"),
]


@pytest.mark.parametrize(("status", "category", "retry_safe", "reason_key"), HTTP_STATUSES)
def test_an_http_status_is_one_error(
    status: int, category: ErrorCategory, retry_safe: bool, reason_key: str
) -> None:
    error = http_status_error("payamak", "GetCredit", status, "<html>  Server\n Error </html>")
    assert error is not None
    assert (error.category, error.retry_safe, error.reason_key) == (
        category,
        retry_safe,
        reason_key,
    )
    assert (error.code, error.provider) == (str(status), "payamak")
    assert error.provider_message == "<html> Server Error </html>"


def test_200_is_no_error() -> None:
    assert http_status_error("payamak", "GetCredit", 200, "{}") is None


@pytest.mark.parametrize(
    ("body", "words"),
    [("<html><body>Runtime Error</body></html>", "an HTML page"), ("{not json", "malformed JSON")],
)
def test_an_answer_that_is_not_json_is_unreadable(body: str, words: str) -> None:
    with raises_category(ErrorCategory.TRANSIENT, match=words) as caught:
        parse_json("raygansms", "GetCredit", 200, body)
    assert caught.value.reason_key == "unreadable"
    assert caught.value.retry_safe is True
    assert caught.value.provider_message == body


def test_a_snippet_is_one_short_line() -> None:
    assert snippet("a\n\n b\t c" + " x" * 500) == ("a b c" + " x" * 500)[:SNIPPET_CHARS]


def test_recipients_become_e164_and_then_the_providers_form() -> None:
    numbers = e164_recipients("payamak", ["0912 123 4567", "+98 912 123 4568", "۹۱۲۱۲۳۴۵۶۹"])
    assert numbers == ["+989121234567", "+989121234568", "+989121234569"]
    assert provider_numbers(numbers) == ["09121234567", "09121234568", "09121234569"]


def test_invalid_recipients_are_named_up_to_ten_then_counted() -> None:
    with raises_category(ErrorCategory.BAD_REQUEST) as caught:
        e164_recipients("raygansms", ["09121234567", *[f"12{i}" for i in range(12)]])
    error = caught.value
    assert error.reason_key == "invalid_numbers"
    assert "'120'" in error.reason and "'129'" in error.reason
    assert "'1210'" not in error.reason
    assert error.reason.endswith("and 2 more")


def test_recipients_go_on_an_unknown_outcome_only() -> None:
    unknown = http_status_error("raygansms", "SendMessage", 502, "")
    assert unknown is not None
    unknown = unknown.with_(outcome_unknown=True)
    marked = with_recipients(unknown, ["+989121234567"])
    assert marked.unknown_recipients == ("+989121234567",)
    assert unknown.unknown_recipients == ()
    refused = http_status_error("raygansms", "SendMessage", 401, "")
    assert refused is not None
    assert with_recipients(refused, ["+989121234567"]) is refused


# ---------------------------------------------------------------- both adapters alike


@pytest.fixture(params=list(PROVIDERS))
async def adapter(request: pytest.FixtureRequest) -> AsyncIterator[SmsProvider]:
    async with aiohttp.ClientSession() as session:
        yield PROVIDERS[request.param].adapter(
            session,
            base_url=NOWHERE,
            username="user",
            password="pw",
            settings=HttpSettings(read_attempts=1, backoff_base=0),
        )


Call = Callable[[SmsProvider], Awaitable[Any]]
REFUSED_BEFORE_SENDING: list[tuple[str, Call, str]] = [
    ("no recipients", lambda p: p.send("10002188", [], "x"), "no_recipients"),
    (
        "an invalid number",
        lambda p: p.send("10002188", ["0912", "09121234567"], "x"),
        "invalid_numbers",
    ),
    ("an empty text", lambda p: p.send("10002188", ["09121234567"], "  "), "empty_text"),
    (
        "an empty text of one",
        lambda p: p.send_each("10002188", [OutgoingMessage("09121234567", "")]),
        "empty_text",
    ),
    (
        "an invalid number of one",
        lambda p: p.send_each("10002188", [OutgoingMessage("0912", "x")]),
        "invalid_numbers",
    ),
]


@pytest.mark.parametrize(
    ("call", "reason_key"),
    [(call, key) for _, call, key in REFUSED_BEFORE_SENDING],
    ids=[name for name, _, _ in REFUSED_BEFORE_SENDING],
)
async def test_both_adapters_refuse_a_bad_request_before_any_call(
    adapter: SmsProvider, call: Call, reason_key: str
) -> None:
    with raises_category(ErrorCategory.BAD_REQUEST) as caught:
        await call(adapter)
    assert caught.value.reason_key == reason_key
    assert caught.value.provider == adapter.provider_name
    assert caught.value.outcome_unknown is False


async def test_both_adapters_call_an_unreachable_provider_transient(adapter: SmsProvider) -> None:
    """The bad-request test above would see this if the adapter had made a request."""
    with raises_category(ErrorCategory.TRANSIENT):
        await adapter.credit()
