"""The fast part of the mutation safety suite: on each safety project, a fixed-seed sample of
single-edit mutants (every kind of edit in it) is applied one at a time; the full suite's
failures are the ground truth, and ``pytest --delta`` must have selected every one of them, at
file and at symbol precision. The full sweep over every mutant is ``python -m benchmarks.safety``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.safety.lab import Lab
from benchmarks.safety.mutants import KINDS, Mutant, mutants_of_project
from benchmarks.safety.projects import all_projects, project_named
from benchmarks.safety.pytest_runs import PRECISIONS, PytestRunner
from benchmarks.safety.sampling import DEFAULT_SEED, sample
from benchmarks.safety.tables import unsafe_entry
from benchmarks.safety.verdicts import SAFE, UNSAFE, Verdict

from .conftest import FRACTION_PROPERTY

#: Mutants per project: every kind of edit, plus a few more, within the CI time budget.
SAMPLE_SIZE = 14
PROJECTS = [p.name for p in all_projects()]


@pytest.fixture(scope="session")
def runner(tmp_path_factory: pytest.TempPathFactory) -> PytestRunner:
    return PytestRunner.create(tmp_path_factory.mktemp("safety-runner"))


@pytest.fixture(scope="session")
def lab_of(tmp_path_factory: pytest.TempPathFactory, runner: PytestRunner) -> Callable[[str], Lab]:
    """One lab per project for the session, so that both precisions share its ground truths."""
    labs: dict[str, Lab] = {}

    def get(name: str) -> Lab:
        if name not in labs:
            labs[name] = Lab(project_named(name), tmp_path_factory.mktemp(f"safety-{name}"), runner,
                             runner.precisions)
        return labs[name]

    return get


@pytest.fixture(scope="session")
def mutants_of() -> Callable[[str], list[Mutant]]:
    """Every mutant of a project, generated once per session."""
    cache: dict[str, list[Mutant]] = {}

    def get(name: str) -> list[Mutant]:
        if name not in cache:
            cache[name] = mutants_of_project(project_named(name).source)
        return cache[name]

    return get


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("project", PROJECTS)
def test_every_test_a_mutant_breaks_is_selected(project: str, precision: str, runner: PytestRunner,
                                                lab_of: Callable[[str], Lab],
                                                mutants_of: Callable[[str], list[Mutant]],
                                                record_property: Callable[[str, object], None]) -> None:
    if precision not in runner.precisions:
        pytest.skip(f"the installed pytest-delta has no --delta-precision {precision}")
    lab = lab_of(project)
    mutants = sample(mutants_of(project), SAMPLE_SIZE, DEFAULT_SEED)
    verdicts: list[Verdict] = []
    problems: list[str] = []
    for mutant in mutants:
        verdict = lab.check(mutant, [precision])[precision]
        verdicts.append(verdict)
        if verdict.status != SAFE:
            problems.append(unsafe_entry(project, mutant, verdict, lab.original_text(mutant.path)))

    judged = [v for v in verdicts if v.status in (SAFE, UNSAFE)]
    mean = sum(v.fraction for v in judged) / len(judged) if judged else 0.0
    line = (f"{project:<10} {precision:<6} {len(verdicts)} mutants, "
            f"{sum(v.killed for v in verdicts)} breaking a test, mean selected {mean:.1%}")
    print(line)
    record_property(FRACTION_PROPERTY, line)
    assert not problems, "\n".join(problems)
    assert not lab.snapshot_rewrites, f"--delta-no-save runs rewrote the snapshot: {lab.snapshot_rewrites}"
    # The check can fail: the sample breaks tests, and a selection that ran nothing would miss them.
    assert any(v.killed for v in verdicts)


@pytest.mark.parametrize("project", PROJECTS)
def test_the_sample_holds_every_kind_of_edit_the_project_has(
        project: str, mutants_of: Callable[[str], list[Mutant]]) -> None:
    every = mutants_of(project)

    chosen = sample(every, SAMPLE_SIZE, DEFAULT_SEED)

    assert {m.kind for m in chosen} == {m.kind for m in every}
    assert len(chosen) == min(SAMPLE_SIZE, len(every))
    assert [m.key for m in chosen] == [m.key for m in sample(every, SAMPLE_SIZE, DEFAULT_SEED)]


def test_the_written_projects_offer_every_kind_of_edit(mutants_of: Callable[[str], list[Mutant]]) -> None:
    written = [p.name for p in all_projects() if p.source.is_relative_to(Path(__file__).parent)]

    assert sorted(written) == ["fixtures", "reexport", "registry"]
    for name in written:
        assert {m.kind for m in mutants_of(name)} == set(KINDS), name
