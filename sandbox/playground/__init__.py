"""`sms-bridge playground`: the real bridge, in-process, against both provider simulators and the
Telegram fake, with one web page to use it by hand (`sandbox.playground.app`)."""

from sandbox.playground.app import (
    CUSTOMER,
    PLAYGROUND_TOKEN,
    ROLES,
    Playground,
    running_playground,
    serve_playground,
)

__all__ = [
    "CUSTOMER",
    "PLAYGROUND_TOKEN",
    "ROLES",
    "Playground",
    "running_playground",
    "serve_playground",
]
