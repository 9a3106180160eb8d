"""`sms-bridge health`: healthy while every polling job succeeds on time; one line and a
non-zero exit when the database is missing or does not answer, or a job is stuck or failing."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bridge_harness import World, wait_for, write_toml

from bot.cli import main
from bot.config import Config, load_config
from bot.health import check_health, judge, polling_intervals, stale_after
from providers.base import Receipt
from sandbox.faults import FaultKind
from storage.models import PollHealth
from storage.sqlite import SqliteStorage
from storage.sqlite.db import open_database

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "tests" / "fixtures" / "config" / "valid.toml"
NOW = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)


def polled_jobs(world: World) -> set[tuple[str, str]]:
    """(account, job) of every job that has recorded a success."""
    with world.db() as conn:
        rows = conn.execute(
            "SELECT account, job FROM poll_health WHERE last_success_at IS NOT NULL"
        ).fetchall()
    return {(r["account"], r["job"]) for r in rows}


def expected_jobs(config: Config) -> set[tuple[str, str]]:
    # Delivery polls (and records) only when some recipient is due: not on an idle bridge.
    jobs = set(polling_intervals(config)) - {"delivery"}
    return {(a.name, job) for a in config.accounts for job in jobs}


def config_with_db(tmp_path: Path, db_path: Path) -> Path:
    text = VALID.read_text(encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text.replace('path = "data/test.sqlite3"', f'path = "{db_path}"'))
    return path


# --- against the real bridge ---------------------------------------------------------------


async def test_healthy_while_the_bridge_polls(
    bridge: World, capsys: pytest.CaptureFixture[str]
) -> None:
    config = bridge.config()
    await wait_for(
        lambda: polled_jobs(bridge) == expected_jobs(config), what="every job's first success"
    )
    # The jobs health expects are exactly those the bridge records (names cannot drift apart).
    with bridge.db() as conn:
        recorded = {(r[0], r[1]) for r in conn.execute("SELECT account, job FROM poll_health")}
    assert recorded == expected_jobs(config)

    path = write_toml(bridge.config_data(), bridge.tmp_path / "config.toml")
    assert await asyncio.to_thread(main, ["health", "--config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    (line,) = out.splitlines()
    assert line.startswith("healthy: 6 polling jobs of 2 accounts on time")


async def test_stuck_once_the_jobs_stop_succeeding_for_longer_than_their_limit(
    bridge: World,
) -> None:
    config = bridge.config()
    await wait_for(lambda: polled_jobs(bridge) == expected_jobs(config), what="first successes")
    await bridge.stop_bridge()  # nothing polls any more
    assert (await check_health(config)).healthy

    inbox_limit = stale_after(config.polling.inbox)
    later = datetime.now(UTC) + timedelta(seconds=inbox_limit + 1)
    health = await check_health(config, now=later)
    assert not health.healthy
    assert "\n" not in health.line
    assert health.line.startswith("unhealthy: inbox of raygan last succeeded ")
    for account in ("raygan", "meli"):
        assert f"inbox of {account} last succeeded" in health.line
        assert f"delivery of {account}" not in health.line  # nothing tracked, nothing due
        assert f"credit of {account}" not in health.line  # hourly: still within its limit


async def test_an_account_whose_polls_keep_failing_is_unhealthy(world: World) -> None:
    world.sandbox.raygan.faults.inject(FaultKind.HTTP_STATUS, value=502, times=None)
    await world.start_bridge()
    config = world.config()
    await wait_for(
        lambda: {("meli", "inbox"), ("meli", "credit")} <= polled_jobs(world),
        what="meli polling",
    )
    await wait_for(lambda: _failures(world, "raygan", "inbox") >= 2, what="raygan failing")
    health = await check_health(config)
    assert not health.healthy
    assert re.search(r"inbox of raygan never succeeded, \d+ failures in a row", health.line)
    assert "of meli" not in health.line


def _failures(world: World, account: str, job: str) -> int:
    with world.db() as conn:
        row = conn.execute(
            "SELECT consecutive_failures FROM poll_health WHERE account = ? AND job = ?",
            (account, job),
        ).fetchone()
    return 0 if row is None else int(row[0])


# --- the database --------------------------------------------------------------------------


def test_a_missing_database_is_one_line_and_exit_1_and_is_not_created(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "missing.sqlite3"
    config = config_with_db(tmp_path, db_path)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "health", "--config", str(config)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"unhealthy: database {db_path} does not exist (has the bridge run?)"
    ]
    assert not db_path.parent.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "no such table: poll_health"), (b"not a database " * 100, "not a database")],
    ids=["empty file", "garbage"],
)
def test_a_database_that_does_not_answer_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    db_path = tmp_path / "bridge.sqlite3"
    db_path.write_bytes(content)
    assert main(["health", "--config", str(config_with_db(tmp_path, db_path))]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"unhealthy: database {db_path} does not answer: ")
    assert reason in line
    assert db_path.read_bytes() == content  # read-only: nothing written


def test_a_bad_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[telegram\n")
    assert main(["health", "--config", str(path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{path}: not valid TOML:")


# --- the verdict ---------------------------------------------------------------------------


def record(account: str, job: str, success_age: float | None, failures: int = 0) -> PollHealth:
    success = None if success_age is None else NOW - timedelta(seconds=success_age)
    failure = NOW if failures else None
    return PollHealth(account, job, failures, failure, success)


def test_judge_names_every_job_out_of_time_and_only_those() -> None:
    config = load_config(VALID)
    intervals = polling_intervals(config)
    fresh = [record(a.name, job, 1) for a in config.accounts for job in intervals]
    assert judge(config, fresh, NOW).healthy

    inbox_limit = stale_after(intervals["inbox"])
    replaced = {("raygan", "inbox"), ("meli", "inbox"), ("meli", "credit")}
    records = [r for r in fresh if (r.account, r.job) not in replaced]
    records.append(record("raygan", "inbox", inbox_limit + 5, failures=7))
    records.append(record("meli", "inbox", inbox_limit - 5))  # late, but within the limit
    records.append(record("gone", "inbox", None, failures=9))  # no longer configured
    health = judge(config, records, NOW)
    assert not health.healthy
    assert health.line == (
        f"unhealthy: inbox of raygan last succeeded {inbox_limit + 5:.0f} s ago "
        f"(limit {inbox_limit:.0f} s, 7 failures in a row); credit of meli never succeeded"
    )


def test_delivery_is_judged_by_its_overdue_work_and_its_failures() -> None:
    config = load_config(VALID)
    intervals = polling_intervals(config)
    others = [record(a.name, job, 1) for a in config.accounts for job in intervals]
    others = [r for r in others if r.job != "delivery"]
    assert judge(config, others, NOW, {}).healthy  # idle: no record, nothing due

    limit = stale_after(intervals["delivery"])
    health = judge(config, others, NOW, {"meli": 3})
    assert health.line == (
        f"unhealthy: delivery of meli: 3 recipients overdue by more than {limit:.0f} s"
    )
    failing = [*others, record("raygan", "delivery", limit + 5, failures=4)]
    health = judge(config, failing, NOW, {})
    assert health.line == (
        f"unhealthy: delivery of raygan last succeeded {limit + 5:.0f} s ago "
        f"(limit {limit:.0f} s, 4 failures in a row)"
    )
    recent = [*others, record("raygan", "delivery", limit - 5, failures=1)]
    assert judge(config, recent, NOW, {}).healthy  # one failure, a success within the limit


async def test_a_recipient_whose_poll_is_long_overdue_makes_delivery_unhealthy(
    bridge: World,
) -> None:
    config = bridge.config()
    await wait_for(lambda: polled_jobs(bridge) == expected_jobs(config), what="first successes")
    await bridge.stop_bridge()  # nothing polls any more
    conn = await open_database(config.storage.path)
    try:
        repo = SqliteStorage(conn)
        send, _ = await repo.create_send(
            idempotency_key="health",
            account="meli",
            line="10002188",
            text="t",
            chat_id=1,
            requested_by=1,
            recipients=["+989121112222"],
        )
        due = datetime.now(UTC)
        receipt = Receipt(recipient="+989121112222", message_id="77", group_id=None)
        await repo.record_send_result(send.id, [receipt], next_poll_at=due)
    finally:
        await conn.close()
    assert (await check_health(config)).healthy  # due now: not yet overdue

    limit = stale_after(config.polling.delivery)
    health = await check_health(config, now=due + timedelta(seconds=limit + 1))
    assert not health.healthy
    assert "delivery of meli: 1 recipients overdue" in health.line
    assert "delivery of raygan" not in health.line
