"""Symbol precision on real projects: which tests an edit selects, and every rule that widens the
selection where precision cannot be proven.

Each scenario builds a project, takes the snapshot a first run leaves, edits a file like a user
would and asks the workspace again. The escalation tests each describe the test that would fail
after the edit; the assertion is that it is selected (and, where it says so, that a test the edit
cannot reach is not: otherwise "select everything" would pass them all).

Which tests run is computed as ``pytest --delta`` decides it (session.py): a file is collected
when it is affected whole or has an affected unit; a test of it runs when
:meth:`SymbolSelection.selects` says so for its unit (None for a test that is not one of the
file's own functions or methods: inherited, imported, a doctest).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import pytest
from pytest_delta.engine import EngineOptions, Snapshot, Workspace
from pytest_delta.engine.precision import SymbolSelection
from pytest_delta.engine.symbols import Unit

from .conftest import Project

#: A re-exporting package: ``shop/__init__`` imports every module, so every test file depends
#: on every module and file-level selection runs them all after any edit.
SHOP = {
    "src/shop/__init__.py": """\
        from .cart import Cart, total
        from .catalog import find
        from .money import Money, cents

        __all__ = ["Cart", "Money", "cents", "find", "total"]
        """,
    "src/shop/money.py": """\
        class Money:
            def __init__(self, amount):
                self.amount = amount

            def __eq__(self, other):
                return isinstance(other, Money) and self.amount == other.amount

            def __add__(self, other):
                return Money(self.amount + other.amount)

            def label(self):
                return f"{self.amount / 100:.2f}"


        def cents(price):
            return round(price * 100)
        """,
    "src/shop/cart.py": """\
        from .money import Money, cents


        class Cart:
            def __init__(self):
                self.prices = []

            def add(self, price):
                self.prices.append(price)
                return self

            def size(self):
                return len(self.prices)


        def total(prices):
            return Money(sum(cents(p) for p in prices))
        """,
    "src/shop/catalog.py": """\
        PRICES = {"apple": 0.5, "pear": 0.75}


        def find(name):
            return PRICES.get(name)
        """,
    "tests/test_money.py": """\
        from shop import Money, cents


        def test_cents():
            assert cents(1.25) == 125


        def test_equal():
            assert Money(5) == Money(5)


        def test_sum():
            assert (Money(1) + Money(2)).amount == 3


        def test_label():
            assert Money(150).label() == "1.50"
        """,
    "tests/test_cart.py": """\
        import shop


        def test_total():
            assert shop.total([0.5, 0.25]).amount == 75


        def test_count():
            assert shop.Cart().add(1).add(2).size() == 2


        class TestEmpty:
            def test_no_items(self):
                assert shop.Cart().size() == 0

            def test_zero(self):
                assert shop.total([]).amount == 0
        """,
    "tests/test_catalog.py": """\
        from shop import find


        def test_apple():
            assert find("apple") == 0.5


        def test_unknown():
            assert find("kiwi") is None
        """,
}
SHOP_TESTS = frozenset({
    "tests/test_money.py::test_cents", "tests/test_money.py::test_equal", "tests/test_money.py::test_sum",
    "tests/test_money.py::test_label", "tests/test_cart.py::test_total", "tests/test_cart.py::test_count",
    "tests/test_cart.py::TestEmpty::test_no_items", "tests/test_cart.py::TestEmpty::test_zero",
    "tests/test_catalog.py::test_apple", "tests/test_catalog.py::test_unknown",
})


# -- the scenario language ------------------------------------------------------------------------


def build(project: Project, *file_sets: Mapping[str, str], options: EngineOptions | None = None) -> Snapshot:
    """Write the files and return the snapshot a first run leaves behind."""
    for files in file_sets:
        for relpath, text in files.items():
            project.write(relpath, text)
    return project.baseline(options)


def edit(project: Project, relpath: str, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in a file (``old`` and ``new`` are dedented)."""
    path = project.root / relpath
    text = path.read_text(encoding="utf-8")
    old, new = textwrap.dedent(old), textwrap.dedent(new)
    assert text.count(old) == 1, f"{old!r} must occur once in {relpath}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def after(project: Project, baseline: Snapshot) -> tuple[Workspace, SymbolSelection]:
    workspace = project.workspace(baseline)
    selection = workspace.symbol_selection()
    assert selection is not None
    return workspace, selection


def _is_test(unit: Unit) -> bool:
    return unit.short_name.startswith("test") and (unit.class_name or "Test").startswith("Test")


def _node_id(path: str, unit: str) -> str:
    return f"{path}::{unit.replace('.', '::')}"


def selected(workspace: Workspace, unknown: Mapping[str, Iterable[str]] | None = None) -> frozenset[str]:
    """The tests ``pytest --delta`` (symbol precision) runs: those of the files it collects
    (affected whole, with an affected unit, or binding an affected name) that
    :meth:`SymbolSelection.selects`. ``unknown`` adds, per file, tests that are not the file's own
    functions (inherited, imported, doctests): pytest sees them there, the engine sees no unit."""
    selection = workspace.symbol_selection()
    assert selection is not None
    kept = selection.whole_files.keys() | selection.units.keys() | selection.bound_files
    collected = kept & workspace.affected.keys()
    out = set()
    for path in collected:
        table = workspace.symbols_of(path)
        if path.rpartition("/")[2].startswith("test_") and table is not None:
            out.update(_node_id(path, u.name) for u in table.units if _is_test(u) and selection.selects(path, u.name))
        out.update(f"{path}::{name}" for name in (unknown or {}).get(path, ()) if selection.selects(path, None))
    return frozenset(out)


def file_level(workspace: Workspace) -> frozenset[str]:
    """The tests file precision runs: every test of every affected test file."""
    out = set()
    for path in workspace.affected:
        table = workspace.symbols_of(path)
        if path.rpartition("/")[2].startswith("test_") and table is not None:
            out.update(_node_id(path, u.name) for u in table.units if _is_test(u))
    return frozenset(out)


@pytest.fixture
def shop(project: Project) -> tuple[Project, Snapshot]:
    return project, build(project, SHOP)


# -- precision: what an edit reaches, and nothing else ---------------------------------------------


def test_single_function_edit_in_a_re_exporting_package_selects_only_the_tests_that_reach_it(
        shop: tuple[Project, Snapshot]) -> None:
    project, baseline = shop
    edit(project, "src/shop/catalog.py", "return PRICES.get(name)", "return PRICES.get(name.lower())")

    workspace, selection = after(project, baseline)

    assert file_level(workspace) == SHOP_TESTS, "every test file imports the package, so file level runs all"
    assert selected(workspace) == {"tests/test_catalog.py::test_apple", "tests/test_catalog.py::test_unknown"}
    assert selection.escalations == {}
    assert selection.whole_files == {}


def test_an_edit_reaches_tests_through_the_functions_that_call_the_changed_one(
        shop: tuple[Project, Snapshot]) -> None:
    """``cents`` is called by the tests of ``cents`` and, through ``total``, by the tests of
    ``total``; the ``Money`` tests never reach it."""
    project, baseline = shop
    edit(project, "src/shop/money.py", "return round(price * 100)", "return int(price * 100)")

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {
        "tests/test_money.py::test_cents", "tests/test_cart.py::test_total",
        "tests/test_cart.py::TestEmpty::test_zero",
    }


def test_a_method_edit_selects_the_tests_that_name_the_method(shop: tuple[Project, Snapshot]) -> None:
    project, baseline = shop
    edit(project, "src/shop/cart.py", "return len(self.prices)", "return len(self.prices) - 1")

    workspace, selection = after(project, baseline)

    assert selected(workspace) == {"tests/test_cart.py::test_count", "tests/test_cart.py::TestEmpty::test_no_items"}
    assert "Cart" not in selection.names, "a method called by its name does not affect its whole class"


def test_a_test_edit_selects_that_test_alone(shop: tuple[Project, Snapshot]) -> None:
    project, baseline = shop
    edit(project, "tests/test_cart.py", "add(1).add(2).size() == 2", "add(1).size() == 1")

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {"tests/test_cart.py::test_count"}


def test_the_callers_of_a_removed_function_and_a_new_test_are_selected(project: Project) -> None:
    baseline = build(project, {
        "src/calc.py": "def double(x):\n    return 2 * x\n\n\ndef half(x):\n    return x / 2\n",
        "tests/test_calc.py": """\
            from calc import double, half


            def test_double():
                assert double(2) == 4


            def test_half():
                assert half(4) == 2
            """,
    })
    edit(project, "src/calc.py", "def half(x):\n    return x / 2\n", "def halve(x):\n    return x / 2\n")
    project.write("tests/test_calc.py", (project.root / "tests/test_calc.py").read_text()
                  + "\n\ndef test_halve():\n    from calc import halve\n    assert halve(4) == 2\n")

    workspace, _ = after(project, baseline)

    assert {"tests/test_calc.py::test_half", "tests/test_calc.py::test_halve"} <= selected(workspace)


TRANSITIVE = {
    "src/core/__init__.py": "",
    "src/core/rates.py": """\
        def base_rate():
            return 0.2


        def unused_rate():
            return 0.0
        """,
    "src/core/pricing.py": """\
        from core.rates import base_rate


        def with_tax(amount):
            return amount * (1 + base_rate())


        def plain(amount):
            return amount
        """,
    "src/core/invoice.py": """\
        from core import pricing


        def invoice_total(lines):
            return sum(pricing.with_tax(line) for line in lines)


        def invoice_count(lines):
            return len(lines)
        """,
    "tests/test_invoice.py": """\
        from core.invoice import invoice_count, invoice_total


        def test_total():
            assert invoice_total([100]) == 120


        def test_count():
            assert invoice_count([1, 2]) == 2
        """,
    "tests/test_pricing.py": """\
        from core.pricing import plain


        def test_plain():
            assert plain(3) == 3
        """,
}


def test_a_change_travels_through_helper_functions_across_modules(project: Project) -> None:
    """rates.base_rate <- pricing.with_tax <- invoice.invoice_total <- test_total: a fixpoint over
    three modules; the tests of the functions beside them stay deselected."""
    baseline = build(project, TRANSITIVE)
    edit(project, "src/core/rates.py", "return 0.2", "return 0.25")

    workspace, selection = after(project, baseline)

    assert selected(workspace) == {"tests/test_invoice.py::test_total"}
    assert set(workspace.affected) >= {"tests/test_invoice.py", "tests/test_pricing.py"}
    assert selection.explain("tests/test_invoice.py", "test_total") == [
        "test_total (tests/test_invoice.py)",
        "invoice_total (src/core/invoice.py)",
        "with_tax (src/core/pricing.py)",
        "base_rate (src/core/rates.py, changed)",
    ]


def test_explain_of_a_changed_test_and_of_a_unit_nothing_reached(project: Project) -> None:
    baseline = build(project, TRANSITIVE)
    edit(project, "tests/test_invoice.py", "invoice_count([1, 2]) == 2", "invoice_count([]) == 0")

    _, selection = after(project, baseline)

    assert selection.explain("tests/test_invoice.py", "test_count") == ["test_count (tests/test_invoice.py, changed)"]
    assert selection.explain("tests/test_invoice.py", "test_total") == ["test_total (tests/test_invoice.py)"]
    assert not selection.selects("tests/test_invoice.py", "test_total")


def test_no_symbol_selection_without_a_baseline_or_after_a_configuration_change(project: Project) -> None:
    baseline = build(project, TRANSITIVE, {"pyproject.toml": "[tool.pytest.ini_options]\n"})
    assert Workspace(project.root, None).symbol_selection() is None

    edit(project, "pyproject.toml", "[tool.pytest.ini_options]\n", "[tool.pytest.ini_options]\naddopts = '-x'\n")
    workspace = project.workspace(baseline)

    assert workspace.symbol_selection() is None


# -- escalation: the module body ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('PRICES = {"apple": 0.5, "pear": 0.75}', 'PRICES = {"apple": 0.55, "pear": 0.75}'),
        ("def find(name):", "def find(name=DEFAULT):"),
        ('PRICES = {"apple": 0.5, "pear": 0.75}', 'PRICES = {"apple": 0.5, "pear": 0.75}\nPRICES.pop("apple")'),
    ],
    ids=["constant", "default-value", "statement"],
)
def test_a_module_body_edit_selects_every_test_of_every_importer(
        shop: tuple[Project, Snapshot], old: str, new: str) -> None:
    """``test_apple`` fails after each edit, yet no function changed: ``find`` reads ``PRICES``
    at call time, and a default is evaluated at import (an undefined one breaks every importer)."""
    project, baseline = shop
    edit(project, "src/shop/catalog.py", old, new)

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"src/shop/catalog.py": "its module body changed"}
    assert "tests/test_catalog.py::test_apple" in selected(workspace)
    assert selected(workspace) == file_level(workspace)


def test_a_class_attribute_edit_escalates_the_module(project: Project) -> None:
    """The class body outside methods runs at import: ``Cart.limit`` is read by ``add``."""
    baseline = build(project, {
        "src/cart.py": """\
            class Cart:
                limit = 3

                def add(self, items, item):
                    return items + [item] if len(items) < self.limit else items
            """,
        "tests/test_cart.py": """\
            from cart import Cart


            def test_fourth_item_is_refused():
                assert Cart().add([1, 2, 3], 4) == [1, 2, 3]
            """,
    })
    edit(project, "src/cart.py", "limit = 3", "limit = 5")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"src/cart.py": "its module body changed"}
    assert selected(workspace) == {"tests/test_cart.py::test_fourth_item_is_refused"}


REGISTRY = {
    "src/app/__init__.py": "",
    "src/app/handlers.py": """\
        def on_save(record):
            return record.upper()


        def on_delete(record):
            return None


        def unrelated():
            return 1
        """,
    "src/app/events.py": """\
        HANDLERS = []


        def fire(record):
            return [handler(record) for handler in HANDLERS]
        """,
    "tests/test_handlers.py": """\
        from app.handlers import unrelated


        def test_unrelated():
            assert unrelated() == 1
        """,
    "tests/test_other.py": """\
        def test_nothing_imported():
            assert True
        """,
}


@pytest.mark.parametrize(
    ("module", "test", "used"),
    [
        (
            """\
            from app import events
            from app.handlers import on_delete, on_save

            events.HANDLERS.extend([on_save, on_delete])
            """,
            """\
            from app import events, wiring


            def test_fire():
                assert events.fire("a") == ["A", None]
            """,
            "on_save",
        ),
        (
            """\
            import atexit

            from app.handlers import on_save

            atexit.register(lambda: print(on_save("exit")))
            """,
            """\
            import subprocess
            import sys

            from app import wiring


            def test_exit_handler_runs():
                run = subprocess.run([sys.executable, "-c", "import app.wiring"], capture_output=True, text=True)
                assert run.stdout == "EXIT\\n"
            """,
            "on_save",
        ),
    ],
    ids=["registry-list", "atexit-register"],
)
def test_a_module_body_that_uses_an_affected_name_escalates_its_module(
        project: Project, module: str, test: str, used: str) -> None:
    """The module body hands ``on_save`` (or a method calling it) to something that calls it
    later, under no name the test uses: the test reaches the changed function only through
    ``app/wiring.py``."""
    baseline = build(project, REGISTRY, {"src/app/wiring.py": module, "tests/test_wiring.py": test})
    edit(project, "src/app/handlers.py", "return record.upper()", "return record.lower()")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"src/app/wiring.py": f"its module body uses {used}"}
    assert "tests/test_wiring.py" in selection.whole_files
    wiring_tests = {t for t in file_level(workspace) if t.startswith("tests/test_wiring.py::")}
    assert wiring_tests
    assert selected(workspace) == wiring_tests, "test_unrelated imports handlers but calls nothing changed"


@pytest.mark.parametrize(
    ("module", "test", "name"),
    [
        (
            """\
            from app.handlers import on_save


            class Saver:
                def save(self, record):
                    return on_save(record)

                __call__ = save
            """,
            """\
            from app.wiring import Saver


            def test_saver():
                assert Saver()("a") == "A"
            """,
            "test_saver",
        ),
        (
            """\
            from app.handlers import on_save

            save = on_save
            """,
            """\
            from app.wiring import save


            def test_save_alias():
                assert save("a") == "A"
            """,
            "test_save_alias",
        ),
    ],
    ids=["call-is-a-method", "alias-assignment"],
)
def test_a_name_bound_to_an_affected_name_selects_the_tests_that_use_that_name(
        project: Project, module: str, test: str, name: str) -> None:
    """``__call__ = save`` and ``save = on_save`` only look names up when the module is imported:
    no changed function runs there, so the module is not escalated; the class (or the alias) is
    affected, and the test that uses it runs."""
    baseline = build(project, REGISTRY, {"src/app/wiring.py": module, "tests/test_wiring.py": test})
    edit(project, "src/app/handlers.py", "return record.upper()", "return record.lower()")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {}
    assert selected(workspace) == {f"tests/test_wiring.py::{name}"}


# -- escalation: decorators --------------------------------------------------------------------------


ROUTES = {
    "src/web/__init__.py": "",
    "src/web/app.py": """\
        class App:
            def __init__(self):
                self.routes = {}

            def route(self, url):
                def register(view):
                    self.routes[url] = view
                    return view
                return register

            def get(self, url):
                return self.routes[url]()


        app = App()
        """,
    "src/web/labels.py": """\
        def items_label(count):
            return f"{count} items"
        """,
    "src/web/views.py": """\
        from web.app import app
        from web.labels import items_label


        @app.route("/basket")
        def show_basket():
            return items_label(2)


        def helper():
            return 0
        """,
    "tests/test_pages.py": """\
        import web.views
        from web.app import app


        def test_basket_page():
            assert app.get("/basket") == "2 items"
        """,
    "tests/test_labels.py": """\
        from web.labels import items_label


        def test_label():
            assert items_label(1) == "1 items"
        """,
}


def test_a_changed_function_with_a_registering_decorator_escalates_its_module(project: Project) -> None:
    """The test reaches ``show_basket`` by URL, never by name."""
    baseline = build(project, ROUTES)
    edit(project, "src/web/views.py", "return items_label(2)", "return items_label(3)")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"src/web/views.py": "show_basket is decorated with app.route"}
    assert selected(workspace) == {"tests/test_pages.py::test_basket_page"}


def test_a_registered_function_reached_through_a_changed_helper_escalates_its_module(project: Project) -> None:
    """``show_basket`` did not change, but it calls ``items_label``, which did: the page test
    fails, and it still names neither function."""
    baseline = build(project, ROUTES)
    edit(project, "src/web/labels.py", 'return f"{count} items"', 'return f"{count} item(s)"')

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {"tests/test_pages.py::test_basket_page", "tests/test_labels.py::test_label"}


@pytest.mark.parametrize(
    ("decorator", "call"),
    [
        ("@property", "Box().size"),
        ("@staticmethod", "Box.size()"),
        ("@classmethod", "Box.size()"),
        ("@functools.lru_cache(maxsize=None)", "Box().size()"),
        ("@functools.cached_property", "Box().size"),
        ("@pytest.mark.slow", "Box().size()"),
    ],
)
def test_pure_decorators_keep_a_method_edit_precise(project: Project, decorator: str, call: str) -> None:
    baseline = build(project, {
        "src/box.py": f"""\
            import functools

            import pytest


            class Box:
                {decorator}
                def size(*args):
                    return 1

                def weight(self):
                    return 2
            """,
        "tests/test_box.py": f"""\
            from box import Box


            def test_size():
                assert {call} == 1


            def test_weight():
                assert Box().weight() == 2
            """,
    })
    edit(project, "src/box.py", "return 1", "return 10")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {}
    assert selected(workspace) == {"tests/test_box.py::test_size"}


FIXTURES = {
    "src/store.py": """\
        def connect():
            return {"rows": 3}
        """,
    "tests/conftest.py": """\
        import pytest

        from store import connect


        @pytest.fixture
        def db():
            return connect()


        @pytest.fixture
        def client(db):
            return {"db": db}


        @pytest.fixture
        def settings():
            return {"debug": False}
        """,
    "tests/test_views.py": """\
        def test_rows(db):
            assert db["rows"] == 3


        def test_client(client):
            assert client["db"]["rows"] == 3


        def test_settings(settings):
            assert settings["debug"] is False


        class TestPlain:
            def test_arithmetic(self):
                assert 1 + 1 == 2
        """,
}


def test_a_changed_fixture_selects_the_tests_that_take_it_directly_or_through_other_fixtures(
        project: Project) -> None:
    baseline = build(project, FIXTURES)
    edit(project, "tests/conftest.py", "return connect()", "return {**connect(), 'rows': 4}")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {}
    assert selected(workspace) == {"tests/test_views.py::test_rows", "tests/test_views.py::test_client"}


def test_a_fixture_registered_under_another_name_selects_the_tests_that_take_that_name(project: Project) -> None:
    baseline = build(project, FIXTURES, {
        "tests/conftest.py": textwrap.dedent(FIXTURES["tests/conftest.py"]) + textwrap.dedent("""\


            @pytest.fixture(name="user")
            def user_fixture():
                return "alice"
            """),
        "tests/test_users.py": """\
            def test_user(user):
                assert user == "alice"


            def test_other():
                assert True
            """,
    })
    edit(project, "tests/conftest.py", 'return "alice"', 'return "bob"')

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {"tests/test_users.py::test_user"}


def test_a_fixture_named_in_usefixtures_selects_the_tests_that_name_it(project: Project) -> None:
    baseline = build(project, FIXTURES, {
        "tests/test_marked.py": """\
            import pytest


            @pytest.mark.usefixtures("settings")
            def test_with_settings():
                assert True


            def test_without():
                assert True
            """,
    })
    edit(project, "tests/conftest.py", 'return {"debug": False}', 'raise RuntimeError("no settings")')

    workspace, _ = after(project, baseline)

    assert "tests/test_marked.py::test_with_settings" in selected(workspace)
    assert "tests/test_views.py::test_rows" not in selected(workspace)


def test_a_test_patching_a_removed_function_by_name_is_selected(project: Project) -> None:
    """Removing ``fetch_rate`` breaks the test that patches it (``monkeypatch.setattr`` raises on
    a missing attribute); the test names it only in a string."""
    baseline = build(project, {
        "src/rates.py": """\
            def fetch_rate():
                return 1.0


            def describe():
                return "rates"
            """,
        "tests/test_rates.py": """\
            import rates


            def test_offline(monkeypatch):
                monkeypatch.setattr(rates, "fetch_rate", lambda: 2.0)
                assert rates.describe() == "rates"


            def test_describe():
                assert rates.describe() == "rates"
            """,
    })
    edit(project, "src/rates.py", "def fetch_rate():\n    return 1.0\n\n\n", "")

    workspace, _ = after(project, baseline)

    assert "tests/test_rates.py::test_offline" in selected(workspace)


def test_a_fixture_requested_by_name_in_a_string_selects_the_requesting_test(project: Project) -> None:
    baseline = build(project, FIXTURES, {
        "tests/test_lazy.py": """\
            def test_lazy_rows(request):
                assert request.getfixturevalue("db")["rows"] == 3


            def test_lazy_nothing(request):
                assert request.node is not None
            """,
    })
    edit(project, "tests/conftest.py", "return connect()", "return {**connect(), 'rows': 4}")

    workspace, _ = after(project, baseline)

    assert {t for t in selected(workspace) if t.startswith("tests/test_lazy.py")} == {
        "tests/test_lazy.py::test_lazy_rows"}


def test_a_changed_autouse_fixture_selects_every_test_in_its_scope(project: Project) -> None:
    baseline = build(project, FIXTURES, {
        "tests/unit/conftest.py": """\
            import pytest


            @pytest.fixture(autouse=True)
            def clean_env(monkeypatch):
                monkeypatch.setenv("MODE", "test")
            """,
        "tests/unit/test_env.py": """\
            import os


            def test_mode():
                assert os.environ["MODE"] == "test"


            def test_home():
                assert "HOME" in os.environ or True
            """,
    })
    edit(project, "tests/unit/conftest.py", '"MODE", "test"', '"MODE", "prod"')

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"tests/unit/conftest.py": "clean_env is decorated with pytest.fixture(autouse)"}
    assert selected(workspace) == {"tests/unit/test_env.py::test_mode", "tests/unit/test_env.py::test_home"}


def test_an_autouse_fixture_reached_through_a_changed_helper_selects_every_test_in_its_scope(
        project: Project) -> None:
    """``seed`` did not change but calls ``make_seed``, which did; no test names ``seed``."""
    baseline = build(project, {
        "src/seeds.py": """\
            def make_seed():
                return 42
            """,
        "tests/conftest.py": """\
            import random

            import pytest

            from seeds import make_seed


            @pytest.fixture(autouse=True)
            def seed():
                random.seed(make_seed())
            """,
        "tests/test_random.py": """\
            import random


            def test_first_draw():
                assert random.randint(0, 100) == 81
            """,
    })
    edit(project, "src/seeds.py", "return 42", "return 7")

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {"tests/test_random.py::test_first_draw"}


# -- escalation: operators and frameworks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "failing"),
    [
        ("return isinstance(other, Money) and self.amount == other.amount",
         "return isinstance(other, Money)", "tests/test_money.py::test_equal"),
        ("return Money(self.amount + other.amount)", "return Money(self.amount - other.amount)",
         "tests/test_money.py::test_sum"),
        ("self.amount = amount", "self.amount = amount * 100", "tests/test_money.py::test_sum"),
    ],
    ids=["eq", "add", "init"],
)
def test_a_changed_dunder_method_affects_its_class(
        shop: tuple[Project, Snapshot], old: str, new: str, failing: str) -> None:
    """Operators and constructors call dunder methods without naming them: every test that uses
    ``Money``, directly or through a function that does, is selected."""
    project, baseline = shop
    edit(project, "src/shop/money.py", old, new)

    workspace, selection = after(project, baseline)

    assert failing in selected(workspace)
    assert "Money" in selection.names
    assert selected(workspace) == {
        "tests/test_money.py::test_equal", "tests/test_money.py::test_sum", "tests/test_money.py::test_label",
        "tests/test_cart.py::test_total", "tests/test_cart.py::TestEmpty::test_zero",
    }


FRAMEWORK = {
    # A base class from an installed package: not part of the project, so its ``self.run()``
    # is no reference the engine sees.
    ".venv/lib/python3.11/site-packages/taskrunner.py": """\
        class Task:
            def start(self):
                return self.run()
        """,
    "src/jobs.py": """\
        from taskrunner import Task


        class Cleanup(Task):
            def run(self):
                return "cleaned"


        def describe():
            return "jobs"
        """,
    "tests/test_jobs.py": """\
        from jobs import Cleanup, describe


        def test_cleanup():
            assert Cleanup().start() == "cleaned"


        def test_describe():
            assert describe() == "jobs"
        """,
}


def test_a_changed_method_nothing_names_affects_its_class(project: Project) -> None:
    """``Task.start`` (installed, untracked) calls ``run`` by convention."""
    baseline = build(project, FRAMEWORK)
    assert ".venv/lib/python3.11/site-packages/taskrunner.py" not in project.workspace(baseline).records
    edit(project, "src/jobs.py", 'return "cleaned"', 'return "skipped"')

    workspace, selection = after(project, baseline)

    assert selection.names["Cleanup"] == ("src/jobs.py", "Cleanup.run")
    assert selected(workspace) == {"tests/test_jobs.py::test_cleanup"}


def test_a_framework_hook_whose_name_the_project_also_uses_elsewhere_affects_its_class(project: Project) -> None:
    """``subprocess.run`` in another module names ``run`` too, but not ``Cleanup.run``: the
    framework still calls the override, and ``test_cleanup`` fails."""
    baseline = build(project, FRAMEWORK, {
        "src/shell.py": """\
            import subprocess

            from jobs import describe


            def sh(command):
                return subprocess.run(command, check=True)
            """,
        "tests/test_shell.py": """\
            from shell import sh


            def test_true():
                sh(["true"])
            """,
    })
    edit(project, "src/jobs.py", 'return "cleaned"', 'return "skipped"')

    workspace, _ = after(project, baseline)

    assert "tests/test_jobs.py::test_cleanup" in selected(workspace)


def test_a_framework_hook_overridden_below_a_project_base_of_a_framework_class_affects_its_class(
        project: Project) -> None:
    """``Cleanup`` derives from ``Task`` through the project's ``BaseJob``: the framework still
    calls ``run`` by convention, whatever else in the project is named ``run``."""
    baseline = build(project, FRAMEWORK, {
        "src/jobs.py": """\
            import subprocess

            from taskrunner import Task


            class BaseJob(Task):
                pass


            class Cleanup(BaseJob):
                def run(self):
                    return "cleaned"


            def describe():
                return subprocess.run(["true"]) and "jobs"
            """,
    })
    edit(project, "src/jobs.py", 'return "cleaned"', 'return "skipped"')

    workspace, selection = after(project, baseline)

    assert selection.names["Cleanup"] == ("src/jobs.py", "Cleanup.run")
    assert "tests/test_jobs.py::test_cleanup" in selected(workspace)


@pytest.mark.parametrize("spelling", ["taskrunner.Task", "Task"], ids=["module-attribute", "from-import"])
def test_a_framework_base_that_shares_its_name_with_a_project_class_is_still_a_framework_base(
        project: Project, spelling: str) -> None:
    """The project has a ``Task`` class of its own, which ``jobs`` imports: ``Cleanup``'s base is
    the installed ``taskrunner.Task`` all the same, whose ``start`` calls ``run``."""
    baseline = build(project, FRAMEWORK, {
        "src/todo.py": """\
            class Task:
                def run(self):
                    return "todo"
            """,
        "src/jobs.py": f"""\
            import subprocess
            import taskrunner

            import todo
            from taskrunner import Task


            class Cleanup({spelling}):
                def run(self):
                    return "cleaned"


            def describe():
                return subprocess.run(["true"]) and todo.Task().run()
            """,
    })
    edit(project, "src/jobs.py", 'return "cleaned"', 'return "skipped"')

    workspace, _ = after(project, baseline)

    assert "tests/test_jobs.py::test_cleanup" in selected(workspace)


XUNIT_CLASS = """\
class TestBasket:
    items = [1, 2]

HOOK

    def test_count(self):
        assert len(self.items) == 2

    def test_first(self):
        assert self.items[0] == 1


class TestOther:
    def test_alone(self):
        assert True
"""


@pytest.mark.parametrize(
    "hook",
    [
        "    def setup_method(self):\n        self.items = [1, 2]\n",
        "    def teardown_method(self):\n        assert self.items == [1, 2]\n",
        "    @classmethod\n    def setup_class(cls):\n        cls.items = [1, 2]\n",
    ],
    ids=["setup_method", "teardown_method", "setup_class"],
)
def test_a_changed_xunit_method_selects_its_whole_test_class(project: Project, hook: str) -> None:
    """The runner calls the hook by convention; both tests of the class see its effect."""
    baseline = build(project, {"tests/test_basket.py": XUNIT_CLASS.replace("HOOK", hook)})
    edit(project, "tests/test_basket.py", "[1, 2]\n\n\n", "[3]\n\n\n")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {}
    assert selected(workspace) == {"tests/test_basket.py::TestBasket::test_count",
                                   "tests/test_basket.py::TestBasket::test_first"}


def test_a_unittest_setup_reached_through_a_changed_helper_selects_its_whole_test_case(project: Project) -> None:
    baseline = build(project, {
        "src/fixtures_data.py": """\
            def sample():
                return [1, 2]
            """,
        "tests/test_case.py": """\
            import unittest

            from fixtures_data import sample


            class TestSample(unittest.TestCase):
                def setUp(self):
                    self.items = sample()

                def test_len(self):
                    self.assertEqual(len(self.items), 2)

                def test_sum(self):
                    self.assertEqual(sum(self.items), 3)


            def test_free():
                assert True
            """,
    })
    edit(project, "src/fixtures_data.py", "return [1, 2]", "return [1]")

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {"tests/test_case.py::TestSample::test_len",
                                   "tests/test_case.py::TestSample::test_sum"}


MODULE_SETUP = {
    "src/backend.py": """\
        STATE = {}


        def boot():
            STATE["ready"] = True
        """,
    "tests/test_boot.py": """\
        from backend import STATE, boot


        def setup_module(module):
            boot()


        def test_ready():
            assert STATE["ready"]


        def test_state_is_a_dict():
            assert isinstance(STATE, dict)
        """,
}


def test_a_changed_setup_module_escalates_its_test_module(project: Project) -> None:
    baseline = build(project, MODULE_SETUP)
    edit(project, "tests/test_boot.py", "    boot()\n", "    pass\n")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"tests/test_boot.py": "setup_module is an xunit hook"}
    assert selected(workspace) == {"tests/test_boot.py::test_ready", "tests/test_boot.py::test_state_is_a_dict"}


def test_a_setup_module_reached_through_a_changed_helper_escalates_its_test_module(project: Project) -> None:
    """``boot`` changed; only ``setup_module`` names it; ``test_ready`` fails."""
    baseline = build(project, MODULE_SETUP)
    edit(project, "src/backend.py", 'STATE["ready"] = True', 'STATE["ready"] = False')

    workspace, _ = after(project, baseline)

    assert "tests/test_boot.py::test_ready" in selected(workspace)


# -- escalation: what the code cannot show ----------------------------------------------------------------


COMMANDS = {
    "src/cli/__init__.py": "",
    "src/cli/commands.py": """\
        def cmd_add(a, b):
            return a + b


        def cmd_neg(a):
            return -a
        """,
    "tests/test_neg.py": """\
        from cli.commands import cmd_neg


        def test_neg():
            assert cmd_neg(1) == -1
        """,
}


def test_a_function_that_looks_up_names_of_its_module_runs_for_any_change(project: Project) -> None:
    """``dispatch`` reaches ``cmd_add`` through ``globals()``, never naming it: it counts as a
    user of every changed name; ``test_neg`` reaches nothing that changed."""
    baseline = build(project, COMMANDS, {
        "src/cli/commands.py": textwrap.dedent(COMMANDS["src/cli/commands.py"]) + textwrap.dedent("""\


            def dispatch(name, *args):
                return globals()["cmd_" + name](*args)
            """),
        "tests/test_dispatch.py": """\
            from cli.commands import dispatch


            def test_add():
                assert dispatch("add", 1, 2) == 3
            """,
    })
    edit(project, "src/cli/commands.py", "return a + b", "return a - b")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {}
    assert selected(workspace) == {"tests/test_dispatch.py::test_add"}
    assert selection.explain("tests/test_dispatch.py", "test_add") == [
        "test_add (tests/test_dispatch.py)", "dispatch (src/cli/commands.py)",
        "dynamic access (line 10: globals())", "cmd_add (src/cli/commands.py, changed)"]


@pytest.mark.parametrize(
    "lookup",
    [
        "getattr(commands, 'cmd_' + name)",
        "vars(commands)['cmd_' + name]",
        "importlib.import_module('cli.commands').__dict__['cmd_' + name]",
        "importlib.import_module(MODULES[name]).cmd_add",
        "dict(inspect.getmembers(commands))['cmd_' + name]",
    ],
    ids=["getattr", "vars", "module-dict", "import_module-computed", "getmembers"],
)
def test_a_function_of_an_importer_that_looks_names_up_dynamically_runs_for_any_change(
        project: Project, lookup: str) -> None:
    baseline = build(project, COMMANDS, {
        "src/cli/main.py": f"""\
            import importlib
            import inspect

            from cli import commands

            MODULES = {{"add": "cli.commands"}}


            def main(name, *args):
                return {lookup}(*args)
            """,
        "tests/test_main.py": """\
            from cli.main import main


            def test_add():
                assert main("add", 1, 2) == 3
            """,
    })
    edit(project, "src/cli/commands.py", "return a + b", "return a - b")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {}
    assert selected(workspace) == {"tests/test_main.py::test_add"}


def test_a_test_that_lists_what_a_module_defines_runs_when_a_function_is_added(project: Project) -> None:
    """``dir(commands)`` names no function, yet a new one changes what it returns."""
    baseline = build(project, COMMANDS, {
        "tests/test_api.py": """\
            from cli import commands


            def test_public_commands():
                assert [n for n in dir(commands) if n.startswith("cmd_")] == ["cmd_add", "cmd_neg"]
            """,
    })
    edit(project, "src/cli/commands.py", "return -a\n", "return -a\n\n\ndef cmd_mul(a, b):\n    return a * b\n")

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {"tests/test_api.py::test_public_commands"}


@pytest.mark.parametrize(
    "module",
    [
        """\
        from cli import commands

        for _name in ("cmd_add", "cmd_neg"):
            globals()[_name.removeprefix("cmd_")] = getattr(commands, _name)
        """,
        """\
        import importlib


        def __getattr__(name):
            return getattr(importlib.import_module("cli.commands"), "cmd_" + name)
        """,
    ],
    ids=["module-body", "module-getattr"],
)
def test_a_module_that_binds_names_dynamically_escalates_itself(project: Project, module: str) -> None:
    """``api.add`` is ``cmd_add`` under a name no unit spells: every test of ``api``'s importers runs."""
    baseline = build(project, COMMANDS, {
        "src/cli/api.py": module,
        "tests/test_api.py": """\
            from cli import api


            def test_add():
                assert api.add(1, 2) == 3
            """,
    })
    edit(project, "src/cli/commands.py", "return a + b", "return a - b")

    workspace, selection = after(project, baseline)

    assert list(selection.escalations) == ["src/cli/api.py"]
    assert selection.escalations["src/cli/api.py"].startswith("it uses dynamic access (line ")
    assert selected(workspace) == {"tests/test_api.py::test_add"}


def test_code_that_reads_line_numbers_runs_for_any_change_it_can_reach(project: Project) -> None:
    """An edit moves the lines below it without changing them: a unit that reads a line number
    counts as using every changed name, and a module body that does escalates its file."""
    baseline = build(project, COMMANDS, {
        "src/cli/where.py": """\
            import inspect

            from cli.commands import cmd_add

            HERE = inspect.currentframe().f_lineno


            class Mark:
                lineno: int = 0  # a field: reads no position
            """,
        "src/cli/mark.py": """\
            from dataclasses import dataclass

            from cli.commands import cmd_add


            @dataclass
            class Mark:
                lineno: int
            """,
        "tests/test_lines.py": """\
            import warnings

            from cli.commands import cmd_neg


            def test_warning_line():
                with warnings.catch_warnings(record=True) as caught:
                    cmd_neg(1)
                assert not caught or caught[0].lineno == 3


            def test_neg():
                assert cmd_neg(1) == -1
            """,
    })
    edit(project, "src/cli/commands.py", "return a + b", "return a - b")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"src/cli/where.py": "it reads source positions (line 5: f_lineno)"}
    assert "tests/test_lines.py::test_warning_line" in selected(workspace)
    assert "tests/test_lines.py::test_neg" not in selected(workspace)
    assert selection.explain("tests/test_lines.py", "test_warning_line") == [
        "test_warning_line (tests/test_lines.py)", "reads source positions (line 9: lineno)",
        "cmd_add (src/cli/commands.py, changed)"]


def test_a_changed_module_with_doctests_escalates(project: Project) -> None:
    """``test_docs`` runs the module's doctests by module, naming no function."""
    baseline = build(project, {
        "src/fmt.py": '''\
            def money(value):
                """
                >>> money(1.5)
                '1.50'
                """
                return f"{value:.2f}"
            ''',
        "tests/test_docs.py": """\
            import doctest

            import fmt


            def test_docs():
                assert doctest.testmod(fmt).failed == 0
            """,
    })
    edit(project, "src/fmt.py", 'return f"{value:.2f}"', 'return f"{value:.1f}"')

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"src/fmt.py": "it holds doctests"}
    assert selected(workspace) == {"tests/test_docs.py::test_docs"}


def test_doctests_pytest_does_not_collect_count_only_where_code_runs_them(project: Project) -> None:
    """Without ``--doctest-modules`` an example in a docstring runs only under ``doctest.testmod``:
    ``test_docs`` runs, the other tests of ``fmt``'s importers reach nothing that changed."""
    options = EngineOptions(doctest_modules=False)
    baseline = build(project, {
        "src/fmt.py": '''\
            def money(value):
                """
                >>> money(1.5)
                '1.50'
                """
                return f"{value:.2f}"


            def percent(value):
                return f"{value:.0%}"
            ''',
        "tests/test_docs.py": """\
            import doctest

            import fmt


            def test_docs():
                assert doctest.testmod(fmt).failed == 0
            """,
        "tests/test_percent.py": """\
            from fmt import percent


            def test_percent():
                \'\'\'A directive is no doctest runner: percent(1)  # doctest: +SKIP\'\'\'
                assert percent(0.5) == "50%"
            """,
    }, options=options)
    edit(project, "src/fmt.py", 'return f"{value:.2f}"', 'return f"{value:.1f}"')

    workspace = project.workspace(baseline, options)
    selection = workspace.symbol_selection()
    assert selection is not None

    assert selection.escalations == {"tests/test_docs.py": "it may run doctests, and a module with doctests changed"}
    assert selected(workspace) == {"tests/test_docs.py::test_docs"}


def test_the_doctests_of_an_importer_run_when_a_module_they_call_changes(project: Project) -> None:
    """With ``--doctest-modules`` the examples in ``report.py`` run ``cents`` directly; no unit of
    ``report.py`` refers to it (the docstring is long, its words are not read)."""
    narrative = " ".join(["The report lists every line of the invoice with its price in cents."] * 4)
    baseline = build(project, {
        "src/money.py": """\
            def cents(value):
                return round(value * 100)
            """,
        "src/report.py": f'''\
            """{narrative}

            >>> from money import cents
            >>> cents(1.25)
            125
            """
            import money


            def title():
                return "report"
            ''',
    })
    edit(project, "src/money.py", "return round(value * 100)", "return int(value * 100)")

    workspace, _ = after(project, baseline)

    assert "src/report.py" in workspace.affected
    assert "src/report.py::report" in selected(workspace, unknown={"src/report.py": ["report"]})


def test_an_unparseable_file_escalates_until_it_parses_again(shop: tuple[Project, Snapshot]) -> None:
    project, baseline = shop
    edit(project, "src/shop/catalog.py", "def find(name):", "def find(name:")

    workspace, selection = after(project, baseline)

    assert selection.escalations["src/shop/catalog.py"].startswith("syntax error")
    assert selected(workspace) == SHOP_TESTS

    broken = project.save(workspace)
    edit(project, "src/shop/catalog.py", "def find(name:", "def find(name):")

    workspace, selection = after(project, broken)

    assert selection.escalations["src/shop/catalog.py"] == "cannot compare its units"
    assert selected(workspace) == SHOP_TESTS


# -- imports and inheritance ------------------------------------------------------------------------------


def test_a_function_imported_under_another_name_selects_the_tests_calling_the_alias(project: Project) -> None:
    baseline = build(project, {
        "src/cart.py": """\
            def total(prices):
                return sum(prices)
            """,
        "tests/test_cart.py": """\
            from cart import total as compute


            def test_total():
                assert compute([1, 2]) == 3


            def test_constant():
                assert 3 == 3
            """,
    })
    edit(project, "src/cart.py", "return sum(prices)", "return sum(prices) + 1")

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {"tests/test_cart.py::test_total"}


CONTRACT = {
    "src/stack.py": """\
        class Stack:
            def __init__(self):
                self.items = []

            def push(self, item):
                self.items.append(item)

            def size(self):
                return len(self.items)
        """,
    "tests/contract.py": """\
        class StackContract:
            def make(self):
                raise NotImplementedError

            def test_push_grows(self):
                stack = self.make()
                stack.push(1)
                assert stack.size() == 1

            def test_starts_empty(self):
                assert self.make().size() == 0
        """,
    "tests/test_stack.py": """\
        from contract import StackContract
        from stack import Stack


        class TestStack(StackContract):
            def make(self):
                return Stack()
        """,
    "tests/test_unrelated.py": """\
        def test_alone():
            assert True
        """,
}
INHERITED = {"tests/test_stack.py": ["TestStack::test_push_grows", "TestStack::test_starts_empty"]}


def test_an_edited_inherited_test_runs_in_the_classes_that_inherit_it(project: Project) -> None:
    baseline = build(project, CONTRACT)
    edit(project, "tests/contract.py", "assert stack.size() == 1", "assert stack.size() == 2")

    workspace, _ = after(project, baseline)

    assert "tests/test_stack.py::TestStack::test_push_grows" in selected(workspace, INHERITED)
    assert "tests/test_unrelated.py::test_alone" not in selected(workspace, INHERITED)


def test_inherited_tests_run_when_a_helper_of_their_base_class_changes(project: Project) -> None:
    baseline = build(project, CONTRACT, {
        "tests/contract.py": CONTRACT["tests/contract.py"].replace(
            "stack.push(1)", "self.fill(stack)").replace(
            "def test_push_grows", "def fill(self, stack):\n            stack.push(1)\n\n        def test_push_grows"),
    })
    edit(project, "tests/contract.py", "stack.push(1)", "stack.push(1)\n        stack.push(2)")

    workspace, _ = after(project, baseline)

    assert "tests/test_stack.py::TestStack::test_push_grows" in selected(workspace, INHERITED)


def test_an_edited_test_of_a_test_class_runs_in_its_subclasses_but_not_its_siblings(project: Project) -> None:
    """pytest runs ``TestListStack::test_push`` (inherited) too; ``test_pop`` is untouched."""
    baseline = build(project, {
        "src/stack.py": CONTRACT["src/stack.py"],
        "tests/test_base.py": """\
            from stack import Stack


            class TestStack:
                def make(self):
                    return Stack()

                def test_push(self):
                    stack = self.make()
                    stack.push(1)
                    assert stack.size() == 1

                def test_pop(self):
                    assert self.make().size() == 0
            """,
        "tests/test_list_stack.py": """\
            from test_base import TestStack


            class TestListStack(TestStack):
                def make(self):
                    return []
            """,
    })
    edit(project, "tests/test_base.py", "assert stack.size() == 1", "assert stack.size() == 2")

    workspace, selection = after(project, baseline)

    inherited = {"tests/test_list_stack.py": ["TestListStack::test_push", "TestListStack::test_pop"]}
    assert selected(workspace, inherited) == {
        "tests/test_base.py::TestStack::test_push",
        "tests/test_list_stack.py::TestListStack::test_push", "tests/test_list_stack.py::TestListStack::test_pop",
    }
    assert selection.escalations == {}, "the subclass is affected through its base, not escalated"
    assert "TestListStack" in selection.names


def test_a_test_class_imported_into_a_test_module_runs_there_when_it_changes(project: Project) -> None:
    """pytest collects ``TestShared`` in ``test_reuse.py`` too (it is in its namespace)."""
    baseline = build(project, {
        "tests/shared.py": """\
            class TestShared:
                def test_value(self):
                    assert 1 == 1
            """,
        "tests/test_reuse.py": """\
            from shared import TestShared


            def test_local():
                assert True
            """,
    })
    edit(project, "tests/shared.py", "assert 1 == 1", "assert 1 == 2")

    workspace, _ = after(project, baseline)

    assert "tests/test_reuse.py::TestShared::test_value" in selected(
        workspace, {"tests/test_reuse.py": ["TestShared::test_value"]})


# -- names that disappear, and units that share a name ---------------------------------------------


def test_an_edited_property_getter_is_seen_although_its_setter_has_the_same_name(project: Project) -> None:
    """Both functions are units called ``Box.size``: an edit of either is an edit of ``size``."""
    baseline = build(project, {
        "src/box.py": """\
            class Box:
                @property
                def size(self):
                    return 1

                @size.setter
                def size(self, value):
                    self.value = value


            def weight():
                return 2
            """,
        "tests/test_box.py": """\
            from box import Box, weight


            def test_size():
                assert Box().size == 1


            def test_weight():
                assert weight() == 2
            """,
    })
    edit(project, "src/box.py", "return 1", "return 10")

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {"tests/test_box.py::test_size"}


REMOVAL = {
    "src/shop/__init__.py": "",
    "src/shop/prices.py": """\
        def net(price):
            return price


        def gross(price):
            return price * 1.2
        """,
    "src/shop/report.py": """\
        from shop.prices import gross, net


        def title():
            return "Report"
        """,
    "tests/test_report.py": """\
        from shop.report import title


        def test_title():
            assert title() == "Report"
        """,
    "tests/test_prices.py": """\
        from shop import prices


        def test_gross():
            assert prices.gross(10) == 12
        """,
}


def test_removing_a_function_another_module_imports_by_name_escalates_that_module(project: Project) -> None:
    """``from shop.prices import gross, net`` fails once ``net`` is gone: ``test_title`` fails at
    import although nothing it calls changed."""
    baseline = build(project, REMOVAL)
    edit(project, "src/shop/prices.py", "def net(price):\n    return price\n", "")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"src/shop/report.py": "it imports net, which src/shop/prices.py no longer defines"}
    assert "tests/test_report.py::test_title" in selected(workspace)
    assert "tests/test_prices.py::test_gross" not in selected(workspace)


def test_removing_a_function_its_module_still_lists_in_all_escalates_the_module(project: Project) -> None:
    """``from shop.prices import *`` raises AttributeError while ``__all__`` names ``net``."""
    baseline = build(project, REMOVAL, {
        "src/shop/prices.py": '__all__ = ["gross", "net"]\n\n\n' + textwrap.dedent(REMOVAL["src/shop/prices.py"]),
        "src/shop/report.py": """\
            from shop.prices import *


            def title():
                return "Report"
            """,
    })
    edit(project, "src/shop/prices.py", "def net(price):\n    return price\n", "")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"src/shop/prices.py": "net is gone but a string in it still names it"}
    assert "tests/test_report.py::test_title" in selected(workspace)


def test_removing_a_method_a_class_body_looks_up_escalates_its_module(project: Project) -> None:
    """``__call__ = run`` raises NameError when ``run`` is gone: importing the module fails."""
    baseline = build(project, {
        "src/rules.py": """\
            class Rule:
                def run(self):
                    return []

                __call__ = run


            def describe():
                return "rules"
            """,
        "tests/test_rules.py": """\
            from rules import describe


            def test_describe():
                assert describe() == "rules"
            """,
    })
    edit(project, "src/rules.py", "def run(self):\n        return []\n\n    __call__ = run", "__call__ = run")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {
        "src/rules.py": "Rule looks up run, which is gone, when the module is imported"}
    assert selected(workspace) == {"tests/test_rules.py::test_describe"}


# -- classes reached without their name ------------------------------------------------------------

PLUGINS = {
    "src/plugins/__init__.py": "",
    "src/plugins/base.py": """\
        REGISTRY = []


        class Plugin:
            def __init_subclass__(cls, **kwargs):
                super().__init_subclass__(**kwargs)
                REGISTRY.append(cls)


        def run_all():
            return [plugin().greet() for plugin in REGISTRY]
        """,
    "src/plugins/hello.py": """\
        from plugins.base import Plugin


        class Hello(Plugin):
            def __init__(self):
                self.word = "hello"

            def greet(self):
                return self.word
        """,
    "src/plugins/loader.py": """\
        from plugins import hello
        from plugins.base import run_all


        def greetings():
            return run_all()
        """,
    "tests/test_loader.py": """\
        from plugins.loader import greetings


        def test_greetings():
            assert greetings() == ["hello"]
        """,
}


def test_a_changed_dunder_of_a_class_a_base_registers_escalates_its_module(project: Project) -> None:
    """``Hello`` is reached through ``REGISTRY``, never by name: its ``__init__`` change reaches
    ``test_greetings`` only through the module that defines it."""
    baseline = build(project, PLUGINS)
    edit(project, "src/plugins/hello.py", 'self.word = "hello"', 'self.word = "hi"')

    workspace, selection = after(project, baseline)

    assert selection.escalations == {
        "src/plugins/hello.py": "Hello is seen being created by Plugin (src/plugins/base.py)"}
    assert selected(workspace) == {"tests/test_loader.py::test_greetings"}


def test_a_changed_init_subclass_escalates_its_module(project: Project) -> None:
    """It runs when each subclass is defined, at import time, in whatever module defines one."""
    baseline = build(project, PLUGINS)
    edit(project, "src/plugins/base.py", "REGISTRY.append(cls)", "REGISTRY.insert(0, cls)")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"src/plugins/base.py": "Plugin.__init_subclass__ runs when classes are created"}
    assert selected(workspace) == {"tests/test_loader.py::test_greetings"}


def test_a_changed_dunder_of_a_class_with_a_registering_decorator_escalates_its_module(project: Project) -> None:
    baseline = build(project, {
        "src/commands.py": """\
            COMMANDS = {}


            def command(cls):
                COMMANDS[cls.__name__.lower()] = cls
                return cls


            @command
            class Stop:
                def __str__(self):
                    return "stop"


            def render(name):
                return str(COMMANDS[name]())
            """,
        "tests/test_commands.py": """\
            from commands import render


            def test_render():
                assert render("stop") == "stop"
            """,
    })
    edit(project, "src/commands.py", 'return "stop"', 'return "halt"')

    workspace, selection = after(project, baseline)

    assert selection.escalations == {"src/commands.py": "Stop is decorated with command"}
    assert selected(workspace) == {"tests/test_commands.py::test_render"}


def test_a_subclass_is_affected_through_its_base_without_escalating_its_module(project: Project) -> None:
    """``Savings`` inherits ``Account.__eq__``: tests naming ``Savings`` run, other tests of the
    module's importers do not."""
    baseline = build(project, {
        "src/accounts.py": """\
            from __future__ import annotations


            class Account:
                def __init__(self, name: str) -> None:
                    self.name = name

                def __eq__(self, other: object) -> bool:
                    return isinstance(other, Account) and self.name == other.name

                @classmethod
                def named(cls, name: str) -> Account:
                    return cls(name)


            class Savings(Account):
                rate = 2


            def bank_name():
                return "Tally"
            """,
        "tests/test_accounts.py": """\
            from accounts import Savings, bank_name


            def test_savings_equal():
                assert Savings("a") == Savings("a")


            def test_bank_name():
                assert bank_name() == "Tally"
            """,
    })
    edit(project, "src/accounts.py", "self.name == other.name", "self.name != other.name")

    workspace, selection = after(project, baseline)

    assert selection.escalations == {}
    assert selected(workspace) == {"tests/test_accounts.py::test_savings_equal"}
    assert selection.explain("tests/test_accounts.py", "test_savings_equal") == [
        "test_savings_equal (tests/test_accounts.py)", "Savings (src/accounts.py)",
        "Account.__eq__ (src/accounts.py, changed)"]


def test_a_test_requesting_fixtures_by_computed_name_runs_when_any_fixture_changes(project: Project) -> None:
    """``request.getfixturevalue(name)`` reaches ``sqlite`` without its name written anywhere."""
    baseline = build(project, {
        "tests/conftest.py": """\
            import pytest


            @pytest.fixture
            def sqlite():
                return "sqlite"


            @pytest.fixture
            def memory():
                return "memory"
            """,
        "tests/test_backends.py": """\
            import pytest


            @pytest.mark.parametrize("backend", ["sql" + "ite", "memory"])
            def test_backend(request, backend):
                assert request.getfixturevalue(backend) == backend


            def test_unrelated():
                assert True
            """,
    })
    edit(project, "tests/conftest.py", 'return "sqlite"', 'return "SQLite"')

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {"tests/test_backends.py::test_backend"}


# -- state one test leaves behind for the next ----------------------------------------------------

LOCALE = {
    "src/fmt/__init__.py": "",
    "src/fmt/i18n.py": """\
        import threading

        _CURRENT = threading.local()


        def activate(locale):
            _CURRENT.locale = locale


        def deactivate():
            _CURRENT.locale = None


        def separator():
            return "," if getattr(_CURRENT, "locale", None) is None else "."
        """,
    "src/fmt/number.py": """\
        from fmt.i18n import separator


        def intcomma(value):
            return f"{value:,}".replace(",", separator())


        def double(value):
            return value * 2
        """,
    "tests/test_i18n.py": """\
        from fmt.i18n import activate, deactivate
        from fmt.number import intcomma


        def test_german():
            activate("de")
            try:
                assert intcomma(1000) == "1.000"
            finally:
                deactivate()
        """,
    "tests/test_number.py": """\
        from fmt.number import double, intcomma


        def test_intcomma():
            assert intcomma(1000) == "1,000"


        def test_double():
            assert double(2) == 4
        """,
}


def test_a_function_storing_into_module_state_affects_whatever_reads_that_state(project: Project) -> None:
    """``deactivate`` stops resetting the locale: ``test_german`` still passes, and leaves German
    behind for ``test_intcomma``, which runs after it in the same session and never names
    ``deactivate``. ``test_double`` reads no locale."""
    baseline = build(project, LOCALE)
    edit(project, "src/fmt/i18n.py", "_CURRENT.locale = None", "pass")

    workspace, selection = after(project, baseline)

    assert selected(workspace) == {"tests/test_i18n.py::test_german", "tests/test_number.py::test_intcomma"}
    assert selection.explain("tests/test_number.py", "test_intcomma") == [
        "test_intcomma (tests/test_number.py)", "intcomma (src/fmt/number.py)", "separator (src/fmt/i18n.py)",
        "deactivate (src/fmt/i18n.py, changed)"]


LOCALE_THROUGH_A_HELPER = {
    **LOCALE,
    "src/fmt/i18n.py": """\
        import threading

        _CURRENT = threading.local()


        def _store(locale):
            _CURRENT.locale = locale


        def activate(locale):
            _store(locale)


        def deactivate():
            _store(None)


        def separator():
            return "," if getattr(_CURRENT, "locale", None) is None else "."
        """,
}


def test_a_function_that_changes_what_a_helper_stores_affects_whatever_reads_that_state(project: Project) -> None:
    """``deactivate`` stores through ``_store``: the edit leaves German behind for
    ``test_intcomma`` without touching a line that stores anything itself."""
    baseline = build(project, LOCALE_THROUGH_A_HELPER)
    edit(project, "src/fmt/i18n.py", "_store(None)", "_store('de')")

    workspace, selection = after(project, baseline)

    assert selected(workspace) == {"tests/test_i18n.py::test_german", "tests/test_number.py::test_intcomma"}
    assert selection.explain("tests/test_number.py", "test_intcomma")[-1] == "deactivate (src/fmt/i18n.py, changed)"


def test_a_function_that_mutates_a_module_level_container_affects_its_readers(project: Project) -> None:
    """``reset`` stops emptying ``HANDLERS``: handlers one test subscribed stay for the next, which
    calls ``fire`` and never names ``reset``. ``test_version`` reads no handler."""
    baseline = build(project, {
        "src/bus.py": """\
            HANDLERS = []


            def subscribe(handler):
                HANDLERS.append(handler)


            def reset():
                HANDLERS.clear()


            def fire(event):
                return [handler(event) for handler in HANDLERS]


            def version():
                return 1
            """,
        "tests/test_bus.py": """\
            from bus import fire, reset, subscribe, version


            def test_subscribe():
                subscribe(str.upper)
                try:
                    assert fire("a") == ["A"]
                finally:
                    reset()


            def test_nothing_subscribed():
                assert fire("a") == []


            def test_version():
                assert version() == 1
            """,
    })
    edit(project, "src/bus.py", "HANDLERS.clear()", "pass")

    workspace, _ = after(project, baseline)

    assert selected(workspace) == {"tests/test_bus.py::test_subscribe", "tests/test_bus.py::test_nothing_subscribed"}
