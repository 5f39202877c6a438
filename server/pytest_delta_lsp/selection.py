"""Which tests ``pytest --delta`` would run right now, and why: the plugin's rule, on static items.

The plugin keeps a test when there is no snapshot, when its file is not tracked, when its
file is affected, when it (or its whole file) is pending, or when it is marked
``delta_always`` (see ``pytest_delta/session.py``). This module applies the same rule to the
items :mod:`.testfiles` finds, so lenses and ``pytestDelta/affectedTests`` agree with a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from pytest_delta.engine import Changes, Graph

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

    @cached_property
    def failed_items(self) -> frozenset[str]:
        """Items with a failed node id (any parametrization)."""
        return frozenset(strip_params(n) for n in self.failed)

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

    @property
    def tooltip(self) -> str:
        if self.chain:
            return "import chain: " + " → ".join(self.chain)
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


def _affected_status(view: View, path: str) -> Status | None:
    if path not in view.affected:
        return None
    chain = tuple(Graph.chain(view.affected, path))
    seed = chain[-1] if chain else path
    return Status("affected", f"affected: {describe_seed(seed, view.changes)}", chain)


def function_status(view: View, path: str, item: TestItem, pending: Mapping[str, list[str]]) -> Status | None:
    """The status of one test function in ``path``; None when ``pytest --delta`` would skip it."""
    if not view.has_baseline:
        return Status("pending", f"not yet run ({view.baseline_note})", (), (item.node_id,))
    if path not in view.tracked:
        return Status("untracked", "always runs: file not tracked by pytest-delta", (), (item.node_id,))
    affected = _affected_status(view, path)
    exact = pending.get(item.node_id, [])
    is_pending = bool(exact) or path in view.pending_files
    failed = is_pending and item.node_id in view.failed_items
    if affected is not None:
        if failed:
            return Status("failed", f"failed last run; {affected.text}", affected.chain, (item.node_id,))
        return Status("affected", affected.text, affected.chain, (item.node_id,))
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
            out[item.node_id] = Status(best.kind, best.text, best.chain, ())
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
    else the affected ones, the pending ones and those with ``delta_always`` tests."""
    if not view.has_baseline:
        return sorted(test_files)
    wanted = {*view.affected, *view.pending_files, *view.always_files}
    wanted.update(node_id.split("::", 1)[0] for node_id in view.pending_tests)
    return sorted(p for p in wanted if p in test_files)
