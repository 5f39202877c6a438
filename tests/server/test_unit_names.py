"""The server finds each test's symbol unit in the source exactly as the plugin finds it on the
item pytest collected: the unit name decides, with symbol precision, whether a test runs."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import pytest
from pytest_delta.engine import extract_imports
from pytest_delta.session import DeltaPlugin
from pytest_delta_lsp.selection import unit_of
from pytest_delta_lsp.testfiles import find_tests, strip_params

SHAPES = '''\
import sys

import pytest


def test_plain():
    pass


@pytest.mark.parametrize("n", [1, 2])
def test_cases(n):
    pass


async def test_coroutine():
    pass


if sys.version_info >= (3, 8):
    def test_conditional():  # not a top-level unit: the file decides
        pass


class TestBase:
    def test_own(self):
        pass

    def test_overridden(self):
        pass


class TestChild(TestBase):  # inherits test_own: TestChild.test_own is no unit of this file
    def test_overridden(self):
        pass

    class TestNested:
        def test_deep(self):
            pass


try:
    class TestGuarded:
        def test_guarded(self):
            pass
except ImportError:
    pass
'''


def test_unit_names_match_the_plugin_on_every_shape_of_test(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    items = pytester.getitems(SHAPES)
    path = items[0].nodeid.split("::", 1)[0]
    data = textwrap.dedent(SHAPES).encode()
    table = extract_imports(data).symbols
    assert table is not None
    defined = {unit.name for unit in table.units}
    plugin = SimpleNamespace(workspace=SimpleNamespace(symbols_of=lambda rel: table))
    static = find_tests(path, data)

    expected = {strip_params(item.nodeid): DeltaPlugin._unit_of(plugin, item, path)  # type: ignore[arg-type]
                for item in items}
    found = {item.node_id: unit_of(item, path, defined) for item in static.functions}

    assert found == expected
    assert expected == {
        f"{path}::test_plain": "test_plain",
        f"{path}::test_cases": "test_cases",
        f"{path}::test_coroutine": "test_coroutine",
        f"{path}::test_conditional": None,
        f"{path}::TestBase::test_own": "TestBase.test_own",
        f"{path}::TestBase::test_overridden": "TestBase.test_overridden",
        f"{path}::TestChild::test_own": None,
        f"{path}::TestChild::test_overridden": "TestChild.test_overridden",
        f"{path}::TestChild::TestNested::test_deep": None,
        f"{path}::TestGuarded::test_guarded": None,
    }
