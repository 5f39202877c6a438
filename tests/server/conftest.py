"""An editor talking to the real server over stdio, and a real project on disk for it.

The server runs as a subprocess (``python -m pytest_delta_lsp``) driven by pytest-lsp with
the capabilities of two real clients: VS Code (watches files, refreshes lenses on request)
and Neovim (neither: it relies on saves and the server's own rescan, and uses UTF-8
positions). Baselines are written by real ``pytest --delta`` runs, as a user's would be.
pytest runs with plugin auto-loading off and only the delta plugin named: the plugins of the
test environment would triple the start-up time of every run (the server's runs inherit it).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_delta.engine import load_snapshot
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import register_lsp_features

SNAPSHOT = ".delta.msgpack"
EDITORS = ("visual-studio-code", "neovim")
RUN_AFFECTED = "pytestDelta.runAffected"
RUN_TEST = "pytestDelta.runTest"
REBUILD = "pytestDelta.rebuild"
AFFECTED_TESTS = "pytestDelta/affectedTests"
#: How long a scenario waits for the server to reach an expected state.
WAIT_S = 20.0

PYTEST_ENV = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTEST_PLUGINS": "pytest_delta.plugin"}
PYTEST_ENV.pop("PYTEST_ADDOPTS", None)

T = TypeVar("T")

#: A src-layout shop: prices <- cart; users alone; one test file for each module.
SHOP = {
    "pyproject.toml": """\
        [tool.pytest.ini_options]
        pythonpath = ["src"]
        """,
    "src/shop/__init__.py": "",
    "src/shop/prices.py": """\
        def price(item):
            return {"apple": 3, "pear": 4}[item]
        """,
    "src/shop/cart.py": """\
        from shop.prices import price


        def total(items):
            return sum(price(item) for item in items)
        """,
    "src/shop/users.py": """\
        def greet(name):
            return f"hello {name}"
        """,
    "tests/test_cart.py": """\
        from shop.cart import total


        def test_total():
            assert total(["apple", "pear"]) == 7


        class TestEmpty:
            def test_nothing(self):
                assert total([]) == 0
        """,
    "tests/test_prices.py": """\
        from shop.prices import price


        def test_apple():
            assert price("apple") == 3
        """,
    "tests/test_users.py": """\
        from shop.users import greet


        def test_greet():
            assert greet("ann") == "hello ann"
        """,
}


class DeltaClient(LanguageClient):
    """pytest-lsp's client, plus what a real editor answers: capability registrations and
    code lens refresh requests (counted, so that a scenario can see them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editor = EDITORS[0]
        self.refreshes = 0
        self.registrations: list[types.Registration] = []


def make_client() -> DeltaClient:
    client = DeltaClient(converter_factory=default_converter)
    register_lsp_features(client)

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def refresh(ls: DeltaClient, params: None) -> None:
        ls.refreshes += 1

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: DeltaClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)

    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "pytest_delta_lsp"],
                              client_factory=make_client, server_env=PYTEST_ENV),
    params=EDITORS,
)
async def client(lsp_client: DeltaClient, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    lsp_client.editor = request.param
    yield
    await lsp_client.shutdown_session()


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def run_pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=root, env=PYTEST_ENV,
                          capture_output=True, text=True, timeout=120, check=False)


def delta_selection(root: Path, *args: str) -> set[str]:
    """What ``pytest --delta --co -q [args]`` selects (it changes nothing: ``--delta-no-save``)."""
    result = run_pytest(root, "--delta", "--delta-no-save", "--co", "-q", "-p", "no:cacheprovider", *args)
    assert result.returncode in (0, 5), result.stdout + result.stderr
    return {line.strip() for line in result.stdout.splitlines() if "::" in line and " " not in line.strip()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The shop, with a snapshot from a passing ``pytest --delta`` run."""
    root = tmp_path / "shop"
    write_files(root, SHOP)
    result = run_pytest(root, "--delta", "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert load_snapshot(root / SNAPSHOT) is not None
    return root


async def wait_for(check: Callable[[], Awaitable[T | None]], what: str, timeout: float = WAIT_S) -> T:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: T | None = None
    while loop.time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


async def has_message(editor: Editor, text: str) -> bool:
    """Whether the server said ``text`` (in part) with ``window/showMessage``."""
    return any(text in m.message for m in editor.client.messages)


def plain(value: Any) -> Any:
    """pygls answers custom requests with namedtuples; back to JSON-like dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@dataclass
class Editor:
    """What a user does in an editor, as protocol messages."""

    client: DeltaClient
    root: Path
    versions: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    async def start(self, options: Mapping[str, Any] | None = None, *, watch_files: bool | None = None) -> None:
        capabilities = client_capabilities(self.client.editor)
        if watch_files is not None and capabilities.workspace is not None:
            capabilities.workspace.did_change_watched_files = types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=watch_files)
        await self.client.initialize_session(types.InitializeParams(
            capabilities=capabilities,
            root_uri=self.root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=self.root.as_uri(), name=self.root.name)],
            initialization_options=dict(options or {}),
        ))
        await wait_for(self._ready, "the first index")

    async def _ready(self) -> bool:
        return (await self.affected())["state"] == "ready"

    def open(self, rel: str) -> None:
        text = (self.root / rel).read_text(encoding="utf-8")
        self.versions[rel] = 1
        self.texts[rel] = text
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=self.uri(rel), language_id="python", version=1, text=text)))

    def type(self, rel: str, text: str) -> None:
        """Replace the buffer's text (unsaved)."""
        self.versions[rel] += 1
        self.texts[rel] = text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri(rel), version=self.versions[rel]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    def append(self, rel: str, text: str) -> None:
        self.type(rel, self.texts[rel] + text)

    def save(self, rel: str) -> None:
        (self.root / rel).write_text(self.texts[rel], encoding="utf-8")
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri(rel))))

    def close(self, rel: str) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri(rel))))

    async def raw_lenses(self, rel: str) -> list[types.CodeLens]:
        found = await self.client.text_document_code_lens_async(types.CodeLensParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri(rel))))
        return list(found or [])

    async def lenses(self, rel: str) -> dict[str, str]:
        """Lens titles by what they run: a node id, or ``"<file>"`` for the file's run lens
        and ``"<notice>"`` for an informative one."""
        out: dict[str, str] = {}
        for lens in await self.raw_lenses(rel):
            assert lens.command is not None
            if lens.command.command == RUN_TEST:
                out[lens.command.arguments[0]] = lens.command.title  # type: ignore[index]
            elif lens.command.command == RUN_AFFECTED:
                out["<file>"] = lens.command.title
            else:
                out["<notice>"] = lens.command.title
        return out

    async def wait_lenses(self, rel: str, expected: Mapping[str, str], what: str) -> dict[str, str]:
        seen: list[dict[str, str]] = []

        async def check() -> tuple[dict[str, str]] | None:
            seen[:] = [await self.lenses(rel)]
            return (seen[0],) if seen[0] == dict(expected) else None

        try:
            return (await wait_for(check, what))[0]
        except AssertionError:
            assert seen[-1] == dict(expected), f"timed out waiting for {what}"
            raise

    async def affected(self, uri: str | None = None) -> dict[str, Any]:
        params = {"uri": uri} if uri is not None else {}
        return plain(await self.client.protocol.send_request_async(AFFECTED_TESTS, params))  # type: ignore[no-any-return]

    async def affected_ids(self) -> set[str]:
        return {test["nodeId"] for test in (await self.affected())["tests"]}

    async def command(self, name: str, *arguments: Any) -> dict[str, Any]:
        result = await self.client.workspace_execute_command_async(types.ExecuteCommandParams(
            command=name, arguments=list(arguments)))
        return plain(result)  # type: ignore[no-any-return]


@pytest.fixture
def editor(client: DeltaClient, project: Path) -> Editor:
    return Editor(client, project)
