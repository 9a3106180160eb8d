"""bot.config: problems named by key, env: values, defaults, helpers, secrets kept out of sight."""

from __future__ import annotations

import base64
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from bot.config import (
    AccountConfig,
    AlertsConfig,
    ApiConfig,
    ApiKeyConfig,
    BulkConfig,
    Config,
    ConfigError,
    DeliveryConfig,
    OtpConfig,
    PollingConfig,
    RouteConfig,
    StorageConfig,
    TelegramConfig,
    load_config,
    resolve_config_path,
)
from providers.registry import PROVIDERS

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "config"
VALID = (FIXTURES / "valid.toml").read_text(encoding="utf-8")
TOKEN = "123456789:AAEexampleexampleexampleexample0"

SPEC_ENV = {
    "TELEGRAM_BOT_TOKEN": "987654321:AAHspecspecspecspecspecspecspec01",
    "RAYGAN_USER": "raygan-env-user",
    "RAYGAN_PASSWORD": "raygan-env-password",
    "PAYAMAK_USER": "payamak-env-user",
    "PAYAMAK_PASSWORD": "payamak-env-password",
    "WEBHOOK_SECRET": "webhook-env-secret-of-some-length",
    "SHOP_API_KEY": "shop-env-api-key-of-some-length",
}


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ or {})
    return caught.value.problems


def edited(old: str, new: str) -> str:
    assert old in VALID, f"the fixture has no {old!r}"
    return VALID.replace(old, new, 1)


# (line in valid.toml, its replacement, the one problem expected)
PROBLEMS = [
    (
        f'token = "{TOKEN}"',
        'token = "bot123:abc"',
        "telegram.token: must be a bot token as BotFather gives it (digits, a colon, then "
        'letters), without the "bot" prefix',
    ),
    (
        'api_url = "https://api.telegram.org"',
        'api_url = "ftp://api.telegram.org"',
        "telegram.api_url: must be an http:// or https:// URL of the Bot API server",
    ),
    (
        'proxy = ""',
        'proxy = "socks4://127.0.0.1:1080"',
        "telegram.proxy: must be empty or a proxy URL starting with http://, https:// or socks5://",
    ),
    (
        "admins = [111111111, 222222222]",
        "admins = []",
        "telegram.admins: must have at least 1 item",
    ),
    (
        "admins = [111111111, 222222222]",
        'admins = [111111111, "me"]',
        "telegram.admins[1]: must be a whole number",
    ),
    (
        "admin_chat_id = -1001234567890",
        'admin_chat_id = "admins"',
        "telegram.admin_chat_id: must be a whole number",
    ),
    (
        "admin_chat_id = -1001234567890\n",
        "",
        "telegram.admin_chat_id: is required but missing",
    ),
    ('language = "fa"', 'language = "de"', "telegram.language: must be one of 'fa' or 'en'"),
    (
        'language = "fa"',
        'language = "fa"\nlanguag = "en"',
        "telegram.languag: unknown key (did you mean 'language'?)",
    ),
    (
        'path = "data/test.sqlite3"',
        'path = ""',
        "storage.path: must be the path of the database file",
    ),
    (
        'name = "raygan"',
        'name = "Raygan SMS"',
        "accounts[0].name: name 'Raygan SMS' must be 1 to 32 characters of a-z, 0-9, _ and -, "
        'like "meli"',
    ),
    (
        'provider = "raygansms"',
        'provider = "kavenegar"',
        "accounts[0].provider: must be one of 'raygansms' or 'payamak'",
    ),
    (
        'provider = "raygansms"',
        'provider = "raygansms"\nbase_url = "raygansms.com/api"',
        "accounts[0].base_url: must be an http:// or https:// URL of the provider's API",
    ),
    ('username = "raygan-user"', 'username = ""', "accounts[0].username: must not be empty"),
    ('password = "meli-secret-pw"', 'password = ""', "accounts[1].password: must not be empty"),
    (
        'password = "meli-secret-pw"\n',
        "",
        "accounts[1].password: is required but missing",
    ),
    (
        'lines = ["10002188"]',
        "lines = [10002188]",
        'accounts[1].lines[0]: must be text in quotes, like "…"',
    ),
    (
        'lines = ["10002188"]',
        'lines = ["1000-2188"]',
        "accounts[1].lines: line '1000-2188' must be 3 to 20 digits (0-9), like \"50002910001080\"",
    ),
    ('lines = ["10002188"]', "lines = []", "accounts[1].lines: must have at least 1 item"),
    (
        'lines = ["10002188"]',
        'lines = ["10002188", "10002188"]',
        "accounts[1].lines: line '10002188' is listed twice",
    ),
    (
        'lines = ["10002188"]',
        'lines = ["50002910001081"]',
        "accounts[1].lines[0]: line '50002910001081' is already a line of accounts[0]; "
        "a line belongs to one account",
    ),
    (
        'name = "meli"',
        'name = "raygan"',
        "accounts[1].name: the name 'raygan' is already used by accounts[0]",
    ),
    (
        'lines = ["10002188"]',
        'lines = ["10002188"]\ndefault = true',
        "accounts[1].default: only one account may be the default; accounts[0] already is",
    ),
    ("default = true", 'default = "maybe"', "accounts[0].default: must be true or false"),
    (
        "timeout_seconds = 15",
        "timeout_seconds = 0",
        "accounts[0].timeout_seconds: must be greater than 0",
    ),
    (
        "max_concurrency = 4",
        "max_concurrency = 0",
        "accounts[0].max_concurrency: must be at least 1",
    ),
    (
        "max_concurrency = 4",
        "max_concurrency = 2.5",
        "accounts[0].max_concurrency: must be a whole number",
    ),
    ("credit_low = 10000", "credit_low = -1", "accounts[0].credit_low: must be at least 0"),
    (
        "timeout_seconds = 15",
        "timeout_secs = 15",
        "accounts[0].timeout_secs: unknown key (did you mean 'timeout_seconds'?)",
    ),
    (
        'line = "50002910001080"',
        'line = "999"',
        "routes[0].line: '999' is not a line of any account",
    ),
    ("chat_id = -1009876543210", "chat_id = 1.5", "routes[0].chat_id: must be a whole number"),
    ("inbox = 30", "inbox = 0", "polling.inbox: must be greater than 0"),
    ("credit = 3600", 'credit = "hourly"', "polling.credit: must be a number"),
    (
        "failures_before_alert = 3",
        "failures_before_alert = 0",
        "alerts.failures_before_alert: must be at least 1",
    ),
    ("give_up_hours = 72", "give_up_hours = -1", "delivery.give_up_hours: must be greater than 0"),
    (
        "backoff_seconds = [30, 60]",
        "backoff_seconds = []",
        "delivery.backoff_seconds: must have at least 1 item",
    ),
    (
        "backoff_seconds = [30, 60]",
        "backoff_seconds = [30, -60]",
        "delivery.backoff_seconds[1]: must be greater than 0",
    ),
    # A second default that is not the boolean true (it crashed with UnboundLocalError).
    (
        'lines = ["10002188"]',
        'lines = ["10002188"]\ndefault = 1',
        "accounts[1].default: must be true or false",
    ),
    (
        'lines = ["10002188"]',
        'lines = ["10002188"]\ndefault = "yes"',
        "accounts[1].default: must be true or false",
    ),
    (
        'lines = ["10002188"]',
        'lines = ["10002188"]\ndefault = "true"',
        'accounts[1].default: must be true or false without quotes: write true, not "true"',
    ),
    # Admins are people.
    (
        "admins = [111111111, 222222222]",
        "admins = [111111111, -1001234567890]",
        "telegram.admins[1]: -1001234567890 is the id of a group or channel, not of a person; "
        "admins are Telegram user ids (positive numbers)",
    ),
    (
        "admins = [111111111, 222222222]",
        "admins = [0]",
        "telegram.admins[0]: 0 is not a Telegram user id; admins are positive numbers",
    ),
    # Strict types: TOML has numbers, a number in quotes is a mistake.
    (
        "admins = [111111111, 222222222]",
        'admins = ["111111111"]',
        "telegram.admins[0]: must be a whole number without quotes: write 111111111, "
        'not "111111111"',
    ),
    (
        "admin_chat_id = -1001234567890",
        'admin_chat_id = "-1001234567890"',
        "telegram.admin_chat_id: must be a whole number without quotes: write -1001234567890, "
        'not "-1001234567890"',
    ),
    (
        "timeout_seconds = 15",
        'timeout_seconds = "20"',
        'accounts[0].timeout_seconds: must be a number without quotes: write 20, not "20"',
    ),
    (
        "max_concurrency = 4",
        'max_concurrency = "4"',
        'accounts[0].max_concurrency: must be a whole number without quotes: write 4, not "4"',
    ),
    (
        "chat_id = -1009876543210",
        'chat_id = "-1009876543210"',
        "routes[0].chat_id: must be a whole number without quotes: write -1009876543210, "
        'not "-1009876543210"',
    ),
    ("inbox = 30", 'inbox = "30s"', "polling.inbox: must be a number"),
    (
        "timeout_seconds = 15",
        "timeout_seconds = inf",
        "accounts[0].timeout_seconds: must be a finite number",
    ),
    # Ports.
    (
        'proxy = ""',
        'proxy = "socks5://127.0.0.1:99999"',
        "telegram.proxy: the port must be a number from 1 to 65535",
    ),
    (
        'proxy = ""',
        'proxy = "socks5://u:pw@127.0.0.1:0"',
        "telegram.proxy: the port must be a number from 1 to 65535",
    ),
    (
        'api_url = "https://api.telegram.org"',
        'api_url = "https://api.telegram.org:http"',
        "telegram.api_url: the port must be a number from 1 to 65535",
    ),
    (
        'provider = "payamak"',
        'provider = "payamak"\nbase_url = "https://h.example:70000/api"',
        "accounts[1].base_url: the port must be a number from 1 to 65535",
    ),
    # Ranges in plain words.
    (
        "timeout_seconds = 15",
        "read_attempts = 11",
        "accounts[0].read_attempts: must be at most 10",
    ),
    # A bad env: name is one problem, not also a wrongly shaped token.
    (
        f'token = "{TOKEN}"',
        'token = "env:1BAD"',
        "telegram.token: 'env:1BAD' does not name an environment variable",
    ),
    (
        f'token = "{TOKEN}"',
        'token = "file:"',
        "telegram.token: 'file:' does not name a file",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), PROBLEMS, ids=[p[2] for p in PROBLEMS])
def test_each_wrong_value_is_one_line_naming_its_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert problems_of(write(tmp_path, edited(old, new))) == [expected]


def test_a_misspelt_section_is_unknown_and_the_real_one_missing(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path, edited("[telegram]", "[telegramm]"))) == [
        "telegram: the [telegram] section is required",
        "telegramm: unknown key (did you mean 'telegram'?)",
    ]


def test_a_section_given_as_a_value_must_be_a_table(tmp_path: Path) -> None:
    text = edited("[telegram]", "polling = 5\n[telegram]").replace("[polling]", "[unused]")
    problems = problems_of(write(tmp_path, text))
    assert problems == [
        "polling: must be a table (a [section] or { … })",
        "unused: unknown key",
    ]


def test_the_unedited_fixture_is_valid(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID), {})
    assert [a.name for a in config.accounts] == ["raygan", "meli"]


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = (
        VALID.replace('language = "fa"', 'language = "de"')
        .replace("max_concurrency = 4", "max_concurrency = 0")
        .replace('line = "50002910001080"', 'line = "999"')
        .replace("inbox = 30", "inbox = -5")
        .replace('password = "meli-secret-pw"', 'password = "env:MELI_PW"')
    )
    problems = problems_of(write(tmp_path, text))
    assert sorted(problems) == sorted(
        [
            "accounts[1].password: environment variable MELI_PW is not set",
            "telegram.language: must be one of 'fa' or 'en'",
            "accounts[0].max_concurrency: must be at least 1",
            "polling.inbox: must be greater than 0",
            "routes[0].line: '999' is not a line of any account",
        ]
    )


def test_a_config_without_accounts_or_telegram_says_so(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "[polling]\ninbox = 10\n"))
    assert problems == [
        "telegram: the [telegram] section is required",
        "accounts: at least one [[accounts]] entry is required",
    ]


# --- env: ----------------------------------------------------------------------------------


def test_spec_example_loads_with_its_environment() -> None:
    config = load_config(FIXTURES / "spec_example.toml", SPEC_ENV)
    assert config.telegram.token.get_secret_value() == SPEC_ENV["TELEGRAM_BOT_TOKEN"]
    raygan, meli = config.accounts
    assert (raygan.username, raygan.password.get_secret_value()) == (
        "raygan-env-user",
        "raygan-env-password",
    )
    assert meli.password.get_secret_value() == "payamak-env-password"
    assert config.default_account is raygan
    assert config.routes == [RouteConfig(line="50002910001080", chat_id=-1009876543210)]
    assert (config.polling.inbox, config.polling.delivery, config.polling.credit) == (30, 60, 3600)


def test_an_unset_variable_is_the_spec_line() -> None:
    env = {k: v for k, v in SPEC_ENV.items() if k != "PAYAMAK_PASSWORD"}
    assert problems_of(FIXTURES / "spec_example.toml", env) == [
        "accounts[1].password: environment variable PAYAMAK_PASSWORD is not set"
    ]


def test_every_unset_variable_is_reported() -> None:
    problems = problems_of(FIXTURES / "spec_example.toml", {})
    assert problems == [
        "telegram.token: environment variable TELEGRAM_BOT_TOKEN is not set",
        "accounts[0].username: environment variable RAYGAN_USER is not set",
        "accounts[0].password: environment variable RAYGAN_PASSWORD is not set",
        "accounts[1].username: environment variable PAYAMAK_USER is not set",
        "accounts[1].password: environment variable PAYAMAK_PASSWORD is not set",
    ]


def test_env_works_for_any_string_value_and_numbers_given_as_strings(tmp_path: Path) -> None:
    text = (
        VALID.replace('api_url = "https://api.telegram.org"', 'api_url = "env:TG_API"')
        .replace("admin_chat_id = -1001234567890", 'admin_chat_id = "env:ADMIN_CHAT"')
        .replace('lines = ["10002188"]', 'lines = ["env:MELI_LINE"]')
    )
    env = {"TG_API": "http://127.0.0.1:8081/", "ADMIN_CHAT": "-100555", "MELI_LINE": "30004"}
    config = load_config(write(tmp_path, text), env)
    assert config.telegram.api_url == "http://127.0.0.1:8081"
    assert config.telegram.admin_chat_id == -100555
    assert config.account_for_line("30004") is config.account("meli")


def test_a_bad_value_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    text = VALID.replace('password = "meli-secret-pw"', 'password = "env:MELI_PW"')
    assert problems_of(write(tmp_path, text), {"MELI_PW": ""}) == [
        "accounts[1].password: must not be empty (from environment variable MELI_PW)"
    ]


def test_env_prefix_without_a_variable_name_is_a_problem(tmp_path: Path) -> None:
    text = VALID.replace('password = "meli-secret-pw"', 'password = "env:"')
    assert problems_of(write(tmp_path, text)) == [
        "accounts[1].password: 'env:' does not name an environment variable"
    ]


def test_a_number_from_the_environment_that_is_none_names_the_variable(tmp_path: Path) -> None:
    text = VALID.replace("admin_chat_id = -1001234567890", 'admin_chat_id = "env:ADMIN_CHAT"')
    assert problems_of(write(tmp_path, text), {"ADMIN_CHAT": "admins"}) == [
        "telegram.admin_chat_id: must be a whole number (from environment variable ADMIN_CHAT)"
    ]


def test_a_second_default_from_the_environment_is_the_one_default_problem(tmp_path: Path) -> None:
    text = VALID.replace(
        'lines = ["10002188"]', 'lines = ["10002188"]\ndefault = "env:MELI_DEFAULT"'
    )
    assert problems_of(write(tmp_path, text), {"MELI_DEFAULT": "yes"}) == [
        "accounts[1].default: only one account may be the default; accounts[0] already is"
    ]


# --- file: ---------------------------------------------------------------------------------


def test_file_reads_any_secret_without_its_trailing_newline(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(f"{TOKEN}\n")
    (tmp_path / "meli").write_bytes(b"meli from file\r\n")
    (tmp_path / "proxy").write_text("socks5://u:proxy-secret@p:1080\n\n")
    text = (
        VALID.replace(f'token = "{TOKEN}"', f'token = "file:{tmp_path}/token"')
        .replace('password = "meli-secret-pw"', f'password = "file:{tmp_path}/meli"')
        .replace('proxy = ""', f'proxy = "file:{tmp_path}/proxy"')
    )
    config = load_config(write(tmp_path, text), {})
    assert config.telegram.token.get_secret_value() == TOKEN
    meli = config.account("meli")
    assert meli is not None and meli.password.get_secret_value() == "meli from file"
    assert config.telegram.proxy == "socks5://u:proxy-secret@p:1080"


def test_file_paths_may_use_environment_variables_like_systemd_credentials(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "meli_password").write_text("from-systemd\n")
    (credentials / "admin_chat").write_text("-100777\n")
    text = VALID.replace(
        'password = "meli-secret-pw"',
        'password = "file:${CREDENTIALS_DIRECTORY}/meli_password"',
    ).replace(
        "admin_chat_id = -1001234567890", 'admin_chat_id = "file:$CREDENTIALS_DIRECTORY/admin_chat"'
    )
    config = load_config(write(tmp_path, text), {"CREDENTIALS_DIRECTORY": str(credentials)})
    meli = config.account("meli")
    assert meli is not None and meli.password.get_secret_value() == "from-systemd"
    assert config.telegram.admin_chat_id == -100777


def test_a_relative_file_is_taken_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "meli").write_text("relative-secret")
    monkeypatch.chdir(tmp_path)
    text = VALID.replace('password = "meli-secret-pw"', 'password = "file:secrets/meli"')
    meli = load_config(write(tmp_path, text), {}).account("meli")
    assert meli is not None and meli.password.get_secret_value() == "relative-secret"


def unreadable_file(tmp_path: Path) -> tuple[str, str]:
    return (
        f"{tmp_path}/absent",
        f"cannot read the file {tmp_path}/absent: no such file or directory",
    )


def a_directory(tmp_path: Path) -> tuple[str, str]:
    return str(tmp_path), f"cannot read the file {tmp_path}: is a directory"


def not_text(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "binary").write_bytes(b"\xff\xfe\x00")
    return f"{tmp_path}/binary", f"the file {tmp_path}/binary is not UTF-8 text"


def unset_variable(tmp_path: Path) -> tuple[str, str]:
    return (
        "${CREDENTIALS_DIRECTORY}/meli",
        "environment variable CREDENTIALS_DIRECTORY (in 'file:${CREDENTIALS_DIRECTORY}/meli') "
        "is not set",
    )


@pytest.mark.parametrize("case", [unreadable_file, a_directory, not_text, unset_variable])
def test_a_file_that_cannot_be_read_is_one_line_naming_key_and_file(
    tmp_path: Path, case: Callable[[Path], tuple[str, str]]
) -> None:
    path, problem = case(tmp_path)
    text = VALID.replace('password = "meli-secret-pw"', f'password = "file:{path}"')
    assert problems_of(write(tmp_path, text)) == [f"accounts[1].password: {problem}"]


def test_a_bad_value_from_a_file_names_the_file_and_not_the_value(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("bot123:hunter2hunter2\n")
    (tmp_path / "empty").write_text("\n")
    text = VALID.replace(f'token = "{TOKEN}"', f'token = "file:{tmp_path}/token"').replace(
        'password = "meli-secret-pw"', f'password = "file:{tmp_path}/empty"'
    )
    problems = problems_of(write(tmp_path, text))
    assert problems == [
        "telegram.token: must be a bot token as BotFather gives it (digits, a colon, then "
        f'letters), without the "bot" prefix (from file {tmp_path}/token)',
        f"accounts[1].password: must not be empty (from file {tmp_path}/empty)",
    ]
    assert "hunter2" not in "\n".join(problems)


def test_os_environ_is_the_default_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = VALID.replace('password = "meli-secret-pw"', 'password = "env:SMS_TEST_MELI_PW"')
    monkeypatch.setenv("SMS_TEST_MELI_PW", "from-os-environ")
    config = load_config(write(tmp_path, text))
    meli = config.account("meli")
    assert meli is not None
    assert meli.password.get_secret_value() == "from-os-environ"


# --- defaults and helpers ------------------------------------------------------------------


def test_defaults() -> None:
    config = load_config(FIXTURES / "minimal.toml", {})
    tg = config.telegram
    assert (tg.api_url, tg.proxy, tg.language) == ("https://api.telegram.org", "", "fa")
    assert config.storage == StorageConfig(path=Path("data/sms-bridge.sqlite3"))
    (meli,) = config.accounts
    assert meli.base_url == "https://rest.payamak-panel.com/api/SendSMS"
    assert (meli.default, meli.timeout_seconds, meli.max_concurrency, meli.credit_low) == (
        False,
        20,
        8,
        None,
    )
    assert config.routes == []
    assert config.polling == PollingConfig(inbox=30, delivery=10, credit=3600)
    assert config.alerts == AlertsConfig(window_seconds=3600, failures_before_alert=3)
    assert config.delivery == DeliveryConfig(
        give_up_hours=72,
        backoff_seconds=[*[10] * 5, 60, 180, 300, 1200, 1800, 3600, 14400, 21600, 43200, 86400],
    )


@pytest.mark.parametrize(
    ("provider", "url"),
    [
        ("raygansms", "https://raygansms.com/api/smsAPI"),
        ("payamak", "https://rest.payamak-panel.com/api/SendSMS"),
    ],
)
def test_base_url_defaults_per_provider(tmp_path: Path, provider: str, url: str) -> None:
    text = (FIXTURES / "minimal.toml").read_text(encoding="utf-8")
    config = load_config(write(tmp_path, text.replace('"payamak"', f'"{provider}"')), {})
    assert config.accounts[0].base_url == url == PROVIDERS[provider].default_base_url


def test_a_given_base_url_wins_and_loses_its_trailing_slash(tmp_path: Path) -> None:
    text = VALID.replace(
        'provider = "payamak"', 'provider = "payamak"\nbase_url = "http://127.0.0.1:9/payamak/"'
    )
    meli = load_config(write(tmp_path, text), {}).account("meli")
    assert meli is not None
    assert meli.base_url == "http://127.0.0.1:9/payamak"


@pytest.mark.parametrize("proxy", ["http://p:3128", "https://p:3128", "socks5://u:pw@p:1080"])
def test_accepted_proxies(tmp_path: Path, proxy: str) -> None:
    config = load_config(write(tmp_path, VALID.replace('proxy = ""', f'proxy = "{proxy}"')), {})
    assert config.telegram.proxy == proxy


def test_helpers(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID), {})
    raygan, meli = config.accounts
    assert config.account("meli") is meli
    assert config.account("nope") is None
    assert config.default_account is raygan
    assert config.account_for_line("50002910001081") is raygan
    assert config.account_for_line("10002188") is meli
    assert config.account_for_line("999") is None
    settings = raygan.http_settings()
    assert (settings.read_timeout, settings.max_concurrency) == (15, 4)
    assert settings.connect_timeout <= settings.read_timeout


def test_the_first_account_is_default_when_none_says_so(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID.replace("default = true\n", "")), {})
    assert config.default_account.name == "raygan"


def test_the_marked_account_is_default_even_when_not_first(tmp_path: Path) -> None:
    text = VALID.replace("default = true\n", "").replace(
        'lines = ["10002188"]', 'lines = ["10002188"]\ndefault = true'
    )
    assert load_config(write(tmp_path, text), {}).default_account.name == "meli"


def test_cross_checks_hold_for_configs_built_in_code() -> None:
    account = AccountConfig(
        name="a", provider="payamak", username="u", password="p", lines=["10002188"]
    )
    telegram = TelegramConfig(token=TOKEN, admins=[1], admin_chat_id=-1)
    with pytest.raises(ValidationError, match="not a line of any account"):
        Config(
            telegram=telegram,
            accounts=[account],
            routes=[RouteConfig(line="50002910001080", chat_id=1)],
        )


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID), {})
    with pytest.raises(ValidationError):
        config.telegram.language = "en"  # type: ignore[misc]


# --- files, paths, secrets -----------------------------------------------------------------


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    assert problems_of(path) == [
        f"{path}: config file not found (give --config PATH or set SMS_BRIDGE_CONFIG)"
    ]


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("[storage]", "[storage"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: not valid TOML: ")
    line = VALID.splitlines().index("[storage]") + 1
    assert f"line {line}," in problem


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "café"\n'.encode("latin-1"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: not valid TOML")


def test_config_error_text_is_one_line_per_problem() -> None:
    error = ConfigError(["a: one", "b: two"])
    assert str(error) == "a: one\nb: two"
    assert error.problems == ["a: one", "b: two"]


@pytest.mark.parametrize(
    ("cli", "env", "expected"),
    [
        ("given.toml", {"SMS_BRIDGE_CONFIG": "/etc/env.toml"}, "given.toml"),
        (None, {"SMS_BRIDGE_CONFIG": "/etc/env.toml"}, "/etc/env.toml"),
        (None, {}, "config.toml"),
        (None, {"SMS_BRIDGE_CONFIG": ""}, "config.toml"),
    ],
)
def test_config_path_resolution(cli: str | None, env: dict[str, str], expected: str) -> None:
    assert resolve_config_path(cli, env) == Path(expected)


def test_secrets_never_show_in_repr_or_str(tmp_path: Path) -> None:
    text = VALID.replace('proxy = ""', 'proxy = "socks5://proxyuser:proxy-secret@p:1080"')
    config = load_config(write(tmp_path, text), {})
    shown = [repr(config), str(config), repr(config.telegram), str(config.accounts)]
    for text_shown in shown:
        for secret in (TOKEN, "raygan-secret-pw", "meli-secret-pw", "proxy-secret"):
            assert secret not in text_shown
    dumped = config.model_dump_json()
    for secret in (TOKEN, "raygan-secret-pw", "meli-secret-pw"):
        assert secret not in dumped


def test_secret_values_are_every_secret_the_config_holds(tmp_path: Path) -> None:
    text = VALID.replace('proxy = ""', 'proxy = "socks5://pu:proxy%2Fsecret@p:1080"').replace(
        'provider = "payamak"', 'provider = "payamak"\nbase_url = "https://u:url-pw@h.example/api"'
    )
    values = set(load_config(write(tmp_path, text), {}).secret_values())
    assert values == {
        TOKEN,
        TOKEN.split(":", 1)[1],
        "raygan-secret-pw",
        base64.b64encode(b"raygan-user:raygan-secret-pw").decode(),
        "meli-secret-pw",
        base64.b64encode(b"meli-user:meli-secret-pw").decode(),
        "proxy%2Fsecret",
        "proxy/secret",
        "url-pw",
    }


def test_problems_never_echo_a_secret(tmp_path: Path) -> None:
    text = VALID.replace(f'token = "{TOKEN}"', 'token = "bot123:hunter2hunter2"').replace(
        'proxy = ""', 'proxy = "ftp://u:proxy-secret@p"'
    )
    problems = "\n".join(problems_of(write(tmp_path, text)))
    assert "hunter2" not in problems
    assert "proxy-secret" not in problems


# --- the documented example ----------------------------------------------------------------

EXAMPLE = ROOT / "deploy" / "config.example.toml"


def test_the_example_config_is_valid() -> None:
    config = load_config(EXAMPLE, SPEC_ENV)
    assert [a.provider for a in config.accounts] == ["raygansms", "payamak"]


SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("telegram", TelegramConfig),
    ("storage", StorageConfig),
    ("accounts", AccountConfig),
    ("routes", RouteConfig),
    ("polling", PollingConfig),
    ("alerts", AlertsConfig),
    ("delivery", DeliveryConfig),
    ("bulk", BulkConfig),
    ("api", ApiConfig),
    ("api.keys", ApiKeyConfig),
    ("otp", OtpConfig),
]


@pytest.mark.parametrize(("section", "model"), SECTIONS, ids=[s for s, _ in SECTIONS])
def test_the_example_sets_and_documents_every_key(section: str, model: type[BaseModel]) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    value: Any = data
    for part in section.split("."):
        value = value[part]
    table = value[0] if isinstance(value, list) else value
    assert set(table) == set(model.model_fields)
    lines = text.splitlines()
    start = lines.index(f"[[{section}]]" if isinstance(value, list) else f"[{section}]")
    for key in model.model_fields:
        heads = (f"{key} =", f"[[{section}.{key}]]")  # a key, or an array of tables
        at = next(i for i in range(start, len(lines)) if lines[i].startswith(heads))
        assert lines[at - 1].startswith("#"), f"{section}.{key} has no comment above it"
    assert set(data) == set(Config.model_fields)
