"""How pytest-delta talks to the user: debug lines, warnings and the one-line summary."""

from __future__ import annotations

import pytest

PREFIX = "[pytest-delta]"


class Reporter:
    def __init__(self, config: pytest.Config, debug: bool, quiet: bool = False) -> None:
        self.config = config
        self.enabled = debug and not quiet
        self.quiet = quiet
        self._held: list[tuple[str, dict[str, bool]]] = []

    def _write(self, line: str, **markup: bool) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(line, **markup)

    def debug(self, message: str, *, at_end: bool = False) -> None:
        if self.enabled:
            self._emit(f"{PREFIX} {message}", at_end, {})

    def explain(self, message: str) -> None:
        if not self.quiet:
            self._write(f"{PREFIX} {message}")

    def warn(self, message: str, *, at_end: bool = False) -> None:
        if not self.quiet:
            self._emit(f"pytest-delta: {message}", at_end, {"yellow": True})

    def _emit(self, line: str, at_end: bool, markup: dict[str, bool]) -> None:
        if at_end:
            self._held.append((line, markup))  # the session is ending: print with the summary
        else:
            self._write(line, **markup)

    def flush(self) -> None:
        """Print what was held for the end of the session."""
        held, self._held = self._held, []
        for line, markup in held:
            self._write(line, **markup)
