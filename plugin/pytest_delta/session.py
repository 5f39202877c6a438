"""The selection plugin: one object per ``--delta`` session.

State is read when the session starts, updated from collection and test reports, and written
once when the session finishes (like pytest's own cacheprovider and stepwise plugins). The
engine does the graph work; this module only translates between it and pytest.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .engine import (
    EngineOptions,
    Snapshot,
    SnapshotError,
    SnapshotWriteError,
    TrackRules,
    Workspace,
    load_snapshot,
    save_snapshot,
)
from .engine.environment import Environment, compare, current_environment, from_meta, to_meta
from .engine.files import iter_parents, matches_any
from .engine.gitdiff import GitError, changed_since
from .engine.graph import Graph
from .engine.precision import SymbolSelection
from .options import Settings
from .pending import CollectionFacts, Pending, file_of, merge_test_ids, next_pending
from .plugin import ALWAYS_MARKER
from .report import Reporter

#: How many changed files ``--delta-debug`` lists one by one.
MAX_LISTED = 50


class DeltaPlugin:
    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.root = settings.root
        self.is_worker = hasattr(config, "workerinput")
        self.report = Reporter(config, settings.debug, quiet=self.is_worker)
        self.baseline: Snapshot | None = None
        self.full_reason: str | None = None
        self.symbols: SymbolSelection | None = None
        self.environment: Environment | None = None
        self.previous_environment: Environment | None = None
        #: Why every test is selected this time (no snapshot, configuration changed), or None.
        self.run_all: str | None = None
        self.workspace: Workspace | None = None
        self.keep: set[str] = set()
        self.nothing_to_run = False
        self.facts: CollectionFacts | None = None
        self.worker_facts: list[CollectionFacts] = []
        self.ignored: set[str] = set()
        self.ignored_dirs: set[str] = set()
        self._kept_dirs: set[str] | None = None
        self.passed: set[str] = set()
        self.failed: set[str] = set()
        self.selected = 0
        self.deselected = 0
        self._collection_done = False
        self._rel_cache: dict[Path, str | None] = {}

    # -- start: compare the tree with the snapshot --------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_sessionstart(self, session: pytest.Session) -> Generator[None, None, None]:
        yield  # after the terminal's header, so our lines follow it
        self._analyze()

    def _analyze(self) -> None:
        self.report.debug("Plugin enabled")
        self.baseline = self._load_baseline()
        options = EngineOptions(
            extra_roots=self.settings.extra_roots,
            rules=TrackRules(exclude=self.settings.exclude, extra_patterns=self._doctest_globs(),
                             **self._file_kinds()),
            skip=(*self._snapshot_relpath(), *self._run_outputs()),
            doctest_modules=self._doctest_modules(),
            used_fixtures=tuple(self.config.getini("usefixtures") or ()),
        )
        self.workspace = Workspace(self.root, self.baseline, options)
        # With no snapshot every test runs and no graph is needed until the end: the cold parse
        # then runs in other processes alongside the tests.
        defer = self.baseline is None and self.settings.since is None
        changes = self.workspace.scan(defer_parse=defer)
        if defer and self.settings.save and not self.is_worker:
            self.workspace.start_deferred()
        self.environment = self._environment()
        if self.settings.since is not None:
            self._analyze_since(self.settings.since)
            return
        if self.baseline is None:
            self.run_all = self.full_reason
            self.report.debug(f"Running all tests: {self.full_reason}")
            return
        self.report.debug(f"Loaded delta: {len(self.baseline.files)} files tracked")
        self.report.debug(f"Changed: {len(changes.changed)}, New: {len(changes.added)}, "
                          f"Deleted: {len(changes.deleted)}")
        for path in sorted(changes.seeds)[:MAX_LISTED]:
            self.report.debug(f"  {changes.reason(path)}: {path}")
        if len(changes.seeds) > MAX_LISTED:
            self.report.debug(f"  ... and {len(changes.seeds) - MAX_LISTED} more")
        if changes.configuration:
            self.run_all = f"configuration changed ({', '.join(sorted(changes.configuration))})"
            self.report.debug(f"Running all tests: {self.run_all}")
        self._apply_environment_change()
        for path, calls in sorted(self.workspace.dynamic_imports(changes.seeds).items()):
            for call in calls:
                self.report.debug(f"  dynamic import not followed in {path}, {call}")
        baseline = self.baseline
        if self.settings.precision == "symbol" and self.run_all is None:
            self.symbols = self.workspace.symbol_selection()
            if self.symbols is not None:
                for path, why in sorted(self.symbols.escalations.items())[:MAX_LISTED]:
                    self.report.debug(f"  file-level: {path} ({why})")
        self.keep = set(self._affected_files()) | set(baseline.pending_files) | baseline.always_files
        self.keep.update(file_of(n) for n in baseline.pending_tests)
        if baseline.pending_tests or baseline.pending_files:
            self.report.debug(f"Pending from earlier runs: {len(baseline.pending_tests)} tests, "
                              f"{len(baseline.pending_files)} files")
        self.nothing_to_run = self.run_all is None and not (
            baseline.foreign_items or baseline.pending_tests or baseline.pending_files
            or baseline.always_files or self._candidates())

    def _file_kinds(self) -> dict[str, tuple[str, ...]]:
        kinds = {"config_patterns": self.settings.config_patterns, "data_suffixes": self.settings.data_suffixes}
        return {key: value for key, value in kinds.items() if value is not None}

    def _environment(self) -> Environment:
        meta = self.baseline.meta.get("environment") if self.baseline is not None else None
        self.previous_environment = from_meta(meta)
        return current_environment(self.previous_environment)

    def _apply_environment_change(self) -> None:
        """A different interpreter, or an installed distribution added, removed or upgraded."""
        assert self.workspace is not None
        if self.previous_environment is None or self.environment is None or self.run_all is not None:
            return
        change = compare(self.previous_environment, self.environment)
        if not change:
            return
        for line in (change.interpreter, *change.distributions):
            if line:
                self.report.debug(f"  environment: {line}")
        if change.runs_all:
            shown = ", ".join(change.distributions[:3])
            more = len(change.distributions) - 3
            if more > 0:
                shown += f" and {more} more"
            what = change.interpreter or f"installed packages changed ({shown})"
            self.run_all = what
            self.report.debug(f"Running all tests: {what}")
            return
        modules = change.modules or frozenset()
        reasons = {}
        for path in sorted(self.workspace.files_importing(modules)):
            result = self.workspace.parse_result(self.workspace.records[path].digest)
            used = sorted({r.module.partition(".")[0] for r in result.imports} & modules) if result else []
            module = used[0] if used else "?"
            reasons[path] = f"imports {module} ({change.sources.get(module, module)} changed)"
        for path, why in reasons.items():
            self.report.debug(f"  {why}: {path}")
        self.workspace.add_seeds(reasons)

    def _analyze_since(self, ref: str) -> None:
        """``--delta-since REF``: select from what git says changed, with the current graph."""
        assert self.workspace is not None
        try:
            changed = changed_since(self.root, ref)
        except GitError as exc:
            raise pytest.UsageError(f"--delta-since {ref}: {exc}") from None
        records = self.workspace.records
        seeds = {p for p in changed if p in records}
        gone = [p for p in changed if p not in records and p.endswith(".py")]
        if gone:
            if self.baseline is None:
                self.run_all = f"{gone[0]} was deleted and there is no snapshot to find its importers"
                return
            old_graph = Graph(self.baseline.deps)
            for path in gone:
                seeds.update(old_graph.dependents(path))
        self.report.debug(f"Changed since {ref}: {len(changed)} files")
        for path in sorted(changed)[:MAX_LISTED]:
            self.report.debug(f"  {path}")
        self.workspace.use_seeds(seeds & records.keys())
        self.keep = set(self.workspace.affected)
        self.nothing_to_run = self.run_all is None and not self._candidates()

    def _load_baseline(self) -> Snapshot | None:
        path = self.settings.snapshot_path
        if self.settings.rebuild:
            self.full_reason = "--delta-rebuild given"
            return None
        try:
            baseline = load_snapshot(path)
        except SnapshotError as exc:
            self.full_reason = f"snapshot {self._show(path)} unusable ({exc})"
            self.report.warn(f"ignoring {self._show(path)}: {exc}; running all tests")
            return None
        if baseline is None:
            self.full_reason = f"no snapshot at {self._show(path)}"
        return baseline

    def _show(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _snapshot_relpath(self) -> tuple[str, ...]:
        try:
            return (self.settings.snapshot_path.relative_to(self.root).as_posix(),)
        except ValueError:
            return ()

    def _run_outputs(self) -> tuple[str, ...]:
        """Reports this run writes inside the rootdir (``--junitxml``, ``--html``, ``--report-log``,
        pytest-cov's): never inputs of a test, and rewritten by every run."""
        option = self.config.option
        paths: list[str] = [getattr(option, name, None) or "" for name in ("xmlpath", "htmlpath", "report_log")]
        cov_reports = getattr(option, "cov_report", None)
        if isinstance(cov_reports, dict):
            defaults = {"xml": "coverage.xml", "html": "htmlcov", "json": "coverage.json", "lcov": "coverage.lcov"}
            paths.extend(str(target or defaults.get(kind, "")) for kind, target in cov_reports.items())
        base = self.config.invocation_params.dir
        out = []
        for path in filter(None, paths):
            try:
                out.append((base / path).resolve().relative_to(self.root.resolve()).as_posix())
            except (OSError, ValueError):
                continue  # outside the rootdir: never tracked anyway
        return tuple(out)

    def _doctest_modules(self) -> bool:
        """Whether this run collects docstring examples of Python modules."""
        plugins = self.config.pluginmanager
        return bool(self.config.getoption("doctestmodules", False)) or any(
            plugins.hasplugin(name) for name in ("pytest_doctestplus", "xdoctest", "sybil"))

    def _doctest_globs(self) -> tuple[str, ...]:
        if not self.config.pluginmanager.hasplugin("doctest"):
            return ()
        return tuple(self.config.getoption("doctestglob", None) or ["test*.txt"])

    def _may_hold_tests(self, path: str) -> bool:
        if self.baseline is not None and (self.baseline.foreign_items or self.baseline.test_ids.get(path)):
            return True
        if self.config.getoption("doctestmodules", False):
            return True
        return matches_any(path, self.config.getini("python_files") or ["test_*.py", "*_test.py"]) or \
            matches_any(path, self._doctest_globs())

    def _affected_files(self) -> Iterable[str]:
        """Files with at least one affected test (with symbol precision, not all that import a change)."""
        assert self.workspace is not None
        if self.run_all is not None:
            return self.workspace.records
        if self.symbols is None:
            return self.workspace.affected
        return self.symbols.whole_files.keys() | self.symbols.units.keys() | self.symbols.bound_files

    def _candidates(self) -> list[str]:
        return [p for p in self._affected_files() if self._may_hold_tests(p)]

    def _unit_of(self, item: pytest.Item, rel: str) -> str | None:
        """The symbol unit that defines a test function, or None when it is not one of the file's
        own top-level functions or methods (inherited, generated, nested: then the file decides)."""
        name = getattr(item, "originalname", None)
        if not isinstance(item, pytest.Function) or not isinstance(name, str):
            return None
        cls = getattr(item, "cls", None)
        if cls is not None and "." in getattr(cls, "__qualname__", "."):
            return None
        unit = name if cls is None else f"{cls.__name__}.{name}"
        assert self.workspace is not None
        table = self.workspace.symbols_of(rel)
        return unit if table is not None and table.unit(unit) is not None else None

    # -- collection ----------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> object:
        if not self.nothing_to_run or self.baseline is None:
            return None
        # Nothing can have changed for any test: skip collection (and the imports it costs).
        session.items = []
        session.testscollected = 0
        uncollected = self._uncollected(self.baseline.test_ids)
        total = len(uncollected)
        self.deselected = total
        if uncollected:
            self._count_as_collected(uncollected)
            session.config.hook.pytest_deselected(items=uncollected)
        self.report.debug("Affected test files: 0")
        self.report.debug(f"Selected: 0, Deselected: {total}")
        # Hooks that wait for the end of collection (xdist workers report it to the controller).
        session.config.hook.pytest_collection_finish(session=session)
        return True

    def pytest_ignore_collect(self, collection_path: Path, config: pytest.Config) -> bool | None:
        if self.run_all is not None or collection_path.name in ("conftest.py", "__init__.py"):
            return None
        rel = self._relpath(collection_path)
        if rel is None or self.workspace is None:
            return None
        if rel not in self.workspace.records:
            foreign = self.baseline is None or self.baseline.foreign_items
            if rel and not foreign and rel not in self._keep_dirs() and collection_path.is_dir():
                # No test it holds can run: skip it whole, its conftest files included.
                self.ignored_dirs.add(rel)
                return True
            return None
        if rel in self.keep:
            return None
        self.ignored.add(rel)
        return True

    def _was_ignored(self, path: str) -> bool:
        return path in self.ignored or any(parent in self.ignored_dirs for parent in iter_parents(path))

    def _keep_dirs(self) -> set[str]:
        if self._kept_dirs is None:
            self._kept_dirs = {parent for path in self.keep for parent in iter_parents(path)}
        return self._kept_dirs

    def _relpath(self, path: Path) -> str | None:
        if path in self._rel_cache:
            return self._rel_cache[path]
        try:
            rel: str | None = Path(os.path.relpath(path, self.root)).as_posix()
        except ValueError:
            rel = None
        if rel is not None and (rel.startswith("../") or rel == ".."):
            rel = None
        self._rel_cache[path] = rel
        return rel

    def _count_as_collected(self, uncollected: list[UncollectedTest]) -> None:
        """The terminal's header says "collected N / D deselected / N-D selected": tests delta
        did not import must count as collected too, or the header shows a negative number."""
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and isinstance(getattr(reporter, "_numcollected", None), int):
            reporter._numcollected += len(uncollected)

    def _uncollected(self, test_ids: Mapping[str, tuple[str, ...]]) -> list[UncollectedTest]:
        out: list[UncollectedTest] = []
        for path, ids in sorted(test_ids.items()):
            where = self.root / path  # one path a file: a no-change run builds one per test of the suite
            out.extend(UncollectedTest(nodeid, where) for nodeid in ids)
        return out

    def _narrowed_files(self) -> set[str]:
        out = set()
        for arg in self.config.args:
            if "::" in arg:
                rel = self._relpath(Path(self.config.invocation_params.dir, arg.split("::", 1)[0]).resolve())
                if rel is not None:
                    out.add(rel)
        return out

    def _whole_suite_requested(self) -> bool:
        if self.config.getoption("lf", False) or self.config.getoption("stepwise", False):
            return False
        if self.config.getoption("ignore", None) or self.config.getoption("ignore_glob", None):
            return False  # ``--ignore`` leaves files uncollected that may hold tests
        root = self.root.resolve()
        source = getattr(self.config, "args_source", None)
        if source is not None and source.name in ("INVOCATION_DIR", "INCOVATION_DIR"):  # pytest 7's spelling
            # No arguments: pytest collects the directory it was started in, maybe below the rootdir.
            return Path(self.config.invocation_params.dir).resolve() == root
        if source is not None and source.name != "ARGS":
            return True
        for arg in self.config.args:
            if "::" in arg or Path(self.config.invocation_params.dir, arg).resolve() != root:
                return False
        return True

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if not report.nodeid and report.failed:
            self._facts().errored.add("")  # the session's own collection failed (pytest 7: a conftest)
        if "::" in report.nodeid or not report.nodeid:
            return
        facts = self._facts()
        rel = report.nodeid
        if report.failed:
            facts.errored.add(rel)
        elif (report.passed and rel.endswith(".py")) or (self.workspace and rel in self.workspace.records):
            facts.collected.add(rel)

    def _facts(self) -> CollectionFacts:
        if self.facts is None:
            self.facts = CollectionFacts()
        return self.facts

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config,
                                      items: list[pytest.Item]) -> Generator[None, None, None]:
        # Before every other plugin's filtering (-k, -m, --deselect, --lf, pytest-split): what
        # delta selects must be seen whole, or a test they drop would look validated.
        self._select_items(config, items)
        yield

    def _select_items(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        assert self.workspace is not None
        facts = self._facts()
        records = self.workspace.records
        affected = self.workspace.affected
        baseline = self.baseline
        selected: list[pytest.Item] = []
        deselected: list[pytest.Item] = []
        by_file: dict[str, list[str]] = {}
        reasons: dict[str, str] = {}
        for item in items:
            rel = self._relpath(item.path)
            always = item.get_closest_marker(ALWAYS_MARKER) is not None
            if rel is not None:
                by_file.setdefault(rel, []).append(item.nodeid)
                if always:
                    facts.always.add(rel)
            tracked = rel is not None and rel in records
            if not tracked:
                facts.foreign = True
            if self.run_all is not None:
                keep, why = True, "all"
            elif not tracked:
                keep, why = True, "not a tracked file"
            elif rel is not None and rel in affected and (
                    self.symbols is None or self.symbols.selects(rel, self._unit_of(item, rel))):
                keep, why = True, "affected"
            elif self.settings.since is None and baseline is not None and (
                    item.nodeid in baseline.pending_tests or rel in baseline.pending_files):
                keep, why = True, "pending"
            elif always:
                keep, why = True, ALWAYS_MARKER
            else:
                keep = False
            if keep:
                selected.append(item)
                facts.should_run.add(item.nodeid)
                if rel is not None:
                    reasons.setdefault(rel, why)
            else:
                deselected.append(item)
        facts.collected -= self._narrowed_files()
        if config.getoption("lf", False):
            # --lf filters modules' items as they are collected: no file is seen whole.
            facts.collected.clear()
        facts.ids.update({p: ids for p, ids in by_file.items() if p in facts.collected})
        self.selected = len(selected)
        uncollected = self._uncollected({p: ids for p, ids in baseline.test_ids.items() if self._was_ignored(p)}
                                        if baseline else {})
        self.deselected = len(deselected) + len(uncollected)
        if deselected or uncollected:
            self._count_as_collected(uncollected)
            config.hook.pytest_deselected(items=[*deselected, *uncollected])
            items[:] = selected
        if self.run_all is None:
            affected_files = sorted(p for p, why in reasons.items() if why == "affected")
            self.report.debug(f"Affected test files: {len(affected_files)}")
            for path in affected_files:
                chain = self.workspace.explain(path)
                self.report.debug(path)
                if len(chain) > 1:
                    self.report.debug(f"  via {' <- '.join(chain[1:])}")
            for path, why in sorted(reasons.items()):
                if why != "affected":
                    self.report.debug(f"{path} ({why})")
        self.report.debug(f"Selected: {self.selected}, Deselected: {self.deselected}")
        if self.settings.explain:
            for item in selected:
                self.report.explain(f"{item.nodeid} <- {self._reason_chain(item)}")

    def _reason_chain(self, item: pytest.Item) -> str:
        """The shortest reason ``item`` was selected, from the test back to the change."""
        assert self.workspace is not None
        rel = self._relpath(item.path)
        baseline = self.baseline
        if self.run_all is not None:
            return self.run_all
        if rel is None or rel not in self.workspace.records:
            return "not a tracked file: always selected"
        if rel in self.workspace.affected:
            changes = self.workspace.changes
            unit = self._unit_of(item, rel)
            symbols = self.symbols
            if symbols is not None and unit is not None and rel not in symbols.whole_files:
                chain = symbols.explain(rel, unit)
                return " <- ".join(chain[1:]) or chain[0]
            files = self.workspace.explain(rel)
            if symbols is not None and rel in symbols.whole_files:
                files = Graph.chain(symbols.whole_files, rel)
            last = files[-1]
            why = symbols.escalations.get(last) if symbols is not None else None
            steps = [*files[1:-1], f"{last} ({why or changes.reason(last)})"] if len(files) > 1 else [
                f"{last} ({why or changes.reason(last)})"]
            return " <- ".join(steps)
        if baseline is not None and (item.nodeid in baseline.pending_tests or rel in baseline.pending_files):
            return "pending: failed or not run since its inputs changed"
        return f"marked {ALWAYS_MARKER}"

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._facts().complete = self._whole_suite_requested() and not session.shouldstop

    def pytest_report_collectionfinish(self, config: pytest.Config) -> str | None:
        if self.is_worker:
            return None
        total = self.selected + self.deselected
        if self.run_all is not None:
            return f"delta: {self.run_all}; running all {total} tests"
        if self.nothing_to_run:
            return f"delta: no changes affect any test; 0 of {total} tests selected, nothing collected"
        assert self.workspace is not None
        count = len(self.workspace.seeds)
        what = f"{count} changed" if count else "no changes"
        if self.settings.since is not None:
            what = f"{count} changed since {self.settings.since}"
        return f"delta: {what}, {self.selected} of {total} tests selected"

    # -- outcomes ------------------------------------------------------------------------------

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed.add(report.nodeid)
        elif (report.when == "call" or (report.when == "setup" and report.skipped)):
            self.passed.add(report.nodeid)

    # -- end: remember what is still pending ---------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        selective = self.baseline is not None or self.settings.since is not None
        if session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and selective and self.run_all is None:
            session.exitstatus = pytest.ExitCode.OK
        if self.is_worker:
            workeroutput: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
            workeroutput["delta"] = self._facts().to_wire()
            return
        if self.workspace is None:
            return
        if not self.settings.save or self.settings.since is not None:
            self.workspace.cancel_deferred()
            return
        if session.exitstatus == pytest.ExitCode.INTERRUPTED and self.baseline is None:
            # Waiting for the first graph would hold up a Ctrl-C; without a snapshot the next
            # run runs everything again, which loses nothing.
            self.workspace.cancel_deferred()
            self.report.warn("snapshot not saved: interrupted before the first import graph was built",
                             at_end=True)
            return
        self.workspace.finish_deferred()
        self._save()

    def _merged_facts(self) -> CollectionFacts | None:
        if self.facts is not None or not self.worker_facts:
            return self.facts
        merged = CollectionFacts(complete=all(f.complete for f in self.worker_facts))
        for facts in self.worker_facts:
            merged.should_run |= facts.should_run
            merged.collected |= facts.collected
            merged.errored |= facts.errored
            merged.ids.update(facts.ids)
            merged.always |= facts.always
            merged.foreign = merged.foreign or facts.foreign
        return merged

    def _save(self) -> None:
        assert self.workspace is not None
        workspace = self.workspace
        baseline = self.baseline
        facts = self._merged_facts()
        if self.nothing_to_run and facts is None:
            facts = CollectionFacts()
        records = workspace.records

        def exists(path: str) -> bool:
            return path in records

        previous = Pending(baseline.pending_tests, baseline.pending_files) if baseline else Pending(
            frozenset(), frozenset())
        passed = self.passed - self.failed
        pending = next_pending(previous=previous, candidates=self._candidates(), facts=facts,
                               passed=passed, exists=exists)
        old_always = baseline.always_files if baseline else frozenset()
        collected = facts.collected if facts else set()
        always = {p for p in old_always if exists(p) and p not in collected}
        if facts:
            always |= facts.always
        foreign = (baseline.foreign_items if baseline else False) or bool(facts and facts.foreign)
        if facts and facts.complete:
            foreign = facts.foreign
        if baseline is not None and self.nothing_to_run and not workspace.changes \
                and self.environment is self.previous_environment \
                and pending.tests == baseline.pending_tests and pending.files == baseline.pending_files \
                and len(records) == len(baseline.files) \
                and all(baseline.files.get(p) is r for p, r in records.items()):
            return  # nothing new to remember: leave the file (and its mtime) alone
        snapshot = workspace.to_snapshot(
            pending_tests=pending.tests,
            pending_files=pending.files,
            always_files=frozenset(always),
            test_ids=merge_test_ids(baseline.test_ids if baseline else {}, facts, exists),
            foreign_items=foreign,
            meta={"environment": to_meta(self.environment)} if self.environment is not None else {},
        )
        try:
            save_snapshot(self.settings.snapshot_path, snapshot,
                          based_on=baseline.written_ns if baseline else None)
        except SnapshotWriteError as exc:
            self.report.warn(f"snapshot not saved: {exc}", at_end=True)
            return
        if pending.tests or pending.files:
            self.report.debug(f"Still pending: {len(pending.tests)} tests, {len(pending.files)} files", at_end=True)
        self.report.debug(f"Saved {self._show(self.settings.snapshot_path)}: {len(records)} files", at_end=True)

    def pytest_terminal_summary(self) -> None:
        self.report.flush()


@dataclass(frozen=True)
class UncollectedTest:
    """A test of a file that delta did not import, because nothing it depends on changed.

    Handed to ``pytest_deselected`` so that the summary counts it as deselected; it has the
    node id and path of the test as last collected, and nothing that could run.
    """

    nodeid: str
    path: Path


class XdistHooks:
    """Controller-side hooks for pytest-xdist: workers report what they collected."""

    def __init__(self, plugin: DeltaPlugin) -> None:
        self.plugin = plugin

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        data = getattr(node, "workeroutput", {}).get("delta")
        if isinstance(data, dict):
            self.plugin.worker_facts.append(CollectionFacts.from_wire(data))
