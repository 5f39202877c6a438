"""The snapshot file: what the last run saw, and what it left unvalidated.

It holds each tracked file's digest and stat data, the parsed imports by content digest (so
a branch switch back and forth re-parses nothing), the direct dependency graph (never its
closures) with paths interned, and the pending tests. It is written atomically under a lock
and trusted only after validation: anything else is a :class:`SnapshotError` and a full run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgpack
from filelock import FileLock, Timeout

from .errors import SnapshotError, SnapshotWriteError
from .files import FileStat
from .imports import ImportRef, ParseResult

FORMAT = "pytest-delta"
SCHEMA = 1
#: How long a run waits for another run's save before it gives up saving.
LOCK_TIMEOUT_S = 5.0
#: Snapshots are small (a few MB for 20k files); anything far larger is not ours.
MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileRecord:
    """A tracked file as last seen: its content digest and the stat data it was read with.

    ``stat`` is None when the stat data cannot vouch for the content (the file was modified
    within the racy window of the scan): the next run reads the file again.
    ``digest`` is empty for a file that could not be read.
    """

    digest: bytes
    stat: FileStat | None


@dataclass(frozen=True)
class Snapshot:
    files: Mapping[str, FileRecord]
    parsed: Mapping[bytes, ParseResult]
    deps: Mapping[str, tuple[str, ...]]
    #: Node ids affected by a change and not passed since.
    pending_tests: frozenset[str] = frozenset()
    #: Files whose every test is pending (affected, but not collected in the run that saw it).
    pending_files: frozenset[str] = frozenset()
    #: Files holding ``delta_always`` tests.
    always_files: frozenset[str] = frozenset()
    #: Node ids per file at the last collection of that file: what a run that does not import
    #: the file reports as deselected.
    test_ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Item files that are not tracked sources (seen once, so later collections must not be skipped).
    foreign_items: bool = False
    #: Free-form facts other parts of the tool record (the environment, ...).
    meta: Mapping[str, Any] = field(default_factory=dict)
    written_ns: int = 0


def _encode(snapshot: Snapshot) -> bytes:
    paths = sorted(snapshot.files)
    index = {path: i for i, path in enumerate(paths)}
    files = []
    for path in paths:
        record = snapshot.files[path]
        row: list[Any] = [record.digest]
        if record.stat is not None:
            st = record.stat
            row += [st.size, st.mtime_ns, st.ctime_ns, st.inode]
        files.append(row)
    deps = [[index[d] for d in snapshot.deps.get(path, ()) if d in index] for path in paths]
    parsed = [
        [key, result.error, list(result.dynamic),
         [[ref.module, ref.level, *ref.names] for ref in result.imports]]
        for key, result in snapshot.parsed.items()
    ]
    body = {
        "format": FORMAT,
        "schema": SCHEMA,
        "written_ns": time.time_ns(),
        "paths": paths,
        "files": files,
        "deps": deps,
        "parsed": parsed,
        "pending_tests": sorted(snapshot.pending_tests),
        "pending_files": sorted(snapshot.pending_files),
        "always_files": sorted(snapshot.always_files),
        "test_ids": {path: list(ids) for path, ids in snapshot.test_ids.items()},
        "foreign_items": snapshot.foreign_items,
        "meta": dict(snapshot.meta),
    }
    return msgpack.packb(body, use_bin_type=True)


def _fail(reason: str) -> SnapshotError:
    return SnapshotError(reason)


def _expect(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind):
        raise _fail(f"malformed {what}")
    return value


def _check_path(path: Any) -> str:
    if not isinstance(path, str) or not path:
        raise _fail("malformed path entry")
    if "\x00" in path:
        raise _fail(f"path with a null character: {path!r}")
    if path.startswith("/") or "\\" in path or any(p in ("..", ".", "") for p in path.split("/")):
        raise _fail(f"path escapes the root directory: {path!r}")
    return path


def _decode(data: bytes) -> Snapshot:
    try:
        body = msgpack.unpackb(data, raw=False, strict_map_key=True, use_list=True)
    except (ValueError, msgpack.UnpackException, msgpack.ExtraData, TypeError) as exc:
        raise _fail(f"not a readable snapshot ({type(exc).__name__})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise _fail("not a pytest-delta snapshot")
    schema = body.get("schema")
    if not isinstance(schema, int):
        raise _fail("no schema version")
    if schema > SCHEMA:
        raise _fail(f"written by a newer pytest-delta (schema {schema}; this version reads {SCHEMA})")
    if schema < SCHEMA:
        raise _fail(f"written by an older pytest-delta (schema {schema})")
    paths = [_check_path(p) for p in _expect(body.get("paths"), list, "path table")]
    rows = _expect(body.get("files"), list, "file table")
    deps_rows = _expect(body.get("deps"), list, "graph")
    if len(rows) != len(paths) or len(deps_rows) != len(paths):
        raise _fail("file table and graph disagree")
    files: dict[str, FileRecord] = {}
    deps: dict[str, tuple[str, ...]] = {}
    for path, row, dep_row in zip(paths, rows, deps_rows, strict=False):
        _expect(row, list, "file entry")
        if len(row) not in (1, 5) or not isinstance(row[0], bytes):
            raise _fail("malformed file entry")
        stat = None
        if len(row) == 5:
            if not all(isinstance(v, int) for v in row[1:]):
                raise _fail("malformed stat data")
            stat = FileStat(row[1], row[2], row[3], row[4])
        files[path] = FileRecord(row[0], stat)
        _expect(dep_row, list, "graph entry")
        if not all(type(i) is int and 0 <= i < len(paths) for i in dep_row):
            raise _fail("graph points outside the file table")
        deps[path] = tuple(paths[i] for i in dep_row)
    parsed: dict[bytes, ParseResult] = {}
    for entry in _expect(body.get("parsed"), list, "import cache"):
        if not (isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], bytes)):
            raise _fail("malformed import cache entry")
        key, error, dynamic, imports = entry
        if error is not None and not isinstance(error, str):
            raise _fail("malformed import cache entry")
        refs = []
        for item in _expect(imports, list, "import list"):
            if not (isinstance(item, list) and len(item) >= 2 and isinstance(item[0], str)
                    and isinstance(item[1], int) and all(isinstance(n, str) for n in item[2:])):
                raise _fail("malformed import entry")
            refs.append(ImportRef(item[0], item[1], tuple(item[2:])))
        if not all(isinstance(d, str) for d in _expect(dynamic, list, "dynamic import list")):
            raise _fail("malformed dynamic import list")
        parsed[key] = ParseResult(tuple(refs), tuple(dynamic), error)
    test_ids: dict[str, tuple[str, ...]] = {}
    for key, ids in _expect(body.get("test_ids", {}), dict, "test ids").items():
        if not (isinstance(key, str) and isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
            raise _fail("malformed test ids")
        test_ids[key] = tuple(ids)
    return Snapshot(
        files=files,
        parsed=parsed,
        deps=deps,
        pending_tests=_str_set(body.get("pending_tests", []), "pending tests"),
        pending_files=frozenset(_check_path(p) for p in _expect(body.get("pending_files", []), list, "pending")),
        always_files=frozenset(_check_path(p) for p in _expect(body.get("always_files", []), list, "markers")),
        test_ids=test_ids,
        foreign_items=bool(body.get("foreign_items", False)),
        meta=_expect(body.get("meta", {}), dict, "metadata"),
        written_ns=_expect(body.get("written_ns", 0), int, "timestamp"),
    )


def _str_set(value: Any, what: str) -> frozenset[str]:
    items = _expect(value, list, what)
    if not all(isinstance(v, str) for v in items):
        raise _fail(f"malformed {what}")
    return frozenset(items)


def load_snapshot(path: Path) -> Snapshot | None:
    """The snapshot at ``path``; None when there is none yet.

    Raises :class:`SnapshotError` for anything that cannot be trusted.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SNAPSHOT_BYTES + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise _fail("it is a directory") from None
    except OSError as exc:
        raise _fail(f"cannot read it ({exc.strerror or exc})") from None
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise _fail("file too large to be a snapshot")
    if not data:
        raise _fail("empty file")
    return _decode(data)


def save_snapshot(path: Path, snapshot: Snapshot, *, based_on: int | None = None) -> None:
    """Write ``snapshot`` atomically (temporary file, fsync, rename) under ``path``.lock.

    ``based_on`` is the ``written_ns`` of the snapshot this one was derived from. When another
    run wrote the file since, the pending sets of both are kept: a concurrent run never makes
    the other's unvalidated tests look validated.
    """
    if path.is_dir():
        raise SnapshotWriteError(f"{path} is a directory; give --delta-file a file name")
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)
        with lock:
            snapshot = _merge_with_current(path, snapshot, based_on)
            data = _encode(snapshot)
            fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=directory)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
    except Timeout:
        raise SnapshotWriteError(
            f"another run holds {path}.lock; not saving (this run's changes stay pending)") from None
    except OSError as exc:
        raise SnapshotWriteError(f"cannot write {path}: {exc.strerror or exc}") from None


def _merge_with_current(path: Path, snapshot: Snapshot, based_on: int | None) -> Snapshot:
    try:
        current = load_snapshot(path)
    except SnapshotError:
        return snapshot
    if current is None or current.written_ns == based_on:
        return snapshot
    # Someone else saved since we loaded: keep their unvalidated work too.
    files = snapshot.files
    return Snapshot(
        files=files,
        parsed=snapshot.parsed,
        deps=snapshot.deps,
        pending_tests=snapshot.pending_tests | {t for t in current.pending_tests if t.split("::")[0] in files},
        pending_files=snapshot.pending_files | (current.pending_files & files.keys()),
        always_files=snapshot.always_files,
        test_ids=snapshot.test_ids,
        foreign_items=snapshot.foreign_items or current.foreign_items,
        meta=snapshot.meta,
    )
