"""How problems are worded: one plain line per problem, naming the key as
`accounts[1].password`, never echoing a value that may be a secret."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.config.models import Config
from bot.config.values import PROBLEM


class ConfigError(Exception):
    """The configuration cannot be used; `problems` holds one plain line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


Loc = tuple[str | int, ...]


def format_loc(loc: Sequence[str | int]) -> str:
    """`("accounts", 1, "password")` → `accounts[1].password`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(file)"


def _field_names(loc: Sequence[str | int]) -> list[str]:
    """The keys allowed in the table at `loc` (for "did you mean"), or [] when unknown."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = field.annotation
        while typing.get_origin(model) in (list, typing.Union, types.UnionType):
            args = [a for a in typing.get_args(model) if a is not type(None)]
            model = args[0] if args else None
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


_TYPE_WORDS = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": 'must be text in quotes, like "…"',
    "list_type": "must be a list, like [ … ]",
    "model_type": "must be a table (a [section] or { … })",
    "model_attributes_type": "must be a table (a [section] or { … })",
    "dict_type": "must be a table (a [section] or { … })",
    "path_type": "must be a path in quotes",
}


def _number(value: object) -> str:
    """`0.0` → `0`, `2.5` → `2.5`."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _looks_like(kind: str, text: str) -> str | None:
    """`text` as TOML would write the number or boolean it spells, if it spells one."""
    word = text.strip()
    if kind == "bool_type":
        return word.lower() if word.lower() in ("true", "false") else None
    try:
        number = float(word) if kind == "float_type" else int(word)
    except ValueError:
        return None
    return _number(number)


def describe(error: ErrorDetails) -> str:
    """Our wording for one pydantic error; echoes the input only to show a number or boolean
    written in quotes (never any other input: it may be a secret)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        if len(error["loc"]) == 1 and error["loc"][0] in ("telegram",):
            return f"the [{error['loc'][0]}] section is required"
        if error["loc"] == ("accounts",):
            return "at least one [[accounts]] entry is required"
        return "is required but missing"
    if kind == "extra_forbidden":
        key = error["loc"][-1]
        hint = difflib.get_close_matches(str(key), _field_names(error["loc"][:-1]), n=1)
        return "unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else "")
    if kind == PROBLEM:
        return error["msg"]
    given = error.get("input")
    if kind in ("int_type", "float_type", "bool_type") and isinstance(given, str):
        unquoted = _looks_like(kind, given)
        if unquoted is not None:
            return f'{_TYPE_WORDS[kind]} without quotes: write {unquoted}, not "{given.strip()}"'
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind == "greater_than":
        return f"must be greater than {_number(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return f"must be at least {_number(ctx.get('ge'))}"
    if kind == "less_than":
        return f"must be less than {_number(ctx.get('lt'))}"
    if kind == "less_than_equal":
        return f"must be at most {_number(ctx.get('le'))}"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"must have at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        n = ctx.get("max_length", 1)
        return f"must have at most {n} item{'s' if n != 1 else ''}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    # An error type we did not word ourselves: pydantic's message, without the input.
    return str(error["msg"])


def problems_from(exc: ValidationError, sources: Mapping[Loc, str | None]) -> list[str]:
    """One line per pydantic error, naming the key (and where an `env:`/`file:` value came
    from)."""
    problems: list[str] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        line = f"{format_loc(loc)}: {describe(error)}"
        if loc in sources:
            source = sources[loc]
            if source is None:
                continue  # the value could not be read: that is reported already
            line += f" (from {source})"
        problems.append(line)
    return problems
