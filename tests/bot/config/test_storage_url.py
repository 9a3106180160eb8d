"""storage.url: a PostgreSQL server instead of the SQLite file, its password read from env:/file:
and kept out of sight."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[3]
VALID = (ROOT / "tests" / "fixtures" / "config" / "valid.toml").read_text(encoding="utf-8")


def _with_storage(tmp_path: Path, storage: str) -> Path:
    path = tmp_path / "config.toml"
    assert 'path = "data/test.sqlite3"' in VALID
    path.write_text(VALID.replace('path = "data/test.sqlite3"', storage, 1), encoding="utf-8")
    return path


def _problems(path: Path, environ: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ)
    return caught.value.problems


def test_sqlite_is_the_default(tmp_path: Path) -> None:
    config = load_config(_with_storage(tmp_path, ""), {})
    assert config.storage.url == ""
    assert not config.storage.is_postgres


def test_the_password_part_is_read_from_the_environment(tmp_path: Path) -> None:
    path = _with_storage(tmp_path, 'url = "postgresql://bridge:env:PGPASSWORD@db:5433/bridge"')
    config = load_config(path, {"PGPASSWORD": "s3cret/with@odd:chars"})
    assert config.storage.is_postgres
    assert config.storage.url == "postgresql://bridge:s3cret%2Fwith%40odd%3Achars@db:5433/bridge"
    secrets = config.secret_values()
    assert "s3cret/with@odd:chars" in secrets
    assert "s3cret%2Fwith%40odd%3Achars" in secrets
    assert "s3cret" not in repr(config) + str(config.storage)


def test_the_password_part_is_read_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("from-a-file\n", encoding="utf-8")
    url = f'url = "postgresql://bridge:file:{tmp_path / "pw"}@db/bridge"'
    config = load_config(_with_storage(tmp_path, url), {})
    assert config.storage.url == "postgresql://bridge:from-a-file@db/bridge"
    assert "from-a-file" in config.secret_values()


def test_the_whole_url_may_come_from_the_environment(tmp_path: Path) -> None:
    config = load_config(
        _with_storage(tmp_path, 'url = "env:DATABASE_URL"'),
        {"DATABASE_URL": "postgresql://u:whole-pw@h/d"},
    )
    assert config.storage.url == "postgresql://u:whole-pw@h/d"
    assert "whole-pw" in config.secret_values()


def test_an_unset_password_variable_is_one_line(tmp_path: Path) -> None:
    path = _with_storage(tmp_path, 'url = "postgresql://bridge:env:PGPASSWORD@db/bridge"')
    assert _problems(path, {}) == ["storage.url: environment variable PGPASSWORD is not set"]


def test_path_and_url_together_are_refused(tmp_path: Path) -> None:
    storage = 'path = "x.sqlite3"\nurl = "postgresql://u:pw@h/d"'
    (problem,) = _problems(_with_storage(tmp_path, storage), {})
    assert "storage" in problem and "not both" in problem


@pytest.mark.parametrize(
    "url",
    ["mysql://u:pw@h/d", "postgresql:///d", "postgresql://u:pw@h", "postgresql://u:pw@h:0/d"],
)
def test_a_url_that_is_not_postgres_is_refused_without_echoing_it(tmp_path: Path, url: str) -> None:
    (problem,) = _problems(_with_storage(tmp_path, f'url = "{url}"'), {})
    assert problem.startswith("storage.url: ")
    assert "pw" not in problem
