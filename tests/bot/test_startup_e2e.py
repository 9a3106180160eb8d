"""`sms-bridge run` that cannot start says why in one line and exits 1 (SPEC §2): Telegram
unreachable, the token refused, the proxy unreachable or refusing, the database not writable.
No traceback, and no secret on stdout or stderr (everything the process writes, its log too)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from bridge_harness import PAYAMAK_PASSWORD, RAYGAN_PASSWORD, TOKEN, World, write_toml
from proxies import ForwardProxy

PROXY_USER = "proxyuser"
PROXY_PASSWORD = "right-proxy-password"
WRONG_PROXY_PASSWORD = "wrong-proxy-password"
WRONG_TOKEN = "999:wrong"
SECRETS = (
    TOKEN,
    TOKEN.split(":", 1)[1],
    WRONG_TOKEN,
    "wrong",
    RAYGAN_PASSWORD,
    PAYAMAK_PASSWORD,
    PROXY_PASSWORD,
    WRONG_PROXY_PASSWORD,
)


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


async def run_bridge(world: World) -> Outcome:
    """`sms-bridge run` with the world's config, until it exits (without blocking the loop the
    fakes it talks to run in)."""
    config = write_toml(world.config_data(), world.tmp_path / "config.toml")
    env = {k: v for k, v in os.environ.items() if k not in ("SMS_BRIDGE_CONFIG",)}
    env.pop("SMS_BRIDGE_LOG_LEVEL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        "--config",
        str(config),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=world.tmp_path,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return Outcome(proc.returncode, out.decode(), err.decode())


def assert_one_line(outcome: Outcome, expected: str) -> None:
    """Exit 1, nothing on stdout, exactly `expected` on stderr, no secret anywhere."""
    assert outcome.stderr.splitlines() == [expected], outcome.stderr
    assert outcome.stdout == ""
    assert outcome.returncode == 1
    for secret in SECRETS:
        assert secret not in outcome.stdout + outcome.stderr


async def test_telegram_unreachable(world: World) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    world.overrides["telegram"] = {"api_url": url}
    assert_one_line(
        await run_bridge(world),
        f"cannot reach Telegram at {url}: connection refused "
        "— set telegram.proxy or telegram.api_url",
    )


async def test_telegram_silent(world: World) -> None:
    """Filtered, as Telegram is in Iran: the connection is made and nothing ever answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    world.overrides["telegram"] = {"api_url": url}
    try:
        outcome = await run_bridge(world)
    finally:
        for writer in held:
            writer.close()
        server.close()
    assert_one_line(
        outcome,
        f"cannot reach Telegram at {url}: no answer (timed out) "
        "— set telegram.proxy or telegram.api_url",
    )


async def test_the_token_refused(world: World) -> None:
    world.overrides["telegram"] = {"token": WRONG_TOKEN}
    assert_one_line(
        await run_bridge(world),
        "Telegram refused telegram.token — copy the bot's token from @BotFather into "
        "telegram.token",
    )
    assert world.fake.requests  # it did ask Telegram


async def test_an_api_url_that_is_no_bot_api_server(world: World) -> None:
    world.overrides["telegram"] = {"api_url": world.sandbox_url}
    assert_one_line(
        await run_bridge(world),
        f"{world.sandbox_url} (telegram.api_url) does not answer as a Bot API server: "
        "Not Found (404) — check telegram.api_url",
    )


async def test_the_proxy_unreachable(world: World) -> None:
    proxy = f"http://127.0.0.1:{closed_port()}"
    world.overrides["telegram"] = {"proxy": f"http://{PROXY_USER}:{PROXY_PASSWORD}@{proxy[7:]}"}
    assert_one_line(
        await run_bridge(world),
        f"cannot reach the proxy {proxy} (telegram.proxy): connection refused "
        "— check telegram.proxy",
    )


async def test_the_proxy_refusing(world: World) -> None:
    proxy = ForwardProxy(credentials=(PROXY_USER, PROXY_PASSWORD))
    await proxy.start()
    world.stack.push_async_callback(proxy.close)
    wrong = f"http://{PROXY_USER}:{WRONG_PROXY_PASSWORD}@127.0.0.1:{proxy.port}"
    world.overrides["telegram"] = {"proxy": wrong}
    assert_one_line(
        await run_bridge(world),
        f"the proxy http://127.0.0.1:{proxy.port} (telegram.proxy) refused: "
        "Proxy Authentication Required (407) — check telegram.proxy (its address, user and "
        "password)",
    )
    assert proxy.refused == 1 and not world.fake.requests


async def test_the_proxy_refusing_a_tunnel(world: World) -> None:
    """Telegram's real api_url is https: through an HTTP proxy that is a CONNECT tunnel."""
    proxy = ForwardProxy(credentials=(PROXY_USER, PROXY_PASSWORD))
    await proxy.start()
    world.stack.push_async_callback(proxy.close)
    wrong = f"http://{PROXY_USER}:{WRONG_PROXY_PASSWORD}@127.0.0.1:{proxy.port}"
    world.overrides["telegram"] = {"proxy": wrong, "api_url": f"https://127.0.0.1:{closed_port()}"}
    assert_one_line(
        await run_bridge(world),
        f"the proxy http://127.0.0.1:{proxy.port} (telegram.proxy) refused: "
        "407 Proxy Authentication Required — check telegram.proxy (its address, user and "
        "password)",
    )
    assert proxy.refused == 1


def a_directory(tmp: Path) -> Path:
    (tmp / "db-is-a-folder").mkdir()
    return tmp / "db-is-a-folder"


def under_a_file(tmp: Path) -> Path:
    (tmp / "a-file").write_text("not a folder")
    return tmp / "a-file" / "bridge.sqlite3"


@pytest.mark.parametrize(
    ("where", "reason"),
    [(a_directory, "unable to open database file"), (under_a_file, "file exists")],
    ids=["the path is a folder", "its folder is a file"],
)
async def test_the_database_not_writable(
    world: World, where: Callable[[Path], Path], reason: str
) -> None:
    path = where(world.tmp_path)
    world.overrides["storage"] = {"path": str(path)}
    assert_one_line(
        await run_bridge(world),
        f"the database {path} (storage.path) is not writable: {reason} "
        "— let this user write it and its folder, or set storage.path",
    )


async def test_the_database_folder_read_only(world: World) -> None:
    """The everyday case: the bridge's user may not write where storage.path points. Root
    writes into any folder whatever its mode, but not into /proc."""
    if os.geteuid() == 0:
        folder = Path("/proc")
    else:
        folder = world.tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        world.stack.callback(folder.chmod, 0o755)
    path = folder / "bridge.sqlite3"
    world.overrides["storage"] = {"path": str(path)}
    assert_one_line(
        await run_bridge(world),
        f"the database {path} (storage.path) is not writable: unable to open database file "
        "— let this user write it and its folder, or set storage.path",
    )
