"""The live state of a project's files against a baseline snapshot.

One class serves both front ends: the pytest plugin scans the disk once per session; the
language server keeps one :class:`Workspace` alive and feeds it unsaved buffers with
:meth:`Workspace.update`. Either way "what is affected" has one definition: every file that
transitively depends on a file whose content, existence, parse or resolved imports differ from
the baseline.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .files import CONFIG, DATA, ITEMS, PYTHON, FileStat, TrackRules, digest, is_tracked, read_file, scan_tree
from .graph import Graph
from .imports import ParseResult, extract_doctest_imports, extract_imports
from .precision import SymbolSelection, select_units
from .resolve import ModuleIndex
from .snapshot import FileRecord, ParseTable, Snapshot, decode_parse, encode_parse
from .symbols import FUNCTION, SymbolTable, Unit

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

#: Below this many files to parse, a process pool costs more than it saves.
PARALLEL_PARSE_MIN = 1500
#: A deferred parse overlaps with the caller's work, so a pool pays off much sooner.
DEFERRED_PARSE_MIN = 100
#: How many parse results of files no longer present are kept, so switching back to a branch
#: does not parse its files again.
PARSE_CACHE_EXTRA = 20_000
#: How many files the search for a base class's definition reads before it assumes the worst.
MAX_CLASS_SEARCH = 2_000

#: Calls that find files without naming them.
_LISTS_FILES = re.compile(rb"\b(?:glob|iglob|rglob|listdir|scandir|walk|iterdir)\b")

ProgressCallback = Callable[[int, int], None]
#: The parse error of a file edited between the scan and its parse (never saved).
CHANGED_WHILE_READ = "changed while it was being read"


@dataclass(frozen=True)
class EngineOptions:
    """Project facts the caller knows better than the engine (from pytest's ini, say)."""

    extra_roots: tuple[str, ...] = ()
    rules: TrackRules = field(default_factory=TrackRules)
    #: Relative paths never tracked (the snapshot file itself when it ends in .py, say).
    skip: tuple[str, ...] = ()
    #: Parse in this many processes on a cold build; None picks from the CPU count.
    workers: int | None = None
    #: Whether pytest collects the doctests of Python modules (``--doctest-modules``): when
    #: it does not, a docstring example runs only where code runs doctests itself.
    doctest_modules: bool = True
    #: Fixtures every test requests without naming them (pytest's ini option ``usefixtures``):
    #: as good as autouse.
    used_fixtures: tuple[str, ...] = ()

    def key(self) -> list[object]:
        """What in these options changes how imports resolve; stored in the snapshot."""
        rules = self.rules
        return [sorted(self.extra_roots), sorted(rules.exclude), sorted(rules.extra_patterns),
                sorted(rules.config_patterns), sorted(rules.data_suffixes)]


@dataclass(frozen=True)
class Changes:
    """How the current files differ from the baseline."""

    changed: frozenset[str] = frozenset()
    added: frozenset[str] = frozenset()
    deleted: frozenset[str] = frozenset()
    #: Files that count as changed on every run until they can be read and parsed, with why.
    broken: Mapping[str, str] = field(default_factory=dict)
    #: Unchanged files whose imports now resolve elsewhere (a new module shadows, one is gone).
    rewired: frozenset[str] = frozenset()
    #: Changed files that configure the test run (``pyproject.toml``, ...): everything is affected.
    configuration: frozenset[str] = frozenset()

    @property
    def seeds(self) -> frozenset[str]:
        return self.changed | self.added | self.deleted | self.broken.keys() | self.rewired

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.deleted or self.broken or self.rewired)

    def reason(self, path: str) -> str:
        """Why a seed is one, in a few words."""
        if path in self.broken:
            return self.broken[path]
        if path in self.added:
            return "new"
        if path in self.deleted:
            return "deleted"
        if path in self.rewired:
            return "imports resolve differently"
        return "changed"


def _parse_chunk(chunk: list[bytes], with_refs: bool = False) -> list[list[object]]:
    return [encode_parse(extract_imports(data, with_refs), with_refs) for data in chunk]


def _parse_chunk_with_refs(chunk: list[bytes]) -> list[list[object]]:
    return _parse_chunk(chunk, True)


class _Discard(dict[str, bytes]):
    """A sink for file contents nobody will read again (a deferred scan keeps none in memory)."""

    def __setitem__(self, key: str, value: bytes) -> None:
        pass


def _parse_paths(root: str, chunk: list[tuple[str, bytes]]) -> list[tuple[bytes, list[object] | None]]:
    """Read and parse files in a worker process; a file whose content no longer has the
    digest it was scanned with gives None (the caller parses it again, and sees why)."""
    out: list[tuple[bytes, list[object] | None]] = []
    for path, key in chunk:
        try:
            with open(os.path.join(root, path), "rb") as handle:
                data = handle.read()
        except OSError:
            out.append((key, None))
            continue
        out.append((key, encode_parse(extract_imports(data)) if digest(data) == key else None))
    return out


def _parse_many(sources: list[bytes], workers: int | None, with_refs: bool = False,
                progress: ProgressCallback | None = None) -> list[ParseResult]:
    count = workers if workers is not None else min(os.cpu_count() or 1, 8)
    total = len(sources)
    if count <= 1 or total < PARALLEL_PARSE_MIN:
        results = []
        for index, data in enumerate(sources, 1):
            results.append(extract_imports(data, with_refs))
            if progress is not None and (index % 200 == 0 or index == total):
                progress(index, total)
        return results
    from concurrent.futures import ProcessPoolExecutor

    size = max(64, total // (count * 8))
    chunks = [sources[i : i + size] for i in range(0, total, size)]
    results = []
    try:
        with ProcessPoolExecutor(max_workers=count) as pool:
            for chunk_result in pool.map(_parse_chunk_with_refs if with_refs else _parse_chunk, chunks):
                for entry in chunk_result:
                    result = decode_parse(entry)
                    assert result is not None  # encoded by encode_parse just now
                    results.append(result)
                if progress is not None:
                    progress(len(results), total)
    except (OSError, RuntimeError):
        # No processes to be had (a sandbox, a frozen interpreter): same result, one core.
        return [extract_imports(data, with_refs) for data in sources]
    return results


def _errors_of(parsed: Mapping[bytes, ParseResult]) -> Mapping[bytes, str]:
    if isinstance(parsed, ParseTable):
        return parsed.errors
    return {key: result.error for key, result in parsed.items() if result.error}


class _MergedParses(Mapping[bytes, ParseResult]):
    """The parse cache a new snapshot keeps: chosen keys of this session's results over the
    baseline's, whose stored form is written again without being decoded."""

    def __init__(self, base: Mapping[bytes, ParseResult], new: Mapping[bytes, ParseResult],
                 keys: Iterable[bytes]) -> None:
        self._base = base
        self._new = new
        stored = set(base.stored_keys()) if isinstance(base, ParseTable) else base.keys()
        self._keys = [k for k in dict.fromkeys(keys) if k in new or k in stored]

    def __getitem__(self, key: bytes) -> ParseResult:
        result = self._new.get(key)
        return result if result is not None else self._base[key]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def raw(self, key: bytes) -> bytes | None:
        if key in self._new or not isinstance(self._base, ParseTable):
            return None
        return self._base.raw(key)


class Workspace:
    """Current file records, parse results and graph of one project root, compared with a
    baseline snapshot (None: no baseline, everything is affected)."""

    def __init__(self, root: Path, baseline: Snapshot | None, options: EngineOptions | None = None) -> None:
        self.root = root
        self.options = options or EngineOptions()
        self.baseline = baseline
        self.records: Mapping[str, FileRecord] = baseline.files if baseline else {}
        # Parse results: the baseline's (decoded on demand) under this session's own.
        self._base_parsed: Mapping[bytes, ParseResult] = baseline.parsed if baseline else {}
        self._base_errors: Mapping[bytes, str] = _errors_of(self._base_parsed)
        self._new_parsed: dict[bytes, ParseResult] = {}
        self._deferred: dict[str, FileRecord] | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[list[tuple[bytes, list[object] | None]]]] = []
        self._full_symbols: dict[bytes, SymbolTable] = {}
        self.deps: Mapping[str, tuple[str, ...]] = baseline.deps if baseline else {}
        self.overlays: dict[str, bytes] = {}
        self.scan_ns = 0
        self._index: ModuleIndex | None = None
        self._graph: Graph | None = Graph(self.deps) if baseline else None
        self._changes: Changes | None = None
        self._affected: dict[str, str | None] | None = None
        self._symbols: SymbolSelection | None = None
        #: Seeds from outside the tree, by file: an upgraded distribution that the file imports,
        #: or files named by the caller (``--delta-since``), each with why.
        self._extra_seeds: dict[str, str] = {}
        #: When set, only these seeds count (``--delta-since``: what git says changed).
        self._only_seeds: frozenset[str] | None = None
        # A baseline made with other roots or rules resolved its imports differently.
        self._stale_deps = baseline is not None and baseline.meta.get("engine_options") != self.options.key()

    # -- reading the disk -------------------------------------------------------------------

    def scan(self, progress: ProgressCallback | None = None, defer_parse: bool = False) -> Changes:
        """Bring the records up to date with the disk (and the overlays); return the changes
        against the baseline. Files whose stat data is unchanged are not read.

        ``defer_parse`` records digests only: :meth:`start_deferred` then parses in other
        processes while the caller works (a first run's tests), :meth:`finish_deferred` builds
        the graph. Until then the graph is empty, which only a run of everything can use.
        """
        self.scan_ns = time.time_ns()
        stats = scan_tree(self.root, self.options.rules, self.options.skip)
        fresh: dict[str, bytes] = {} if not defer_parse else _Discard()
        records: dict[str, FileRecord] = {}
        previous = self.records
        for path, st in stats.items():
            if path in self.overlays:
                continue
            known = previous.get(path)
            if known is not None and known.stat is not None and known.stat == st and known.digest:
                records[path] = known
                continue
            records[path] = self._read(path, st, fresh)
        for path, data in self.overlays.items():
            records[path] = FileRecord(digest(data), None)
            fresh[path] = data
        if defer_parse:
            self._deferred = records
            self.records = records
            self._changes = self._affected = self._symbols = None
            return self.changes
        self._install(records, fresh, progress)
        return self.changes

    def start_deferred(self) -> None:
        """Start parsing, in other processes, what a deferred scan left unparsed."""
        records = self._deferred
        if not records:
            return
        todo: dict[bytes, str] = {}
        for path, record in records.items():
            if record.digest and path.endswith(".py") and record.digest not in todo \
                    and self.parse_result(record.digest) is None:
                todo[record.digest] = path
        items = [(path, key) for key, path in todo.items()]
        if len(items) < DEFERRED_PARSE_MIN:
            return  # finish_deferred parses them in this process, quicker than starting others
        chunks = [items[i:i + 200] for i in range(0, len(items), 200)]
        from concurrent.futures import ProcessPoolExecutor

        try:
            # One core less than the machine has: the caller's own work goes on meanwhile.
            self._pool = ProcessPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) - 1))
            self._futures = [self._pool.submit(_parse_paths, os.fspath(self.root), chunk) for chunk in chunks]
        except (OSError, RuntimeError):
            self._pool, self._futures = None, []

    def finish_deferred(self) -> None:
        """Wait for the deferred parse and build the graph (a no-op without a deferred scan)."""
        records = self._deferred
        if records is None:
            return
        for future in self._futures:
            try:
                results = future.result()
            except Exception:  # a worker died: those files are parsed below, in this process
                continue
            for key, entry in results:
                result = decode_parse(entry) if entry is not None else None
                if result is not None:
                    self._new_parsed[key] = result
        self.cancel_deferred()
        self.records = {}  # everything is new to the graph
        self._install(records, {})

    def cancel_deferred(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool, self._futures, self._deferred = None, [], None

    def _read(self, path: str, st: FileStat, fresh: dict[str, bytes]) -> FileRecord:
        try:
            data = read_file(self.root, path)
        except OSError:
            return FileRecord(b"", None)
        fresh[path] = data
        return FileRecord(digest(data), None if st.is_racy(self.scan_ns) else st)

    def _install(self, records: dict[str, FileRecord], fresh: Mapping[str, bytes],
                 progress: ProgressCallback | None = None) -> None:
        previous = self.records
        if not self._stale_deps and len(records) == len(previous) and all(
                previous.get(p) is r for p, r in records.items()):
            self.records = records
            return
        file_set_changed = self._stale_deps or records.keys() != previous.keys()
        edited = [p for p, r in records.items() if (old := previous.get(p)) is None or old.digest != r.digest]
        if not file_set_changed and not edited:
            self.records = records  # new stat data, same content: nothing to recompute
            return
        self._parse_missing({p: records[p] for p in (records if file_set_changed else edited)}, fresh, progress)
        to_resolve: Iterable[str] = records if file_set_changed else [
            p for p in edited if self._imports_changed(previous.get(p), records[p])]
        if not file_set_changed and not to_resolve:
            # Edited bodies, the same imports: resolution is a function of the imports and the
            # file set, so every edge stands (no index to build, which costs most on a leaf edit).
            self.records = records
            self._changes = self._affected = self._symbols = None
            return
        if file_set_changed or self._index is None:
            self._index = ModuleIndex(records.keys(), self.options.extra_roots)
        index = self._index
        deps = {} if file_set_changed else dict(self.deps)
        rewired = file_set_changed
        for path in to_resolve:
            result = self.parse_result(records[path].digest)
            resolved = index.resolve(path, result.imports, result.paths) if result else index.resolve(path, ())
            if not rewired and deps.get(path) != resolved:
                rewired = True
            deps[path] = resolved
        self._stale_deps = False
        self.records = records
        self._changes = None
        self._affected = None
        self._symbols = None
        if rewired:
            self.deps = deps
            self._graph = None

    def _imports_changed(self, old: FileRecord | None, new: FileRecord) -> bool:
        before = self.parse_result(old.digest) if old is not None and old.digest else None
        after = self.parse_result(new.digest) if new.digest else None
        if before is None or after is None:
            return True
        return before.imports != after.imports or before.paths != after.paths

    def parse_result(self, digest: bytes) -> ParseResult | None:
        """The parse of the content with this digest, if it was parsed (this session or before)."""
        result = self._new_parsed.get(digest)
        if result is None:
            result = self._base_parsed.get(digest)
        return result

    def _error(self, digest: bytes) -> str | None:
        result = self._new_parsed.get(digest)
        if result is not None:
            return result.error
        return self._base_errors.get(digest)

    def _parse_missing(self, records: Mapping[str, FileRecord], fresh: Mapping[str, bytes],
                       progress: ProgressCallback | None) -> None:
        todo: dict[bytes, str] = {}
        for path, record in records.items():
            if record.digest and record.digest not in todo and self.parse_result(record.digest) is None:
                todo[record.digest] = path
        if not todo:
            return
        keys: list[bytes] = []
        sources: list[bytes] = []
        for key, path in todo.items():
            kind = self.options.rules.kind(path)
            if kind != PYTHON and kind != ITEMS:
                self._new_parsed[key] = ParseResult(())  # data and configuration: no imports
                continue
            data = fresh.get(path)
            if data is None:
                try:
                    data = read_file(self.root, path)
                except OSError as exc:
                    self._new_parsed[key] = ParseResult((), (), f"cannot read: {exc.strerror or exc}")
                    continue
                if digest(data) != key:
                    # Edited since the scan: what it holds now is not the content recorded. It
                    # counts as broken (changed) this time, and is parsed afresh next time.
                    self._new_parsed[key] = ParseResult((), (), CHANGED_WHILE_READ)
                    continue
            if kind == ITEMS:
                self._new_parsed[key] = extract_doctest_imports(data)
                continue
            keys.append(key)
            sources.append(data)
        for key, result in zip(keys, _parse_many(sources, self.options.workers, progress=progress), strict=True):
            self._new_parsed[key] = result

    # -- the editor's unsaved buffers ----------------------------------------------------------

    def update(self, path: str, content: bytes | None) -> Changes:
        """Take ``content`` as the file's text (an unsaved buffer); None goes back to the disk.

        Only this file is read, parsed and resolved again (unless it is new or gone, which can
        change what other imports resolve to).
        """
        if not is_tracked(self.root, path, self.options.rules, self.options.skip):
            return self.changes  # a file the walk ignores (a virtualenv's, a hidden one): not the project's
        if content is None:
            self.overlays.pop(path, None)
        else:
            self.overlays[path] = content
        records = dict(self.records)
        fresh: dict[str, bytes] = {}
        if content is not None:
            records[path] = FileRecord(digest(content), None)
            fresh[path] = content
        else:
            try:
                st = FileStat.of(os.stat(self.root / path))
            except OSError:
                records.pop(path, None)
            else:
                records[path] = self._read(path, st, fresh)
        self._install(records, fresh)
        return self.changes

    def remove(self, path: str) -> Changes:
        """The file is gone (deleted on disk or in the editor)."""
        self.overlays.pop(path, None)
        records = {p: r for p, r in self.records.items() if p != path}
        self._install(records, {})
        return self.changes

    # -- answers -------------------------------------------------------------------------------

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            self._graph = Graph(self.deps)
        return self._graph

    @property
    def index(self) -> ModuleIndex:
        if self._index is None:
            self._index = ModuleIndex(self.records.keys(), self.options.extra_roots)
        return self._index

    @property
    def changes(self) -> Changes:
        if self._changes is None:
            self._changes = self._compare()
        return self._changes

    def _compare(self) -> Changes:
        broken: dict[str, str] = {}
        for path, record in self.records.items():
            if not record.digest:
                broken[path] = "cannot be read"
                continue
            error = self._error(record.digest)
            if error:
                broken[path] = error
        if self.baseline is None:
            return Changes(added=frozenset(self.records), broken=broken)
        base = self.baseline.files
        changed = set()
        added = set()
        for path, record in self.records.items():
            old = base.get(path)
            if old is None:
                added.add(path)
            elif old is not record and old.digest != record.digest:
                changed.add(path)
        deleted = frozenset(p for p in base if p not in self.records)
        rewired: set[str] = set()
        if self.deps is not self.baseline.deps:
            base_deps = self.baseline.deps
            rewired = {p for p, d in self.deps.items()
                       if p not in changed and p not in added and base_deps.get(p) != d}
        kind = self.options.rules.kind
        configuration = frozenset(p for p in (*changed, *added, *deleted)
                                  if kind(p) == CONFIG)
        return Changes(frozenset(changed), frozenset(added), deleted, broken, frozenset(rewired), configuration)

    @property
    def affected(self) -> Mapping[str, str | None]:
        """Every affected file, mapped to the file it was reached from (None for a changed one)."""
        if self._affected is None:
            if self.baseline is None and self._only_seeds is None:
                self._affected = dict.fromkeys(self.records)
            elif configuration := self._configuration_seeds():
                cause = min(configuration)
                self._affected = {path: (None if path == cause else cause) for path in self.records}
            else:
                seeds = sorted(self.seeds)
                self._affected = self.graph.find_dependents(seeds, self._data_owners(seeds))
        return self._affected

    def _configuration_seeds(self) -> frozenset[str]:
        if self._only_seeds is None:
            return self.changes.configuration
        kind = self.options.rules.kind
        return frozenset(p for p in self._only_seeds if kind(p) == CONFIG)

    @property
    def seeds(self) -> frozenset[str]:
        """What the affected set grows from: the changes (or the files set by
        :meth:`use_seeds`) and the seeds added by :meth:`add_seeds`."""
        base = self.changes.seeds if self._only_seeds is None else self._only_seeds
        return base | self._extra_seeds.keys()

    def add_seeds(self, reasons: Mapping[str, str]) -> None:
        """Count these files as changed too, for the given reasons (an upgraded distribution)."""
        self._extra_seeds.update(reasons)
        self._affected = None
        self._symbols = None

    def use_seeds(self, paths: Iterable[str]) -> None:
        """Grow the affected set from these files instead of from the comparison with the
        baseline (what git says changed since a ref)."""
        self._only_seeds = frozenset(paths)
        self._affected = None
        self._symbols = None

    def seed_reason(self, path: str) -> str:
        return self._extra_seeds.get(path) or self.changes.reason(path)

    def files_importing(self, modules: Collection[str]) -> set[str]:
        """Files with an absolute import of one of these top-level modules (installed code)."""
        wanted = frozenset(modules)
        out = set()
        for path, record in self.records.items():
            result = self.parse_result(record.digest) if record.digest else None
            if result is None:
                continue
            if any(ref.level == 0 and ref.module.partition(".")[0] in wanted for ref in result.imports):
                out.add(path)
        return out

    def symbol_selection(self) -> SymbolSelection | None:
        """Symbol-level refinement of :attr:`affected`; None when everything is affected
        anyway (no baseline, a configuration change)."""
        changes = self.changes
        baseline = self.baseline
        if baseline is None or changes.configuration:
            return None
        if self._only_seeds is not None:
            return None  # no old units to compare with: file level
        if self._symbols is None:
            seeds = self.seeds
            edited = {p for p in changes.changed if p.endswith(".py") and p not in changes.broken
                      and p not in self._extra_seeds}
            structural = {p: f"beside changed data file {data}" for p, data in self._data_owners(seeds).items()}
            structural.update((p, self.seed_reason(p)) for p in seeds - edited)

            def old(path: str) -> SymbolTable | None:
                record = baseline.files.get(path)
                result = self._base_parsed.get(record.digest) if record else None
                return result.symbols if result is not None else None

            self._symbols = select_units(graph=self.graph, affected=self.affected, edited=edited,
                                         structural=structural, old=old, new=self.symbols_of,
                                         with_refs=self._symbols_with_refs, text_of=self._text_of,
                                         class_bases=self._class_bases, class_hook=self._class_hook,
                                         doctests_collected=self._doctests_collected,
                                         state_called=self._state_called,
                                         used_fixtures=frozenset(self.options.used_fixtures),
                                         dynamic_of=self._dynamic_of)
        return self._symbols

    def _dynamic_of(self, path: str) -> tuple[str, ...] | None:
        return self._stored_strings(path, "dynamic_access")

    def _stored_strings(self, path: str, field: Literal["dynamic_access", "hooks"]) -> tuple[str, ...] | None:
        """A list a file's symbol table holds, read without decoding its units when the snapshot
        has them (None: unknown)."""
        record = self.records.get(path)
        if record is None or not record.digest:
            return None
        fresh = self._new_parsed.get(record.digest)
        if fresh is not None:
            return getattr(fresh.symbols, field) if fresh.symbols is not None else ()
        base = self._base_parsed
        return getattr(base, field)(record.digest) if isinstance(base, ParseTable) else None

    def _state_called(self, path: str, names: Collection[str]) -> dict[str, frozenset[str]]:
        """For units of ``path``, the module state stored into by the functions of ``path`` they
        call, however deep the calls go: file-level selection would follow those too.

        Refs are of the current text only: a call the edit removed is not seen. Helpers in other
        modules are not followed: their state's readers are beyond what the changed file reaches.
        """
        full = self._symbols_with_refs([path]).get(path) if names else None
        if full is None:
            return {}
        local: dict[str, list[Unit]] = {}
        for unit in full.units:
            if unit.kind == FUNCTION:
                local.setdefault(unit.short_name, []).append(unit)
        out: dict[str, frozenset[str]] = {}
        for name in names:
            called: set[str] = set()
            writes: set[str] = set()
            pending = [ref for unit in full.units if unit.name == name for ref in unit.refs]
            while pending:
                ref = pending.pop()
                if ref not in called:
                    called.add(ref)
                    for unit in local.get(ref, ()):
                        writes.update(unit.writes)
                        pending.extend(unit.refs)
            if writes:
                out[name] = frozenset(writes)
        return out

    def _doctests_collected(self) -> bool:
        """Whether the test run collects docstring examples: pytest's option, or a conftest
        file that sets a collector up (sybil, a doctest hook)."""
        if self.options.doctest_modules:
            return True
        for path in self.records:
            if path.rpartition("/")[2] == "conftest.py":
                text = self._text_of(path)
                if text is None or any(word in text.lower() for word in (b"doctest", b"sybil")):
                    return True
        return False

    def _text_of(self, path: str) -> bytes | None:
        """The content a file was scanned with (an unsaved buffer's, else the disk's); None
        when the disk no longer holds it."""
        data = self.overlays.get(path)
        if data is not None:
            return data
        record = self.records.get(path)
        try:
            data = read_file(self.root, path)
        except OSError:
            return None
        return data if record is not None and digest(data) == record.digest else None

    def _symbols_with_refs(self, paths: Iterable[str]) -> dict[str, SymbolTable]:
        """Full symbol tables (with what each unit refers to) of the current files: from this
        session's parses where they have them, else by parsing the files again."""
        out: dict[str, SymbolTable] = {}
        todo: list[tuple[str, bytes, bytes]] = []
        for path in paths:
            record = self.records.get(path)
            if record is None or not record.digest:
                continue
            cached = self._full_symbols.get(record.digest)
            if cached is not None:
                out[path] = cached
                continue
            data = self.overlays.get(path)
            if data is None:
                try:
                    data = read_file(self.root, path)
                except OSError:
                    continue
            if digest(data) != record.digest:
                continue  # changed since the scan: no table, so the engine treats it as unknown
            todo.append((path, record.digest, data))
        results = _parse_many([data for _, _, data in todo], self.options.workers, with_refs=True)
        for (path, key, _), result in zip(todo, results):
            if result.symbols is not None:
                self._full_symbols[key] = result.symbols
                out[path] = result.symbols
        return out

    def _project_tables(self, path: str) -> Iterator[tuple[str, SymbolTable]]:
        """The symbol tables of ``path`` and of the project files it depends on, nearest first
        (at most :data:`MAX_CLASS_SEARCH` of them)."""
        for current in self._project_paths(path):
            table = self.symbols_of(current)
            if table is not None:
                yield current, table

    def _project_paths(self, path: str) -> Iterator[str]:
        return self.graph.find_dependencies([path], MAX_CLASS_SEARCH)

    def _class_bases(self, path: str, written: str) -> tuple[str, tuple[str, ...]] | None:
        """Where the project defines the base class ``written`` (as ``path`` spells it:
        ``Base``, ``models.Base``, ``logging.Formatter``) and its bases; None when it is not
        the project's, or when that cannot be told (an unknown module alias): a framework's
        class calls methods by convention."""
        qualifier, _, name = written.rpartition(".")
        table = self.symbols_of(path)
        if not qualifier and table is not None and any(cls == name for cls, _ in table.classes):
            return path, dict(table.classes)[name]
        if self._imported_from_outside(path, qualifier, name, table):
            return None
        for where, found in self._project_tables(path):
            for cls, bases in found.classes:
                if cls == name:
                    return where, bases
        return None

    def _imported_from_outside(self, path: str, qualifier: str, name: str, table: SymbolTable | None) -> bool:
        """Whether ``path`` takes ``qualifier.name`` (or the bare ``name``) from a module the
        project does not hold, or from one it cannot tell."""
        record = self.records.get(path)
        result = self.parse_result(record.digest) if record is not None and record.digest else None
        if result is None:
            return True
        if qualifier:
            head = qualifier.partition(".")[0]
            for ref in result.imports:
                if not ref.names and ref.level == 0 and ref.module.partition(".")[0] == head:
                    return not self.index.lookup(qualifier)  # ``import logging``, ``import app.models``
                if head in ref.names:  # ``from app import models``, ``from . import models``
                    return ref.level == 0 and not self.index.lookup(f"{ref.module}.{head}") \
                        and not self.index.lookup(ref.module)
            return True  # an alias (``import app.models as m``) or a name bound otherwise
        original = {alias: bound for bound, alias in table.bindings}.get(name, name) if table is not None else name
        for ref in result.imports:
            if original in ref.names:
                return ref.level == 0 and not self.index.lookup(ref.module)
        return False  # a star import or a builtin: found by name below, if the project has it

    def _class_hook(self, path: str, name: str) -> str | None:
        """The project class among ``name`` and its ancestors that sees subclasses being created
        (``__init_subclass__``, a metaclass), as ``"Base (src/base.py)"``; None if there is none."""
        if all(self._stored_strings(p, "hooks") == () for p in self._project_paths(path) if p.endswith(".py")):
            return None  # no class of the project it depends on sees subclasses created
        bases: dict[str, list[str]] = {}
        hooks: dict[str, str] = {}
        for where, table in self._project_tables(path):
            for cls, found in table.classes:
                bases.setdefault(cls, []).extend(b.rpartition(".")[2] for b in found if b)
            for cls in table.hooks:
                hooks.setdefault(cls, where)
        if not hooks:
            return None
        pending, seen = [name], set()
        while pending:
            current = pending.pop()
            if current in hooks:
                return f"{current} ({hooks[current]})"
            if current not in seen:
                seen.add(current)
                pending.extend(bases.get(current, ()))
        return None

    def _may_read_root_data(self, module: str, data: str) -> bool:
        """Whether a module at the root may read a data file outside every Python directory
        (``README.md``, ``docs/guide.md``, ``mkdocs.yml``): it names the file or its top directory,
        or lists directories. A root ``conftest.py`` reaches every test: a docs edit must not
        run them all for nothing."""
        text = self._text_of(module)
        if text is None:
            return True
        top = data.partition("/")[0]
        name = top if "/" in data else top.rpartition(".")[0] or top
        return name.encode() in text or _LISTS_FILES.search(text) is not None

    def symbols_of(self, path: str) -> SymbolTable | None:
        record = self.records.get(path)
        result = self.parse_result(record.digest) if record else None
        return result.symbols if result is not None else None

    def _data_owners(self, seeds: Iterable[str]) -> dict[str, str]:
        """Python files that changed data files affect by the directory rule, each mapped to
        the data file: a template in ``src/app/templates/`` affects ``src/app``'s modules."""
        kind = self.options.rules.kind
        owners: dict[str | None, str] = {}
        for seed in seeds:
            if kind(seed) == DATA:
                owners.setdefault(self.index.owner_dir(seed), seed)
        out: dict[str, str] = {}
        for owner, seed in owners.items():
            if owner is None:  # above every Python directory: the root's own modules that may read it
                out.update((p, seed) for p in self.index.files if "/" not in p and self._may_read_root_data(p, seed))
            else:
                prefix = owner + "/"
                out.update((p, seed) for p in self.index.files if p.startswith(prefix))
        return out

    def explain(self, path: str) -> list[str]:
        """The import chain that makes ``path`` affected: ``[path, ..., changed file]``."""
        return Graph.chain(self.affected, path)

    def dynamic_imports(self, paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
        out = {}
        for path in paths:
            record = self.records.get(path)
            result = self.parse_result(record.digest) if record else None
            if result is not None and result.dynamic:
                out[path] = result.dynamic
        return out

    def to_snapshot(self, **fields: object) -> Snapshot:
        """A snapshot of the current records (as read at scan time), with the given pending
        sets and counts; the parse cache keeps old entries for branch switches."""
        current = {r.digest for r in self.records.values()}
        base = self._base_parsed
        stored = base.stored_keys() if isinstance(base, ParseTable) else iter(base)
        old = [k for k in stored if k not in current and k not in self._new_parsed]
        old += [k for k in self._new_parsed if k not in current]
        transient = {k for k, r in self._new_parsed.items() if r.error == CHANGED_WHILE_READ}
        parsed = _MergedParses(base, self._new_parsed, old[-PARSE_CACHE_EXTRA:] + sorted(current - {b""} - transient))
        records = {p: r for p, r in self.records.items() if p not in self.overlays}
        meta = dict(fields.pop("meta", {}) or {})  # type: ignore[call-overload]
        meta["engine_options"] = self.options.key()
        return Snapshot(files=records, parsed=parsed, deps=self.deps, meta=meta, **fields)  # type: ignore[arg-type]
