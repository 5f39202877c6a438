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
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

import msgpack

from .errors import SnapshotError, SnapshotWriteError
from .files import FileStat
from .imports import ImportRef, ParseResult
from .symbols import UNIT_KINDS, SymbolTable, Unit

FORMAT = "pytest-delta"
SCHEMA = 8
#: How long a run waits for another run's save before it gives up saving.
LOCK_TIMEOUT_S = 5.0
#: Snapshots are small (a few MB for 20k files); anything far larger is not ours.
MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024


class FileRecord(NamedTuple):
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


# -- the file format ---------------------------------------------------------------------------
#
# An outer msgpack map {format, schema, written_ns, body} where body is a zlib-compressed msgpack
# map. Inside it, the per-file tables are flat binary arrays (paths joined by newlines, digests
# concatenated, stat data as int64s, the graph as CSR offsets and targets), so that loading 20,000
# files creates a handful of Python objects, not a million. The parse cache and the test ids are
# nested msgpack blobs decoded only when a run needs them.

_RACY = -1  # stat row of a file whose stat data cannot vouch for its content
_DIGEST = 32


def _packb(value: Any) -> bytes:
    return msgpack.packb(value, use_bin_type=True)


def _unpackb(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=True, use_list=True)


def encode_parse(result: ParseResult, with_refs: bool = False) -> list[Any]:
    """A parse result as plain lists: how the snapshot stores it (without the units' refs,
    which are most of its size) and how processes exchange it (with them)."""
    symbols = result.symbols
    keep_refs = with_refs and symbols is not None and symbols.has_refs
    table = None if symbols is None else [
        [[u.name, u.fingerprint, list(u.decorators), u.line, u.end_line, u.kind, list(u.writes),
          *([sorted(u.refs)] if keep_refs else [])]
         for u in symbols.units],
        list(symbols.dynamic_access), symbols.doctest, [list(b) for b in symbols.bindings], keep_refs,
        [[name, list(bases)] for name, bases in symbols.classes], list(symbols.hooks)]
    return [result.error, list(result.dynamic), [[r.module, r.level, *r.names] for r in result.imports],
            list(result.paths), table]


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _decode_symbols(table: Any) -> SymbolTable | None:
    if not (isinstance(table, list) and len(table) == 7 and isinstance(table[0], list)
            and _strings(table[1]) and isinstance(table[2], bool) and isinstance(table[3], list)
            and isinstance(table[4], bool) and _strings(table[6])):
        return None
    has_refs = table[4]
    units = []
    for row in table[0]:
        if not (isinstance(row, list) and len(row) == (8 if has_refs else 7) and isinstance(row[0], str)
                and isinstance(row[1], bytes) and _strings(row[2]) and type(row[3]) is int and type(row[4]) is int
                and row[5] in UNIT_KINDS and _strings(row[6])):
            return None
        if has_refs and not _strings(row[7]):
            return None
        units.append(Unit(row[0], row[1], frozenset(row[7]) if has_refs else frozenset(), tuple(row[2]),
                          row[3], row[4], row[5], tuple(row[6])))
    if not all(isinstance(b, list) and len(b) == 2 and _strings(b) for b in table[3]):
        return None
    classes = table[5]
    if not (isinstance(classes, list) and all(isinstance(c, list) and len(c) == 2 and isinstance(c[0], str)
                                               and _strings(c[1]) for c in classes)):
        return None
    return SymbolTable(tuple(units), tuple(table[1]), table[2], tuple((b[0], b[1]) for b in table[3]),
                       tuple((c[0], tuple(c[1])) for c in classes), tuple(table[6]), has_refs)


def decode_parse(entry: Any) -> ParseResult | None:
    """A cache entry, or None when it is not one (then the file is simply parsed again)."""
    if not (isinstance(entry, list) and len(entry) == 5):
        return None
    error, dynamic, imports, paths, table = entry
    symbols = None if table is None else _decode_symbols(table)
    if table is not None and symbols is None:
        return None
    if not (isinstance(paths, list) and all(isinstance(p, str) for p in paths)):
        return None
    if error is not None and not isinstance(error, str):
        return None
    if not (isinstance(dynamic, list) and all(isinstance(d, str) for d in dynamic)):
        return None
    if not isinstance(imports, list):
        return None
    refs = []
    for item in imports:
        if not (isinstance(item, list) and len(item) >= 2 and isinstance(item[0], str)
                and type(item[1]) is int and item[1] >= 0 and all(isinstance(n, str) for n in item[2:])):
            return None
        refs.append(ImportRef(item[0], item[1], tuple(item[2:])))
    return ParseResult(tuple(refs), tuple(dynamic), error, tuple(paths), symbols)


class ParseTable(Mapping[bytes, ParseResult]):
    """The parse cache of a loaded snapshot, decoded entry by entry on demand.

    An entry that does not validate reads as missing: the engine parses that file again,
    which is always safe. ``errors`` (the digests of unparseable content) is eager: every run
    needs it, and it is small.
    """

    def __init__(self, blob: object, errors: Mapping[bytes, str]) -> None:
        self._blob = blob
        self._raw: dict[bytes, Any] | None = None
        self._done: dict[bytes, ParseResult] = {}
        self.errors = errors

    def _table(self) -> dict[bytes, Any]:
        if self._raw is None:
            table = _unpack_blob(self._blob)
            self._raw = {k: v for k, v in table.items() if isinstance(k, bytes)} if isinstance(table, dict) else {}
        return self._raw

    def __getitem__(self, key: bytes) -> ParseResult:
        done = self._done.get(key)
        if done is not None:
            return done
        packed = self._table().get(key)
        try:
            result = decode_parse(_unpackb(packed)) if isinstance(packed, bytes) else None
        except (ValueError, msgpack.UnpackException, TypeError):
            result = None
        if result is None:
            raise KeyError(key)
        self._done[key] = result
        return result

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[bytes]:
        # Only the entries that decode: a mapping never lists a key it then refuses (``items()``,
        # ``==`` and a re-save would raise KeyError or write the bad entry again).
        return (key for key in self._table() if key in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def dynamic_access(self, key: bytes) -> tuple[str, ...] | None:
        """An entry's computed attribute accesses, read without decoding its units (a change
        looks for them in every file its importers import); None when unknown."""
        done = self._done.get(key)
        if done is not None:
            return done.symbols.dynamic_access if done.symbols is not None else ()
        return self._symbol_strings(key, 1)

    def hooks(self, key: bytes) -> tuple[str, ...] | None:
        """An entry's classes that see their subclasses created, read without decoding its units."""
        done = self._done.get(key)
        if done is not None:
            return done.symbols.hooks if done.symbols is not None else ()
        return self._symbol_strings(key, 6)

    def _symbol_strings(self, key: bytes, index: int) -> tuple[str, ...] | None:
        """Item ``index`` (a list of strings) of an entry's symbol table, skipping the rest."""
        packed = self._table().get(key)
        if not isinstance(packed, bytes):
            return None
        unpacker = msgpack.Unpacker(raw=False)
        unpacker.feed(packed)
        try:
            if unpacker.read_array_header() != 5:
                return None
            for _ in range(4):
                unpacker.skip()
            try:
                if unpacker.read_array_header() != 7:
                    return None
            except (ValueError, msgpack.UnpackException):
                return ()  # no symbol table: nothing to look up
            for _ in range(index):
                unpacker.skip()
            found = unpacker.unpack()
        except (ValueError, TypeError, msgpack.UnpackException):
            return None
        return tuple(found) if _strings(found) else None

    def stored_keys(self) -> Iterator[bytes]:
        """Every stored key, decoded or not: a save carries them over without paying for a
        decode of each (an entry that does not validate is still parsed again when needed)."""
        return iter(self._table())

    def raw(self, key: bytes) -> bytes | None:
        """The stored form of an entry (packed on its own), to write it again without decoding
        it: a run that edits one file unpacks one entry, not the whole cache. Only entries of
        parsable files (an array of five whose first item, the error, is nil) are passed on so;
        the rare others are decoded, and dropped when they do not decode."""
        packed = self._table().get(key)
        return packed if isinstance(packed, bytes) and packed[:2] == b"\x95\xc0" else None


class _LazyPaths(Mapping[str, tuple[str, ...]]):
    """A table keyed by path, built on first use by :meth:`_build`."""

    _data: dict[str, tuple[str, ...]] | None = None

    def _build(self) -> dict[str, tuple[str, ...]]:
        raise NotImplementedError

    def _built(self) -> dict[str, tuple[str, ...]]:
        if self._data is None:
            self._data = self._build()
        return self._data

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._built()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())


def _unpack_blob(blob: object) -> Any:
    """A compressed msgpack part; what cannot be read is empty (the lazy parts are caches)."""
    try:
        return _unpackb(zlib.decompress(blob))  # type: ignore[arg-type]
    except (ValueError, msgpack.UnpackException, TypeError, zlib.error):
        return {}


class LazyDeps(_LazyPaths):
    """The graph of a loaded snapshot (validated at load), built into tuples on first use:
    a run with no change never needs it."""

    def __init__(self, paths: list[str], offsets: array[int], targets: array[int]) -> None:
        self._paths = paths
        self._offsets = offsets
        self._targets = targets

    def _build(self) -> dict[str, tuple[str, ...]]:
        name, offsets, targets = self._paths.__getitem__, self._offsets, self._targets
        return {path: tuple(map(name, targets[offsets[i]:offsets[i + 1]])) for i, path in enumerate(self._paths)}

    def stored(self, paths: list[str]) -> tuple[array[int], array[int]] | None:
        """The stored offsets and targets, when ``paths`` is the file table they index: a save
        writes an unchanged graph again as it is (a changed one is a new mapping, never this)."""
        return (self._offsets, self._targets) if paths == self._paths else None

    def __len__(self) -> int:
        return len(self._paths)


class LazyTestIds(_LazyPaths):
    """Node ids per file, decoded on first use; unreadable, they read as unknown (no ids)."""

    def __init__(self, blob: object) -> None:
        self._blob = blob

    def _build(self) -> dict[str, tuple[str, ...]]:
        table = _unpack_blob(self._blob)
        return {
            k: tuple(v) for k, v in (table.items() if isinstance(table, dict) else ())
            if isinstance(k, str) and isinstance(v, list) and all(isinstance(i, str) for i in v)
        }


def _int_array(code: str, values: Iterable[int]) -> bytes:
    return array(code, values).tobytes()


def _encode(snapshot: Snapshot) -> bytes:
    paths = sorted(snapshot.files)
    index = {path: i for i, path in enumerate(paths)}
    digests = bytearray()
    stats: list[int] = []
    for path in paths:
        record = snapshot.files[path]
        digests += record.digest if len(record.digest) == _DIGEST else bytes(_DIGEST)
        if record.stat is None or len(record.digest) != _DIGEST:
            stats += (_RACY, 0, 0, 0)
        else:
            stats += record.stat
    stored = snapshot.deps.stored(paths) if isinstance(snapshot.deps, LazyDeps) else None
    if stored is not None:
        offset_array, target_array = stored
    else:
        offsets = [0]
        targets: list[int] = []
        for path in paths:
            targets += sorted(index[d] for d in snapshot.deps.get(path, ()) if d in index)
            offsets.append(len(targets))
        offset_array, target_array = array("I", offsets), array("I", targets)
    parsed = snapshot.parsed
    raw_of = getattr(parsed, "raw", None)
    cache: dict[bytes, bytes] = {}
    errors: dict[bytes, str] = {}
    for key in parsed:
        packed = raw_of(key) if raw_of is not None else None
        if isinstance(packed, bytes):
            cache[key] = packed  # a parsed file's entry: no error to record
            continue
        try:
            result = parsed[key]
        except KeyError:
            continue
        cache[key] = _packb(encode_parse(result))
        if result.error:
            errors[key] = result.error
    body = {
        # Compressed one by one: a run decompresses only the parts it needs.
        "paths": _squeeze("\n".join(paths).encode()),
        "digests": bytes(digests),
        "stats": _squeeze(_int_array("q", stats)),
        "dep_offsets": _squeeze(offset_array.tobytes()),
        "dep_targets": _squeeze(target_array.tobytes()),
        "parsed": _squeeze(_packb(cache)),
        "errors": errors,
        "pending_tests": sorted(snapshot.pending_tests),
        "pending_files": sorted(snapshot.pending_files),
        "always_files": sorted(snapshot.always_files),
        "test_ids": _squeeze(_packb({path: list(ids) for path, ids in snapshot.test_ids.items()})),
        "foreign_items": snapshot.foreign_items,
        "meta": dict(snapshot.meta),
    }
    return _packb({"format": FORMAT, "schema": SCHEMA, "written_ns": time.time_ns(), "body": body})


def _squeeze(data: bytes) -> bytes:
    return zlib.compress(data, 1)


def _unsqueeze(data: Any, what: str) -> bytes:
    try:
        return zlib.decompress(_expect(data, bytes, what))
    except zlib.error:
        raise _fail(f"truncated or corrupt {what}") from None


def _bad_path_in(joined: str) -> bool:
    """Whether any of the newline-separated paths is absolute, empty, or has a ``.``/``..``
    segment, a backslash or a null: substring tests, fast on 20,000 paths."""
    text = f"\n{joined}\n"
    if "\\" in text or "\x00" in text or "//" in text or "\n/" in text or "/\n" in text or "\n\n" in text:
        return True
    return any(f"{before}{dots}{after}" in text
               for dots in (".", "..") for before in ("\n", "/") for after in ("\n", "/"))


def _fail(reason: str) -> SnapshotError:
    return SnapshotError(reason)


def _expect(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind):
        raise _fail(f"malformed {what}")
    return value


def _check_path(path: Any) -> str:
    if not isinstance(path, str) or not path:
        raise _fail("malformed path entry")
    if _bad_path_in(path):
        raise _fail(f"path escapes the root directory: {path!r}")
    return path


def _array(code: str, data: Any, what: str) -> array[int]:
    out = array(code)
    if not isinstance(data, bytes) or len(data) % out.itemsize:
        raise _fail(f"malformed {what}")
    out.frombytes(data)
    return out


def _decode(data: bytes) -> Snapshot:
    try:
        outer = _unpackb(data)
    except (ValueError, msgpack.UnpackException, TypeError) as exc:
        raise _fail(f"not a readable snapshot ({type(exc).__name__})") from None
    if not isinstance(outer, dict) or outer.get("format") != FORMAT:
        raise _fail("not a pytest-delta snapshot")
    schema = outer.get("schema")
    if not isinstance(schema, int):
        raise _fail("no schema version")
    if schema > SCHEMA:
        raise _fail(f"written by a newer pytest-delta (schema {schema}; this version reads {SCHEMA})")
    if schema < SCHEMA:
        raise _fail(f"written by an older pytest-delta (schema {schema})")
    body = _expect(outer.get("body"), dict, "body")
    try:
        joined = _unsqueeze(body.get("paths"), "path table").decode()
    except UnicodeDecodeError:
        raise _fail("malformed path table") from None
    if joined and _bad_path_in(joined):
        bad = next(p for p in joined.split("\n") if not p or _bad_path_in(p))
        raise _fail(f"path escapes the root directory: {bad!r}")
    paths = joined.split("\n") if joined else []
    count = len(paths)
    if len(set(paths)) != count:
        raise _fail("duplicate paths")
    digests = _expect(body.get("digests"), bytes, "digest table")
    stats = _array("q", _unsqueeze(body.get("stats"), "stat table"), "stat table")
    offsets = _array("I", _unsqueeze(body.get("dep_offsets"), "graph"), "graph")
    targets = _array("I", _unsqueeze(body.get("dep_targets"), "graph"), "graph")
    if len(digests) != _DIGEST * count or len(stats) != 4 * count or len(offsets) != count + 1:
        raise _fail("file table and graph disagree")
    if offsets[0] != 0 or offsets[-1] != len(targets) or any(a > b for a, b in pairwise(offsets)):
        raise _fail("graph points outside the file table")
    if targets and max(targets) >= count:
        raise _fail("graph points outside the file table")
    files: dict[str, FileRecord] = {}
    empty = bytes(_DIGEST)
    rows = iter(stats)
    for i, (path, row) in enumerate(zip(paths, zip(rows, rows, rows, rows))):
        digest = digests[i * _DIGEST:(i + 1) * _DIGEST]
        if digest == empty:
            files[path] = FileRecord(b"", None)
        else:
            files[path] = FileRecord(digest, None if row[0] == _RACY else FileStat._make(row))
    errors = _expect(body.get("errors", {}), dict, "error table")
    if not all(isinstance(k, bytes) and isinstance(v, str) for k, v in errors.items()):
        raise _fail("malformed error table")
    return Snapshot(
        files=files,
        parsed=ParseTable(body.get("parsed"), errors),
        deps=LazyDeps(paths, offsets, targets),
        pending_tests=_str_set(body.get("pending_tests", []), "pending tests"),
        pending_files=frozenset(_check_path(p) for p in _expect(body.get("pending_files", []), list, "pending")),
        always_files=frozenset(_check_path(p) for p in _expect(body.get("always_files", []), list, "markers")),
        test_ids=LazyTestIds(body.get("test_ids")),
        foreign_items=bool(body.get("foreign_items", False)),
        meta=_expect(body.get("meta", {}), dict, "metadata"),
        written_ns=_expect(outer.get("written_ns", 0), int, "timestamp"),
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
    except (FileNotFoundError, NotADirectoryError):
        return None  # nothing there yet (or a parent is a file: saving will say so)
    except IsADirectoryError:
        raise _fail("it is a directory") from None
    except OSError as exc:
        raise _fail(f"cannot read it ({exc.strerror or exc})") from None
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise _fail("file too large to be a snapshot")
    if not data:
        raise _fail("empty file")
    return _decode(data)


def _someone_elses(path: Path) -> bool:
    """Whether ``path`` holds a file that is not a snapshot, and whose name does not say it is
    one (``--delta-file=pkg/a.py`` by mistake): overwriting it would lose it."""
    if path.name.endswith(".msgpack"):
        return False  # a snapshot's name: a corrupt one is replaced, as promised
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return False  # absent (or unreadable, and then not writable either)
    return f'\xa6format\xac{FORMAT}'.encode("latin-1") not in head


def save_snapshot(path: Path, snapshot: Snapshot, *, based_on: int | None = None) -> None:
    """Write ``snapshot`` atomically (temporary file, fsync, rename) under ``path``.lock.

    ``based_on`` is the ``written_ns`` of the snapshot this one was derived from. When another
    run wrote the file since, the pending sets of both are kept: a concurrent run never makes
    the other's unvalidated tests look validated.
    """
    if path.is_dir():
        raise SnapshotWriteError(f"{path} is a directory; give --delta-file a file name")
    if _someone_elses(path):
        raise SnapshotWriteError(f"{path} exists and is not a pytest-delta snapshot; not overwriting it "
                                 f"(give --delta-file a new name, or one ending in .msgpack)")
    directory = path.parent
    blocker = next((p for p in (directory, *directory.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise SnapshotWriteError(f"cannot write {path}: {blocker} is a file, not a directory")
    from filelock import FileLock, Timeout  # only when saving: a no-change run never saves

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
