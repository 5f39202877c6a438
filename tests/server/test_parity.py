"""The server's affected tests are exactly what ``pytest --delta`` would run, step after step."""

from __future__ import annotations

import textwrap

import pytest
from pytest_delta_lsp.testfiles import strip_params

from .conftest import Editor, delta_selection, run_pytest, wait_for, write_files

MORE_TESTS = {
    "tests/conftest.py": """\
        import pytest


        @pytest.fixture
        def basket():
            return ["apple"]
        """,
    "tests/helpers.py": """\
        def shout(text):
            return text.upper()
        """,
    "tests/test_users.py": """\
        from helpers import shout
        from shop.users import greet


        def test_greet():
            assert greet("ann") == "hello ann"


        def test_shout():
            assert shout(greet("bo")) == "HELLO BO"
        """,
    "tests/test_prices.py": """\
        import pytest

        from shop.prices import price


        def test_apple():
            assert price("apple") == 3


        @pytest.mark.parametrize("item", ["apple", "pear"])
        def test_positive(item):
            assert price(item) > 0


        class TestPrices:
            class TestNested:
                def test_pear(self):
                    assert price("pear") == 4
        """,
    "tests/test_health.py": """\
        import pytest


        @pytest.mark.delta_always
        def test_up():
            pass


        def test_quiet():
            pass
        """,
    "tests/test_basket.py": """\
        def test_basket(basket):
            assert basket == ["apple"]
        """,
}


def functions(node_ids: set[str]) -> set[str]:
    """Node ids without parametrization: the server finds tests in the source, where
    ``test_positive[apple]`` and ``test_positive[pear]`` are one function."""
    return {strip_params(n) for n in node_ids}


pytestmark = pytest.mark.slow


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_the_server_selects_what_pytest_delta_selects(editor: Editor) -> None:
    write_files(editor.root, MORE_TESTS)
    assert run_pytest(editor.root, "--delta", "-q").returncode == 0
    await editor.start({"rescanIntervalMs": 100})

    async def agree(step: str) -> None:
        expected = functions(delta_selection(editor.root))
        found: list[set[str]] = []

        async def same() -> bool:
            found[:] = [functions(await editor.affected_ids())]
            return found[0] == expected

        try:
            await wait_for(same, f"the server to agree with pytest --delta after: {step}")
        except AssertionError:
            assert found[-1] == expected, step
            raise

    await agree("no change (only the delta_always test runs)")

    write_files(editor.root, {"src/shop/users.py": "def greet(name):\n    return 'hello ' + name\n"})
    await agree("a module changed")

    write_files(editor.root, {"src/shop/prices.py": "def price(item):\n    return {'apple': 3, 'pear': 5}[item]\n"})
    assert run_pytest(editor.root, "--delta", "-q", "-x").returncode == 1  # stops early: the rest is pending
    await agree("a run that failed and stopped early")

    write_files(editor.root, {"tests/conftest.py": textwrap.dedent(MORE_TESTS["tests/conftest.py"]) + "\nLIMIT = 3\n"})
    await agree("the tests' conftest.py changed")

    assert run_pytest(editor.root, "--delta", "-q").returncode == 1  # test_total still fails: pending

    write_files(editor.root, {
        "src/shop/discounts.py": "RATE = 0.1\n",
        "src/shop/cart.py": "from shop.discounts import RATE\nfrom shop.prices import price\n\n\n"
                            "def total(items):\n    return sum(price(item) for item in items)\n",
    })
    await agree("a new module, imported by a changed one")

    write_files(editor.root, {"pyproject.toml": "[tool.pytest.ini_options]\npythonpath = ['src']\n"})
    await agree("the configuration changed (every test runs)")
