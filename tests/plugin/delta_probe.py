"""A pytest plugin loaded into every run under test: it writes what the run did to a JSON file.

Scenarios assert on node ids and outcomes read from here rather than on terminal text, which
pytest rewords between versions. It is copied out of the test tree and put on ``PYTHONPATH``,
so it is never a file of the projects whose selection is being tested.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

OUTPUT_ENV = "DELTA_PROBE_OUTPUT"


class Recorder:
    """Collects reports in the controller process (xdist workers forward theirs to it)."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.phases: dict[str, dict[str, str]] = {}
        self.collect_errors: list[str] = []
        self.deselected: list[str] = []
        self.items: list[str] | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = report.outcome
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        self.phases.setdefault(report.nodeid, {})[report.when] = outcome

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(report.nodeid)

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected.extend(item.nodeid for item in items)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.items = [item.nodeid for item in session.items]

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        data = {
            "phases": self.phases,
            "collect_errors": self.collect_errors,
            "deselected": self.deselected,
            "items": self.items,
            "modules": sorted(name for name in sys.modules if name.split(".")[0] == "pytest_delta"),
        }
        self.output.write_text(json.dumps(data), encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    output = os.environ.get(OUTPUT_ENV)
    if output and not hasattr(config, "workerinput"):
        config.pluginmanager.register(Recorder(Path(output)), "delta-probe-recorder")
