"""A real `sms-bridge run` subprocess with [api]: the same Idempotency-Key across a restart
answers the same and sends nothing again; webhooks refused before a restart arrive after it
under the same event_id; `sms-bridge health` asks the API; a DEBUG run's log holds no API key
and no webhook secret."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

import aiohttp
import pytest
from api_support import (
    READER_KEY,
    SHOP_KEY,
    WEBHOOK_SECRET,
    WebhookReceiver,
    api_section,
    call,
    free_port,
)
from bridge_harness import BridgeProcess, World, wait_for, write_toml


async def wait_healthy(http: aiohttp.ClientSession, base: str, process: BridgeProcess) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        assert process.proc is not None and process.proc.poll() is None, process.log_text()
        try:
            async with http.get(f"{base}/v1/health") as answer:
                if answer.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the API never answered:\n" + process.log_text())


async def health_check(config_path: object) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.cli", "health", "--config", str(config_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_idempotency_across_a_restart_and_no_secret_in_a_debug_log(
    world: World, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    world.overrides["api"] = api_section(port, receiver.url)
    config_path = write_toml(world.config_data(), world.tmp_path / "config.toml")
    process = BridgeProcess(world, config_path, world.tmp_path / "bridge.log")
    monkeypatch.setenv("SMS_BRIDGE_LOG_LEVEL", "DEBUG")
    base = f"http://127.0.0.1:{port}"
    body = {"to": ["09121234567"], "text": "بعد از راه‌اندازی دوباره هم یک بار"}
    headers = {"Idempotency-Key": "restart-1"}
    async with aiohttp.ClientSession() as http:
        process.start()
        try:
            await wait_healthy(http, base, process)
            receiver.status = 500  # refuses every event until after the restart
            first = await call(http, "POST", f"{base}/v1/messages", json_body=body, headers=headers)
            assert first.status == 202
            await wait_for(lambda: len(world.sandbox.raygan.sent) == 1, what="the send")
            await wait_for(lambda: len(receiver.got) >= 2, what="webhooks refused")
            for _ in range(40):  # until every polling job has succeeded once
                healthy = await health_check(config_path)
                if healthy.returncode == 0:
                    break
                await asyncio.sleep(0.5)
            assert healthy.stdout.strip().endswith(f"the API on 127.0.0.1:{port} answers")
            await process.stop()
            refused_before_restart = {d.event["event_id"] for d in receiver.got}
            receiver.status = 200
            down = await health_check(config_path)  # polls fresh, but no API
            assert down.returncode == 1
            assert f"the API on 127.0.0.1:{port} does not answer" in down.stderr
            process.start()
            await wait_healthy(http, base, process)
            again = await call(http, "POST", f"{base}/v1/messages", json_body=body, headers=headers)
            assert (again.status, again.body) == (202, first.body)
            assert again.headers["Idempotent-Replayed"] == "true"
            status = await call(http, "GET", f"{base}/v1/messages/{first.body['id']}")
            assert status.status == 200 and status.body["state"] == "submitted"
            # Refused calls go through the log too: their keys must not.
            await call(http, "GET", f"{base}/v1/messages/1", key=READER_KEY)
            await call(http, "GET", f"{base}/v1/messages/1", key=SHOP_KEY + "-wrong")
            await asyncio.sleep(1.0)  # time to (wrongly) send again
            assert len(world.sandbox.raygan.sent) == 1
            with world.db() as db:
                assert db.execute("SELECT count(*) FROM sends").fetchone()[0] == 1
            # Events refused before the restart are sent after it, under the same event_id.
            await wait_for(
                lambda: refused_before_restart <= receiver.accepted_ids(),
                what="the refused events delivered after the restart",
            )
        finally:
            await process.stop()
    log = process.log_text()
    assert "DEBUG" in log  # a DEBUG run indeed
    for secret in (SHOP_KEY, READER_KEY, WEBHOOK_SECRET, SHOP_KEY + "-wrong"):
        assert secret not in log


async def test_a_port_in_use_is_one_line_and_exit_1(world: World) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        world.overrides["api"] = api_section(port)
        config_path = write_toml(world.config_data(), world.tmp_path / "config.toml")
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot.cli", "run", "--config", str(config_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1] == f"the API cannot listen on 127.0.0.1:{port}: address already in use"
    assert "Traceback" not in result.stderr + result.stdout
