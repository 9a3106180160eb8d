"""Start-up and shutdown of the wired application (bot/app.py)."""

from __future__ import annotations

from bridge_harness import ADMIN, World
from e2e_steps import ask


async def test_the_bridge_starts_even_if_telegram_refuses_the_command_menu(world: World) -> None:
    world.fake.fail_requests(500, methods={"setMyCommands"})
    await world.start_bridge()
    answer = await ask(world, ADMIN, ADMIN, "/start")
    assert "مدیر" in answer.text
    assert world.fake.calls("setMyCommands"), "the bridge did try to set its menu"


async def test_the_command_menu_lists_every_command(world: World) -> None:
    await world.start_bridge()
    await ask(world, ADMIN, ADMIN, "/start")
    names = {c["command"] for c in world.fake.commands()}
    assert {"send", "status", "history", "route", "allow", "language"} <= names


async def test_stopping_closes_the_database_and_the_http_session(world: World) -> None:
    bridge = await world.start_bridge()
    data = bridge.data
    await world.stop_bridge()
    assert data.session.closed
    # aiosqlite connections refuse work once closed.
    try:
        await data.db.execute("SELECT 1")
    except ValueError:
        pass
    else:
        raise AssertionError("the database connection is still open")
