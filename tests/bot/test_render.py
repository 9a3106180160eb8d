"""Rendering: everything from outside is escaped, nothing exceeds 4096, nothing is cut."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
from bidi_layout import layout, layout_problems, shown

from bot.render import (
    TELEGRAM_LIMIT,
    fits_digest,
    pack_messages,
    render_confirmation,
    render_digests,
    render_incoming,
    tehran_time,
    visible_length,
)
from bot.texts import t
from providers.base import DeliveryState
from sandbox.telegram.html import parse_html
from storage.models import IncomingMessage, Send, SendRecipient, SendStatus

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


def incoming(body: str, ident: int = 1, sender: str = "+989127654321") -> IncomingMessage:
    return IncomingMessage(
        id=ident,
        account="raygan",
        line="50002910001080",
        sender=sender,
        body=body,
        received_at=NOW,
        dedupe_key=f"k{ident}",
        created_at=NOW,
    )


def plain(html_text: str) -> str:
    """What Telegram shows for this HTML (the fake's parser, a port of Telegram's)."""
    return parse_html(html_text).text


def make_send(text: str = "<hi>") -> Send:
    return Send(
        id=7,
        idempotency_key="tg:1:2",
        account="raygan",
        line="50002910001080",
        text=text,
        chat_id=1,
        requested_by=1,
        status=SendStatus.SUBMITTED,
        error=None,
        confirmation_chat_id=None,
        confirmation_message_id=None,
        created_at=NOW,
        updated_at=NOW,
    )


def make_recipients(states: list[DeliveryState]) -> list[SendRecipient]:
    return [
        SendRecipient(
            id=i,
            send_id=7,
            recipient=f"+98912000{i:04d}",
            state=state,
            raw_code=None,
            provider_message_id=None,
            provider_group_id="g",
            polls=0,
            next_poll_at=None,
            updated_at=NOW,
        )
        for i, state in enumerate(states)
    ]


def test_tehran_time_is_jalali_and_local() -> None:
    # 10:30 UTC is 14:00 in Tehran (UTC+3:30); 2026-11-22 is 1 Azar 1405.
    assert tehran_time(NOW) == "1405/09/01 14:00"


@pytest.mark.parametrize(
    "body",
    ['<b>bold</b> & "quoted" > less <', "سلام دنیا 😀", "&amp; is not an entity here", "<<<>>>"],
)
def test_incoming_body_survives_verbatim(body: str) -> None:
    [message] = render_incoming("fa", incoming(body))
    assert body in plain(message)
    assert "+98 912 765 4321" in plain(message)


def test_a_body_longer_than_telegram_takes_is_split_not_cut() -> None:
    body = "".join(f"{i % 10}" for i in range(9000)) + " <end>"
    parts = render_incoming("en", incoming(body))
    assert len(parts) == 3
    assert all(visible_length(p) <= TELEGRAM_LIMIT for p in parts)
    assert body in "".join(plain(p) for p in parts)


def test_visible_length_counts_utf16_after_entities() -> None:
    assert visible_length("<b>a&lt;b</b>") == 3
    assert visible_length("😀") == 2


def test_pack_messages_fills_up_to_the_limit_and_keeps_order() -> None:
    chunks = [f"item {i} " + "x" * 500 for i in range(30)]
    messages = pack_messages(chunks)
    assert all(visible_length(m) <= TELEGRAM_LIMIT for m in messages)
    assert len(messages) < len(chunks)
    joined = "\n\n".join(messages)
    assert [joined.index(f"item {i} ") for i in range(30)] == sorted(
        joined.index(f"item {i} ") for i in range(30)
    )


def test_digests_carry_every_sms_once_within_the_limit() -> None:
    messages = [incoming(f"پیام شماره {i} <&>", ident=i) for i in range(1, 201)]
    packed = render_digests("fa", messages)
    ids = [i for _, group in packed for i in group]
    assert sorted(ids) == list(range(1, 201))
    assert len(packed) < 20
    for text, group in packed:
        assert visible_length(text) <= TELEGRAM_LIMIT
        seen = plain(text)
        assert f"📩 {len(group)} ".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in seen
        for i in group:
            assert f"پیام شماره {i} <&>" in seen


def test_an_sms_too_long_for_a_digest_is_left_for_its_own_message() -> None:
    packed = render_digests("en", [incoming("short", 1), incoming("y" * 5000, 2)])
    assert [group for _, group in packed] == [[1]]


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_fits_digest_is_exactly_what_a_digest_takes(lang: str) -> None:
    # Around the edge, one character at a time.
    seen = set()
    for size in range(3990, 4100):
        message = incoming("ی" * size, 1)
        packed = [i for _, ids in render_digests(lang, [message]) for i in ids]
        fits = fits_digest(lang, message)
        assert fits == (packed == [1])
        if len(render_incoming(lang, message)) > 1:
            assert not fits  # an SMS in parts always goes on its own
        seen.add(fits)
    assert seen == {True, False}


def test_confirmation_lists_states_and_summarises_big_sends() -> None:
    states = [DeliveryState.DELIVERED, DeliveryState.BLOCKED] + [DeliveryState.SENT] * 40
    text = plain(render_confirmation("en", make_send(), make_recipients(states)))
    assert "Send #7 from line 50002910001080 (raygan)" in text
    assert "42 recipients, 1 part — 1 delivered, 1 failed, 40 waiting" in text
    assert "… and 12 more recipients" in text
    assert "✅ delivered" in text and "🚫 blocked" in text
    assert html.escape("<hi>") not in text


def test_a_confirmation_of_one_reads_singular_in_english() -> None:
    text = plain(render_confirmation("en", make_send(), make_recipients([DeliveryState.SENT])))
    assert "1 recipient, 1 part — 0 delivered, 0 failed, 1 waiting" in text


# ---------------------------------------------------------------- Persian layout
# Each message is laid out by the Unicode bidi algorithm as a right-to-left client does: every
# number must read on screen as it was written, and every line of ours must run right to left.


def test_persian_incoming_sms_keeps_the_senders_number_and_the_time_in_order() -> None:
    [message] = render_incoming("fa", incoming("سلام، سفارش 12 کی می‌رسد؟"))
    text = plain(message)
    assert layout_problems(text, own_direction=("سلام، سفارش 12 کی می‌رسد؟",)) == []
    first = layout(text)[0]
    assert "+98 912 765 4321" in first.visual and "4321 765 912 98+" not in first.visual
    assert "زمان: ۱۴۰۵/۰۹/۰۱ ساعت ۱۴:۰۰" in shown(text)


def test_persian_confirmation_keeps_ids_numbers_and_counts_in_order() -> None:
    states = [DeliveryState.DELIVERED, DeliveryState.FAILED] + [DeliveryState.SENT] * 40
    text = plain(render_confirmation("fa", make_send(), make_recipients(states)))
    assert layout_problems(text) == []
    visual = [line.visual for line in layout(text)]
    assert any("#7" in line for line in visual) and not any("7#" in line for line in visual)
    assert any("+98 912 000 0001" in line for line in visual)
    assert "۴۲ گیرنده، ۱ بخش — ۱ تحویل‌شده، ۱ ناموفق، ۴۰ در انتظار" in shown(text)
    assert "… و ۱۲ گیرندهٔ دیگر" in shown(text)


def test_persian_digests_keep_every_number_in_order() -> None:
    bodies = [f"پیام {i}" for i in range(1, 8)]
    messages = [incoming(body, ident=i, sender=f"+98912765432{i}") for i, body in enumerate(bodies)]
    [(text, _)] = render_digests("fa", messages)
    seen = plain(text)
    assert layout_problems(seen, own_direction=tuple(bodies)) == []
    assert shown(seen).startswith("📩 ۷ پیامک جدید")
    assert "+98 912 765 4323" in shown(seen)


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_an_opt_out_sms_is_marked_alone_and_in_a_digest(lang: str) -> None:
    mark = plain(t(lang, "optout.marked"))
    [alone] = render_incoming(lang, incoming("لغو ۱۱"))
    assert plain(alone).startswith(mark)
    assert "لغو ۱۱" in plain(alone)
    [(digest_text, ids)] = render_digests(lang, [incoming("سلام", 1), incoming("11", 2)])
    assert ids == [1, 2]
    assert plain(digest_text).count(mark) == 1
    assert plain(digest_text).index(mark) > plain(digest_text).index("11")
    [ordinary] = render_incoming(lang, incoming("لغو کنید؟"))
    assert mark not in plain(ordinary)


@pytest.mark.parametrize("body", ["11", "12345", "1405/09/01 14:30", "1,000"])
def test_a_body_of_digits_keeps_its_own_digits_in_persian(body: str) -> None:
    [text] = render_incoming("fa", incoming(body))
    assert plain(text).endswith(body)
