"""Running the affected tests from the editor: diagnostics, lenses after the run, cancel."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from .conftest import RUN_AFFECTED, RUN_TEST, Editor, wait_for, write_files

CART = "tests/test_cart.py"
PEAR_COSTS_FIVE = {"src/shop/prices.py": """\
    def price(item):
        return {"apple": 3, "pear": 5}[item]
    """}
SLOW_TEST = {"tests/test_slow.py": """\
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path


    def test_slow():
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        Path("pids.txt").write_text(f"{os.getpid()} {child.pid}")
        time.sleep(120)
    """}

pytestmark = pytest.mark.slow


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped by its parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


async def pids_of_slow_test(root: Path) -> list[int]:
    async def read() -> list[int] | None:
        path = root / "pids.txt"
        return [int(p) for p in path.read_text().split()] if path.is_file() and path.read_text() else None

    return await wait_for(read, "the slow test to start")


async def test_a_run_publishes_failures_and_clears_the_lenses_of_what_passed(editor: Editor) -> None:
    write_files(editor.root, PEAR_COSTS_FIVE)
    await editor.start()
    editor.open(CART)
    editor.open("tests/test_prices.py")
    await editor.wait_lenses("tests/test_prices.py", {
        "<file>": "▶ Run 1 affected test",
        "tests/test_prices.py::test_apple": "● affected: src/shop/prices.py changed"}, "lenses before the run")

    result = await editor.command(RUN_AFFECTED)

    assert result == {"status": "failed", "exitCode": 1, "passed": 2, "failed": 1, "errors": 0, "skipped": 0}
    diagnostics = editor.client.diagnostics[editor.uri(CART)]
    assert len(diagnostics) == 1
    assert diagnostics[0].range == types.Range(start=types.Position(line=3, character=4),
                                               end=types.Position(line=3, character=14))
    assert "assert 8 == 7" in diagnostics[0].message
    assert diagnostics[0].severity == types.DiagnosticSeverity.Error
    assert list(editor.client.diagnostics[editor.uri("tests/test_prices.py")]) == []
    assert await editor.lenses("tests/test_prices.py") == {}
    assert await editor.lenses(CART) == {"<file>": "▶ Run 1 affected test",
                                         "tests/test_cart.py::test_total": "✗ failed last run"}

    write_files(editor.root, {"src/shop/prices.py": "def price(item):\n    return {'apple': 3, 'pear': 4}[item]\n"})
    result = await editor.command(RUN_TEST, "tests/test_cart.py::test_total")

    assert result == {"status": "passed", "exitCode": 0, "passed": 1, "failed": 0, "errors": 0, "skipped": 0}
    assert list(editor.client.diagnostics[editor.uri(CART)]) == []
    # The file ran in part: pytest --delta runs all of it next time, and the lenses say so.
    await editor.wait_lenses(CART, {
        "<file>": "▶ Run 2 affected tests",
        "tests/test_cart.py::test_total": "● runs again: its file was only partly run",
        "tests/test_cart.py::TestEmpty": "● not yet run",
        "tests/test_cart.py::TestEmpty::test_nothing": "● not yet run"}, "the partly run file")

    result = await editor.command(RUN_AFFECTED, editor.uri(CART))

    assert result == {"status": "passed", "exitCode": 0, "passed": 2, "failed": 0, "errors": 0, "skipped": 0}
    await editor.wait_lenses(CART, {}, "no lens once the whole file passed")


@pytest.mark.parametrize("client", ["visual-studio-code"], indirect=True)
async def test_cancel_ends_the_whole_run_and_a_second_run_is_refused(editor: Editor) -> None:
    write_files(editor.root, SLOW_TEST)
    await editor.start()
    first = asyncio.ensure_future(editor.command(RUN_AFFECTED))
    pytest_pid, child_pid = await pids_of_slow_test(editor.root)

    second = await editor.command(RUN_AFFECTED, editor.uri(CART))

    assert second["status"] == "refused"
    assert any("already running" in m.message for m in editor.client.messages)
    token = next(token for token, reports in editor.client.progress_reports.items()
                 if reports and getattr(reports[0], "title", "") == "pytest --delta")
    begin = editor.client.progress_reports[token][0]
    assert getattr(begin, "cancellable", None) is True

    editor.client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))

    result = await asyncio.wait_for(first, 30)
    assert result["status"] == "cancelled"
    await wait_for(lambda: _gone(pytest_pid, child_pid), "pytest and the process its test started to end")


async def _gone(*pids: int) -> bool:
    return not any(alive(pid) for pid in pids)


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_shutdown_during_a_run_leaves_no_pytest_behind(editor: Editor) -> None:
    write_files(editor.root, SLOW_TEST)
    await editor.start()
    run: asyncio.Future[Any] = asyncio.ensure_future(editor.command(RUN_AFFECTED))
    pids = await pids_of_slow_test(editor.root)

    await editor.client.shutdown_session()

    server = editor.client._server
    assert server is not None
    assert server.returncode == 0
    await wait_for(lambda: _gone(*pids), "the run's processes to end with the server")
    run.cancel()
    editor.client.capabilities = None  # the session is over: the fixture must not shut it down again


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_an_interpreter_without_pytest_is_a_clear_message(editor: Editor, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "venv", "--without-pip", str(bare))
    assert await proc.wait() == 0
    python = bare / "bin" / "python"
    await editor.start({"interpreter": str(python)})

    result = await editor.command(RUN_AFFECTED)

    assert result["status"] == "error"
    assert "No module named pytest" in result["message"]
    assert any("No module named pytest" in m.message and m.type == types.MessageType.Error
               for m in editor.client.messages)
    assert (await editor.affected())["state"] == "ready"  # still serving


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_an_interpreter_that_does_not_exist_is_a_clear_message(editor: Editor) -> None:
    await editor.start({"interpreter": "/nonexistent/python"})

    result = await editor.command(RUN_AFFECTED)

    assert result["status"] == "error"
    assert "cannot start /nonexistent/python" in result["message"]
    assert (await editor.affected())["state"] == "ready"
