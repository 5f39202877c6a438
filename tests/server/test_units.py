"""The server's small parts on their own: settings, pytest's ini, JUnit reports, the command line."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_delta_lsp.junit import node_id_of, parse_junit
from pytest_delta_lsp.pytestini import read_pytest_ini
from pytest_delta_lsp.runner import build_argv
from pytest_delta_lsp.settings import Settings, merge_settings, resolve_precision

from .conftest import run_pytest, write_files

# -- settings ------------------------------------------------------------------------------------


def test_settings_arrive_flat_or_under_the_section_and_merge_onto_the_current_ones() -> None:
    first, problems = merge_settings(Settings(), {"pytestArgs": ["-x"], "debounceMs": 50})
    assert problems == []
    second, problems = merge_settings(first, {"pytestDelta": {"interpreter": "/usr/bin/python3"}})
    assert problems == []
    assert second == Settings(interpreter="/usr/bin/python3", pytest_args=("-x",), debounce_ms=50)
    assert merge_settings(second, {}) == (second, [])  # Neovim's empty settings lose nothing
    assert merge_settings(second, None) == (second, [])


def test_wrong_settings_keep_the_current_value_and_say_so() -> None:
    settings, problems = merge_settings(Settings(), {"debounceMs": -1, "pytestArgs": "-x", "interpreter": 3,
                                                     "rescanIntervalMs": True, "precision": "function",
                                                     "colour": "blue"})
    assert settings == Settings()
    assert problems == [
        "setting 'debounceMs' must be a number of milliseconds (0 or more), got -1; keeping 300",
        "setting 'pytestArgs' must be a list of strings, got '-x'; keeping []",
        "setting 'interpreter' must be a string, got 3; keeping None",
        "setting 'rescanIntervalMs' must be a number of milliseconds (0 or more), got True; keeping 3000",
        "setting 'precision' must be 'symbol' or 'file', got 'function'; keeping None",
        "unknown setting 'colour' ignored (known: interpreter, pytestArgs, deltaFile, debounceMs, "
        "rescanIntervalMs, precision)",
    ]
    assert merge_settings(Settings(), ["not", "an", "object"])[1] == [
        "settings must be an object, got list; keeping the current ones"]


def test_the_precision_setting_overrides_the_ini_and_a_bad_ini_value_falls_back_to_symbol() -> None:
    file_level, problems = merge_settings(Settings(), {"precision": "file"})
    assert (file_level.precision, problems) == ("file", [])
    assert merge_settings(file_level, {"precision": None})[0].precision is None  # back to the ini's
    assert resolve_precision(None, None) == ("symbol", None)  # the plugin's default
    assert resolve_precision(None, "file") == ("file", None)
    assert resolve_precision("symbol", "file") == ("symbol", None)
    assert resolve_precision("file", "bogus") == ("file", None)  # --delta-precision wins over the ini
    assert resolve_precision(None, "bogus", "pytest.ini") == (
        "symbol", "delta_precision in pytest.ini must be symbol or file, not 'bogus' "
                  "(pytest --delta refuses it); lenses use symbol precision")


def test_a_run_passes_the_precision_setting_on_only_with_delta(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    argv = build_argv("python", delta=True, delta_file=None, pytest_args=["-x"], targets=["tests"],
                      junit_path=junit, precision="file")
    assert argv[:6] == ["python", "-m", "pytest", "--delta", "--delta-precision", "file"]
    assert "--delta-precision" not in build_argv("python", delta=True, delta_file=None, pytest_args=[],
                                                 targets=[], junit_path=junit)
    assert "--delta-precision" not in build_argv("python", delta=False, delta_file=None, pytest_args=[],
                                                 targets=["tests/test_a.py::test_b"], junit_path=junit,
                                                 precision="file")


# -- pytest's configuration ----------------------------------------------------------------------


def test_pyproject_ini_options_give_collection_rules_and_the_delta_options(tmp_path: Path) -> None:
    write_files(tmp_path, {"pyproject.toml": """\
        [tool.pytest.ini_options]
        python_files = "check_*.py"
        python_functions = ["check_", "*_spec"]
        testpaths = ["checks"]
        delta_file = "build/delta.msgpack"
        delta_precision = "file"
        delta_global_files = ["Makefile"]
        delta_data_files = ["*.dat", "json"]
        """})
    ini = read_pytest_ini(tmp_path)
    assert ini.rules.python_files == ("check_*.py",)
    assert ini.rules.python_functions == ("check_", "*_spec")
    assert ini.rules.python_classes == ("Test",)
    assert ini.rules.testpaths == ("checks",)
    assert ini.delta_file == "build/delta.msgpack"
    assert ini.precision == "file"
    assert ini.global_files == ("Makefile",)
    assert ini.data_suffixes == (".dat", ".json")
    assert ini.source == tmp_path / "pyproject.toml"


def test_pytest_ini_wins_and_files_without_a_pytest_section_are_passed_over(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "tox.ini": "[tox]\nenvlist = py311\n",
        "setup.cfg": "[tool:pytest]\npython_files = spec_*.py\n",
    })
    assert read_pytest_ini(tmp_path).rules.python_files == ("spec_*.py",)
    write_files(tmp_path, {"pytest.ini": "[pytest]\ntestpaths = tests\n    more\n"})
    ini = read_pytest_ini(tmp_path)
    assert ini.rules.python_files == ("test_*.py", "*_test.py")
    assert ini.rules.testpaths == ("tests", "more")


def test_a_broken_configuration_file_means_defaults_and_a_reason(tmp_path: Path) -> None:
    write_files(tmp_path, {"pyproject.toml": "[tool.pytest.ini_options\n"})
    ini = read_pytest_ini(tmp_path)
    assert ini.rules.python_files == ("test_*.py", "*_test.py")
    assert ini.problem is not None
    assert ini.problem.startswith("cannot read pyproject.toml")


# -- JUnit reports ---------------------------------------------------------------------------------


def test_node_ids_come_back_from_junit_names() -> None:
    known = ["tests/test_cart.py", "tests/unit/test_cart.py"]
    assert node_id_of("tests.test_cart", "test_total", None, known) == "tests/test_cart.py::test_total"
    assert node_id_of("tests.unit.test_cart.TestA.TestB", "test_x[1.5-a.b]", None, known) == \
        "tests/unit/test_cart.py::TestA::TestB::test_x[1.5-a.b]"
    assert node_id_of("tests.test_cart.TestA", "test_y", "tests/test_cart.py", []) == \
        "tests/test_cart.py::TestA::test_y"
    assert node_id_of("", "tests.test_broken", None, known) == "tests/test_broken.py"


def test_a_real_report_gives_outcomes_and_short_messages(tmp_path: Path) -> None:
    write_files(tmp_path, {"tests/test_mix.py": """\
        import pytest


        def test_ok():
            pass


        class TestGroup:
            def test_bad(self):
                assert 1 + 1 == 3

            @pytest.mark.skip(reason="later")
            def test_later(self):
                pass


        @pytest.fixture
        def broken():
            raise RuntimeError("no database")


        def test_needs_db(broken):
            pass


        @pytest.mark.parametrize("n", [1, 2])
        def test_param(n):
            assert n == 1
        """})
    report = tmp_path / "junit.xml"
    run_pytest(tmp_path, f"--junitxml={report}", "-o", "junit_family=xunit1", "-p", "no:cacheprovider")

    outcomes = {o.node_id: (o.outcome, o.message) for o in parse_junit(report, ["tests/test_mix.py"])}

    assert outcomes == {
        "tests/test_mix.py::test_ok": ("passed", ""),
        "tests/test_mix.py::TestGroup::test_bad": ("failed", "assert (1 + 1) == 3"),
        "tests/test_mix.py::TestGroup::test_later": ("skipped", ""),
        "tests/test_mix.py::test_needs_db": ("error", 'failed on setup with "RuntimeError: no database"'),
        "tests/test_mix.py::test_param[1]": ("passed", ""),
        "tests/test_mix.py::test_param[2]": ("failed", "assert 2 == 1"),
    }


# -- the command line ----------------------------------------------------------------------------------


def test_the_command_line_tells_its_version_and_refuses_a_bad_address() -> None:
    version = subprocess.run([sys.executable, "-m", "pytest_delta_lsp", "--version"], capture_output=True,
                             text=True, check=True)
    assert version.stdout.startswith("pytest-delta-lsp ")
    helped = subprocess.run([sys.executable, "-m", "pytest_delta_lsp", "--help"], capture_output=True,
                            text=True, check=True)
    assert "--tcp HOST:PORT" in helped.stdout
    refused = subprocess.run([sys.executable, "-m", "pytest_delta_lsp", "--tcp", "nowhere"], capture_output=True,
                             text=True, check=False)
    assert refused.returncode == 2
    assert "expected HOST:PORT" in refused.stderr


@pytest.mark.slow
def test_over_tcp_the_server_answers_and_exits_cleanly(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "pytest_delta_lsp", "--tcp", f"127.0.0.1:{port}"],
                              stderr=subprocess.PIPE, text=True)
    try:
        with Wire(port) as wire:
            initialized = wire.call(1, "initialize", {"capabilities": {}, "rootUri": tmp_path.as_uri()})
            assert initialized["result"]["serverInfo"]["name"] == "pytest-delta-lsp"
            assert initialized["result"]["capabilities"]["executeCommandProvider"]["commands"] == [
                "pytestDelta.runAffected", "pytestDelta.runTest", "pytestDelta.rebuild"]
            wire.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
            assert wire.call(2, "shutdown", None)["result"] is None
            wire.send({"jsonrpc": "2.0", "method": "exit"})
            assert server.wait(timeout=30) == 0
    finally:
        server.kill()
        stderr = server.communicate()[1]
    assert "Traceback" not in stderr


class Wire:
    """A bare JSON-RPC connection, the way an editor talks to ``--tcp``."""

    def __init__(self, port: int) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                self.socket = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.buffer = b""

    def __enter__(self) -> Wire:
        return self

    def __exit__(self, *exc: object) -> None:
        self.socket.close()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        self.socket.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def _read(self) -> dict[str, Any]:
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.socket.recv(65536)
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        while len(self.buffer) < length:
            self.buffer += self.socket.recv(65536)
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        message: dict[str, Any] = json.loads(body)
        return message

    def call(self, request_id: int, method: str, params: Any) -> dict[str, Any]:
        """Send a request; its answer (the server's notifications before it are skipped)."""
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        while (message := self._read()).get("id") != request_id or "method" in message:
            pass
        return message
