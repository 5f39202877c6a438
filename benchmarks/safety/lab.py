"""One project copied into a scratch directory, where mutants are applied and judged.

Per precision the lab keeps a baseline snapshot written by a full ``pytest --delta`` run of the
unmutated copy. For each mutant it writes the mutated file, runs the whole suite once (the
ground truth, cached per mutant for every precision), asks ``pytest --delta --collect-only
--delta-no-save`` what it would select, then writes the original bytes back and checks the
snapshot is still the baseline's. Snapshots live outside the copy, so the engine never sees them
as project files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .mutants import Mutant
from .projects import Project, copy_project
from .pytest_runs import PytestRunner, RunResult, engine_fingerprint
from .verdicts import Verdict, judge


class BaselineError(RuntimeError):
    """The unmutated project does not pass: no mutant of it can be judged."""


@dataclass(frozen=True)
class Baseline:
    precision: str
    items: tuple[str, ...]
    snapshot: Path
    snapshot_bytes: bytes


class Lab:
    def __init__(self, project: Project, scratch: Path, runner: PytestRunner, precisions: Iterable[str]) -> None:
        self.project = project
        self.runner = runner
        self.precisions = tuple(precisions)
        self.root = scratch / project.name / "tree"
        self.state = scratch / project.name / "state"
        self.state.mkdir(parents=True, exist_ok=True)
        copy_project(project, self.root)
        self.originals = {p.relative_to(self.root).as_posix(): p.read_bytes() for p in self.root.rglob("*.py")}
        self._truths: dict[str, RunResult] = {}
        self._baselines: dict[str, Baseline] = {}
        #: Selection runs after which the snapshot had changed although they passed --delta-no-save.
        self.snapshot_rewrites: list[str] = []
        #: Mutants before which the baselines were taken again, because pytest-delta's code changed.
        self.rebaselined: list[str] = []
        self._engine = engine_fingerprint()

    def original_text(self, path: str) -> str:
        return self.originals[path].decode("utf-8")

    def baseline(self, precision: str) -> Baseline:
        if precision not in self._baselines:
            snapshot = self.state / f"{precision}.msgpack"
            snapshot.unlink(missing_ok=True)
            result = self.runner.delta_run(self.root, self.state / f"baseline-{precision}.json", snapshot,
                                           precision, collect_only=False, save=True)
            if not result.all_passed or not result.items:
                raise BaselineError(f"{self.project.name}: the unmutated suite does not pass under "
                                    f"pytest --delta ({precision}):\n{result.output}")
            if not snapshot.is_file():
                raise BaselineError(f"{self.project.name}: pytest --delta wrote no snapshot at {snapshot}")
            self._baselines[precision] = Baseline(precision, result.items, snapshot, snapshot.read_bytes())
        return self._baselines[precision]

    def check(self, mutant: Mutant, precisions: Iterable[str] | None = None) -> dict[str, Verdict]:
        """The verdict of each precision (by default every precision of the lab) on one mutant."""
        engine = engine_fingerprint()
        if engine != self._engine:
            # Snapshots written by the old code may read differently (or not at all) to the new.
            self._engine = engine
            self._baselines.clear()
            self.rebaselined.append(mutant.key)
        baselines = [self.baseline(p) for p in (self.precisions if precisions is None else precisions)]
        with self._applied(mutant):
            truth = self.truth(mutant)
            return {b.precision: self._judge(mutant, b, truth) for b in baselines}

    def truth(self, mutant: Mutant) -> RunResult:
        """The full run with the mutant applied (the caller applies it); computed once per mutant."""
        if mutant.key not in self._truths:
            self._truths[mutant.key] = self.runner.full_run(self.root, self.state / "truth.json")
        return self._truths[mutant.key]

    def _judge(self, mutant: Mutant, baseline: Baseline, truth: RunResult) -> Verdict:
        if truth.timed_out:
            return judge(mutant.key, baseline.precision, truth, truth, baseline.items)
        selection = self.runner.delta_run(self.root, self.state / "selection.json", baseline.snapshot,
                                          baseline.precision, collect_only=True, save=False)
        if baseline.snapshot.read_bytes() != baseline.snapshot_bytes:
            self.snapshot_rewrites.append(f"{mutant.key} ({baseline.precision})")
            baseline.snapshot.write_bytes(baseline.snapshot_bytes)
        return judge(mutant.key, baseline.precision, truth, selection, baseline.items)

    @contextmanager
    def _applied(self, mutant: Mutant) -> Iterator[None]:
        target = self.root / mutant.path
        original = self.originals[mutant.path]
        target.write_bytes(mutant.source.encode("utf-8"))
        try:
            yield
        finally:
            target.write_bytes(original)
