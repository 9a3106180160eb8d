"""Texts: every key in both languages, values escaped and formatted for the language, Persian
laid out right to left, and every provider reason in the user's language."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal

import aiohttp
import pytest
from bidi_layout import layout_problems, shown
from sim_support import FakeClock, serve_simulator

from bot.texts import Raw, format_number, keys, missing_keys, provider_reason, t
from providers import payamak, raygansms
from providers.base import ErrorCategory, ProviderError, SmsProvider
from providers.http import HttpSettings
from sandbox.faults import FaultKind
from sandbox.payamak import PayamakSimulator
from sandbox.raygansms import RayganSimulator
from sandbox.server import PAYAMAK_API, RAYGAN_API
from sandbox.telegram.html import parse_html

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)  # 1405/09/01 14:00 in Tehran
LATIN_DIGIT = re.compile(r"[0-9]")
PERSIAN_LETTER = re.compile(r"[\u0600-\u06ff]")


def test_every_text_exists_in_both_languages() -> None:
    assert missing_keys() == {}


def test_values_are_escaped_unless_raw() -> None:
    assert t("en", "status_not_found", send_id="<b>&") == "Send #&lt;b&gt;&amp; was not found."
    assert "<b>" in t("en", "start", name="x", role="r", commands=Raw("<b>c</b>"))
    assert "&lt;b&gt;" in shown(
        t("fa", "history_sent", send_id=1, time=NOW, number="1", text="<b>", state="s")
    )


def test_unknown_language_falls_back_to_persian() -> None:
    assert t("de", "cancelled") == t("fa", "cancelled")


# ---------------------------------------------------------------- digits and units


def test_persian_counts_are_in_persian_digits() -> None:
    summary = t("fa", "summary", total=1, parts=1, done=0, failed=0, waiting=1)
    assert summary == "۱ گیرنده، ۱ بخش — ۰ تحویل‌شده، ۰ ناموفق، ۱ در انتظار"
    assert t("fa", "ask_text", count=12_400).startswith("۱۲٬۴۰۰ گیرنده.")


def test_english_counts_keep_latin_digits_with_grouping() -> None:
    assert t("en", "ask_text", count=12_400).startswith("12,400 recipients.")


@pytest.mark.parametrize(
    ("value", "fa", "en"),
    [
        (0, "۰", "0"),
        (999_888, "۹۹۹٬۸۸۸", "999,888"),
        (Decimal("999888"), "۹۹۹٬۸۸۸", "999,888"),
        (Decimal("1234.50"), "۱٬۲۳۴٫۵۰", "1,234.50"),
        (Decimal("12.000"), "۱۲", "12"),
        (-5, "\u2066-۵\u2069", "-5"),
    ],
)
def test_numbers_per_language(value: int | Decimal, fa: str, en: str) -> None:
    assert format_number("fa", value) == fa
    assert format_number("en", value) == en


def test_credit_has_its_unit_in_rials() -> None:
    assert t("fa", "credit_line", account="meli", credit=Decimal("999888")).endswith(
        ": ۹۹۹٬۸۸۸ ریال"
    )
    assert t("en", "credit_line", account="meli", credit=Decimal("999888")) == (
        "• meli: 999,888 rials"
    )
    low = t("fa", "alert.credit_low", account="meli", credit=500, threshold="1,000,000")
    assert "۵۰۰ ریال (آستانه: ۱٬۰۰۰٬۰۰۰ ریال)" in low


def test_times_are_jalali_tehran_and_persian_in_persian() -> None:
    incoming = t("fa", "incoming", sender="+98 912 765 4321", line="5000", time=NOW, body="x")
    assert "زمان: ۱۴۰۵/۰۹/۰۱ ساعت ۱۴:۰۰" in incoming
    assert "Time: 1405/09/01 14:00" in t(
        "en", "incoming", sender="+98 912 765 4321", line="5000", time=NOW, body="x"
    )
    # A time a caller formatted already is written in Persian digits too.
    received = t("fa", "history_received", time="1405/09/01 14:00", number="1", line="2", text="x")
    assert received.startswith("📩 ۱۴۰۵/۰۹/۰۱ ساعت ۱۴:۰۰ از")


def test_phone_numbers_lines_and_ids_keep_latin_digits() -> None:
    text = shown(t("fa", "reply_sending", number="+98 912 765 4321", line="50002910001080"))
    assert "+98 912 765 4321" in text and "50002910001080" in text
    assert "#12" in shown(t("fa", "status_not_found", send_id=12))


# ---------------------------------------------------------------- English plurals


@pytest.mark.parametrize(
    ("total", "parts", "expected"),
    [
        (1, 1, "1 recipient, 1 part — "),
        (2, 1, "2 recipients, 1 part — "),
        (1, 3, "1 recipient, 3 parts — "),
        (0, 0, "0 recipients, 0 parts — "),
    ],
)
def test_english_summary_is_plural_correct(total: int, parts: int, expected: str) -> None:
    text = t("en", "summary", total=total, parts=parts, done=0, failed=0, waiting=total)
    assert text.startswith(expected)


def test_english_plurals_elsewhere() -> None:
    assert t("en", "confirmation_more", count=1) == "… and 1 more recipient"
    assert t("en", "confirmation_more", count=12) == "… and 12 more recipients"
    assert t("en", "ask_text", count=1).startswith("1 recipient.")
    assert "failed 1 time in a row" in t(
        "en", "alert.poll_failing", job="j", account="a", count=1, reason="r"
    )


# ---------------------------------------------------------------- layout of every Persian text


def sample(name: str) -> object:
    """A value of the kind each placeholder takes, the hardest for right-to-left layout."""
    if name in ("number", "sender", "recipient", "phone", "mobile", "raw"):
        return "+98 912 765 4321"
    if name == "chat_id":
        return -1009876543210
    if name in ("line", "code"):
        return "50002910001080"
    if name == "lines":
        return ("50002910001080", "10002188")
    if name == "id" or name.endswith("_id"):
        return 1234
    if name in ("time", "at", "when"):
        return NOW
    if name in ("account", "provider", "name", "value", "current", "text", "error", "job"):
        return "raygan-2 (test) 42"
    if name in ("summary", "recipients", "items", "commands", "description", "body"):
        return Raw("x")
    if name == "command":
        return "send"
    if name in ("date", "clock"):
        return Raw("۱۴۰۵/۰۹/۰۱")
    if name in ("reason", "state", "role", "source", "default"):
        return "خوب"
    return 12_345  # a count or an amount


def placeholders(template: str) -> set[str]:
    return {
        field.split("|")[0]
        for _, field, _, _ in string.Formatter().parse(template)
        if field is not None
    }


def rendered(lang: str, key: str) -> str:
    from bot import texts

    template = texts._TEXTS[lang][key]
    return t(lang, key, **{name: sample(name) for name in placeholders(template)})


@pytest.mark.parametrize("key", keys())
def test_every_persian_text_keeps_numbers_in_order_and_lines_right_to_left(key: str) -> None:
    text = parse_html(rendered("fa", key)).text
    # A body or a text alone on its line is the sender's, in the sender's direction.
    assert layout_problems(text, own_direction=("x", str(sample("text")))) == [], key


@pytest.mark.parametrize("key", keys())
def test_every_persian_text_writes_counts_in_persian_digits(key: str) -> None:
    from bot import texts

    template = texts._FA[key]
    text = shown(rendered("fa", key))
    for name in placeholders(template):
        value = sample(name)
        if isinstance(value, (str, tuple)):
            for item in value if isinstance(value, tuple) else (value,):
                text = text.replace(item, "")
        elif name == "chat_id" or name.endswith("_id"):
            text = text.replace(str(value), "")
    literal = "".join(LATIN_DIGIT.findall(template))
    assert "".join(LATIN_DIGIT.findall(text)) == literal, (key, text)


# ---------------------------------------------------------------- provider reasons


RAYGAN_CODES = sorted({*raygansms.ERROR_CODES, *raygansms.CODE_METHOD_ERRORS})
PAYAMAK_CODES = sorted(payamak.VALUE_CODES, key=int)


def test_every_provider_error_code_has_a_persian_and_an_english_reason() -> None:
    codes = [("raygansms", str(c)) for c in RAYGAN_CODES]
    codes += [("payamak", c) for c in PAYAMAK_CODES]
    for provider, code in codes:
        fa = t("fa", f"reason.{provider}.{code}")
        en = t("en", f"reason.{provider}.{code}")
        assert PERSIAN_LETTER.search(fa), (provider, code, fa)
        assert en != fa and (en.isascii() or "لغو" in en), (provider, code, en)


def persian_words(text: str) -> bool:
    """Mostly Persian: more Persian letters than Latin ones (codes and `لغو11` aside)."""
    letters = [ch for ch in text if unicodedata.category(ch).startswith("L")]
    persian = [ch for ch in letters if PERSIAN_LETTER.match(ch)]
    return len(persian) > len(letters) - len(persian)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


ONE_TRY = HttpSettings(backoff_base=0.0, read_attempts=1)


async def error_of(call: Callable[[], object]) -> ProviderError:
    try:
        await call()  # type: ignore[misc]
    except ProviderError as error:
        return error
    raise AssertionError("no error")


@pytest.mark.parametrize("code", RAYGAN_CODES)
async def test_each_raygansms_code_reaches_a_persian_user_in_persian(
    code: int, session: aiohttp.ClientSession
) -> None:
    sim = RayganSimulator(delivery_step=10.0, clock=FakeClock())
    async with serve_simulator(sim) as server:
        provider = raygansms.RayganSmsProvider(
            session,
            base_url=f"{server.url}{RAYGAN_API}",
            username="demo",
            password="demo",
            settings=ONE_TRY,
        )
        method = "SendAutoCode" if code in raygansms.CODE_METHOD_ERRORS else "GetCredit"
        sim.faults.inject(FaultKind.ERROR_CODE, method=method, value=code, times=None)
        call = (
            (lambda: provider.send_auto_code("09121234567", "x"))
            if method == "SendAutoCode"
            else provider.credit
        )
        error = await error_of(call)
    assert provider_reason("fa", error) == t("fa", f"reason.raygansms.{code}")
    assert provider_reason("en", error) == t("en", f"reason.raygansms.{code}")
    assert persian_words(provider_reason("fa", error))


@pytest.mark.parametrize("code", PAYAMAK_CODES)
async def test_each_payamak_code_reaches_a_persian_user_in_persian(
    code: str, session: aiohttp.ClientSession
) -> None:
    sim = PayamakSimulator(delivery_step=10.0, clock=FakeClock())
    async with serve_simulator(sim) as server:
        provider: SmsProvider = payamak.PayamakProvider(
            session,
            base_url=f"{server.url}{PAYAMAK_API}",
            username="demo",
            password="demo",
            settings=ONE_TRY,
        )
        sim.faults.inject(FaultKind.ERROR_CODE, method="GetCredit", value=int(code), times=None)
        error = await error_of(provider.credit)
    assert provider_reason("fa", error) == t("fa", f"reason.payamak.{code}")
    assert persian_words(provider_reason("fa", error))


def test_the_link_refusal_of_the_issue_reads_in_persian() -> None:
    error = payamak.code_error("SendSMS", "14", "LinkInText", "")
    assert t("fa", "error.bad_request", reason=error) == (
        "سامانهٔ پیامک درخواست را نپذیرفت: متن پیامک پیوند (لینک) دارد"
    )


@pytest.mark.parametrize("category", list(ErrorCategory))
def test_a_reason_with_no_code_of_its_own_is_still_in_persian(category: ErrorCategory) -> None:
    error = ProviderError(category, "GetMessages: unreadable garbage", provider="payamak")
    assert persian_words(provider_reason("fa", error))
    assert provider_reason("en", error) == "GetMessages: unreadable garbage"
    coded = ProviderError(category, "refused", provider="payamak", code="4242")
    assert provider_reason("fa", coded).endswith("(کد 4242)")


def test_no_english_reaches_a_persian_user_from_the_http_layer() -> None:
    from providers.common import http_status_error

    for status in (401, 403, 404, 429, 500, 502):
        error = http_status_error("raygansms", "SendMessage", status, "<html>")
        assert error is not None
        assert persian_words(provider_reason("fa", error)), status
