"""The playground through its page only, in a real headless Chromium (Debian's, driven by
Playwright): an SMS out and its delivery, an SMS in shown verbatim, a reply, a refusal.

Screenshots of each step land in the test's tmp folder (printed at the end; `-s` shows it).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright, expect

from sandbox.playground import CUSTOMER, running_playground

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STEP = 30_000  # ms: the shared machine can be slow; expectations pass as soon as they hold


def chromium() -> str:
    """Debian's Chromium, or a failure that says how to install it (never a silent skip)."""
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if found is None:
        pytest.fail(
            "Chromium is not installed, and this browser test needs it: run "
            "`sudo apt-get update && sudo apt-get install -y chromium` (Debian's package; "
            ".ci/run does this). Never `playwright install`: it downloads a browser."
        )
    return found


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    executable = chromium()
    async with async_playwright() as driver:
        context = await driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 850},
        )
        try:
            yield context
        finally:
            await context.close()


async def test_the_playground_page_sends_receives_replies_and_refuses(
    browser: BrowserContext, tmp_path: Path
) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    async with running_playground() as (_, url):
        page: Page = await browser.new_page()
        await page.goto(url + "/")
        await expect(page.locator("body[data-ready='1']")).to_have_count(1, timeout=STEP)
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")

        # 1. The admin sends an SMS; the phone gets it; the confirmation turns delivered.
        text = "سلام! سفارش شما آماده است."
        await page.select_option("#role", "admin")
        await page.select_option("#where", "private")
        await page.fill("#chat-input", f"/send {CUSTOMER} {text}")
        await page.click("#chat-send")
        await expect(page.locator("#phone-log .sms.in .text")).to_have_text([text], timeout=STEP)
        confirmation = page.locator("#chat-log .msg.bot").last
        await expect(confirmation).to_contain_text("تحویل شد", timeout=STEP)
        await expect(confirmation.locator(".edited")).to_have_count(1)
        await expect(page.locator("#phone-log .sms.in .state.delivered")).to_have_count(1)
        await page.screenshot(path=shots / "1-send-delivered.png")

        # 2. The customer texts the line; the line's group shows it, `<b>` as written.
        body = "قیمت <b>جدید</b> چیست؟"
        await page.fill("#phone-input", body)
        await page.click("#phone-send")
        await expect(page.locator("#phone-log .sms.out .text")).to_have_text([body])
        await page.select_option("#where", "group")
        forwarded = page.locator("#chat-log .msg.bot", has_text="<b>جدید</b>")
        await expect(forwarded).to_have_count(1, timeout=STEP)
        assert await forwarded.locator(".body b", has_text="جدید").count() == 0
        assert "<b>جدید</b>" in await forwarded.locator(".body").inner_text()
        await page.screenshot(path=shots / "2-incoming-verbatim.png")

        # 3. The admin replies to it in the group; the phone gets the reply.
        reply = "سلام، قیمت‌ها در سایت است."
        await forwarded.locator(".reply-btn").click()
        await expect(page.locator("#reply-banner")).to_be_visible()
        await page.fill("#chat-input", reply)
        await page.click("#chat-send")
        await expect(page.locator("#phone-log .sms.in .text")).to_have_text(
            [text, reply], timeout=STEP
        )
        await expect(page.locator("#chat-log .msg.me .quote")).to_contain_text("جدید")
        await page.screenshot(path=shots / "3-reply-on-phone.png")

        # 4. The operator reads /help (the bot's HTML drawn as Telegram shows it: <code> as code,
        # not as a tag) and sends one SMS through the guided /send, pressing its inline button.
        guided = "پیام راهنما"
        await page.select_option("#role", "operator")
        await page.select_option("#where", "private")
        for line in ("/help", "/send", CUSTOMER, guided):
            before = await page.locator("#chat-log .msg.bot").count()
            await page.fill("#chat-input", line)
            await page.click("#chat-send")
            await expect(page.locator("#chat-log .msg.bot")).to_have_count(before + 1, timeout=STEP)
        help_text = page.locator("#chat-log .msg.bot").first.locator(".body")
        assert await help_text.locator("code").count() > 0
        assert "<code>" not in await help_text.inner_text()
        draft = page.locator("#chat-log .msg.bot").last
        await draft.locator(".buttons button").first.click()
        await expect(page.locator("#phone-log .sms.in .text")).to_have_text(
            [text, reply, guided], timeout=STEP
        )
        await page.screenshot(path=shots / "4-guided-send-button.png")

        # 5. No credit at RayganSMS: the send is refused in plain words, nothing reaches the phone.
        await page.check("input[data-switch='raygan.no_credit']")
        await page.select_option("#role", "admin")
        await page.fill("#chat-input", f"/send {CUSTOMER} آزمایش")
        await page.click("#chat-send")
        refusal = page.locator("#chat-log .msg.bot", has_text="کافی نیست")
        await expect(refusal).to_have_count(1, timeout=STEP)
        await expect(refusal).not_to_contain_text("Traceback")
        await expect(page.locator("#phone-log .sms.in")).to_have_count(3)
        await expect(page.locator("#calls li", has_text="SendMessage").first).to_be_visible()
        await expect(page.locator("#calls")).not_to_contain_text("demo&password=demo")
        await page.screenshot(path=shots / "5-no-credit-refusal.png")

        # A file, uploaded from the page (what /bulk will read), shows in the chat as sent.
        await page.fill("#chat-input", "numbers")
        await page.set_input_files(
            "#file-input",
            files=[{"name": "numbers.csv", "mimeType": "text/csv", "buffer": b"09127654321\n"}],
        )
        await expect(page.locator("#chat-log .msg.me .doc")).to_have_text(
            "📄 numbers.csv", timeout=STEP
        )

        # The page in English, left to right.
        await page.click("#lang")
        await expect(page.locator("html")).to_have_attribute("dir", "ltr")
        await expect(page.locator("#phone-pane h2")).to_have_text("Customer's phone")
        await page.screenshot(path=shots / "6-english.png")
    print(f"screenshots: {shots}")


def test_without_chromium_the_browser_test_fails_saying_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setitem(globals(), "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        chromium()
