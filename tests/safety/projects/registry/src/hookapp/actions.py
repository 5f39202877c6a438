"""Actions looked up by name: ``dispatch("add", ...)`` calls ``do_add``."""

from __future__ import annotations

import sys

PREFIX = "do_"


def do_add(a: int, b: int) -> int:
    return a + b


def do_scale(value: int, factor: int = 10) -> int:
    return value * factor


def do_clamp(value: int, low: int = 0, high: int = 100) -> int:
    if value < low:
        return low
    if value > high:
        return high
    return value


def dispatch(action: str, *args: int) -> int:
    handler = getattr(sys.modules[__name__], PREFIX + action, None)
    if handler is None:
        raise LookupError(f"no action {action!r}")
    return handler(*args)
