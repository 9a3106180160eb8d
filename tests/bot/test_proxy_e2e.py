"""`telegram.proxy` is honoured: every Bot API call goes through the configured HTTP proxy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from bridge_harness import ADMIN, World
from e2e_steps import ask


class RecordingProxy:
    """A minimal HTTP forward proxy for plain-HTTP targets (absolute-form request lines)."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        self._server: asyncio.Server | None = None
        self.url = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, target, version = head.split(b"\r\n", 1)[0].decode().split(" ")
                headers = head.decode().split("\r\n")[1:]
                length = next(
                    (
                        int(h.split(":", 1)[1])
                        for h in headers
                        if h.lower().startswith("content-length:")
                    ),
                    0,
                )
                body = await reader.readexactly(length)
                parts = urlsplit(target)
                self.targets.append(parts.path)
                upstream_reader, upstream_writer = await asyncio.open_connection(
                    parts.hostname, parts.port
                )
                kept = [
                    h for h in headers if h and not h.lower().startswith(("proxy-", "connection:"))
                ]
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                request = (
                    f"{method} {path} {version}\r\n"
                    + "\r\n".join([*kept, "Connection: close"])
                    + "\r\n\r\n"
                )
                upstream_writer.write(request.encode() + body)
                await upstream_writer.drain()
                response = await upstream_reader.read()
                upstream_writer.close()
                writer.write(response)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def proxy() -> AsyncIterator[RecordingProxy]:
    server = RecordingProxy()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


async def test_bot_api_calls_go_through_the_configured_proxy(
    world: World, proxy: RecordingProxy
) -> None:
    world.overrides["telegram"] = {"proxy": proxy.url}
    await world.start_bridge()
    answer = await ask(world, ADMIN, ADMIN, "/start")
    assert "مدیر" in answer.text
    called = {path.rsplit("/", 1)[-1] for path in proxy.targets}
    assert {"getMe", "getUpdates", "sendMessage"} <= called
