"""The snapshot file: round trips, refuses anything it cannot trust, and saves safely.

Every part validated at load (the outer map, the file tables, the graph, the error table, the
pending lists, the metadata) is refused with a reason when corrupt. The lazy parts (the parse
cache, the test ids) never are: a corrupt entry reads as missing, so the file is parsed again.
"""

from __future__ import annotations

import dataclasses
import os
import zlib
from array import array
from dataclasses import dataclass
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
    Workspace,
    load_snapshot,
    save_snapshot,
)
from pytest_delta.engine import snapshot as snapshot_module
from pytest_delta.engine.snapshot import SCHEMA, ParseTable
from pytest_delta.engine.symbols import UNIT_KINDS, SymbolTable, Unit

from .conftest import Project

DIGEST_1 = b"\x01" * 32
DIGEST_2 = b"\x02" * 32
DIGEST_3 = b"\x03" * 32
SYNTAX_ERROR_DIGEST = b"\x04" * 32



def as_stored(result: ParseResult) -> ParseResult:
    """What a snapshot keeps of a parse: the units without their refs, which the engine
    computes again for the files a change reaches."""
    symbols = result.symbols
    if symbols is None:
        return result
    units = tuple(dataclasses.replace(u, refs=frozenset()) for u in symbols.units)
    return dataclasses.replace(result, symbols=dataclasses.replace(symbols, units=units, has_refs=False))

def sample_snapshot(**fields: Any) -> Snapshot:
    values: dict[str, Any] = {
        "files": {
            "shop/__init__.py": FileRecord(
                DIGEST_1, FileStat(10, 1_700_000_000_000_000_000, 1_700_000_000_000_000_005, 42)),
            "shop/cart.py": FileRecord(DIGEST_2, None),
            "tests/test_cart.py": FileRecord(DIGEST_3, FileStat(99, 1, 2, 3)),
            "broken.py": FileRecord(b"", None),
        },
        "parsed": {
            DIGEST_1: ParseResult(()),
            DIGEST_2: ParseResult((ImportRef("", 1, ("money", "tax")),), ("line 3: import_module(x)",)),
            DIGEST_3: ParseResult(
                (ImportRef("shop.cart", 0, ("Cart",)), ImportRef("pytest")), (), None, ("data/cart.json",),
                SymbolTable((Unit("test_total", b"\x07" * 12, frozenset({"Cart"}), ("pytest.mark.slow",), 3, 5),
                             Unit("TestCart", b"\x08" * 8, frozenset({"Base"}), ("dataclass",), 7, 9, "class")),
                            classes=(("TestCart", ("Base",)),), hooks=("TestCart",))),
            SYNTAX_ERROR_DIGEST: ParseResult((), (), "syntax error at line 1: invalid syntax"),
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


# -- reading and writing the format by hand ------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """A body value :func:`write_body` stores exactly as given (not compressed, not packed): how
    a test corrupts a table below the level the readable body shows."""

    value: Any


def squeeze(data: bytes) -> bytes:
    return zlib.compress(data)


def unsqueeze(blob: bytes) -> bytes:
    return zlib.decompress(blob)


def int_array(code: str, blob: bytes) -> list[int]:
    values = array(code)
    values.frombytes(unsqueeze(blob))
    return values.tolist()


def encoded_outer(snapshot: Snapshot | None = None) -> dict[str, Any]:
    """The outer msgpack map of a valid snapshot file, its body's blobs left as stored."""
    outer = msgpack.unpackb(snapshot_module._encode(snapshot or sample_snapshot()), raw=False)
    assert isinstance(outer, dict)
    return outer


def encoded_body(snapshot: Snapshot | None = None) -> dict[str, Any]:
    """The body of a valid snapshot file with its blobs opened into plain values (path list,
    digest list, stat rows, offset and target lists, parse and test-id maps), to corrupt
    piece by piece and write back with :func:`write_body`."""
    body = dict(encoded_outer(snapshot)["body"])
    digests = body["digests"]
    stats = int_array("q", body["stats"])
    joined = unsqueeze(body["paths"]).decode()
    body.update(
        paths=joined.split("\n") if joined else [],
        digests=[digests[i:i + 32] for i in range(0, len(digests), 32)],
        stats=[stats[i:i + 4] for i in range(0, len(stats), 4)],
        dep_offsets=int_array("I", body["dep_offsets"]),
        dep_targets=int_array("I", body["dep_targets"]),
        parsed={k: msgpack.unpackb(v, raw=False)
                for k, v in msgpack.unpackb(unsqueeze(body["parsed"]), raw=False).items()},
        test_ids=msgpack.unpackb(unsqueeze(body["test_ids"]), raw=False),
    )
    return body


def packed_body(body: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`encoded_body`; :class:`Raw` values are stored as they are."""
    encoders = {
        "paths": lambda paths: squeeze("\n".join(paths).encode()),
        "digests": lambda digests: b"".join(digests),
        "stats": lambda rows: squeeze(array("q", [v for row in rows for v in row]).tobytes()),
        "dep_offsets": lambda offsets: squeeze(array("I", offsets).tobytes()),
        "dep_targets": lambda targets: squeeze(array("I", targets).tobytes()),
        # Each parse entry is packed on its own (a Raw entry is stored as it is).
        "parsed": lambda table: squeeze(msgpack.packb(
            {k: v.value if isinstance(v, Raw) else msgpack.packb(v) for k, v in table.items()})),
        "test_ids": lambda table: squeeze(msgpack.packb(table)),
    }
    packed = {}
    for key, value in body.items():
        if isinstance(value, Raw):
            packed[key] = value.value
        elif key in encoders:
            packed[key] = encoders[key](value)
        else:
            packed[key] = value
    return packed


def snapshot_bytes(body: dict[str, Any], **outer: Any) -> bytes:
    """A snapshot file around ``body``; ``outer`` overrides keys of the outer map."""
    fields = {"format": "pytest-delta", "schema": snapshot_module.SCHEMA, "written_ns": 1, "body": packed_body(body)}
    fields.update(outer)
    return msgpack.packb(fields)


def write_body(path: Path, body: dict[str, Any], **outer: Any) -> None:
    path.write_bytes(snapshot_bytes(body, **outer))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / ".delta.msgpack"


def load_error(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    with pytest.raises(SnapshotError) as info:
        load_snapshot(path)
    return str(info.value)


def body_error(path: Path, body: dict[str, Any], **outer: Any) -> str:
    return load_error(path, snapshot_bytes(body, **outer))


def loaded_body(path: Path, body: dict[str, Any]) -> Snapshot:
    write_body(path, body)
    loaded = load_snapshot(path)
    assert loaded is not None
    return loaded


def test_the_helpers_write_back_exactly_what_they_read() -> None:
    stored = encoded_outer()["body"]
    rewritten = packed_body(encoded_body())
    assert rewritten.keys() == stored.keys()
    for key, value in stored.items():
        if key in ("paths", "stats", "dep_offsets", "dep_targets", "parsed", "test_ids"):
            assert unsqueeze(rewritten[key]) == unsqueeze(value), key
        else:
            assert rewritten[key] == value, key


# -- round trips ---------------------------------------------------------------------------------


def test_round_trip_keeps_every_field(path: Path) -> None:
    original = sample_snapshot()
    save_snapshot(path, original)
    loaded = load_snapshot(path)
    assert loaded is not None
    assert loaded.files == original.files
    assert dict(loaded.deps) == {**dict.fromkeys(original.files, ()), **original.deps}
    assert sorted(loaded.parsed) == sorted(original.parsed)
    for key, result in original.parsed.items():
        assert loaded.parsed[key] == as_stored(result)
    assert dict(loaded.test_ids) == original.test_ids
    assert loaded.pending_tests == original.pending_tests
    assert loaded.pending_files == original.pending_files
    assert loaded.always_files == original.always_files
    assert loaded.foreign_items is True
    assert loaded.meta == original.meta
    assert loaded.written_ns > 0


def test_parse_errors_are_read_without_decoding_the_parse_cache(path: Path) -> None:
    body = encoded_body()
    assert body["errors"] == {SYNTAX_ERROR_DIGEST: "syntax error at line 1: invalid syntax"}
    body["parsed"] = Raw(b"not even zlib")
    loaded = loaded_body(path, body)
    assert isinstance(loaded.parsed, ParseTable)
    assert loaded.parsed.errors == {SYNTAX_ERROR_DIGEST: "syntax error at line 1: invalid syntax"}


def test_a_racy_file_and_an_unreadable_file_round_trip_as_such(path: Path) -> None:
    body = encoded_body()
    rows = dict(zip(body["paths"], zip(body["digests"], body["stats"], strict=True), strict=True))
    assert rows["shop/cart.py"] == (DIGEST_2, [-1, 0, 0, 0])
    assert rows["broken.py"] == (bytes(32), [-1, 0, 0, 0])
    loaded = loaded_body(path, body)
    assert loaded.files["shop/cart.py"] == FileRecord(DIGEST_2, None)
    assert loaded.files["broken.py"] == FileRecord(b"", None)


def test_an_empty_project_round_trips(path: Path) -> None:
    save_snapshot(path, Snapshot(files={}, parsed={}, deps={}))
    loaded = load_snapshot(path)
    assert loaded is not None
    assert (dict(loaded.files), dict(loaded.deps), dict(loaded.parsed), dict(loaded.test_ids)) == ({}, {}, {}, {})


def test_a_loaded_snapshot_saved_again_keeps_its_parse_cache(path: Path, tmp_path: Path) -> None:
    save_snapshot(path, sample_snapshot())
    first = load_snapshot(path)
    assert first is not None
    again = tmp_path / "again.msgpack"
    save_snapshot(again, first)
    second = load_snapshot(again)
    assert second is not None
    assert {k: second.parsed[k] for k in sample_snapshot().parsed} == {
        k: as_stored(v) for k, v in sample_snapshot().parsed.items()}
    assert dict(second.deps) == dict(first.deps)
    assert dict(second.test_ids) == dict(first.test_ids)


def test_edges_to_files_not_in_the_table_are_dropped_on_save(path: Path) -> None:
    save_snapshot(path, sample_snapshot(deps={"shop/cart.py": ("shop/__init__.py", "gone.py")}))
    loaded = load_snapshot(path)
    assert loaded is not None
    assert loaded.deps["shop/cart.py"] == ("shop/__init__.py",)


def test_no_snapshot_yet_is_none(path: Path) -> None:
    assert load_snapshot(path) is None


# -- refusals of the parts validated at load ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"\x00\x01 this is not msgpack", "not a readable snapshot"),
        (b"\xc1", "not a readable snapshot"),
        (msgpack.packb({"version": 3, "cache": {"lastfailed": {}}}), "not a pytest-delta snapshot"),
        (msgpack.packb([1, 2, 3]), "not a pytest-delta snapshot"),
        (msgpack.packb({"format": "pytest-delta"}), "no schema version"),
        (msgpack.packb({"format": "pytest-delta", "schema": "1"}), "no schema version"),
        (msgpack.packb({"format": "pytest-delta", "schema": 99}), "written by a newer pytest-delta (schema 99"),
        (msgpack.packb({"format": "pytest-delta", "schema": 0}), "written by an older pytest-delta (schema 0)"),
        (msgpack.packb({"format": "pytest-delta", "schema": 1}), "written by an older pytest-delta (schema 1)"),
        (msgpack.packb({"format": "pytest-delta", "schema": SCHEMA}), "malformed body"),
        (msgpack.packb({"format": "pytest-delta", "schema": SCHEMA, "body": [1]}), "malformed body"),
    ],
    ids=["empty", "garbage", "reserved-byte", "other-tool", "not-a-map", "no-schema", "text-schema",
         "future-schema", "old-schema", "previous-schema", "no-body", "body-not-a-map"],
)
def test_untrustworthy_files_are_refused_with_the_reason(path: Path, data: bytes, reason: str) -> None:
    assert reason in load_error(path, data)


def test_truncated_snapshot_is_refused(path: Path) -> None:
    data = snapshot_module._encode(sample_snapshot())
    assert "not a readable snapshot" in load_error(path, data[: len(data) // 2])


def test_malformed_timestamp_is_refused(path: Path) -> None:
    assert "malformed timestamp" in body_error(path, encoded_body(), written_ns="yesterday")


ESCAPING = ["../x.py", "/etc/x.py", "shop/../../x.py", "./x.py", "shop//x.py", "shop\\x.py", "shop/",
            "shop/./x.py", "shop/\x00.py"]


@pytest.mark.parametrize("escaping", [*ESCAPING, ""])
def test_paths_escaping_the_root_are_refused(path: Path, escaping: str) -> None:
    body = encoded_body()
    body["paths"][0] = escaping
    assert f"path escapes the root directory: {escaping!r}" in body_error(path, body)


def test_an_escaping_path_is_named_even_behind_valid_ones(path: Path) -> None:
    body = encoded_body()
    body["paths"][-1] = "../../etc/passwd.py"
    assert "path escapes the root directory: '../../etc/passwd.py'" in body_error(path, body)


def test_names_with_dots_that_stay_inside_the_root_are_accepted(path: Path) -> None:
    body = encoded_body()
    body["paths"][0] = "shop/...py"
    body["paths"][1] = ".hidden/x.py"
    loaded = loaded_body(path, body)
    assert {"shop/...py", ".hidden/x.py"} <= loaded.files.keys()


@pytest.mark.parametrize("key", ["pending_files", "always_files"])
@pytest.mark.parametrize("escaping", ESCAPING)
def test_pending_and_marked_files_escaping_the_root_are_refused(path: Path, key: str, escaping: str) -> None:
    body = encoded_body()
    body[key] = ["shop/cart.py", escaping]
    assert f"path escapes the root directory: {escaping!r}" in body_error(path, body)


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("paths", Raw(None), "malformed path table"),
        ("paths", Raw(["shop/cart.py"]), "malformed path table"),
        ("paths", Raw(b"not zlib"), "truncated or corrupt path table"),
        ("paths", Raw(squeeze(b"shop/\xff.py")), "malformed path table"),
        ("paths", ["shop/cart.py", "shop/cart.py", "a.py", "b.py"], "duplicate paths"),
        ("paths", ["shop/cart.py"], "file table and graph disagree"),
        ("digests", Raw("0" * 128), "malformed digest table"),
        ("digests", Raw(None), "malformed digest table"),
        ("digests", Raw(b"\x01" * 127), "file table and graph disagree"),
        ("digests", [b"\x01" * 32] * 5, "file table and graph disagree"),
        ("stats", Raw(None), "malformed stat table"),
        ("stats", Raw(b"\x78\x01garbage"), "truncated or corrupt stat table"),
        ("stats", Raw(squeeze(b"\x00" * 12)), "malformed stat table"),
        ("stats", [[1, 2, 3, 4]] * 3, "file table and graph disagree"),
        ("dep_offsets", Raw(None), "malformed graph"),
        ("dep_offsets", Raw(b"graph"), "truncated or corrupt graph"),
        ("dep_offsets", Raw(squeeze(b"\x00" * 6)), "malformed graph"),
        ("dep_offsets", [0, 0, 0, 0], "file table and graph disagree"),
        ("dep_offsets", [1, 1, 1, 2, 3], "graph points outside the file table"),
        ("dep_offsets", [0, 0, 0, 2, 4], "graph points outside the file table"),
        ("dep_offsets", [0, 2, 1, 1, 3], "graph points outside the file table"),
        ("dep_targets", Raw(["shop/cart.py"]), "malformed graph"),
        ("dep_targets", Raw(squeeze(b"\x00" * 5)), "malformed graph"),
        ("dep_targets", [1, 2], "graph points outside the file table"),
        ("dep_targets", [1, 2, 3, 4], "graph points outside the file table"),
        ("dep_targets", [1, 2, 4], "graph points outside the file table"),
        ("dep_targets", [1, 2, 2**32 - 1], "graph points outside the file table"),
        ("errors", [], "malformed error table"),
        ("errors", {"text key": "syntax error"}, "malformed error table"),
        ("errors", {DIGEST_1: 7}, "malformed error table"),
        ("pending_tests", "tests/test_cart.py::test_total", "malformed pending tests"),
        ("pending_tests", [1], "malformed pending tests"),
        ("pending_files", {"tests/test_cart.py": True}, "malformed pending"),
        ("pending_files", [7], "malformed path entry"),
        ("pending_files", [""], "malformed path entry"),
        ("always_files", "tests/test_cart.py", "malformed markers"),
        ("always_files", [None], "malformed path entry"),
        ("meta", [], "malformed metadata"),
    ],
)
def test_corrupt_parts_validated_at_load_are_refused_by_name(path: Path, key: str, value: Any, reason: str) -> None:
    body = encoded_body()
    assert key in body
    body[key] = value
    assert reason in body_error(path, body)


@pytest.mark.parametrize(
    ("key", "reason"),
    [("paths", "malformed path table"), ("digests", "malformed digest table"), ("stats", "malformed stat table"),
     ("dep_offsets", "malformed graph"), ("dep_targets", "malformed graph")],
)
def test_a_missing_file_table_is_refused(path: Path, key: str, reason: str) -> None:
    body = encoded_body()
    del body[key]
    assert reason in body_error(path, body)


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


# -- the lazy parts: corrupt entries read as missing, never as a refusal --------------------------


@pytest.mark.parametrize(
    "blob",
    [Raw(b"not zlib"), Raw(None), Raw(["a list"]), Raw(squeeze(b"\xc1")), Raw(squeeze(msgpack.packb([1, 2])))],
    ids=["not-zlib", "nil", "list", "not-msgpack", "not-a-map"],
)
def test_a_corrupt_parse_cache_reads_as_empty(path: Path, blob: Raw) -> None:
    body = encoded_body()
    body["parsed"] = blob
    loaded = loaded_body(path, body)
    assert DIGEST_3 not in loaded.parsed
    assert loaded.parsed.get(DIGEST_3) is None
    assert dict(loaded.parsed) == {}
    assert loaded.files == sample_snapshot().files  # the validated parts are intact


# Where encode_parse puts each part of a parse result.
ERROR, DYNAMIC, IMPORTS, PATHS, SYMBOLS = range(5)


def corrupted_entry(index: int | None, value: Any) -> Any:
    """The stored form of DIGEST_3's parse result with one part replaced (index None: all of it)."""
    entry = snapshot_module.encode_parse(sample_snapshot().parsed[DIGEST_3])
    assert len(entry) == 5, "the entry layout changed: update ERROR, DYNAMIC, ... above"
    if index is None:
        return value
    entry[index] = value
    return entry


@pytest.mark.parametrize(
    ("index", "value"),
    [
        (None, None),
        (None, "from shop.cart import Cart"),
        (None, [None, [], [["shop.cart", 0]]]),  # the shape of an older version
        (None, [None, [], [], [], None, []]),
        (ERROR, 5),
        (DYNAMIC, "line 3: import_module(x)"),
        (DYNAMIC, [7]),
        (IMPORTS, "shop.cart"),
        (IMPORTS, [["shop.cart", -1]]),  # negative level
        (IMPORTS, [["shop.cart", True]]),  # a bool is no level
        (IMPORTS, [["shop.cart"]]),
        (IMPORTS, [[None, 0]]),
        (IMPORTS, [["shop.cart", 0, 5]]),
        (PATHS, "data/cart.json"),
        (PATHS, [None]),
        (SYMBOLS, "test_total"),
        (SYMBOLS, []),
        (SYMBOLS, [[["test_total", b"\x07" * 12, ["Cart"], [], "3", 5]], [], False]),
        (SYMBOLS, [[], [], "no"]),
    ],
)
def test_a_malformed_parse_entry_reads_as_missing_and_its_neighbours_still_read(
        path: Path, index: int | None, value: Any) -> None:
    body = encoded_body()
    body["parsed"][DIGEST_3] = corrupted_entry(index, value)
    loaded = loaded_body(path, body)
    assert DIGEST_3 not in loaded.parsed
    with pytest.raises(KeyError):
        loaded.parsed[DIGEST_3]
    assert loaded.parsed[DIGEST_2] == as_stored(sample_snapshot().parsed[DIGEST_2])
    assert set(loaded.parsed) == {DIGEST_1, DIGEST_2, SYNTAX_ERROR_DIGEST}
    assert len(loaded.parsed) == 3
    assert dict(loaded.parsed.items()).keys() == {DIGEST_1, DIGEST_2, SYNTAX_ERROR_DIGEST}


def test_a_malformed_parse_entry_is_not_written_again(path: Path, tmp_path: Path) -> None:
    body = encoded_body()
    body["parsed"][DIGEST_3] = corrupted_entry(DYNAMIC, 5)
    body["parsed"][DIGEST_3][ERROR] = "an error that is not one"
    body["errors"] = {}
    loaded = loaded_body(path, body)
    again = tmp_path / "again.msgpack"
    save_snapshot(again, loaded)
    reloaded = load_snapshot(again)
    assert reloaded is not None
    assert DIGEST_3 not in reloaded.parsed
    assert isinstance(reloaded.parsed, ParseTable)
    assert reloaded.parsed.errors == {SYNTAX_ERROR_DIGEST: "syntax error at line 1: invalid syntax"}


@pytest.mark.parametrize(
    "blob",
    [
        Raw(b"not zlib"),
        Raw(None),
        Raw(squeeze(b"\xc1")),
        Raw(squeeze(msgpack.packb(["tests/test_cart.py"]))),
        {"tests/test_cart.py": "many"},
        {"tests/test_cart.py": [3]},
    ],
    ids=["not-zlib", "nil", "not-msgpack", "not-a-map", "ids-not-a-list", "id-not-text"],
)
def test_corrupt_test_ids_read_as_none(path: Path, blob: Any) -> None:
    body = encoded_body()
    body["test_ids"] = blob
    loaded = loaded_body(path, body)
    assert "tests/test_cart.py" not in loaded.test_ids
    assert dict(loaded.test_ids) == {}


def test_only_the_malformed_file_of_the_test_ids_is_dropped(path: Path) -> None:
    body = encoded_body()
    body["test_ids"]["shop/cart.py"] = [None]
    loaded = loaded_body(path, body)
    assert dict(loaded.test_ids) == dict(sample_snapshot().test_ids)


# -- a garbage parse cache costs parsing, never a missed test -----------------------------------

GARBAGE_CACHE_PROJECT = {
    "shop/__init__.py": "",
    "shop/money.py": "ROUND = 2\n",
    "shop/cart.py": "from shop.money import ROUND\n",
    "shop/legacy.py": "def broken(:\n",
    "tests/test_cart.py": "from shop.cart import Cart\n",
    "tests/test_discount.py": "from discount import RATE\n",  # a module not written yet
}


def garbage_cache_baseline(project: Project, corrupt: bool) -> Snapshot:
    for relpath, text in GARBAGE_CACHE_PROJECT.items():
        project.write(relpath, text)
    project.baseline()
    body = encoded_body(load_snapshot(project.snapshot_path))
    if corrupt:
        body["parsed"] = Raw(squeeze(b"\x00garbage"))
    write_body(project.snapshot_path, body)
    baseline = load_snapshot(project.snapshot_path)
    assert baseline is not None
    return baseline


@pytest.mark.parametrize("corrupt", [True, False], ids=["garbage-cache", "intact-cache"])
def test_a_garbage_parse_cache_still_gives_the_affected_files_of_a_new_module(
        project: Project, corrupt: bool) -> None:
    baseline = garbage_cache_baseline(project, corrupt)
    assert (len(baseline.parsed) == 0) == corrupt
    assert baseline.deps["tests/test_discount.py"] == ()  # nothing of the project's yet
    project.write("discount.py", "from shop.money import ROUND\nRATE = 0.1\n")
    workspace = Workspace(project.root, baseline)
    changes = workspace.scan()
    assert changes.added == {"discount.py"}
    # Were the files taken as import-free, the test would keep its empty dependencies, so it
    # would be neither rewired nor reached from the new module: a missed test.
    assert changes.rewired == {"tests/test_discount.py"}
    assert set(workspace.affected) == {"discount.py", "tests/test_discount.py", "shop/legacy.py"}
    assert workspace.deps["tests/test_discount.py"] == ("discount.py",)
    assert workspace.changes.reason("shop/legacy.py").startswith("syntax error")


def test_a_garbage_parse_cache_still_gives_the_importers_of_an_edited_file(project: Project) -> None:
    baseline = garbage_cache_baseline(project, corrupt=True)
    project.write("shop/money.py", "ROUND = 3\n")
    workspace = Workspace(project.root, baseline)
    workspace.scan()
    assert set(workspace.affected) == {"shop/money.py", "shop/cart.py", "tests/test_cart.py", "shop/legacy.py"}


# -- arbitrary input: a refusal or a snapshot whose every part reads -----------------------------

msgpack_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats() | st.text(max_size=12)
    | st.binary(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=8) | st.binary(max_size=32), children, max_size=4),
    max_leaves=12,
)
BODY_KEYS = sorted(encoded_outer()["body"])
MISSING = object()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("snapshots") / ".delta.msgpack"


def read_every_part(snapshot: Snapshot) -> None:
    """Everything a run may read of a loaded snapshot, read in full: nothing raises."""
    parsed = dict(snapshot.parsed.items())
    assert len(parsed) == len(snapshot.parsed)
    assert all(isinstance(k, bytes) and isinstance(v, ParseResult) for k, v in parsed.items())
    assert all(isinstance(ref, ImportRef) for v in parsed.values() for ref in v.imports)
    deps = dict(snapshot.deps.items())
    assert deps.keys() == snapshot.files.keys()
    assert all(target in snapshot.files for targets in deps.values() for target in targets)
    test_ids = dict(snapshot.test_ids.items())
    assert len(test_ids) == len(snapshot.test_ids)
    assert all(isinstance(p, str) and all(isinstance(i, str) for i in ids) for p, ids in test_ids.items())
    assert all(isinstance(record.digest, bytes) for record in snapshot.files.values())


def only_snapshot_errors(path: Path, data: bytes) -> Snapshot | None:
    """Load ``data``: a refusal must be a SnapshotError that says why; a success must read in full."""
    path.write_bytes(data)
    refusal: str | None = None
    try:
        loaded = load_snapshot(path)
    except SnapshotError as exc:
        refusal = str(exc)
    if refusal is not None:
        assert refusal, "a refusal always says why"
        return None
    assert loaded is not None
    read_every_part(loaded)
    return loaded


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_never_raise_anything_but_snapshot_error(scratch: Path, data: bytes) -> None:
    only_snapshot_errors(scratch, data)


@settings(max_examples=300, deadline=None)
@given(value=msgpack_values)
def test_arbitrary_msgpack_structures_never_raise_anything_but_snapshot_error(scratch: Path, value: Any) -> None:
    only_snapshot_errors(scratch, msgpack.packb(value))


@settings(max_examples=300, deadline=None)
@given(outer=st.fixed_dictionaries(
    {"format": st.just("pytest-delta"), "schema": st.just(snapshot_module.SCHEMA)},
    optional={"written_ns": msgpack_values, "body": msgpack_values}))
def test_arbitrary_bodies_never_raise_anything_but_snapshot_error(scratch: Path, outer: dict[str, Any]) -> None:
    only_snapshot_errors(scratch, msgpack.packb(outer))


@settings(max_examples=500, deadline=None)
@given(key=st.sampled_from(BODY_KEYS), value=msgpack_values | st.just(MISSING), compressed=st.booleans())
def test_one_corrupted_body_key_never_raises_anything_but_snapshot_error(
        scratch: Path, key: str, value: Any, compressed: bool) -> None:
    outer = encoded_outer()
    if value is MISSING:
        del outer["body"][key]
    elif compressed:  # a well-formed blob around a wrong content
        outer["body"][key] = squeeze(value if isinstance(value, bytes) else msgpack.packb(value))
    else:
        outer["body"][key] = value
    only_snapshot_errors(scratch, msgpack.packb(outer))


@settings(max_examples=300, deadline=None)
@given(entry=msgpack_values, other=msgpack_values)
def test_arbitrary_parse_entries_read_as_missing_or_as_what_they_say(
        scratch: Path, entry: Any, other: Any) -> None:
    body = encoded_body()
    body["parsed"][DIGEST_3] = entry
    body["parsed"][b"\x09" * 32] = other
    loaded = only_snapshot_errors(scratch, snapshot_bytes(body))
    assert loaded is not None, "a bad parse entry never refuses the whole snapshot"
    assert loaded.parsed[DIGEST_2] == as_stored(sample_snapshot().parsed[DIGEST_2])
    result = loaded.parsed.get(DIGEST_3)
    if result is not None:
        assert entry == snapshot_module.encode_parse(result)


texts = st.text(max_size=12)
text_tuples = st.lists(texts, max_size=3).map(tuple)
parse_results = st.builds(
    ParseResult,
    imports=st.lists(st.builds(ImportRef, texts, st.integers(0, 2**64 - 1), text_tuples), max_size=3).map(tuple),
    dynamic=text_tuples,
    error=st.none() | texts,
    paths=text_tuples,
    symbols=st.none() | st.builds(
        SymbolTable,
        units=st.lists(st.builds(Unit, texts, st.binary(max_size=12), st.frozensets(texts, max_size=3), text_tuples,
                                 st.integers(-(2**63), 2**63 - 1), st.integers(-(2**63), 2**63 - 1),
                                 st.sampled_from(sorted(UNIT_KINDS)), text_tuples),
                       max_size=3).map(tuple),
        dynamic_access=text_tuples,
        doctest=st.booleans(),
        hooks=text_tuples),
)


@settings(max_examples=100, deadline=None)
@given(result=parse_results)
def test_every_parse_result_reads_back_as_it_was_written(scratch: Path, result: ParseResult) -> None:
    body = encoded_body()
    body["parsed"][DIGEST_3] = snapshot_module.encode_parse(result)
    loaded = only_snapshot_errors(scratch, snapshot_bytes(body))
    assert loaded is not None
    assert loaded.parsed[DIGEST_3] == as_stored(result)


@settings(max_examples=200, deadline=None)
@given(table=msgpack_values)
def test_arbitrary_test_ids_read_as_none_or_as_what_they_say(scratch: Path, table: Any) -> None:
    body = encoded_body()
    body["test_ids"] = table
    loaded = only_snapshot_errors(scratch, snapshot_bytes(body))
    assert loaded is not None, "bad test ids never refuse the whole snapshot"
    for file, ids in loaded.test_ids.items():
        assert isinstance(table, dict)
        assert table[file] == list(ids)


# -- saving ---------------------------------------------------------------------------------------


def leftovers(directory: Path, snapshot: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in (snapshot.name, snapshot.name + ".lock"))


@pytest.mark.parametrize("content", [b"", b"def f():\n    return 1\n", b"\x00\x01 not ours"],
                         ids=["empty", "source", "binary"])
def test_save_refuses_to_replace_a_file_that_is_no_snapshot(tmp_path: Path, content: bytes) -> None:
    """``--delta-file=pkg/a.py`` by mistake must not turn a source file into a snapshot."""
    target = tmp_path / "a.py"
    target.write_bytes(content)
    with pytest.raises(SnapshotWriteError, match="is not a pytest-delta snapshot; not overwriting it"):
        save_snapshot(target, sample_snapshot())
    assert target.read_bytes() == content


def test_save_replaces_a_corrupt_msgpack_file_and_a_snapshot_of_any_name(tmp_path: Path) -> None:
    corrupt = tmp_path / "shard.msgpack"
    corrupt.write_bytes(b"garbage")
    save_snapshot(corrupt, sample_snapshot())
    assert load_snapshot(corrupt) is not None
    named = tmp_path / "delta.state"
    save_snapshot(named, sample_snapshot())
    save_snapshot(named, sample_snapshot(meta={"second": True}))  # a snapshot already: replaced
    loaded = load_snapshot(named)
    assert loaded is not None
    assert loaded.meta == {"second": True}


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
