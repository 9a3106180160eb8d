"""A throwaway PostgreSQL server for the tests: the machine's `initdb` and `postgres`, a data
folder in a temporary directory, TCP on 127.0.0.1 only, fsync off.

PostgreSQL refuses to run as root, and CI runs as root: then the server runs as `nobody`
(its data folder given to that user). One server per test session (`shared_server()`), started
on first use and stopped when the interpreter exits; each test takes its own database, made
from a template in which the migrations are applied once (CREATE DATABASE … TEMPLATE is a
file copy). If the server cannot start, the error says why: the tests that need it fail,
they are never skipped.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BIN_GLOB = "/usr/lib/postgresql/*/bin"
SUPERUSER = "postgres"
START_TIMEOUT_S = 30.0
# The server's own threads are not ours to tune: a small, fast, disposable cluster.
SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "128MB",
    "unix_socket_directories": "",
    "listen_addresses": "127.0.0.1",
}


class PostgresUnavailable(RuntimeError):
    """The test server could not be found or started; the message says why and what to do."""


def find_binary(name: str) -> str:
    """`name` (initdb, postgres) on the PATH, else in the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(glob.glob(BIN_GLOB), key=_version_key, reverse=True):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise PostgresUnavailable(
        f"the PostgreSQL program {name!r} is not on the PATH nor in {BIN_GLOB}: install the "
        "server (Debian: apt-get install postgresql; .ci/run does it)"
    )


def _version_key(folder: str) -> int:
    digits = Path(folder).parent.name
    return int(digits) if digits.isdigit() else 0


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """One running server: its port and data folder; `url(db)` names a database on it."""

    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    _databases: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, database: str) -> str:
        """The URL of `database` on this server (trust authentication: any password)."""
        return f"postgresql://{SUPERUSER}:unused@127.0.0.1:{self.port}/{database}"

    def new_database_name(self, prefix: str = "t") -> str:
        """A database name not used before in this session."""
        with self._lock:
            self._databases += 1
            return f"{prefix}_{os.getpid()}_{self._databases}"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _run_as() -> tuple[int, int] | None:
    """(uid, gid) to run the server as when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def start_server() -> PostgresServer:
    """initdb a fresh cluster in a temporary folder and start it; PostgresUnavailable if not."""
    initdb = find_binary("initdb")
    postgres = find_binary("postgres")
    root = Path(tempfile.mkdtemp(prefix="sms-bridge-pg-"))
    data = root / "data"
    log_path = root / "server.log"
    user = _run_as()
    os.chmod(root, 0o755)
    if user is not None:
        os.chown(root, *user)

    def demote() -> None:
        if user is not None:
            os.setgid(user[1])
            os.setuid(user[0])

    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    done = subprocess.run(
        [initdb, "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync"],
        cwd=root,
        env=env,
        preexec_fn=demote,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(
            f"initdb failed ({done.returncode}): {done.stderr.decode(errors='replace')[-800:]}"
        )
    port = free_port()
    args = [postgres, "-D", str(data), "-p", str(port)]
    for key, value in SERVER_SETTINGS.items():
        args += ["-c", f"{key}={value}"]
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        args, cwd=root, env=env, preexec_fn=demote, stdout=log_file, stderr=subprocess.STDOUT
    )
    log_file.close()
    server = PostgresServer(root, port, process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = log_path.read_text(errors="replace")[-800:]
            server.stop()
            raise PostgresUnavailable(f"postgres exited ({process.returncode}): {text}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            if _accepts_queries(server):
                return server
        time.sleep(0.1)
    server.stop()
    raise PostgresUnavailable(f"postgres did not accept connections within {START_TIMEOUT_S} s")


def _accepts_queries(server: PostgresServer) -> bool:
    """Whether the server says it is ready (it listens a moment before it accepts logins)."""
    log_text = (server.root / "server.log").read_text(errors="replace")
    return "ready to accept connections" in log_text


_SHARED: PostgresServer | None = None
_SHARED_ERROR: PostgresUnavailable | None = None
_SHARED_LOCK = threading.Lock()


def shared_server() -> PostgresServer:
    """The session's one server, started on first call; the same error again if it failed."""
    global _SHARED, _SHARED_ERROR
    with _SHARED_LOCK:
        if _SHARED is not None:
            return _SHARED
        if _SHARED_ERROR is not None:
            raise _SHARED_ERROR
        try:
            _SHARED = start_server()
        except PostgresUnavailable as exc:
            _SHARED_ERROR = exc
            raise
        atexit.register(_SHARED.stop)
        return _SHARED
