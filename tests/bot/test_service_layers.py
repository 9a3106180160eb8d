"""Services know nothing of Telegram: importing one loads no `telegram` module (a stand-in for
the import-linter contracts until they cover these packages)."""

from __future__ import annotations

import subprocess
import sys

import pytest

SERVICES = ["bot.delivery.service", "bot.forwarding.service", "bot.inbox.service", "bot.config"]


@pytest.mark.parametrize("module", SERVICES)
def test_a_service_imports_no_telegram(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "", f"{module} loads {result.stdout.strip()}"
