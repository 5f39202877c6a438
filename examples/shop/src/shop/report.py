"""Reports are loaded by name, the way plugin registries work."""

import importlib

FORMATS = {"text": "shop.formats.text"}


def render(kind: str, rows: list[str]) -> str:
    module = importlib.import_module(FORMATS[kind])
    return module.render(rows)
