"""deploy/docker-compose.replicas.yml: PostgreSQL, two replicas on one config, Caddy to both."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from bot.config import load_config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (DEPLOY / "docker-compose.replicas.yml").read_text(encoding="utf-8")
    )
    return data


def test_two_replicas_share_one_config_and_caddy_sends_to_both() -> None:
    services = _compose()["services"]
    replicas = [name for name in services if name.startswith("replica-")]
    assert len(replicas) == 2
    mounts = {tuple(services[r]["volumes"]) for r in replicas}
    assert mounts == {("./config.replicas.toml:/config/config.toml:ro",)}
    command = services["caddy"]["command"]
    upstreams = [command[i + 1] for i, arg in enumerate(command) if arg == "--to"]
    assert upstreams == [f"{r}:8443" for r in replicas]
    assert services["postgres"]["healthcheck"]
    for name in replicas:
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    secrets = _compose()["secrets"]
    assert all(s["file"].startswith("./secrets/") for s in secrets.values())


def test_the_recipe_turns_the_example_into_a_replica_config(tmp_path: Path) -> None:
    header = (DEPLOY / "docker-compose.replicas.yml").read_text(encoding="utf-8")
    header = header.split("x-bridge:")[0]
    text = (DEPLOY / "config.example.toml").read_text(encoding="utf-8")
    for old, new in re.findall(r"-e 's\|(.+?)\|(.+?)\|'", header):
        pattern = old.replace("^", "(?m)^", 1) if old.startswith("^") else re.escape(old)
        text, count = re.subn(pattern, new.replace("\\", "\\\\"), text, count=1)
        assert count == 1, old
    secrets = tmp_path / "run"
    secrets.mkdir()
    data = tomllib.loads(text)
    assert data["storage"]["url"].startswith("postgresql://bridge:file:/run/secrets/")
    for name in ("telegram_token", "raygan_password", "payamak_password", "pg_password"):
        (secrets / name).write_text("x\n", encoding="utf-8")
    (secrets / "telegram_token").write_text("123:abcDEF\n", encoding="utf-8")
    (secrets / "telegram_secret_token").write_text("s3cret-token\n", encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text.replace("/run/secrets/", f"{secrets}/"), encoding="utf-8")
    # The example's [api] section (webhook secret, a key) reads these from the environment.
    environ = {
        "RAYGAN_USER": "u",
        "PAYAMAK_USER": "u",
        "WEBHOOK_SECRET": "w" * 32,
        "SHOP_API_KEY": "k" * 32,
    }
    config = load_config(path, environ)
    assert config.telegram.mode == "webhook"
    assert config.storage.is_postgres
    assert config.telegram.secret_token.get_secret_value() == "s3cret-token"
