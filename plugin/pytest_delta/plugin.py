"""pytest entry point of pytest-delta (registered under ``pytest11``).

Only options and the marker live here; the selection plugin and the engine are imported when
``--delta`` is given, so plain ``pytest`` pays nothing for having the plugin installed.
"""

from __future__ import annotations

import pytest

from .options import Settings, add_options

ALWAYS_MARKER = "delta_always"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{ALWAYS_MARKER}: run this test on every --delta run")
    if not config.getoption("delta"):
        return
    from .session import DeltaPlugin, XdistHooks

    plugin = DeltaPlugin(config, Settings.from_config(config))
    config.pluginmanager.register(plugin, "delta-plugin")
    # Optional hooks: harmless without xdist, and xdist may be registered under another name.
    config.pluginmanager.register(XdistHooks(plugin), "delta-xdist")
