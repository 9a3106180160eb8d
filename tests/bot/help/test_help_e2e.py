"""`/start`, `/help` and `/language` end to end: each role sees only its commands; a
language is one user's."""

from __future__ import annotations

import re

import pytest
from bridge_harness import (
    ADMIN,
    OPERATOR,
    VIEWER,
    World,
)
from e2e_steps import ask


def listed_commands(help_text: str) -> set[str]:
    """The commands a /help answer lists, one per line."""
    return set(re.findall(r"^/(\w+) — ", help_text, flags=re.MULTILINE))


HELP_BY_ROLE = [
    pytest.param(
        VIEWER,
        {"start", "help", "status", "history", "export", "lines", "language"},
        id="viewer",
    ),
    pytest.param(
        OPERATOR,
        {"start", "help", "status", "history", "export", "lines", "language"}
        | {"send", "credit", "from", "cancel", "name", "bulk", "otp", "verify"}
        | {"schedule", "scheduled", "prices", "check"},
        id="operator",
    ),
    pytest.param(
        ADMIN,
        {"start", "help", "status", "history", "export", "lines", "language"}
        | {"send", "credit", "from", "cancel", "name", "bulk", "otp", "verify"}
        | {"schedule", "scheduled", "prices", "check"}
        | {"route", "unroute", "routes", "allow", "deny", "users"}
        | {"optouts", "optin"},
        id="admin",
    ),
]


@pytest.mark.parametrize(("user", "commands"), HELP_BY_ROLE)
async def test_help_lists_only_what_the_role_may_use(
    bridge: World, user: int, commands: set[str]
) -> None:
    for command in ("/help", "/start"):
        answer = await ask(bridge, user, user, command)
        assert listed_commands(answer.shown) == commands, answer.shown


async def test_language_en_switches_this_users_texts_only(bridge: World) -> None:
    answer = await ask(bridge, OPERATOR, OPERATOR, "/language en")
    assert answer.shown == "Your language is now English."
    help_text = (await ask(bridge, OPERATOR, OPERATOR, "/help")).shown
    assert "Your role: operator" in help_text and "/send — send an SMS" in help_text
    refusal = await ask(bridge, OPERATOR, OPERATOR, "/send 0912111 hi")
    assert "These numbers are not valid, and nothing was sent" in refusal.shown
    confirmation = await ask(bridge, OPERATOR, OPERATOR, "/send 09121112222 hi")
    assert confirmation.shown.startswith("Send #1 from line")
    other = await ask(bridge, VIEWER, VIEWER, "/help")
    assert "نقش شما: مشاهده‌گر" in other.shown
    back = await ask(bridge, OPERATOR, OPERATOR, "/language fa")
    assert back.shown == "زبان شما فارسی شد."
    assert "نقش شما: اپراتور" in (await ask(bridge, OPERATOR, OPERATOR, "/help")).shown


@pytest.mark.parametrize("command", ["/language", "/language de"])
async def test_language_needs_fa_or_en(bridge: World, command: str) -> None:
    answer = await ask(bridge, OPERATOR, OPERATOR, command)
    assert "/language fa" in answer.shown and "/language en" in answer.shown
    assert "نقش شما: اپراتور" in (await ask(bridge, OPERATOR, OPERATOR, "/help")).shown
