"""Shutdown hooks, registered like ``atexit.register`` and run in reverse order."""

from __future__ import annotations

from collections.abc import Callable

_HOOKS: list[Callable[[], str]] = []


def on_shutdown(hook: Callable[[], str]) -> Callable[[], str]:
    _HOOKS.append(hook)
    return hook


def shutdown() -> list[str]:
    return [hook() for hook in reversed(_HOOKS)]


def close_connections() -> str:
    return "connections closed"


def flush_logs() -> str:
    return "logs flushed"


on_shutdown(close_connections)
on_shutdown(flush_logs)
