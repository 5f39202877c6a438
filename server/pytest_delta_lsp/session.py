"""One editor session: the project, the settings, the buffers, the run in flight.

Threads: every protocol message is handled and sent on the event loop; every engine call runs
on the engine thread (:class:`~.worker.EngineThread`) and hands back an immutable
:class:`~.selection.View`, which the loop publishes. Requests read the latest view, so they
answer at once even while a large tree is being indexed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import to_fs_path

from . import lenses
from .convert import RootPaths, encoding_name, range_json, to_range
from .junit import TestOutcome
from .project import Project
from .pytestini import PytestIni, read_pytest_ini
from .runner import PytestRun, ReportDir, RunError, RunResult, build_argv, default_interpreter
from .selection import View, file_statuses, selected_tests
from .settings import KNOWN_KEYS, SECTION, Settings, merge_settings, resolve_precision
from .testfiles import TestFile, find_tests, strip_params
from .worker import EngineThread

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

T = TypeVar("T")
logger = logging.getLogger(__name__)

DEFAULT_SNAPSHOT = ".delta.msgpack"
SOURCE = "pytest-delta"
#: Lines of pytest output sent to the client's log at once.
LOG_BATCH_LINES = 200


@dataclass(frozen=True)
class RunSummary:
    """What ``pytestDelta.runAffected``/``runTest`` answer."""

    status: str  # passed | failed | cancelled | refused | error
    exit_code: int | None = None
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "exitCode": self.exit_code, "passed": self.passed,
                               "failed": self.failed, "errors": self.errors, "skipped": self.skipped}
        if self.message:
            out["message"] = self.message
        return out


def _field(params: Any, name: str) -> Any:
    if params is None:
        return None
    if isinstance(params, dict):
        return params.get(name)
    return getattr(params, name, None)


class Session:
    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.settings = Settings()
        self.engine = EngineThread()
        self.view = View()
        self.root: Path | None = None
        self.paths: RootPaths | None = None
        self.project: Project | None = None
        self.ini = PytestIni()
        self.watching = False
        self.shutting_down = False
        self.run: PytestRun | None = None
        self.index_status = "indexing…"
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._diagnostics: dict[str, dict[str, types.Diagnostic]] = {}
        self._last_good: dict[str, TestFile] = {}
        self._poll_task: asyncio.Task[None] | None = None
        self._refresh_task: asyncio.Task[None] | None = None
        self._want_scan = False
        self._want_reload = False
        self._background: set[asyncio.Task[Any]] = set()
        self._log_lines: list[str] = []
        self._init_problems: list[str] = []
        self._progress_token: str | None = None
        self._commands: set[asyncio.Task[Any]] = set()

    # -- helpers ------------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        return encoding_name(self.server.workspace.position_encoding)

    def show(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        self.server.window_show_message(types.ShowMessageParams(type=kind, message=f"pytest-delta: {message}"))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.server.window_log_message(types.LogMessageParams(type=kind, message=message))

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None and not self.shutting_down:
            logger.error("background task failed", exc_info=exc)
            self.log(f"internal error: {type(exc).__name__}: {exc}", types.MessageType.Error)

    async def _engine(self, fn: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self.engine.submit(fn))

    def _capability(self, *path: str) -> Any:
        node: Any = self.server.client_capabilities
        for name in path:
            node = getattr(node, name, None)
            if node is None:
                return None
        return node

    # -- lifecycle ----------------------------------------------------------------------------

    def initialize(self, params: types.InitializeParams) -> None:
        folders = params.workspace_folders or []
        uri = folders[0].uri if folders else params.root_uri
        if uri is None and params.root_path:
            self.root = Path(params.root_path)
        elif uri is not None and uri.startswith("file:"):
            fs_path = to_fs_path(uri)
            self.root = Path(fs_path) if fs_path else None
        if self.root is not None:
            self.paths = RootPaths(self.root)
            self.ini = read_pytest_ini(self.root)
        self.settings, self._init_problems = merge_settings(self.settings, params.initialization_options)

    def initialized(self) -> None:
        for problem in self._init_problems:
            self.show(problem)
        if self.ini.problem:
            self.show(f"{self.ini.problem}; using pytest's default collection rules")
        self._show_precision_problem()
        if self.root is None:
            self.show("no workspace folder: open a folder to see affected tests", types.MessageType.Info)
            return
        self.project = Project(self.root, self._snapshot_path(), self.ini)
        self._start_index("Indexing")
        self._spawn(self._register_watchers())
        self._restart_poll()

    @property
    def precision(self) -> str:
        """What the lenses follow: ``pytest --delta``'s precision for this project."""
        return resolve_precision(self.settings.precision, self.ini.precision)[0]

    def _show_precision_problem(self) -> None:
        source = self.ini.source.name if self.ini.source is not None else "the ini file"
        problem = resolve_precision(self.settings.precision, self.ini.precision, source)[1]
        if problem:
            self.show(problem)

    def _snapshot_path(self) -> Path:
        assert self.root is not None
        raw = self.settings.delta_file or self.ini.delta_file or DEFAULT_SNAPSHOT
        path = Path(raw).expanduser()
        return path if path.is_absolute() else self.root / path

    async def shutdown(self) -> None:
        self.shutting_down = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for task in (self._poll_task, self._refresh_task):
            if task is not None:
                task.cancel()
        run = self.run
        if run is not None:
            run.kill()
            if run.process is not None:
                with contextlib.suppress(asyncio.TimeoutError, ProcessLookupError):
                    await asyncio.wait_for(run.process.wait(), 5)
        # Let commands in flight answer before pygls cancels what is left: it cancels them
        # while iterating over its table of requests, which their answers change.
        if self._commands:
            await asyncio.wait(list(self._commands), timeout=5)
        for _ in range(5):
            await asyncio.sleep(0)
        self.engine.stop()

    def close(self) -> None:
        """Last words before the process exits (however it exits): no pytest left behind."""
        if self.run is not None:
            self.run.kill()
        self.engine.stop()

    # -- indexing and publishing --------------------------------------------------------------

    async def _progress_begin(self, title: str, message: str, cancellable: bool = False) -> str | None:
        if not self._capability("window", "work_done_progress"):
            return None
        token = f"pytest-delta-{uuid.uuid4()}"
        try:
            await self.server.work_done_progress.create_async(token)
        except Exception as exc:  # the client refused: go on without progress
            logger.info("no progress: %s", exc)
            return None
        self.server.work_done_progress.begin(token, types.WorkDoneProgressBegin(
            title=title, message=message, cancellable=cancellable, percentage=0))
        return token

    def _progress_report(self, token: str | None, message: str, percentage: int | None = None) -> None:
        if token is not None and not self.shutting_down:
            self.server.work_done_progress.report(token, types.WorkDoneProgressReport(
                message=message, percentage=percentage))

    def _progress_end(self, token: str | None, message: str) -> None:
        if token is not None and not self.shutting_down:
            self.server.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    def _start_index(self, title: str) -> asyncio.Task[None]:
        """Queue a full load now (before any buffer update the editor sends next), and follow
        it with work-done progress."""
        project = self.project
        assert project is not None
        self.view = View(generation=self.view.generation)
        self.index_status = "indexing…"
        loop = asyncio.get_running_loop()
        token: list[str | None] = [None]
        ini = self.ini
        precision = self.precision

        def on_progress(done: int, total: int) -> None:
            message = f"Indexing {done:,}/{total:,} files"
            percentage = int(done * 100 / total) if total else 100

            def report() -> None:
                self.index_status = f"indexing {done:,}/{total:,} files…"
                self._progress_report(token[0], message, percentage)

            loop.call_soon_threadsafe(report)

        def load() -> tuple[Any, View]:
            project.ini = ini
            project.precision = precision
            report = project.load(on_progress, fresh=True)
            return report, project.view()

        future = self.engine.submit(load)
        return self._spawn(self._follow_index(title, future, token))

    async def _follow_index(self, title: str, future: Future[tuple[Any, View]], token: list[str | None]) -> None:
        project = self.project
        assert project is not None
        token[0] = await self._progress_begin(f"pytest-delta: {title}", "Indexing files…")
        try:
            report, view = await asyncio.wrap_future(future)
        except Exception as exc:
            self._progress_end(token[0], "failed")
            self.show(f"indexing failed: {exc}", types.MessageType.Error)
            raise
        self._progress_end(token[0], f"{report.files:,} files indexed")
        if report.snapshot_problem:
            self.show(f"snapshot {project.snapshot_label} cannot be used ({report.snapshot_problem}); "
                      "pytest --delta will run every test and write a new one")
        if report.files == 0:
            self.log(f"pytest-delta: no Python files under {project.root}")
        self._publish(view, force=True)

    def _publish(self, view: View, force: bool = False) -> None:
        old = self.view
        self.view = view
        if not force and old.ready and _same_selection(old, view):
            return
        self._spawn(self._refresh_lenses())

    async def _refresh_lenses(self) -> None:
        if self.shutting_down or not self._capability("workspace", "code_lens", "refresh_support"):
            return
        try:
            await self.server.workspace_code_lens_refresh_async(None)
        except Exception as exc:  # a client may refuse; lenses then refresh on its own schedule
            logger.info("code lens refresh failed: %s", exc)

    async def _update(self, fn: Callable[[Project], object]) -> None:
        project = self.project
        if project is None or self.shutting_down:
            return

        def job() -> View:
            fn(project)
            return project.view()

        self._publish(await self._engine(job))

    # -- following the editor and the disk ---------------------------------------------------------

    async def _register_watchers(self) -> None:
        if not self._capability("workspace", "did_change_watched_files", "dynamic_registration"):
            return
        project = self.project
        assert project is not None
        watchers = [types.FileSystemWatcher(glob_pattern="**/*.py"),
                    types.FileSystemWatcher(glob_pattern="**/.pytest_cache/v/cache/lastfailed")]
        label = project.snapshot_label
        watchers.append(types.FileSystemWatcher(glob_pattern=label if os.path.isabs(label) else f"**/{label}"))
        try:
            await self.server.client_register_capability_async(types.RegistrationParams(registrations=[
                types.Registration(id=f"pytest-delta-watch-{uuid.uuid4()}",
                                   method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                   register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                       watchers=watchers))]))
        except Exception as exc:
            logger.info("watched files not registered: %s", exc)
            return
        self.watching = True

    def _restart_poll(self) -> None:
        if self._poll_task is not None:
            self._poll_task.cancel()
            self._poll_task = None
        if self.settings.rescan_interval_ms > 0 and self.project is not None and not self.shutting_down:
            self._poll_task = self._spawn(self._poll())

    async def _poll(self) -> None:
        """The cheap rescan: stat data only, so files changed by git or other programs show up
        in clients that do not watch files (and a snapshot written by a terminal run)."""
        while not self.shutting_down:
            await asyncio.sleep(self.settings.rescan_interval_ms / 1000)
            if self.view.ready and self.run is None:
                self.request_refresh(scan=not self.watching)

    def request_refresh(self, *, scan: bool, reload: bool = False) -> None:
        """Re-check the disk soon; requests made meanwhile are merged into one."""
        self._want_scan = self._want_scan or scan
        self._want_reload = self._want_reload or reload
        if self._refresh_task is None or self._refresh_task.done():
            self._refresh_task = self._spawn(self._refresh_loop())

    async def _refresh_loop(self) -> None:
        while True:
            scan, reload = self._want_scan, self._want_reload
            self._want_scan = self._want_reload = False

            def refresh(project: Project, scan: bool = scan, reload: bool = reload) -> None:
                if reload or project.snapshot_changed():
                    project.load()
                    return
                if scan:
                    project.rescan()
                project.refresh_lastfailed()

            await self._update(refresh)
            if not (self._want_scan or self._want_reload):
                return

    def _relpath(self, uri: str) -> str | None:
        return self.paths.relpath(uri) if self.paths is not None else None

    def did_open(self, uri: str) -> None:
        self._spawn(self._apply_buffer(uri))

    def did_change(self, uri: str) -> None:
        if self._relpath(uri) is None:
            return
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        loop = asyncio.get_running_loop()
        self._timers[uri] = loop.call_later(self.settings.debounce_ms / 1000,
                                            lambda: self._spawn(self._apply_buffer(uri)))

    def did_save(self, uri: str) -> None:
        self._cancel_timer(uri)
        rel = self._relpath(uri)
        if rel is not None:
            self._spawn(self._update(lambda project: project.set_buffer(rel, None)))
        if not self.watching:
            self.request_refresh(scan=True)

    def did_close(self, uri: str) -> None:
        self._cancel_timer(uri)
        self._last_good.pop(uri, None)
        rel = self._relpath(uri)
        if rel is not None:
            self._spawn(self._update(lambda project: project.set_buffer(rel, None)))

    def did_change_watched_files(self, changes: Iterable[types.FileEvent]) -> None:
        if self.project is None:
            return
        snapshot = self.project.snapshot_path
        reload = scan = False
        for change in changes:
            rel = self._relpath(change.uri)
            path = Path(self.paths.root / rel) if self.paths is not None and rel is not None else None
            if path == snapshot:
                reload = True
            else:
                scan = True
        if reload or scan:
            self.request_refresh(scan=scan, reload=reload)

    def _cancel_timer(self, uri: str) -> None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    async def _apply_buffer(self, uri: str) -> None:
        self._timers.pop(uri, None)
        rel = self._relpath(uri)
        if rel is None or self.shutting_down:
            return
        document = self.server.workspace.text_documents.get(uri)
        if document is None:
            return
        data = document.source.encode("utf-8")
        await self._update(lambda project: project.set_buffer(rel, data))

    async def flush_buffers(self) -> None:
        """Apply every debounced buffer now (a request wants the answer for what is typed)."""
        uris = list(self._timers)
        for uri in uris:
            self._cancel_timer(uri)
        for uri in uris:
            await self._apply_buffer(uri)

    # -- settings ------------------------------------------------------------------------------

    async def did_change_configuration(self, raw: Any) -> None:
        values = raw
        ours = isinstance(raw, dict) and (SECTION in raw or any(k in raw for k in KNOWN_KEYS))
        if not ours and self._capability("workspace", "configuration"):
            try:
                answer = await self.server.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)]))
            except Exception as exc:
                logger.info("workspace/configuration failed: %s", exc)
                answer = []
            values = answer[0] if answer else None
        elif not ours:
            values = None
        old = self.settings
        self.settings, problems = merge_settings(old, values)
        for problem in problems:
            self.show(problem)
        if self.project is None:
            return
        if self.settings.rescan_interval_ms != old.rescan_interval_ms:
            self._restart_poll()
        if self.settings.delta_file != old.delta_file:
            path = self._snapshot_path()

            def move(p: Project) -> None:
                p.snapshot_path = path
                p.load()

            await self._update(move)
        if self.settings.precision != old.precision:
            if self.settings.precision is None:
                self._show_precision_problem()
            precision = self.precision

            def switch(p: Project) -> None:
                p.precision = precision

            await self._update(switch)

    # -- lenses --------------------------------------------------------------------------------

    def document_tests(self, uri: str, rel: str) -> TestFile:
        """The tests of an open document (or of the file on disk), keeping the last good
        parse while the text does not parse (in the middle of typing)."""
        document = self.server.workspace.text_documents.get(uri)
        if document is not None:
            source: bytes | None = document.source.encode("utf-8")
        else:
            try:
                source = (self.paths.root / rel).read_bytes() if self.paths is not None else None
            except OSError:
                source = None
        if source is None:
            raise JsonRpcInvalidParams(f"unknown document: {uri}")
        result = find_tests(rel, source, self.ini.rules)
        if result.error is None:
            self._last_good[uri] = result
            return result
        return self._last_good.get(uri, result)

    def code_lens(self, uri: str) -> list[types.CodeLens]:
        rel = self._relpath(uri)
        if rel is None or not self.ini.rules.is_test_file(rel):
            return []
        if not self.view.ready:
            test_file = self.document_tests(uri, rel)
            if not test_file.items:
                return []
            return [lenses.notice_lens(f"◌ pytest-delta: {self.index_status}",
                                       "affected tests are shown once the project is indexed")]
        test_file = self.document_tests(uri, rel)
        statuses = file_statuses(self.view, test_file)
        selected = selected_tests(self.view, test_file)
        return lenses.test_file_lenses(uri, test_file, statuses, selected, self.encoding)

    # -- the custom request --------------------------------------------------------------------

    async def affected_tests(self, params: Any) -> dict[str, Any]:
        if params is not None and not isinstance(params, (dict, tuple)):
            raise JsonRpcInvalidParams("params must be an object: {\"uri\"?: string}")
        uri = _field(params, "uri")
        only: str | None = None
        if uri is not None:
            if not isinstance(uri, str):
                raise JsonRpcInvalidParams("uri must be a string")
            only = self._relpath(uri)
            if only is None:
                raise JsonRpcInvalidParams(f"not a file under the workspace root: {uri}")
        project = self.project
        if project is None:
            return {"state": "no-workspace", "snapshot": False, "tests": []}
        if not self.view.ready:
            return {"state": "indexing", "snapshot": False, "tests": []}
        await self.flush_buffers()

        def job() -> tuple[View, list[Any]]:
            view = project.view()
            return view, project.selected(view, only)

        view, selected = await self._engine(job)
        encoding = self.encoding
        assert self.paths is not None
        tests = []
        for entry in selected:
            status = entry.status
            tests.append({
                "nodeId": entry.node_id,
                "uri": self.paths.uri(entry.path),
                "range": range_json(entry.item.span if entry.item else None, encoding),
                "status": status.kind,
                "reason": status.text,
                "chain": list(status.chain),
                "symbols": list(status.symbols),
            })
        return {"state": "ready", "snapshot": view.has_baseline, "tests": tests}

    # -- commands ------------------------------------------------------------------------------

    async def command(self, name: str, args: tuple[Any, ...]) -> dict[str, Any]:
        """Run a ``workspace/executeCommand`` (tracked, so that shutdown can wait for it)."""
        task = asyncio.current_task()
        if task is not None:
            self._commands.add(task)
        try:
            if name == lenses.RUN_AFFECTED:
                return await self.run_affected(args)
            if name == lenses.RUN_TEST:
                return await self.run_test(args)
            return await self.rebuild()
        finally:
            if task is not None:
                self._commands.discard(task)

    async def run_affected(self, args: tuple[Any, ...]) -> dict[str, Any]:
        if len(args) > 1:
            raise JsonRpcInvalidParams("pytestDelta.runAffected takes at most one argument: a file URI")
        targets: list[str] = []
        if args and args[0] is not None:
            uri = args[0] if isinstance(args[0], str) else _field(args[0], "uri")
            if not isinstance(uri, str):
                raise JsonRpcInvalidParams("pytestDelta.runAffected: the argument must be a file URI")
            rel = self._relpath(uri)
            if rel is None:
                raise JsonRpcInvalidParams(f"not a file under the workspace root: {uri}")
            targets = [rel]
        title = f"pytest --delta {targets[0]}" if targets else "pytest --delta"
        return (await self._run(targets, delta=True, title=title)).to_json()

    async def run_test(self, args: tuple[Any, ...]) -> dict[str, Any]:
        node_id = args[0] if len(args) == 1 else None
        if isinstance(node_id, dict) or (node_id is not None and not isinstance(node_id, str)):
            node_id = _field(node_id, "nodeId")
        if not isinstance(node_id, str) or not node_id.split("::", 1)[0].endswith(".py"):
            raise JsonRpcInvalidParams("pytestDelta.runTest takes one argument: a node id "
                                       "like \"tests/test_cart.py::test_total\"")
        rel = node_id.split("::", 1)[0]
        if self.paths is not None and not (self.paths.root / rel).is_file():
            raise JsonRpcInvalidParams(f"no such test file: {rel}")
        # With --delta a test that is not affected is deselected: run it plainly then (and the
        # snapshot is left alone).
        delta = await self._is_selected(node_id)
        title = f"pytest {'--delta ' if delta else ''}{node_id}"
        return (await self._run([node_id], delta=delta, title=title)).to_json()

    async def _is_selected(self, node_id: str) -> bool:
        """Whether ``pytest --delta`` would run ``node_id`` (or something under it) now."""
        project = self.project
        if project is None or not self.view.ready:
            return True
        rel = node_id.split("::", 1)[0]
        selected = await self._engine(lambda: project.selected(project.view(), rel))
        wanted = strip_params(node_id)
        return any(s.node_id == node_id or strip_params(s.node_id) == wanted
                   or s.node_id.startswith(wanted + "::") for s in selected)

    async def rebuild(self) -> dict[str, Any]:
        if self.project is None:
            self.show("no workspace folder", types.MessageType.Info)
            return {"files": 0}
        self.ini = read_pytest_ini(self.project.root)
        self._show_precision_problem()
        await self._start_index("Re-indexing")
        return {"files": len(self.view.tracked)}

    def _refuse(self, message: str) -> RunSummary:
        self.show(message)
        return RunSummary("refused", message=message)

    async def _run(self, targets: list[str], *, delta: bool, title: str) -> RunSummary:
        if self.project is None or self.root is None:
            return self._refuse("no workspace folder: nothing to run")
        if self.run is not None:
            return self._refuse("pytest is already running; wait for it to finish or cancel it")
        if self.shutting_down:
            return RunSummary("refused", message="the server is shutting down")
        report_dir = ReportDir()
        argv = build_argv(self.settings.interpreter or default_interpreter(self.root), delta=delta,
                          delta_file=self.settings.delta_file, pytest_args=self.settings.pytest_args,
                          targets=targets, junit_path=report_dir.junit, precision=self.settings.precision)
        run = PytestRun(argv, self.root, report_dir.path, self._on_output)
        self.run = run  # before any await: a second command sees it at once
        token: str | None = None
        try:
            self.log("$ " + " ".join(argv), types.MessageType.Info)
            token = await self._progress_begin(title, "starting pytest…", cancellable=True)
            if token is not None:
                cancel = self.server.work_done_progress.tokens.get(token)
                if cancel is not None:
                    loop = asyncio.get_running_loop()
                    cancel.add_done_callback(lambda f: loop.call_soon_threadsafe(
                        lambda: self._spawn(run.cancel()) if f.cancelled() else None))
            try:
                await run.start()
            except RunError as exc:
                self.show(str(exc), types.MessageType.Error)
                return RunSummary("error", message=str(exc))
            self._progress_report(token, "running…")
            self._progress_token = token
            known = list(self._known_test_files())
            try:
                result = await asyncio.shield(run.wait(known))
            except asyncio.CancelledError:  # the client cancelled the request itself
                await run.cancel()
                raise
        finally:
            self._flush_log()
            self.run = None
            self._progress_token = None
            report_dir.remove()
            self._progress_end(token, "done")
        return await self._finish(result)

    def _known_test_files(self) -> Iterable[str]:
        view = self.view
        return [p for p in view.tracked if self.ini.rules.is_test_file(p)]

    def _on_output(self, line: str) -> None:
        self._log_lines.append(line)
        if len(self._log_lines) >= LOG_BATCH_LINES:
            self._flush_log()
        token = self._progress_token
        if token is not None and line.rstrip().endswith("%]"):
            pct = line.rstrip()[:-2].rpartition("[")[2]
            if pct.strip().isdigit():
                self._progress_report(token, "running…", int(pct.strip()))

    def _flush_log(self) -> None:
        if self._log_lines and not self.shutting_down:
            self.log("\n".join(self._log_lines))
        self._log_lines = []

    async def _finish(self, result: RunResult) -> RunSummary:
        counts = {kind: sum(1 for o in result.outcomes if o.outcome == kind)
                  for kind in ("passed", "failed", "error", "skipped")}
        if not result.outcomes and not result.cancelled and result.exit_code not in (0, 5):
            last = [line for line in result.tail.splitlines() if line.strip()][-3:]
            detail = " / ".join(last) if last else (result.report_problem or "no output")
            message = f"pytest did not run (exit code {result.exit_code}): {detail}"
            self.show(message, types.MessageType.Error)
            await self._reload()
            return RunSummary("error", result.exit_code, message=message)
        self._publish_outcomes(result.outcomes)
        project = self.project
        outcomes = {o.node_id: o.failed for o in result.outcomes if o.outcome != "skipped"}
        if project is not None:
            await self._update(lambda p: p.record_outcomes(outcomes))
        await self._reload()
        if result.cancelled:
            status = "cancelled"
        elif counts["failed"] or counts["error"]:
            status = "failed"
        elif result.exit_code in (0, 5):
            status = "passed"
        else:
            status = "error"
        return RunSummary(status, result.exit_code, counts["passed"], counts["failed"], counts["error"],
                          counts["skipped"], result.report_problem if status == "error" else None)

    async def _reload(self) -> None:
        """The run wrote a new snapshot: what passed is no longer affected."""
        await self._update(lambda project: project.load())

    def _publish_outcomes(self, outcomes: Iterable[TestOutcome]) -> None:
        if self.paths is None:
            return
        touched: set[str] = set()
        tests_by_uri: dict[str, TestFile] = {}
        for outcome in outcomes:
            rel = outcome.node_id.split("::", 1)[0]
            uri = self.paths.uri(rel)
            store = self._diagnostics.setdefault(uri, {})
            touched.add(uri)
            if not outcome.failed:
                store.pop(outcome.node_id, None)
                continue
            if uri not in tests_by_uri:
                try:
                    tests_by_uri[uri] = self.document_tests(uri, rel)
                except JsonRpcInvalidParams:
                    tests_by_uri[uri] = TestFile(rel)
            item = tests_by_uri[uri].find(outcome.node_id)
            span = to_range(item.name_span, self.encoding) if item is not None else types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
            message = outcome.message or ("error" if outcome.outcome == "error" else "failed")
            store[outcome.node_id] = types.Diagnostic(
                range=span, message=f"{outcome.node_id.split('::', 1)[-1]}: {message}" if "::" in outcome.node_id
                else message, severity=types.DiagnosticSeverity.Error, source=SOURCE, code=outcome.outcome)
        for uri in sorted(touched):
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=list(self._diagnostics.get(uri, {}).values())))


def _same_selection(old: View, new: View) -> bool:
    return (old.has_baseline == new.has_baseline and old.pending_tests == new.pending_tests
            and old.pending_files == new.pending_files and old.always_files == new.always_files
            and old.failed == new.failed and old.changes == new.changes
            and len(old.tracked) == len(new.tracked) and dict(old.affected) == dict(new.affected)
            and old.symbols == new.symbols and old.units_defined == new.units_defined)
