"""What ``pytest --delta`` runs after each kind of change to a project's files."""

from __future__ import annotations

import pytest

from .conftest import SNAPSHOT, Project, nodeids

#: A small src-layout shop: money <- cart, catalog alone; one test file for each module.
SHOP = {
    "pytest.ini": """\
        [pytest]
        pythonpath = src
        testpaths = tests
        """,
    "src/shop/__init__.py": "",
    "src/shop/money.py": """\
        def cents(amount):
            return round(amount * 100)
        """,
    "src/shop/cart.py": """\
        from shop.money import cents


        def total(prices):
            return cents(sum(prices))
        """,
    "src/shop/catalog.py": """\
        PRICES = {"apple": 0.5}
        """,
    "tests/test_money.py": """\
        from shop.money import cents


        def test_cents():
            assert cents(1.25) == 125
        """,
    "tests/test_cart.py": """\
        from shop.cart import total


        def test_total():
            assert total([1, 2]) == 300


        def test_empty():
            assert total([]) == 0
        """,
    "tests/test_catalog.py": """\
        from shop.catalog import PRICES


        def test_apple():
            assert PRICES["apple"] == 0.5
        """,
}

MONEY_TESTS = nodeids("tests/test_money.py::test_cents")
CART_TESTS = nodeids("tests/test_cart.py::test_total,test_empty")
CATALOG_TESTS = nodeids("tests/test_catalog.py::test_apple")
ALL_SHOP_TESTS = MONEY_TESTS | CART_TESTS | CATALOG_TESTS


@pytest.fixture
def shop(project: Project) -> Project:
    """The shop after a first, full ``--delta`` run: the snapshot is in place."""
    project.write(SHOP)
    first = project.run()
    assert first.outcomes == dict.fromkeys(ALL_SHOP_TESTS, "passed")
    return project


def test_first_run_runs_every_test_and_writes_the_snapshot_in_the_rootdir(project: Project) -> None:
    project.write(SHOP)
    assert not project.snapshot.exists()

    run = project.run()

    assert run.ret == 0
    assert run.outcomes == dict.fromkeys(ALL_SHOP_TESTS, "passed")
    assert project.snapshot.is_file()
    assert [p.name for p in project.root.rglob(SNAPSHOT)] == [SNAPSHOT]
    assert run.summaries == [f"delta: no snapshot at {SNAPSHOT}; running all 4 tests"]


def test_run_with_no_change_exits_0_and_runs_nothing(shop: Project) -> None:
    run = shop.run()

    assert run.ret == 0
    assert run.ran == set()
    assert run.summaries == ["delta: no changes affect any test; 0 of 4 tests selected, nothing collected"]


def test_edit_of_a_leaf_module_runs_the_tests_that_import_it_transitively(shop: Project) -> None:
    shop.edit("src/shop/money.py", """\
        def cents(amount):
            return int(round(amount * 100))
        """)

    run = shop.run()

    assert run.outcomes == dict.fromkeys(MONEY_TESTS | CART_TESTS, "passed")
    assert run.deselected == CATALOG_TESTS


def test_edit_of_a_module_only_one_test_file_imports_runs_that_file(shop: Project) -> None:
    shop.edit("src/shop/catalog.py", 'PRICES = {"apple": 0.5, "pear": 0.75}\n')

    assert shop.run().ran == CATALOG_TESTS


def test_edits_are_forgotten_once_their_tests_passed(shop: Project) -> None:
    shop.edit("src/shop/catalog.py", 'PRICES = {"apple": 0.5, "pear": 0.75}\n')
    assert shop.run().ran == CATALOG_TESTS

    assert shop.run().ran == set()


def test_new_module_that_nothing_imports_runs_nothing(shop: Project) -> None:
    shop.write({"src/shop/coupons.py": "RATE = 0.1\n"})

    run = shop.run()

    assert run.ret == 0
    assert run.ran == set()


def test_new_module_that_a_failed_import_now_finds_runs_its_importer(shop: Project) -> None:
    shop.write({"tests/test_fast.py": """\
        try:
            from shop import fast_money
        except ImportError:
            fast_money = None


        def test_fast_money_agrees():
            assert fast_money is None or fast_money.cents(2) == 200
        """})
    assert shop.run().ran == nodeids("tests/test_fast.py::test_fast_money_agrees")

    shop.write({"src/shop/fast_money.py": "def cents(amount):\n    return amount * 100\n"})

    assert shop.run().outcomes == {"tests/test_fast.py::test_fast_money_agrees": "passed"}


def test_new_module_shadowing_an_installed_one_runs_its_importers(shop: Project) -> None:
    shop.write({"tests/test_ini.py": """\
        import iniconfig


        def test_iniconfig_has_a_name():
            assert iniconfig.__name__ == "iniconfig"
        """})
    assert shop.run().ran == nodeids("tests/test_ini.py::test_iniconfig_has_a_name")

    # On the pythonpath, this file now comes before the installed ``iniconfig`` (a pytest dependency).
    shop.write({"src/iniconfig.py": "VERSION = 'local'\n"})

    assert shop.run().ran == nodeids("tests/test_ini.py::test_iniconfig_has_a_name")


def test_new_submodule_shadowing_a_package_attribute_runs_its_importers(shop: Project) -> None:
    shop.edit("src/shop/__init__.py", "import json\n")
    shop.write({"tests/test_codec.py": """\
        from shop import json


        def test_dumps():
            assert json.dumps([1]) == "[1]"
        """})
    assert shop.run().ran == ALL_SHOP_TESTS | nodeids("tests/test_codec.py::test_dumps")

    shop.write({"src/shop/json.py": "def dumps(value):\n    return repr(value)\n"})

    assert shop.run().ran == nodeids("tests/test_codec.py::test_dumps")


def test_deleted_module_fails_its_importers_on_every_run_until_it_is_back(shop: Project) -> None:
    money = shop.path("src/shop/money.py").read_text()
    shop.delete("src/shop/money.py")

    broken = shop.run()
    assert broken.ret == pytest.ExitCode.INTERRUPTED  # collection errors
    assert broken.collect_errors == {"tests/test_money.py", "tests/test_cart.py"}
    assert broken.ran == set()

    again = shop.run()
    assert again.collect_errors == {"tests/test_money.py", "tests/test_cart.py"}

    shop.write({"src/shop/money.py": money})
    assert shop.run().outcomes == dict.fromkeys(MONEY_TESTS | CART_TESTS, "passed")
    assert shop.run().ran == set()


def test_deleted_module_imported_inside_a_test_makes_that_test_run_and_fail(project: Project) -> None:
    project.write({
        "legacy.py": "VALUE = 1\n",
        "test_legacy.py": """\
            def test_legacy_value():
                import legacy
                assert legacy.VALUE == 1
            """,
        "test_other.py": "def test_other():\n    pass\n",
    })
    project.run()
    project.delete("legacy.py")

    assert project.run().outcomes == {"test_legacy.py::test_legacy_value": "failed"}


def test_renamed_module_with_its_importer_updated_runs_the_importer(shop: Project) -> None:
    shop.rename("src/shop/catalog.py", "src/shop/products.py")
    shop.edit("tests/test_catalog.py", """\
        from shop.products import PRICES


        def test_apple():
            assert PRICES["apple"] == 0.5
        """)

    assert shop.run().outcomes == dict.fromkeys(CATALOG_TESTS, "passed")


def test_edit_of_a_test_file_runs_only_that_file(shop: Project) -> None:
    # A module-level edit: with symbol precision, a change inside one test function would run only that test.
    shop.append("tests/test_cart.py", """\

        ONE = [1]


        def test_single():
            assert total(ONE) == 100
        """)

    run = shop.run()

    assert run.outcomes == dict.fromkeys(CART_TESTS | nodeids("tests/test_cart.py::test_single"), "passed")
    assert run.deselected == MONEY_TESTS | CATALOG_TESTS


def test_new_test_file_runs_only_its_tests(shop: Project) -> None:
    shop.write({"tests/test_more.py": "def test_more():\n    pass\n"})

    assert shop.run().ran == nodeids("tests/test_more.py::test_more")


def test_deleted_test_file_runs_nothing(shop: Project) -> None:
    shop.delete("tests/test_catalog.py")

    run = shop.run()

    assert run.ret == 0
    assert run.ran == set()
    assert shop.run().ran == set()


def test_renamed_test_file_runs_its_tests_under_the_new_name(shop: Project) -> None:
    shop.rename("tests/test_catalog.py", "tests/test_products.py")

    assert shop.run().ran == nodeids("tests/test_products.py::test_apple")


#: Conftest files at three depths, and tests beside and below each.
CONFTESTS = {
    "tests/conftest.py": "import pytest\n",
    "tests/test_top.py": "def test_top():\n    pass\n",
    "tests/unit/conftest.py": """\
        import pytest


        @pytest.fixture
        def answer():
            return 42
        """,
    "tests/unit/test_unit.py": "def test_unit(answer):\n    assert answer == 42\n",
    "tests/unit/deep/test_deep.py": "def test_deep(answer):\n    assert answer == 42\n",
    "tests/unit/test_no_fixture.py": "def test_no_fixture():\n    pass\n",
    "tests/other/test_other.py": "def test_other():\n    pass\n",
}
ANSWER_TESTS = nodeids("tests/unit/test_unit.py::test_unit", "tests/unit/deep/test_deep.py::test_deep")
UNIT_TESTS = ANSWER_TESTS | nodeids("tests/unit/test_no_fixture.py::test_no_fixture")
OTHER_TESTS = nodeids("tests/other/test_other.py::test_other")
TOP_TESTS = nodeids("tests/test_top.py::test_top")


@pytest.fixture
def conftests(project: Project) -> Project:
    project.write(CONFTESTS)
    assert project.run().ran == UNIT_TESTS | OTHER_TESTS | TOP_TESTS
    return project


def test_edit_of_a_conftest_reruns_its_directory_and_below(conftests: Project) -> None:
    conftests.edit("tests/unit/conftest.py", """\
        import pytest

        ANSWER = 6 * 7


        @pytest.fixture
        def answer():
            return ANSWER
        """)

    assert conftests.run().outcomes == dict.fromkeys(UNIT_TESTS, "passed")


def test_edit_of_the_top_conftest_reruns_every_test_below_it(conftests: Project) -> None:
    conftests.edit("tests/conftest.py", "import pytest\n\nTIMEOUT = 5\n")

    assert conftests.run().ran == UNIT_TESTS | OTHER_TESTS | TOP_TESTS


def test_new_conftest_reruns_its_directory(conftests: Project) -> None:
    conftests.write({"tests/other/conftest.py": "import pytest\n"})

    assert conftests.run().ran == OTHER_TESTS


def test_deleted_conftest_reruns_its_directory(conftests: Project) -> None:
    conftests.delete("tests/unit/conftest.py")

    run = conftests.run()

    assert run.outcomes == {**dict.fromkeys(ANSWER_TESTS, "error"),  # fixture 'answer' not found
                            "tests/unit/test_no_fixture.py::test_no_fixture": "passed"}


#: A package with a subpackage; one test file per module.
PACKAGES = {
    "pytest.ini": "[pytest]\npythonpath = src\n",
    "src/shop/__init__.py": "",
    "src/shop/core.py": "NAME = 'core'\n",
    "src/shop/pay/__init__.py": "",
    "src/shop/pay/card.py": "def charge():\n    return 'ok'\n",
    "tests/test_core.py": "from shop.core import NAME\n\n\ndef test_core():\n    assert NAME == 'core'\n",
    "tests/test_card.py": "from shop.pay.card import charge\n\n\ndef test_card():\n    assert charge() == 'ok'\n",
    "tests/test_plain.py": "def test_plain():\n    pass\n",
}
CORE_TESTS = nodeids("tests/test_core.py::test_core")
CARD_TESTS = nodeids("tests/test_card.py::test_card")


@pytest.fixture
def packages(project: Project) -> Project:
    project.write(PACKAGES)
    assert project.run().ran == CORE_TESTS | CARD_TESTS | nodeids("tests/test_plain.py::test_plain")
    return project


def test_edit_of_a_package_init_runs_the_tests_of_every_module_in_it(packages: Project) -> None:
    packages.edit("src/shop/__init__.py", "VERSION = 2\n")

    assert packages.run().ran == CORE_TESTS | CARD_TESTS


def test_edit_of_a_subpackage_init_runs_only_the_tests_of_that_subpackage(packages: Project) -> None:
    packages.edit("src/shop/pay/__init__.py", "PROVIDERS = ()\n")

    assert packages.run().ran == CARD_TESTS


def test_deleted_subpackage_init_runs_the_tests_of_its_modules(packages: Project) -> None:
    packages.delete("src/shop/pay/__init__.py")

    assert packages.run().outcomes == dict.fromkeys(CARD_TESTS, "passed")  # a namespace package now


def test_new_init_turning_a_directory_into_a_package_runs_its_modules_tests(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\npythonpath = src\n",
        "src/plugins/audit.py": "LEVEL = 1\n",
        "tests/test_audit.py": "from plugins import audit\n\n\ndef test_level():\n    assert audit.LEVEL == 1\n",
        "tests/test_plain.py": "def test_plain():\n    pass\n",
    })
    project.run()

    project.write({"src/plugins/__init__.py": ""})

    assert project.run().ran == nodeids("tests/test_audit.py::test_level")
