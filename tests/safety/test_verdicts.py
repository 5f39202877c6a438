"""Judging a selection against the ground truth: a failing test left out makes it unsafe, a
file that fails to collect counts as selected only if the selection tried it too, and a
selection run that never got to select is a fault, not a pass."""

from __future__ import annotations

from collections.abc import Iterable

from benchmarks.safety.mutants import Mutant
from benchmarks.safety.pytest_runs import RunResult
from benchmarks.safety.tables import summary_table
from benchmarks.safety.verdicts import BROKEN, SAFE, TIMEOUT, UNSAFE, WHOLE_RUN, Checked, judge

BASELINE = (
    "tests/test_cart.py::test_total",
    "tests/test_cart.py::test_empty",
    "tests/test_money.py::test_add[1-2]",
    "tests/loans/test_fines.py::test_cap",
)


def _run(items: Iterable[str] = (), failed: Iterable[str] = (), errors: Iterable[str] = (), crashed: bool = False,
         timed_out: bool = False) -> RunResult:
    return RunResult(tuple(items), frozenset(failed), frozenset(errors), 1 if failed or errors else 0,
                     crashed=crashed, timed_out=timed_out, output="ImportError while loading conftest")


def test_a_failing_test_left_out_of_the_selection_is_missed() -> None:
    truth = _run(BASELINE, failed=["tests/test_cart.py::test_total", "tests/test_money.py::test_add[1-2]"])
    selection = _run(["tests/test_cart.py::test_total", "tests/test_cart.py::test_empty"])

    verdict = judge("m#1", "symbol", truth, selection, BASELINE)

    assert verdict.status == UNSAFE
    assert verdict.missed == ("tests/test_money.py::test_add[1-2]",)
    assert verdict.fraction == 0.5


def test_selecting_every_failing_test_is_safe_and_measures_the_share_selected() -> None:
    truth = _run(BASELINE, failed=["tests/test_cart.py::test_total"])
    selection = _run(["tests/test_cart.py::test_total"])

    verdict = judge("m#1", "file", truth, selection, BASELINE)

    assert verdict.status == SAFE
    assert verdict.killed
    assert verdict.fraction == 0.25


def test_a_module_that_fails_to_import_is_covered_when_the_selection_tried_it() -> None:
    truth = _run(BASELINE[3:], errors=["tests/test_cart.py", "tests/test_money.py"])
    selection = _run([], errors=["tests/test_cart.py"])

    verdict = judge("m#1", "symbol", truth, selection, BASELINE)

    assert verdict.status == UNSAFE
    assert verdict.missed == ("tests/test_money.py",)
    # The tests of a file the selection failed to collect count as selected.
    assert verdict.selected == 2


def test_a_conftest_error_in_a_directory_is_covered_by_an_error_inside_it() -> None:
    truth = _run(BASELINE[:3], errors=["tests/loans"])
    selection = _run(["tests/test_cart.py::test_total"], errors=["tests/loans/test_fines.py"])

    assert judge("m#1", "symbol", truth, selection, BASELINE).status == SAFE


def test_a_selection_run_that_crashed_alone_is_broken_not_safe() -> None:
    truth = _run(BASELINE, failed=["tests/test_cart.py::test_total"])
    selection = _run(crashed=True)

    verdict = judge("m#1", "file", truth, selection, BASELINE)

    assert verdict.status == BROKEN
    assert "ImportError" in verdict.detail


def test_when_the_full_run_cannot_start_either_the_crash_is_loud_enough() -> None:
    truth = _run(crashed=True)

    assert judge("m#1", "file", truth, _run(crashed=True), BASELINE).status == SAFE
    verdict = judge("m#1", "file", truth, _run(BASELINE[:1]), BASELINE)
    assert verdict.status == UNSAFE
    assert verdict.missed == (WHOLE_RUN,)


def test_a_run_that_timed_out_is_not_judged() -> None:
    verdict = judge("m#1", "symbol", _run(timed_out=True), _run(BASELINE), BASELINE)

    assert verdict.status == TIMEOUT
    assert not verdict.killed


def test_the_summary_sets_single_function_selections_beside_the_share_they_break() -> None:
    """The floor column: no safe selection can run fewer tests than the edit breaks."""
    def checked(index: int, failing: Iterable[str], selected: Iterable[str]) -> Checked:
        mutant = Mutant("src/cart.py", index, "raise", "method", "Cart.total", 3, "raise", "")
        truth = _run(BASELINE, failed=failing)
        verdicts = {p: judge(mutant.key, p, truth, _run(selected), BASELINE) for p in ("file", "symbol")}
        return Checked(mutant, verdicts)

    rows = [checked(1, BASELINE[:1], BASELINE[:2]), checked(2, BASELINE[:3], BASELINE)]

    table = summary_table({"cart": rows}, {"cart": len(BASELINE)})

    header, _, row = table.splitlines()
    cells = dict(zip(header.strip("| ").split(" | "), row.strip("| ").split(" | ")))
    assert cells["single-function selected (symbol)"] == "75.0%"
    assert cells["single-function failing (floor)"] == "50.0%"
    assert cells["single-function <= 10% (symbol)"] == "0/2"
