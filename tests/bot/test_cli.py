"""bot.cli and bot.logs: check-config, exit codes, redaction, the deploy files' commands."""

from __future__ import annotations

import base64
import configparser
import contextlib
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import build_parser, main
from bot.config import load_config
from bot.logs import (
    MIN_SECRET,
    QUIET_LOGGERS,
    REDACTED,
    RedactingFilter,
    redact,
    setup_logging,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "config"
VALID = FIXTURES / "valid.toml"
SECRETS = ("123456789:AAEexampleexampleexampleexample0", "raygan-secret-pw", "meli-secret-pw")
USERNAMES = ("raygan-user", "meli-user")
BOT_TOKEN = "5012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


# --- check-config --------------------------------------------------------------------------


def test_check_config_prints_what_it_found(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "--config", str(VALID)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    expected = [
        f"{VALID}: OK",
        "  api_url: https://api.telegram.org",
        "  proxy: not set",
        "  admins: 111111111, 222222222",
        "  admin chat: -1001234567890",
        "  raygan (raygansms, default): https://raygansms.com/api/smsAPI",
        "    lines: 50002910001080, 50002910001081",
        "  meli (payamak): https://rest.payamak-panel.com/api/SendSMS",
        "    lines: 10002188",
        "  50002910001080 -> chat -1009876543210",
        "otp: mode own (6 digits) from raygan, valid 120s, 5 checks, at most 1/min and 5/h per"
        " number, key kept in the database",
    ]
    for line in expected:
        assert line in out.splitlines()
    for secret in SECRETS + USERNAMES:
        assert secret not in out


def test_check_config_shows_a_proxy_only_as_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    text = VALID.read_text(encoding="utf-8")
    path.write_text(text.replace('proxy = ""', 'proxy = "socks5://pu:proxy-pw@10.0.0.1:1080"'))
    assert main(["check-config", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "  proxy: set (socks5)" in out.splitlines()
    assert "proxy-pw" not in out
    assert "10.0.0.1" not in out


def test_check_config_hides_credentials_inside_urls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    text = VALID.read_text(encoding="utf-8").replace(
        'provider = "payamak"',
        'provider = "payamak"\nbase_url = "https://u:url-pw@h.example:8443/api"',
    )
    path.write_text(text)
    assert main(["check-config", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "  meli (payamak): https://h.example:8443/api" in out.splitlines()
    assert "url-pw" not in out


def test_check_config_lists_every_problem_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMS_TEST_UNSET", raising=False)
    path = tmp_path / "bad.toml"
    text = VALID.read_text(encoding="utf-8")
    path.write_text(
        text.replace('language = "fa"', 'language = "de"').replace(
            'password = "meli-secret-pw"', 'password = "env:SMS_TEST_UNSET"'
        )
    )
    assert main(["check-config", "--config", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "accounts[1].password: environment variable SMS_TEST_UNSET is not set",
        "telegram.language: must be one of 'fa' or 'en'",
    ]


# (line of valid.toml, its replacement, the one line check-config prints)
CHECK_CONFIG_MISTAKES = [
    (
        'lines = ["10002188"]',
        'lines = ["10002188"]\ndefault = 1',
        "accounts[1].default: must be true or false",
    ),
    (
        "admins = [111111111, 222222222]",
        "admins = [-1001234567890]",
        "telegram.admins[0]: -1001234567890 is the id of a group or channel, not of a person; "
        "admins are Telegram user ids (positive numbers)",
    ),
    (
        "admins = [111111111, 222222222]",
        'admins = ["111111111"]',
        "telegram.admins[0]: must be a whole number without quotes: write 111111111, "
        'not "111111111"',
    ),
    (
        "timeout_seconds = 15",
        'timeout_seconds = "20"',
        'accounts[0].timeout_seconds: must be a number without quotes: write 20, not "20"',
    ),
    (
        'proxy = ""',
        'proxy = "socks5://127.0.0.1:99999"',
        "telegram.proxy: the port must be a number from 1 to 65535",
    ),
    ("timeout_seconds = 15", "read_attempts = 11", "accounts[0].read_attempts: must be at most 10"),
    (
        'password = "meli-secret-pw"',
        'password = "env:MELI PW"',
        "accounts[1].password: 'env:MELI PW' does not name an environment variable",
    ),
    (
        'password = "meli-secret-pw"',
        'password = "file:/nonexistent/meli_password"',
        "accounts[1].password: cannot read the file /nonexistent/meli_password: "
        "no such file or directory",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), CHECK_CONFIG_MISTAKES, ids=[m[2] for m in CHECK_CONFIG_MISTAKES]
)
def test_check_config_names_each_mistake_in_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    text = VALID.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "c.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["check-config", "--config", str(path)]) == 2
    out, err = capsys.readouterr()
    assert (out, err.splitlines()) == ("", [expected])


def test_config_path_comes_from_the_environment_when_not_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SMS_BRIDGE_CONFIG", str(VALID))
    assert main(["check-config"]) == 0
    assert capsys.readouterr().out.startswith(f"{VALID}: OK")
    # --config wins over the environment.
    missing = tmp_path / "missing.toml"
    assert main(["check-config", "--config", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_the_default_path_is_config_toml_in_the_working_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SMS_BRIDGE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["check-config"]) == 2
    assert capsys.readouterr().err.startswith("config.toml: config file not found")
    (tmp_path / "config.toml").write_text(VALID.read_text(encoding="utf-8"))
    assert main(["check-config"]) == 0


def test_run_with_a_bad_config_exits_2_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[telegram\n")
    assert main(["run", "--config", str(path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{path}: not valid TOML:")
    assert "line 1," in line


def test_run_with_an_unknown_log_level_exits_2_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMS_BRIDGE_LOG_LEVEL", "loud")
    assert main(["run", "--config", str(VALID)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "SMS_BRIDGE_LOG_LEVEL: 'LOUD' is not one of DEBUG, INFO, WARNING, ERROR"
    ]


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "check-config" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exited:
        main(["launch"])
    assert exited.value.code == 2


def console_script() -> Path:
    script = Path(sys.executable).parent / "sms-bridge"
    if not script.exists():
        pytest.skip("the sms-bridge console script is not installed (pip install -e .)")
    return script


def test_console_script_check_config(tmp_path: Path) -> None:
    script = console_script()
    env = {k: v for k, v in os.environ.items() if k != "SMS_BRIDGE_CONFIG"}
    env["SMS_TEST_MELI_PW"] = "meli-env-pw"
    path = tmp_path / "c.toml"
    text = VALID.read_text(encoding="utf-8")
    path.write_text(text.replace('"meli-secret-pw"', '"env:SMS_TEST_MELI_PW"'))

    ok = subprocess.run(
        [str(script), "check-config", "--config", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (ok.returncode, ok.stderr) == (0, "")
    assert f"{path}: OK" in ok.stdout
    assert "meli-env-pw" not in ok.stdout

    del env["SMS_TEST_MELI_PW"]
    bad = subprocess.run(
        [str(script), "check-config", "--config", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.splitlines() == [
        "accounts[1].password: environment variable SMS_TEST_MELI_PW is not set"
    ]
    assert "Traceback" not in bad.stderr


def test_sandbox_serves_until_ctrl_c_then_exits_0_quietly() -> None:
    script = console_script()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [str(script), "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # A shell's background jobs inherit SIGINT ignored; give the child Python's default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as server:
        assert server.stdout is not None
        banner = [server.stdout.readline() for _ in range(5)]
        assert banner[0].startswith("RayganSMS simulator: http://127.0.0.1:")
        assert banner[1].split() == ["account", "demo", "/", "password", "demo:", "50002910001080"]
        assert banner[2].startswith("Payamak simulator:")
        assert banner[3].split() == ["account", "demo", "/", "password", "demo:", "10002188"]
        assert "Ctrl+C" in banner[4]
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "Traceback" not in err


@contextlib.contextmanager
def _serve(argv: list[str]) -> Iterator[subprocess.Popen[str]]:
    """The console script serving until SIGINT, its output readable line by line; killed if
    the test stops before it has exited."""
    with subprocess.Popen(
        [str(console_script()), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as server:
        try:
            yield server
        finally:
            if server.poll() is None:
                server.kill()
                server.communicate(timeout=30)


def _http(method: str, url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read().decode()
    return json.loads(raw) if raw.startswith(("{", "[")) else raw


def test_sandbox_with_telegram_serves_the_fake_and_its_users_side() -> None:
    with _serve(["sandbox", "--port", "0", "--telegram"]) as server:
        assert server.stdout is not None
        banner = [server.stdout.readline() for _ in range(6)]
        assert banner[4].startswith("Telegram fake:"), banner
        url = banner[4].split("telegram.api_url = ", 1)[1].split("/bot,", 1)[0]
        token = banner[4].split("telegram.token = ", 1)[1].split()[0]
        assert "Ctrl+C" in banner[5]
        control = f"{url}/_sandbox/telegram"
        _http("POST", f"{control}/users", {"user_id": 42, "first_name": "Neda"})
        _http("POST", f"{control}/say", {"user_id": 42, "chat_id": 42, "text": "/start"})
        updates = _http("GET", f"{url}/bot{token}/getUpdates")
        assert [u["message"]["text"] for u in updates["result"]] == ["/start"]
        sent = _http(
            "POST",
            f"{url}/bot{token}/sendMessage",
            {"chat_id": 42, "text": "<b>hi</b>", "parse_mode": "HTML"},
        )
        assert sent["ok"]
        listed = _http("GET", f"{control}/messages?chat_id=42")["messages"]
        assert [(m["from_bot"], m["text"]) for m in listed] == [(False, "/start"), (True, "hi")]
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "Traceback" not in err


def test_playground_serves_its_page_and_the_running_bridge_until_ctrl_c() -> None:
    with _serve(["playground", "--port", "0"]) as server:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert first.startswith("The playground: http://127.0.0.1:"), first
        url = first.split()[2].rstrip("/")
        page = _http("GET", f"{url}/")
        assert 'id="chat-log"' in page and 'src="/static/app.js"' in page
        assert "renderEntities" in _http("GET", f"{url}/static/app.js")
        _http("POST", f"{url}/api/say", {"role": "admin", "where": "private", "text": "/help"})
        state: dict[str, Any] = {}
        for _ in range(100):  # the bridge answers within seconds; the loop ends when it has
            state = _http("GET", f"{url}/api/state")
            answered = any(m["from_bot"] for m in state["chats"]["admin:private"])
            if answered and any(c["provider"] == "Payamak" for c in state["calls"]):
                break
            time.sleep(0.2)
        assert any(m["from_bot"] for m in state["chats"]["admin:private"])
        payamak = [call for call in state["calls"] if call["provider"] == "Payamak"]
        assert payamak and all("password=•••" in call["body"].lower() for call in payamak)
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "Traceback" not in err


def test_sandbox_on_a_busy_port_is_one_clear_line() -> None:
    script = console_script()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [str(script), "sandbox", "--port", str(port)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"cannot serve on 127.0.0.1:{port}: ")


# --- redaction -----------------------------------------------------------------------------

# Built at run time so no Basic-auth header is written out in the repository.
BASIC = base64.b64encode(b"user:password").decode()

# (message, what must vanish, what must stay)
REDACTIONS = [
    (
        f"POST https://api.telegram.org/bot{BOT_TOKEN}/getUpdates 200",
        BOT_TOKEN,
        "https://api.telegram.org/bot<redacted>/getUpdates 200",
    ),
    (f"token is {BOT_TOKEN}.", BOT_TOKEN, "token is <redacted>."),
    (
        f"headers: Authorization: Basic {BASIC} sent",
        BASIC,
        "Authorization: Basic <redacted> sent",
    ),
    (
        f"{{'Authorization': 'Basic {BASIC}', 'Accept': 'json'}}",
        BASIC,
        "'Accept': 'json'",
    ),
    ("authorization=bearer abc.def.ghi", "abc.def.ghi", "authorization=bearer <redacted>"),
    ("login as meli with meli-secret-pw failed", "meli-secret-pw", "login as meli with"),
    # Structurally, whatever the password's length: form fields, JSON, keywords, URLs.
    ("data: password=p&username=demo", "password=p", "password=<redacted>&username=demo"),
    ("data: PassWord=p", "PassWord=p", "PassWord=<redacted>"),
    ('{"UserName": "demo", "PassWord": "p"}', '"p"', '"PassWord": "<redacted>"'),
    ("{'password': 'p', 'to': '0912'}", "'p'", "'password': '<redacted>', 'to': '0912'"),
    ('{"password": 12345}', "12345", '{"password": <redacted>}'),
    (
        "BasicAuth(login='demo', password='p', encoding='latin1')",
        "'p'",
        "BasicAuth(login='demo', password='<redacted>', encoding='latin1')",
    ),
    ("via socks5://u:p@10.0.0.1:1080 failed", ":p@", "socks5://u:<redacted>@10.0.0.1:1080 failed"),
    (
        f"Proxy-Authorization: Basic {BASIC}",
        BASIC,
        "Proxy-Authorization: Basic <redacted>",
    ),
    ("getUpdates?offset=3&token=abc", "abc", "offset=3&token=<redacted>"),
]


def test_a_secret_is_redacted_as_a_url_or_form_encodes_it_too() -> None:
    secret = "meli secret/pw!"
    text = "GET /x?user=meli+secret%2Fpw%21 and /y/meli%20secret%2Fpw%21/z"
    assert redact(text, [secret]) == f"GET /x?user={REDACTED} and /y/{REDACTED}/z"


@pytest.mark.parametrize(("message", "gone", "kept"), REDACTIONS, ids=[r[2] for r in REDACTIONS])
def test_redact(message: str, gone: str, kept: str) -> None:
    clean = redact(message, ["meli-secret-pw"])
    assert gone not in clean
    assert kept in clean


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "sent 3 of 5 at 12:30:01 to +989123456789 from line 50002910001080; Basic plan"
    assert redact(text, []) == text


ORDINARY = (
    "Network Retry Loop (Bootstrap Initialize Application): Starting; 1 of 1 fetched; "
    "applied migration 0001_initial; accounts[1].password: must not be empty; "
    "telegram.token: must be a bot token; p 1 ab log"
)


@pytest.mark.parametrize("secret", ["p", "1", "ab", "log", "a", "tion", "ootst", "etry L"])
def test_a_short_secret_never_shreds_ordinary_words(secret: str) -> None:
    # Below MIN_SECRET characters nothing is redacted by value (not even "log" as a word);
    # from MIN_SECRET on, only whole tokens ("tion" inside "Application" is not it).
    assert len(secret) < MIN_SECRET or secret not in ORDINARY.split()
    assert redact(ORDINARY, [secret]) == ORDINARY


@pytest.mark.parametrize(
    ("text", "secret", "expected"),
    [
        ("user demo1 refused", "demo1", f"user {REDACTED} refused"),
        ("(demo1)", "demo1", f"({REDACTED})"),
        ("demo12 and xdemo1", "demo1", "demo12 and xdemo1"),  # inside longer words: not it
        (f"x{'k' * 40}y", "k" * 40, f"x{REDACTED}y"),  # long ones wherever they are
        ("bot1:abcdefghijklmno/getMe", "abcdefghijklmno", f"bot1:{REDACTED}/getMe"),
    ],
)
def test_by_value_long_secrets_anywhere_shorter_ones_as_whole_tokens(
    text: str, secret: str, expected: str
) -> None:
    assert redact(text, [secret]) == expected


@pytest.fixture
def handler_with_filter() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter(["meli-secret-pw"]))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_filter_redacts_arguments_tracebacks_and_stacks(
    handler_with_filter: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = handler_with_filter
    url = f"https://api.telegram.org/bot{BOT_TOKEN}/sendMessage"
    logger.info("POST %s with %r", url, {"password": "meli-secret-pw"})
    try:
        raise RuntimeError(f"cannot reach {url}")
    except RuntimeError:
        logger.exception("send failed for %s", "meli")
    logger.warning("where: %s", url, stack_info=True)
    written = stream.getvalue()
    assert BOT_TOKEN not in written
    assert "meli-secret-pw" not in written
    assert written.count(REDACTED) >= 4
    assert "RuntimeError: cannot reach https://api.telegram.org/bot<redacted>/sendMessage" in (
        written
    )
    assert "send failed for meli" in written


@pytest.fixture
def bare_root_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name, level in saved_quiet.items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(False)  # setup_logging routes warnings through logging


@pytest.mark.usefixtures("bare_root_logging")
def test_setup_logging_redacts_everything_that_reaches_the_root(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # pytest adds its capture handlers for the test's call phase; start from a bare root.
    logging.getLogger().handlers.clear()
    setup_logging(logging.INFO, secrets=["raygan-secret-pw"])
    setup_logging(logging.INFO, secrets=["meli-secret-pw"])  # a second call adds, not doubles
    root = logging.getLogger()
    assert len(root.handlers) == 1
    assert sum(isinstance(f, RedactingFilter) for f in root.handlers[0].filters) == 1

    logging.getLogger("bot.some_feature").info("token %s pw %s", BOT_TOKEN, "raygan-secret-pw")
    logging.getLogger("providers.payamak").error("refused meli-secret-pw")
    logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/getMe", BOT_TOKEN)
    err = capsys.readouterr().err
    assert "INFO bot.some_feature: token <redacted> pw <redacted>" in err
    assert "ERROR providers.payamak: refused <redacted>" in err
    assert "HTTP Request" not in err  # httpx is silenced below WARNING
    for secret in (BOT_TOKEN, "raygan-secret-pw", "meli-secret-pw"):
        assert secret not in err
    for name in ("httpx", "httpcore"):
        assert logging.getLogger(name).level == logging.WARNING


@pytest.mark.usefixtures("bare_root_logging")
def test_an_unexpected_error_in_run_leaves_through_the_redacting_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.app

    def broken(config: object) -> None:
        raise RuntimeError(f"bug near {SECRETS[0]} and raygan-secret-pw")

    logging.getLogger().handlers.clear()
    monkeypatch.setattr(bot.app, "run_bridge", broken)
    assert main(["run", "--config", str(VALID)]) == 1
    err = capsys.readouterr().err
    assert "CRITICAL bot.cli: the bridge stopped on an unexpected error" in err
    assert "RuntimeError: bug near <redacted> and <redacted>" in err
    for secret in SECRETS:
        assert secret not in err


# --- deploy files --------------------------------------------------------------------------

DEPLOY = ROOT / "deploy"


def assert_is_our_command(argv: list[str], command: str) -> None:
    assert Path(argv[0]).name == "sms-bridge"
    args = build_parser().parse_args(argv[1:])
    assert args.command == command


def test_dockerfile_runs_the_bridge_as_a_non_root_user() -> None:
    lines = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines()
    assert "FROM python:3.11-slim" in lines
    cmd = json.loads(next(line for line in lines if line.startswith("CMD "))[4:])
    assert cmd == ["sms-bridge", "run", "--config", "/config/config.toml"]
    assert_is_our_command(cmd, "run")
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any(line.startswith("VOLUME ") for line in lines)


def test_compose_uses_the_dockerfile_an_env_file_and_a_data_volume() -> None:
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "dockerfile: deploy/Dockerfile" in text
    assert "env_file:" in text
    assert ":/config/config.toml:ro" in text
    volume_line = next(line for line in dockerfile.splitlines() if line.startswith("VOLUME "))
    data_dir = json.loads(volume_line[len("VOLUME ") :])[0]
    assert f"sms-bridge-data:{data_dir}" in text


def test_systemd_unit_runs_the_bridge_with_restart_and_hardening() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment, method-assign]
    unit.read(DEPLOY / "sms-bridge.service", encoding="utf-8")
    service = unit["Service"]
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"].startswith("/etc/sms-bridge/")
    assert service["RestartPreventExitStatus"] == "2"  # check-config's and run's bad-config exit
    assert_is_our_command(service["ExecStart"].split(), "run")
    for option in ("NoNewPrivileges", "ProtectSystem", "PrivateTmp", "ProtectHome"):
        assert option in service
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_example_config_checks_out_with_its_secrets_in_the_environment() -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "RAYGAN_USER": "u1",
        "RAYGAN_PASSWORD": "p1",
        "PAYAMAK_USER": "u2",
        "PAYAMAK_PASSWORD": "p2",
        "WEBHOOK_SECRET": "w" * 32,
        "SHOP_API_KEY": "k" * 32,
    }
    config = load_config(DEPLOY / "config.example.toml", env)
    assert config.default_account.name == "raygan"


# --- without sandbox/ (the production image) -----------------------------------------------

# Runs the CLI in a fresh interpreter where `import sandbox` fails as it does in the image.
WITHOUT_SANDBOX = (
    "import sys; sys.modules['sandbox'] = None; from bot.cli import main; "
    "raise SystemExit(main(sys.argv[1:]))"
)


@pytest.mark.parametrize(
    "argv",
    [["demo"], ["sandbox", "--port", "0"], ["playground", "--port", "0"]],
    ids=["demo", "sandbox", "playground"],
)
def test_demo_and_sandbox_without_the_sandbox_package_are_one_clear_line(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_SANDBOX, *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"sms-bridge {argv[0]}: not in this installation (built without sandbox/, as the "
        f"production image is); run it from a checkout of the repository: make {argv[0]}"
    ]


def test_check_config_and_health_need_no_sandbox_package(tmp_path: Path) -> None:
    for argv in (["check-config", "--config", str(VALID)], ["health", "--config", str(VALID)]):
        result = subprocess.run(
            [sys.executable, "-c", WITHOUT_SANDBOX, *argv],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            cwd=tmp_path,
        )
        assert "Traceback" not in result.stderr
        assert result.returncode == (0 if argv[0] == "check-config" else 1)
