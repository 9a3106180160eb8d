"""The cross-section checks run once per load, on the data as written, whether or not the
sections validate; a Config built in code runs them itself (once)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

import bot.config.cross
from bot.config import ConfigError, load_config
from bot.config.cross import cross_problems

VALID = (Path(__file__).resolve().parents[2] / "fixtures" / "config" / "valid.toml").read_text(
    encoding="utf-8"
)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per run of the cross-section checks."""
    calls: list[int] = []
    real = bot.config.cross._problems

    def counted(
        accounts: Sequence[tuple[object, Sequence[object], object]], routes: Sequence[object]
    ) -> list[str]:
        calls.append(1)
        return real(accounts, routes)

    monkeypatch.setattr(bot.config.cross, "_problems", counted)
    return calls


def load(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path, {})
    except ConfigError as error:
        return error.problems
    return []


def test_a_valid_config_is_cross_checked_once(tmp_path: Path, runs: list[int]) -> None:
    assert load(tmp_path, VALID) == []
    assert len(runs) == 1


def test_a_cross_problem_is_found_by_one_run(tmp_path: Path, runs: list[int]) -> None:
    text = VALID.replace('line = "50002910001080"', 'line = "999"')
    assert load(tmp_path, text) == ["routes[0].line: '999' is not a line of any account"]
    assert len(runs) == 1


def test_with_a_section_invalid_the_cross_problems_still_come_from_one_run(
    tmp_path: Path, runs: list[int]
) -> None:
    text = VALID.replace('line = "50002910001080"', 'line = "999"').replace(
        'language = "fa"', 'language = "de"'
    )
    assert load(tmp_path, text) == [
        "telegram.language: must be one of 'fa' or 'en'",
        "routes[0].line: '999' is not a line of any account",
    ]
    assert len(runs) == 1


def test_raw_data_of_the_wrong_shape_is_skipped_not_reported() -> None:
    # Each of these is a problem of its own section, worded there.
    assert cross_problems({"accounts": "x", "routes": [{"line": "999"}]}) == []
    assert cross_problems({"accounts": [7, {"name": 3, "lines": "12345"}]}) == []
    assert cross_problems(
        {
            "accounts": [
                {"name": "a", "lines": ["12345"], "default": True},
                {"name": "a", "lines": ["12345", 5], "default": True},
            ],
            "routes": [{"line": "12345"}, {"line": "67890"}, "x"],
        }
    ) == [
        "accounts[1].name: the name 'a' is already used by accounts[0]",
        "accounts[1].lines[0]: line '12345' is already a line of accounts[0]; a line belongs "
        "to one account",
        "accounts[1].default: only one account may be the default; accounts[0] already is",
        "routes[1].line: '67890' is not a line of any account",
    ]
