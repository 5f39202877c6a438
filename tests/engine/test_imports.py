"""Import extraction: every spelling that can load a module becomes an ImportRef."""

from __future__ import annotations

import textwrap

import pytest
from pytest_delta.engine import ImportRef, ParseResult, extract_imports
from pytest_delta.engine import imports as imports_module


def extract(source: str) -> ParseResult:
    result = extract_imports(textwrap.dedent(source).encode())
    assert result.error is None, result.error
    return result


def refs(source: str) -> set[ImportRef]:
    return set(extract(source).imports)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import a.b.c", ImportRef("a.b.c")),
        ("import a.b as x", ImportRef("a.b")),
        ("from a.b import c", ImportRef("a.b", 0, ("c",))),
        ("from a.b import c as d, e", ImportRef("a.b", 0, ("c", "e"))),
        ("from a import (\n    b,\n    c,\n)", ImportRef("a", 0, ("b", "c"))),
        ("from . import x", ImportRef("", 1, ("x",))),
        ("from ..core import Base", ImportRef("core", 2, ("Base",))),
        ("from ...a.b import c", ImportRef("a.b", 3, ("c",))),
        ("from x import *", ImportRef("x", 0, ("*",))),
        ("from .x import *", ImportRef("x", 1, ("*",))),
    ],
)
def test_import_statement_spellings(source: str, expected: ImportRef) -> None:
    assert expected in refs(source)


def test_every_name_of_a_multi_import_is_a_reference() -> None:
    assert refs("import a, b.c as d, e") == {ImportRef("a"), ImportRef("b.c"), ImportRef("e")}


def test_imports_in_functions_classes_and_guards_all_count() -> None:
    found = refs(
        """
        from __future__ import annotations
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from shop.models import Order

        try:
            import ujson as json
        except ImportError:
            import json

        def lazy():
            import shop.heavy
            def inner():
                from shop.deeper import thing

        class Service:
            from shop import registry

            async def run(self):
                with open("x") as handle:
                    for _ in handle:
                        while True:
                            import shop.loop
        """
    )
    assert {
        ImportRef("shop.models", 0, ("Order",)),
        ImportRef("ujson"),
        ImportRef("json"),
        ImportRef("shop.heavy"),
        ImportRef("shop.deeper", 0, ("thing",)),
        ImportRef("shop", 0, ("registry",)),
        ImportRef("shop.loop"),
    } <= found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import importlib\nimportlib.import_module('yaml')", ImportRef("yaml")),
        ("import importlib\nimportlib.import_module('a.b')", ImportRef("a.b")),
        ("from importlib import import_module\nimport_module(name='plugins')", ImportRef("plugins")),
        ("__import__('a')", ImportRef("a")),
        ("__import__('a.b', fromlist=['c'])", ImportRef("a.b")),
        ("import pytest\nnp = pytest.importorskip('numpy')", ImportRef("numpy")),
        ("import pytest\npytest.importorskip(modname='lxml')", ImportRef("lxml")),
    ],
)
def test_literal_dynamic_imports(source: str, expected: ImportRef) -> None:
    assert expected in refs(source)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import_module('.x', package='a.b')", ImportRef("a.b.x")),
        ("import_module('.x', 'a.b')", ImportRef("a.b.x")),
        ("import_module('..x', package='a.b')", ImportRef("a.x")),
        ("import_module('.', package='a.b')", ImportRef("a.b")),
    ],
)
def test_relative_import_module_with_a_literal_package_becomes_absolute(source: str, expected: ImportRef) -> None:
    assert expected in refs(source)


def test_relative_import_module_without_package_keeps_its_level() -> None:
    assert ImportRef("x", 1) in refs("import_module('.x', package=__package__)")


def test_pytest_plugins_list_and_single_string() -> None:
    assert {ImportRef("a.b"), ImportRef("c")} <= refs('pytest_plugins = ["a.b", "c"]')
    assert ImportRef("a") in refs('pytest_plugins = "a"')
    assert ImportRef("fixtures") in refs('pytest_plugins = ("fixtures",)')
    assert ImportRef("extra") in refs('pytest_plugins: list[str] = ["extra"]')
    assert ImportRef("more") in refs('pytest_plugins = []\npytest_plugins += ["more"]')


def test_strings_that_are_not_pytest_plugins_only_count_when_dotted() -> None:
    assert ImportRef("fixtures") not in refs('plugins = ["fixtures"]')


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("shop.plugins.toc", "shop.plugins.toc"),
        ("shop.cli:main", "shop.cli"),
        ("shop.cli:Group.main", "shop.cli"),
        ("shop.payments.gateway.Client.charge", "shop.payments.gateway.Client.charge"),
    ],
)
def test_dotted_string_constants(literal: str, expected: str) -> None:
    found = refs(
        f"""
        from unittest import mock

        @mock.patch({literal!r})
        def test_it(patched):
            pass
        """
    )
    assert ImportRef(expected) in found


@pytest.mark.parametrize("literal", ["version 1.2.3", "Hello. World.", "1.5", "a..b", ".hidden", "x" * 300 + ".y"])
def test_prose_numbers_and_long_strings_are_not_module_names(literal: str) -> None:
    assert refs(f"message = {literal!r}") == set()


def test_non_literal_dynamic_imports_are_listed_for_debugging() -> None:
    result = extract(
        """
        import importlib

        def load(name):
            return importlib.import_module(name)

        def load_plugin(kind):
            return __import__(f"plugins.{kind}")
        """
    )
    assert "line 5: import_module(name)" in result.dynamic
    assert "line 8: __import__(f'plugins.{kind}')" in result.dynamic
    assert ImportRef("importlib") in result.imports


def test_calls_with_other_names_are_ignored() -> None:
    result = extract("load_module('not.this')\nimport_module()\n")
    assert result.dynamic == ()
    # the string still looks like a module name: the resolver keeps it only when it is one
    assert set(result.imports) == {ImportRef("not.this")}


def test_a_dynamic_import_of_a_deeply_nested_expression_is_listed_not_raised() -> None:
    nested = "+".join(["part"] * 1500)
    result = extract_imports(f"import importlib\nimportlib.import_module({nested})\n".encode())
    # Some Python versions refuse such nesting in the parser already; either answer is safe.
    assert result.error is not None or result.dynamic == ("line 2: import_module(...)",)


def test_utf8_bom_is_honoured() -> None:
    result = extract_imports(b"\xef\xbb\xbfimport shop.cart\n")
    assert result.error is None
    assert ImportRef("shop.cart") in result.imports


def test_pep263_latin1_cookie_with_non_ascii_bytes() -> None:
    source = b"# -*- coding: latin-1 -*-\nGREETING = 'caf\xe9'\nfrom shop import caf\xe9\n"
    result = extract_imports(source)
    assert result.error is None
    assert ImportRef("shop", 0, ("café",)) in result.imports


def test_non_ascii_identifiers_are_extracted_normalised() -> None:
    assert ImportRef("módulo.ñandú") in refs("import módulo.ñandú")


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (b"import a\x00\nimport b\n", "null bytes"),
        (b"import a\ndef broken(:\n    pass\n", "line 2"),
        (b"import a\nx = '\xff\xfe'\n", "utf-8"),
        (b"# coding: no-such-codec\nimport a\n", "unknown encoding"),
        (b"\xef\xbb\xbf# coding: latin-1\nimport a\n", "encoding problem"),
        (b"x = " + b"(" * 500 + b")" * 500 + b"\n", "parenthes"),
    ],
    ids=["null-bytes", "syntax-error", "invalid-utf8", "unknown-codec", "bom-with-latin1-cookie", "deep-nesting"],
)
def test_unparseable_source_sets_error_and_lists_nothing(source: bytes, reason: str) -> None:
    result = extract_imports(source)
    assert result.error is not None
    assert reason in result.error.lower()
    assert result.imports == ()


def test_oversized_file_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports_module, "MAX_SOURCE_BYTES", 64)
    result = extract_imports(b"import a\n" * 10)
    assert result.error is not None
    assert "not parsed" in result.error
    assert result.imports == ()


def test_empty_and_comment_only_files_have_no_imports() -> None:
    for source in (b"", b"# just a comment\n"):
        result = extract_imports(source)
        assert (result.imports, result.dynamic, result.error, result.paths) == ((), (), None, ())


def test_duplicate_references_are_listed_once() -> None:
    result = extract("import b\nimport a\nimport b\ndef f():\n    import a\n")
    assert result.imports == (ImportRef("b"), ImportRef("a"))
