"""Units of a module: what a fingerprint sees, what a unit refers to, and what makes a module
unprovable for symbol precision (computed access, doctests).

Tables are made as the engine makes them (``extract_imports`` on the file's bytes, refs on); the
AST-only fingerprints that ``extract_symbols`` falls back to without the source lines are tested
on their own."""

from __future__ import annotations

import ast
import textwrap

import pytest
from pytest_delta.engine import extract_imports
from pytest_delta.engine.symbols import ALIAS, BODY, CLASS, FUNCTION, MODULE, SymbolTable, Unit, extract_symbols

CART = """\
    import json
    from decimal import Decimal

    RATE = Decimal("0.2")


    def total(prices):
        return sum(prices) * (1 + RATE)


    async def fetch(url):
        return await json.loads(url)


    class Cart:
        currency = "EUR"

        def __init__(self, items):
            self.items = items

        @property
        def count(self):
            return len(self.items)

        async def refresh(self):
            return self.items
    """


def symbols(source: str) -> SymbolTable:
    table = extract_imports(textwrap.dedent(source).encode(), with_refs=True).symbols
    assert table is not None
    return table


def ast_symbols(source: str) -> SymbolTable:
    """The table without the source lines: fingerprints from the AST alone."""
    return extract_symbols(ast.parse(textwrap.dedent(source)))


def unit(source: str, name: str) -> Unit:
    found = symbols(source).unit(name)
    assert found is not None, f"no unit {name}"
    return found


def fingerprints(source: str) -> dict[str, bytes]:
    return {u.name: u.fingerprint for u in symbols(source).units}


def ast_fingerprints(source: str) -> dict[str, bytes]:
    return {u.name: u.fingerprint for u in ast_symbols(source).units}


def test_a_module_splits_into_its_functions_the_methods_of_its_classes_and_its_body() -> None:
    table = symbols(CART)

    assert [u.name for u in table.units] == [
        "total", "fetch", "Cart", "Cart.__init__", "Cart.count", "Cart.refresh", MODULE]
    assert [u.kind for u in table.units] == [FUNCTION, FUNCTION, CLASS, FUNCTION, FUNCTION, FUNCTION, BODY]
    init = table.unit("Cart.__init__")
    assert init is not None
    assert (init.short_name, init.class_name) == ("__init__", "Cart")
    total = table.unit("total")
    assert total is not None
    assert (total.short_name, total.class_name) == ("total", None)
    assert (total.line, total.end_line) == (7, 8)
    cart = table.unit("Cart")
    assert cart is not None
    assert cart.binds, "a class's own unit only binds: its text is the module body's"
    assert (cart.line, cart.end_line) == (15, 26)
    assert table.dynamic_access == ()
    assert table.doctest is False


def test_an_empty_module_has_only_its_body() -> None:
    assert [u.name for u in symbols("").units] == [MODULE]


def test_comments_and_blank_lines_between_units_and_moved_lines_leave_every_fingerprint_alone() -> None:
    moved = """\
        # The cart module, now with comments.
        import json
        from decimal import Decimal

        RATE = Decimal('0.2')   # single quotes now




        def total(prices):

            return sum(prices) * (1 + RATE)TRAILING



        async def fetch(url):
            return await json.loads(url)
        # between units


        class Cart:
            currency = 'EUR'

            def __init__(self, items):
                self.items = items

            @property
            def count(self):
                return len(self.items)

            async def refresh(self):
                return self.items
        """
    assert fingerprints(moved.replace("TRAILING", "   ")) == fingerprints(CART)


def test_without_source_lines_comments_and_formatting_inside_bodies_do_not_count_either() -> None:
    reformatted = """\
        import json
        from decimal import Decimal

        RATE = Decimal("0.2")


        def total(prices):
            # sum first, then the tax
            return sum(
                prices
            ) * (1 + RATE)


        async def fetch(url):
            return await json.loads(url)  # awaited


        class Cart:
            currency = "EUR"

            def __init__(self, items):
                self.items = items  # keep them

            @property
            def count(self):
                return len(self.items)

            async def refresh(self):
                return self.items
        """
    assert ast_fingerprints(reformatted) == ast_fingerprints(CART)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('return """Dear {name},\n\n    Thanks."""', 'return """Dear {name},\n    Thanks."""'),
        ('return """Dear {name},\n\n    Thanks."""', 'return """Dear {name},   \n\n    Thanks."""'),
        ('return """Dear {name},\n\n    Thanks."""', 'return """Dear {name},\n\n\n    Thanks."""'),
    ],
    ids=["blank-line-removed", "trailing-spaces", "blank-line-added"],
)
def test_an_edit_inside_a_multi_line_string_changes_the_function(old: str, new: str) -> None:
    """The string is the function's output: a test comparing it fails after any of these edits."""
    source = 'def letter(name):\n    return """Dear {name},\n\n    Thanks."""\n'
    assert old in source
    before = fingerprints(source)
    after = fingerprints(source.replace(old, new))

    assert before["letter"] != after["letter"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("return sum(prices) * (1 + RATE)", "return sum(prices) * (1 - RATE)"),
        ("return sum(prices) * (1 + RATE)", "return None"),
        ("return sum(prices) * (1 + RATE)", "raise ValueError(prices)"),
        ("return sum(prices) * (1 + RATE)", "return sum(prices) * (2 + RATE)"),
        ("return sum(prices) * (1 + RATE)", "return sum(prices[1:]) * (1 + RATE)"),
        ("return sum(prices) * (1 + RATE)", "return sum(prices) * (1 + RATE)\n    print(prices)"),
        ("def total(prices):", "def total(amounts):\n    prices = amounts"),
    ],
    ids=["swap-operator", "return-none", "raise", "constant", "slice", "extra-statement", "parameter-name"],
)
def test_any_edit_of_a_function_body_changes_its_fingerprint_and_only_its_own(old: str, new: str) -> None:
    before = fingerprints(CART)
    assert old in textwrap.dedent(CART)
    after = fingerprints(textwrap.dedent(CART).replace(old, new))

    assert [name for name in before if before[name] != after[name]] == ["total"]


def test_renaming_a_parameter_changes_the_function_without_changing_the_module_body() -> None:
    after = fingerprints(textwrap.dedent(CART).replace("def total(prices):\n    return sum(prices)",
                                                       "def total(amounts):\n    return sum(amounts)"))

    before = fingerprints(CART)
    assert after["total"] != before["total"]
    assert after[MODULE] == before[MODULE]


def test_an_edit_in_a_method_changes_that_method_alone() -> None:
    before = fingerprints(CART)
    after = fingerprints(textwrap.dedent(CART).replace("return len(self.items)", "return len(self.items) - 1"))

    assert [name for name in before if before[name] != after[name]] == ["Cart.count"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    @property\n", "    @property\n    @log(level=1)\n"),
        ("def total(prices):", "def total(prices=()):"),
        ('currency = "EUR"', 'currency = "USD"'),
        ('RATE = Decimal("0.2")', 'RATE = Decimal("0.3")'),
        ("import json\n", "import ujson as json\n"),
    ],
    ids=["decorator", "default", "class-attribute", "constant", "import"],
)
def test_what_runs_at_import_time_belongs_to_the_module_body(old: str, new: str) -> None:
    """A class body's edit changes the class's binding unit too; the module body's change is
    what counts."""
    before = fingerprints(CART)
    source = textwrap.dedent(CART)
    assert old in source
    after = fingerprints(source.replace(old, new, 1))

    changed = [name for name in before if before[name] != after[name]]
    assert MODULE in changed
    assert set(changed) <= {MODULE, "Cart"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("def total(prices):", "def total(prices: list[int]):"),
        ("def total(prices):", "def total(prices) -> Decimal:"),
    ],
    ids=["parameter-annotation", "return-annotation"],
)
def test_annotations_belong_to_their_function(old: str, new: str) -> None:
    """Introspection reads them (dependency injection, validation): a changed annotation changes
    what the function does for such callers, so the function counts as changed."""
    before = fingerprints(CART)
    after = fingerprints(textwrap.dedent(CART).replace(old, new, 1))

    assert [name for name in before if before[name] != after[name]] == ["total"]


def test_adding_or_moving_a_plain_function_leaves_the_module_body_alone() -> None:
    """A plain def only binds a name: the new unit makes its name affected, no file-level escalation."""
    source = textwrap.dedent(CART)
    before = fingerprints(source)
    added = fingerprints(source + "\n\ndef refund(prices):\n    return -sum(prices)\n")
    assert added[MODULE] == before[MODULE]
    assert "refund" in added
    assert "refund" not in before
    decorated = fingerprints(source + "\n\n@register\ndef refund(prices):\n    return 0\n")
    assert decorated[MODULE] != before[MODULE], "a decorator runs when the module is imported"


def test_the_decorators_of_a_function_are_recorded_outermost_first_with_their_dotted_names() -> None:
    source = """\
        import functools, pytest

        @pytest.mark.slow
        @functools.lru_cache(maxsize=None)
        def cached():
            pass

        @pytest.fixture(autouse=True)
        def clean():
            pass

        class Api:
            @app.route("/x")
            def index(self):
                pass
        """
    assert unit(source, "cached").decorators == ("pytest.mark.slow", "functools.lru_cache")
    assert unit(source, "clean").decorators == ("pytest.fixture(autouse)",)
    assert unit(source, "Api.index").decorators == ("app.route",)
    assert unit(source, MODULE).decorators == ()


def test_a_fixture_registered_under_another_name_records_that_name_and_is_no_module_reference() -> None:
    source = """\
        import pytest

        @pytest.fixture(name="user", scope="module")
        def user_fixture():
            return "alice"

        @pytest.fixture(name=NAMES[0])
        def computed():
            return 1

        @pytest.mark.usefixtures("admin")
        def test_admin():
            pass
        """
    assert unit(source, "user_fixture").decorators == ("pytest.fixture(name=user)",)
    assert unit(source, "computed").decorators == ("pytest.fixture(computed name)",)
    refs = unit(source, MODULE).refs
    assert "user" not in refs, "the fixture's own name is no use of a name"
    assert {"admin", "NAMES", "module"} <= refs


def test_a_unit_refers_to_identifiers_attributes_parameters_keywords_and_identifier_like_strings() -> None:
    source = """\
        def test_checkout(client, db, *extra, monkeypatch, **options):
            cart = make_cart(size=3)
            monkeypatch.setattr(cart, "apply_discount", None)
            monkeypatch.setattr("shop.pricing.rate", 0)
            request.getfixturevalue("stock")
            assert cart.total == helpers.EXPECTED
            assert "12 items" and "a-b" and "  spaced_out  "
        """
    refs = unit(source, "test_checkout").refs

    # identifiers and attribute names
    assert {"make_cart", "cart", "monkeypatch", "setattr", "total", "helpers", "EXPECTED", "request"} <= refs
    # parameter names (pytest injects fixtures by them), keyword names
    assert {"client", "db", "extra", "options", "size"} <= refs
    # identifier-like strings and the words of dotted paths; prose and other text are no names
    assert {"apply_discount", "shop", "pricing", "rate", "stock", "spaced_out"} <= refs
    assert not {"12", "items", "a", "b"} & refs


def test_import_statements_and_all_are_not_references_of_the_module_body() -> None:
    source = """\
        import shop.cart
        from shop.cart import total, Cart as Basket
        from . import pricing

        __all__ = ["total", "Basket", "pricing"]
        __all__ += ["extra"]
        """
    refs = unit(source, MODULE).refs
    assert not refs & {"shop", "cart", "total", "Cart", "Basket", "pricing", "extra", "__all__"}


def test_a_module_body_that_uses_a_name_refers_to_it() -> None:
    source = """\
        import atexit
        from shop.cart import total, flush, Runner

        HANDLERS = [total]
        atexit.register(flush)
        alias = Runner.run

        class Job(Runner):
            limit = compute_limit()
            __call__ = execute
        """
    refs = unit(source, MODULE).refs
    assert {"atexit", "register", "flush", "compute_limit"} <= refs, "calls run functions at import"
    assert not refs & {"total", "Runner", "run", "execute"}, "look-ups that only bind a name are not"


def test_names_bound_by_look_ups_alone_are_binding_units_that_refer_to_what_they_look_up() -> None:
    """``Job`` behaves as ``Runner`` and ``execute`` do, and ``alias`` is ``Runner.run``: a change
    to those reaches the code that names ``Job`` or ``alias``, not every importer of the module."""
    source = """\
        from __future__ import annotations

        from shop.cart import total, Runner, Money

        HANDLERS = [total]
        alias = Runner.run
        LIMIT: int = 3
        computed = make_alias()

        class Job(Runner):
            __call__ = execute
            price: Money
            limit = compute_limit()
        """
    table = symbols(source)
    bindings = {u.name: (u.kind, u.refs) for u in table.units if u.binds}
    assert bindings == {
        "HANDLERS": (ALIAS, frozenset({"total"})),
        "alias": (ALIAS, frozenset({"Runner", "run"})),
        "LIMIT": (ALIAS, frozenset({"int"})),
        "Job": (CLASS, frozenset({"Runner", "execute", "Money"})),
    }
    assert {"make_alias", "compute_limit"} <= unit(source, MODULE).refs


@pytest.mark.parametrize(
    ("annotation", "runs"),
    [("Money", False), ("list[Money]", False), ("Money | None", False), ("'Money'", False),
     ("Annotated[int, Field(gt=0)]", True)],
)
def test_annotations_that_call_nothing_are_no_module_reference(annotation: str, runs: bool) -> None:
    """Evaluating ``Money`` at definition time runs no function of the project; a call in an
    annotation does, unless annotations are never evaluated (``from __future__``)."""
    source = f"""\
        @cache
        def price(amount: {annotation}) -> {annotation}:
            return amount
        """
    assert ("Field" in unit(source, MODULE).refs) is runs
    assert "Money" not in unit(source, MODULE).refs
    postponed = symbols("from __future__ import annotations\n" + textwrap.dedent(source))
    assert "Field" not in (postponed.unit(MODULE) or Unit("", b"", frozenset())).refs


def test_annotations_are_uses_of_a_function_a_framework_finds_through_its_decorator() -> None:
    """``@app.get`` may validate ``amount`` as a ``Money``; ``@cache`` and a plain def read no
    annotation, and annotations inside a body are never evaluated."""
    source = """\
        @app.get("/price")
        def served(amount: Money) -> Receipt:
            return amount

        @cache
        def cached(amount: Money) -> Receipt:
            total: Total = amount
            return total

        def plain(amount: Money) -> Receipt:
            self.items: list[Item] = []
            return amount
        """
    assert {"Money", "Receipt"} <= unit(source, "served").refs
    for name in ("cached", "plain"):
        assert not unit(source, name).refs & {"Money", "Receipt", "Total", "Item"}


def test_a_plain_class_attribute_annotation_is_no_use_of_a_type_a_models_is() -> None:
    """A dataclass's ``amount: Money`` says what values will be; a model class (a base, a
    decorator of a framework's) may build a validator from it."""
    source = """\
        @dataclass(frozen=True)
        class Entry:
            amount: Money
            memo: str = ""

        class Item(BaseModel):
            price: Money
        """
    entry = unit(source, "Entry")
    assert "Money" not in entry.refs
    assert "Money" in unit(source, "Item").refs


def test_a_class_that_sees_its_subclasses_created_is_recorded() -> None:
    source = """\
        class Plugin:
            def __init_subclass__(cls, **kwargs):
                REGISTRY.append(cls)

        class Model(metaclass=ModelBase):
            pass

        class Plain(Plugin):
            pass
        """
    assert symbols(source).hooks == ("Plugin", "Model")


def test_parameter_names_belong_to_the_function_not_to_the_module_body() -> None:
    """A fixture is reached through the parameters of the tests that take it: only those tests,
    not the whole test module, refer to it."""
    source = """\
        def test_stock(db, limit=DEFAULT_LIMIT):
            assert db

        class TestCart:
            def test_total(self, client: Client):
                assert client
        """
    module = unit(source, MODULE)
    assert not module.refs & {"db", "limit", "client", "self"}
    assert "DEFAULT_LIMIT" in module.refs, "defaults run at import time"
    assert {"db", "limit"} <= unit(source, "test_stock").refs
    assert "client" in unit(source, "TestCart.test_total").refs


def test_nested_functions_and_classes_belong_to_their_enclosing_unit() -> None:
    source = """\
        def outer(items):
            def key(item):
                return item.price

            class Local:
                def method(self):
                    return helper()

            return sorted(items, key=key)

        class Shop:
            class Meta:
                ordering = "name"

            def open(self):
                def inner():
                    return stock()
                return inner()
        """
    table = symbols(source)
    assert [u.name for u in table.units] == ["outer", "Shop", "Shop.open", MODULE]
    assert {"price", "helper", "key"} <= unit(source, "outer").refs
    assert "stock" in unit(source, "Shop.open").refs
    assert "name" in unit(source, MODULE).refs, "a nested class body is part of its class body"

    before = fingerprints(source)
    nested_edit = fingerprints(textwrap.dedent(source).replace("return helper()", "return helper() + 1"))
    assert [name for name in before if before[name] != nested_edit[name]] == ["outer"]
    inner_edit = fingerprints(textwrap.dedent(source).replace("return stock()", "return None"))
    assert [name for name in before if before[name] != inner_edit[name]] == ["Shop.open"]
    meta_edit = fingerprints(textwrap.dedent(source).replace('ordering = "name"', 'ordering = "-name"'))
    assert [name for name in before if before[name] != meta_edit[name]] == ["Shop", MODULE]


def test_functions_defined_under_a_condition_or_a_try_belong_to_the_module_body() -> None:
    source = """\
        import sys

        if sys.version_info >= (3, 11):
            def modern():
                return 1
        else:
            def modern():
                return 0

        try:
            from fast import speedup
        except ImportError:
            def speedup(x):
                return x
        """
    table = symbols(source)
    assert [u.name for u in table.units] == [MODULE]
    before = fingerprints(source)
    after = fingerprints(textwrap.dedent(source).replace("return 1", "return 2"))
    assert before[MODULE] != after[MODULE]


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("def f(obj, name):\n    return getattr(obj, name)", "getattr() with a computed name"),
        ("def f(obj, name):\n    setattr(obj, name, 1)", "setattr() with a computed name"),
        ("def f(obj):\n    return hasattr(obj, 'prefix_' + obj.kind)", "hasattr() with a computed name"),
        ("def f(name):\n    return globals()[name]", "globals()"),
        ("def f(obj):\n    return vars(obj)", "vars()"),
        ("def __getattr__(name):\n    return 1", "module-level __getattr__"),
        ("import importlib\n\ndef f(name):\n    return importlib.import_module(name)",
         "import_module() with a computed name"),
        ("from operator import attrgetter\nget = attrgetter(FIELD)", "attrgetter() with a computed name"),
        ("import commands\n\ndef f(name):\n    return commands.__dict__['cmd_' + name]", "__dict__"),
        ("import inspect, commands\n\ndef f():\n    return inspect.getmembers(commands)", "getmembers()"),
        ("def test_f(request, name):\n    return request.getfixturevalue(name)",
         "getfixturevalue() with a computed name"),
        ("def f(cls):\n    return cls.__subclasses__()", "__subclasses__"),
    ],
    ids=["getattr", "setattr", "hasattr", "globals", "vars", "module-getattr", "import_module", "attrgetter",
         "dict", "getmembers", "getfixturevalue", "subclasses"],
)
def test_access_by_computed_name_is_reported_with_where(source: str, what: str) -> None:
    found = symbols(source).dynamic_access
    assert len(found) == 1
    assert found[0].startswith("line ")
    assert found[0].endswith(what)


def test_access_by_literal_name_is_not_dynamic() -> None:
    source = """\
        import importlib

        def f(obj):
            importlib.import_module("shop.cart")
            setattr(obj, "total", 1)
            return getattr(obj, "total", None)

        class Lazy:
            def __getattr__(self, name):
                return name

            def update(self, **values):
                self.__dict__.update(values)
        """
    assert symbols(source).dynamic_access == ()


@pytest.mark.parametrize(
    "source",
    [
        '"""Totals.\n\n>>> 1 + 1\n2\n"""',
        'def total(prices):\n    """Sum.\n\n    >>> total([1, 2])\n    3\n    """\n    return sum(prices)',
        'class Cart:\n    def count(self):\n        """>>> Cart().count()\n        0\n        """\n        return 0',
        'class Cart:\n    """A cart.\n\n    >>> Cart()\n    <Cart>\n    """',
    ],
    ids=["module", "function", "method", "class"],
)
def test_a_doctest_anywhere_in_a_module_is_detected(source: str) -> None:
    assert symbols(source).doctest is True


def test_docstrings_without_examples_and_prompts_outside_docstrings_are_not_doctests() -> None:
    source = '''\
        """Totals."""

        PROMPT = ">>> "

        def total(prices):
            """Sum the prices (see >> for shifts)."""
            return sum(prices)
        '''
    assert symbols(source).doctest is False


def test_names_imported_from_modules_are_recorded_with_the_name_they_are_bound_to() -> None:
    """``from m import f as g``: code that calls ``g`` runs ``f``."""
    source = """\
        import shop.cart as cart_module
        from shop.cart import total as compute, Cart
        from shop.money import *

        def lazy():
            from shop.catalog import find
            return find
        """
    assert set(symbols(source).bindings) == {("total", "compute"), ("Cart", "Cart"), ("find", "find")}


def test_a_table_made_without_refs_keeps_units_and_fingerprints() -> None:
    """Snapshots store tables without refs; the fingerprints must still compare with a full table's."""
    lean = extract_imports(textwrap.dedent(CART).encode()).symbols
    assert lean is not None
    assert lean.has_refs is False
    assert {u.name: u.fingerprint for u in lean.units} == fingerprints(CART)
    assert all(u.refs == frozenset() for u in lean.units)


def test_a_function_records_the_module_level_state_it_stores_into() -> None:
    """State another test reads later: globals, attributes and items of names that are not the
    function's own; ``self`` and local objects are not module state."""
    source = """\
        import os

        _CURRENT = object()
        CACHE = {}
        COUNT = 0


        def activate(locale):
            _CURRENT.locale = locale


        def remember(key, value):
            CACHE[key] = value
            del CACHE["old"]


        def bump():
            global COUNT
            COUNT += 1


        def configure():
            os.environ["MODE"] = "test"


        def build(value):
            box = Box()
            box.value = value
            items = []
            items[0:0] = [value]
            return box


        class Account:
            def deposit(self, amount):
                self.total = self.total + amount

            @classmethod
            def register(cls, name):
                cls.names[name] = True


        HANDLERS = []


        def subscribe(handler):
            HANDLERS.append(handler)


        def reset():
            CACHE.clear()


        def collect(items):
            out = []
            out.append(1)
            items.append(2)
            HANDLERS = []
            HANDLERS.append(3)
            return out


        def multi_line(key):
            CACHE[
                key
            ] = 1


        _LANGUAGE = ContextVar("language")


        def use(language):
            _LANGUAGE.set(language)


        class Rates:
            _cache = {}
            count = 0

            def load(self, currency):
                self._cache[currency] = 1.0
                self.loaded = True

            def forget(self):
                self._cache.clear()

            def bump(self):
                type(self).count += 1

            def reset(self):
                self.__class__.count = 0

            def shadow(self):
                self._cache = {}
        """
    writes = {u.name: u.writes for u in symbols(source).units if u.kind == FUNCTION}
    # An attribute stored on a module-level name is state too (``config.DEBUG = True``: the
    # module reads its global ``DEBUG``).
    assert writes == {"activate": ("_CURRENT", "locale"), "remember": ("CACHE",), "bump": ("COUNT",),
                      "configure": ("environ", "os"), "build": (), "Account.deposit": (),
                      "Account.register": ("Account",), "subscribe": ("HANDLERS",), "reset": ("CACHE",),
                      "collect": (), "multi_line": ("CACHE",), "use": ("_LANGUAGE",),
                      # Class attributes every instance shares; ``self._cache = {}`` binds the instance's own.
                      "Rates.load": ("_cache",), "Rates.forget": ("_cache",), "Rates.bump": ("count",),
                      "Rates.reset": ("count",), "Rates.shadow": ()}
    assert {u.name: u.writes for u in ast_symbols(source).units if u.kind == FUNCTION} == writes, \
        "the same without the source lines (no text pre-filter)"
