"""The machine a benchmark ran on, as every script prints it."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (Linux /proc/cpuinfo), else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def describe_machine() -> str:
    """`2 CPUs, AMD EPYC …, Python 3.11.7`."""
    return f"{os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}"
