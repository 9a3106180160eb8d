"""Checks of single values shared by the config sections: URLs, ports, user ids, lines.

Each raises `problem(...)`, a pydantic error whose message is shown to the user as it is.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# The error type of our own wording; problems.describe shows its message as it is.
PROBLEM = "config_value"
_LINE = re.compile(r"[0-9]{3,20}")
_MAX_PORT = 65535


def problem(message: str) -> PydanticCustomError:
    """A validation error whose message is shown to the user as is."""
    return PydanticCustomError(PROBLEM, message)


def check_port(value: str) -> None:
    """Refuse a URL whose port is not 1 to 65535 (urlsplit only fails when asked for it)."""
    try:
        port = urlsplit(value).port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= _MAX_PORT:
        raise problem(f"the port must be a number from 1 to {_MAX_PORT}")


def http_url(value: str, what: str) -> str:
    """Check an http(s) URL and drop a trailing slash; never echo it (it may hold secrets)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise problem(f"must be an http:// or https:// URL of {what}")
    check_port(value)
    return value.rstrip("/")


def _user_id(value: int) -> int:
    """Check a Telegram user id: people have positive ids, groups and channels negative."""
    if value < 0:
        raise problem(
            f"{value} is the id of a group or channel, not of a person; admins are Telegram "
            "user ids (positive numbers)"
        )
    if value == 0:
        raise problem("0 is not a Telegram user id; admins are positive numbers")
    return value


UserId = Annotated[int, AfterValidator(_user_id)]


def public_url(url: str) -> str:
    """`url` without any user:password part (to show it, or name it in an error)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "(a URL that cannot be read)"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{port}" if port else host
    return urlunsplit(parts._replace(netloc=netloc))


def url_password(url: str) -> str | None:
    """The password part of `url`, if it has one."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def check_line(value: str) -> str:
    """Check a line number: digits only."""
    if not _LINE.fullmatch(value):
        raise problem(f'line {value!r} must be 3 to 20 digits (0-9), like "50002910001080"')
    return value
