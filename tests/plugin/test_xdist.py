"""``--delta`` under pytest-xdist: every worker selects alike, the controller keeps the pending set."""

from __future__ import annotations

import pytest

from .conftest import DeltaRun, Project, nodeids

pytest.importorskip("xdist")


#: ``rates`` is used by two of four test files; a ``FAIL`` file makes ``test_vat`` fail.
PROJECT = {
    "pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\n",
    "src/rates.py": "VAT = 20\n",
    "src/names.py": "SHOP = 'corner'\n",
    "tests/test_vat.py": """\
        from pathlib import Path

        from rates import VAT


        def test_vat():
            assert not (Path(__file__).parent.parent / "FAIL").exists()
            assert VAT == 20


        def test_vat_positive():
            assert VAT > 0
        """,
    "tests/test_prices.py": "from rates import VAT\n\n\ndef test_gross():\n    assert 100 + VAT == 120\n",
    "tests/test_names.py": "from names import SHOP\n\n\ndef test_shop():\n    assert SHOP == 'corner'\n",
    "tests/test_misc.py": "def test_a():\n    assert True\n\n\ndef test_b():\n    assert True\n",
}
RATES_TESTS = nodeids("tests/test_vat.py::test_vat,test_vat_positive", "tests/test_prices.py::test_gross")
OTHER_TESTS = nodeids("tests/test_names.py::test_shop", "tests/test_misc.py::test_a,test_b")


def run_n2(project: Project, *args: str) -> DeltaRun:
    """``pytest --delta -n 2`` with the installed plugins loaded through their entry points."""
    return project.run("-n", "2", *args, autoload=True)


@pytest.fixture
def edited(project: Project) -> Project:
    project.write(PROJECT)
    first = run_n2(project)
    assert first.outcomes == dict.fromkeys(RATES_TESTS | OTHER_TESTS, "passed")
    assert project.snapshot.is_file()
    project.edit("src/rates.py", "VAT = 10 * 2\n")
    return project


def test_two_workers_select_what_one_process_selects(edited: Project) -> None:
    parallel = run_n2(edited, "--delta-no-save")
    serial = edited.run(autoload=True)

    assert parallel.outcomes == dict.fromkeys(RATES_TESTS, "passed")
    assert serial.outcomes == parallel.outcomes


def test_no_change_under_two_workers_runs_nothing_and_exits_0(edited: Project) -> None:
    assert run_n2(edited).ran == RATES_TESTS

    again = run_n2(edited)

    assert again.ret == 0
    assert again.ran == set()


def test_failing_test_under_two_workers_stays_pending_and_a_passing_one_does_not(edited: Project) -> None:
    edited.write({"FAIL": ""})
    run = run_n2(edited)
    assert run.with_outcome("failed") == nodeids("tests/test_vat.py::test_vat")
    assert run.with_outcome("passed") == RATES_TESTS - nodeids("tests/test_vat.py::test_vat")

    assert run_n2(edited).outcomes == {"tests/test_vat.py::test_vat": "failed"}

    edited.delete("FAIL")
    assert run_n2(edited).outcomes == {"tests/test_vat.py::test_vat": "passed"}
    assert run_n2(edited).ran == set()


def test_k_subset_under_two_workers_leaves_the_rest_pending(edited: Project) -> None:
    assert run_n2(edited, "-k", "gross").ran == nodeids("tests/test_prices.py::test_gross")

    assert run_n2(edited).ran == nodeids("tests/test_vat.py::test_vat,test_vat_positive")


def test_xdist_loaded_by_module_name_keeps_pending_exact(edited: Project) -> None:
    """With auto-loading off, plugins are named by module (``-p xdist.plugin``), as pytest's
    docs advise for reproducible CI runs."""
    assert edited.run("-n", "2", plugins=("xdist.plugin",)).ran == RATES_TESTS

    assert edited.run("-n", "2", plugins=("xdist.plugin",)).ran == set()
