"""The changes the benchmark times, and the test files each one must select.

A scenario is data: text appended to files, files added, files deleted. Every edit adds a
statement to the module body, which runs on import without changing any result: the whole
suite still passes after it, and every test importing the file is affected by it, also for a
tool that tracks changes function by function, so a selection can be checked against the
plan's file-level answer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any

from .names import NOUNS
from .plan import MODULE_LEVEL, Import, Plan, SourceModule, TestModule
from .render import render_module, render_test
from .truth import Graph, affected_tests, conftests_above

#: Share of the repository's files a branch switch changes.
BRANCH_SHARE = 0.05

FIRST = "first"
NO_CHANGE = "no_change"
LEAF = "leaf"
HUB = "hub"
TEST = "test"
BRANCH = "branch"
ORDER = (FIRST, NO_CHANGE, LEAF, HUB, TEST, BRANCH)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    #: path -> text appended to the file.
    modify: dict[str, str] = field(default_factory=dict)
    #: path -> content of a new file.
    add: dict[str, str] = field(default_factory=dict)
    delete: tuple[str, ...] = ()
    #: Test files a correct selection must run (through runtime imports).
    expected: tuple[str, ...] = ()
    #: ``expected`` plus test files reached only through ``TYPE_CHECKING`` imports.
    expected_static: tuple[str, ...] = ()
    #: True for the first run: no snapshot, everything must run.
    everything: bool = False

    @property
    def has_edits(self) -> bool:
        return bool(self.modify or self.add or self.delete)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "description": self.description, "modify": self.modify, "add": self.add,
            "delete": list(self.delete), "expected": list(self.expected),
            "expected_static": list(self.expected_static), "everything": self.everything,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scenario:
        return cls(
            name=data["name"], description=data["description"], modify=dict(data["modify"]),
            add=dict(data["add"]), delete=tuple(data["delete"]), expected=tuple(data["expected"]),
            expected_static=tuple(data["expected_static"]), everything=bool(data["everything"]),
        )


def _edit_text(scenario: str, number: int) -> str:
    """A statement of the module body: it runs at import time (a call, so it could raise), so
    every test importing the file is affected, even for a tool that looks at functions one by
    one; and it changes no result, so the suite still passes."""
    return (f"\n# Added by the {scenario} scenario of the benchmark.\n"
            f'_BENCHMARK_EDIT_{scenario.upper()}_{number} = str.upper("{scenario}-{number}")\n')


def build_scenarios(plan: Plan, graph: Graph) -> list[Scenario]:
    rng = random.Random(f"pytest-delta-benchmark-scenarios/{plan.seed}/{plan.files}")
    runtime_reverse = graph.reverse()
    static_reverse = graph.reverse(static=True)
    tests = graph.test_files

    def answer(seeds: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (tuple(affected_tests(runtime_reverse, tests, seeds)),
                tuple(affected_tests(static_reverse, tests, seeds)))

    scenarios = [
        Scenario(FIRST, "first run: no snapshot", expected=tests, expected_static=tests, everything=True),
        Scenario(NO_CHANGE, "no change since the last run"),
    ]
    leaves = sorted(m.path for m in plan.modules.values() if m.kind == "leaf")
    tested = {t.subject: t.path for t in plan.tests.values()}
    candidates = [p for p in leaves if p in tested and answer([p]) == ((tested[p],), (tested[p],))]
    if not candidates:
        raise AssertionError("no leaf module with exactly one test file")
    leaf = rng.choice(candidates)
    scenarios.append(Scenario(LEAF, f"one leaf module edited ({leaf})", modify={leaf: _edit_text(LEAF, 1)},
                              expected=answer([leaf])[0], expected_static=answer([leaf])[1]))
    hubs = sorted((m for m in plan.modules.values() if m.kind == "hub"), key=lambda m: m.rank)
    hub_answers = {h.path: answer([h.path]) for h in hubs}
    hub = max(hubs, key=lambda h: (len(hub_answers[h.path][0]), -h.rank)).path
    scenarios.append(Scenario(HUB, f"the biggest hub module edited ({hub})", modify={hub: _edit_text(HUB, 1)},
                              expected=hub_answers[hub][0], expected_static=hub_answers[hub][1]))
    test = rng.choice(sorted(plan.tests))
    scenarios.append(Scenario(TEST, f"one test file edited ({test})", modify={test: _edit_text(TEST, 1)},
                              expected=answer([test])[0], expected_static=answer([test])[1]))
    scenarios.append(_branch(plan, graph, rng, tested, leaves))
    return scenarios


def _branch(plan: Plan, graph: Graph, rng: random.Random, tested: dict[str, str], leaves: list[str]) -> Scenario:
    """5% of the files edited, one module and its test added, one leaf and its test deleted."""
    gone_leaf = rng.choice([p for p in leaves if p in tested])
    deleted = (gone_leaf, tested[gone_leaf])
    pool = sorted(p for p in [*plan.modules, *plan.tests] if p not in deleted)
    count = max(1, round(BRANCH_SHARE * plan.files))
    modified = sorted(rng.sample(pool, count))
    new_module, new_test, new_plan = _new_module(plan, rng)
    added = {
        new_module.path: render_module(new_plan, new_module),
        new_test.path: render_test(new_plan, new_test),
    }
    runtime = {k: list(v) for k, v in graph.runtime.items() if k not in deleted}
    typing_only = {k: list(v) for k, v in graph.typing_only.items() if k not in deleted}
    package_init = new_module.path.rpartition("/")[0] + "/__init__.py"
    runtime[new_module.path] = [package_init, *(i.target for i in new_module.imports)]
    test_dir = new_test.path.rpartition("/")[0]
    runtime[new_test.path] = [f"{test_dir}/__init__.py", new_module.path,
                              *conftests_above(new_test.path, plan.conftests)]
    tests = tuple(sorted([*(t for t in graph.test_files if t not in deleted), new_test.path]))
    after = Graph({k: tuple(v) for k, v in runtime.items()}, {k: tuple(v) for k, v in typing_only.items()}, tests)
    seeds = [*modified, *added, *deleted]
    # Deleted files are seeds too: what imported them must run (the graph keeps their importers).
    reverse = after.reverse()
    for path in deleted:
        for importer, targets in graph.runtime.items():
            if path in targets and importer not in deleted:
                reverse.setdefault(path, []).append(importer)
    static_reverse = after.reverse(static=True)
    for path in deleted:
        static_reverse[path] = list(reverse.get(path, []))
    return Scenario(
        BRANCH,
        f"branch switch: {len(modified)} files edited ({BRANCH_SHARE:.0%}), 2 added, 2 deleted",
        modify={p: _edit_text(BRANCH, i) for i, p in enumerate(modified)},
        add=added,
        delete=deleted,
        expected=tuple(affected_tests(reverse, tests, seeds)),
        expected_static=tuple(affected_tests(static_reverse, tests, seeds)),
    )


def _new_module(plan: Plan, rng: random.Random) -> tuple[SourceModule, TestModule, Plan]:
    domain = sorted({m.package for m in plan.modules.values() if m.kind in ("mid", "api", "leaf")})
    package = rng.choice(domain)
    taken = {m.basename for m in plan.modules.values() if m.package == package}
    idents = {m.ident for m in plan.modules.values()}
    basename = next(f"{n}_branch" for n in [rng.choice(NOUNS), *NOUNS] if f"{n}_branch" not in taken
                    and f"{n}_branch" not in idents)
    config = next(m for m in plan.modules.values() if m.kind == "hub" and m.basename == "config")
    dotted = f"{package}.{basename}"
    module = SourceModule(
        path="src/" + dotted.replace(".", "/") + ".py", dotted=dotted, package=package, basename=basename,
        ident=basename, kind="leaf", rank=len(plan.modules), factor=3, offset=4,
        summary=f"Tracks work in progress on the {basename.replace('_', ' ')}",
        imports=(Import(config.path, config.dotted, "from_pkg", "config", MODULE_LEVEL, config.package),),
        blocks=("chunked", "pairs", "table"),
    )
    parts = package.split(".")[1:3]
    test = TestModule(path=f"tests/{'/'.join(parts)}/test_{basename}.py", subject=module.path,
                      subject_style="from_pkg", use_factories=False, use_asserts=False, use_patch=False,
                      variant="normalize")
    new_plan = replace(plan, modules={**plan.modules, module.path: module}, tests={**plan.tests, test.path: test})
    return module, test, new_plan
