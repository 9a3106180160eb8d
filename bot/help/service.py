"""The commands, who may use each, and the user's language choice."""

from __future__ import annotations

from typing import Final

from bot.access.service import has_right
from storage.base import Storage
from storage.models import Role

LANGUAGES: Final = ("fa", "en")

# (command, the least role that may use it), in the order /help lists them.
COMMANDS: Final[tuple[tuple[str, Role], ...]] = (
    ("start", Role.VIEWER),
    ("help", Role.VIEWER),
    ("send", Role.OPERATOR),
    ("schedule", Role.OPERATOR),
    ("scheduled", Role.OPERATOR),
    ("otp", Role.OPERATOR),
    ("verify", Role.OPERATOR),
    ("status", Role.VIEWER),
    ("history", Role.VIEWER),
    ("export", Role.VIEWER),
    ("bulk", Role.OPERATOR),
    ("name", Role.OPERATOR),
    ("credit", Role.OPERATOR),
    ("prices", Role.OPERATOR),
    ("check", Role.OPERATOR),
    ("lines", Role.VIEWER),
    ("from", Role.OPERATOR),
    ("language", Role.VIEWER),
    ("cancel", Role.OPERATOR),
    ("route", Role.ADMIN),
    ("unroute", Role.ADMIN),
    ("routes", Role.ADMIN),
    ("allow", Role.ADMIN),
    ("deny", Role.ADMIN),
    ("users", Role.ADMIN),
    ("optouts", Role.ADMIN),
    ("optin", Role.ADMIN),
)


def commands_for(role: Role) -> list[str]:
    """The commands `role` may use, in /help's order."""
    return [name for name, needed in COMMANDS if has_right(role, needed)]


def may_reply(role: Role) -> bool:
    """Whether `role` may answer an SMS by replying to it."""
    return has_right(role, Role.OPERATOR)


async def set_language(repo: Storage, user_id: int, choice: str) -> str | None:
    """Store the user's language if `choice` is one we speak; the stored one, else None."""
    lang = choice.lower()
    if lang not in LANGUAGES:
        return None
    await repo.set_user_language(user_id, lang)
    return lang
