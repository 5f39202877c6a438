"""Merging the snapshots of CI shards: validated when any shard passed, pending otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_delta.engine import DeltaError, FileRecord, FileStat, ParseResult, Snapshot, load_snapshot, save_snapshot
from pytest_delta.engine.merge import MergeError, merge_snapshots

A1, A2 = "tests/test_a.py::test_one", "tests/test_a.py::test_two"
B1, B2 = "tests/test_b.py::test_one", "tests/test_b.py::test_two"
C1 = "tests/test_c.py::test_one"
TEST_IDS = {"tests/test_a.py": (A1, A2), "tests/test_b.py": (B1, B2), "tests/test_c.py": (C1,)}


def shard(**fields: Any) -> Snapshot:
    """A snapshot written by one shard of a run over the same tree: files, graph and parse
    cache are the tree's; the pending sets and what it collected are the shard's."""
    values: dict[str, Any] = {
        "files": {
            "src/calc.py": FileRecord(b"\x01" * 32, FileStat(10, 1, 1, 1)),
            "tests/test_a.py": FileRecord(b"\x02" * 32, FileStat(20, 2, 2, 2)),
            "tests/test_b.py": FileRecord(b"\x03" * 32, FileStat(30, 3, 3, 3)),
            "tests/test_c.py": FileRecord(b"\x04" * 32, None),
        },
        "parsed": {b"\x01" * 32: ParseResult(())},
        "deps": {"tests/test_a.py": ("src/calc.py",), "tests/test_b.py": ("src/calc.py",)},
        "test_ids": TEST_IDS,
        "meta": {"engine_options": [[], [], []]},
    }
    values.update(fields)
    return Snapshot(**values)


def test_a_test_passed_by_one_shard_and_deselected_in_the_other_is_validated() -> None:
    """pytest-split style: both shards collect everything, each runs half and leaves the
    other half pending as deselected."""
    first = shard(pending_tests=frozenset({B1, B2}))  # ran test_a
    second = shard(pending_tests=frozenset({A1, A2}))  # ran test_b
    merged = merge_snapshots([first, second])
    assert merged.pending_tests == frozenset()
    assert merged.pending_files == frozenset()


def test_a_test_failing_in_the_shard_that_ran_it_stays_pending() -> None:
    first = shard(pending_tests=frozenset({A2, B1, B2}))  # A2 failed
    second = shard(pending_tests=frozenset({A1, A2}))
    assert merge_snapshots([first, second]).pending_tests == {A2}


def test_a_test_that_no_shard_ran_stays_pending() -> None:
    first = shard(pending_tests=frozenset({B1, B2, C1}))
    second = shard(pending_tests=frozenset({A1, A2, C1}))
    assert merge_snapshots([first, second]).pending_tests == {C1}


def test_path_sharded_runs_validate_what_each_collected() -> None:
    """Shards given different paths do not collect each other's files: those stay pending as
    whole files in the shard that did not look at them."""
    first = shard(pending_tests=frozenset({A2}), pending_files=frozenset({"tests/test_b.py", "tests/test_c.py"}))
    second = shard(pending_tests=frozenset(), pending_files=frozenset({"tests/test_a.py", "tests/test_c.py"}))
    merged = merge_snapshots([first, second])
    assert merged.pending_tests == {A2}
    assert merged.pending_files == {"tests/test_c.py"}


def test_a_file_pending_in_one_shard_and_partly_passed_in_another_keeps_only_the_unpassed_tests() -> None:
    first = shard(pending_files=frozenset({"tests/test_b.py"}))
    second = shard(pending_tests=frozenset({B2}))  # collected test_b.py, B2 failed
    merged = merge_snapshots([first, second])
    assert merged.pending_tests == {B2}
    assert merged.pending_files == frozenset()


def test_three_shards_need_every_one_to_leave_a_test_pending() -> None:
    shards = [shard(pending_tests=frozenset({A1, A2, B1, B2}) - {run}) for run in (A1, A2, B1)]
    assert merge_snapshots(shards).pending_tests == {B2}


def test_one_snapshot_merges_to_itself() -> None:
    only = shard(pending_tests=frozenset({A1}), pending_files=frozenset({"tests/test_c.py"}), foreign_items=True,
                 always_files=frozenset({"tests/test_b.py"}))
    merged = merge_snapshots([only])
    assert (merged.pending_tests, merged.pending_files, merged.always_files, merged.foreign_items) == (
        only.pending_tests, only.pending_files, only.always_files, True)


def test_markers_collected_ids_and_foreign_items_are_combined() -> None:
    first = shard(always_files=frozenset({"tests/test_a.py"}), test_ids={"tests/test_a.py": (A1,)})
    second = shard(always_files=frozenset({"tests/test_b.py"}), foreign_items=True,
                   test_ids={"tests/test_a.py": (A1, A2), "tests/test_b.py": (B1,)})
    merged = merge_snapshots([first, second])
    assert merged.always_files == {"tests/test_a.py", "tests/test_b.py"}
    assert merged.test_ids == {"tests/test_a.py": (A1, A2), "tests/test_b.py": (B1,)}
    assert merged.foreign_items


def test_the_tree_and_its_graph_come_from_the_first_snapshot() -> None:
    first, second = shard(meta={"engine_options": [[], [], []], "machine": "one"}), shard()
    merged = merge_snapshots([first, second])
    assert merged.files is first.files
    assert merged.deps is first.deps
    assert merged.parsed is first.parsed
    assert merged.meta["machine"] == "one"


def test_snapshots_of_different_trees_are_refused_naming_the_file() -> None:
    base = shard()
    edited = shard(files={**base.files, "tests/test_b.py": FileRecord(b"\x09" * 32, None)})
    with pytest.raises(MergeError, match=r"snapshot 1 and snapshot 2 are of different trees: tests/test_b\.py differs"):
        merge_snapshots([base, edited])


def test_a_file_only_one_shard_has_is_refused() -> None:
    base = shard()
    extra = shard(files={**base.files, "tests/test_d.py": FileRecord(b"\x05" * 32, None)})
    with pytest.raises(MergeError, match=r"tests/test_d\.py exists only in snapshot 3"):
        merge_snapshots([base, base, extra])


def test_stat_data_may_differ_between_machines() -> None:
    base = shard()
    elsewhere = shard(files={path: FileRecord(record.digest, FileStat(1, 99, 99, 99))
                             for path, record in base.files.items()})
    assert merge_snapshots([base, elsewhere]).files is base.files


def test_snapshots_written_with_other_import_settings_are_refused() -> None:
    with pytest.raises(MergeError, match="different delta_roots or delta_exclude"):
        merge_snapshots([shard(), shard(meta={"engine_options": [["src"], [], []]})])


def test_nothing_to_merge_is_an_error() -> None:
    with pytest.raises(DeltaError, match="no snapshots"):
        merge_snapshots([])


def test_a_merged_snapshot_saved_and_loaded_keeps_its_pending_sets(tmp_path: Path) -> None:
    paths = []
    for name, pending in (("one", {B1, B2, C1}), ("two", {A1, A2, C1})):
        path = tmp_path / f"{name}.msgpack"
        save_snapshot(path, shard(pending_tests=frozenset(pending)))
        paths.append(path)
    loaded = [load_snapshot(p) for p in paths]
    assert all(s is not None for s in loaded)
    out = tmp_path / "merged.msgpack"
    save_snapshot(out, merge_snapshots([s for s in loaded if s is not None]))
    merged = load_snapshot(out)
    assert merged is not None
    assert merged.pending_tests == {C1}
    assert dict(merged.test_ids) == TEST_IDS
    assert dict(merged.deps)["tests/test_a.py"] == ("src/calc.py",)


def test_errors_name_the_snapshots_by_their_labels() -> None:
    base = shard()
    edited = shard(files={**base.files, "src/calc.py": FileRecord(b"\x09" * 32, None)})
    with pytest.raises(MergeError, match=r"^shard-1\.msgpack and shard-2\.msgpack are of different trees: src/calc"):
        merge_snapshots([base, edited], labels=["shard-1.msgpack", "shard-2.msgpack"])
