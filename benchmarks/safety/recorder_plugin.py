"""A pytest plugin loaded into every run of the safety suite (``-p delta_safety_recorder``).

It writes, as JSON to the path in ``$DELTA_SAFETY_OUT``, the node ids of the items left after
collection (after ``--delta`` deselected its share), the tests whose setup, call or teardown
failed, and the collectors that failed to collect. This file is copied on its own into a
directory put on ``PYTHONPATH``, so it imports nothing from the benchmark package.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

OUTPUT_VARIABLE = "DELTA_SAFETY_OUT"


class Recorder:
    def __init__(self, output: Path) -> None:
        self.output = output
        self.items: list[str] = []
        self.failed: set[str] = set()
        self.errors: set[str] = set()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.add(report.nodeid)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.items = [item.nodeid for item in session.items]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed.add(report.nodeid)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        data = {"items": self.items, "failed": sorted(self.failed), "errors": sorted(self.errors),
                "exitstatus": int(exitstatus)}
        self.output.write_text(json.dumps(data), encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    output = os.environ.get(OUTPUT_VARIABLE)
    if output:
        config.pluginmanager.register(Recorder(Path(output)), "delta-safety-recorder")
