"""`env:NAME` and `file:PATH` values: replaced by the variable's or the file's text before
validation, converted to the number or boolean the key expects."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.config.models import Config
from bot.config.problems import Loc, format_loc

ENV_PREFIX = "env:"
FILE_PREFIX = "file:"
# URLs whose password part alone may be an env:/file: reference (SPEC §3 storage.url).
URLS_WITH_SECRET_PASSWORD: frozenset[Loc] = frozenset({("storage", "url")})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# $NAME or ${NAME} inside a file: path, e.g. file:${CREDENTIALS_DIRECTORY}/telegram_token.
_PATH_VARIABLE = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


class Resolver:
    """Replaces every `env:NAME` and `file:PATH` string of the raw TOML data.

    `sources` maps the key of each replaced value to where it came from ("environment variable
    NAME", "file PATH"), or to None when it could not be read (that problem is reported
    already, so validating the placeholder left in its place must not report a second one).
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []
        self.sources: dict[Loc, str | None] = {}

    def resolve(self, value: Any, loc: Loc = ()) -> Any:
        """`value` with every `env:`/`file:` string inside it replaced."""
        if isinstance(value, dict):
            return {k: self.resolve(v, (*loc, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, (*loc, i)) for i, v in enumerate(value)]
        if isinstance(value, str) and loc in URLS_WITH_SECRET_PASSWORD:
            return self._url_password(value, loc)
        if isinstance(value, str) and value.startswith(ENV_PREFIX):
            text = self._from_env(value, loc)
        elif isinstance(value, str) and value.startswith(FILE_PREFIX):
            text = self._from_file(value, loc)
        else:
            return value
        if text is None:
            self.sources[loc] = None
            return value
        return _convert(text, loc)

    def _url_password(self, value: str, loc: Loc) -> str:
        """A URL whose password part is `env:NAME` or `file:PATH`
        (`postgresql://bridge:env:PGPASSWORD@db/bridge`), that part read and percent-encoded
        in its place. A whole-value reference (`env:DATABASE_URL`) is read as any other."""
        if value.startswith((ENV_PREFIX, FILE_PREFIX)):
            read = self._from_env if value.startswith(ENV_PREFIX) else self._from_file
            whole = read(value, loc)
            if whole is None:
                self.sources[loc] = None
                return value
            return whole
        scheme, sep, rest = value.partition("://")
        userinfo, at, host = rest.rpartition("@")
        user, colon, password = userinfo.partition(":")
        if not (sep and at and colon) or not password.startswith((ENV_PREFIX, FILE_PREFIX)):
            return value
        read = self._from_env if password.startswith(ENV_PREFIX) else self._from_file
        secret = read(password, loc)
        if secret is None:
            self.sources[loc] = None
            return value
        return f"{scheme}://{user}:{quote(secret, safe='')}@{host}"

    def _fail(self, loc: Loc, message: str) -> None:
        self.problems.append(f"{format_loc(loc)}: {message}")

    def _from_env(self, value: str, loc: Loc) -> str | None:
        name = value[len(ENV_PREFIX) :].strip()
        if not _ENV_NAME.fullmatch(name):
            self._fail(loc, f"{value!r} does not name an environment variable")
            return None
        if name not in self.environ:
            self._fail(loc, f"environment variable {name} is not set")
            return None
        self.sources[loc] = f"environment variable {name}"
        return self.environ[name]

    def _from_file(self, value: str, loc: Loc) -> str | None:
        written = value[len(FILE_PREFIX) :].strip()
        if not written:
            self._fail(loc, f"{value!r} does not name a file")
            return None
        unset = [
            name
            for braced, bare in _PATH_VARIABLE.findall(written)
            if (name := braced or bare) not in self.environ
        ]
        if unset:
            self._fail(loc, f"environment variable {unset[0]} (in {value!r}) is not set")
            return None
        path = Path(_PATH_VARIABLE.sub(lambda m: self.environ[m.group(1) or m.group(2)], written))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self._fail(loc, f"the file {path} is not UTF-8 text")
            return None
        except OSError as exc:
            self._fail(loc, f"cannot read the file {path}: {(exc.strerror or str(exc)).lower()}")
            return None
        self.sources[loc] = f"file {path}"
        # Secret files end with a newline as editors and `echo` write them; it is no part of
        # the secret.
        return text.rstrip("\r\n")


def _leaf_type(loc: Sequence[str | int]) -> Any:
    """The type the model expects at `loc` (e.g. int for telegram.admins[0]), or None."""
    current: Any = Config
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            if typing.get_origin(current) is not list:
                return None
            current = typing.get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    """`Annotated[X, …]` → X, `X | None` → X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _convert(text: str, loc: Loc) -> Any:
    """Text from the environment or a file, as the number or boolean the key expects (strict
    validation would refuse the text); left as text when it is not one, to be reported."""
    kind = _leaf_type(loc)
    if kind not in (int, float, bool):
        return text
    try:
        return TypeAdapter(kind).validate_python(text.strip(), strict=False)
    except ValidationError:
        return text
