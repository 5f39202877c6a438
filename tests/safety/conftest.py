"""The safety suite's projects are pytest projects of their own: the repository's run must not
collect their tests (each is run in a copy, in a subprocess, by the suite)."""

from __future__ import annotations

import pytest

collect_ignore = ["projects"]

#: The user property under which test_mutation_safety records its selected fractions.
FRACTION_PROPERTY = "delta_safety_selected"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = set()  # each phase's report of a test carries its properties
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == FRACTION_PROPERTY:
                    lines.add(str(value))
    if lines:
        terminalreporter.write_sep("-", "pytest --delta mutation safety: selected fractions")
        for line in sorted(lines):
            terminalreporter.write_line(line)
