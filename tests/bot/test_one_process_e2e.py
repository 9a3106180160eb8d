"""One bridge per database: a second `sms-bridge run` on the same SQLite file refuses to start
with one line naming the file (exit 1, no traceback) while the first runs on untouched; once the
first is gone, even by SIGKILL, a new one starts. The in-process bridge takes the same lock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from bridge_harness import ADMIN, BridgeProcess, World, wait_for, write_toml
from e2e_steps import ask

from storage.sqlite.db import DatabaseInUseError, lock_path_for


def refusal_lines(process: BridgeProcess) -> list[str]:
    """The non-empty lines a refused process printed."""
    return [line for line in process.log_text().splitlines() if line.strip()]


async def exit_code(process: BridgeProcess) -> int:
    """Wait for the process to end without blocking this loop (the fakes it talks to run here)."""
    assert process.proc is not None
    return await asyncio.to_thread(process.proc.wait, 30)


def another(world: World, config: Path, name: str) -> BridgeProcess:
    """One more `sms-bridge run` on the same config, logging to its own file."""
    return BridgeProcess(world, config, world.tmp_path / f"{name}.log")


async def started(process: BridgeProcess) -> None:
    """Wait until the process says it is ready."""
    await wait_for(lambda: "bridge ready" in process.log_text(), what="the bridge to be ready")


async def test_a_second_process_refuses_and_a_new_one_starts_after_the_first_is_killed(
    world: World, bridge_process: BridgeProcess
) -> None:
    config = world.tmp_path / "config.toml"
    first = bridge_process
    first.start()
    await started(first)

    second = another(world, config, "second")
    second.start()
    assert await exit_code(second) == 1
    [line] = refusal_lines(second)
    assert str(world.db_path) in line and "in use" in line, line
    assert first.proc is not None and str(first.proc.pid) in line, "names the holder"
    assert "Traceback" not in second.log_text()
    # It stopped before polling Telegram: the first never saw a Conflict, and still answers.
    assert first.proc.poll() is None
    assert "bridge ready" not in second.log_text()
    answer = await ask(world, ADMIN, ADMIN, "/help")
    assert "/send" in answer.text
    assert "Conflict" not in first.log_text()

    first.kill()  # SIGKILL: no shutdown code runs, the kernel drops the lock
    assert lock_path_for(world.db_path).exists(), "the lock file stays; only the lock goes"
    third = another(world, config, "third")
    third.start()
    try:
        await started(third)
        answer = await ask(world, ADMIN, ADMIN, "/help")
        assert "/send" in answer.text
    finally:
        await third.stop()


async def test_the_in_process_bridge_and_a_process_exclude_each_other(
    world: World, tmp_path: Path
) -> None:
    config = write_toml(world.config_data(), tmp_path / "config.toml")
    await world.start_bridge()
    process = another(world, config, "refused")
    process.start()
    assert await exit_code(process) == 1
    [line] = refusal_lines(process)
    assert str(world.db_path) in line, line
    await world.stop_bridge()

    process = another(world, config, "owner")
    process.start()
    try:
        await started(process)
        with pytest.raises(DatabaseInUseError, match=str(world.db_path)):
            await world.start_bridge()
    finally:
        await process.stop()
    await world.start_bridge()  # the owner stopped: the lock is free again
    await world.stop_bridge()
