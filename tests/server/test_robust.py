"""Nothing kills the server: bad params, half-typed code, wrong settings, a broken snapshot."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from .conftest import AFFECTED_TESTS, REBUILD, RUN_AFFECTED, RUN_TEST, SNAPSHOT, Editor, has_message, wait_for

CART = "tests/test_cart.py"

pytestmark = pytest.mark.slow


async def assert_error(editor: Editor, method: str, params: object, code: int, text: str) -> None:
    with pytest.raises(JsonRpcException) as raised:
        await editor.client.protocol.send_request_async(method, params)
    assert raised.value.code == code
    assert text in str(raised.value)


async def test_malformed_requests_get_error_answers_and_the_server_lives_on(editor: Editor) -> None:
    await editor.start()
    invalid_params = -32602

    await assert_error(editor, AFFECTED_TESTS, ["not", "an", "object"], invalid_params, "params must be an object")
    await assert_error(editor, AFFECTED_TESTS, {"uri": 42}, invalid_params, "uri must be a string")
    await assert_error(editor, AFFECTED_TESTS, {"uri": "file:///elsewhere/test_x.py"}, invalid_params,
                       "not a file under the workspace root")
    for arguments in ([], ["a.py::t", "extra"], [42], ["no-node-id"]):
        await assert_error(editor, types.WORKSPACE_EXECUTE_COMMAND,
                           types.ExecuteCommandParams(command=RUN_TEST, arguments=arguments), invalid_params,
                           "node id")
    await assert_error(editor, types.WORKSPACE_EXECUTE_COMMAND,
                       types.ExecuteCommandParams(command=RUN_TEST, arguments=["tests/test_gone.py::test_x"]),
                       invalid_params, "no such test file")
    await assert_error(editor, types.WORKSPACE_EXECUTE_COMMAND,
                       types.ExecuteCommandParams(command=RUN_AFFECTED, arguments=["file:///elsewhere/x.py"]),
                       invalid_params, "not a file under the workspace root")
    await assert_error(editor, types.WORKSPACE_EXECUTE_COMMAND,
                       types.ExecuteCommandParams(command="pytestDelta.nope"), invalid_params, "not defined")
    await assert_error(editor, types.TEXT_DOCUMENT_CODE_LENS,
                       types.CodeLensParams(text_document=types.TextDocumentIdentifier(
                           uri=editor.uri("tests/test_missing.py"))), invalid_params, "unknown document")

    assert (await editor.affected())["state"] == "ready"
    assert await editor.lenses("src/shop/cart.py") == {}  # not a test file: no lenses, no error


async def test_half_typed_code_counts_as_changed_and_keeps_the_lenses(editor: Editor) -> None:
    await editor.start({"debounceMs": 20})
    editor.open("src/shop/prices.py")
    editor.open(CART)

    editor.append("src/shop/prices.py", "\ndef broken(:\n")

    broken = "● affected: src/shop/prices.py cannot be parsed (syntax error at line 4: invalid syntax)"
    await editor.wait_lenses(CART, {"<file>": "▶ Run 2 affected tests",
                                    "tests/test_cart.py::test_total": broken,
                                    "tests/test_cart.py::TestEmpty": broken,
                                    "tests/test_cart.py::TestEmpty::test_nothing": broken},
                             "the tests of the unparseable module")

    editor.append(CART, "\ndef test_more(:\n")  # now the test file itself is half-typed

    async def own_change() -> bool:
        lenses = await editor.lenses(CART)
        return set(lenses) == {"<file>", "tests/test_cart.py::test_total", "tests/test_cart.py::TestEmpty",
                               "tests/test_cart.py::TestEmpty::test_nothing"} and all(
            "tests/test_cart.py cannot be parsed" in title for key, title in lenses.items() if key != "<file>")

    await wait_for(own_change, "the last parsed tests, marked with the file's own syntax error")
    assert (await editor.affected())["state"] == "ready"


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_wrong_settings_are_reported_and_the_defaults_kept(editor: Editor) -> None:
    await editor.start({"debounceMs": "fast", "colour": "blue", "pytestArgs": ["-q"]})

    texts = [m.message for m in editor.client.messages]
    assert any("'debounceMs' must be a number of milliseconds" in t and "keeping 300" in t for t in texts)
    assert any("unknown setting 'colour' ignored" in t for t in texts)

    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"pytestDelta": {"pytestArgs": "-x"}}))

    await wait_for(lambda: has_message(editor, "'pytestArgs' must be a list of strings, got '-x'; keeping ['-q']"),
                   "the message about pytestArgs")
    assert (await editor.affected())["state"] == "ready"


@pytest.mark.parametrize("client", ["visual-studio-code"], indirect=True)
async def test_a_corrupt_snapshot_is_reported_and_every_test_would_run(editor: Editor) -> None:
    (editor.root / SNAPSHOT).write_bytes(b"\x00garbage")
    await editor.start()
    editor.open("tests/test_users.py")

    assert any("snapshot .delta.msgpack cannot be used" in m.message for m in editor.client.messages)
    assert await editor.lenses("tests/test_users.py") == {
        "<file>": "▶ Run 1 affected test",
        "tests/test_users.py::test_greet": "● not yet run (snapshot .delta.msgpack unusable)"}
    assert len((await editor.affected())["tests"]) == 4


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_a_root_without_python_files_is_served(client: object, tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_text("nothing to test here\n")
    editor = Editor(client, tmp_path)  # type: ignore[arg-type]
    await editor.start()

    assert await editor.affected() == {"state": "ready", "snapshot": False, "tests": []}
    assert await editor.command(REBUILD) == {"files": 1}  # LICENSE: every file is data, none is Python


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_exit_without_shutdown_ends_the_server_with_code_1(editor: Editor) -> None:
    await editor.start()

    editor.client.exit(None)

    server = editor.client._server
    assert server is not None
    assert await asyncio.wait_for(server.wait(), 30) == 1
    editor.client.capabilities = None  # the session is over: the fixture must not shut it down again
