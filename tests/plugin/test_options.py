"""What the plugin prints, and that without ``--delta`` it does and imports nothing."""

from __future__ import annotations

import re

import pytest

from .conftest import SNAPSHOT, DeltaRun, Project

PROJECT = {
    "pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\n",
    "src/shop/__init__.py": "",
    "src/shop/money.py": "def cents(x):\n    return round(x * 100)\n",
    "src/shop/cart.py": "from shop.money import cents\n\n\ndef total(p):\n    return cents(sum(p))\n",
    "src/shop/catalog.py": "PRICES = {'apple': 0.5}\n",
    "tests/test_money.py": "from shop.money import cents\n\n\ndef test_cents():\n    assert cents(1) == 100\n",
    "tests/test_cart.py": "from shop.cart import total\n\n\ndef test_total():\n    assert total([1]) == 100\n\n\n"
                          "def test_empty():\n    assert total([]) == 0\n",
    "tests/test_catalog.py": "from shop.catalog import PRICES\n\n\ndef test_apple():\n    assert PRICES['apple']\n",
}
TRACKED = 8  # the .py files above and pytest.ini (a config file: tracked)


@pytest.fixture
def shop(project: Project) -> Project:
    project.write(PROJECT)
    assert len(project.run().ran) == 4
    return project


def is_subsequence(wanted: list[str], lines: list[str]) -> bool:
    remaining = iter(lines)
    return all(any(line == want for line in remaining) for want in wanted)


def test_debug_prints_the_documented_lines_in_order(shop: Project) -> None:
    shop.edit("src/shop/money.py", "def cents(x):\n    return int(round(x * 100))\n")

    run = shop.run("--delta-debug")

    assert run.ran == {"tests/test_money.py::test_cents", "tests/test_cart.py::test_total",
                       "tests/test_cart.py::test_empty"}
    documented = [
        "Plugin enabled",
        f"Loaded delta: {TRACKED} files tracked",
        "Changed: 1, New: 0, Deleted: 0",
        "Affected test files: 2",
        "tests/test_cart.py",
        "tests/test_money.py",
        "Selected: 3, Deselected: 1",
    ]
    assert is_subsequence(documented, run.debug), run.debug
    changed_lines = run.debug[run.debug.index("Changed: 1, New: 0, Deleted: 0") + 1:
                              run.debug.index("Affected test files: 2")]
    assert [line for line in changed_lines if "src/shop/money.py" in line] == changed_lines != []


def test_debug_counts_new_and_deleted_files(shop: Project) -> None:
    shop.edit("src/shop/catalog.py", "PRICES = {'apple': 0.25 * 2}\n")
    shop.write({"src/shop/coupons.py": "RATE = 0.1\n"})
    shop.delete("tests/test_money.py")

    run = shop.run("--delta-debug")

    assert run.ran == {"tests/test_catalog.py::test_apple"}
    changed_lines = run.debug[run.debug.index("Changed: 1, New: 1, Deleted: 1") + 1:
                              run.debug.index("Affected test files: 1")]
    for reason, path in (("changed", "src/shop/catalog.py"), ("new", "src/shop/coupons.py"),
                         ("deleted", "tests/test_money.py")):
        assert [line for line in changed_lines if line.endswith(f": {path}")] == [f"  {reason}: {path}"], run.debug


def test_debug_gives_the_reason_for_a_full_run(project: Project) -> None:
    project.write(PROJECT)

    first = project.run("--delta-debug")
    assert f"Running all tests: no snapshot at {SNAPSHOT}" in first.debug

    rebuilt = project.run("--delta-debug", "--delta-rebuild")
    assert "Running all tests: --delta-rebuild given" in rebuilt.debug


def test_without_debug_one_summary_line_says_what_delta_did(shop: Project) -> None:
    shop.edit("src/shop/catalog.py", "PRICES = {'apple': 0.25 * 2}\n")

    run = shop.run()

    assert run.summaries == ["delta: 1 changed, 1 of 4 tests selected"]
    assert run.debug == []
    assert run.warnings == []


def test_deselected_tests_show_in_pytest_summary(shop: Project) -> None:
    shop.edit("src/shop/catalog.py", "PRICES = {'apple': 0.25 * 2}\n")

    run = shop.run("-p", "no:cacheprovider")

    assert run.ran == {"tests/test_catalog.py::test_apple"}
    assert run.deselected == {"tests/test_money.py::test_cents", "tests/test_cart.py::test_total",
                              "tests/test_cart.py::test_empty"}
    assert run.result.parseoutcomes() == {"passed": 1, "deselected": 3}
    assert [line for line in run.lines if re.search(r"/ -\d+ selected", line)] == []


def test_first_run_summary_line(project: Project) -> None:
    project.write(PROJECT)

    assert project.run().summaries == [f"delta: no snapshot at {SNAPSHOT}; running all 4 tests"]


def assert_silent(run: DeltaRun) -> None:
    assert run.summaries == run.debug == run.warnings == []


def test_without_delta_the_plugin_prints_and_imports_nothing(project: Project) -> None:
    project.write(PROJECT)

    run = project.run(delta=False, autoload=True)

    assert len(run.ran) == 4
    assert_silent(run)
    assert "pytest_delta.plugin" in run.modules  # loaded through its entry point...
    assert [m for m in run.modules if m.startswith(("pytest_delta.engine", "pytest_delta.session"))] == []
    assert not project.snapshot.exists()


def test_without_delta_an_existing_snapshot_is_neither_used_nor_touched(shop: Project) -> None:
    before = shop.snapshot.read_bytes()
    shop.edit("src/shop/catalog.py", "PRICES = {'apple': 0.25 * 2}\n")

    run = shop.run(delta=False)

    assert len(run.ran) == 4
    assert_silent(run)
    assert shop.snapshot.read_bytes() == before


def test_delta_through_the_entry_point(shop: Project) -> None:
    shop.edit("src/shop/catalog.py", "PRICES = {'apple': 0.25 * 2}\n")

    run = shop.run(autoload=True)

    assert run.ran == {"tests/test_catalog.py::test_apple"}
    assert run.summaries == ["delta: 1 changed, 1 of 4 tests selected"]


def test_options_are_listed_in_a_delta_group_of_the_help(project: Project) -> None:
    run = project.run("--help", delta=False)

    text = run.text
    group = text[text.index("pytest-delta: run only the tests a change can affect"):]
    for option in ("--delta ", "--delta-file=PATH", "--delta-rebuild", "--delta-no-save", "--delta-debug"):
        assert option in group
    for ini in ("delta_file", "delta_roots", "delta_exclude"):
        assert f"  {ini} " in text


def test_delta_always_marker_is_registered(project: Project) -> None:
    run = project.run("--markers", delta=False)

    assert any(line.startswith("@pytest.mark.delta_always:") for line in run.lines)


def test_run_from_a_subdirectory_keeps_the_snapshot_in_the_rootdir(project: Project) -> None:
    project.write(PROJECT)

    project.run(cwd=project.path("tests"))

    assert project.snapshot.is_file()
    assert not project.path(f"tests/{SNAPSHOT}").exists()
    assert project.run().ran == set()


def test_delta_exclude_stops_tracking_matching_paths(project: Project) -> None:
    project.write({
        **PROJECT,
        "pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\ndelta_exclude = src/shop/catalog.py\n",
    })
    project.run()

    project.edit("src/shop/catalog.py", "PRICES = {'apple': 0.25 * 2}\n")
    run = project.run("--delta-debug")

    assert run.ran == set()
    assert f"Loaded delta: {TRACKED - 1} files tracked" in run.debug
