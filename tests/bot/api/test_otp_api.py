"""POST /v1/otp and /v1/otp/verify over real HTTP, on the OTP service and the simulator."""

from __future__ import annotations

import re

from api_support import READER_KEY, ApiWorld, call
from bridge_harness import wait_for

NUMBER = "09121234567"


def code_sent(api: ApiWorld) -> str:
    (sms,) = [s for s in api.world.sandbox.raygan.sent if s.mobile == NUMBER]
    match = re.search(r"\d{6}", sms.text)
    assert match is not None, sms.text
    return match.group(0)


async def test_a_code_is_sent_then_checked_wrong_then_right_then_gone(api: ApiWorld) -> None:
    sent = await call(api.http, "POST", api.url("/v1/otp"), json_body={"to": NUMBER})
    assert sent.status == 202 and set(sent.body) == {"id", "expires_at"}
    assert sent.body["expires_at"].endswith("Z")
    await wait_for(lambda: len(api.world.sandbox.raygan.sent) == 1, what="the code's SMS")
    code = code_sent(api)
    wrong = "000000" if code != "000000" else "111111"
    url = api.url("/v1/otp/verify")
    bad = await call(api.http, "POST", url, json_body={"to": NUMBER, "code": wrong})
    assert (bad.status, bad.body) == (200, {"valid": False, "reason": "wrong", "checks_left": 4})
    good = await call(api.http, "POST", url, json_body={"to": "+98 912 123 4567", "code": code})
    assert (good.status, good.body) == (200, {"valid": True})
    again = await call(api.http, "POST", url, json_body={"to": NUMBER, "code": code})
    assert again.body == {"valid": False, "reason": "no_code"}


async def test_a_second_code_within_the_minute_is_429_with_retry_after(api: ApiWorld) -> None:
    first = await call(api.http, "POST", api.url("/v1/otp"), json_body={"to": NUMBER})
    assert first.status == 202
    second = await call(api.http, "POST", api.url("/v1/otp"), json_body={"to": NUMBER})
    assert second.status == 429
    assert 1 <= int(second.headers["Retry-After"]) <= 60
    assert second.body["errors"][0]["field"] == "to"
    await wait_for(lambda: len(api.world.sandbox.raygan.sent) == 1, what="the first code")
    assert len(api.world.sandbox.raygan.sent) == 1


async def test_otp_bad_input(api: ApiWorld) -> None:
    url = api.url("/v1/otp")
    landline = await call(api.http, "POST", url, json_body={"to": "02188776655"})
    assert (landline.status, landline.body) == (
        422,
        {"errors": [{"field": "to", "message": "not a mobile number"}]},
    )
    missing = await call(api.http, "POST", url, json_body={})
    assert missing.status == 422 and missing.body["errors"][0]["field"] == "to"
    reader = await call(api.http, "POST", url, key=READER_KEY, json_body={"to": NUMBER})
    assert reader.status == 403
    none = await call(
        api.http, "POST", api.url("/v1/otp/verify"), json_body={"to": NUMBER, "code": "123456"}
    )
    assert none.body == {"valid": False, "reason": "no_code"}
    assert api.world.sandbox.raygan.sent == []
