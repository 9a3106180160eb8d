"""[bulk] and the accounts' throttle keys: defaults, accepted values, refusals named by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import BulkConfig, ConfigError, load_config

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "config"
VALID = (FIXTURES / "valid.toml").read_text(encoding="utf-8")
FIRST_ACCOUNT = '[[accounts]]\nname = "raygan"\n'


def _load(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path, {})
    except ConfigError as error:
        return list(error.problems)
    return []


def test_the_defaults() -> None:
    bulk = BulkConfig()
    assert (bulk.max_recipients, bulk.quiet_hours, bulk.opt_out_suffix) == (50_000, "", "")
    assert bulk.quiet_window() is None


def test_quiet_hours_across_midnight_are_read() -> None:
    assert BulkConfig(quiet_hours="22:00-08:30").quiet_window() == ((22, 0), (8, 30))


def test_a_valid_bulk_section_and_throttle_load(tmp_path: Path) -> None:
    assert FIRST_ACCOUNT in VALID
    text = VALID.replace(FIRST_ACCOUNT, FIRST_ACCOUNT + "max_per_minute = 60\ndaily_limit = 900\n")
    text += '\n[bulk]\nmax_recipients = 10\nquiet_hours = "23:00-07:00"\nopt_out_suffix = "لغو11"\n'
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path, {})
    assert (config.accounts[0].max_per_minute, config.accounts[0].daily_limit) == (60, 900)
    assert (config.accounts[1].max_per_minute, config.accounts[1].daily_limit) == (None, 0)
    assert config.bulk.quiet_window() == ((23, 0), (7, 0))
    assert config.bulk.opt_out_suffix == "لغو11"


@pytest.mark.parametrize(
    ("bulk", "key"),
    [
        ('quiet_hours = "22-08"', "bulk.quiet_hours"),
        ('quiet_hours = "24:00-08:00"', "bulk.quiet_hours"),
        ('quiet_hours = "08:00-08:00"', "bulk.quiet_hours"),
        ("max_recipients = 0", "bulk.max_recipients"),
        ('max_recipients = "10"', "bulk.max_recipients"),
        ("recipients = 5", "bulk.recipients"),
    ],
)
def test_a_bad_bulk_value_is_named_by_its_key(tmp_path: Path, bulk: str, key: str) -> None:
    (problem,) = _load(tmp_path, VALID + f"\n[bulk]\n{bulk}\n")
    assert problem.startswith(key)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("max_per_minute = 0", "accounts[0].max_per_minute"),
        ("daily_limit = -1", "accounts[0].daily_limit"),
        ('daily_limit = "5"', "accounts[0].daily_limit"),
    ],
)
def test_a_bad_throttle_is_named_by_its_key(tmp_path: Path, line: str, key: str) -> None:
    (problem,) = _load(tmp_path, VALID.replace(FIRST_ACCOUNT, FIRST_ACCOUNT + line + "\n"))
    assert problem.startswith(key)
