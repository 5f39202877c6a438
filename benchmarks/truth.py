"""The expected answers: which test files each file can affect, from the plan alone.

Edges are what Python and pytest really load: a module's own imports (wherever they stand,
except under ``if TYPE_CHECKING:``, which never runs), the ``__init__.py`` of each package on
the way, and for a test file every ``conftest.py`` pytest loads for it. Imports under
``TYPE_CHECKING`` are kept apart: a static tool may follow them (over-selecting is safe), but
no test can fail because of them, so they never make a test *required*.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .plan import TYPE_CHECKING_BLOCK, Plan

TESTS_ROOT = "tests"


@dataclass(frozen=True)
class Graph:
    """Direct runtime edges and TYPE_CHECKING-only edges, importer -> imported."""

    runtime: dict[str, tuple[str, ...]]
    typing_only: dict[str, tuple[str, ...]]
    test_files: tuple[str, ...]

    def reverse(self, static: bool = False) -> dict[str, list[str]]:
        reverse: dict[str, list[str]] = {}
        sources = [self.runtime, self.typing_only] if static else [self.runtime]
        for edges in sources:
            for importer, targets in edges.items():
                for target in targets:
                    reverse.setdefault(target, []).append(importer)
        return reverse


def _parent_init(path: str) -> str | None:
    directory = path.rpartition("/")[0]
    if path.endswith("/__init__.py"):
        directory = directory.rpartition("/")[0]
    if directory in ("", "src"):
        return None
    return f"{directory}/__init__.py"


def conftests_above(path: str, conftests: Iterable[str]) -> list[str]:
    present = set(conftests)
    out = []
    directory = path.rpartition("/")[0]
    while directory:
        candidate = f"{directory}/conftest.py"
        if candidate in present and candidate != path:
            out.append(candidate)
        directory = directory.rpartition("/")[0]
    return out


def build_graph(plan: Plan) -> Graph:
    runtime: dict[str, list[str]] = {}
    typing_only: dict[str, list[str]] = {}

    def add(importer: str, target: str | None, static_only: bool = False) -> None:
        if target is None or target == importer:
            return
        edges = typing_only if static_only else runtime
        targets = edges.setdefault(importer, [])
        if target not in targets:
            targets.append(target)

    for path, module in plan.modules.items():
        runtime.setdefault(path, [])
        add(path, _parent_init(path))
        for imp in module.imports:
            add(path, imp.target, static_only=imp.where == TYPE_CHECKING_BLOCK)
    for path, init in plan.inits.items():
        runtime.setdefault(path, [])
        add(path, _parent_init(path))
        for imp in init.imports:
            add(path, imp.target)
    for path in plan.test_inits:
        runtime.setdefault(path, [])
        add(path, _parent_init(path))
    for path, helper_imports in plan.helpers.items():
        runtime.setdefault(path, [])
        add(path, _parent_init(path))
        for target in helper_imports:
            add(path, target)
    for path, conftest in plan.conftests.items():
        runtime.setdefault(path, [])
        add(path, _parent_init(path))
        for target in conftest.imports:
            add(path, target)
    for path, test in plan.tests.items():
        runtime.setdefault(path, [])
        add(path, _parent_init(path))
        for target in (test.subject, test.second, test.inline):
            if target:
                add(path, target)
        if test.use_factories:
            add(path, "tests/helpers/factories.py")
        if test.use_asserts:
            add(path, "tests/helpers/asserts.py")
        for above in conftests_above(path, plan.conftests):
            add(path, above)
    return Graph(
        runtime={k: tuple(v) for k, v in sorted(runtime.items())},
        typing_only={k: tuple(v) for k, v in sorted(typing_only.items())},
        test_files=tuple(sorted(plan.tests)),
    )


def affected_tests(reverse: Mapping[str, list[str]], test_files: Iterable[str], seeds: Iterable[str]) -> list[str]:
    """Test files that reach a seed through ``reverse`` (importer lists), sorted."""
    tests = set(test_files)
    reached: set[str] = set()
    queue: deque[str] = deque()
    for seed in seeds:
        if seed not in reached:
            reached.add(seed)
            queue.append(seed)
    while queue:
        current = queue.popleft()
        for importer in reverse.get(current, ()):
            if importer not in reached:
                reached.add(importer)
                queue.append(importer)
    return sorted(p for p in reached if p in tests)


def affected_bitsets(graph: Graph) -> dict[str, int]:
    """For every file, the test files that reach it, as a bit set over ``graph.test_files``.

    One pass over the strongly connected components (lazy imports make cycles) in
    topological order, instead of one search per file.
    """
    nodes = sorted(set(graph.runtime) | {t for ts in graph.runtime.values() for t in ts})
    index = {node: i for i, node in enumerate(nodes)}
    succ = [[index[t] for t in graph.runtime.get(node, ())] for node in nodes]
    components = _tarjan(succ)
    # Tarjan emits a component after everything it reaches: reversed, importers come first.
    comp_of = [0] * len(nodes)
    for c, members in enumerate(components):
        for v in members:
            comp_of[v] = c
    bits = [0] * len(components)
    test_bit = {path: 1 << i for i, path in enumerate(graph.test_files)}
    for c in range(len(components) - 1, -1, -1):
        for v in components[c]:
            bits[c] |= test_bit.get(nodes[v], 0)
        for v in components[c]:
            for w in succ[v]:
                if comp_of[w] != c:
                    bits[comp_of[w]] |= bits[c]
    return {node: bits[comp_of[i]] for i, node in enumerate(nodes)}


def _tarjan(succ: list[list[int]]) -> list[list[int]]:
    """Strongly connected components, each emitted after every component it reaches."""
    n = len(succ)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, i = work[-1]
            if i < len(succ[v]):
                work[-1] = (v, i + 1)
                w = succ[v][i]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component.append(w)
                    if w == v:
                        break
                components.append(component)
    return components


def bits_to_paths(bits: int, test_files: tuple[str, ...] | list[str]) -> list[str]:
    return [path for i, path in enumerate(test_files) if bits >> i & 1]
