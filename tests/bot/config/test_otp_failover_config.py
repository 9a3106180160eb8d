"""[otp] and accounts[].fallback: defaults, every refusal as one line naming the key, the OTP key
as a secret, and the same checks on a Config built in code."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Config, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[3]
VALID = (ROOT / "tests" / "fixtures" / "config" / "valid.toml").read_text(encoding="utf-8")
THIRD = '\n[[accounts]]\nname = "third"\nprovider = "payamak"\nusername = "u3"\npassword = "p3"\nlines = ["30001"]\n'  # noqa: E501


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env or {})


def problems(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text, env)
    return caught.value.problems


def with_fallbacks(raygan: str, meli: str, third: str | None = None) -> str:
    text = VALID.replace("credit_low = 10000", f"credit_low = 10000\nfallback = {raygan!r}")
    text = text.replace('lines = ["10002188"]', f'lines = ["10002188"]\nfallback = {meli!r}')
    if third is not None:
        text = text.replace("[[routes]]", THIRD + f"fallback = {third!r}\n\n[[routes]]")
    return text.replace("'", '"')


def test_defaults_are_the_specs(tmp_path: Path) -> None:
    config = load(tmp_path, VALID)
    otp = config.otp
    assert (otp.length, otp.ttl_seconds, otp.max_checks) == (6, 120, 5)
    assert (otp.per_number_minute, otp.per_number_hour) == (1, 5)
    assert otp.mode == "own" and "{code}" in otp.text
    assert otp.key.get_secret_value() == ""
    assert config.otp_account is config.default_account
    assert [a.fallback for a in config.accounts] == ["", ""]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("length = 3", "otp.length: must be at least 4"),
        ("length = 11", "otp.length: must be at most 10"),
        ('text = "your code"', "otp.text: must contain {code} exactly once (where the code goes)"),
        ('text = "{code} {code}"', "otp.text: must contain {code} exactly once"),
        ('mode = "sms"', "otp.mode: must be one of 'own' or 'provider'"),
        ("max_checks = 0", "otp.max_checks: must be at least 1"),
        ('key = "short"', "otp.key: must be empty (a key kept in the database) or at least 16"),
        ('account = "nobody"', "otp.account: no account is named 'nobody'"),
        ('mode = "provider"\naccount = "meli"', 'otp.account: mode "provider" needs an account'),
        (
            "per_number_minute = 3\nper_number_hour = 2",
            "otp.per_number_hour: must be at least per_number_minute (3)",
        ),
        ("lenght = 6", "otp.lenght: unknown key (did you mean 'length'?)"),
    ],
)
def test_each_bad_otp_value_is_one_line_naming_its_key(
    tmp_path: Path, section: str, expected: str
) -> None:
    [problem] = problems(tmp_path, f"{VALID}\n[otp]\n{section}\n")
    assert problem.startswith(expected), problem


def test_provider_mode_on_a_payamak_default_account_names_the_mode(tmp_path: Path) -> None:
    text = VALID.replace("default = true\n", "").replace(
        'lines = ["10002188"]', 'lines = ["10002188"]\ndefault = true'
    )
    [problem] = problems(tmp_path, f'{text}\n[otp]\nmode = "provider"\n')
    assert problem == (
        'otp.mode: mode "provider" needs an account whose provider makes the codes itself '
        "(SendAutoCode: raygansms); account 'meli' is payamak"
    )


def test_provider_mode_on_raygansms_and_a_key_from_the_environment_load(tmp_path: Path) -> None:
    text = f'{VALID}\n[otp]\nmode = "provider"\naccount = "raygan"\nkey = "env:OTP_KEY"\n'
    config = load(tmp_path, text, {"OTP_KEY": "a-long-otp-key-from-env"})
    assert config.otp.mode == "provider"
    assert config.otp_account.name == "raygan"
    assert "a-long-otp-key-from-env" in config.secret_values()
    assert "a-long-otp-key-from-env" not in repr(config)


def test_a_fallback_to_another_account_loads(tmp_path: Path) -> None:
    config = load(tmp_path, with_fallbacks("meli", ""))
    assert [a.fallback for a in config.accounts] == ["meli", ""]


@pytest.mark.parametrize(
    ("fallbacks", "expected"),
    [
        (("nobody", ""), ["accounts[0].fallback: no account is named 'nobody'"]),
        (("raygan", ""), ["accounts[0].fallback: an account cannot fall back on itself"]),
        (("meli", "raygan"), ["accounts[0].fallback: the fallbacks raygan → meli → raygan loop"]),
        (
            ("meli", "third", "raygan"),
            ["accounts[0].fallback: the fallbacks raygan → meli → third → raygan loop"],
        ),
        (
            ("", "third", "meli"),
            ["accounts[1].fallback: the fallbacks meli → third → meli loop"],
        ),
    ],
)
def test_a_bad_fallback_is_one_line_naming_the_key(
    tmp_path: Path, fallbacks: tuple[str, ...], expected: list[str]
) -> None:
    assert problems(tmp_path, with_fallbacks(*fallbacks)) == expected


def test_a_chain_without_a_loop_is_allowed(tmp_path: Path) -> None:
    # raygan → meli → third: allowed in config; a send still makes one hop at most.
    config = load(tmp_path, with_fallbacks("meli", "third", ""))
    assert [a.fallback for a in config.accounts] == ["meli", "third", ""]


def test_a_config_built_in_code_is_checked_the_same(tmp_path: Path) -> None:
    data = load(tmp_path, VALID).model_dump(mode="python")
    data["telegram"]["token"] = "123456789:AAEexampleexampleexampleexample0"
    for account in data["accounts"]:
        account["password"] = "pw"
    data["otp"]["key"] = ""
    data["accounts"][0]["fallback"] = "raygan"
    with pytest.raises(ValidationError, match="cannot fall back on itself"):
        Config.model_validate(data)
