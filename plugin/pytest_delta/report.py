"""How pytest-delta talks to the user: debug lines, warnings and the one-line summary."""

from __future__ import annotations

import pytest

PREFIX = "[pytest-delta]"


class Reporter:
    def __init__(self, config: pytest.Config, debug: bool, quiet: bool = False) -> None:
        self.config = config
        self.enabled = debug and not quiet
        self.quiet = quiet

    def _write(self, line: str, **markup: bool) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(line, **markup)

    def debug(self, message: str) -> None:
        if self.enabled:
            self._write(f"{PREFIX} {message}")

    def warn(self, message: str) -> None:
        if not self.quiet:
            self._write(f"pytest-delta: {message}", yellow=True)
