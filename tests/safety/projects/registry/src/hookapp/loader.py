"""Plugins named by strings ("module:attribute"), the way settings files list them."""

from __future__ import annotations

import importlib
from typing import Any

EXPORTERS = (
    "hookapp.plugins.csv_export:Exporter",
    "hookapp.plugins.json_export:Exporter",
    "hookapp.plugins.json_export:PrettyExporter",
)


def load(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute or "plugin")


def exporters() -> dict[str, Any]:
    found = {}
    for path in EXPORTERS:
        exporter = load(path)()
        found[exporter.name] = exporter
    return found


def export(fmt: str, rows: list[dict[str, object]]) -> str:
    return exporters()[fmt].export(rows)
