"""The sweep's report: Markdown tables of safety and selected fractions, and unsafe mutants
written out with their diff and the tests the selection missed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .mutants import KINDS, Mutant
from .pytest_runs import PRECISIONS
from .verdicts import BROKEN, SAFE, TIMEOUT, UNSAFE, Checked, Verdict

#: The issue's goal for single-function edits on the re-exporting project (symbol precision).
SINGLE_FUNCTION_GOAL = 0.10


@dataclass(frozen=True)
class Figures:
    """What one precision did on a set of mutants."""

    judged: int
    killing: int
    unsafe: int
    broken: int
    timeouts: int
    mean_fraction: float | None

    @classmethod
    def of(cls, verdicts: Sequence[Verdict]) -> Figures:
        judged = [v for v in verdicts if v.status in (SAFE, UNSAFE)]
        return cls(
            judged=len(judged),
            killing=sum(1 for v in judged if v.killed),
            unsafe=sum(1 for v in judged if v.status == UNSAFE),
            broken=sum(1 for v in verdicts if v.status == BROKEN),
            timeouts=sum(1 for v in verdicts if v.status == TIMEOUT),
            mean_fraction=sum(v.fraction for v in judged) / len(judged) if judged else None,
        )

    @property
    def safety(self) -> float | None:
        """Share of the mutants that break a test whose every failing test was selected."""
        return (self.killing - self.unsafe) / self.killing if self.killing else None


def verdicts_of(checked: Sequence[Checked], precision: str, single_function: bool = False) -> list[Verdict]:
    return [c.verdicts[precision] for c in checked
            if precision in c.verdicts and (c.mutant.is_single_function_edit or not single_function)]


def summary_table(results: Mapping[str, Sequence[Checked]], totals: Mapping[str, int]) -> str:
    header = ["project", "tests", "mutants", "breaking a test", "safety (file)", "safety (symbol)",
              "selected (file)", "selected (symbol)", "single-function edits", "single-function selected (file)",
              "single-function selected (symbol)", "single-function failing (floor)",
              f"single-function <= {SINGLE_FUNCTION_GOAL:.0%} (symbol)"]
    rows = []
    for project, checked in results.items():
        every = {p: Figures.of(verdicts_of(checked, p)) for p in PRECISIONS}
        single = {p: Figures.of(verdicts_of(checked, p, single_function=True)) for p in PRECISIONS}
        symbol_single = [v for v in verdicts_of(checked, "symbol", single_function=True) if v.status in (SAFE, UNSAFE)]
        within = sum(1 for v in symbol_single if v.fraction <= SINGLE_FUNCTION_GOAL)
        rows.append([
            project, str(totals.get(project, "")), str(len(checked)), _breaking(checked),
            _safety(every["file"]), _safety(every["symbol"]),
            _percent(every["file"].mean_fraction), _percent(every["symbol"].mean_fraction),
            str(sum(1 for c in checked if c.mutant.is_single_function_edit)),
            _percent(single["file"].mean_fraction), _percent(single["symbol"].mean_fraction),
            _percent(_failing_fraction(symbol_single)),
            f"{within}/{len(symbol_single)}" if symbol_single else "n/a",
        ])
    return _markdown(header, rows)


def _failing_fraction(verdicts: Sequence[Verdict]) -> float | None:
    """The mean share of the suite that the mutants break: what any safe selection must run
    at least (a tool that traces coverage runs more: every test that executes the edited code)."""
    judged = [v for v in verdicts if v.total]
    return sum(min(len(v.failing), v.total) / v.total for v in judged) / len(judged) if judged else None


def kind_table(checked: Sequence[Checked]) -> str:
    header = ["kind", "mutants", "breaking a test", "unsafe (file)", "unsafe (symbol)", "selected (file)",
              "selected (symbol)"]
    rows = []
    for kind in KINDS:
        of_kind = [c for c in checked if c.mutant.kind == kind]
        if not of_kind:
            continue
        figures = {p: Figures.of(verdicts_of(of_kind, p)) for p in PRECISIONS}
        rows.append([kind, str(len(of_kind)), _breaking(of_kind),
                     *(_count(figures[p].unsafe, figures[p].judged) for p in PRECISIONS),
                     *(_percent(figures[p].mean_fraction) for p in PRECISIONS)])
    return _markdown(header, rows)


def unsafe_entry(project: str, mutant: Mutant, verdict: Verdict, original: str) -> str:
    """One unsafe (or broken) selection, for the report and the notes: enough to reproduce it."""
    lines = [f"### {project}: `{mutant.key}` ({verdict.precision} precision, {verdict.status})", "",
             f"- file: `{mutant.path}`", f"- mutant: {mutant.description}"]
    if verdict.status == BROKEN:
        lines += ["- the selection run ended before its session did, while the full run did not:", "",
                  "```text", verdict.detail.strip(), "```"]
    else:
        lines.append(f"- failing in the full run: {len(verdict.failing)}; missed by the selection: "
                     f"{len(verdict.missed)} (selected {verdict.selected} of {verdict.total} tests)")
        lines += [f"  - `{nodeid or '(the whole run)'}`" for nodeid in verdict.missed]
    lines += ["", "```diff", mutant.diff(original).rstrip("\n"), "```", ""]
    return "\n".join(lines)


def _breaking(checked: Sequence[Checked]) -> str:
    return str(sum(1 for c in checked if any(v.killed for v in c.verdicts.values())))


def _safety(figures: Figures) -> str:
    if figures.judged == 0:
        return "n/a"
    safety = figures.safety
    text = "n/a" if safety is None else f"{safety:.3f}"
    notes = [f"{n} {what}" for n, what in ((figures.unsafe, "unsafe"), (figures.broken, "broken"),
                                           (figures.timeouts, "timed out")) if n]
    return f"{text} ({', '.join(notes)})" if notes else text


def _count(count: int, judged: int) -> str:
    return str(count) if judged else "n/a"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
