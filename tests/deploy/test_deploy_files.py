"""deploy/: the lock files, what the image build and git leave out, the compose file, the
systemd unit, and the container's entry point (no restart loop on a bad config)."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.cli import build_parser
from bot.config import load_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENTRYPOINT = DEPLOY / "container-entrypoint.sh"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# --- lock files ----------------------------------------------------------------------------


def read_lock(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name → (pinned version, hashes) of a pip-compile --generate-hashes file."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    entries: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split()
        name, sep, version = requirement.partition("==")
        assert sep, f"{path.name}: {requirement} is not pinned with =="
        hashes = [o.removeprefix("--hash=") for o in options if o.startswith("--hash=sha256:")]
        assert len(hashes) == len(options), f"{path.name}: unexpected options for {name}"
        entries[canonicalize_name(name)] = (version, hashes)
    return entries


def closure(requirements: list[Requirement]) -> dict[str, list[Requirement]]:
    """Every distribution these requirements pull in (extras included) as the installed
    packages declare them, for this interpreter: name → the requirements naming it."""
    found: dict[str, list[Requirement]] = {}
    todo = list(requirements)
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        found.setdefault(name, []).append(req)
        key = (name, frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            declared = distribution(req.name).requires or []
        except PackageNotFoundError:
            pytest.fail(f"{req.name} is required but not installed in this environment")
        for spec in declared:
            sub = Requirement(spec)
            extras = req.extras or {""}
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(sub)
    return found


def test_the_lock_pins_every_runtime_dependency_and_theirs_with_hashes() -> None:
    lock = read_lock(DEPLOY / "requirements.lock")
    direct = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    for req in direct:
        version, hashes = lock[canonicalize_name(req.name)]
        assert req.specifier.contains(version), f"locked {req.name}=={version} outside {req}"
        assert hashes
    needed = closure(direct)
    # python-telegram-bot's extras bring these in; the lock must have them too.
    assert {"apscheduler", "aiolimiter", "socksio"} <= set(needed)
    missing = sorted(set(needed) - set(lock))
    assert not missing, f"not in deploy/requirements.lock (run make lock): {missing}"
    assert all(hashes for _, hashes in lock.values())
    assert "sms-bridge" not in lock and "sandbox" not in lock


def test_the_build_lock_pins_the_build_backend() -> None:
    lock = read_lock(DEPLOY / "build.lock")
    for spec in PYPROJECT["build-system"]["requires"]:
        req = Requirement(spec)
        version, hashes = lock[canonicalize_name(req.name)]
        assert req.specifier.contains(version) and hashes


def test_make_lock_refreshes_both_lock_files() -> None:
    result = subprocess.run(
        ["make", "-n", "lock"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    compiles = [line for line in result.stdout.splitlines() if "pip-compile" in line]
    outputs = {shlex.split(line)[shlex.split(line).index("--output-file") + 1] for line in compiles}
    assert outputs == {"deploy/requirements.lock", "deploy/build.lock"}
    assert all("--generate-hashes" in line for line in compiles)


# --- what the build context and git leave out ----------------------------------------------


def dockerignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    """(is an exception "!…", regex) per line of .dockerignore, as Docker reads them."""
    patterns = []
    for raw in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
        regex, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        patterns.append((negate, re.compile(regex + r"\Z")))
    return patterns


def left_out_of_the_build(path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
    result = False
    for negate, regex in dockerignore_patterns():
        if any(regex.match(c) for c in candidates):
            result = not negate
    return result


LEFT_OUT = [
    ".venv/bin/python",
    ".venv-lock/bin/pip-compile",
    ".git/HEAD",
    "data/sms-bridge.sqlite3",
    "bridge.sqlite3-wal",
    "deploy/data/x.sqlite3",
    "config.toml",
    "deploy/config.toml",
    "deploy/sms-bridge.env",
    "deploy/secrets/telegram_token",
    "bot/__pycache__/cli.cpython-311.pyc",
    ".mypy_cache/3.11/bot/cli.meta.json",
    "sandbox/telegram.py",
    "tests/bot/test_cli.py",
]


@pytest.mark.parametrize("path", LEFT_OUT)
def test_the_build_context_leaves_out_secrets_databases_caches_and_the_venv(path: str) -> None:
    assert left_out_of_the_build(path)


def test_the_build_context_keeps_everything_the_dockerfile_copies() -> None:
    sources: list[str] = []
    for line in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            sources += words[1:-1]
    assert "deploy/requirements.lock" in sources and "bot" in sources
    tracked = subprocess.run(
        ["git", "ls-files", "--", *sources], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked
    assert [p for p in tracked if left_out_of_the_build(p)] == []


def test_git_ignores_the_config_the_env_file_the_secrets_and_databases() -> None:
    paths = [
        "config.toml",
        "deploy/config.toml",
        "deploy/sms-bridge.env",
        "deploy/secrets/telegram_token",
        "data/sms-bridge.sqlite3",
    ]
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split() == paths


# --- compose -------------------------------------------------------------------------------


def compose() -> dict[str, object]:
    data = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_rotates_logs_checks_health_and_mounts_secrets_as_files() -> None:
    data = compose()
    service = data["services"]["sms-bridge"]  # type: ignore[index]
    assert service["logging"]["driver"] == "json-file"
    assert service["logging"]["options"]["max-size"] == "10m"
    assert int(service["logging"]["options"]["max-file"]) >= 2
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD" and Path(test[1]).name == "sms-bridge"
    assert build_parser().parse_args(test[2:]).command == "health"
    assert service["restart"] == "unless-stopped"  # the entry point holds exit 2 (below)
    secrets = data["secrets"]
    assert isinstance(secrets, dict)
    assert set(service["secrets"]) == set(secrets) >= {"telegram_token"}
    for secret in secrets.values():
        assert secret["file"].startswith("./secrets/")
        assert left_out_of_the_build("deploy/" + secret["file"].removeprefix("./"))
    assert "environment" not in service  # secrets never as environment values here


def test_the_compose_recipe_turns_the_example_config_to_secret_files() -> None:
    header = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8").split("services:")[0]
    substitutions = re.findall(r"-e 's\|(\"env:[A-Z_]+\")\|(\"file:[^\"]+\")\|'", header)
    assert len(substitutions) == 5
    text = (DEPLOY / "config.example.toml").read_text(encoding="utf-8")
    for old, new in substitutions:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
        name = new.strip('"').removeprefix("file:/run/secrets/")
        assert name in compose()["secrets"]  # type: ignore[operator]
    config = tomllib.loads(text)
    assert config["telegram"]["token"] == "file:/run/secrets/telegram_token"
    assert {a["password"] for a in config["accounts"]} == {
        "file:/run/secrets/raygan_password",
        "file:/run/secrets/payamak_password",
    }
    assert config["api"]["webhook_secret"] == "file:/run/secrets/webhook_secret"
    assert config["api"]["keys"][0]["key"] == "file:/run/secrets/shop_api_key"


# --- the README ----------------------------------------------------------------------------


def test_the_readme_exports_every_variable_the_example_config_reads() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running it for real", 1)[1].split("\n## ", 1)[0]
    (export,) = [line for line in section.splitlines() if line.startswith("export ")]
    names = re.findall(r"([A-Z][A-Z0-9_]*)=", export)
    env = dict.fromkeys(names, "x")
    env["TELEGRAM_BOT_TOKEN"] = "5012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
    env["SHOP_API_KEY"] = "an-api-key-of-32-characters-long"  # API keys have a minimum length
    config = load_config(DEPLOY / "config.example.toml", env)  # raises on any unset one
    assert [a.name for a in config.accounts] == ["raygan", "meli"]


# --- systemd -------------------------------------------------------------------------------


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(DEPLOY / "sms-bridge.service", encoding="utf-8")
    return parser


def test_systemd_never_restarts_a_bad_config(tmp_path: Path) -> None:
    service = unit()["Service"]
    # RestartPreventExitStatus= looks at the main process only: a pre-step exiting 2 would be
    # restarted every RestartSec forever. Nothing but the main process may run the config.
    for option in ("ExecStartPre", "ExecStartPost", "ExecCondition"):
        assert option not in service
    assert service["Restart"] == "on-failure"
    prevented = service["RestartPreventExitStatus"].split()
    # The main process itself exits 2 on a bad config.
    argv = service["ExecStart"].split()
    assert argv[0] == "/opt/sms-bridge/.venv/bin/sms-bridge"
    bad = tmp_path / "config.toml"
    bad.write_text("[telegram]\nadmins = ['me']\n", encoding="utf-8")
    config_at = argv.index("--config") + 1
    argv[config_at] = str(bad)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", *argv[1:]],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert str(result.returncode) in prevented


def test_the_systemd_documentation_path_is_in_the_installed_checkout() -> None:
    text = (DEPLOY / "sms-bridge.service").read_text(encoding="utf-8")
    (doc,) = unit()["Unit"]["Documentation"].split()
    installed = "/opt/sms-bridge/"
    assert doc.startswith(f"file://{installed}")
    # The documented install puts a checkout of this repository at /opt/sms-bridge.
    assert re.search(r"^#\s+git clone \S+ /opt/sms-bridge\b", text, re.MULTILINE)
    assert (ROOT / doc.removeprefix(f"file://{installed}")).is_file()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path: Path) -> None:
    # The same unit, its program pointed at this environment's console script.
    script = Path(sys.executable).parent / "sms-bridge"
    text = (DEPLOY / "sms-bridge.service").read_text(encoding="utf-8")
    copy = tmp_path / "sms-bridge.service"
    copy.write_text(text.replace("/opt/sms-bridge/.venv/bin/sms-bridge", str(script)))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


# --- the container's entry point -----------------------------------------------------------

STUB = """#!/bin/sh
# Stands in for the bridge in the entry point's tests: does what $STUB says.
case "$STUB" in
exit:*) exit "${STUB#exit:}" ;;
umask) umask; exit 0 ;;
serve) trap 'echo "stopped cleanly"; exit 0' TERM; echo serving; while :; do sleep 0.05; done ;;
esac
"""


@pytest.fixture
def stub_path(tmp_path: Path) -> Iterator[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "sms-bridge"
    stub.write_text(STUB, encoding="utf-8")
    stub.chmod(0o755)
    yield f"{bin_dir}:{os.environ['PATH']}"


def entrypoint(*argv: str, path: str, stub: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, "PATH": path, "STUB": stub}
    return subprocess.Popen(
        ["sh", str(ENTRYPOINT), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_the_entrypoint_holds_a_bridge_whose_config_is_bad_until_stopped(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[telegram]\nadmins = ['me']\n", encoding="utf-8")
    real = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    proc = entrypoint("sms-bridge", "run", "--config", str(bad), path=real)
    time.sleep(3)  # well past the bridge's exit 2
    assert proc.poll() is None, "exited: a restart policy would start it again"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 2
    lines = err.splitlines()
    assert any(line.startswith("telegram.") for line in lines)
    assert lines[-1].startswith("sms-bridge: not restarting: the config above has a problem")
    assert "Traceback" not in err


@pytest.mark.parametrize("status", [0, 1, 3])
def test_the_entrypoint_passes_any_other_exit_on(stub_path: str, status: int) -> None:
    proc = entrypoint("sms-bridge", "run", path=stub_path, stub=f"exit:{status}")
    proc.communicate(timeout=10)
    assert proc.returncode == status


def test_the_entrypoint_leaves_other_commands_alone(stub_path: str) -> None:
    # check-config exiting 2 (docker compose run … check-config) must not hang.
    proc = entrypoint("sms-bridge", "check-config", path=stub_path, stub="exit:2")
    proc.communicate(timeout=10)
    assert proc.returncode == 2


def test_the_entrypoint_passes_docker_stop_on_to_the_bridge(stub_path: str) -> None:
    proc = entrypoint("sms-bridge", "run", path=stub_path, stub="serve")
    assert proc.stdout is not None
    assert proc.stdout.readline() == "serving\n"
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert out == "stopped cleanly\n"


@pytest.mark.parametrize("command", ["run", "health"])
def test_the_entrypoint_makes_what_the_bridge_writes_private(stub_path: str, command: str) -> None:
    proc = entrypoint("sms-bridge", command, path=stub_path, stub="umask")
    out, _ = proc.communicate(timeout=10)
    assert out.strip() == "0077"
