"""A name -> callable registry filled by a decorator at import time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Registry:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, Callable[..., Any]] = {}

    def register(self, name: str, *, replace: bool = False) -> Callable[[F], F]:
        def decorate(fn: F) -> F:
            if name in self._items and not replace:
                raise ValueError(f"{self.kind} {name!r} already registered")
            self._items[name] = fn
            return fn

        return decorate

    def get(self, name: str) -> Callable[..., Any]:
        try:
            return self._items[name]
        except KeyError:
            raise LookupError(f"no {self.kind} named {name!r}") from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __len__(self) -> int:
        return len(self._items)


COMMANDS = Registry("command")
register = COMMANDS.register
