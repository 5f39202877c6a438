"""Every way of loading a module that the issue lists makes a dependency.

Each case is a project where ``tests/test_uses.py`` reaches a module through one spelling and
``tests/test_unrelated.py`` reaches nothing; editing the module must run the first and not
the second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from .conftest import Project

BASE = {
    "pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\n",
    "tests/test_unrelated.py": "def test_unrelated():\n    assert True\n",
}
USES = "tests/test_uses.py::test_uses"
UNRELATED = "tests/test_unrelated.py::test_unrelated"


@dataclass(frozen=True)
class Spelling:
    name: str
    files: Mapping[str, str]
    #: The file whose edit must reach ``tests/test_uses.py``.
    edited: str


def uses_file(body: str) -> dict[str, str]:
    return {"tests/test_uses.py": body}


DOTTED_PACKAGES = {
    "src/a/__init__.py": "",
    "src/a/b/__init__.py": "NAME = 'b'\n",
    "src/a/b/c.py": "VALUE = 1\n",
}
SHOP = {
    "src/shop/__init__.py": "",
    "src/shop/cart.py": "def total(prices):\n    return sum(prices)\n",
}

SPELLINGS = [
    *(Spelling(f"import a.b.c, edit {edited}", {
        **DOTTED_PACKAGES,
        **uses_file("import a.b.c\n\n\ndef test_uses():\n    assert a.b.c.VALUE == 1\n"),
    }, edited) for edited in ("src/a/b/c.py", "src/a/b/__init__.py", "src/a/__init__.py")),
    Spelling("import a.b as x", {
        **DOTTED_PACKAGES,
        **uses_file("import a.b as x\n\n\ndef test_uses():\n    assert x.NAME == 'b'\n"),
    }, "src/a/b/__init__.py"),
    Spelling("import a.b.c as x", {
        **DOTTED_PACKAGES,
        **uses_file("import a.b.c as x\n\n\ndef test_uses():\n    assert x.VALUE == 1\n"),
    }, "src/a/b/c.py"),
    *(Spelling(f"from a.b import c (submodule), edit {edited}", {
        **DOTTED_PACKAGES,
        **uses_file("from a.b import c\n\n\ndef test_uses():\n    assert c.VALUE == 1\n"),
    }, edited) for edited in ("src/a/b/c.py", "src/a/b/__init__.py")),
    Spelling("from a.b import NAME (a name)", {
        **DOTTED_PACKAGES,
        **uses_file("from a.b import NAME\n\n\ndef test_uses():\n    assert NAME == 'b'\n"),
    }, "src/a/b/__init__.py"),
    Spelling("from . import x", {
        **SHOP,
        "src/shop/rates.py": "VAT = 20\n",
        "src/shop/pricing.py": "from . import rates\n\n\ndef vat():\n    return rates.VAT\n",
        **uses_file("from shop.pricing import vat\n\n\ndef test_uses():\n    assert vat() == 20\n"),
    }, "src/shop/rates.py"),
    Spelling("from ..core import Base", {
        **SHOP,
        "src/shop/core.py": "class Base:\n    kind = 'base'\n",
        "src/shop/models/__init__.py": "",
        "src/shop/models/item.py": "from ..core import Base\n\n\nclass Item(Base):\n    pass\n",
        **uses_file("from shop.models.item import Item\n\n\ndef test_uses():\n    assert Item.kind == 'base'\n"),
    }, "src/shop/core.py"),
    Spelling("from x import *", {
        **SHOP,
        "src/shop/helpers.py": "__all__ = ['double']\n\n\ndef double(x):\n    return 2 * x\n",
        **uses_file("from shop.helpers import *\n\n\ndef test_uses():\n    assert double(2) == 4\n"),
    }, "src/shop/helpers.py"),
    Spelling("from .pkg import * (a package's modules)", {
        **SHOP,
        "src/shop/fmt/__init__.py": "__all__ = ['money']\n",
        "src/shop/fmt/money.py": "def euros(x):\n    return f'{x} EUR'\n",
        "src/shop/api.py": "from .fmt import *\n",
        **uses_file("from shop.api import money\n\n\ndef test_uses():\n    assert money.euros(1) == '1 EUR'\n"),
    }, "src/shop/fmt/money.py"),
    Spelling("__init__.py of the package, implicitly", {
        **SHOP,
        **uses_file("from shop.cart import total\n\n\ndef test_uses():\n    assert total([1]) == 1\n"),
    }, "src/shop/__init__.py"),
    Spelling("import inside a function", {
        **SHOP,
        **uses_file("def test_uses():\n    from shop.cart import total\n    assert total([1]) == 1\n"),
    }, "src/shop/cart.py"),
    Spelling("if TYPE_CHECKING:", {
        **SHOP,
        **uses_file("""\
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from shop.cart import total


            def test_uses():
                assert True
            """),
    }, "src/shop/cart.py"),
    Spelling("try/except ImportError", {
        **SHOP,
        **uses_file("""\
            try:
                from shop.cart import total
            except ImportError:
                total = sum


            def test_uses():
                assert total([1]) == 1
            """),
    }, "src/shop/cart.py"),
    Spelling("importlib.import_module('a.b')", {
        **SHOP,
        **uses_file("""\
            import importlib


            def test_uses():
                assert importlib.import_module("shop.cart").total([1]) == 1
            """),
    }, "src/shop/cart.py"),
    Spelling("importlib.import_module('.b', 'a')", {
        **SHOP,
        **uses_file("""\
            import importlib


            def test_uses():
                assert importlib.import_module(".cart", "shop").total([1]) == 1
            """),
    }, "src/shop/cart.py"),
    Spelling("__import__('a')", {
        "src/legacy.py": "VALUE = 1\n",
        **uses_file("def test_uses():\n    assert __import__('legacy').VALUE == 1\n"),
    }, "src/legacy.py"),
    Spelling("pytest.importorskip('a')", {
        "src/legacy.py": "VALUE = 1\n",
        **uses_file("""\
            import pytest

            legacy = pytest.importorskip("legacy")


            def test_uses():
                assert legacy.VALUE == 1
            """),
    }, "src/legacy.py"),
    Spelling("dotted-name string in a plugin registry loaded with a variable", {
        **SHOP,
        "src/shop/plugins/__init__.py": "",
        "src/shop/plugins/toc.py": "def render():\n    return 'toc'\n",
        "src/shop/registry.py": """\
            import importlib

            PLUGINS = ["shop.plugins.toc"]


            def load():
                return [importlib.import_module(name) for name in PLUGINS]
            """,
        **uses_file("from shop.registry import load\n\n\ndef test_uses():\n    assert load()[0].render() == 'toc'\n"),
    }, "src/shop/plugins/toc.py"),
    Spelling("entry-point string 'a.b:attr'", {
        **SHOP,
        "src/shop/hooks.py": "def setup():\n    return 'ready'\n",
        "src/shop/settings.py": "STARTUP = 'shop.hooks:setup'\n",
        **uses_file("from shop.settings import STARTUP\n\n\ndef test_uses():\n    assert STARTUP.endswith(':setup')\n"),
    }, "src/shop/hooks.py"),
    Spelling("mock.patch target string", {
        **SHOP,
        "src/shop/mailer.py": "def send(to):\n    raise RuntimeError('no network in tests')\n",
        **uses_file("""\
            from unittest import mock


            def test_uses():
                with mock.patch("shop.mailer.send") as send:
                    send("a@b.c")
                assert send.called
            """),
    }, "src/shop/mailer.py"),
]


@pytest.mark.parametrize("spelling", SPELLINGS, ids=[s.name for s in SPELLINGS])
def test_spelling_makes_the_importer_depend_on_the_module(project: Project, spelling: Spelling) -> None:
    project.write({**BASE, **spelling.files})
    assert project.run().outcomes == {USES: "passed", UNRELATED: "passed"}

    project.append(spelling.edited, "\nEDITED = True\n")

    run = project.run()
    assert run.outcomes == {USES: "passed"}


def test_pytest_plugins_in_a_conftest_makes_its_tests_depend_on_the_plugin_module(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\ntestpaths = tests other\n",
        "fixtures/__init__.py": "",
        "fixtures/db.py": """\
            import pytest


            @pytest.fixture
            def db():
                return {"rows": 3}
            """,
        "tests/conftest.py": 'pytest_plugins = ["fixtures.db"]\n',
        "tests/test_query.py": "def test_rows(db):\n    assert db['rows'] == 3\n",
        "tests/test_schema.py": "def test_schema():\n    assert True\n",
        "other/test_other.py": "def test_other():\n    assert True\n",
    })
    assert project.run().ran == {"tests/test_query.py::test_rows", "tests/test_schema.py::test_schema",
                                 "other/test_other.py::test_other"}

    project.append("fixtures/db.py", "\nEDITED = True\n")

    assert project.run().outcomes == {"tests/test_query.py::test_rows": "passed",
                                      "tests/test_schema.py::test_schema": "passed"}


def test_non_literal_dynamic_import_is_listed_by_delta_debug(project: Project) -> None:
    project.write({
        **BASE,
        **SHOP,
        "src/shop/loader.py": """\
            import importlib


            def load(name):
                return importlib.import_module(name)
            """,
        **uses_file("from shop.loader import load\n\n\ndef test_uses():\n    assert load('shop.cart')\n"),
    })
    project.run()
    project.append("src/shop/loader.py", "\nEDITED = True\n")

    run = project.run("--delta-debug")

    assert run.outcomes == {USES: "passed"}
    assert [line for line in run.debug if "dynamic import" in line] == [
        "  dynamic import not followed in src/shop/loader.py, line 5: import_module(name)"]
