"""Opt-out end to end: a customer's `لغو ۱۱` puts them on the line's list (still forwarded,
marked); every send to them asks first; `/optouts`, `/optin`; `/check` and `/prices` against
both simulators."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bridge_harness import (
    ADMIN,
    ADMIN_CHAT,
    OPERATOR,
    PAYAMAK_LINE,
    RAYGAN_LINE,
    SUPPORT_GROUP,
    World,
)
from e2e_steps import ask, nothing_sent, now_text, persian_number

from sandbox.payamak import BASE_PRICE
from sandbox.raygansms import EN_PRICE, FA_PRICE
from sandbox.telegram import FakeMessage

CUSTOMER = "09127654321"
SHOWN = "+98 912 765 4321"
GO = "optout:go"
DROP = "optout:drop"


def containing(text: str) -> Callable[[FakeMessage], bool]:
    return lambda message: text in message.shown


def opt_outs(world: World) -> list[tuple[str, str, str]]:
    """The stored opt-out list as (line, number, source)."""
    with world.db() as db:
        return [
            (r["line"], r["number"], r["source"])
            for r in db.execute("SELECT * FROM opt_outs ORDER BY line, number")
        ]


def sms_to(world: World, mobile: str) -> list[str]:
    return [s.text for s in world.sandbox.raygan.sent if s.mobile == mobile]


async def opted_out_by_sms(world: World, body: str = "لغو ۱۱") -> FakeMessage:
    """CUSTOMER texts `body` to the RayganSMS line; the forwarded SMS in the support group."""
    world.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, body)
    return await world.reply(SUPPORT_GROUP, containing("لغو عضویت"))


async def press(world: World, user: int, chat: int, message: FakeMessage, data: str) -> str:
    """Press a button; the bot's answer to the press."""
    query = world.fake.press_button(user, chat, message.message_id, data)
    await world.fake.wait_until(lambda: query in world.fake.callback_answers)
    return world.fake.callback_answers[query].text or ""


@pytest.mark.parametrize("body", ["لغو ۱۱", "11", "STOP", "لغو11", " لغو "])
async def test_an_opt_out_sms_lists_its_sender_and_is_forwarded_marked(
    bridge: World, body: str
) -> None:
    forwarded = await opted_out_by_sms(bridge, body)
    assert body.strip() in forwarded.shown and SHOWN in forwarded.shown
    assert forwarded.shown.startswith("🚫")
    assert opt_outs(bridge) == [(RAYGAN_LINE, "+989127654321", "sms")]


async def test_an_ordinary_sms_lists_nobody(bridge: World) -> None:
    bridge.sandbox.raygan.inject_incoming(RAYGAN_LINE, CUSTOMER, "لطفاً لغو کنید؟")
    forwarded = await bridge.reply(SUPPORT_GROUP, containing("لطفاً"))
    assert "لغو عضویت:" not in forwarded.shown
    assert opt_outs(bridge) == []


async def test_optouts_and_optin(bridge: World) -> None:
    await opted_out_by_sms(bridge)
    listed = await ask(bridge, ADMIN, ADMIN, "/optouts")
    assert RAYGAN_LINE in listed.shown and SHOWN in listed.shown and "لغو ۱۱" in listed.shown
    refused = await ask(bridge, OPERATOR, OPERATOR, "/optouts")
    assert "مجاز نیست" in refused.shown
    refused = await ask(bridge, OPERATOR, OPERATOR, f"/optin {CUSTOMER}")
    assert "مجاز نیست" in refused.shown and opt_outs(bridge) != []

    usage = await ask(bridge, ADMIN, ADMIN, "/optin")
    assert "/optin" in usage.shown
    unknown_line = await ask(bridge, ADMIN, ADMIN, f"/optin {CUSTOMER} 999")
    assert "999" in unknown_line.shown and opt_outs(bridge) != []
    other = await ask(bridge, ADMIN, ADMIN, "/optin 09350000001")
    assert "در فهرست لغو نیست" in other.shown and "+98 935 000 0001" in other.shown
    assert opt_outs(bridge) == [(RAYGAN_LINE, "+989127654321", "sms")]

    done = await ask(bridge, ADMIN, ADMIN, "/optin ۰۹۱۲۷۶۵۴۳۲۱")
    assert "برداشته شد" in done.shown and SHOWN in done.shown
    assert opt_outs(bridge) == []
    again = await ask(bridge, ADMIN, ADMIN, f"/optin {CUSTOMER}")
    assert "در فهرست لغو نیست" in again.shown
    empty = await ask(bridge, ADMIN, ADMIN, "/optouts")
    assert "هیچ شماره‌ای" in empty.shown
    # Off the list: /send goes at once again.
    confirmation = await ask(bridge, OPERATOR, OPERATOR, f"/send {CUSTOMER} back again")
    assert confirmation.shown.startswith("ارسال #1")
    assert sms_to(bridge, CUSTOMER) == ["back again"]


async def test_send_to_an_opted_out_number_asks_first(bridge: World) -> None:
    await opted_out_by_sms(bridge)
    prompt = await ask(bridge, OPERATOR, OPERATOR, f"/send 09121110001 {CUSTOMER} hello")
    assert "لغو عضویت" in prompt.shown and SHOWN in prompt.shown
    assert "+98 912 111 0001" not in prompt.shown  # only the one that opted out is named
    assert [b["callback_data"] for b in prompt.buttons()] == [GO, DROP]
    assert nothing_sent(bridge)

    await press(bridge, OPERATOR, OPERATOR, prompt, GO)
    await bridge.fake.wait_until(
        lambda: "ارسال #1" in now_text(bridge, OPERATOR, prompt.message_id)
    )
    assert sorted(s.mobile for s in bridge.sandbox.raygan.sent) == ["09121110001", CUSTOMER]
    assert bridge.sandbox.raygan.calls["SendMessage"] == 1
    # Pressed again (an old client still shows the button): nothing more goes.
    query = bridge.fake.press_button(OPERATOR, OPERATOR, prompt.message_id, GO, check=False)
    await bridge.fake.wait_until(lambda: query in bridge.fake.callback_answers)
    assert "معتبر نیست" in (bridge.fake.callback_answers[query].text or "")
    assert bridge.sandbox.raygan.calls["SendMessage"] == 1


async def test_cancel_on_the_prompt_sends_nothing(bridge: World) -> None:
    await opted_out_by_sms(bridge)
    prompt = await ask(bridge, OPERATOR, OPERATOR, f"/send {CUSTOMER} hello")
    await press(bridge, OPERATOR, OPERATOR, prompt, DROP)
    await bridge.fake.wait_until(lambda: "لغو شد" in now_text(bridge, OPERATOR, prompt.message_id))
    await ask(bridge, OPERATOR, OPERATOR, "/lines")
    assert nothing_sent(bridge)


async def test_a_reply_to_the_opt_out_sms_asks_and_only_its_asker_may_answer(
    bridge: World,
) -> None:
    forwarded = await opted_out_by_sms(bridge)
    reply = bridge.say(
        OPERATOR, SUPPORT_GROUP, "Sorry to see you go", reply_to=forwarded.message_id
    )
    prompt = await bridge.reply(SUPPORT_GROUP, lambda m: m.reply_to == reply["message_id"])
    assert "با این حال" in prompt.shown
    answer = await press(bridge, ADMIN, SUPPORT_GROUP, prompt, GO)
    assert "کس دیگری" in answer, answer
    assert nothing_sent(bridge)
    await press(bridge, OPERATOR, SUPPORT_GROUP, prompt, GO)
    await bridge.fake.wait_until(
        lambda: "ارسال #1" in now_text(bridge, SUPPORT_GROUP, prompt.message_id)
    )
    assert sms_to(bridge, CUSTOMER) == ["Sorry to see you go"]


async def test_the_guided_preview_names_the_opted_out_numbers(bridge: World) -> None:
    await opted_out_by_sms(bridge)
    await ask(bridge, OPERATOR, OPERATOR, "/send")
    await ask(bridge, OPERATOR, OPERATOR, f"{CUSTOMER} 09121110001")
    preview = await ask(bridge, OPERATOR, OPERATOR, "hello")
    assert "لغو عضویت" in preview.shown and SHOWN in preview.shown
    assert nothing_sent(bridge)


async def test_schedule_to_an_opted_out_number_asks_first(bridge: World) -> None:
    await opted_out_by_sms(bridge)
    prompt = await ask(bridge, OPERATOR, OPERATOR, f"/schedule +2h {CUSTOMER} later")
    assert "با این حال" in prompt.shown
    with bridge.db() as db:
        assert db.execute("SELECT count(*) FROM scheduled_sends").fetchone()[0] == 0
    await press(bridge, OPERATOR, OPERATOR, prompt, GO)
    await bridge.fake.wait_until(
        lambda: "زمان‌بندی‌شدهٔ #1" in now_text(bridge, OPERATOR, prompt.message_id)
    )
    with bridge.db() as db:
        assert db.execute("SELECT count(*) FROM scheduled_sends").fetchone()[0] == 1


async def test_check_on_raygan_tells_the_blacklist_and_the_opt_outs(bridge: World) -> None:
    await opted_out_by_sms(bridge)
    bridge.sandbox.raygan.blacklist.add("09121110001")
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/check 09121110001 {CUSTOMER} 09121110002")
    lines = {line.split(":")[0].strip("• "): line for line in answer.shown.split("\n")}
    assert "فهرست سیاه" in lines["+98 912 111 0001"]
    assert "لغو عضویت" in lines[SHOWN]
    assert "می‌توان فرستاد" in lines["+98 912 111 0002"]
    assert bridge.sandbox.raygan.calls["ShowWhiteList"] == 1
    assert nothing_sent(bridge)


async def test_check_on_payamak_says_it_cannot_tell_the_blacklist(bridge: World) -> None:
    await opted_out_by_sms(bridge)
    await ask(bridge, OPERATOR, OPERATOR, "/from meli")
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/check {CUSTOMER}")
    assert "نمی‌تواند فهرست سیاه" in answer.shown and PAYAMAK_LINE in answer.shown
    # The opt-out list is per line: opting out of the RayganSMS line says nothing here.
    assert "لغو عضویت نکرده" in answer.shown
    bridge.sandbox.payamak.inject_incoming(PAYAMAK_LINE, CUSTOMER, "۱۱")
    await bridge.reply(ADMIN_CHAT, containing("لغو عضویت"))
    answer = await ask(bridge, OPERATOR, OPERATOR, f"/check {CUSTOMER}")
    assert "🚫" in answer.shown


@pytest.mark.parametrize(
    ("command", "says"), [("/check", "کاربرد"), ("/check 0912111 x", "معتبر نیستند")]
)
async def test_check_bad_input(bridge: World, command: str, says: str) -> None:
    answer = await ask(bridge, OPERATOR, OPERATOR, command)
    assert says in answer.shown
    assert bridge.sandbox.raygan.calls["ShowWhiteList"] == 0


async def test_prices_of_both_accounts(bridge: World) -> None:
    answer = await ask(bridge, OPERATOR, OPERATOR, "/prices")
    lines = answer.shown.split("\n")
    raygan = next(line for line in lines if "raygan" in line)
    meli = next(line for line in lines if "meli" in line)
    assert persian_number(FA_PRICE) in raygan and persian_number(EN_PRICE) in raygan
    assert meli.count(persian_number(BASE_PRICE)) == 2
    assert bridge.sandbox.raygan.calls["GetPrices"] == 1
    assert bridge.sandbox.payamak.calls["GetBasePrice"] == 1
    await ask(bridge, OPERATOR, OPERATOR, "/language en")
    english = await ask(bridge, OPERATOR, OPERATOR, "/prices")
    assert f"raygan: Persian {FA_PRICE} rials, Latin {EN_PRICE} rials" in english.shown
