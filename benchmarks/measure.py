"""Running a command and timing it the way a user waits for it: the whole process, wall clock."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    seconds: float
    returncode: int
    output: str


@dataclass(frozen=True)
class Timing:
    label: str
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def to_json(self) -> dict[str, object]:
        return {"label": self.label, "median_s": self.median, "samples_s": list(self.samples)}


def clean_env() -> dict[str, str]:
    """The environment for the measured commands: the caller's, less what would change pytest's
    behaviour from outside (options, plugins, a surrounding pytest run's variables)."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("PYTEST_", "COV_", "PYTHONDONTWRITEBYTECODE")) and k != "PYTHONPATH"}


def run(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    started = time.perf_counter()
    done = subprocess.run(list(command), cwd=cwd, env=env if env is not None else clean_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    return Sample(time.perf_counter() - started, done.returncode, done.stdout)


@dataclass(frozen=True)
class JunitResult:
    """What a JUnit XML report says ran: test files (relative paths) and outcome counts."""

    files: frozenset[str]
    tests: int
    failed: int

    @classmethod
    def read(cls, path: Path) -> JunitResult:
        """An absent report means pytest stopped before writing one: nothing ran."""
        if not path.is_file():
            return cls(frozenset(), 0, 0)
        root = ElementTree.parse(path).getroot()
        files: set[str] = set()
        tests = failed = 0
        for case in root.iter("testcase"):
            tests += 1
            classname = case.get("classname", "")
            module = classname
            # A test in a class has "pkg.test_mod.TestClass"; the generated tests have no classes.
            files.add(module.replace(".", "/") + ".py")
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
        return cls(frozenset(files), tests, failed)
