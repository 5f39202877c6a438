"""Project layouts: module roots are discovered, so each layout selects by its own imports."""

from __future__ import annotations

from .conftest import Project


def test_flat_layout(project: Project) -> None:
    project.write({
        "calc.py": "def add(a, b):\n    return a + b\n",
        "words.py": "def shout(s):\n    return s.upper()\n",
        "test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
        "test_words.py": "import words\n\n\ndef test_shout():\n    assert words.shout('a') == 'A'\n",
    })
    assert project.run().ran == {"test_calc.py::test_add", "test_words.py::test_shout"}

    project.edit("calc.py", "def add(a, b):\n    return b + a\n")

    assert project.run().outcomes == {"test_calc.py::test_add": "passed"}


def test_src_layout_with_pythonpath_ini(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\n",
        "src/shop/__init__.py": "",
        "src/shop/cart.py": "def total(p):\n    return sum(p)\n",
        "src/shop/tax.py": "RATE = 0.2\n",
        "tests/test_cart.py": "from shop.cart import total\n\n\ndef test_total():\n    assert total([1]) == 1\n",
        "tests/test_tax.py": "from shop import tax\n\n\ndef test_rate():\n    assert tax.RATE == 0.2\n",
    })
    project.run()

    project.edit("src/shop/tax.py", "RATE = 0.1 * 2\n")

    assert project.run().ran == {"tests/test_tax.py::test_rate"}


def test_src_layout_put_on_sys_path_by_a_conftest(project: Project) -> None:
    project.write({
        "conftest.py": """\
            import sys
            from pathlib import Path

            sys.path.insert(0, str(Path(__file__).parent / "src"))
            """,
        "src/shop/__init__.py": "",
        "src/shop/cart.py": "def total(p):\n    return sum(p)\n",
        "src/shop/tax.py": "RATE = 0.2\n",
        "tests/test_cart.py": "from shop.cart import total\n\n\ndef test_total():\n    assert total([1]) == 1\n",
        "tests/test_tax.py": "from shop import tax\n\n\ndef test_rate():\n    assert tax.RATE == 0.2\n",
    })
    project.run()

    project.edit("src/shop/cart.py", "def total(p):\n    return sum(p, 0)\n")

    assert project.run().outcomes == {"tests/test_cart.py::test_total": "passed"}


def test_several_top_level_packages_importing_each_other(project: Project) -> None:
    project.write({
        "alpha/__init__.py": "",
        "alpha/core.py": "BASE = 10\n",
        "beta/__init__.py": "",
        "beta/calc.py": "from alpha.core import BASE\n\n\ndef grow(x):\n    return x + BASE\n",
        "gamma/__init__.py": "",
        "gamma/text.py": "HELLO = 'hi'\n",
        "tests/test_alpha.py": "from alpha.core import BASE\n\n\ndef test_base():\n    assert BASE == 10\n",
        "tests/test_beta.py": "from beta.calc import grow\n\n\ndef test_grow():\n    assert grow(1) == 11\n",
        "tests/test_gamma.py": "from gamma.text import HELLO\n\n\ndef test_hello():\n    assert HELLO == 'hi'\n",
    })
    project.run()

    project.edit("alpha/core.py", "BASE = 5 + 5\n")
    assert project.run().ran == {"tests/test_alpha.py::test_base", "tests/test_beta.py::test_grow"}

    project.edit("beta/calc.py", "from alpha.core import BASE\n\n\ndef grow(x):\n    return BASE + x\n")
    assert project.run().ran == {"tests/test_beta.py::test_grow"}


def test_namespace_packages_without_init_files(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\n",
        "src/acme/billing/invoice.py": "def amount():\n    return 3\n",
        "src/acme/shipping/parcel.py": "def weight():\n    return 2\n",
        "tests/test_billing.py": "from acme.billing import invoice\n\n\ndef test_amount():\n"
                                 "    assert invoice.amount() == 3\n",
        "tests/test_shipping.py": "from acme.shipping.parcel import weight\n\n\ndef test_weight():\n"
                                  "    assert weight() == 2\n",
    })
    project.run()

    project.edit("src/acme/billing/invoice.py", "def amount():\n    return 1 + 2\n")

    assert project.run().outcomes == {"tests/test_billing.py::test_amount": "passed"}


TESTS_AS_PACKAGES = {
    "tests/__init__.py": "",
    "tests/helpers.py": "def make(n):\n    return list(range(n))\n",
    "tests/unit/__init__.py": "",
    "tests/unit/test_absolute.py": "from tests.helpers import make\n\n\ndef test_make():\n"
                                   "    assert make(2) == [0, 1]\n",
    "tests/unit/test_relative.py": "from ..helpers import make\n\n\ndef test_empty():\n    assert make(0) == []\n",
    "tests/unit/test_alone.py": "def test_alone():\n    assert True\n",
}


def test_tests_as_packages_depend_on_their_helpers_and_inits(project: Project) -> None:
    project.write(TESTS_AS_PACKAGES)
    project.run()

    project.edit("tests/helpers.py", "def make(n):\n    return [*range(n)]\n")
    assert project.run().outcomes == {"tests/unit/test_absolute.py::test_make": "passed",
                                      "tests/unit/test_relative.py::test_empty": "passed"}

    project.edit("tests/unit/__init__.py", "KIND = 'unit'\n")
    assert project.run().ran == {"tests/unit/test_absolute.py::test_make", "tests/unit/test_relative.py::test_empty",
                                 "tests/unit/test_alone.py::test_alone"}


def test_rootless_test_modules_importing_a_sibling_helper_in_prepend_mode(project: Project) -> None:
    project.ini("addopts = --import-mode=prepend")
    project.write({
        "tests/helpers.py": "def greet():\n    return 'hi'\n",
        "tests/test_greet.py": "import helpers\n\n\ndef test_greet():\n    assert helpers.greet() == 'hi'\n",
        "tests/test_plain.py": "def test_plain():\n    assert True\n",
    })
    project.run()

    project.edit("tests/helpers.py", "def greet():\n    return 'h' + 'i'\n")

    assert project.run().outcomes == {"tests/test_greet.py::test_greet": "passed"}


def test_rootless_test_modules_with_one_basename_in_importlib_mode(project: Project) -> None:
    project.ini("pythonpath = src", "addopts = --import-mode=importlib")
    project.write({
        "src/left.py": "SIDE = 'left'\n",
        "src/right.py": "SIDE = 'right'\n",
        "tests/a/test_same.py": "from left import SIDE\n\n\ndef test_side():\n    assert SIDE == 'left'\n",
        "tests/b/test_same.py": "from right import SIDE\n\n\ndef test_side():\n    assert SIDE == 'right'\n",
    })
    assert project.run().ran == {"tests/a/test_same.py::test_side", "tests/b/test_same.py::test_side"}

    project.edit("src/right.py", "SIDE = 'ri' + 'ght'\n")
    assert project.run().outcomes == {"tests/b/test_same.py::test_side": "passed"}

    project.append("tests/a/test_same.py", "\nSIDES = [SIDE]\n\n\ndef test_again():\n    assert SIDES\n")
    assert project.run().ran == {"tests/a/test_same.py::test_side", "tests/a/test_same.py::test_again"}


def test_pythonpath_ini_makes_a_namespace_directory_a_module_root(project: Project) -> None:
    project.ini("pythonpath = lib", "testpaths = tests")
    project.write({
        "lib/tools/fmt.py": "def bold(s):\n    return f'**{s}**'\n",
        "lib/tools/num.py": "def double(x):\n    return 2 * x\n",
        "tests/test_fmt.py": "from tools import fmt\n\n\ndef test_bold():\n    assert fmt.bold('a') == '**a**'\n",
        "tests/test_num.py": "from tools.num import double\n\n\ndef test_double():\n    assert double(2) == 4\n",
    })
    project.run()

    project.edit("lib/tools/fmt.py", "def bold(s):\n    return '**' + s + '**'\n")

    assert project.run().outcomes == {"tests/test_fmt.py::test_bold": "passed"}


def test_delta_roots_ini_adds_a_root_the_engine_cannot_discover(project: Project) -> None:
    project.ini("delta_roots = vendor", "testpaths = tests")
    project.write({
        # The path is set up by code the engine does not run; delta_roots tells it.
        "conftest.py": """\
            import sys
            from pathlib import Path

            sys.path.insert(0, str(Path(__file__).parent / "vendor"))
            """,
        "vendor/ext/widget.py": "SIZE = 3\n",
        "vendor/ext/gadget.py": "SIZE = 4\n",
        "tests/test_widget.py": "from ext import widget\n\n\ndef test_size():\n    assert widget.SIZE == 3\n",
        "tests/test_gadget.py": "from ext.gadget import SIZE\n\n\ndef test_size():\n    assert SIZE == 4\n",
    })
    project.run()

    project.edit("vendor/ext/widget.py", "SIZE = 1 + 2\n")

    assert project.run().outcomes == {"tests/test_widget.py::test_size": "passed"}


def test_conftest_importing_helpers_reruns_the_tests_below_it(project: Project) -> None:
    project.ini("testpaths = tests")
    project.write({
        "support/__init__.py": "",
        "support/factories.py": "def make_user():\n    return {'name': 'ada'}\n",
        "tests/unit/conftest.py": """\
            import pytest

            from support.factories import make_user


            @pytest.fixture
            def user():
                return make_user()
            """,
        "tests/unit/test_user.py": "def test_name(user):\n    assert user['name'] == 'ada'\n",
        "tests/unit/test_plain.py": "def test_plain():\n    assert True\n",
        "tests/api/test_api.py": "def test_api():\n    assert True\n",
    })
    project.run()

    project.edit("support/factories.py", "NAME = 'ada'\n\n\ndef make_user():\n    return {'name': NAME}\n")

    assert project.run().outcomes == {"tests/unit/test_user.py::test_name": "passed",
                                      "tests/unit/test_plain.py::test_plain": "passed"}


def test_directories_named_like_build_output_still_hold_tracked_code(project: Project) -> None:
    project.write({
        "build/gen.py": "TOKENS = 3\n",
        "env/settings.py": "DEBUG = False\n",
        "tests/test_gen.py": "from build import gen\n\n\ndef test_tokens():\n    assert gen.TOKENS == 3\n",
        "tests/test_settings.py": "from env.settings import DEBUG\n\n\ndef test_debug():\n    assert not DEBUG\n",
    })
    project.run()

    project.edit("build/gen.py", "TOKENS = 1 + 2\n")
    assert project.run().outcomes == {"tests/test_gen.py::test_tokens": "passed"}

    project.edit("env/settings.py", "DEBUG = bool(0)\n")
    assert project.run().outcomes == {"tests/test_settings.py::test_debug": "passed"}


def test_virtualenv_and_hidden_directories_are_not_tracked(project: Project) -> None:
    project.write({
        "venv/pyvenv.cfg": "home = /usr/bin\n",
        "venv/lib/site-packages/thirdparty.py": "VALUE = 1\n",
        ".cache/gen.py": "VALUE = 1\n",
        "tests/test_app.py": "def test_app():\n    assert True\n",
    })
    project.run()

    project.edit("venv/lib/site-packages/thirdparty.py", "VALUE = 2\n")
    project.edit(".cache/gen.py", "VALUE = 2\n")
    run = project.run("--delta-debug")

    assert run.ran == set()
    assert not [line for line in run.debug if "venv/" in line or ".cache/" in line]
