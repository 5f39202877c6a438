"""The language server: one thin handler per protocol feature, the work is in :mod:`.session`."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from . import __version__, lenses
from .session import Session

AFFECTED_TESTS = "pytestDelta/affectedTests"


class DeltaLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("pytest-delta-lsp", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.session = Session(self)


def build_server() -> DeltaLanguageServer:
    server = DeltaLanguageServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: DeltaLanguageServer, params: types.InitializeParams) -> None:
        ls.session.initialize(params)

    @server.feature(types.INITIALIZED)
    def initialized(ls: DeltaLanguageServer, params: types.InitializedParams) -> None:
        ls.session.initialized()

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: DeltaLanguageServer, params: None) -> None:
        await ls.session.shutdown()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DeltaLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.session.did_open(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: DeltaLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.session.did_change(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DeltaLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.session.did_save(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DeltaLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.session.did_close(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: DeltaLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.session.did_change_watched_files(params.changes)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: DeltaLanguageServer,
                                       params: types.DidChangeConfigurationParams) -> None:
        await ls.session.did_change_configuration(params.settings)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    def code_lens(ls: DeltaLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        return ls.session.code_lens(params.text_document.uri)

    @server.feature(AFFECTED_TESTS)
    async def affected_tests(ls: DeltaLanguageServer, params: Any) -> dict[str, Any]:
        return await ls.session.affected_tests(params)

    @server.command(lenses.RUN_AFFECTED)
    async def run_affected(ls: DeltaLanguageServer, *args: Any) -> dict[str, Any]:
        return await ls.session.command(lenses.RUN_AFFECTED, args)

    @server.command(lenses.RUN_TEST)
    async def run_test(ls: DeltaLanguageServer, *args: Any) -> dict[str, Any]:
        return await ls.session.command(lenses.RUN_TEST, args)

    @server.command(lenses.REBUILD)
    async def rebuild(ls: DeltaLanguageServer, *args: Any) -> dict[str, Any]:
        return await ls.session.command(lenses.REBUILD, args)

    return server
