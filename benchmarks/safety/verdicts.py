"""Judging one selection against the ground truth: did it select every test that failed?

Failures are test node ids, or collector node ids (a file or directory) when collection itself
failed. A failing test is covered when the selection collected it, or tried to collect its file
and failed the same way; a selection run that ended before its session did (a conftest that
cannot be imported) covers everything when the full run ended the same way (the failure is as
loud either way), and is itself a fault to report when the full run did not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .mutants import Mutant
from .pytest_runs import RunResult

SAFE, UNSAFE, TIMEOUT = "safe", "unsafe", "timeout"
#: The selection run ended before its session did although the full run did not: no selection
#: to judge, and a fault of the tool or of the suite's set-up that must be looked at.
BROKEN = "broken"
#: The node id that stands for "the whole run" when the full run could not even start.
WHOLE_RUN = ""


@dataclass(frozen=True)
class Verdict:
    mutant: str
    precision: str
    status: str
    #: What the full run failed: tests, and collectors that could not be collected.
    failing: tuple[str, ...] = ()
    #: The failing ones the selection did not run.
    missed: tuple[str, ...] = ()
    selected: int = 0
    total: int = 0
    #: For a broken selection: the end of the run's output.
    detail: str = ""

    @property
    def fraction(self) -> float:
        return self.selected / self.total if self.total else 0.0

    @property
    def killed(self) -> bool:
        return bool(self.failing)


def failing_of(truth: RunResult) -> tuple[str, ...]:
    if truth.crashed:
        return (WHOLE_RUN,)
    return tuple(sorted(truth.failed | truth.errors))


def is_under(nodeid: str, prefix: str) -> bool:
    """Whether ``nodeid`` is ``prefix`` or inside it (a directory, file, class or test)."""
    if prefix == WHOLE_RUN or nodeid == prefix:
        return True
    return nodeid.startswith((prefix + "/", prefix + "::", prefix + "["))


def judge(mutant: str, precision: str, truth: RunResult, selection: RunResult, baseline: Sequence[str]) -> Verdict:
    if truth.timed_out or selection.timed_out:
        return Verdict(mutant, precision, TIMEOUT)
    failing = failing_of(truth)
    total = len(baseline)
    if selection.crashed:
        if truth.crashed:
            return Verdict(mutant, precision, SAFE, failing, (), total, total)
        return Verdict(mutant, precision, BROKEN, failing, (), total, total, selection.output)
    chosen = set(selection.items)
    chosen.update(b for b in baseline if _errored(b, selection.errors))
    missed = tuple(f for f in failing if not _covered(f, chosen, selection.errors, baseline))
    return Verdict(mutant, precision, UNSAFE if missed else SAFE, failing, missed, min(len(chosen), total), total)


def _errored(nodeid: str, errors: Iterable[str]) -> bool:
    return any(is_under(nodeid, error) for error in errors)


def _covered(failing: str, chosen: set[str], errors: frozenset[str], baseline: Sequence[str]) -> bool:
    if failing in chosen or _errored(failing, errors):
        return True
    if failing == WHOLE_RUN:
        return all(b in chosen for b in baseline)
    # A collector that failed in the full run: covered when the selection tried to collect it too.
    return any(is_under(error, failing) for error in errors) or any(is_under(c, failing) for c in chosen)


@dataclass(frozen=True)
class Checked:
    """One mutant and its verdict per precision."""

    mutant: Mutant
    verdicts: Mapping[str, Verdict]
