"""Work that must happen once, on two real `sms-bridge run` replicas sharing one PostgreSQL
database (webhook mode, the Telegram fake posting to both in turn, the simulators):

- a replica SIGKILLed while the provider holds its /send: the other marks the send unknown
  within 30 s and tells the admins once, and never sends it again;
- a CSV campaign is sent by both replicas, chunk by chunk, each recipient once, one summary;
  and with one replica SIGKILLed mid-campaign the other finishes it, the chunks that were in
  flight on the dead one unknown and never resent;
- a scheduled send goes once although both replicas run the scheduler.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bridge_harness import ADMIN, ADMIN_CHAT, World, wait_for
from replica_harness import Replicas

from bot.schedule.when import TEHRAN
from sandbox.faults import FaultKind
from sandbox.telegram import FakeMessage

TAKEOVER_S = 30.0  # the bound for a dead replica's work to be taken over
# A call the simulator holds is not cut short by the bridge's own timeout (which would mark the
# send unknown on the replica itself): the replica is killed long before.
CALL_TIMEOUT_S = 25

UNKNOWN_SEND_ALERT = "معلوم نیست ارسال شده است یا نه"  # alert.unknown_send
CAMPAIGN_INTERRUPTED_ALERT = "هنگام توقف برنامه در حال ارسال بود"  # alert.campaign_interrupted


@pytest.fixture
def replica_account_settings() -> dict[str, Any]:
    """Every account of these replicas waits long for the provider's answer."""
    return {"timeout_seconds": CALL_TIMEOUT_S}


def _last_digits(number: str) -> str:
    return re.sub(r"\D", "", number)[-10:]


def _admin_alerts(world: World, words: str) -> list[FakeMessage]:
    return [m for m in world.fake.bot_messages(ADMIN_CHAT) if words in m.text]


async def _ask(world: World, text: str) -> FakeMessage:
    """The admin writes `text` in their private chat; the bot's answer."""
    last = max((m.message_id for m in world.fake.bot_messages(ADMIN)), default=0)
    world.say(ADMIN, ADMIN, text)
    return await world.reply(ADMIN, lambda m: m.message_id > last)


async def test_a_replica_killed_with_a_send_in_flight_leaves_it_unknown_never_resent(
    world: World, replicas: Replicas
) -> None:
    raygan = world.sandbox.raygan
    # The provider takes the SMS and never answers: the call is in flight when the replica dies.
    raygan.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendMessage")
    replicas.aim_at(0)
    world.say(ADMIN, ADMIN, "/send 09121230001 در راه")
    await wait_for(lambda: [s.text for s in raygan.sent] == ["در راه"], what="the SMS taken")
    (row,) = await replicas.fetch("SELECT id, status, owner FROM sends")
    assert (row["status"], row["owner"]) == ("submitting", replicas.replica_id(0))
    replicas.processes[0].kill()
    replicas.aim_at(1)

    send_id = int(row["id"])
    await replicas.wait_until(
        f"SELECT count(*) = 1 FROM sends WHERE id = {send_id} AND status = 'unknown'",
        "the dead replica's send marked unknown",
        timeout=TAKEOVER_S,
    )
    await wait_for(lambda: bool(_admin_alerts(world, UNKNOWN_SEND_ALERT)), what="the alert")
    survivor = replicas.processes[1]
    assert f"send {send_id} was in flight at the last stop: marked unknown" in survivor.log_text()

    # The survivor goes on sending; nothing of the interrupted send was doubled meanwhile.
    answer = await _ask(world, "/send 09121230002 پس از آن")
    assert "ارسال #" in answer.shown, answer.shown
    await wait_for(lambda: len(raygan.sent) == 2, what="the survivor's send")
    assert [s.text for s in raygan.sent] == ["در راه", "پس از آن"]
    assert raygan.calls["SendMessage"] == 2
    assert len(_admin_alerts(world, UNKNOWN_SEND_ALERT)) == 1
    statuses = [r["status"] for r in await replicas.fetch("SELECT status FROM sends ORDER BY id")]
    assert statuses == ["unknown", "submitted"]
    assert (
        await replicas.scalar(
            f"SELECT count(*) FROM send_recipients WHERE send_id = {send_id} AND state = 'unknown'"
        )
        == 1
    )
    assert "Traceback" not in survivor.log_text()


# ---------------------------------------------------------------- campaigns

CAMPAIGN_RECIPIENTS = 40
# On Payamak a chunk is one SendSMS, to the recipients of one text: a text each makes 40
# chunks, five times what one replica keeps in flight at once (8), so both take their share.
CHUNKS = CAMPAIGN_RECIPIENTS


def _campaign_file() -> tuple[bytes, dict[str, str]]:
    """The CSV (mobile, text) and each recipient's text, by its last ten digits."""
    texts = {f"91212{i:05d}": f"کارزار {i}" for i in range(CAMPAIGN_RECIPIENTS)}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["mobile", "text"])
    writer.writerows([f"0{number}", text] for number, text in texts.items())
    return out.getvalue().encode("utf-8"), texts


async def _start_campaign(world: World, content: bytes) -> FakeMessage:
    """From the Payamak account: upload the file, press Send; the progress message."""
    assert "meli" in (await _ask(world, "/from meli")).shown
    last = max(m.message_id for m in world.fake.bot_messages(ADMIN))
    world.fake.upload_document(ADMIN, ADMIN, "customers.csv", content, caption="/bulk")
    preview = await world.reply(ADMIN, lambda m: m.message_id > last)
    assert "پیش‌نمایش" in preview.shown, preview.shown
    (go,) = [
        str(b["callback_data"])
        for b in preview.buttons()
        if str(b["callback_data"]).startswith("bulk:go:")
    ]
    world.fake.press_button(ADMIN, ADMIN, preview.message_id, go)
    return await world.reply(ADMIN, lambda m: m.message_id > preview.message_id)


def _sent_by_number(world: World) -> Counter[str]:
    return Counter(_last_digits(n) for call in world.sandbox.payamak.sent for n in call.to)


def _summaries(world: World) -> list[FakeMessage]:
    return [m for m in world.fake.bot_messages(ADMIN) if m.document is not None]


async def _chunks(replicas: Replicas) -> list[dict[str, Any]]:
    rows = await replicas.fetch(
        "SELECT c.chunk, c.state, c.attempts, s.status, s.owner FROM campaign_chunks c"
        " LEFT JOIN sends s ON s.id = c.send_id ORDER BY c.chunk"
    )
    return [dict(r) for r in rows]


async def test_a_campaign_is_shared_by_both_replicas_each_recipient_sent_once(
    world: World, replicas: Replicas
) -> None:
    payamak = world.sandbox.payamak
    payamak.faults.set_latency(1.0, "SendSMS")  # chunks last: both replicas' turns meet them
    content, texts = _campaign_file()
    await _start_campaign(world, content)
    await replicas.wait_until(
        "SELECT count(*) = 1 FROM campaigns WHERE status = 'done'", "the campaign done", 60
    )
    await wait_for(lambda: bool(_summaries(world)), what="the summary", timeout=20)

    sent = _sent_by_number(world)
    assert set(sent) == set(texts) and set(sent.values()) == {1}, sent
    assert {_last_digits(n): c.text for c in payamak.sent for n in c.to} == texts
    assert payamak.calls["SendSMS"] == CHUNKS
    chunks = await _chunks(replicas)
    assert [(c["state"], c["attempts"], c["status"]) for c in chunks] == [
        ("sent", 1, "submitted")
    ] * CHUNKS
    owners = {c["owner"] for c in chunks}
    assert owners == {replicas.replica_id(0), replicas.replica_id(1)}, "both replicas sent"
    assert await replicas.scalar("SELECT count(*) FROM sends") == CHUNKS
    # Both replicas show progress: the summary goes once.
    assert len(_summaries(world)) == 1
    assert not _admin_alerts(world, CAMPAIGN_INTERRUPTED_ALERT)


async def test_a_replica_killed_mid_campaign_the_other_finishes_it_never_resending(
    world: World, replicas: Replicas
) -> None:
    payamak = world.sandbox.payamak
    payamak.faults.set_latency(1.5, "SendSMS")
    content, texts = _campaign_file()
    await _start_campaign(world, content)
    doomed = replicas.replica_id(0)
    await replicas.wait_until(
        "SELECT count(*) > 0 FROM campaign_chunks c JOIN sends s ON s.id = c.send_id"
        f" WHERE c.state = 'in_flight' AND s.owner = {doomed}",
        "a chunk in flight on replica 0",
    )
    replicas.processes[0].kill()
    replicas.aim_at(1)
    at_death = await _chunks(replicas)
    assert any(c["state"] == "pending" for c in at_death), "work left for the survivor"

    await replicas.wait_until(
        "SELECT count(*) = 1 FROM campaigns WHERE status = 'done'",
        "the survivor finishing the campaign",
        timeout=TAKEOVER_S + 15,
    )
    await wait_for(lambda: bool(_summaries(world)), what="the summary", timeout=20)
    chunks = await _chunks(replicas)
    assert all(c["attempts"] == 1 for c in chunks), "no chunk started twice"
    unknown = {c["chunk"] for c in chunks if c["state"] == "unknown"}
    # What the dead replica had not finished is unknown; nothing else is.
    assert unknown and unknown == {
        c["chunk"] for c in chunks if c["owner"] == doomed and c["state"] != "sent"
    }
    assert all(c["status"] == "unknown" for c in chunks if c["chunk"] in unknown)
    assert all(
        (c["state"], c["status"]) == ("sent", "submitted")
        for c in chunks
        if c["chunk"] not in unknown
    )
    assert await replicas.scalar("SELECT count(*) FROM sends") == CHUNKS
    # Each recipient at most once; everyone but the unknown chunks' recipients exactly once.
    sent = _sent_by_number(world)
    assert set(sent.values()) <= {1}, sent
    recipients = await replicas.fetch("SELECT recipient, chunk FROM campaign_recipients")
    assert {_last_digits(r["recipient"]) for r in recipients} == set(texts)
    sure = {_last_digits(r["recipient"]) for r in recipients if r["chunk"] not in unknown}
    assert sure <= set(sent)
    assert len(_summaries(world)) == 1
    await wait_for(lambda: bool(_admin_alerts(world, CAMPAIGN_INTERRUPTED_ALERT)), what="the alert")
    assert len(_admin_alerts(world, CAMPAIGN_INTERRUPTED_ALERT)) == 1
    assert "Traceback" not in replicas.processes[1].log_text()


# ---------------------------------------------------------------- scheduled sends

# The scheduler runs every 5 s on each replica; a provider this slow holds the first
# replica's send while the other's scheduler runs at least once.
SLOW_SEND_S = 6.0
MIN_LEAD_S = 8  # the /schedule must be read before its minute comes


def _next_tehran_minute(now: datetime) -> tuple[str, datetime]:
    """The soonest whole minute at least MIN_LEAD_S away, as typed (Tehran `HH:MM`), in UTC."""
    due = (now + timedelta(seconds=MIN_LEAD_S + 60)).replace(second=0, microsecond=0)
    return due.astimezone(TEHRAN).strftime("%H:%M"), due


async def test_a_scheduled_send_goes_once_although_both_replicas_run_the_scheduler(
    world: World, replicas: Replicas
) -> None:
    raygan = world.sandbox.raygan
    raygan.faults.set_latency(SLOW_SEND_S, "SendMessage")
    typed, due = _next_tehran_minute(datetime.now(UTC))
    answer = await _ask(world, f"/schedule {typed} 09121240001 یک بار")
    assert "زمان‌بندی" in answer.shown, answer.shown
    (row,) = await replicas.fetch("SELECT id, state, due_at FROM scheduled_sends")
    assert (row["state"], row["due_at"]) == ("pending", due)
    assert raygan.sent == []

    wait = (due - datetime.now(UTC)).total_seconds() + SLOW_SEND_S + 20
    await replicas.wait_until(
        "SELECT count(*) = 1 FROM scheduled_sends WHERE state = 'sent'", "the scheduled send", wait
    )
    await wait_for(lambda: bool(raygan.sent), what="the SMS")
    await wait_for(
        lambda: any("ارسال #" in m.shown for m in world.fake.bot_messages(ADMIN)),
        what="its confirmation",
    )
    # The replica that sent it says so; the other's scheduler, which ran while that send was
    # held (SLOW_SEND_S), claimed nothing: it never handled the row, not even to find its send.
    owner = await replicas.scalar("SELECT owner FROM sends")
    sender = [replicas.replica_id(i) for i in (0, 1)].index(owner)
    handled = f"scheduled send #{row['id']}: send"
    await wait_for(lambda: handled in replicas.processes[sender].log_text(), what="its log")
    other = replicas.processes[1 - sender].log_text()
    assert handled not in other and "seen before" not in other
    assert [s.text for s in raygan.sent] == ["یک بار"]
    assert raygan.calls["SendMessage"] == 1
    assert await replicas.scalar("SELECT count(*) FROM sends") == 1
    assert sum("ارسال #" in m.shown for m in world.fake.bot_messages(ADMIN)) == 1
