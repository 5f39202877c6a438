"""Lenses while the user types: which tests an unsaved edit affects, and what was pending."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from .conftest import SHOP, Editor, run_pytest, write_files

CART = "tests/test_cart.py"
PRICES_TEST = "tests/test_prices.py"
USERS_TEST = "tests/test_users.py"
PRICES_CHANGED = "● affected: src/shop/prices.py changed"


pytestmark = pytest.mark.slow


async def test_index_reports_progress_and_an_unchanged_tree_has_no_lenses(editor: Editor) -> None:
    await editor.start()
    reports = [r for values in editor.client.progress_reports.values() for r in values]
    assert any(getattr(r, "kind", "") == "begin" and "Indexing" in r.title for r in reports)
    # Seven Python files and pyproject.toml (a change to it would run every test).
    assert any(getattr(r, "kind", "") == "end" and r.message == "8 files indexed" for r in reports)
    editor.open(CART)
    assert await editor.lenses(CART) == {}
    assert await editor.affected() == {"state": "ready", "snapshot": True, "tests": []}


async def test_an_unsaved_edit_shows_exactly_its_tests_and_undoing_it_removes_them(editor: Editor) -> None:
    await editor.start({"debounceMs": 50})
    for rel in ("src/shop/prices.py", CART, PRICES_TEST, USERS_TEST):
        editor.open(rel)
    original = editor.texts["src/shop/prices.py"]

    editor.append("src/shop/prices.py", "\nDISCOUNT = 0\n")

    await editor.wait_lenses(CART, {
        "<file>": "▶ Run 2 affected tests",
        "tests/test_cart.py::test_total": PRICES_CHANGED,
        "tests/test_cart.py::TestEmpty": PRICES_CHANGED,
        "tests/test_cart.py::TestEmpty::test_nothing": PRICES_CHANGED,
    }, "lenses on the tests that import prices through cart")
    assert await editor.lenses(PRICES_TEST) == {"<file>": "▶ Run 1 affected test",
                                               "tests/test_prices.py::test_apple": PRICES_CHANGED}
    assert await editor.lenses(USERS_TEST) == {}
    assert await editor.affected_ids() == {"tests/test_cart.py::test_total",
                                           "tests/test_cart.py::TestEmpty::test_nothing",
                                           "tests/test_prices.py::test_apple"}
    tooltips = {lens.command.arguments[0]: lens.command.tooltip
                for lens in await editor.raw_lenses(CART) if lens.command and lens.command.arguments
                and "::" in str(lens.command.arguments[0])}
    assert tooltips["tests/test_cart.py::test_total"] == \
        "import chain: tests/test_cart.py → src/shop/cart.py → src/shop/prices.py"

    editor.type("src/shop/prices.py", original)

    await editor.wait_lenses(CART, {}, "no lenses once the edit is undone")
    assert await editor.affected_ids() == set()
    if editor.client.editor == "visual-studio-code":
        assert editor.client.refreshes >= 2  # the server asked for the lenses to be redrawn
    else:
        assert editor.client.refreshes == 0  # Neovim cannot be asked; it refreshes on its own


async def test_the_custom_request_gives_ranges_reasons_and_chains(editor: Editor) -> None:
    await editor.start({"debounceMs": 10_000})  # the request itself must apply what was typed
    editor.open("src/shop/prices.py")
    editor.append("src/shop/prices.py", "\n\n")

    answer = await editor.affected(editor.uri(CART))

    assert answer["state"] == "ready"
    assert answer["snapshot"] is True
    assert answer["tests"] == [
        {"nodeId": "tests/test_cart.py::test_total", "uri": editor.uri(CART),
         "range": {"start": {"line": 3, "character": 0}, "end": {"line": 4, "character": 40}},
         "status": "affected", "reason": "affected: src/shop/prices.py changed",
         "chain": ["tests/test_cart.py", "src/shop/cart.py", "src/shop/prices.py"]},
        {"nodeId": "tests/test_cart.py::TestEmpty::test_nothing", "uri": editor.uri(CART),
         "range": {"start": {"line": 8, "character": 4}, "end": {"line": 9, "character": 29}},
         "status": "affected", "reason": "affected: src/shop/prices.py changed",
         "chain": ["tests/test_cart.py", "src/shop/cart.py", "src/shop/prices.py"]},
    ]


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_without_a_snapshot_every_test_is_not_yet_run(client: object, tmp_path: Path) -> None:
    root = tmp_path / "shop"
    write_files(root, SHOP)
    editor = Editor(client, root)  # type: ignore[arg-type]
    await editor.start()
    editor.open(USERS_TEST)

    assert await editor.lenses(USERS_TEST) == {
        "<file>": "▶ Run 1 affected test",
        "tests/test_users.py::test_greet": "● not yet run (no snapshot .delta.msgpack yet)",
    }
    answer = await editor.affected()
    assert answer["snapshot"] is False
    assert len(answer["tests"]) == 4


@pytest.mark.parametrize("client", ["visual-studio-code"], indirect=True)
async def test_a_failed_test_and_a_deselected_one_stay_marked_until_they_pass(editor: Editor) -> None:
    write_files(editor.root, {"src/shop/prices.py": """\
        def price(item):
            return {"apple": 3, "pear": 5}[item]
        """})
    run = run_pytest(editor.root, "--delta", "-q", "-k", "cart")
    assert run.returncode == 1  # test_total fails; test_apple is deselected by -k
    await editor.start()
    editor.open(CART)
    editor.open(PRICES_TEST)

    assert await editor.lenses(CART) == {"<file>": "▶ Run 1 affected test",
                                         "tests/test_cart.py::test_total": "✗ failed last run"}
    assert await editor.lenses(PRICES_TEST) == {"<file>": "▶ Run 1 affected test",
                                                "tests/test_prices.py::test_apple": "● not yet run"}


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_a_delta_always_test_is_always_marked(editor: Editor) -> None:
    write_files(editor.root, {"tests/test_health.py": """\
        import pytest


        @pytest.mark.delta_always
        def test_up():
            pass


        def test_other():
            pass
        """})
    assert run_pytest(editor.root, "--delta", "-q").returncode == 0
    await editor.start()
    editor.open("tests/test_health.py")

    assert await editor.lenses("tests/test_health.py") == {
        "<file>": "▶ Run 1 affected test",
        "tests/test_health.py::test_up": "● always runs (delta_always)",
    }
    assert await editor.affected_ids() == {"tests/test_health.py::test_up"}


@pytest.mark.parametrize("client", ["visual-studio-code"], indirect=True)
async def test_until_the_first_index_is_done_lenses_and_answers_say_so(client: object, tmp_path: Path) -> None:
    root = tmp_path / "big"
    files = {f"src/pkg{i // 100}/mod{i}.py": f"import os\nVALUE = {i}\n" for i in range(4000)}
    files.update({f"src/pkg{i}/__init__.py": "" for i in range(40)})
    files["tests/test_big.py"] = "from pkg1 import mod100\n\n\ndef test_value():\n    assert mod100.VALUE == 100\n"
    write_files(root, files)
    editor = Editor(client, root)  # type: ignore[arg-type]
    await editor.client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri()))
    editor.open("tests/test_big.py")

    assert await editor.lenses("tests/test_big.py") == {"<notice>": "◌ pytest-delta: indexing…"}
    assert await editor.affected() == {"state": "indexing", "snapshot": False, "tests": []}

    await editor.wait_lenses("tests/test_big.py", {
        "<file>": "▶ Run 1 affected test",
        "tests/test_big.py::test_value": "● not yet run (no snapshot .delta.msgpack yet)"}, "the index to finish")
    reports = [r for values in editor.client.progress_reports.values() for r in values]
    # Parsed once per distinct content: the forty empty __init__.py files are one.
    assert "Indexing 4,002/4,002 files" in [getattr(r, "message", None) for r in reports]
