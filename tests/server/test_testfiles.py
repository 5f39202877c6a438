"""Finding tests in source the way pytest collects them, without importing anything."""

from __future__ import annotations

import textwrap

import pytest
from pytest_delta_lsp.testfiles import CollectRules, find_tests


def ids(source: str, rules: CollectRules | None = None) -> list[str]:
    return [item.node_id for item in find_tests("tests/test_x.py", textwrap.dedent(source), rules).items]


def test_functions_classes_nested_classes_and_methods_in_source_order() -> None:
    assert ids("""\
        import pytest

        def helper():
            pass

        def test_one():
            pass

        async def test_async():
            pass

        class TestOuter:
            def test_method(self):
                pass

            def helper(self):
                pass

            class TestInner:
                def test_deep(self):
                    pass

        class Helper:
            def test_not_collected(self):
                pass
        """) == [
        "tests/test_x.py::test_one",
        "tests/test_x.py::test_async",
        "tests/test_x.py::TestOuter",
        "tests/test_x.py::TestOuter::test_method",
        "tests/test_x.py::TestOuter::TestInner",
        "tests/test_x.py::TestOuter::TestInner::test_deep",
    ]


def test_classes_pytest_refuses_to_collect_are_left_out() -> None:
    assert ids("""\
        class TestWithInit:
            def __init__(self):
                pass

            def test_a(self):
                pass

        class TestDisabled:
            __test__ = False

            def test_b(self):
                pass

        class TestEmpty:
            def helper(self):
                pass
        """) == []


def test_methods_inherited_from_a_class_of_the_same_file_belong_to_the_subclass() -> None:
    found = find_tests("tests/test_x.py", textwrap.dedent("""\
        class Base:
            def test_shared(self):
                pass

        class TestChild(Base):
            def test_own(self):
                pass
        """)).by_id
    assert list(found) == ["tests/test_x.py::TestChild", "tests/test_x.py::TestChild::test_shared",
                           "tests/test_x.py::TestChild::test_own"]
    # The inherited test is shown on the subclass, where pytest runs it.
    assert found["tests/test_x.py::TestChild::test_shared"].name_span.start.line == 4


def test_a_redefined_test_is_one_test_and_conditional_definitions_count() -> None:
    assert ids("""\
        import sys

        def test_twice():
            pass

        if sys.platform:
            def test_conditional():
                pass

        def test_twice():
            pass
        """) == ["tests/test_x.py::test_twice", "tests/test_x.py::test_conditional"]


def test_delta_always_is_found_on_tests_classes_and_modules() -> None:
    always = {item.node_id: item.always for item in find_tests("tests/test_x.py", textwrap.dedent("""\
        import pytest

        @pytest.mark.delta_always
        def test_marked():
            pass

        def test_plain():
            pass

        class TestByClassMark:
            pytestmark = [pytest.mark.slow, pytest.mark.delta_always]

            def test_inside(self):
                pass
        """)).items}
    assert always == {"tests/test_x.py::test_marked": True, "tests/test_x.py::test_plain": False,
                      "tests/test_x.py::TestByClassMark": True, "tests/test_x.py::TestByClassMark::test_inside": True}
    module_marked = find_tests("tests/test_y.py", "import pytest\npytestmark = pytest.mark.delta_always\n"
                                                  "def test_any():\n    pass\n")
    assert [item.always for item in module_marked.items] == [True]


def test_columns_are_given_in_every_position_encoding() -> None:
    found = find_tests("tests/test_x.py", 'class TestÉ:\n    def test_é(self): return "😀"\n')
    method = found.by_id["tests/test_x.py::TestÉ::test_é"]
    start, end = method.name_span.start, method.name_span.end
    assert (start.line, start.utf8, start.utf16, start.utf32) == (1, 8, 8, 8)
    assert (end.utf8, end.utf16, end.utf32) == (8 + 7, 8 + 6, 8 + 6)
    # The definition ends after the emoji (32 characters in): é and 😀 take 1 + 3 more bytes in
    # UTF-8, 😀 one more unit in UTF-16.
    assert (method.span.end.utf8, method.span.end.utf16, method.span.end.utf32) == (36, 33, 32)


def test_a_file_that_does_not_parse_has_no_tests_and_says_why() -> None:
    found = find_tests("tests/test_x.py", "def test_a(:\n")
    assert found.items == ()
    assert found.error == "syntax error at line 1: invalid syntax"


def test_parametrized_node_ids_find_their_function() -> None:
    found = find_tests("tests/test_x.py", "def test_p(x):\n    pass\n")
    item = found.find("tests/test_x.py::test_p[a-1.5]")
    assert item is not None
    assert item.node_id == "tests/test_x.py::test_p"


@pytest.mark.parametrize(("path", "expected"), [
    ("tests/test_cart.py", True),
    ("tests/cart_test.py", True),
    ("tests/cart.py", False),
    ("tests/conftest.py", False),
    ("build/test_generated.py", False),
    (".hidden/test_x.py", False),
    ("test_top.py", True),
])
def test_default_file_rules(path: str, expected: bool) -> None:
    assert CollectRules().is_test_file(path) is expected


def test_configured_names_and_testpaths() -> None:
    rules = CollectRules(python_files=("check_*.py",), python_classes=("Check",),
                         python_functions=("check_", "*_spec"), testpaths=("checks",))
    assert rules.is_test_file("checks/check_cart.py")
    assert not rules.is_test_file("tests/check_cart.py")  # outside testpaths
    assert not rules.is_test_file("checks/test_cart.py")
    assert ids("class CheckCart:\n    def check_a(self):\n        pass\n    def total_spec(self):\n        pass\n"
               "def test_ignored():\n    pass\n", rules) == [
        "tests/test_x.py::CheckCart", "tests/test_x.py::CheckCart::check_a", "tests/test_x.py::CheckCart::total_spec"]
