"""A minimal HTTP forward proxy on 127.0.0.1 for the e2e tests: it records what goes through,
and can require credentials, answering 407 to a request without them as a real proxy does."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import urlsplit

_REFUSAL_PAGE = b"<html><body><h1>407 Proxy Authentication Required</h1></body></html>"
REFUSAL = (
    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
    b'Proxy-Authenticate: Basic realm="proxy"\r\n'
    b"Content-Type: text/html\r\n"
    + f"Content-Length: {len(_REFUSAL_PAGE)}\r\n".encode()
    + b"Connection: close\r\n\r\n"
    + _REFUSAL_PAGE
)


class ForwardProxy:
    """Forwards plain-HTTP requests (absolute-form request lines) to their target."""

    def __init__(self, *, credentials: tuple[str, str] | None = None) -> None:
        self.targets: list[str] = []
        self.refused = 0
        self._credentials = credentials
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The proxy's URL, with its credentials when it requires some."""
        if self._credentials is None:
            return f"http://127.0.0.1:{self.port}"
        user, password = self._credentials
        return f"http://{user}:{password}@127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen on a free port."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _authorized(self, headers: list[str]) -> bool:
        if self._credentials is None:
            return True
        expected = base64.b64encode(":".join(self._credentials).encode()).decode()
        return any(
            h.lower().startswith("proxy-authorization:")
            and h.split(":", 1)[1].strip() == f"Basic {expected}"
            for h in headers
        )

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
                if not self._authorized(headers):
                    self.refused += 1
                    writer.write(REFUSAL)
                    await writer.drain()
                    break
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
