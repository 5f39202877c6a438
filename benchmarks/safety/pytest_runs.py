"""Running pytest on a project copy in a fresh interpreter, and reading back what it did.

Every run is a subprocess: a mutated module must be imported anew, and a parent process that
imported the project (``pytest.main``) would keep the old one. Runs load only the plugins they
need (no entry-point autoload): that halves their start-up time, and no other installed plugin
can change what is collected. Bytecode is never written, so a mutant and the original, written
within one second at the same size, can never share a stale ``.pyc``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from pathlib import Path

from . import recorder_plugin

RECORDER_MODULE = "delta_safety_recorder"
FILE, SYMBOL = "file", "symbol"
PRECISIONS = (FILE, SYMBOL)
#: Environment variables of the calling session that must not reach the runs.
_DROPPED_VARIABLES = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONPATH", "PYTEST_CURRENT_TEST")


@dataclass(frozen=True)
class RunResult:
    """What one pytest run collected (after any deselection) and which tests failed."""

    items: tuple[str, ...]
    failed: frozenset[str]
    #: Node ids of collectors that failed to collect (a module that raised on import).
    errors: frozenset[str]
    exit_code: int
    #: pytest ended before its session did (a conftest that failed to import): nothing recorded.
    crashed: bool = False
    timed_out: bool = False
    output: str = ""

    @property
    def all_passed(self) -> bool:
        return not (self.failed or self.errors or self.crashed or self.timed_out) and self.exit_code == 0


@dataclass(frozen=True)
class PytestRunner:
    python: str
    #: A directory holding only the recorder plugin, put on ``PYTHONPATH`` of every run.
    plugin_dir: Path
    #: The modules pytest-delta registers as pytest plugins.
    delta_plugins: tuple[str, ...]

    #: Whether this pytest-delta has ``--delta-precision``; without it selection is file-level.
    precision_option: bool = False
    timeout: float = 120.0

    @classmethod
    def create(cls, scratch: Path, timeout: float = 120.0) -> PytestRunner:
        plugin_dir = scratch / "plugins"
        plugin_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(recorder_plugin.__file__, plugin_dir / f"{RECORDER_MODULE}.py")
        runner = cls(sys.executable, plugin_dir, _delta_plugin_modules(), timeout=timeout)
        help_text = subprocess.run([runner.python, "-m", "pytest", *runner._plugin_args(delta=True), "--help"],
                                   capture_output=True, text=True, env=runner._env(None), timeout=timeout,
                                   cwd=plugin_dir, check=False).stdout
        return replace(runner, precision_option="--delta-precision" in help_text)

    @property
    def precisions(self) -> tuple[str, ...]:
        """The precisions this pytest-delta offers: ``file`` always (the behaviour without
        ``--delta-precision``), ``symbol`` once the option exists."""
        return PRECISIONS if self.precision_option else (FILE,)

    def full_run(self, project: Path, output: Path) -> RunResult:
        """Every test, without pytest-delta: the ground truth."""
        return self._run(project, output, [*self._plugin_args(delta=False), "--continue-on-collection-errors"])

    def delta_run(self, project: Path, output: Path, snapshot: Path, precision: str, *,
                  collect_only: bool, save: bool) -> RunResult:
        if precision not in self.precisions:
            raise ValueError(f"this pytest-delta has no --delta-precision {precision}")
        # One token per option: pytest finds the rootdir before plugins add their options, and
        # would take the value of a spaced ``--delta-file PATH`` for a path to test.
        args = [*self._plugin_args(delta=True), "--delta", f"--delta-file={snapshot}",
                "--continue-on-collection-errors"]
        if self.precision_option:
            args.append(f"--delta-precision={precision}")
        if collect_only:
            args.append("--collect-only")
        if not save:
            args.append("--delta-no-save")
        return self._run(project, output, args)

    def _plugin_args(self, delta: bool) -> list[str]:
        args = ["-p", "no:cacheprovider", "-p", RECORDER_MODULE]
        for module in self.delta_plugins if delta else ():
            args += ["-p", module]
        return args

    def _env(self, output: Path | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED_VARIABLES}
        env.update(PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(self.plugin_dir),
                   PYTHONHASHSEED="0")
        if output is not None:
            env[recorder_plugin.OUTPUT_VARIABLE] = str(output)
        return env

    def _run(self, project: Path, output: Path, args: Sequence[str]) -> RunResult:
        output.unlink(missing_ok=True)
        command = [self.python, "-m", "pytest", "-q", *args]
        try:
            done = subprocess.run(command, cwd=project, env=self._env(output), capture_output=True, text=True,
                                  timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            return RunResult((), frozenset(), frozenset(), -1, timed_out=True, output=_tail(exc.stdout, exc.stderr))
        text = _tail(done.stdout, done.stderr)
        try:
            data = json.loads(output.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return RunResult((), frozenset(), frozenset(), done.returncode, crashed=True, output=text)
        return RunResult(tuple(data["items"]), frozenset(data["failed"]), frozenset(data["errors"]),
                         done.returncode, output=text)


def engine_fingerprint() -> tuple[tuple[str, int, int], ...]:
    """Stat data of pytest-delta's own sources: when it changes, the tool under test was edited
    (or reinstalled) and snapshots written by the old code may not mean the same to the new."""
    import pytest_delta  # the installed tool under test, wherever it comes from

    root = Path(pytest_delta.__file__).parent
    out = []
    for path in sorted(root.rglob("*.py")):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((path.relative_to(root).as_posix(), st.st_mtime_ns, st.st_size))
    return tuple(out)


def _tail(stdout: str | bytes | None, stderr: str | bytes | None, limit: int = 4000) -> str:
    parts = [p.decode("utf-8", "replace") if isinstance(p, bytes) else p for p in (stdout, stderr) if p]
    return "\n".join(parts)[-limit:]


def _delta_plugin_modules() -> tuple[str, ...]:
    modules = tuple(ep.value.partition(":")[0] for ep in entry_points(group="pytest11")
                    if ep.dist is not None and ep.dist.name == "pytest-delta")
    return modules or ("pytest_delta.plugin",)
