"""The engine's :class:`Workspace` of one project, and what the server asks of it.

Everything here runs on the engine thread (:mod:`.worker`), one call at a time: the
workspace is not thread-safe, and a queue is simpler than locks. What the rest of the server
sees is the immutable :class:`~.selection.View` each call publishes.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pytest_delta.engine import (
    EngineOptions,
    Snapshot,
    SnapshotError,
    TrackRules,
    Workspace,
    load_snapshot,
)
from pytest_delta.engine.files import is_tracked
from pytest_delta.engine.precision import SymbolSelection

from .pytestini import PytestIni
from .selection import Selected, View, candidate_files, selected_tests
from .settings import DEFAULT_PRECISION
from .testfiles import TestFile, find_tests

logger = logging.getLogger(__name__)

#: Doctest text files are tracked by the plugin under pytest's default ``--doctest-glob``.
_DEFAULT_EXTRA_PATTERNS = ("test*.txt",)
#: Parsed test files kept by (path, digest).
_TEST_CACHE_MAX = 4000

Stamp = tuple[int, int, int] | None
ProgressCallback = Callable[[int, int], None]


def _stamp(path: Path) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def options_for(baseline: Snapshot | None, skip: tuple[str, ...], ini: PytestIni) -> EngineOptions:
    """The engine options the last ``pytest --delta`` run used, so that both sides track the
    same files and resolve imports the same way: roots, excludes and item patterns as the
    snapshot recorded them, configuration and data file rules from the ini file.

    Parsing stays in this process (``workers=1``): the engine's pool forks, and forking a
    process that runs threads can deadlock the child.
    """
    key: Any = baseline.meta.get("engine_options") if baseline is not None else None
    roots: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    patterns: tuple[str, ...] = _DEFAULT_EXTRA_PATTERNS
    if (isinstance(key, list) and len(key) >= 3 and all(isinstance(part, list) for part in key[:3])
            and all(isinstance(v, str) for part in key[:3] for v in part)):
        roots, exclude, patterns = (tuple(part) for part in key[:3])
    defaults = TrackRules()
    rules = TrackRules(exclude=exclude, extra_patterns=patterns,
                       config_patterns=(*defaults.config_patterns, *ini.global_files),
                       data_suffixes=defaults.data_suffixes if ini.data_suffixes is None else ini.data_suffixes)
    return EngineOptions(roots, rules, skip, workers=1, doctest_modules=ini.doctest_modules,
                         used_fixtures=ini.used_fixtures)


@dataclass(frozen=True)
class LoadReport:
    files: int
    #: Why the snapshot could not be used (None: loaded, or there is none).
    snapshot_problem: str | None


class Project:
    def __init__(self, root: Path, snapshot_path: Path, ini: PytestIni) -> None:
        self.root = root
        self.snapshot_path = snapshot_path
        self.ini = ini
        self.workspace: Workspace | None = None
        #: Unsaved buffers by path: kept here so that a reloaded baseline keeps them.
        self.overlays: dict[str, bytes] = {}
        self.snapshot_stamp: Stamp = None
        self.lastfailed_stamp: Stamp = None
        self.lastfailed: frozenset[str] = frozenset()
        #: Outcomes of the server's last run (pytest's cache keeps older failures): node id -> failed.
        self.outcomes: dict[str, bool] = {}
        self.generation = 0
        self.snapshot_problem: str | None = None
        self._tests: dict[tuple[str, bytes], TestFile] = {}
        #: ``"symbol"`` or ``"file"``: as ``pytest --delta --delta-precision``.
        self.precision = DEFAULT_PRECISION

    # -- loading ----------------------------------------------------------------------------

    @property
    def snapshot_label(self) -> str:
        try:
            return self.snapshot_path.relative_to(self.root).as_posix()
        except ValueError:
            return str(self.snapshot_path)

    def _skip(self) -> tuple[str, ...]:
        try:
            return (self.snapshot_path.relative_to(self.root).as_posix(),)
        except ValueError:
            return ()

    def load(self, progress: ProgressCallback | None = None, fresh: bool = False) -> LoadReport:
        """(Re)build the workspace from the snapshot on disk and scan the tree; ``fresh``
        also forgets the parsed test files."""
        if fresh:
            self._tests.clear()
        self.snapshot_stamp = _stamp(self.snapshot_path)
        problem = None
        try:
            baseline = load_snapshot(self.snapshot_path)
        except SnapshotError as exc:
            baseline, problem = None, str(exc)
        self.snapshot_problem = problem
        options = options_for(baseline, self._skip(), self.ini)
        workspace = Workspace(self.root, baseline, options)
        workspace.overlays.update({p: data for p, data in self.overlays.items()
                                   if is_tracked(self.root, p, options.rules, options.skip)})
        workspace.scan(progress)
        self.workspace = workspace
        self._read_lastfailed()
        self.generation += 1
        return LoadReport(len(workspace.records), problem)

    def _read_lastfailed(self) -> None:
        path = self.root / ".pytest_cache" / "v" / "cache" / "lastfailed"
        self.lastfailed_stamp = _stamp(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.lastfailed = frozenset(k for k in data if isinstance(k, str)) if isinstance(data, dict) else frozenset()

    def snapshot_changed(self) -> bool:
        return _stamp(self.snapshot_path) != self.snapshot_stamp

    def refresh_lastfailed(self) -> bool:
        path = self.root / ".pytest_cache" / "v" / "cache" / "lastfailed"
        if _stamp(path) == self.lastfailed_stamp:
            return False
        self._read_lastfailed()
        return True

    # -- following changes ----------------------------------------------------------------------

    def _ws(self) -> Workspace:
        if self.workspace is None:
            raise RuntimeError("the project is not indexed yet")
        return self.workspace

    def set_buffer(self, path: str, content: bytes | None) -> None:
        """An open buffer's text (None: closed or saved, the disk is the truth again)."""
        ws = self.workspace
        if ws is None:  # not loaded yet: :meth:`load` applies the overlays
            if content is None:
                self.overlays.pop(path, None)
            else:
                self.overlays[path] = content
            return
        if content is None:
            if self.overlays.pop(path, None) is not None or path in ws.overlays:
                ws.update(path, None)
            return
        if self.overlays.get(path) == content:
            return
        ws.update(path, content)  # the engine ignores files its walk would not track
        if path in ws.overlays:
            self.overlays[path] = content

    def rescan(self) -> None:
        if self.workspace is not None:
            self.workspace.scan()

    def record_outcomes(self, outcomes: Mapping[str, bool]) -> None:
        self.outcomes = dict(outcomes)

    # -- answers ----------------------------------------------------------------------------------

    def _symbols(self) -> SymbolSelection | None:
        ws = self._ws()
        if self.precision != "symbol" or ws.baseline is None:
            return None
        try:
            return ws.symbol_selection()
        except Exception:  # file level is the safe superset; keep the lenses alive
            logger.exception("symbol selection failed; showing file-level selection")
            return None

    def _units_defined(self, view: View) -> dict[str, frozenset[str]]:
        """What the plugin's ``_unit_of`` checks against: the units each collected, affected
        test file's symbol table defines (files affected whole need none)."""
        ws = self._ws()
        symbols = view.symbols
        assert symbols is not None
        out = {}
        for path in view.collected_files:
            if path in view.affected and path not in symbols.whole_files and self.ini.rules.is_test_file(path):
                table = ws.symbols_of(path)
                out[path] = frozenset(u.name for u in table.units) if table is not None else frozenset()
        return out

    def view(self) -> View:
        ws = self._ws()
        baseline = ws.baseline
        failed = {n for n in self.lastfailed if self.outcomes.get(n, True)}
        failed.update(n for n, bad in self.outcomes.items() if bad)
        view = View(
            generation=self.generation,
            ready=True,
            has_baseline=baseline is not None,
            affected=ws.affected,
            changes=ws.changes,
            tracked=ws.records,
            pending_tests=baseline.pending_tests if baseline else frozenset(),
            pending_files=baseline.pending_files if baseline else frozenset(),
            always_files=baseline.always_files if baseline else frozenset(),
            failed=frozenset(failed),
            passed=frozenset(n for n, bad in self.outcomes.items() if not bad),
            baseline_note=(f"snapshot {self.snapshot_label} unusable" if self.snapshot_problem
                           else f"no snapshot {self.snapshot_label} yet"),
            symbols=self._symbols(),
            graph=ws.graph,
        )
        if view.symbols is None:
            return view
        return replace(view, units_defined=self._units_defined(view))

    def source(self, path: str) -> bytes | None:
        if path in self.overlays:
            return self.overlays[path]
        try:
            with open(self.root / path, "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def test_file(self, path: str) -> TestFile:
        """The tests of ``path`` as the engine sees it now (buffer or disk), cached by digest."""
        record = self._ws().records.get(path)
        key = (path, record.digest) if record is not None and record.digest else None
        if key is not None and key in self._tests:
            return self._tests[key]
        data = self.source(path)
        rules = self.ini.rules
        result = find_tests(path, data, rules) if data is not None else TestFile(path, error="cannot be read")
        if key is not None:
            if len(self._tests) >= _TEST_CACHE_MAX:
                self._tests.clear()
            self._tests[key] = result
        return result

    def test_files(self) -> dict[str, None]:
        return {p: None for p in self._ws().records if self.ini.rules.is_test_file(p)}

    def selected(self, view: View, only: str | None = None) -> list[Selected]:
        files = self.test_files()
        paths = candidate_files(view, files)
        if only is not None:
            paths = [p for p in paths if p == only]
        out: list[Selected] = []
        for path in paths:
            out.extend(selected_tests(view, self.test_file(path)))
        return out
