"""Settings with defaults computed on first access (a module ``__getattr__``)."""

from __future__ import annotations

from typing import Any

DEFAULTS = {"page_size": 20, "theme": "light", "retries": 3}
DERIVED = ("timeout",)


def __getattr__(name: str) -> Any:
    if name in DEFAULTS:
        return DEFAULTS[name]
    if name == "timeout":
        return 5 * DEFAULTS["retries"]
    raise AttributeError(f"no setting {name!r}")


def describe() -> list[str]:
    return [f"{key}={__getattr__(key)}" for key in (*DEFAULTS, *DERIVED)]
