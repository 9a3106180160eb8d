"""`sms-bridge demo` plays its whole story and says so (so `make demo` cannot rot)."""

from __future__ import annotations

import io

from bot.demo import run_demo


async def test_the_demo_passes_every_step_and_prints_a_transcript() -> None:
    out = io.StringIO()
    assert await run_demo(out) == 0
    transcript = out.getvalue()
    assert "✘" not in transcript
    assert transcript.count("✔") == 15  # every check of every step, the merged ones too
    assert "the webhook of its delivery arrived" not in transcript  # it did: no ✘ for it
    assert '"state": "delivered"' in transcript  # the API send's webhook, shown
    assert "RayganSMS received each row's own text, once" in transcript
    assert "all steps did what they should" in transcript
    assert 'قیمت <b>جدید</b> & "ویژه" چیست؟ 😀' in transcript
