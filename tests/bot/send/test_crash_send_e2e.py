"""A bridge killed (SIGKILL) while the provider holds its /send: after the restart the send is
`unknown`, the admins are told, and the SMS is never asked for again, not even when Telegram
delivers the unconfirmed /send once more."""

from __future__ import annotations

from bridge_harness import ADMIN, ADMIN_CHAT, BridgeProcess, World
from e2e_steps import (
    ask,
    recipient_states,
    say_and_get_update,
    sends_rows,
    stop_gracefully,
    wait_for,
)

from sandbox.faults import FaultKind


async def test_send_killed_mid_call_is_unknown_alerted_and_never_resent(
    world: World, bridge_process: BridgeProcess
) -> None:
    raygan = world.sandbox.raygan
    # The simulator records the SMS, then never answers: the bridge is stuck inside the call.
    raygan.faults.inject(FaultKind.TIMEOUT_AFTER, method="SendMessage", times=None)
    bridge_process.start()
    update_id = say_and_get_update(world, ADMIN, ADMIN, "/send 09121112222 سلام، سفارش شما")
    await wait_for(lambda: raygan.calls["SendMessage"] == 1, "the bridge calling SendMessage")
    bridge_process.kill()
    raygan.faults.clear()
    assert [(s.mobile, s.text) for s in raygan.sent] == [("09121112222", "سلام، سفارش شما")]
    [before] = sends_rows(world)
    assert before["status"] == "submitting", "stored before the call, no answer stored"

    # The handler never finished. PTB confirms an update with its next getUpdates, usually
    # before the handler ends, so Telegram may or may not send it again: make it come again.
    if all(u["update_id"] != update_id for u in world.fake.pending_updates()):
        world.fake.deliver_again(update_id)
    bridge_process.start()

    alert = await world.reply(ADMIN_CHAT)
    send_id = before["id"]
    assert f"#{send_id}" in alert.shown and "raygan" in alert.shown
    assert "به‌طور خودکار دوباره فرستاده نمی‌شود" in alert.shown
    [after] = sends_rows(world)
    assert after["status"] == "unknown"
    assert recipient_states(world, send_id) == {"+989121112222": "unknown"}

    # Updates are handled in order: once /status is answered, the redelivered /send has been.
    status = await ask(world, ADMIN, ADMIN, f"/status {send_id}")
    assert f"#{send_id}" in status.shown and "نامعلوم" in status.shown
    assert update_id not in {u["update_id"] for u in world.fake.pending_updates()}
    assert raygan.calls["SendMessage"] == 1
    assert len(raygan.sent) == 1
    assert len(sends_rows(world)) == 1
    # Exactly one alert about it, even after a restart that saw the send again.
    assert len(world.fake.bot_messages(ADMIN_CHAT)) == 1
    assert await stop_gracefully(bridge_process) == 0
    log = bridge_process.log_text()
    assert f"send {send_id} was in flight at the last stop: marked unknown" in log
    assert "Traceback" not in log
