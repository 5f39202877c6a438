"""The server's affected tests are exactly what ``pytest --delta`` would run, step after step."""

from __future__ import annotations

import textwrap

import pytest
from pytest_delta_lsp.testfiles import strip_params

from .conftest import Editor, delta_selection, run_pytest, wait_for, write_files

USERS = """\
def greet(name):
    return f"hello {name}"


def farewell(name):
    return 'bye ' + name
"""

PRICES = """\
def price(item):
    return {"apple": 3, "pear": 4}[item]


def cost(items):
    return len(items)
"""

MORE_TESTS = {
    "src/shop/prices.py": PRICES,
    "src/shop/users.py": USERS,
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
        from shop.users import farewell, greet


        def test_greet():
            assert greet("ann") == "hello ann"


        def test_shout():
            assert shout(greet("bo")) == "HELLO BO"


        def test_farewell():
            assert farewell("ann") == "bye ann"
        """,
    "tests/test_inherit.py": """\
        from shop.users import farewell


        class TestBase:
            def test_bye(self):
                assert farewell("x").startswith("bye") or farewell("x").startswith("farewell")


        class TestChild(TestBase):
            def test_own(self):
                pass
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

#: How each precision is chosen: on the command line and in the server's settings, or in the ini
#: file that both read.
PRECISIONS = {
    "symbol": {"args": ("--delta-precision", "symbol"), "settings": {"precision": "symbol"}, "ini": ""},
    "file": {"args": (), "settings": {}, "ini": 'delta_precision = "file"\n'},
}
PYPROJECT = "[tool.pytest.ini_options]\npythonpath = ['src']\n"


@pytest.mark.parametrize("precision", list(PRECISIONS))
@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_the_server_selects_what_pytest_delta_selects(editor: Editor, precision: str) -> None:
    chosen = PRECISIONS[precision]
    args: tuple[str, ...] = chosen["args"]  # type: ignore[assignment]
    write_files(editor.root, {**MORE_TESTS, "pyproject.toml": PYPROJECT + str(chosen["ini"])})
    assert run_pytest(editor.root, "--delta", "-q", *args).returncode == 0
    await editor.start({"rescanIntervalMs": 100, **chosen["settings"]})  # type: ignore[dict-item]

    async def agree(step: str) -> set[str]:
        expected = functions(delta_selection(editor.root, *args))
        found: list[set[str]] = []

        async def same() -> bool:
            found[:] = [functions(await editor.affected_ids())]
            return found[0] == expected

        try:
            await wait_for(same, f"the server to agree with pytest --delta after: {step}")
        except AssertionError:
            assert found[-1] == expected, step
            raise
        return expected

    assert await agree("no change (only the delta_always test runs)") == {"tests/test_health.py::test_up"}

    write_files(editor.root, {"src/shop/users.py": USERS.replace('f"hello {name}"', "'hello ' + name")})
    selected = await agree("one of a module's two functions changed")
    # Only file precision runs the test of the other function.
    assert ("tests/test_users.py::test_farewell" in selected) == (precision == "file")
    assert "tests/test_users.py::test_shout" in selected  # it calls greet through shout's argument

    write_files(editor.root, {"src/shop/prices.py": PRICES.replace("len(items)", "sum(1 for _ in items)")})
    selected = await agree("a function no test calls changed")
    # File precision runs every test of prices' importers; symbol precision does not even
    # collect them (the nested class's test, which has no unit of its own, included).
    assert ("tests/test_prices.py::TestPrices::TestNested::test_pear" in selected) == (precision == "file")

    write_files(editor.root, {"src/shop/prices.py": "def price(item):\n    return {'apple': 3, 'pear': 5}[item]\n"})
    assert run_pytest(editor.root, "--delta", "-q", "-x", *args).returncode == 1  # stops early: the rest is pending
    await agree("a run that failed and stopped early")

    write_files(editor.root, {"tests/conftest.py": textwrap.dedent(MORE_TESTS["tests/conftest.py"]) + "\nLIMIT = 3\n"})
    await agree("the tests' conftest.py changed")

    assert run_pytest(editor.root, "--delta", "-q", *args).returncode == 1  # test_total still fails: pending

    write_files(editor.root, {"tests/conftest.py": textwrap.dedent(MORE_TESTS["tests/conftest.py"]).replace(
        'return ["apple"]', 'return list(["apple"])') + "\nLIMIT = 3\n"})
    await agree("a fixture's body changed")

    write_files(editor.root, {"src/shop/users.py": USERS.replace("'bye '", "'farewell '")})
    await agree("a function that a base test class uses changed")

    write_files(editor.root, {
        "src/shop/discounts.py": "RATE = 0.1\n",
        "src/shop/cart.py": "from shop.discounts import RATE\nfrom shop.prices import price\n\n\n"
                            "def total(items):\n    return sum(price(item) for item in items)\n",
    })
    await agree("a new module, imported by a changed one")

    write_files(editor.root, {"pyproject.toml": PYPROJECT + str(chosen["ini"]) + "addopts = ''\n"})
    await agree("the configuration changed (every test runs)")
