"""`sms-bridge demo`: the whole bridge offline, a scripted conversation, a readable transcript.

Both provider simulators and the Telegram fake run on 127.0.0.1; the real bridge (PTB
Application, jobs, SQLite in a temporary folder) talks to them exactly as in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TextIO

import aiohttp
from aiohttp import web

from bot.app import RunningBridge
from bot.config import Config
from sandbox.bridge_config import bridge_config
from sandbox.server import ProviderSandbox, RunningServer
from sandbox.telegram import FakeMessage, TelegramFake

DEMO_TOKEN = "1000001:demo-token-for-the-offline-fake"
ADMIN_ID = 111111111
STRANGER_ID = 555555555
ADMIN_CHAT = -1001234567890
SUPPORT_GROUP = -1009876543210
CUSTOMERS_FORUM = -1007770000001
TOPIC_CUSTOMER = "09351234567"
RAYGAN_LINE = "50002910001080"
PAYAMAK_LINE = "10002188"
CUSTOMER = "09127654321"
OTP_CUSTOMER = "09131112233"
STEP_TIMEOUT = 20.0
DEMO_API_KEY = "demo-shop-api-key-not-a-secret"
DEMO_WEBHOOK_SECRET = "demo-webhook-secret-not-a-secret"


def demo_config(
    api_url: str, sandbox_url: str, db_path: Path, http_api: dict[str, Any] | None = None
) -> Config:
    """A config pointing every outside service at the local fakes, with fast polling (and
    the HTTP API's section, if given)."""
    data = bridge_config(
        token=DEMO_TOKEN,
        telegram_url=api_url,
        sandbox_url=sandbox_url,
        db_path=db_path,
        admins=[ADMIN_ID],
        admin_chat_id=ADMIN_CHAT,
        routes={RAYGAN_LINE: SUPPORT_GROUP},
        polling={"inbox": 0.5, "delivery": 0.5, "credit": 600},
        delivery={"backoff_seconds": [0.3, 0.3, 0.5, 1], "give_up_hours": 1},
    )
    if http_api:
        data["api"] = http_api
    return Config.model_validate(data)


class Transcript:
    """Prints the conversation as people would read it, and counts failed steps."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.failures = 0
        self._started = time.monotonic()

    def step(self, title: str) -> None:
        """A heading for the next part of the story."""
        print(f"\n── {title}", file=self._out)

    def say(self, who: str, text: str) -> None:
        """One message, indented under its author."""
        lines = text.splitlines() or [""]
        print(f"  {who}: {lines[0]}", file=self._out)
        for line in lines[1:]:
            print(f"  {' ' * len(who)}  {line}", file=self._out)

    def check(self, ok: bool, what: str) -> None:
        """Record whether a step did what it should."""
        mark = "✔" if ok else "✘"
        print(f"  {mark} {what}", file=self._out)
        if not ok:
            self.failures += 1

    def end(self) -> int:
        """The summary line and the exit code."""
        seconds = time.monotonic() - self._started
        passed = (
            "all steps did what they should"
            if not self.failures
            else f"{self.failures} step(s) failed"
        )
        print(f"\n{passed} ({seconds:.1f} s)", file=self._out)
        return 0 if not self.failures else 1


def message_now(fake: TelegramFake, chat_id: int, message_id: int) -> FakeMessage:
    """A message as it stands now (after any edits)."""
    return next(m for m in fake.messages(chat_id) if m.message_id == message_id)


async def _wait_bot(
    fake: TelegramFake, chat_id: int, predicate: Callable[[FakeMessage], bool] | None = None
) -> FakeMessage:
    return await fake.wait_for_bot_message(chat_id, predicate=predicate, timeout=STEP_TIMEOUT)


async def play(
    fake: TelegramFake, sandbox: ProviderSandbox, show: Transcript, api: DemoApi | None = None
) -> None:
    """The scripted conversation."""
    fake.add_user(ADMIN_ID, "Sara", language_code="fa")
    fake.add_user(STRANGER_ID, "Stranger", language_code="en")
    fake.add_group(ADMIN_CHAT, "SMS admins")
    fake.add_group(SUPPORT_GROUP, "Support")
    fake.add_group(
        CUSTOMERS_FORUM, "Customers", bot_is_admin=True, forum=True, can_manage_topics=True
    )

    show.step("An admin sends an SMS and sees it delivered")
    text = "سلام! سفارش شما ارسال شد."
    command = f"/send {CUSTOMER} {text}"
    show.say("Sara", command)
    fake.user_sends(ADMIN_ID, ADMIN_ID, command)
    confirmation = await _wait_bot(fake, ADMIN_ID)
    show.say("bot", confirmation.text)
    sent = [s for s in sandbox.raygan.sent if s.mobile == CUSTOMER]
    show.check(
        len(sent) == 1 and sent[0].text == text, "RayganSMS received exactly that number and text"
    )
    await fake.wait_until(
        lambda: "تحویل شد" in message_now(fake, ADMIN_ID, confirmation.message_id).text,
        timeout=STEP_TIMEOUT,
    )
    edited = message_now(fake, ADMIN_ID, confirmation.message_id)
    show.say("bot (edited)", edited.text)
    show.check("تحویل شد" in edited.text, "the confirmation was edited to delivered")

    show.step(
        "A customer's SMS with HTML-special characters and Persian text reaches the support group"
    )
    body = 'قیمت <b>جدید</b> & "ویژه" چیست؟ 😀'
    sandbox.raygan.inject_incoming(RAYGAN_LINE, "989127654321", body)
    show.say("customer (SMS)", body)
    # Matched by its body: had the line's first poll not run yet, its first-start notice
    # would come first in the group.
    forwarded = await _wait_bot(fake, SUPPORT_GROUP, lambda message: body in message.text)
    show.say("bot", forwarded.text)
    show.check(body in forwarded.text, "the body arrived verbatim")

    show.step("The admin replies to it in the group; the reply goes out as an SMS")
    reply = "سلام، قیمت‌ها در سایت است. ممنون!"
    before = len(sandbox.raygan.sent)
    show.say("Sara (reply)", reply)
    fake.user_sends(ADMIN_ID, SUPPORT_GROUP, reply, reply_to=forwarded.message_id)
    reply_confirmation = await _wait_bot(fake, SUPPORT_GROUP)
    show.say("bot", reply_confirmation.text)
    new = sandbox.raygan.sent[before:]
    show.check(
        len(new) == 1
        and new[0].mobile == CUSTOMER
        and new[0].line == RAYGAN_LINE
        and new[0].text == reply,
        "one SMS to the customer, from the line the SMS came in on",
    )

    await _topic_conversation(fake, sandbox, show)
    await _campaign(fake, sandbox, show)
    await _otp_conversation(fake, sandbox, show)
    if api is not None:
        await _api_send(api, sandbox, show)

    show.step("Someone with no role is refused")
    before = len(sandbox.raygan.sent) + len(sandbox.payamak.sent)
    attempt = f"/send {CUSTOMER} free SMS!"
    show.say("Stranger", attempt)
    fake.user_sends(STRANGER_ID, STRANGER_ID, attempt)
    refusal = await _wait_bot(fake, STRANGER_ID)
    show.say("bot", refusal.text)
    after = len(sandbox.raygan.sent) + len(sandbox.payamak.sent)
    show.check(before == after, "no provider was called")


async def _topic_conversation(
    fake: TelegramFake, sandbox: ProviderSandbox, show: Transcript
) -> None:
    """A forum group gets one topic per customer; writing in the topic answers by SMS."""
    show.step("The Payamak line goes to a forum group, one topic per customer")
    command = f"/route {PAYAMAK_LINE} topics"
    show.say("Sara (in Customers)", command)
    fake.user_sends(ADMIN_ID, CUSTOMERS_FORUM, command)
    show.say("bot", (await _wait_bot(fake, CUSTOMERS_FORUM)).text)
    body = "سلام، بستهٔ من کی می‌رسد؟"
    sandbox.payamak.inject_incoming(PAYAMAK_LINE, TOPIC_CUSTOMER, body)
    show.say("customer (SMS)", body)
    forwarded = await _wait_bot(fake, CUSTOMERS_FORUM, lambda message: body in message.text)
    topics = [t for t in fake.topics(CUSTOMERS_FORUM) if t.thread_id == forwarded.thread_id]
    show.say(f"bot (topic “{topics[0].name if topics else '?'}”)", forwarded.text)
    show.check(bool(topics), "the SMS opened the customer's own topic")
    answer = "فردا صبح می‌رسد."
    before = len(sandbox.payamak.sent)
    show.say("Sara (in the topic)", answer)
    written = fake.user_sends(ADMIN_ID, CUSTOMERS_FORUM, answer, thread_id=forwarded.thread_id)
    confirmation = await _wait_bot(
        fake, CUSTOMERS_FORUM, lambda m: m.reply_to == written["message_id"]
    )
    show.say("bot (in the topic)", confirmation.text)
    new = sandbox.payamak.sent[before:]
    show.check(
        len(new) == 1
        and new[0].text == answer
        and new[0].line == PAYAMAK_LINE
        and [n[-10:] for n in new[0].to] == [TOPIC_CUSTOMER[-10:]],
        "writing in the topic sent one SMS to that customer, from the topic's line",
    )


CAMPAIGN_ROWS: Final = (
    ("09121110001", "Ali"),
    ("09121110002", "سارا"),
    ("09121110003", "Reza"),
)


async def _campaign(fake: TelegramFake, sandbox: ProviderSandbox, show: Transcript) -> None:
    """A small CSV campaign with {name}: previewed, sent, summarised with its report."""
    show.step("A campaign from a CSV file with {name}: previewed, sent, summarised")
    content = "mobile,name\n" + "".join(f"{n},{name}\n" for n, name in CAMPAIGN_ROWS)
    show.say("Sara (file customers.csv, caption /bulk)", content.strip())
    fake.upload_document(ADMIN_ID, ADMIN_ID, "customers.csv", content.encode(), caption="/bulk")
    show.say("bot", (await _wait_bot(fake, ADMIN_ID)).text)
    template = "سلام {name}، حراج پاییزه از فردا!"
    show.say("Sara", template)
    fake.user_sends(ADMIN_ID, ADMIN_ID, template)
    preview = await _wait_bot(fake, ADMIN_ID, lambda m: bool(m.buttons()))
    show.say("bot (preview)", preview.text)
    before = len(sandbox.raygan.sent)
    go = next(b for b in preview.buttons() if str(b.get("callback_data", "")).startswith("bulk:go"))
    show.say("Sara", f"[{go['text']}]")
    fake.press_button(ADMIN_ID, ADMIN_ID, preview.message_id, str(go["callback_data"]))
    # The progress message comes first: taken here, so the next step's wait does not read it.
    progress = await _wait_bot(fake, ADMIN_ID, lambda m: m.document is None)
    summary = await _wait_bot(fake, ADMIN_ID, lambda m: m.document is not None)
    show.say("bot (progress)", progress.text)
    show.say("bot (summary, with a CSV report)", summary.text)
    sent = {(s.mobile, s.text) for s in sandbox.raygan.sent[before:]}
    wanted = {(n, template.replace("{name}", name)) for n, name in CAMPAIGN_ROWS}
    show.check(sent == wanted, "RayganSMS received each row's own text, once")
    report = summary.document.content.decode("utf-8-sig") if summary.document else ""
    show.check(report.count("\n") == len(CAMPAIGN_ROWS) + 1, "the report lists every recipient")


async def _otp_conversation(fake: TelegramFake, sandbox: ProviderSandbox, show: Transcript) -> None:
    """A verification code: sent with /otp, a wrong try, then the right one with /verify."""
    show.step("A verification code is sent with /otp and checked with /verify")
    command = f"/otp {OTP_CUSTOMER}"
    before = len(sandbox.raygan.sent)
    show.say("Sara", command)
    fake.user_sends(ADMIN_ID, ADMIN_ID, command)
    show.say("bot", (await _wait_bot(fake, ADMIN_ID)).text)
    new = [s for s in sandbox.raygan.sent[before:] if s.mobile == OTP_CUSTOMER]
    found = re.search(r"\d{6}", new[0].text) if len(new) == 1 else None
    show.check(found is not None, "one SMS with a six-digit code reached the customer")
    if found is None:
        return
    code = found.group(0)
    show.say("customer (SMS received)", new[0].text)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    for typed, expected, what in (
        (wrong, "نادرست", "a wrong code is refused, with the checks left"),
        (code, "✅ کد درست است", "the right code is valid"),
    ):
        command = f"/verify {OTP_CUSTOMER} {typed}"
        show.say("Sara", command)
        fake.user_sends(ADMIN_ID, ADMIN_ID, command)
        answer = await _wait_bot(fake, ADMIN_ID)
        show.say("bot", answer.text)
        show.check(expected in answer.text, what)


@dataclass
class DemoApi:
    """The bridge's HTTP API in the demo, and the business's webhook receiver."""

    url: str
    received: list[tuple[bytes, str]] = field(default_factory=list)  # (body, signature)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @staticmethod
    def section(api_port: int, hook_url: str) -> dict[str, Any]:
        """The [api] section of the demo's config."""
        return {
            "listen": f"127.0.0.1:{api_port}",
            "webhook_url": hook_url,
            "webhook_secret": DEMO_WEBHOOK_SECRET,
            "webhook_backoff_seconds": [0.3],
            "keys": [{"name": "shop", "key": DEMO_API_KEY, "scopes": ["sms:send", "read"]}],
        }

    def receiver(self) -> web.Application:
        """The receiver's app: records each POST and answers 200."""

        async def hook(request: web.Request) -> web.Response:
            body = await request.read()
            self.received.append((body, request.headers.get("X-SMS-Bridge-Signature", "")))
            self.arrived.set()
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post("/hook", hook)
        return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _api_send(api: DemoApi, sandbox: ProviderSandbox, show: Transcript) -> None:
    """The business's own software sends through the HTTP API; the delivery report comes
    back to its webhook receiver, signed."""
    show.step("The shop's website sends an SMS through the HTTP API; the webhook tells it")
    number, text = "09121112233", "Your order #1234 has shipped."
    show.say("shop", f'POST /v1/messages {{"to": ["{number}"], "text": "{text}"}}')
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{api.url}/v1/messages",
            json={"to": [number], "text": text},
            headers={"Authorization": f"Bearer {DEMO_API_KEY}", "Idempotency-Key": "order-1234"},
        ) as answer,
    ):
        body = await answer.json()
    show.say("bridge", f"{answer.status} {json.dumps(body)}")
    show.check(answer.status == 202, "the message was accepted (202) and stored")

    def delivered() -> dict[str, Any] | None:
        for raw, _signature in api.received:
            event = json.loads(raw)
            data = event["data"]
            ours = event["type"] == "sms.status" and data.get("message_id") == body.get("id")
            if ours and data["state"] == "delivered":
                return dict(event)
        return None

    deadline = time.monotonic() + STEP_TIMEOUT
    while (event := delivered()) is None and time.monotonic() < deadline:
        api.arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(api.arrived.wait(), timeout=deadline - time.monotonic())
    sent = [s for s in sandbox.raygan.sent if s.mobile == number]
    show.check(len(sent) == 1 and sent[0].text == text, "RayganSMS sent it once")
    if event is None:
        show.check(False, "the webhook of its delivery arrived")
        return
    show.say("webhook", json.dumps({k: event[k] for k in ("type", "data")}, ensure_ascii=False))
    signed = all(
        hmac.compare_digest(
            signature,
            "sha256=" + hmac.new(DEMO_WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest(),
        )
        for raw, signature in api.received
    )
    show.check(signed, "every webhook arrived signed with the webhook secret")


async def run_demo(out: TextIO = sys.stdout) -> int:
    """Run the demo; 0 if every step did what it should."""
    # Only errors: the transcript is the output; warnings (a refused user) are expected here.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    show = Transcript(out)
    sandbox = ProviderSandbox()
    sandbox.raygan.delivery_step = 0.3
    sandbox.payamak.delivery_step = 0.3
    fake = TelegramFake(DEMO_TOKEN)
    with tempfile.TemporaryDirectory(prefix="sms-bridge-demo-") as folder:
        api_port = _free_port()
        api = DemoApi(f"http://127.0.0.1:{api_port}")
        async with (
            RunningServer(sandbox.build_app()) as providers,
            RunningServer(fake.build_app()) as telegram,
            RunningServer(api.receiver()) as receiver,
        ):
            config = demo_config(
                telegram.url,
                providers.url,
                Path(folder) / "demo.sqlite3",
                DemoApi.section(api_port, f"{receiver.url}/hook"),
            )
            async with RunningBridge(config):
                try:
                    await play(fake, sandbox, show, api)
                except AssertionError as exc:
                    show.check(False, f"timed out: {exc}")
    return show.end()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(run_demo()))
