"""Files changed on disk behind the editor's back: by git, a formatter, a terminal run."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .conftest import SNAPSHOT, Editor, run_pytest, write_files

USERS_TEST = "tests/test_users.py"
USERS_CHANGED = {"<file>": "▶ Run 1 affected test",
                 "tests/test_users.py::test_greet": "● affected: src/shop/users.py changed"}
NEW_USERS = {"src/shop/users.py": """\
    def greet(name):
        return "hello " + name
    """}

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("client", ["visual-studio-code"], indirect=True)
async def test_a_watched_file_notification_updates_the_lenses(editor: Editor) -> None:
    await editor.start({"rescanIntervalMs": 0})
    registered = [w["globPattern"] for r in editor.client.registrations
                  if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
                  for w in r.register_options["watchers"]]  # type: ignore[index]
    assert "**/*.py" in registered
    assert f"**/{SNAPSHOT}" in registered
    editor.open(USERS_TEST)

    write_files(editor.root, NEW_USERS)
    editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=editor.uri("src/shop/users.py"), type=types.FileChangeType.Changed)]))

    await editor.wait_lenses(USERS_TEST, USERS_CHANGED, "the lens of the test of the changed module")


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_without_file_watching_a_save_rechecks_the_disk(editor: Editor) -> None:
    await editor.start({"rescanIntervalMs": 0})
    assert editor.client.registrations == []
    editor.open(USERS_TEST)
    editor.open("tests/test_cart.py")

    write_files(editor.root, NEW_USERS)  # another program (git checkout, say)
    editor.save("tests/test_cart.py")  # saving any file makes the server look

    await editor.wait_lenses(USERS_TEST, USERS_CHANGED, "the lens of the test of the module changed on disk")


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_without_file_watching_the_periodic_rescan_sees_other_programs(editor: Editor) -> None:
    await editor.start({"rescanIntervalMs": 100})
    editor.open(USERS_TEST)

    write_files(editor.root, NEW_USERS)

    await editor.wait_lenses(USERS_TEST, USERS_CHANGED, "the rescan to notice the change")


async def test_a_snapshot_written_by_a_terminal_run_is_reloaded(editor: Editor) -> None:
    watching = editor.client.editor == "visual-studio-code"
    await editor.start({"rescanIntervalMs": 0 if watching else 100})
    editor.open(USERS_TEST)
    write_files(editor.root, NEW_USERS)
    editor.save(USERS_TEST)  # unchanged text, but the disk is checked (and watched files told)
    if watching:
        editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=editor.uri("src/shop/users.py"), type=types.FileChangeType.Changed)]))
    await editor.wait_lenses(USERS_TEST, USERS_CHANGED, "the change to show")

    assert run_pytest(editor.root, "--delta", "-q").returncode == 0  # the user runs it in a terminal
    if watching:
        editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=editor.uri(SNAPSHOT), type=types.FileChangeType.Changed)]))

    await editor.wait_lenses(USERS_TEST, {}, "no lens once the terminal run passed the test")
