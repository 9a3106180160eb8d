"""What the benchmarks that run the bridge in their own process count of its log."""

from __future__ import annotations

import logging


class ErrorRecords(logging.Handler):
    """Keeps ERROR records (an unhandled error reaches PTB's error handler and is logged)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
