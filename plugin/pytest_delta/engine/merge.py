"""One snapshot from the snapshots of CI shards that ran parts of one suite on one tree.

Each shard starts from the same snapshot, runs its part (pytest-split's ``--group``, a ``-k``,
a list of paths) and leaves everything else pending: on its own, each shard's snapshot says that
the other shards' tests still have to run. Merged, a test is validated when any shard passed it,
and stays pending when every shard left it pending (failed in the one that ran it, or run by
none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .errors import DeltaError
from .snapshot import Snapshot


class MergeError(DeltaError):
    """The snapshots cannot be merged: nothing given, or not written from the same tree."""


def merge_snapshots(snapshots: Sequence[Snapshot], *, labels: Sequence[str] | None = None) -> Snapshot:
    """The snapshot a single run of every shard's tests would have left.

    ``labels`` name the snapshots in errors (their file names, say); by default they are
    numbered from 1.

    A test is pending when it is pending in some shard and no shard passed it: every shard
    either lists it or has its whole file pending (that shard did not collect the file). Files
    are pending when pending in every shard.
    """
    if not snapshots:
        raise MergeError("no snapshots to merge")
    names = list(labels) if labels is not None and len(labels) == len(snapshots) else [
        f"snapshot {i}" for i in range(1, len(snapshots) + 1)]
    first = snapshots[0]
    for name, other in zip(names[1:], snapshots[1:]):
        _check_same_tree(first, other, names[0], name)
    pending_tests = frozenset(
        nodeid
        for nodeid in frozenset().union(*(s.pending_tests for s in snapshots))
        if all(nodeid in s.pending_tests or _file_of(nodeid) in s.pending_files for s in snapshots)
    )
    pending_files = frozenset.intersection(*(frozenset(s.pending_files) for s in snapshots))
    return Snapshot(
        files=first.files,
        parsed=first.parsed,
        deps=first.deps,
        pending_tests=pending_tests,
        pending_files=pending_files,
        always_files=frozenset().union(*(s.always_files for s in snapshots)),
        test_ids=_merged_test_ids([s.test_ids for s in snapshots]),
        foreign_items=any(s.foreign_items for s in snapshots),
        meta=first.meta,
    )


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _check_same_tree(first: Snapshot, other: Snapshot, first_name: str, name: str) -> None:
    """Refuse snapshots of different trees: merging them would take one tree's pending tests
    for the other's, and validate tests against code they never ran on."""
    both = f"{first_name} and {name}"
    for path in sorted(first.files.keys() | other.files.keys()):
        mine = first.files.get(path)
        theirs = other.files.get(path)
        if mine is None or theirs is None:
            where = first_name if theirs is None else name
            raise MergeError(f"{both} are of different trees: {path} exists only in {where}")
        if mine.digest != theirs.digest:
            raise MergeError(f"{both} are of different trees: {path} differs")
    if first.meta.get("engine_options") != other.meta.get("engine_options"):
        raise MergeError(f"{both} were written with different delta_roots or delta_exclude settings")


def _merged_test_ids(tables: Sequence[Mapping[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """Node ids per file from every shard; where shards saw a file differently (one collected it
    whole, another only remembered an older collection), the longest list, which misses least."""
    out: dict[str, tuple[str, ...]] = {}
    for table in tables:
        for path, ids in table.items():
            if len(ids) > len(out.get(path, ())):
                out[path] = tuple(ids)
            else:
                out.setdefault(path, tuple(ids))
    return out
