"""The command line: the first word names a registered command."""

from __future__ import annotations

from . import commands  # noqa: F401  (importing it registers the commands)
from .registry import COMMANDS

USAGE = "usage: hookapp COMMAND [ARGS...]"


def run(argv: list[str]) -> str:
    if not argv:
        return USAGE
    name, *args = argv
    if name not in COMMANDS:
        return f"unknown command {name!r}; try one of: {', '.join(COMMANDS.names())}"
    return str(COMMANDS.get(name)(*args))
