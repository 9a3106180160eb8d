"""The Bot API as data (`sandbox/data/telegram-bot-api.json`) and the parameter checks against it.

Parameters arrive as strings (query string, form or multipart bodies, where PTB JSON-serialises
what is not a string) or natively (a JSON body); `check_params` types them by the method's fields
and refuses, with Telegram's wording, what Telegram refuses. `python -m sandbox.telegram SRC`
writes the trimmed data the fake ships (`main`).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

SPEC_RESOURCE = "data/telegram-bot-api.json"
_MISSING_WORDING = {
    "chat_id": "Bad Request: chat_id is empty",
    "text": "Bad Request: message text is empty",
    "message_id": "Bad Request: message identifier is not specified",
    "document": "Bad Request: there is no document in the request",
}
INT_RE = re.compile(r"-?\d{1,19}")


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method, or one field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class ApiSpec:
    """Methods and types of the Bot API: name → fields by name."""

    version: str
    methods: dict[str, dict[str, FieldSpec]]
    types: dict[str, dict[str, FieldSpec]]
    by_lower_name: dict[str, str]


def trim_spec(full: Mapping[str, Any]) -> dict[str, Any]:
    """The part of the full Bot API data the fake uses: names, and per field types and required."""

    def trim(entries: Mapping[str, Any]) -> dict[str, Any]:
        return {
            name: {
                "name": entry["name"],
                "fields": [
                    {"name": f["name"], "types": list(f["types"]), "required": bool(f["required"])}
                    for f in entry.get("fields", [])
                ],
            }
            for name, entry in entries.items()
        }

    return {
        "version": full.get("version", ""),
        "methods": trim(full["methods"]),
        "types": trim(full["types"]),
    }


def dump_spec(trimmed: Mapping[str, Any]) -> str:
    """Trimmed data as JSON with one field per line (small, and readable in a diff)."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{", f' "version": {dumps(trimmed["version"])},']
    for group in ("methods", "types"):
        lines.append(f' "{group}": {{')
        entries = list(trimmed[group].items())
        for index, (name, entry) in enumerate(entries):
            lines.append(f'  {dumps(name)}: {{"name": {dumps(entry["name"])}, "fields": [')
            fields = [f"   {dumps(f)}" for f in entry["fields"]]
            if fields:
                lines.append(",\n".join(fields))
            lines.append("  ]}" + ("," if index < len(entries) - 1 else ""))
        lines.append(" }" + ("," if group == "methods" else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _fields(entry: Mapping[str, Any]) -> dict[str, FieldSpec]:
    return {
        f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"]))
        for f in entry["fields"]
    }


def spec_from_data(data: Mapping[str, Any]) -> ApiSpec:
    """Build an ApiSpec from trimmed (or full) Bot API data."""
    trimmed = trim_spec(data)
    methods = {name: _fields(entry) for name, entry in trimmed["methods"].items()}
    types = {name: _fields(entry) for name, entry in trimmed["types"].items()}
    return ApiSpec(
        version=str(trimmed["version"]),
        methods=methods,
        types=types,
        by_lower_name={name.lower(): name for name in methods},
    )


@functools.cache
def load_spec() -> ApiSpec:
    """The Bot API data shipped with the sandbox (read once, on first use)."""
    text = resources.files("sandbox").joinpath(SPEC_RESOURCE).read_text(encoding="utf-8")
    return spec_from_data(json.loads(text))


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    content: bytes


class ApiError(Exception):
    """A Telegram error answer."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(description: str) -> ApiError:
    """A 400 "Bad Request: `description`"."""
    return ApiError(400, f"Bad Request: {description}")


class _TypeMismatch(Exception):
    def __init__(self, where: str, expected: str) -> None:
        super().__init__(f"{where} must be {expected}")
        self.where = where
        self.expected = expected


def _coerce(spec: ApiSpec, value: Any, types: tuple[str, ...], where: str, top: bool) -> Any:
    """`value` converted to the first of `types` it fits; raise _TypeMismatch if none."""
    deeper: _TypeMismatch | None = None
    for type_name in types:
        try:
            return _coerce_one(spec, value, type_name, where, top)
        except _TypeMismatch as err:
            if len(types) == 1:
                raise
            if deeper is None and err.where != where:
                deeper = err  # the value had the right shape; say what inside it is wrong
    raise deeper or _TypeMismatch(where, " or ".join(types))


def _coerce_one(spec: ApiSpec, value: Any, type_name: str, where: str, top: bool) -> Any:
    if type_name == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and INT_RE.fullmatch(value.strip()):
            return int(value)
        raise _TypeMismatch(where, "Integer")
    if type_name == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise _TypeMismatch(where, "Float") from None
        raise _TypeMismatch(where, "Float")
    if type_name == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
            return value.lower() in {"true", "1"}
        raise _TypeMismatch(where, "Boolean")
    if type_name == "String":
        if isinstance(value, str):
            return value
        raise _TypeMismatch(where, "String")
    if type_name == "InputFile":
        if isinstance(value, UploadedFile):
            return value
        raise _TypeMismatch(where, "InputFile")
    # Objects and arrays arrive JSON-serialised in form bodies, natively in JSON bodies.
    if isinstance(value, str) and top:
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise _TypeMismatch(where, f"a JSON-serialized {type_name}") from None
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            raise _TypeMismatch(where, f"a JSON array ({type_name})")
        inner = (type_name.removeprefix("Array of "),)
        return [_coerce(spec, item, inner, f"{where}[{i}]", False) for i, item in enumerate(value)]
    if not isinstance(value, dict):
        raise _TypeMismatch(where, f"a JSON object ({type_name})")
    fields = spec.types.get(type_name)
    if not fields:  # an abstract type (one of several subtypes): its shape is not checked
        return value
    for name, field_spec in fields.items():
        if name in value:
            if field_spec.types == ("InputFile",) or "InputFile" in field_spec.types:
                continue  # attach://… strings or file ids: resolved by the method
            value[name] = _coerce(spec, value[name], field_spec.types, f"{where}.{name}", False)
        elif field_spec.required:
            raise _TypeMismatch(f"{where}.{name}", f"present ({type_name} requires it)")
    return value


def check_params(
    spec: ApiSpec, method: str, raw: dict[str, Any], files: dict[str, UploadedFile]
) -> dict[str, Any]:
    """The parameters of `method` typed, or ApiError 400 with Telegram-like wording."""
    fields = spec.methods[method]
    attached = {
        value.removeprefix("attach://")
        for value in raw.values()
        if isinstance(value, str) and value.startswith("attach://")
    }
    for name in raw:
        if name not in fields:
            raise bad(
                f'unknown parameter "{name}" for method {method} '
                "(the fake refuses parameters Telegram would ignore)"
            )
    for name in files:
        if name not in fields and name not in attached:
            raise bad(f'unknown file part "{name}" for method {method}')
    merged: dict[str, Any] = {**{k: v for k, v in raw.items() if v != ""}}
    for name, upload in files.items():
        if name in fields:
            merged[name] = upload
    params: dict[str, Any] = {}
    for name, field_spec in fields.items():
        if name not in merged:
            if field_spec.required:
                raise ApiError(
                    400, _MISSING_WORDING.get(name, f'Bad Request: parameter "{name}" is required')
                )
            continue
        value = merged[name]
        if (
            isinstance(value, str)
            and value.startswith("attach://")
            and "InputFile" in (field_spec.types)
        ):
            value = files.get(value.removeprefix("attach://"), value)
        try:
            params[name] = _coerce(spec, value, field_spec.types, name, True)
        except _TypeMismatch as err:
            if err.where == name:
                raise bad(f'parameter "{name}" must be {err.expected}') from None
            raise bad(f"can't parse {name} JSON object: {err}") from None
    return params


def main(argv: list[str] | None = None) -> None:
    """`python -m sandbox.telegram SRC [DST]`: write the trimmed Bot API data the fake ships."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("source", type=Path, help="the full telegram-bot-api.json")
    default = Path(__file__).parents[1] / SPEC_RESOURCE
    parser.add_argument("target", type=Path, nargs="?", default=default)
    args = parser.parse_args(argv)
    trimmed = trim_spec(json.loads(args.source.read_text(encoding="utf-8")))
    args.target.parent.mkdir(parents=True, exist_ok=True)
    args.target.write_text(dump_spec(trimmed), encoding="utf-8")
