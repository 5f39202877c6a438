"""Running pytest for the editor: one subprocess in its own process group, so that a cancel
(or the server's exit) ends the whole tree it started, never leaving orphans behind.

Results come from a JUnit XML report in a temporary directory (never the project: nothing
the server runs may change what the engine tracks); the terminal output is only shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .junit import TestOutcome, parse_junit

#: After SIGINT (pytest stops, writes its reports and the snapshot), how long before SIGTERM,
#: then SIGKILL.
INTERRUPT_GRACE_S = 3.0
TERMINATE_GRACE_S = 2.0
#: Lines of output kept for error messages.
TAIL_LINES = 40
#: How often the output file is read for new lines while pytest runs.
OUTPUT_POLL_S = 0.2


class RunError(Exception):
    """pytest could not be started (no such interpreter, not executable)."""


def default_interpreter(root: Path) -> str:
    """The project's virtualenv Python if it has one where tools look, else the active
    virtualenv's, else the interpreter running the server."""
    bindir, exe = ("Scripts", "python.exe") if os.name == "nt" else ("bin", "python")
    for venv in (root / ".venv", root / "venv"):
        candidate = venv / bindir / exe
        if candidate.is_file():
            return str(candidate)
    active = os.environ.get("VIRTUAL_ENV")
    if active and (Path(active) / bindir / exe).is_file():
        return str(Path(active) / bindir / exe)
    return sys.executable


def build_argv(interpreter: str, *, delta: bool, delta_file: str | None, pytest_args: Sequence[str],
               targets: Sequence[str], junit_path: Path, precision: str | None = None) -> list[str]:
    """``<python> -m pytest --delta [--delta-file F] [--delta-precision P] [args] [targets] --junitxml=...``.

    The report options come last so that a ``--junitxml`` in the user's arguments cannot
    take the server's report away.
    """
    argv = [interpreter, "-m", "pytest"]
    if delta:
        argv.append("--delta")
        if delta_file:
            argv += ["--delta-file", delta_file]
        if precision:
            argv += ["--delta-precision", precision]
    argv += [*pytest_args, *targets, f"--junitxml={junit_path}", "-o", "junit_family=xunit1"]
    return argv


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None
    outcomes: tuple[TestOutcome, ...]
    #: The last lines of pytest's output, for messages.
    tail: str
    cancelled: bool
    #: Why there are no outcomes although pytest ran (no report written, unreadable report).
    report_problem: str | None = None


class PytestRun:
    """One pytest subprocess: start, stream its output, cancel, collect the results.

    The output goes to a file, not a pipe: a process the tests leave running in the
    background may hold a pipe open for ever, a file it can keep.
    """

    def __init__(self, argv: Sequence[str], cwd: Path, report_dir: Path,
                 on_output: Callable[[str], None]) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.junit_path = report_dir / "junit.xml"
        self.output_path = report_dir / "output.txt"
        self.on_output = on_output
        self.process: asyncio.subprocess.Process | None = None
        self.cancelled = False
        self._tail: list[str] = []
        self._partial = b""
        self._offset = 0

    async def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        extra: dict[str, object] = {}
        if os.name == "posix":
            extra["start_new_session"] = True
        else:  # pragma: no cover - Windows
            extra["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        try:
            with open(self.output_path, "wb") as output:
                self.process = await asyncio.create_subprocess_exec(
                    *self.argv, cwd=self.cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
                    stdout=output, stderr=asyncio.subprocess.STDOUT, **extra)  # type: ignore[arg-type]
        except OSError as exc:
            raise RunError(f"cannot start {self.argv[0]}: {exc.strerror or exc}") from None

    def _read_output(self) -> None:
        try:
            with open(self.output_path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except OSError:
            return
        self._offset += len(chunk)
        *lines, self._partial = (self._partial + chunk).split(b"\n")
        for raw in lines:
            self._line(raw)

    def _line(self, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace").rstrip("\r")
        self._tail.append(line)
        del self._tail[:-TAIL_LINES]
        self.on_output(line)

    async def wait(self, known_files: Iterable[str] = ()) -> RunResult:
        """Wait for the end of the run (even when cancelled) and read its report."""
        assert self.process is not None
        waiter = asyncio.ensure_future(self.process.wait())
        while not waiter.done():
            await asyncio.wait([waiter], timeout=OUTPUT_POLL_S)
            self._read_output()
        code = waiter.result()
        self._read_output()
        if self._partial:
            self._line(self._partial)
            self._partial = b""
        if self.cancelled:
            self._signal_group(signal.SIGKILL if os.name == "posix" else signal.SIGTERM)  # stragglers
        tail = "\n".join(self._tail)
        problem = None
        outcomes: list[TestOutcome] = []
        if self.junit_path.is_file():
            try:
                outcomes = await asyncio.to_thread(parse_junit, self.junit_path, list(known_files))
            except (OSError, SyntaxError) as exc:  # ET.ParseError is a SyntaxError
                problem = f"cannot read pytest's report: {exc}"
        else:
            problem = "pytest wrote no report"
        return RunResult(code, tuple(outcomes), tail, self.cancelled, problem)

    def _signal_group(self, sig: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            if os.name == "posix":
                os.killpg(self.process.pid, sig)
            else:  # pragma: no cover - Windows
                self.process.send_signal(sig)

    async def cancel(self) -> None:
        """Stop the run: SIGINT first (pytest finishes its reports), then harder."""
        if self.process is None or self.process.returncode is not None:
            return
        self.cancelled = True
        steps = [(signal.SIGINT, INTERRUPT_GRACE_S), (signal.SIGTERM, TERMINATE_GRACE_S)]
        if os.name == "posix":
            steps.append((signal.SIGKILL, TERMINATE_GRACE_S))
        for sig, grace in steps:
            self._signal_group(sig)
            try:
                await asyncio.wait_for(asyncio.shield(self.process.wait()), grace)
                return
            except asyncio.TimeoutError:
                continue

    def kill(self) -> None:
        """Synchronous last resort (the server is exiting): end the whole group now."""
        if self.process is not None and self.process.returncode is None:
            self.cancelled = True
            self._signal_group(signal.SIGKILL if os.name == "posix" else signal.SIGTERM)


class ReportDir:
    """A private temporary directory for one run's report and output."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="pytest-delta-lsp-"))

    @property
    def junit(self) -> Path:
        return self.path / "junit.xml"

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
