"""The playground's parts without a browser: masking, the page's actions and their refusals."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from sandbox.playground import CUSTOMER, Playground, running_playground
from sandbox.playground.app import MASK, masked_body


def test_secrets_in_provider_bodies_are_masked_whatever_the_encoding() -> None:
    assert masked_body(
        "username=demo&password=s3cret&to=0912", "application/x-www-form-urlencoded"
    ) == (f"username=demo&password={MASK}&to=0912")
    assert masked_body(
        '{"UserName": "demo", "PassWord": "s3cret", "ApiKey": "k"}', "application/json"
    ) == (f'{{"UserName": "demo", "PassWord": "{MASK}", "ApiKey": "{MASK}"}}')
    assert masked_body("not json {", "application/json") == "not json {"


def test_the_switches_set_the_simulators_faults_and_refuse_unknown_ones(tmp_path: Path) -> None:
    playground = Playground(tmp_path)
    playground.switch("raygan.no_credit", True)
    assert all(a.credit == 0 for a in playground.sandbox.raygan.accounts.values())
    playground.switch("raygan.slow", True)
    assert playground.sandbox.raygan.faults.latency == {"*": 3.0}
    assert all(a.credit == 0 for a in playground.sandbox.raygan.accounts.values())
    playground.switch("raygan.no_credit", False)
    assert all(a.credit > 0 for a in playground.sandbox.raygan.accounts.values())
    playground.switch("payamak.outage", True)
    assert playground.sandbox.payamak.faults.faults["*"][0].value == 503
    with pytest.raises(ValueError, match="unknown switch"):
        playground.switch("raygan.meltdown", True)
    with pytest.raises(ValueError, match="delivered, undelivered or blocked"):
        playground.set_outcome("lost")
    playground.set_outcome("blocked")
    assert playground.snapshot()["outcome"] == "blocked"
    with pytest.raises(ValueError, match="unknown role"):
        playground.chat_of("owner", "private")


async def test_the_page_actions_answer_a_clear_409_or_400_to_what_they_cannot_do() -> None:
    async with running_playground() as (playground, url), aiohttp.ClientSession(url) as http:
        async with http.post("/api/say", json={"role": "nobody", "text": "hi"}) as response:
            assert response.status == 409
            assert "unknown role 'nobody'" in (await response.json())["error"]
        async with http.post("/api/phone", data=b"not json") as response:
            assert response.status == 400
        async with http.post("/api/phone", json={"text": "سلام"}) as response:
            assert response.status == 200
        assert playground.sandbox.raygan.incoming[-1].sender == "98" + CUSTOMER[1:]
        async with http.post("/api/nothing", json={}) as response:
            assert response.status == 409
