"""The checks that span sections: unique account names and lines, one default account, routed
lines that exist, fallbacks that name another account without a cycle, the OTP account and
mode. They run once per validation, on the data as written (so they are reported even when some
section has other problems): `load_config` runs them and tells the model so;
a `Config` built in code runs them in its own validator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from providers.base import Capability
from providers.registry import PROVIDERS

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


def _fallback_problems(names: Sequence[object], fallbacks: Sequence[object]) -> list[str]:
    """Each fallback names another existing account, and following them never comes back."""
    problems: list[str] = []
    index = {name: i for i, name in enumerate(names) if isinstance(name, str)}
    for i, fallback in enumerate(fallbacks):
        if not isinstance(fallback, str) or fallback == "":
            continue
        if fallback == names[i]:
            problems.append(f"accounts[{i}].fallback: an account cannot fall back on itself")
        elif fallback not in index:
            problems.append(f"accounts[{i}].fallback: no account is named {fallback!r}")
    for i in range(len(fallbacks)):
        path = [i]
        while True:
            nxt = fallbacks[path[-1]]
            j = index.get(nxt) if isinstance(nxt, str) and nxt else None
            if j is None or j == path[-1]:
                break
            if j in path:
                if j == i:  # reported once, at the cycle's first account
                    cycle = " → ".join(str(names[k]) for k in [*path, i])
                    if min(path) == i:
                        problems.append(f"accounts[{i}].fallback: the fallbacks {cycle} loop")
                break
            path.append(j)
    return problems


def _otp_problems(
    otp: object, names: Sequence[object], providers: Sequence[object], default_at: int
) -> list[str]:
    """`otp.account` exists; `otp.mode = "provider"` only on a provider that makes codes."""
    if not isinstance(otp, Mapping):
        return []
    account = otp.get("account", "")
    at = default_at
    if isinstance(account, str) and account:
        if account not in names:
            return [f"otp.account: no account is named {account!r}"]
        at = list(names).index(account)
    if otp.get("mode") != "provider" or not 0 <= at < len(providers):
        return []
    spec = PROVIDERS.get(str(providers[at]))
    if spec is None or Capability.PROVIDER_OTP in spec.capabilities:
        return []
    able = [name for name, s in PROVIDERS.items() if Capability.PROVIDER_OTP in s.capabilities]
    key = "otp.account" if isinstance(account, str) and account else "otp.mode"
    return [
        f'{key}: mode "provider" needs an account whose provider makes the codes itself '
        f"(SendAutoCode: {', '.join(able)}); account {names[at]!r} is {providers[at]}"
    ]


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
        return _problems(accounts, [])
    raw_list = [raw if isinstance(raw, dict) else {} for raw in raw_accounts or []]
    names = [a[0] for a in accounts]
    fallbacks = [raw.get("fallback", "") for raw in raw_list]
    providers = [raw.get("provider") for raw in raw_list]
    default_at = next((i for i, a in enumerate(accounts) if a[2] is True), 0)
    return [
        *_problems(accounts, routes),
        *_fallback_problems(names, fallbacks),
        *_otp_problems(data.get("otp"), names, providers, default_at),
    ]
