"""No log line of a whole run, nor any Telegram message, carries the bot token, a provider
password or a Basic-auth header value: in process (every record at DEBUG) and as `sms-bridge
run` (its log file)."""

from __future__ import annotations

import base64
import logging
import re
import traceback

import pytest
from bridge_harness import (
    ADMIN,
    ADMIN_CHAT,
    PAYAMAK_LINE,
    PAYAMAK_PASSWORD,
    RAYGAN_LINE,
    RAYGAN_PASSWORD,
    SUPPORT_GROUP,
    TOKEN,
    BridgeProcess,
    World,
    write_toml,
)
from proxies import ForwardProxy
from telegram.ext import CommandHandler

from bot.logs import REDACTED

USERNAME = "demo"
WRONG_PASSWORD = "changed-by-the-provider-9"


def secrets() -> dict[str, str]:
    """Every value that must never be shown, by name."""
    found = {
        "bot token": TOKEN,
        "bot token secret part": TOKEN.split(":", 1)[1],
        "RayganSMS password": RAYGAN_PASSWORD,
        "Payamak password": PAYAMAK_PASSWORD,
    }
    for name, password in (("RayganSMS", RAYGAN_PASSWORD), ("Payamak", PAYAMAK_PASSWORD)):
        found[f"{name} Basic-auth value"] = base64.b64encode(
            f"{USERNAME}:{password}".encode()
        ).decode()
    return found


def leaks(text: str) -> list[str]:
    """The names of the secrets `text` contains."""
    return [name for name, value in secrets().items() if value in text]


def record_text(record: logging.LogRecord) -> str:
    """Everything a handler could print of a record: message, traceback, stack."""
    parts = [record.getMessage()]
    if record.exc_info:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


async def exercise(world: World) -> None:
    """Send on both providers, receive on both, then both providers refuse the credentials."""
    sandbox, fake = world.sandbox, world.fake
    world.say(ADMIN, ADMIN, "/send 09121112222 از رایگان")
    await world.reply(ADMIN, lambda m: "09121112222" in m.shown or "912 111 2222" in m.shown)
    world.say(ADMIN, ADMIN, "/from meli")
    await world.reply(ADMIN, lambda m: PAYAMAK_LINE in m.shown)
    world.say(ADMIN, ADMIN, "/send 09123334444 از پیامک")
    await world.reply(ADMIN, lambda m: "912 333 4444" in m.shown or "09123334444" in m.shown)
    sandbox.raygan.inject_incoming(RAYGAN_LINE, "09127654321", "ورودی رایگان")
    sandbox.payamak.inject_incoming(PAYAMAK_LINE, "09127654321", "ورودی پیامک")
    await world.reply(SUPPORT_GROUP, lambda m: "ورودی رایگان" in m.shown)
    await world.reply(ADMIN_CHAT, lambda m: "ورودی پیامک" in m.shown)
    # The providers change the passwords: every call is refused from now on.
    sandbox.raygan.accounts[USERNAME].password = WRONG_PASSWORD
    sandbox.payamak.accounts[USERNAME].password = WRONG_PASSWORD
    await world.reply(ADMIN_CHAT, lambda m: "«raygan»" in m.shown)
    await world.reply(ADMIN_CHAT, lambda m: "«meli»" in m.shown)
    world.say(ADMIN, ADMIN, "/send 09125556666 بعد از تغییر رمز")
    await world.reply(ADMIN)
    world.say(ADMIN, ADMIN, "/credit")
    await world.reply(ADMIN)
    assert len(sandbox.raygan.sent) == 1 and len(sandbox.payamak.sent) == 1
    assert fake.requests  # the bridge really talked to Telegram


def telegram_leaks(world: World) -> list[str]:
    """Secrets in any message the bot posted."""
    chats = (ADMIN, ADMIN_CHAT, SUPPORT_GROUP)
    return [
        f"chat {chat} #{m.message_id}: {name}"
        for chat in chats
        for m in world.fake.bot_messages(chat)
        for text in (m.html, *m.edits)
        for name in leaks(text)
    ]


async def test_no_secret_in_any_log_record_at_debug_or_message_of_an_in_process_run(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await world.start_bridge()
    await exercise(world)
    await world.stop_bridge()
    records = caplog.records
    assert len(records) > 50
    assert any(r.name.startswith("providers") for r in records)
    found = [f"{r.name}: {name}" for r in records for name in leaks(record_text(r))]
    assert found == []
    assert telegram_leaks(world) == []


async def test_no_secret_in_the_log_file_of_sms_bridge_run(
    world: World, bridge_process: BridgeProcess
) -> None:
    bridge_process.start()
    await exercise(world)
    bridge_process.kill()
    log_text = bridge_process.log_text()
    assert "bridge ready" in log_text
    assert leaks(log_text) == []
    assert telegram_leaks(world) == []


# --- passwords of any length ---------------------------------------------------------------

SHORT_PASSWORD = "p"
LONG_PASSWORD = "Zq7-a-forty-character-provider-password!"
# Lines any DEBUG run writes, each with plenty of p's: redacting "p" by value shreds them.
ORDINARY_LINES = (
    "Network Retry Loop (Polling Updates): Starting",
    "applied migration 0001_",
    "bridge ready: 2 accounts",
)


def short_password_leaks(text: str, username: str, password: str) -> list[str]:
    """Where a password too short to look for by value shows up as a secret: the Basic-auth
    value, a password field or keyword (`password=p`, `"PassWord": "p"`), a URL's password."""
    found = []
    basic = base64.b64encode(f"{username}:{password}".encode()).decode()
    if basic in text:
        found.append("Basic-auth value")
    escaped = re.escape(password)
    field = rf"""(?i)pass_?word['"]?\s*[:=]\s*['"]?{escaped}(?![\w])"""
    if re.search(field, text):
        found.append("password field")
    if re.search(rf"://[^\s/@:]*:{escaped}@", text):
        found.append("URL password")
    return found


async def test_a_1_and_a_40_character_password_never_show_and_the_log_stays_readable(
    world: World, bridge_process: BridgeProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(LONG_PASSWORD) == 40
    world.sandbox.raygan.add_account(USERNAME, SHORT_PASSWORD, lines=[RAYGAN_LINE])
    world.sandbox.payamak.add_account(USERNAME, LONG_PASSWORD, lines=[PAYAMAK_LINE])
    accounts = world.config_data()["accounts"]
    accounts[0]["password"], accounts[1]["password"] = SHORT_PASSWORD, LONG_PASSWORD
    world.overrides["accounts"] = accounts
    write_toml(world.config_data(), world.tmp_path / "config.toml")
    monkeypatch.setenv("SMS_BRIDGE_LOG_LEVEL", "DEBUG")
    bridge_process.start()
    await exercise(world)
    bridge_process.kill()
    log_text = bridge_process.log_text()
    assert " DEBUG " in log_text
    for line in ORDINARY_LINES:
        assert line in log_text
    assert REDACTED not in log_text.replace(f"bot{REDACTED}", "")
    assert LONG_PASSWORD not in log_text
    assert base64.b64encode(f"{USERNAME}:{LONG_PASSWORD}".encode()).decode() not in log_text
    assert short_password_leaks(log_text, USERNAME, SHORT_PASSWORD) == []
    assert telegram_leaks(world) == []


# --- exception text on its way to the admins -----------------------------------------------

PROXY_USER = "proxyuser"
PROXY_PASSWORD = "proxy-pass-7"


async def test_an_exception_carrying_every_secret_reaches_the_admins_redacted(
    world: World,
) -> None:
    proxy = ForwardProxy(credentials=(PROXY_USER, PROXY_PASSWORD))
    await proxy.start()
    world.stack.push_async_callback(proxy.close)
    world.overrides["telegram"] = {"proxy": proxy.url}
    bridge = await world.start_bridge()

    async def boom(update: object, context: object) -> None:
        # What a library might put in an exception: the secrets bare, in a URL, in a form.
        raise RuntimeError(
            f"refused {TOKEN} {RAYGAN_PASSWORD} {PAYAMAK_PASSWORD} {PROXY_PASSWORD}; "
            f"via http://{PROXY_USER}:{PROXY_PASSWORD}@proxy; body password={PAYAMAK_PASSWORD}"
        )

    bridge.application.add_handler(CommandHandler("boom", boom), group=5)
    world.say(ADMIN, ADMIN, "/boom")
    alert = await world.reply(ADMIN_CHAT, lambda m: "RuntimeError" in m.text)
    assert alert.text.count(REDACTED) == 6
    assert "refused" in alert.text and "via http://proxyuser:" in alert.text
    for secret in (TOKEN, RAYGAN_PASSWORD, PAYAMAK_PASSWORD, PROXY_PASSWORD):
        assert secret not in alert.html
    assert proxy.refused == 0 and proxy.targets  # the bridge really went through the proxy
