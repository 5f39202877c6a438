"""The snapshot file: round trips, refuses anything it cannot trust, and saves safely."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgpack
import pytest
from filelock import FileLock
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_delta.engine import (
    FileRecord,
    FileStat,
    ImportRef,
    ParseResult,
    Snapshot,
    SnapshotError,
    SnapshotWriteError,
    load_snapshot,
    save_snapshot,
)
from pytest_delta.engine import snapshot as snapshot_module


def sample_snapshot(**fields: Any) -> Snapshot:
    values: dict[str, Any] = {
        "files": {
            "shop/__init__.py": FileRecord(
                b"\x01" * 32, FileStat(10, 1_700_000_000_000_000_000, 1_700_000_000_000_000_005, 42)),
            "shop/cart.py": FileRecord(b"\x02" * 32, None),
            "tests/test_cart.py": FileRecord(b"\x03" * 32, FileStat(99, 1, 2, 3)),
            "broken.py": FileRecord(b"", None),
        },
        "parsed": {
            b"\x01" * 32: ParseResult(()),
            b"\x02" * 32: ParseResult((ImportRef("", 1, ("money", "tax")),), ("line 3: import_module(x)",)),
            b"\x03" * 32: ParseResult((ImportRef("shop.cart", 0, ("Cart",)), ImportRef("pytest"))),
            b"\x04" * 32: ParseResult((), (), "syntax error at line 1: invalid syntax"),
        },
        "deps": {
            "shop/cart.py": ("shop/__init__.py",),
            "tests/test_cart.py": ("shop/__init__.py", "shop/cart.py"),
        },
        "pending_tests": frozenset({"tests/test_cart.py::test_total", "tests/test_cart.py::TestCart::test_add[1]"}),
        "pending_files": frozenset({"tests/test_cart.py"}),
        "always_files": frozenset({"tests/test_cart.py"}),
        "test_ids": {"tests/test_cart.py": ("tests/test_cart.py::test_total", "tests/test_cart.py::test_add")},
        "foreign_items": True,
        "meta": {"python": "3.11", "engine_options": [[], [], []]},
    }
    values.update(fields)
    return Snapshot(**values)


def encoded_body(snapshot: Snapshot | None = None) -> dict[str, Any]:
    """The msgpack map a valid snapshot file holds, to corrupt piece by piece."""
    body = msgpack.unpackb(snapshot_module._encode(snapshot or sample_snapshot()), raw=False)
    assert isinstance(body, dict)
    return body


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / ".delta.msgpack"


def load_error(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    with pytest.raises(SnapshotError) as info:
        load_snapshot(path)
    return str(info.value)


def test_round_trip_keeps_every_field(path: Path) -> None:
    original = sample_snapshot()
    save_snapshot(path, original)
    loaded = load_snapshot(path)
    assert loaded is not None
    assert loaded.files == original.files
    assert loaded.parsed == original.parsed
    assert {p: loaded.deps[p] for p in original.deps} == original.deps
    assert all(loaded.deps[p] == () for p in loaded.files if p not in original.deps)
    assert loaded.pending_tests == original.pending_tests
    assert loaded.pending_files == original.pending_files
    assert loaded.always_files == original.always_files
    assert loaded.test_ids == original.test_ids
    assert loaded.foreign_items is True
    assert loaded.meta == original.meta
    assert loaded.written_ns > 0


def test_edges_to_files_not_in_the_table_are_dropped_on_save(path: Path) -> None:
    save_snapshot(path, sample_snapshot(deps={"shop/cart.py": ("shop/__init__.py", "gone.py")}))
    loaded = load_snapshot(path)
    assert loaded is not None
    assert loaded.deps["shop/cart.py"] == ("shop/__init__.py",)


def test_no_snapshot_yet_is_none(path: Path) -> None:
    assert load_snapshot(path) is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"\x00\x01 this is not msgpack", "not a readable snapshot"),
        (b"\xc1", "not a readable snapshot"),
        (msgpack.packb({"version": 3, "cache": {"lastfailed": {}}}), "not a pytest-delta snapshot"),
        (msgpack.packb([1, 2, 3]), "not a pytest-delta snapshot"),
        (msgpack.packb({"format": "pytest-delta"}), "no schema version"),
        (msgpack.packb({"format": "pytest-delta", "schema": 99}), "written by a newer pytest-delta (schema 99"),
        (msgpack.packb({"format": "pytest-delta", "schema": 0}), "written by an older pytest-delta (schema 0)"),
    ],
    ids=["empty", "garbage", "reserved-byte", "other-tool", "not-a-map", "no-schema", "future-schema", "old-schema"],
)
def test_untrustworthy_files_are_refused_with_the_reason(path: Path, data: bytes, reason: str) -> None:
    assert reason in load_error(path, data)


def test_truncated_snapshot_is_refused(path: Path) -> None:
    data = snapshot_module._encode(sample_snapshot())
    assert "not a readable snapshot" in load_error(path, data[: len(data) // 2])


@pytest.mark.parametrize("escaping", ["../x.py", "/etc/x.py", "shop/../../x.py", "./x.py", "shop//x.py",
                                      "shop\\x.py"])
def test_paths_escaping_the_root_are_refused(path: Path, escaping: str) -> None:
    body = encoded_body()
    body["paths"][0] = escaping
    assert f"path escapes the root directory: {escaping!r}" in load_error(path, msgpack.packb(body))


def test_pending_files_escaping_the_root_are_refused(path: Path) -> None:
    body = encoded_body()
    body["pending_files"] = ["../../etc/passwd.py"]
    assert "path escapes the root directory" in load_error(path, msgpack.packb(body))


def test_paths_with_a_null_character_are_refused(path: Path) -> None:
    body = encoded_body()
    body["paths"][0] = "shop/\x00.py"
    assert "null character" in load_error(path, msgpack.packb(body))


@pytest.mark.parametrize("bad_index", [4, 1000, -1, True, "0", 1.0, None])
def test_graph_indices_outside_the_file_table_are_refused(path: Path, bad_index: Any) -> None:
    body = encoded_body()
    body["deps"][0] = [bad_index]
    assert "graph points outside the file table" in load_error(path, msgpack.packb(body))


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("paths", {"a.py": 1}, "malformed path table"),
        ("paths", [1], "malformed path entry"),
        ("files", [[b"x"]], "file table and graph disagree"),
        ("deps", "nope", "malformed graph"),
        ("parsed", [[b"k", None, [], [[1, 0]]]], "malformed import entry"),
        ("parsed", [[b"k", 5, [], []]], "malformed import cache entry"),
        ("parsed", [[b"k", None, [7], []]], "malformed dynamic import list"),
        ("test_ids", {"t.py": "many"}, "malformed test ids"),
        ("test_ids", {"t.py": [3]}, "malformed test ids"),
        ("pending_tests", [1], "malformed pending tests"),
        ("meta", [], "malformed metadata"),
        ("written_ns", "yesterday", "malformed timestamp"),
    ],
)
def test_malformed_sections_are_refused_by_name(path: Path, field: str, value: Any, reason: str) -> None:
    body = encoded_body()
    body[field] = value
    assert reason in load_error(path, msgpack.packb(body))


def test_malformed_stat_data_is_refused(path: Path) -> None:
    body = encoded_body()
    body["files"][0] = [b"\x01" * 32, 1, 2, "three", 4]
    assert "malformed stat data" in load_error(path, msgpack.packb(body))


def test_a_directory_as_snapshot_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="it is a directory"):
        load_snapshot(tmp_path)


def test_an_unreadable_snapshot_is_refused(path: Path) -> None:
    save_snapshot(path, sample_snapshot())
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running with privileges that read any file")
    with pytest.raises(SnapshotError, match="cannot read it"):
        load_snapshot(path)


def test_an_oversized_file_is_refused(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_module, "MAX_SNAPSHOT_BYTES", 16)
    assert "too large" in load_error(path, b"\x00" * 17)


msgpack_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats() | st.text(max_size=12)
    | st.binary(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
SNAPSHOT_KEYS = sorted(encoded_body())


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("snapshots") / ".delta.msgpack"


def only_snapshot_errors(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        load_snapshot(path)
    except SnapshotError as exc:
        message = str(exc)
    else:
        return
    assert message, "a refusal always says why"


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_never_raise_anything_but_snapshot_error(scratch: Path, data: bytes) -> None:
    only_snapshot_errors(scratch, data)


@settings(max_examples=300, deadline=None)
@given(value=msgpack_values)
def test_arbitrary_msgpack_structures_never_raise_anything_but_snapshot_error(scratch: Path, value: Any) -> None:
    only_snapshot_errors(scratch, msgpack.packb(value))


@settings(max_examples=400, deadline=None)
@given(key=st.sampled_from(SNAPSHOT_KEYS), value=msgpack_values, inner=st.integers(0, 3))
def test_one_corrupted_section_never_raises_anything_but_snapshot_error(
        scratch: Path, key: str, value: Any, inner: int) -> None:
    body = encoded_body()
    section = body[key]
    if isinstance(section, list) and section and inner < len(section):
        element = section[inner]
        if isinstance(element, list) and element:
            element[inner % len(element)] = value  # corrupt one cell of a row
        else:
            section[inner] = value
    else:
        body[key] = value
    only_snapshot_errors(scratch, msgpack.packb(body))


def leftovers(directory: Path, snapshot: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in (snapshot.name, snapshot.name + ".lock"))


def test_save_leaves_no_temporary_files(path: Path) -> None:
    save_snapshot(path, sample_snapshot())
    save_snapshot(path, sample_snapshot(pending_tests=frozenset()))
    assert leftovers(path.parent, path) == []


def test_failed_save_keeps_the_previous_snapshot_and_leaves_nothing_behind(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_snapshot(path, sample_snapshot())
    before = path.read_bytes()

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(SnapshotWriteError, match="No space left on device"):
        save_snapshot(path, sample_snapshot(pending_tests=frozenset()))
    assert path.read_bytes() == before
    assert leftovers(path.parent, path) == []


def test_save_creates_missing_directories(tmp_path: Path) -> None:
    target = tmp_path / "state" / "delta" / "snap.msgpack"
    save_snapshot(target, sample_snapshot())
    assert load_snapshot(target) is not None


def test_saving_into_a_directory_path_is_a_write_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotWriteError, match="is a directory"):
        save_snapshot(tmp_path, sample_snapshot())


def test_saving_while_another_run_holds_the_lock_is_a_write_error(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_module, "LOCK_TIMEOUT_S", 0.05)
    save_snapshot(path, sample_snapshot())
    before = path.read_bytes()
    with FileLock(str(path) + ".lock"), pytest.raises(SnapshotWriteError, match="another run holds"):
        save_snapshot(path, sample_snapshot(pending_tests=frozenset()))
    assert path.read_bytes() == before


def test_saving_in_an_unwritable_directory_is_a_write_error(tmp_path: Path) -> None:
    directory = tmp_path / "readonly"
    directory.mkdir()
    directory.chmod(0o500)
    try:
        if os.access(directory, os.W_OK):
            pytest.skip("running with privileges that write anywhere")
        with pytest.raises(SnapshotWriteError, match="cannot write"):
            save_snapshot(directory / ".delta.msgpack", sample_snapshot())
    finally:
        directory.chmod(0o700)


def test_concurrent_save_keeps_the_pending_work_of_both_runs(path: Path) -> None:
    save_snapshot(path, sample_snapshot(pending_tests=frozenset(), pending_files=frozenset()))
    common = load_snapshot(path)
    assert common is not None
    # Run B, started from the same snapshot, saves first.
    save_snapshot(path, sample_snapshot(
        pending_tests=frozenset({"tests/test_cart.py::test_b_failed", "tests/test_gone.py::test_x"}),
        pending_files=frozenset({"shop/cart.py"})), based_on=common.written_ns)
    # Run A saves what it saw, unaware of B.
    save_snapshot(path, sample_snapshot(
        pending_tests=frozenset({"tests/test_cart.py::test_a_failed"}),
        pending_files=frozenset({"tests/test_cart.py"})), based_on=common.written_ns)
    merged = load_snapshot(path)
    assert merged is not None
    # Tests of files A does not track any more are not carried over.
    assert merged.pending_tests == {"tests/test_cart.py::test_a_failed", "tests/test_cart.py::test_b_failed"}
    assert merged.pending_files == {"tests/test_cart.py", "shop/cart.py"}


def test_sequential_save_replaces_the_pending_sets(path: Path) -> None:
    save_snapshot(path, sample_snapshot(pending_tests=frozenset({"tests/test_cart.py::test_failed_before"})))
    previous = load_snapshot(path)
    assert previous is not None
    save_snapshot(path, sample_snapshot(pending_tests=frozenset(), pending_files=frozenset()),
                  based_on=previous.written_ns)
    current = load_snapshot(path)
    assert current is not None
    assert current.pending_tests == frozenset()
    assert current.pending_files == frozenset()


def test_first_save_over_a_snapshot_written_meanwhile_keeps_its_pending_work(path: Path) -> None:
    save_snapshot(path, sample_snapshot(pending_tests=frozenset({"tests/test_cart.py::test_other_run"})))
    save_snapshot(path, sample_snapshot(pending_tests=frozenset()), based_on=None)
    current = load_snapshot(path)
    assert current is not None
    assert current.pending_tests == {"tests/test_cart.py::test_other_run"}


def test_save_over_a_corrupt_snapshot_replaces_it(path: Path) -> None:
    path.write_bytes(b"\x00garbage")
    save_snapshot(path, sample_snapshot())
    assert load_snapshot(path) is not None
