"""`/send` end to end: the provider gets exactly the numbers and text, the confirmation follows
the delivery reports."""

from __future__ import annotations

import itertools

import pytest
from bridge_harness import ADMIN, OPERATOR, PAYAMAK_LINE, RAYGAN_LINE, SUPPORT_GROUP, World
from e2e_steps import (
    ask,
    nothing_sent,
    now_text,
    recipient_states,
    say_and_get_update,
    sends_rows,
    wait_for,
)


async def test_send_reaches_raygan_and_confirmation_is_edited_to_delivered(bridge: World) -> None:
    bridge.say(ADMIN, ADMIN, "/send ۰۹۱۲۱۱۱۲۲۲۲, 9123334444\nسلام\nخط دوم <b>")
    confirmation = await bridge.reply(ADMIN)
    sent = bridge.sandbox.raygan.sent
    assert sorted(s.mobile for s in sent) == ["09121112222", "09123334444"]
    assert {s.text for s in sent} == {"سلام\nخط دوم <b>"}
    assert {s.line for s in sent} == {RAYGAN_LINE}
    await bridge.fake.wait_until(
        lambda: bridge.fake.message(ADMIN, confirmation.message_id).shown.count("تحویل شد") == 2
    )


NUMBER_FORMS = [
    ("09121112222", "09121112222"),  # national
    ("9121110001", "09121110001"),  # without the leading zero
    ("989121110002", "09121110002"),  # with the country code
    ("+989121110003", "09121110003"),
    ("00989121110004", "09121110004"),
    ("۰۹۱۲۱۱۱۰۰۰۵", "09121110005"),  # Persian digits
    ("٠٩١٢١١١٠٠٠٦", "09121110006"),  # Arabic-Indic digits
    ("0912-111-0007", "09121110007"),  # dashes
]


async def test_each_common_number_form_reaches_the_provider_as_09(bridge: World) -> None:
    for index, (typed, expected) in enumerate(NUMBER_FORMS):
        await ask(bridge, OPERATOR, OPERATOR, f"/send {typed} form {index}")
        last = bridge.sandbox.raygan.sent[-1]
        assert (last.mobile, last.text) == (expected, f"form {index}"), typed
    assert len(bridge.sandbox.raygan.sent) == len(NUMBER_FORMS)


SEPARATED = [
    "09121112222,09123334444،09125556666",  # Latin and Persian commas
    "09121112222, 09123334444 09125556666",
    "09121112222\n09123334444\n09125556666",
    "09121112222;09123334444 09125556666 09121112222",  # a semicolon, and a duplicate
]


async def test_numbers_separated_any_common_way_go_once_each_with_a_multiline_text(
    bridge: World,
) -> None:
    text = "سلام مشتری عزیز\nسفارش شما آماده است.\n\nبا تشکر & <فروشگاه>"
    raygan = bridge.sandbox.raygan
    for numbers in SEPARATED:
        before = len(raygan.sent)
        await ask(bridge, OPERATOR, OPERATOR, f"/send {numbers}\n{text}")
        sent = raygan.sent[before:]
        assert sorted(s.mobile for s in sent) == ["09121112222", "09123334444", "09125556666"], (
            numbers
        )
        assert {s.text for s in sent} == {text}, numbers
    assert raygan.calls["SendMessage"] == len(SEPARATED)


async def test_undelivered_and_blocked_outcomes_show_in_the_edited_confirmation(
    bridge: World,
) -> None:
    bridge.sandbox.raygan.set_outcome("09121112222", "undelivered")
    bridge.sandbox.raygan.set_outcome("09123334444", "blocked")
    confirmation = await ask(
        bridge, OPERATOR, OPERATOR, "/send 09121112222 09123334444 09125556666 hi"
    )
    await wait_for(
        lambda: sends_rows(bridge)[0]["confirmation_message_id"] is not None,
        "the confirmation stored with its send",
    )
    [row] = sends_rows(bridge)
    assert f"#{row['id']}" in confirmation.shown and RAYGAN_LINE in confirmation.shown
    assert (row["account"], row["line"], row["text"]) == ("raygan", RAYGAN_LINE, "hi")
    assert (row["confirmation_chat_id"], row["confirmation_message_id"]) == (
        OPERATOR,
        confirmation.message_id,
    )

    def settled() -> bool:
        text = now_text(bridge, OPERATOR, confirmation.message_id)
        return "۱ تحویل‌شده، ۲ ناموفق، ۰ در انتظار" in text

    await bridge.fake.wait_until(settled)
    lines = now_text(bridge, OPERATOR, confirmation.message_id).splitlines()
    assert "+98 912 111 2222: ❌ تحویل نشد" in lines, lines
    assert "+98 912 333 4444: 🚫 مسدود (فهرست سیاه)" in lines, lines
    assert "+98 912 555 6666: ✅ تحویل شد" in lines, lines
    await wait_for(
        lambda: (
            recipient_states(bridge, row["id"])
            == {
                "+989121112222": "undelivered",
                "+989123334444": "blocked",
                "+989125556666": "delivered",
            }
        ),
        "the final states stored",
    )


async def test_send_goes_through_payamak_after_from_account_and_is_edited_to_its_outcomes(
    bridge: World,
) -> None:
    bridge.sandbox.payamak.set_outcome("09123334444", "undelivered")
    answer = await ask(bridge, OPERATOR, OPERATOR, "/from meli")
    assert PAYAMAK_LINE in answer.shown and "meli" in answer.shown
    confirmation = await ask(
        bridge, OPERATOR, OPERATOR, "/send 09121112222,9123334444 درود\nبر شما"
    )
    [sms] = bridge.sandbox.payamak.sent
    assert (sms.line, sms.to, sms.text) == (
        PAYAMAK_LINE,
        ("09121112222", "09123334444"),
        "درود\nبر شما",
    )
    assert not bridge.sandbox.raygan.sent and bridge.sandbox.raygan.calls["SendMessage"] == 0
    assert "meli" in confirmation.shown and PAYAMAK_LINE in confirmation.shown
    await bridge.fake.wait_until(
        lambda: (
            "۱ تحویل‌شده، ۱ ناموفق، ۰ در انتظار"
            in now_text(bridge, OPERATOR, confirmation.message_id)
        )
    )
    lines = now_text(bridge, OPERATOR, confirmation.message_id).splitlines()
    assert "+98 912 111 2222: ✅ تحویل شد" in lines, lines
    assert "+98 912 333 4444: ❌ تحویل نشد" in lines, lines


@pytest.mark.parametrize("line", [PAYAMAK_LINE, "۱۰۰۰۲۱۸۸"])
async def test_from_a_payamak_line_number_sends_through_payamak(bridge: World, line: str) -> None:
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/from {line}")
    assert PAYAMAK_LINE in answer.shown and "meli" in answer.shown
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 from the line")
    assert [(s.line, s.to, s.text) for s in bridge.sandbox.payamak.sent] == [
        (PAYAMAK_LINE, ("09121112222",), "from the line")
    ]
    assert bridge.sandbox.raygan.calls["SendMessage"] == 0


async def test_from_is_per_chat(bridge: World) -> None:
    await ask(bridge, OPERATOR, SUPPORT_GROUP, "/from meli")
    await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 private chat")
    await ask(bridge, OPERATOR, SUPPORT_GROUP, "/send 09123334444 group chat")
    assert [(s.mobile, s.text) for s in bridge.sandbox.raygan.sent] == [
        ("09121112222", "private chat")
    ]
    assert [(s.to, s.text) for s in bridge.sandbox.payamak.sent] == [
        (("09123334444",), "group chat")
    ]


async def test_the_same_update_delivered_twice_sends_one_sms(bridge: World) -> None:
    update_id = say_and_get_update(bridge, OPERATOR, OPERATOR, "/send 09121112222 once only")
    confirmation = await bridge.reply(OPERATOR)
    bridge.fake.deliver_again(update_id)
    # The next command's answer proves the bridge has handled the redelivered update.
    await bridge.fake.wait_until(lambda: not bridge.fake.pending_updates())
    await ask(bridge, OPERATOR, OPERATOR, "/lines")
    assert bridge.sandbox.raygan.calls["SendMessage"] == 1
    assert [s.text for s in bridge.sandbox.raygan.sent] == ["once only"]
    assert len(sends_rows(bridge)) == 1
    bot_texts = [m.shown for m in bridge.fake.bot_messages(OPERATOR)]
    assert sum(1 for t in bot_texts if "#" in t and RAYGAN_LINE in t) == 1, bot_texts
    assert confirmation.message_id == bridge.fake.bot_messages(OPERATOR)[0].message_id


HUNDRED_AND_ONE = " ".join(f"0912{n:07d}" for n in range(101))

REFUSALS = [
    (
        "/send 09121112222 0912111 ۰۲۱۸۸۷۷۶۶۵۵ +4915112345678 hi",
        ["معتبر نیستند", "0912111", "۰۲۱۸۸۷۷۶۶۵۵", "+4915112345678"],
        ["09121112222"],
    ),
    ("/send 09121112222", ["متن پیامک خالی است"], []),
    ("/send 09121112222 \n  \n", ["متن پیامک خالی است"], []),
    ("/send hello there", ["هیچ شماره‌ای", "/send شماره‌ها متن"], []),
    ("/send 09121112222 " + "س" * 700, ["۱۱ بخش", "«raygan»", "حداکثر ۱۰ بخش"], []),
    (f"/send {HUNDRED_AND_ONE} hi", ["حداکثر ۱۰۰ گیرنده", "۱۰۱ گیرنده داده شد"], []),
]


async def test_bad_send_is_refused_with_its_reason_and_nothing_is_sent(bridge: World) -> None:
    for command, named, not_named in REFUSALS:
        refusal = await ask(bridge, OPERATOR, OPERATOR, command)
        for fragment in named:
            assert fragment in refusal.shown, (command[:40], fragment, refusal.shown)
        for fragment in not_named:
            assert fragment not in refusal.shown, (command[:40], fragment, refusal.shown)
    # A following command's answer shows the bridge is past the last refused one.
    await ask(bridge, OPERATOR, OPERATOR, "/lines")
    assert nothing_sent(bridge)
    assert sends_rows(bridge) == []


async def test_ten_parts_are_accepted_on_raygan_and_eleven_on_payamak(bridge: World) -> None:
    ten_parts = "س" * 670
    eleven_parts = "س" * 700
    await ask(bridge, OPERATOR, OPERATOR, f"/send 09121112222 {ten_parts}")
    assert [s.text for s in bridge.sandbox.raygan.sent] == [ten_parts]
    await ask(bridge, OPERATOR, OPERATOR, "/from meli")
    await ask(bridge, OPERATOR, OPERATOR, f"/send 09121112222 {eleven_parts}")
    assert [s.text for s in bridge.sandbox.payamak.sent] == [eleven_parts]


async def test_a_hundred_recipients_are_accepted(bridge: World) -> None:
    numbers = [f"0912{n:07d}" for n in range(100)]
    await ask(bridge, OPERATOR, OPERATOR, f"/send {' '.join(numbers)} hi")
    assert sorted(s.mobile for s in bridge.sandbox.raygan.sent) == numbers
    assert bridge.sandbox.raygan.calls["SendMessage"] == 1


async def test_confirmation_is_edited_only_when_its_text_changes(bridge: World) -> None:
    """Edits are coalesced and never repeat the text: Telegram never answers
    "message is not modified", and rounds after the final state edit nothing."""
    bridge.say(ADMIN, ADMIN, "/send 09121112222 once")
    confirmation = await bridge.reply(ADMIN)
    await bridge.fake.wait_until(
        lambda: "تحویل شد" in bridge.fake.message(ADMIN, confirmation.message_id).shown
    )
    assert bridge.bridge is not None
    application = bridge.bridge.application
    [job] = application.job_queue.get_jobs_by_name("confirmations")
    edits_before = len(bridge.fake.calls("editMessageText"))
    for _ in range(3):
        await job.run(application)
    assert len(bridge.fake.calls("editMessageText")) == edits_before
    edits = bridge.fake.calls("editMessageText")
    assert edits and all(call.status == 200 for call in edits)
    shown = bridge.fake.message(ADMIN, confirmation.message_id)
    texts = [*shown.edits, shown.text]  # what people saw, before and after each edit
    assert len(texts) == len(edits) + 1
    assert all(a != b for a, b in itertools.pairwise(texts))


async def test_one_send_reads_the_senders_role_once(bridge: World) -> None:
    assert bridge.bridge is not None
    statements: list[str] = []
    await bridge.bridge.data.db.set_trace_callback(statements.append)
    try:
        await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 09123334444 once")
    finally:
        await bridge.bridge.data.db.set_trace_callback(None)
    role_reads = [s for s in statements if s.startswith("SELECT role FROM users")]
    # The access check reads it; /send's own right check reuses that reading.
    assert len(role_reads) == 1, role_reads
