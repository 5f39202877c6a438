"""The full sweep: every mutant of every safety project, judged for each precision.

``python -m benchmarks.safety`` (or ``python benchmarks/safety/run.py``). Unsafe selections are
printed as soon as they are found, with the mutant's diff and the tests the selection missed,
and appended to ``--unsafe-log`` if given; the Markdown report goes to ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .lab import Lab
from .mutants import mutants_of_project
from .projects import Project, all_projects, project_named
from .pytest_runs import PRECISIONS, PytestRunner
from .sampling import DEFAULT_SEED, sample
from .tables import kind_table, summary_table, unsafe_entry
from .verdicts import BROKEN, UNSAFE, Checked

DEFAULT_OUT = Path(__file__).resolve().parent / "RESULTS.md"


@dataclass(frozen=True)
class ProjectResult:
    project: Project
    tests: int
    checked: tuple[Checked, ...]
    #: Unsafe and broken selections, rendered.
    problems: tuple[str, ...]
    snapshot_rewrites: tuple[str, ...]
    rebaselined: tuple[str, ...] = ()


def sweep_project(project: Project, scratch: Path, runner: PytestRunner, precisions: Sequence[str], *,
                  limit: int = 0, seed: int = DEFAULT_SEED,
                  on_problem: Callable[[str, str], None] = lambda precision, text: None,
                  on_progress: Callable[[str], None] = lambda text: None) -> ProjectResult:
    lab = Lab(project, scratch, runner, precisions)
    tests = len(lab.baseline(precisions[0]).items)
    mutants = mutants_of_project(lab.root)
    if limit:
        mutants = sample(mutants, limit, seed)
    checked: list[Checked] = []
    problems: list[str] = []
    for number, mutant in enumerate(mutants, 1):
        verdicts = lab.check(mutant)
        checked.append(Checked(mutant, verdicts))
        shown = " ".join(f"{p}:{v.status}:{v.fraction:.0%}" for p, v in verdicts.items())
        failing = max((len(v.failing) for v in verdicts.values()), default=0)
        on_progress(f"[{project.name} {number}/{len(mutants)}] {mutant.key} {mutant.kind} {shown} failing:{failing}")
        for verdict in verdicts.values():
            if verdict.status in (UNSAFE, BROKEN):
                entry = unsafe_entry(project.name, mutant, verdict, lab.original_text(mutant.path))
                problems.append(entry)
                on_problem(verdict.precision, entry)
    return ProjectResult(project, tests, tuple(checked), tuple(problems), tuple(lab.snapshot_rewrites),
                         tuple(lab.rebaselined))


def render_report(results: Sequence[ProjectResult], precisions: Sequence[str], elapsed: float) -> str:
    lines = ["# Mutation safety of pytest --delta", "",
             "Each mutant is one edit (see benchmarks/safety/mutants.py); the ground truth is a full pytest run,",
             "and a selection is safe when every test that failed (or file that failed to collect) was selected.",
             "Safety counts the mutants that break at least one test; selected is the mean share of the suite",
             "that `pytest --delta --collect-only` selected over all mutants. Single-function edits are edits",
             "inside one function or method body of the code under test.", "",
             f"Precisions: {', '.join(precisions)}; {sum(len(r.checked) for r in results)} mutants; "
             f"{elapsed / 60:.1f} minutes.", "",
             summary_table({r.project.name: r.checked for r in results}, {r.project.name: r.tests for r in results}),
             ""]
    for result in results:
        lines += [f"## {result.project.name}", "", kind_table(result.checked), ""]
    problems = [p for r in results for p in r.problems]
    lines += ["## Unsafe or broken selections", ""]
    lines += problems or ["None.", ""]
    rebaselined = [f"{r.project.name}: before {key}" for r in results for key in r.rebaselined]
    if rebaselined:
        lines += ["## Baselines taken again (pytest-delta's code changed during the sweep)", "",
                  *(f"- {w}" for w in rebaselined), ""]
    rewrites = [w for r in results for w in r.snapshot_rewrites]
    if rewrites:
        lines += ["## Snapshots rewritten by --delta-no-save runs", "", *(f"- {w}" for w in rewrites), ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.safety", description=__doc__.splitlines()[0])
    parser.add_argument("--project", action="append", help="a project to mutate (default: all); repeatable")
    parser.add_argument("--precision", action="append", choices=PRECISIONS,
                        help="a precision to judge (default: every one the installed pytest-delta offers)")
    parser.add_argument("--limit", type=int, default=0, help="a fixed-seed sample of this many mutants per project")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--jobs", type=int, default=1, help="projects swept at the same time")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before one pytest run is given up")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"Markdown report (default: {DEFAULT_OUT})")
    parser.add_argument("--unsafe-log", type=Path, help="append every unsafe selection to this file as found")
    parser.add_argument("--log-precision", choices=PRECISIONS,
                        help="append only the unsafe selections of this precision to --unsafe-log")
    parser.add_argument("--quiet", action="store_true", help="no progress line per mutant")
    args = parser.parse_args(argv)

    projects = [project_named(n) for n in args.project] if args.project else list(all_projects())
    started = time.monotonic()
    lock = threading.Lock()

    def problem(precision: str, text: str) -> None:
        with lock:
            print(text, flush=True)
            if args.unsafe_log is not None and args.log_precision in (None, precision):
                with args.unsafe_log.open("a", encoding="utf-8") as log:
                    log.write(text + "\n")

    def progress(text: str) -> None:
        if not args.quiet:
            with lock:
                print(text, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="delta-safety-") as scratch:
        runner = PytestRunner.create(Path(scratch), timeout=args.timeout)
        precisions = tuple(args.precision or runner.precisions)
        missing = [p for p in precisions if p not in runner.precisions]
        if missing:
            parser.error(f"the installed pytest-delta has no --delta-precision {', '.join(missing)}")
        with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
            futures = [pool.submit(sweep_project, project, Path(scratch), runner, precisions, limit=args.limit,
                                   seed=args.seed, on_problem=problem, on_progress=progress)
                       for project in projects]
            results = [f.result() for f in futures]
    report = render_report(results, precisions, time.monotonic() - started)
    args.out.write_text(report + "\n", encoding="utf-8")
    print(report.split("\n## ", 1)[0])
    print(f"report written to {args.out}")
    return 1 if any(r.problems for r in results) else 0
