"""The Neovim plugin (editors/neovim) in a real headless Neovim, against the real language server, on
Neovim 0.11 and on Debian's 0.7."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from . import neovim_session as nv
from . import tools
from .tools import Neovim

pytestmark = pytest.mark.slow

AFFECTED = "● affected: src/shop/cart.py changed"
CART_RETURN_LINE = 4  # 0-based: "    return with_vat(sum(prices))"
ORIGINAL_RETURN = "    return with_vat(sum(prices))"
#: Drops the first price: test_total (line 3) fails, test_empty_cart (line 7) still passes.
BROKEN_RETURN = "    return with_vat(sum(prices[1:]))"


#: The quickfix entries as "file:line: text", in order.
QUICKFIX_TEXTS = "return vim.tbl_map(function(item) return item.text end, vim.fn.getqflist())"


def setup_options(**extra: object) -> dict[str, object]:
    return {"interpreter": sys.executable, "debounce_ms": 100, **extra}


def test_lenses_follow_an_unsaved_edit_of_a_source_module(neovim: Neovim, shop: Path) -> None:
    scenario = nv.run(neovim, shop, [
        nv.edit("tests/test_cart.py"),
        nv.split("tests/test_pricing.py"),
        nv.split("src/shop/cart.py"),
        nv.wait_attached("src/shop/cart.py"),
        nv.set_lines("src/shop/cart.py", CART_RETURN_LINE, CART_RETURN_LINE + 1, [BROKEN_RETURN]),
        nv.wait_lenses("tests/test_cart.py", [(0, "▶ Run 2 affected tests"), (3, AFFECTED), (7, AFFECTED)]),
        nv.wait_lenses("tests/test_pricing.py", []),
        nv.command("DeltaAffected"),
        nv.wait_eval(QUICKFIX_TEXTS, [
            "tests/test_cart.py::test_total: affected: src/shop/cart.py changed",
            "tests/test_cart.py::test_empty_cart: affected: src/shop/cart.py changed",
        ]),
        nv.set_lines("src/shop/cart.py", CART_RETURN_LINE, CART_RETURN_LINE + 1, [ORIGINAL_RETURN]),
        nv.wait_lenses("tests/test_cart.py", []),
    ], setup_options())

    assert scenario.error is None, scenario.report()
    assert scenario.observed(5) == [[0, "▶ Run 2 affected tests"], [3, AFFECTED], [7, AFFECTED]], scenario.report()
    lenses = {lens["line"]: lens for lens in scenario.step(5)["received"]}
    assert lenses[3]["command"] == "pytestDelta.runTest"
    assert lenses[3]["arguments"] == ["tests/test_cart.py::test_total"]
    assert scenario.observed(6) == [], scenario.report()
    assert scenario.observed(8) == [
        "tests/test_cart.py::test_total: affected: src/shop/cart.py changed",
        "tests/test_cart.py::test_empty_cart: affected: src/shop/cart.py changed",
    ], ":DeltaAffected lists them in the quickfix list\n" + scenario.report()
    assert scenario.observed(10) == [], "undoing the edit removes the lenses\n" + scenario.report()
    assert "prices[1:]" not in (shop / "src/shop/cart.py").read_text(), "the edit was never saved"


def test_run_test_and_run_affected_show_the_failure_as_a_diagnostic(neovim: Neovim, shop: Path) -> None:
    not_run = "● not yet run"
    scenario = nv.run(neovim, shop, [
        nv.edit("src/shop/cart.py"),
        nv.wait_attached("src/shop/cart.py"),
        nv.set_lines("src/shop/cart.py", CART_RETURN_LINE, CART_RETURN_LINE + 1, [BROKEN_RETURN]),
        nv.write("src/shop/cart.py"),
        nv.split("tests/test_cart.py"),
        nv.wait_lenses("tests/test_cart.py", [(0, "▶ Run 2 affected tests"), (3, AFFECTED), (7, AFFECTED)]),
        # The cursor in the body of test_total: :DeltaRunTest runs that test alone, and it fails.
        nv.focus("tests/test_cart.py", line=4),
        nv.command("DeltaRunTest"),
        nv.wait_run_finished(),
        nv.wait_diagnostics("tests/test_cart.py", [(3, "assert 2.4 == 3.6")]),
        nv.wait_lenses("tests/test_cart.py", [
            (0, "▶ Run 2 affected tests"), (3, "✗ failed last run"), (7, not_run),
        ]),
        # :DeltaRunAffected runs both: test_empty_cart passes and loses its lens, test_total still fails.
        nv.command("DeltaRunAffected"),
        nv.wait_run_finished(),
        nv.wait_lenses("tests/test_cart.py", [(0, "▶ Run 1 affected test"), (3, "✗ failed last run")]),
        nv.wait_diagnostics("tests/test_cart.py", [(3, "assert 2.4 == 3.6")]),
    ], setup_options())

    assert scenario.error is None, scenario.report()
    assert scenario.observed(8) == {
        "what": "running tests/test_cart.py::test_total", "ok": True, "status": "failed", "message": "1 failed",
    }, scenario.report()
    [diagnostic] = scenario.observed(9)
    assert diagnostic["line"] == 3
    assert "assert 2.4 == 3.6" in diagnostic["message"]
    assert diagnostic["severity"] == 1  # vim.diagnostic.severity.ERROR
    assert scenario.observed(10) == [
        [0, "▶ Run 2 affected tests"], [3, "✗ failed last run"], [7, not_run],
    ], scenario.report()
    assert scenario.observed(12) == {
        "what": "running the affected tests", "ok": True, "status": "failed", "message": "1 failed, 1 passed",
    }, scenario.report()
    assert scenario.observed(13) == [[0, "▶ Run 1 affected test"], [3, "✗ failed last run"]], scenario.report()
    assert [d["line"] for d in scenario.observed(14)] == [3], scenario.report()


def test_checkhealth_reports_the_server_its_version_and_the_root(neovim: Neovim, shop: Path) -> None:
    scenario = nv.run(neovim, shop, [
        nv.edit("tests/test_cart.py"),
        nv.wait_attached("tests/test_cart.py"),
        nv.health(),
    ], setup_options())

    assert scenario.error is None, scenario.report()
    report = "\n".join(scenario.observed(2))
    assert "ERROR" not in report, report
    if neovim.version >= (0, 11, 0):
        expected_path = "vim.lsp.config / vim.lsp.enable"
    elif neovim.version >= (0, 8, 0):
        expected_path = "vim.lsp.start"
    else:
        expected_path = "vim.lsp.start_client + buf_attach_client"
    assert re.search(f"the server is started with {re.escape(expected_path)}$", report, re.MULTILINE), report
    assert f"server: {sys.executable} -m pytest_delta_lsp (pytest-delta-lsp " in report, report
    assert f"project root: {shop} (for tests/test_cart.py)" in report, report
    assert f"running for {shop}" in report, report


def test_checkhealth_says_how_to_install_a_missing_server(neovim: Neovim, shop: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-venv" / "bin" / "python"
    scenario = nv.run(neovim, shop, [nv.health()], setup_options(interpreter=str(missing)))

    assert scenario.error is None, scenario.report()
    report = "\n".join(scenario.observed(0))
    assert f"server command not found: {missing} -m pytest_delta_lsp" in report, report
    assert f"{missing} -m pip install 'pytest-delta[lsp]'" in report, report
    assert any(f'"{missing}" was not found' in note["message"] for note in scenario.notifications), scenario.report()


def test_setup_after_the_python_buffer_opened_still_attaches_it(neovim: Neovim, shop: Path) -> None:
    """What lazy-loading on `ft = "python"` does: the plugin is set up while the first buffer is open."""
    setup = f"require('pytest_delta').setup(vim.fn.json_decode({json.dumps(json.dumps(setup_options()))}))"
    scenario = nv.run(neovim, shop, [
        nv.edit("tests/test_cart.py"),
        nv.evaluate(setup),
        nv.wait_attached("tests/test_cart.py"),
        nv.split("src/shop/cart.py"),
        nv.wait_attached("src/shop/cart.py"),
    ])

    assert scenario.error is None, scenario.report()
    assert scenario.observed(2) is True, scenario.report()
    assert scenario.observed(4) is True, scenario.report()


def test_default_mappings_can_be_turned_off(neovim: Neovim, shop: Path) -> None:
    with_defaults = nv.run(neovim, shop, [
        nv.edit("tests/test_cart.py"), nv.wait_attached("tests/test_cart.py"), nv.mappings("tests/test_cart.py"),
    ], setup_options())
    turned_off = nv.run(neovim, shop, [
        nv.edit("tests/test_cart.py"), nv.wait_attached("tests/test_cart.py"), nv.mappings("tests/test_cart.py"),
    ], setup_options(mappings=False))

    assert with_defaults.observed(2) == [
        "pytest-delta: run affected tests",
        "pytest-delta: run the code lens on this line",
        "pytest-delta: run the test under the cursor",
    ], with_defaults.report()
    assert turned_off.observed(2) == [], turned_off.report()


def test_options_are_checked_and_the_server_command_resolved(neovim: Neovim, shop: Path) -> None:
    resolve = "return {{ require('pytest_delta.config').resolve_cmd({}, function() return {} end) }}"
    scenario = nv.run(neovim, shop, [
        nv.evaluate(resolve.format("{ interpreter = '/venv/bin/python' }", "true")),
        nv.evaluate(resolve.format("{ cmd = { '/opt/lsp', '-v' }, interpreter = '/venv/bin/python' }", "true")),
        nv.evaluate(resolve.format("{}", "true")),
        nv.evaluate(resolve.format("{}", "false")),
        nv.evaluate("local _, problems = require('pytest_delta.config').merge("
                    "{ debounce_ms = 'fast', colour = 'red' }); table.sort(problems); return problems"),
        nv.evaluate("return require('pytest_delta.config').server_settings("
                    "require('pytest_delta.config').merge({ pytest_args = { '-x' }, delta_file = 'd.msgpack' }))"),
    ], {})

    assert scenario.error is None, scenario.report()
    assert scenario.observed(0) == [["/venv/bin/python", "-m", "pytest_delta_lsp"], "interpreter"]
    assert scenario.observed(1) == [["/opt/lsp", "-v"], "cmd"]
    assert scenario.observed(2) == [["pytest-delta-lsp"], "PATH"]
    assert scenario.observed(3) == [["python3", "-m", "pytest_delta_lsp"], "default"]
    assert scenario.observed(4) == [
        'option "debounce_ms" must be a number >= 0; using the default',
        'unknown option "colour" ignored',
    ]
    assert scenario.observed(5) == {"pytestArgs": ["-x"], "deltaFile": "d.msgpack"}


def test_the_readme_sample_init_lua_works_as_written(neovim: Neovim, shop: Path) -> None:
    sample = tools.EDITORS / "neovim" / "examples" / "minimal_init.lua"
    # As after `pip install 'pytest-delta[lsp]'` in an activated virtualenv: the server is on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    scenario = nv.run(neovim, shop, [
        nv.edit("tests/test_cart.py"),
        nv.split("src/shop/cart.py"),
        nv.wait_attached("src/shop/cart.py"),
        nv.set_lines("src/shop/cart.py", CART_RETURN_LINE, CART_RETURN_LINE + 1, [BROKEN_RETURN]),
        nv.wait_lenses("tests/test_cart.py", [(0, "▶ Run 2 affected tests"), (3, AFFECTED), (7, AFFECTED)]),
        nv.evaluate("return require('pytest_delta').status().cmd"),
    ], user_init=sample, extra_env={"PYTEST_DELTA_CHECKOUT": str(tools.REPO), "PATH": path})

    assert scenario.error is None, scenario.report()
    assert scenario.observed(4) == [[0, "▶ Run 2 affected tests"], [3, AFFECTED], [7, AFFECTED]], scenario.report()
    assert scenario.observed(5) == ["pytest-delta-lsp"], "the server found on PATH"
