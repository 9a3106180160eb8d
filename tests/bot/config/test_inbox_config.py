"""The [polling] keys of the inbox: how far a first poll and RayganSMS's look-back reach."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, PollingConfig, load_config
from providers.base import InboxWindow

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "config"
VALID = (FIXTURES / "valid.toml").read_text(encoding="utf-8")


def test_the_defaults_are_ten_minutes_and_six_hours() -> None:
    assert PollingConfig().inbox_window() == InboxWindow(first_start=600, lookback=21600)


def test_the_keys_reach_the_adapters_window() -> None:
    polling = PollingConfig(inbox_first_window=120, inbox_lookback=3 * 3600)
    assert polling.inbox_window() == InboxWindow(first_start=120, lookback=10800)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("inbox_first_window = -1", "polling.inbox_first_window"),
        ("inbox_lookback = 700000", "polling.inbox_lookback"),
    ],
)
def test_a_value_out_of_range_is_named_by_its_key(tmp_path: Path, line: str, key: str) -> None:
    assert "[polling]\n" in VALID
    path = tmp_path / "config.toml"
    path.write_text(VALID.replace("[polling]\n", f"[polling]\n{line}\n", 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, {})
    (problem,) = caught.value.problems
    assert problem.startswith(key)
