"""Scenario helpers: a real project on disk, real ``pytest --delta`` runs, and what they ran.

Every run is a subprocess (``runpytest_subprocess``): the plugin reads the disk at session start
and imports project modules, so in-process runs would share module caches between runs and
hide exactly the bugs these scenarios look for. Plugin auto-loading is switched off and the
plugins are named in ``PYTEST_PLUGINS`` instead: the other plugins installed in the test
environment (pygls, asyncio, hypothesis) would triple the start-up time of every run. Some
scenarios (``test_options.py``, ``test_xdist.py``) run with auto-loading on, through the real
entry points.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from .delta_probe import OUTPUT_ENV

SNAPSHOT = ".delta.msgpack"
PLUGIN_MODULE = "pytest_delta.plugin"
PROBE_MODULE = "delta_probe"
#: The plugin's own source tree; a path under it in a run's output is a traceback from it.
PLUGIN_SOURCE_MARK = f"pytest_delta{os.sep}"
#: Plugins of this repository's own test environment that have nothing to do with the product;
#: blocked in auto-loading runs because they triple the start-up time of every run.
UNRELATED_PLUGINS = ("asyncio", "pytest-lsp", "hypothesispytest")
#: A run that takes longer than this is hung (a lock never released, say).
RUN_TIMEOUT_S = 120


def outcome_of(phases: Mapping[str, str]) -> str:
    """One word for a test's fate from its setup/call/teardown reports."""
    setup = phases.get("setup")
    call = phases.get("call")
    if setup == "failed":
        return "error"
    if setup in ("skipped", "xfailed"):
        return setup
    if call is None:
        return "interrupted"  # set up, then the session stopped (KeyboardInterrupt)
    if phases.get("teardown") == "failed" and call == "passed":
        return "error"
    return call


@dataclass(frozen=True)
class DeltaRun:
    """One finished pytest run: its result and what the probe recorded."""

    result: pytest.RunResult
    #: Node id -> passed / failed / error / skipped / xfailed / xpassed / interrupted.
    outcomes: Mapping[str, str]
    #: Node ids of collectors (files) whose collection failed.
    collect_errors: frozenset[str]
    #: Node ids reported through ``pytest_deselected``.
    deselected: frozenset[str]
    #: The session's items after selection (None when collection was skipped or ran elsewhere).
    items: tuple[str, ...] | None
    #: ``pytest_delta`` modules imported by the end of the run.
    modules: tuple[str, ...]

    @property
    def ran(self) -> frozenset[str]:
        return frozenset(self.outcomes)

    @property
    def ret(self) -> int:
        return int(self.result.ret)

    @property
    def lines(self) -> list[str]:
        return self.result.outlines + self.result.errlines

    @property
    def debug(self) -> list[str]:
        """The ``--delta-debug`` lines, without their prefix."""
        prefix = "[pytest-delta] "
        return [line[len(prefix):] for line in self.lines if line.startswith(prefix)]

    @property
    def warnings(self) -> list[str]:
        """The plugin's warning lines (``pytest-delta: ...``)."""
        return [line for line in self.lines if line.startswith("pytest-delta:")]

    @property
    def summaries(self) -> list[str]:
        """The one-line ``delta: ...`` summaries of the report header."""
        return [line for line in self.lines if line.startswith("delta:")]

    def with_outcome(self, outcome: str) -> frozenset[str]:
        return frozenset(n for n, o in self.outcomes.items() if o == outcome)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class Project:
    """A temporary project: files written like a user writes them, runs made like a user runs."""

    def __init__(self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, probe_dir: Path,
                 outputs: Path) -> None:
        self.pytester = pytester
        self.root = pytester.path
        self.monkeypatch = monkeypatch
        self.probe_dir = probe_dir
        self.outputs = outputs
        self.runs = 0

    @property
    def snapshot(self) -> Path:
        return self.root / SNAPSHOT

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def write(self, files: Mapping[str, str | bytes]) -> None:
        """Create or overwrite files; text is dedented, bytes are written as they are."""
        for relpath, content in files.items():
            path = self.root / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")

    def ini(self, *lines: str) -> None:
        """Write ``pytest.ini`` (it also pins the rootdir to the project)."""
        self.write({"pytest.ini": "\n".join(["[pytest]", *lines, ""])})

    def edit(self, relpath: str, content: str | bytes) -> None:
        """Replace an existing file's content with different content, and make sure its mtime
        moves by a whole second, so that neither the engine's stat check nor Python's bytecode
        cache can take the new file for the old one."""
        path = self.root / relpath
        before = path.stat()
        data = content if isinstance(content, bytes) else textwrap.dedent(content).encode()
        assert data != path.read_bytes(), f"edit of {relpath} does not change it"
        path.write_bytes(data)
        after = path.stat()
        if after.st_mtime_ns < before.st_mtime_ns + 1_000_000_000:
            os.utime(path, ns=(after.st_atime_ns, before.st_mtime_ns + 1_000_000_000))

    def append(self, relpath: str, text: str) -> None:
        self.edit(relpath, self.path(relpath).read_text(encoding="utf-8") + textwrap.dedent(text))

    def delete(self, relpath: str) -> None:
        path = self.root / relpath
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()

    def rename(self, old: str, new: str) -> None:
        target = self.root / new
        target.parent.mkdir(parents=True, exist_ok=True)
        (self.root / old).rename(target)

    def run(self, *args: str, delta: bool = True, autoload: bool = False,
            plugins: tuple[str, ...] = (), cwd: Path | None = None) -> DeltaRun:
        """Run ``pytest [--delta] *args`` in a subprocess and read back what it did.

        ``autoload`` loads the installed plugins through their entry points (the real set-up),
        except :data:`UNRELATED_PLUGINS`; otherwise only pytest-delta, the probe and ``plugins``
        are loaded.
        """
        output = self._next_output()
        with self._environment(output, autoload, plugins, cwd):
            blocked = [arg for name in UNRELATED_PLUGINS for arg in ("-p", f"no:{name}")] if autoload else []
            process = self._spawn([*blocked, *(("--delta",) if delta else ()), *args], output)
        try:
            process.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        return self._finished(process, output)

    def run_together(self, *arg_lists: tuple[str, ...]) -> list[DeltaRun]:
        """Start one ``pytest --delta`` per argument list at once (a terminal and an editor
        running side by side) and wait for all of them."""
        started = []
        for args in arg_lists:
            output = self._next_output()
            with self._environment(output, False, (), None):
                started.append((self._spawn(["--delta", *args], output), output))
        for process, _ in started:
            process.wait(timeout=RUN_TIMEOUT_S)
        return [self._finished(process, output) for process, output in started]

    def _spawn(self, args: list[str], output: Path) -> subprocess.Popen[bytes]:
        """``python -m pytest *args`` in the project, its output and temporary directories kept
        outside it (in a user's tree they are elsewhere too): every file the project holds is
        tracked, and pytester's own ``stdout`` file would be a change of every run."""
        command = [sys.executable, "-m", "pytest", f"--basetemp={output.with_suffix('.tmp')}", *args]
        with open(output.with_suffix(".out"), "wb") as out, open(output.with_suffix(".err"), "wb") as err:
            return self.pytester.popen(command, stdout=out, stderr=err)

    def _finished(self, process: subprocess.Popen[bytes], output: Path) -> DeltaRun:
        result = pytest.RunResult(
            process.returncode, output.with_suffix(".out").read_text().splitlines(),
            output.with_suffix(".err").read_text().splitlines(), 0.0)
        run = read_run(result, output)
        assert_no_plugin_crash(run)
        return run

    def _next_output(self) -> Path:
        self.runs += 1
        return self.outputs / f"run-{self.runs}.json"

    @contextlib.contextmanager
    def _environment(self, output: Path, autoload: bool, plugins: tuple[str, ...],
                     cwd: Path | None) -> Iterator[None]:
        with self.monkeypatch.context() as env:
            env.setenv(OUTPUT_ENV, str(output))
            env.setenv("PYTHONPATH", str(self.probe_dir))
            env.setenv("PYTHONDONTWRITEBYTECODE", "1")
            env.delenv("PYTEST_ADDOPTS", raising=False)
            if autoload:
                env.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
                env.setenv("PYTEST_PLUGINS", ",".join([PROBE_MODULE, *plugins]))
            else:
                env.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
                env.setenv("PYTEST_PLUGINS", ",".join([PLUGIN_MODULE, PROBE_MODULE, *plugins]))
            if cwd is not None:
                env.chdir(cwd)
            yield


def read_run(result: pytest.RunResult, output: Path) -> DeltaRun:
    assert output.exists(), "the run ended before pytest_unconfigure:\n" + "\n".join(
        result.outlines + result.errlines)
    data = json.loads(output.read_text(encoding="utf-8"))
    items = data["items"]
    return DeltaRun(
        result=result,
        outcomes={nodeid: outcome_of(phases) for nodeid, phases in data["phases"].items()},
        collect_errors=frozenset(data["collect_errors"]),
        deselected=frozenset(data["deselected"]),
        items=tuple(items) if items is not None else None,
        modules=tuple(data["modules"]),
    )


def assert_no_plugin_crash(run: DeltaRun) -> None:
    """Whatever the project does, the plugin itself never fails with a traceback."""
    bad = [line for line in run.lines if "INTERNALERROR" in line or PLUGIN_SOURCE_MARK in line]
    assert not bad, "the plugin crashed:\n" + run.text


@pytest.fixture(scope="session")
def probe_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding only the probe plugin, for ``PYTHONPATH``."""
    directory = tmp_path_factory.mktemp("probe")
    shutil.copy(Path(__file__).with_name(f"{PROBE_MODULE}.py"), directory)
    return directory


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, probe_dir: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Project:
    made = Project(pytester, monkeypatch, probe_dir, tmp_path_factory.mktemp("runs"))
    made.ini()
    return made


def nodeids(*specs: str) -> frozenset[str]:
    """``nodeids("tests/test_a.py::test_x,test_y", "tests/test_b.py::test_z")``: a set of node ids,
    several tests of one file separated by commas."""
    out = set()
    for spec in specs:
        path, _, names = spec.partition("::")
        out.update(f"{path}::{name.strip()}" for name in names.split(","))
    return frozenset(out)
