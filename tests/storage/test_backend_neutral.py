"""The contract suite speaks only the storage protocols, so every backend can run it."""

from __future__ import annotations

import ast
from pathlib import Path

HERE = Path(__file__).parent
# What only one backend has: its driver, its modules, its raw connection.
BACKEND_SPECIFIC = ("aiosqlite", "sqlite3", "storage.sqlite", "asyncpg", "psycopg")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_contract_tests_import_no_backend() -> None:
    files = sorted([*HERE.glob("test_*.py"), HERE / "conftest.py"])
    assert len(files) > 5
    offending = {
        path.name: sorted(
            name
            for name in _imports(path)
            if any(name == s or name.startswith(s + ".") for s in BACKEND_SPECIFIC)
        )
        for path in files
    }
    assert {name: found for name, found in offending.items() if found} == {}
