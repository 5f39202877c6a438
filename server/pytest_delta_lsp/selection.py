"""Which tests ``pytest --delta`` would run right now, and why: the plugin's rule, on static items.

The plugin keeps a test when there is no snapshot, when its file is not tracked, when its
file is affected, when it (or its whole file) is pending, or when it is marked
``delta_always`` (see ``pytest_delta/session.py``). This module applies the same rule to the
items :mod:`.testfiles` finds, so lenses and ``pytestDelta/affectedTests`` agree with a run.

With symbol precision "its file is affected" narrows, as in the plugin: the file must be
collected at all (affected whole, holding an affected unit, binding an affected name, or kept
for a pending or ``delta_always`` test), and the engine's :class:`SymbolSelection` must select
the test's own unit (:func:`unit_of`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

from pytest_delta.engine import Changes, Graph
from pytest_delta.engine.precision import SymbolSelection

from .testfiles import TestFile, TestItem, strip_params

StatusKind = Literal["affected", "failed", "pending", "always", "untracked"]

#: Which status a class shows when its tests differ: the first one found in this order.
_RANK: tuple[StatusKind, ...] = ("failed", "affected", "pending", "untracked", "always")


@dataclass(frozen=True)
class View:
    """An immutable picture of the project's state, published after every engine update."""

    generation: int = 0
    #: False until the first scan has finished: nothing can be said yet.
    ready: bool = False
    has_baseline: bool = False
    #: Affected file -> the file it was reached from (None for a changed file).
    affected: Mapping[str, str | None] = field(default_factory=dict)
    changes: Changes = field(default_factory=Changes)
    #: Paths the engine tracks (a test file outside them always runs).
    tracked: Mapping[str, object] = field(default_factory=dict)
    pending_tests: frozenset[str] = frozenset()
    pending_files: frozenset[str] = frozenset()
    always_files: frozenset[str] = frozenset()
    #: Node ids that failed in the last run that ran them.
    failed: frozenset[str] = frozenset()
    #: Node ids the server's own runs saw pass (a pending file may still hold them).
    passed: frozenset[str] = frozenset()
    #: Why there is no baseline ("no snapshot .delta.msgpack yet"), for lenses.
    baseline_note: str = "no snapshot yet"
    #: Symbol precision's refinement of ``affected``; None: file precision (or everything
    #: runs anyway: no baseline, a configuration change).
    symbols: SymbolSelection | None = None
    #: The units each collected, affected test file defines (its symbol table's names), for
    #: :func:`unit_of`; only filled with symbol precision.
    units_defined: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: The import graph, for the file chain of a symbol reason.
    graph: Graph | None = None

    @cached_property
    def failed_items(self) -> frozenset[str]:
        """Items with a failed node id (any parametrization)."""
        return frozenset(strip_params(n) for n in self.failed)

    @cached_property
    def collected_files(self) -> frozenset[str]:
        """With symbol precision, the tracked files ``pytest --delta`` collects: the plugin's
        ``keep`` set (it never imports the others)."""
        symbols = self.symbols
        if symbols is None:
            return frozenset()
        out = {*symbols.whole_files, *symbols.units, *symbols.bound_files, *self.pending_files, *self.always_files}
        out.update(node_id.split("::", 1)[0] for node_id in self.pending_tests)
        return frozenset(out)

    def pending_ids_by_item(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for node_id in sorted(self.pending_tests):
            out.setdefault(strip_params(node_id), []).append(node_id)
        return out


@dataclass(frozen=True)
class Status:
    kind: StatusKind
    #: One line for a lens: "affected: src/shop/cart.py changed".
    text: str
    #: ``[test file, ..., changed file]`` when a change reaches the file, else empty.
    chain: tuple[str, ...] = ()
    #: Exact node ids that would run (parametrized pending tests can be a subset).
    node_ids: tuple[str, ...] = ()
    #: The symbol chain of a test symbol precision selected, from the test to the changed
    #: function: ``("test_total (tests/test_cart.py)", "Cart.total (src/shop/cart.py, changed)")``.
    symbols: tuple[str, ...] = ()
    #: Why a change counts for the whole file (symbol precision escalated), for the tooltip.
    escalation: str | None = None

    @property
    def tooltip(self) -> str:
        if self.symbols:
            return " <- ".join(self.symbols)
        if self.chain:
            chain = "import chain: " + " → ".join(self.chain)
            return f"{chain}\nfile level: {self.escalation}" if self.escalation else chain
        return self.text


def describe_seed(seed: str, changes: Changes) -> str:
    """Why a changed file counts as changed, as the end of a sentence."""
    if seed in changes.broken:
        return f"{seed} cannot be parsed ({changes.broken[seed]})"
    if seed in changes.added:
        return f"{seed} is new"
    if seed in changes.deleted:
        return f"{seed} was deleted"
    if seed in changes.rewired:
        return f"imports in {seed} resolve differently"
    return f"{seed} changed"




def unit_of(item: TestItem, path: str, defined: Collection[str]) -> str | None:
    """The symbol unit of a test, as the plugin's ``_unit_of`` finds it on a collected item:
    ``"test_x"`` for a module-level function, ``"TestX.test_x"`` for a method of a top-level
    class; None for anything else (a nested class's method) or a unit the file's symbol table
    does not define (a method inherited from a base class): then the file decides."""
    if item.kind != "function" or not item.node_id.startswith(path + "::"):
        return None
    parts = item.node_id[len(path) + 2:].split("::")
    if len(parts) > 2:
        return None
    unit = ".".join(parts)
    return unit if unit in defined else None


def _file_status(view: View, path: str, reached: Mapping[str, str | None],
                 escalations: Mapping[str, str]) -> Status:
    chain = tuple(Graph.chain(reached, path))
    seed = chain[-1] if chain else path
    why = escalations.get(seed)
    changes = view.changes
    if seed not in changes.seeds:
        # Unchanged itself: a module beside a changed data file, or one whose module body uses
        # a changed function. The file level chain goes on to the change.
        rest = Graph.chain(view.affected, seed)[1:]
        if not rest:
            return Status("affected", f"affected: {seed} ({why})", chain, escalation=why)
        chain = (*chain, *rest)
        if not chain[-1].endswith(".py"):
            why = None  # the data file is the whole story
        return Status("affected", f"affected: {describe_seed(chain[-1], changes)}", chain, escalation=why)
    edited = seed in changes.changed and seed not in changes.broken
    # New, deleted, broken and rewired files escalate for what the lens text already says.
    return Status("affected", f"affected: {describe_seed(seed, changes)}", chain,
                  escalation=why if edited else None)


def _origin(symbols: SymbolSelection, path: str, unit: str) -> tuple[str, str]:
    """The changed unit at the end of ``unit``'s cause chain (as :meth:`SymbolSelection.explain` walks it)."""
    seen: set[tuple[str, str]] = set()
    current = (path, unit)
    while current not in seen:
        seen.add(current)
        cause = symbols.units.get(current[0], {}).get(current[1])
        if cause is None or cause.source is None:
            break
        current = cause.source
    return current


def _symbol_status(view: View, symbols: SymbolSelection, path: str, unit: str) -> Status:
    steps = symbols.explain(path, unit)
    origin = _origin(symbols, path, unit)
    class_name = unit.partition(".")[0]
    if unit not in symbols.units.get(path, {}) and class_name in symbols.names:
        # Selected because its class is affected (an operator, an xunit hook changed).
        source = symbols.names[class_name]
        steps = [*steps, *symbols.explain(*source)]
        origin = _origin(symbols, *source)
    chain = view.graph.find_shortest_chain(path, origin[0]) if view.graph is not None else None
    # The lens names the changed file, as at file level; the tooltip tells the symbol chain.
    return Status("affected", f"affected: {describe_seed(origin[0], view.changes)}",
                  tuple(chain or Graph.chain(view.affected, path)), symbols=tuple(steps))


def _affected_status(view: View, path: str, item: TestItem) -> Status | None:
    if path not in view.affected:
        return None
    symbols = view.symbols
    if symbols is None:
        return _file_status(view, path, view.affected, {})
    if path not in view.collected_files:
        return None  # pytest --delta does not even import it
    unit = unit_of(item, path, view.units_defined.get(path, ()))
    if not symbols.selects(path, unit):
        return None
    if path in symbols.whole_files:
        return _file_status(view, path, symbols.whole_files, symbols.escalations)
    if unit is None:
        return _file_status(view, path, view.affected, {})
    return _symbol_status(view, symbols, path, unit)


def function_status(view: View, path: str, item: TestItem, pending: Mapping[str, list[str]]) -> Status | None:
    """The status of one test function in ``path``; None when ``pytest --delta`` would skip it."""
    if not view.has_baseline:
        return Status("pending", f"not yet run ({view.baseline_note})", (), (item.node_id,))
    if path not in view.tracked:
        return Status("untracked", "always runs: file not tracked by pytest-delta", (), (item.node_id,))
    affected = _affected_status(view, path, item)
    exact = pending.get(item.node_id, [])
    is_pending = bool(exact) or path in view.pending_files
    failed = is_pending and item.node_id in view.failed_items
    if affected is not None:
        kind: StatusKind = "failed" if failed else "affected"
        text = f"failed last run; {affected.text}" if failed else affected.text
        return replace(affected, kind=kind, text=text, node_ids=(item.node_id,))
    if is_pending:
        ids = (item.node_id,) if path in view.pending_files or not exact else tuple(exact)
        if failed:
            return Status("failed", "failed last run", (), ids)
        if not exact and item.node_id in view.passed:
            return Status("pending", "runs again: its file was only partly run", (), ids)
        return Status("pending", "not yet run", (), ids)
    if item.always:
        return Status("always", "always runs (delta_always)", (), (item.node_id,))
    return None


@dataclass(frozen=True)
class Selected:
    """One test that would run, with why."""

    node_id: str
    path: str
    #: The static item; None for a pending node id the source does not show (generated tests).
    item: TestItem | None
    status: Status


def file_statuses(view: View, test_file: TestFile) -> dict[str, Status]:
    """Status of every item (functions and classes) of a test file that would run."""
    pending = view.pending_ids_by_item()
    out: dict[str, Status] = {}
    for item in test_file.functions:
        status = function_status(view, test_file.path, item, pending)
        if status is not None:
            out[item.node_id] = status
    for item in test_file.items:
        if item.kind != "class":
            continue
        inside = [s for node_id, s in out.items() if node_id.startswith(item.node_id + "::")]
        if inside:
            best = min(inside, key=lambda s: _RANK.index(s.kind))
            out[item.node_id] = replace(best, node_ids=())
    return out


def selected_tests(view: View, test_file: TestFile) -> list[Selected]:
    """The node ids of ``test_file`` that ``pytest --delta`` would run (functions only)."""
    statuses = file_statuses(view, test_file)
    out: list[Selected] = []
    seen: set[str] = set()
    for item in test_file.functions:
        status = statuses.get(item.node_id)
        if status is None:
            continue
        for node_id in status.node_ids:
            seen.add(node_id)
            out.append(Selected(node_id, test_file.path, item, status))
    if view.has_baseline:
        # Pending ids the source does not show (generated, or the file failed to parse).
        for node_id in sorted(view.pending_tests):
            if node_id.split("::", 1)[0] == test_file.path and node_id not in seen \
                    and test_file.find(node_id) is None:
                failed = node_id in view.failed
                out.append(Selected(node_id, test_file.path, None,
                                    Status("failed" if failed else "pending",
                                           "failed last run" if failed else "not yet run", (), (node_id,))))
    return out


def candidate_files(view: View, test_files: Mapping[str, object]) -> list[str]:
    """Test files that may hold selected tests: every tracked test file without a snapshot,
    else the affected ones (with symbol precision, those pytest collects), the pending ones
    and those with ``delta_always`` tests."""
    if not view.has_baseline:
        return sorted(test_files)
    if view.symbols is not None:
        return sorted(p for p in view.collected_files if p in test_files)
    wanted = {*view.affected, *view.pending_files, *view.always_files}
    wanted.update(node_id.split("::", 1)[0] for node_id in view.pending_tests)
    return sorted(p for p in wanted if p in test_files)
