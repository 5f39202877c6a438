"""Symbol-level precision (the default): within affected files, only the tests that reach a changed
function run, and wherever that cannot be proven the change escalates to file level.

Where the exact answer is a design choice, a scenario bounds it on both sides: every test that
really executes the changed code runs (a miss is a deselected failing test), and nothing runs
beyond what file-level selection would run.
"""

from __future__ import annotations

from collections.abc import Set

import pytest

from .conftest import Project, nodeids

SHOP = {
    "pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\n",
    "src/shop/__init__.py": "",
    "src/shop/money.py": """\
        def cents(x):
            return round(x * 100)


        def euros(c):
            return c / 100
        """,
    "src/shop/cart.py": """\
        from shop.money import cents


        class Cart:
            def __init__(self):
                self.items = []

            def add(self, price):
                self.items.append(price)

            def total(self):
                return cents(sum(self.items))
        """,
    "tests/test_money.py": """\
        from shop.money import cents, euros


        def test_cents():
            assert cents(1) == 100


        def test_euros():
            assert euros(100) == 1
        """,
    "tests/test_cart.py": """\
        from shop.cart import Cart


        def test_total():
            cart = Cart()
            cart.add(1)
            assert cart.total() == 100


        def test_empty():
            assert Cart().items == []
        """,
}
MONEY_TESTS = nodeids("tests/test_money.py::test_cents,test_euros")
CART_TESTS = nodeids("tests/test_cart.py::test_total,test_empty")
CENTS_BODY = ("return round(x * 100)", "return int(round(x * 100))")


def assert_between(ran: Set[str], must: Set[str], may: Set[str]) -> None:
    """``must`` (the tests that execute the change) all ran, nothing beyond ``may`` (file level) did."""
    assert must <= ran, f"missed: {sorted(must - ran)}"
    assert ran <= may, f"beyond file level: {sorted(ran - may)}"


@pytest.fixture
def shop(project: Project) -> Project:
    project.write(SHOP)
    assert project.run().ran == MONEY_TESTS | CART_TESTS
    return project


def edit_cents(project: Project) -> None:
    project.edit("src/shop/money.py", project.path("src/shop/money.py").read_text().replace(*CENTS_BODY))


def test_function_edit_runs_the_tests_that_reach_it(shop: Project) -> None:
    edit_cents(shop)

    assert shop.run().outcomes == {"tests/test_money.py::test_cents": "passed",
                                   "tests/test_cart.py::test_total": "passed"}


def test_file_precision_option_runs_every_test_of_the_affected_files(shop: Project) -> None:
    edit_cents(shop)

    assert shop.run("--delta-precision=file").ran == MONEY_TESTS | CART_TESTS


def test_file_precision_from_the_ini(shop: Project) -> None:
    shop.write({"pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\ndelta_precision = file\n"})
    shop.run()  # a configuration change runs everything once
    edit_cents(shop)

    assert shop.run().ran == MONEY_TESTS | CART_TESTS


def test_module_body_edit_escalates_to_every_test_of_the_importers(shop: Project) -> None:
    shop.append("src/shop/money.py", "\nCURRENCY = 'EUR'\n")

    assert shop.run().ran == MONEY_TESTS | CART_TESTS


def test_edit_of_one_test_runs_that_test(shop: Project) -> None:
    shop.edit("tests/test_money.py", shop.path("tests/test_money.py").read_text().replace(
        "assert euros(100) == 1", "assert euros(200) == 2"))

    assert shop.run().outcomes == {"tests/test_money.py::test_euros": "passed"}


def test_new_test_in_a_file_runs(shop: Project) -> None:
    shop.append("tests/test_cart.py", "\n\ndef test_two_items():\n    cart = Cart()\n    cart.add(1)\n"
                                      "    cart.add(2)\n    assert cart.total() == 300\n")

    assert_between(shop.run().ran, nodeids("tests/test_cart.py::test_two_items"),
                   CART_TESTS | nodeids("tests/test_cart.py::test_two_items"))


def test_function_imported_under_an_alias(shop: Project) -> None:
    shop.write({"tests/test_alias.py": """\
        from shop.money import cents as to_cents


        def test_alias():
            assert to_cents(2) == 200


        def test_unrelated():
            assert True
        """})
    shop.run()
    edit_cents(shop)

    alias_tests = nodeids("tests/test_alias.py::test_alias,test_unrelated")
    assert_between(shop.run().ran, nodeids("tests/test_money.py::test_cents", "tests/test_cart.py::test_total",
                                           "tests/test_alias.py::test_alias"),
                   MONEY_TESTS | CART_TESTS | alias_tests)


def test_function_stored_in_a_table_of_another_module(shop: Project) -> None:
    shop.write({
        "src/shop/formats.py": "from shop.money import cents\n\nCONVERTERS = {'cents': cents}\n",
        "tests/test_formats.py": """\
            from shop.formats import CONVERTERS


            def test_convert():
                assert CONVERTERS["cents"](3) == 300


            def test_names():
                assert "cents" in CONVERTERS
            """,
    })
    shop.run()
    edit_cents(shop)

    assert_between(shop.run().ran, nodeids("tests/test_money.py::test_cents", "tests/test_cart.py::test_total",
                                           "tests/test_formats.py::test_convert"),
                   MONEY_TESTS | CART_TESTS | nodeids("tests/test_formats.py::test_convert,test_names"))


def test_function_passed_as_a_value_inside_a_function(shop: Project) -> None:
    shop.write({"tests/test_map.py": """\
        from shop import money


        def test_map():
            assert list(map(money.cents, [1, 2])) == [100, 200]


        def test_other():
            assert True
        """})
    shop.run()
    edit_cents(shop)

    assert_between(shop.run().ran, nodeids("tests/test_money.py::test_cents", "tests/test_cart.py::test_total",
                                           "tests/test_map.py::test_map"),
                   MONEY_TESTS | CART_TESTS | nodeids("tests/test_map.py::test_map,test_other"))


def test_method_inherited_by_a_subclass(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\npythonpath = src\n",
        "src/books.py": """\
            class Item:
                def price(self):
                    return 10


            class Book(Item):
                pass
            """,
        "tests/test_books.py": """\
            from books import Book


            def test_price():
                assert Book().price() == 10


            def test_is_item():
                assert Book.__mro__[1].__name__ == "Item"
            """,
    })
    project.run()

    project.edit("src/books.py", project.path("src/books.py").read_text().replace("return 10", "return 5 + 5"))

    assert_between(project.run().ran, nodeids("tests/test_books.py::test_price"),
                   nodeids("tests/test_books.py::test_price,test_is_item"))


def test_dunder_method_reached_through_an_operator(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\npythonpath = src\n",
        "src/money.py": """\
            class Money:
                def __init__(self, cents):
                    self.cents = cents

                def __add__(self, other):
                    return Money(self.cents + other.cents)
            """,
        "tests/test_add.py": """\
            from money import Money


            def test_add():
                assert (Money(1) + Money(2)).cents == 3


            def test_plain():
                assert True
            """,
    })
    project.run()

    project.edit("src/money.py", project.path("src/money.py").read_text().replace(
        "Money(self.cents + other.cents)", "Money(other.cents + self.cents)"))

    assert_between(project.run().ran, nodeids("tests/test_add.py::test_add"),
                   nodeids("tests/test_add.py::test_add,test_plain"))


def test_class_attribute_read_by_a_method(shop: Project) -> None:
    shop.edit("src/shop/cart.py", """\
        from shop.money import cents


        class Cart:
            TAX = 0

            def __init__(self):
                self.items = []

            def add(self, price):
                self.items.append(price)

            def total(self):
                return cents(sum(self.items) * (1 + self.TAX))
        """)
    shop.run()

    shop.edit("src/shop/cart.py", shop.path("src/shop/cart.py").read_text().replace("TAX = 0", "TAX = 0.0"))

    assert_between(shop.run().ran, nodeids("tests/test_cart.py::test_total"), CART_TESTS)


def test_function_registered_by_a_decorator(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\npythonpath = src\n",
        "src/registry.py": """\
            HANDLERS = {}


            def register(func):
                HANDLERS[func.__name__] = func
                return func


            @register
            def greet():
                return "hi"
            """,
        "tests/test_registry.py": """\
            from registry import HANDLERS


            def test_handlers():
                assert HANDLERS["greet"]() == "hi"
            """,
    })
    project.run()

    project.edit("src/registry.py", project.path("src/registry.py").read_text().replace('"hi"', '"h" + "i"'))

    assert project.run().ran == nodeids("tests/test_registry.py::test_handlers")


def test_function_reached_through_getattr(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\npythonpath = src\n",
        "src/ops.py": "def double(x):\n    return 2 * x\n",
        "tests/test_ops.py": """\
            import ops


            def test_dynamic():
                name = "dou" + "ble"
                assert getattr(ops, name)(2) == 4
            """,
    })
    project.run()

    project.edit("src/ops.py", "def double(x):\n    return x + x\n")

    assert project.run().ran == nodeids("tests/test_ops.py::test_dynamic")


CONFTEST_PROJECT = {
    "pytest.ini": "[pytest]\ntestpaths = tests\n",
    "tests/conftest.py": """\
        import pytest


        @pytest.fixture(autouse=True)
        def mode(monkeypatch):
            monkeypatch.setenv("MODE", "test")


        @pytest.fixture
        def basket():
            return ["apple"]


        def pytest_collection_modifyitems(items):
            for item in items:
                item.user_properties.append(("seen", True))
        """,
    "tests/test_a.py": "import os\n\n\ndef test_mode():\n    assert os.environ['MODE'] == 'test'\n",
    "tests/test_b.py": "def test_basket(basket):\n    assert basket == ['apple']\n\n\n"
                       "def test_plain():\n    assert True\n",
}
CONFTEST_TESTS = nodeids("tests/test_a.py::test_mode", "tests/test_b.py::test_basket,test_plain")


@pytest.fixture
def conftest_project(project: Project) -> Project:
    project.write(CONFTEST_PROJECT)
    assert project.run().ran == CONFTEST_TESTS
    return project


def test_autouse_fixture_edit_reruns_every_test_below_it(conftest_project: Project) -> None:
    conftest_project.edit("tests/conftest.py", conftest_project.path("tests/conftest.py").read_text().replace(
        'setenv("MODE", "test")', 'setenv("MODE", "te" + "st")'))

    assert conftest_project.run().ran == CONFTEST_TESTS


def test_hook_edit_in_a_conftest_reruns_every_test_below_it(conftest_project: Project) -> None:
    conftest_project.edit("tests/conftest.py", conftest_project.path("tests/conftest.py").read_text().replace(
        '("seen", True)', '("seen", 1)'))

    assert conftest_project.run().ran == CONFTEST_TESTS


def test_fixture_edit_runs_the_tests_that_request_it(conftest_project: Project) -> None:
    conftest_project.edit("tests/conftest.py", conftest_project.path("tests/conftest.py").read_text().replace(
        'return ["apple"]', 'return ["app" + "le"]'))

    assert_between(conftest_project.run().ran, nodeids("tests/test_b.py::test_basket"), CONFTEST_TESTS)


def test_fixture_reached_through_another_fixture(project: Project) -> None:
    project.write({
        "tests/conftest.py": """\
            import pytest


            @pytest.fixture
            def price():
                return 2


            @pytest.fixture
            def order(price):
                return {"total": price * 3}
            """,
        "tests/test_order.py": "def test_total(order):\n    assert order['total'] == 6\n\n\n"
                               "def test_plain():\n    assert True\n",
    })
    project.run()

    project.edit("tests/conftest.py", project.path("tests/conftest.py").read_text().replace("return 2", "return 1 + 1"))

    assert_between(project.run().ran, nodeids("tests/test_order.py::test_total"),
                   nodeids("tests/test_order.py::test_total,test_plain"))


def test_xunit_setup_method_edit_reruns_its_class(project: Project) -> None:
    project.write({
        "test_xunit.py": """\
            class TestStore:
                def setup_method(self):
                    self.items = [1]

                def test_one(self):
                    assert self.items == [1]

                def test_len(self):
                    assert len(self.items) == 1


            def test_outside():
                assert True
            """,
    })
    project.run()

    project.edit("test_xunit.py", project.path("test_xunit.py").read_text().replace("[1]\n\n", "[0 + 1]\n\n", 1))

    assert_between(project.run().ran, nodeids("test_xunit.py::TestStore::test_one,TestStore::test_len"),
                   nodeids("test_xunit.py::TestStore::test_one,TestStore::test_len,test_outside"))


def test_unittest_setup_edit_reruns_its_test_case(project: Project) -> None:
    project.write({
        "test_case.py": """\
            import unittest


            class StoreTest(unittest.TestCase):
                def setUp(self):
                    self.items = [1]

                def test_one(self):
                    self.assertEqual(self.items, [1])

                def test_len(self):
                    self.assertEqual(len(self.items), 1)
            """,
    })
    project.run()

    project.edit("test_case.py", project.path("test_case.py").read_text().replace(
        "self.items = [1]", "self.items = [0 + 1]"))

    assert project.run().ran == nodeids("test_case.py::StoreTest::test_one,StoreTest::test_len")


def test_generate_tests_hook_edit_in_a_test_module_runs_its_new_parameters(project: Project) -> None:
    project.write({
        "test_gen.py": """\
            def pytest_generate_tests(metafunc):
                if "n" in metafunc.fixturenames:
                    metafunc.parametrize("n", [1, 2])


            def test_n(n):
                assert n > 0


            def test_plain():
                assert True
            """,
    })
    assert project.run().ran == nodeids("test_gen.py::test_n[1],test_n[2],test_plain")

    project.edit("test_gen.py", project.path("test_gen.py").read_text().replace("[1, 2]", "[1, 2, 3]"))

    assert_between(project.run().ran, nodeids("test_gen.py::test_n[3]"),
                   nodeids("test_gen.py::test_n[1],test_n[2],test_n[3],test_plain"))


def test_module_level_getattr_reached_by_attribute_access(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\npythonpath = src\n",
        "src/settings.py": """\
            def __getattr__(name):
                if name == "DEBUG":
                    return False
                raise AttributeError(name)
            """,
        "tests/test_settings.py": "import settings\n\n\ndef test_debug():\n    assert settings.DEBUG is False\n",
    })
    project.run()

    project.edit("src/settings.py", project.path("src/settings.py").read_text().replace("return False", "return 0"))

    assert project.run().outcomes == {"tests/test_settings.py::test_debug": "failed"}


def test_parametrize_arguments_computed_by_a_changed_function(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\npythonpath = src\n",
        "src/cases.py": "def make_cases():\n    return [1, 2]\n",
        "tests/test_cases.py": """\
            import pytest

            from cases import make_cases


            @pytest.mark.parametrize("x", make_cases())
            def test_x(x):
                assert x > 0


            def test_plain():
                assert True
            """,
    })
    project.run()

    project.edit("src/cases.py", "def make_cases():\n    return [1, 2, 3]\n")

    assert_between(project.run().ran, nodeids("tests/test_cases.py::test_x[1],test_x[2],test_x[3]"),
                   nodeids("tests/test_cases.py::test_x[1],test_x[2],test_x[3],test_plain"))


def test_test_method_inherited_from_a_base_class_in_a_helper_module(project: Project) -> None:
    project.write({
        "tests/__init__.py": "",
        "tests/base.py": """\
            class StorageContract:
                def make(self):
                    raise NotImplementedError

                def test_roundtrip(self):
                    store = self.make()
                    store["k"] = 1
                    assert store["k"] == 1
            """,
        "tests/test_dict_store.py": """\
            from tests.base import StorageContract


            class TestDictStore(StorageContract):
                def make(self):
                    return {}
            """,
    })
    assert project.run().ran == nodeids("tests/test_dict_store.py::TestDictStore::test_roundtrip")

    project.edit("tests/base.py", project.path("tests/base.py").read_text().replace(
        'assert store["k"] == 1', 'assert store["k"] == 2'))

    assert project.run().outcomes == {"tests/test_dict_store.py::TestDictStore::test_roundtrip": "failed"}
