"""The checks that span sections: unique account names and lines, one default account, routed
lines that exist. They run once per validation, on the data as written (so they are reported
even when some section has other problems): `load_config` runs them and tells the model so;
a `Config` built in code runs them in its own validator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# The validation context key by which load_config says it ran the cross-section checks itself.
CROSS_CHECKED = "cross_checked"


def _problems(
    accounts: Sequence[tuple[object, Sequence[object], object]], routes: Sequence[object]
) -> list[str]:
    """Unique names and lines, one default, routed lines exist; on loosely typed values (the
    data may have failed validation elsewhere)."""
    problems: list[str] = []
    names: dict[str, int] = {}
    owners: dict[str, int] = {}
    default_at: int | None = None
    for i, (name, lines, default) in enumerate(accounts):
        if isinstance(name, str):
            if name in names:
                problems.append(
                    f"accounts[{i}].name: the name {name!r} is already used by "
                    f"accounts[{names[name]}]"
                )
            else:
                names[name] = i
        for k, line in enumerate(lines):
            if not isinstance(line, str):
                continue
            owner = owners.setdefault(line, i)
            if owner != i:
                problems.append(
                    f"accounts[{i}].lines[{k}]: line {line!r} is already a line of "
                    f"accounts[{owner}]; a line belongs to one account"
                )
        if default is True:
            if default_at is None:
                default_at = i
            else:
                problems.append(
                    f"accounts[{i}].default: only one account may be the default; "
                    f"accounts[{default_at}] already is"
                )
    for j, line in enumerate(routes):
        if isinstance(line, str) and line not in owners:
            problems.append(f"routes[{j}].line: {line!r} is not a line of any account")
    return problems


def cross_problems(data: Mapping[str, Any]) -> list[str]:
    """The cross-section problems of the config data as written (TOML tables, `env:`/`file:`
    values resolved), one line each; whatever has the wrong shape is skipped (that is a
    problem of its own section)."""
    accounts: list[tuple[object, Sequence[object], object]] = []
    raw_accounts = data.get("accounts")
    if isinstance(raw_accounts, list):
        for raw in raw_accounts:
            if isinstance(raw, dict):
                lines = raw.get("lines")
                accounts.append(
                    (raw.get("name"), lines if isinstance(lines, list) else [], raw.get("default"))
                )
            else:
                accounts.append((None, [], None))
    routes: list[object] = []
    raw_routes = data.get("routes")
    if isinstance(raw_routes, list):
        routes = [r.get("line") if isinstance(r, dict) else None for r in raw_routes]
    if not accounts:
        # Without any account every routed line would be reported; the missing accounts
        # are the problem and are reported on their own.
        routes = []
    return _problems(accounts, routes)
