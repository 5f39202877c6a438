"""Lenses while the user types: which tests an unsaved edit affects, and what was pending."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from .conftest import SHOP, Editor, has_message, run_pytest, wait_for, write_files

CART = "tests/test_cart.py"
PRICES_TEST = "tests/test_prices.py"
USERS_TEST = "tests/test_users.py"
#: Symbol precision: the test calls the changed function, or calls one that does.
PRICE_CHANGED = "● affected: src/shop/prices.py changed"
THROUGH_TOTAL = "● affected: src/shop/prices.py changed"  # through total(): the tooltip says so
#: File level: the change cannot be pinned to a function.
FILE_CHANGED = "● affected: src/shop/prices.py changed"


pytestmark = pytest.mark.slow


async def two_price_functions(editor: Editor) -> None:
    """prices.py gets a second function, with a test of its own; the snapshot is brought up to date."""
    write_files(editor.root, {
        "src/shop/prices.py": """\
            def price(item):
                return {"apple": 3, "pear": 4}[item]


            def label(item):
                return item.title()
            """,
        "tests/test_prices.py": """\
            from shop.prices import label, price


            def test_apple():
                assert price("apple") == 3


            def test_label():
                assert label("pear") == "Pear"
            """,
    })
    assert run_pytest(editor.root, "--delta", "-q").returncode == 0


async def tooltips(editor: Editor, rel: str) -> dict[str, str | None]:
    """Lens tooltips by node id."""
    return {str(lens.command.arguments[0]): lens.command.tooltip for lens in await editor.raw_lenses(rel)
            if lens.command and lens.command.arguments and "::" in str(lens.command.arguments[0])}


async def test_index_reports_progress_and_an_unchanged_tree_has_no_lenses(editor: Editor) -> None:
    await editor.start()
    reports = [r for values in editor.client.progress_reports.values() for r in values]
    assert any(getattr(r, "kind", "") == "begin" and "Indexing" in r.title for r in reports)
    # Seven Python files and pyproject.toml (a change to it would run every test).
    assert any(getattr(r, "kind", "") == "end" and r.message == "8 files indexed" for r in reports)
    editor.open(CART)
    assert await editor.lenses(CART) == {}
    assert await editor.affected() == {"state": "ready", "snapshot": True, "tests": []}


async def test_an_unsaved_edit_of_one_function_marks_only_the_tests_that_reach_it(editor: Editor) -> None:
    await two_price_functions(editor)
    await editor.start({"debounceMs": 50})
    for rel in ("src/shop/prices.py", CART, PRICES_TEST, USERS_TEST):
        editor.open(rel)
    original = editor.texts["src/shop/prices.py"]

    editor.type("src/shop/prices.py", original.replace("[item]", ".get(item, 0)"))

    await editor.wait_lenses(CART, {
        "<file>": "▶ Run 2 affected tests",
        "tests/test_cart.py::test_total": THROUGH_TOTAL,
        "tests/test_cart.py::TestEmpty": THROUGH_TOTAL,
        "tests/test_cart.py::TestEmpty::test_nothing": THROUGH_TOTAL,
    }, "lenses on the tests that call price through total")
    # test_label imports the changed module too, but never calls price: no lens.
    assert await editor.lenses(PRICES_TEST) == {"<file>": "▶ Run 1 affected test",
                                               "tests/test_prices.py::test_apple": PRICE_CHANGED}
    assert await editor.lenses(USERS_TEST) == {}
    assert await editor.affected_ids() == {"tests/test_cart.py::test_total",
                                           "tests/test_cart.py::TestEmpty::test_nothing",
                                           "tests/test_prices.py::test_apple"}
    assert (await tooltips(editor, CART))["tests/test_cart.py::test_total"] == \
        "test_total (tests/test_cart.py) <- total (src/shop/cart.py) <- price (src/shop/prices.py, changed)"
    assert (await tooltips(editor, PRICES_TEST))["tests/test_prices.py::test_apple"] == \
        "test_apple (tests/test_prices.py) <- price (src/shop/prices.py, changed)"

    editor.type("src/shop/prices.py", original)

    await editor.wait_lenses(CART, {}, "no lenses once the edit is undone")
    assert await editor.affected_ids() == set()
    if editor.client.editor == "visual-studio-code":
        assert editor.client.refreshes >= 2  # the server asked for the lenses to be redrawn
    else:
        assert editor.client.refreshes == 0  # Neovim cannot be asked; it refreshes on its own


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_an_edit_outside_functions_marks_every_test_of_the_importers(editor: Editor) -> None:
    await two_price_functions(editor)
    await editor.start({"debounceMs": 50})
    for rel in ("src/shop/prices.py", CART, PRICES_TEST):
        editor.open(rel)

    editor.append("src/shop/prices.py", "\nDISCOUNT = 0\n")  # the module body: no name says who uses it

    await editor.wait_lenses(PRICES_TEST, {
        "<file>": "▶ Run 2 affected tests",
        "tests/test_prices.py::test_apple": FILE_CHANGED,
        "tests/test_prices.py::test_label": FILE_CHANGED,
    }, "lenses on every test of the module's importers, test_label too")
    assert await editor.lenses(CART) == {
        "<file>": "▶ Run 2 affected tests",
        "tests/test_cart.py::test_total": FILE_CHANGED,
        "tests/test_cart.py::TestEmpty": FILE_CHANGED,
        "tests/test_cart.py::TestEmpty::test_nothing": FILE_CHANGED,
    }
    assert (await tooltips(editor, CART))["tests/test_cart.py::test_total"] == (
        "import chain: tests/test_cart.py → src/shop/cart.py → src/shop/prices.py\n"
        "file level: its module body changed")
    assert len(await editor.affected_ids()) == 4


@pytest.mark.parametrize("client", ["visual-studio-code"], indirect=True)
async def test_the_precision_setting_switches_between_symbol_and_file_lenses(editor: Editor) -> None:
    await two_price_functions(editor)
    await editor.start({"debounceMs": 50})
    editor.open("src/shop/prices.py")
    editor.open(PRICES_TEST)
    editor.type("src/shop/prices.py", editor.texts["src/shop/prices.py"].replace("[item]", ".get(item, 0)"))
    await editor.wait_lenses(PRICES_TEST, {"<file>": "▶ Run 1 affected test",
                                           "tests/test_prices.py::test_apple": PRICE_CHANGED}, "symbol lenses")

    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"pytestDelta": {"precision": "file"}}))

    await editor.wait_lenses(PRICES_TEST, {
        "<file>": "▶ Run 2 affected tests",
        "tests/test_prices.py::test_apple": FILE_CHANGED,
        "tests/test_prices.py::test_label": FILE_CHANGED,
    }, "file lenses: every test of the changed module's importers")

    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"pytestDelta": {"precision": "line"}}))

    await wait_for(lambda: has_message(editor, "'precision' must be 'symbol' or 'file', got 'line'; keeping 'file'"),
                   "the message about the wrong precision")
    assert "tests/test_prices.py::test_label" in await editor.lenses(PRICES_TEST)


async def test_the_custom_request_gives_ranges_reasons_and_chains(editor: Editor) -> None:
    await editor.start({"debounceMs": 10_000})  # the request itself must apply what was typed
    editor.open("src/shop/prices.py")
    editor.type("src/shop/prices.py", editor.texts["src/shop/prices.py"].replace("[item]", ".get(item, 0)"))

    answer = await editor.affected(editor.uri(CART))

    assert answer["state"] == "ready"
    assert answer["snapshot"] is True
    file_chain = ["tests/test_cart.py", "src/shop/cart.py", "src/shop/prices.py"]
    assert answer["tests"] == [
        {"nodeId": "tests/test_cart.py::test_total", "uri": editor.uri(CART),
         "range": {"start": {"line": 3, "character": 0}, "end": {"line": 4, "character": 40}},
         "status": "affected", "reason": THROUGH_TOTAL[2:], "chain": file_chain,
         "symbols": ["test_total (tests/test_cart.py)", "total (src/shop/cart.py)",
                     "price (src/shop/prices.py, changed)"]},
        {"nodeId": "tests/test_cart.py::TestEmpty::test_nothing", "uri": editor.uri(CART),
         "range": {"start": {"line": 8, "character": 4}, "end": {"line": 9, "character": 29}},
         "status": "affected", "reason": THROUGH_TOTAL[2:], "chain": file_chain,
         "symbols": ["TestEmpty.test_nothing (tests/test_cart.py)", "total (src/shop/cart.py)",
                     "price (src/shop/prices.py, changed)"]},
    ]

    editor.append("src/shop/prices.py", "\nDISCOUNT = 0\n")
    escalated = await editor.affected(editor.uri(CART))

    assert [(t["reason"], t["chain"], t["symbols"]) for t in escalated["tests"]] == [
        ("affected: src/shop/prices.py changed", file_chain, [])] * 2


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
