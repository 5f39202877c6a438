"""The server's settings: typed, with defaults, and forgiving.

They arrive as ``initializationOptions`` and later as ``workspace/didChangeConfiguration``
(either flat or under a ``pytestDelta`` key, the way VS Code sends a configuration section).
Each change is merged onto the current settings, so a client that sends an empty settings
object after initializing (Neovim does) loses nothing. A wrong value never stops the server:
it is reported in one message and the previous value stays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

SECTION = "pytestDelta"
#: The plugin's ``--delta-precision`` choices, and its default.
PRECISIONS = ("symbol", "file")
DEFAULT_PRECISION = "symbol"


@dataclass(frozen=True)
class Settings:
    #: Python that runs pytest; None: the project's ``.venv``/``venv``, else the server's own.
    interpreter: str | None = None
    #: Extra pytest arguments for every run (``["-x", "-q"]``).
    pytest_args: tuple[str, ...] = ()
    #: Snapshot file, relative to the root; None: ini ``delta_file``, else ``.delta.msgpack``.
    delta_file: str | None = None
    #: How long typing must pause before an unsaved buffer is analysed.
    debounce_ms: int = 300
    #: How often the disk is re-checked (stat only) when the client does not watch files; 0: never.
    rescan_interval_ms: int = 3000
    #: ``"symbol"`` or ``"file"``, as ``--delta-precision``; None: ini ``delta_precision``, else symbol.
    precision: str | None = None


def _string_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, str):
        return value
    raise TypeError("a string")


def _string_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TypeError("a list of strings")


def _milliseconds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value != value:
        raise TypeError("a number of milliseconds (0 or more)")
    return int(value)


def _precision(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, str) and value.strip() in PRECISIONS:
        return value.strip()
    raise TypeError(" or ".join(repr(p) for p in PRECISIONS))


#: Client key -> (field name, converter).
_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "interpreter": ("interpreter", _string_or_none),
    "pytestArgs": ("pytest_args", _string_list),
    "deltaFile": ("delta_file", _string_or_none),
    "debounceMs": ("debounce_ms", _milliseconds),
    "rescanIntervalMs": ("rescan_interval_ms", _milliseconds),
    "precision": ("precision", _precision),
}

KNOWN_KEYS = tuple(_FIELDS)


def _section(raw: Any) -> Mapping[str, Any] | None:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        return None
    nested = raw.get(SECTION)
    if isinstance(nested, Mapping) and not any(key in raw for key in _FIELDS):
        return nested
    return raw


def merge_settings(current: Settings, raw: Any) -> tuple[Settings, list[str]]:
    """``current`` with the values of ``raw`` applied, and one problem line per value ignored."""
    values = _section(raw)
    if values is None:
        return current, [f"settings must be an object, got {type(raw).__name__}; keeping the current ones"]
    problems: list[str] = []
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in _FIELDS:
            problems.append(f"unknown setting {key!r} ignored (known: {', '.join(KNOWN_KEYS)})")
            continue
        name, convert = _FIELDS[key]
        try:
            changes[name] = convert(value)
        except TypeError as exc:
            kept = getattr(current, name)
            problems.append(f"setting {key!r} must be {exc}, got {value!r}; "
                            f"keeping {list(kept) if isinstance(kept, tuple) else kept!r}")
    return replace(current, **changes), problems



def resolve_precision(setting: str | None, ini_value: str | None,
                      source: str = "the ini file") -> tuple[str, str | None]:
    """The precision ``pytest --delta`` runs with: the setting (the server passes it on as
    ``--delta-precision``), else ini ``delta_precision``, else symbol; and a problem line when
    the ini value is one the plugin refuses."""
    if setting is not None:
        return setting, None
    if ini_value is None or ini_value in PRECISIONS:
        return ini_value or DEFAULT_PRECISION, None
    return DEFAULT_PRECISION, (f"delta_precision in {source} must be {' or '.join(PRECISIONS)}, not {ini_value!r} "
                               f"(pytest --delta refuses it); lenses use {DEFAULT_PRECISION} precision")
