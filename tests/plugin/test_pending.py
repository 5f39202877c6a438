"""Failures are never forgotten, subsets are never trusted: the pending rule across runs."""

from __future__ import annotations

import pytest

from .conftest import Project, nodeids

#: ``calc`` is imported by two test files; a ``FAIL`` file (not Python, so not a change)
#: makes one test fail, a ``STOP`` file makes one raise KeyboardInterrupt. Edits change the
#: module body of ``calc.py``, so every test of its importers is affected.
CALC = {
    "pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\n",
    "src/calc.py": "FACTOR = 2\n\n\ndef scale(x):\n    return FACTOR * x\n",
    "src/words.py": "def shout(s):\n    return s.upper()\n",
    "tests/test_scale.py": """\
        from pathlib import Path

        from calc import scale

        ROOT = Path(__file__).parent.parent


        def test_first():
            assert not (ROOT / "FAIL").exists()


        def test_second():
            if (ROOT / "STOP").exists():
                raise KeyboardInterrupt
            assert scale(2) == 4


        def test_third():
            assert scale(0) == 0
        """,
    "tests/test_more.py": """\
        from calc import scale


        def test_foo():
            assert scale(1) == 2


        def test_bar():
            assert scale(3) == 6
        """,
    "tests/test_words.py": "from words import shout\n\n\ndef test_shout():\n    assert shout('a') == 'A'\n",
}
SCALE_TESTS = nodeids("tests/test_scale.py::test_first,test_second,test_third")
MORE_TESTS = nodeids("tests/test_more.py::test_foo,test_bar")
WORDS_TESTS = nodeids("tests/test_words.py::test_shout")


@pytest.fixture
def calc(project: Project) -> Project:
    """The project after a full passing run, then an edit of ``calc.py`` that affects
    ``test_scale.py`` and ``test_more.py`` (not ``test_words.py``)."""
    project.write(CALC)
    assert project.run().outcomes == dict.fromkeys(SCALE_TESTS | MORE_TESTS | WORDS_TESTS, "passed")
    project.edit("src/calc.py", "FACTOR = 1 + 1\n\n\ndef scale(x):\n    return FACTOR * x\n")
    return project


def test_failing_test_runs_again_until_it_passes_then_not(project: Project) -> None:
    project.write({
        "pytest.ini": "[pytest]\npythonpath = src\n",
        "src/calc.py": "def add(a, b):\n    return a - b  # bug\n",
        "tests/test_calc.py": """\
            from calc import add


            def test_add():
                assert add(2, 1) == 3


            def test_zero():
                assert add(0, 0) == 0
            """,
        "tests/test_other.py": "def test_other():\n    assert True\n",
    })
    first = project.run()
    assert first.outcomes == {"tests/test_calc.py::test_add": "failed", "tests/test_calc.py::test_zero": "passed",
                              "tests/test_other.py::test_other": "passed"}

    assert project.run().outcomes == {"tests/test_calc.py::test_add": "failed"}
    assert project.run().outcomes == {"tests/test_calc.py::test_add": "failed"}

    project.edit("src/calc.py", "def add(a, b):\n    return a + b\n")
    assert project.run().outcomes == {"tests/test_calc.py::test_add": "passed",
                                      "tests/test_calc.py::test_zero": "passed"}
    assert project.run().ran == set()


def test_k_subset_then_full_run_runs_the_rest_of_what_the_change_affected(calc: Project) -> None:
    assert calc.run("-k", "foo").outcomes == {"tests/test_more.py::test_foo": "passed"}

    assert calc.run().ran == SCALE_TESTS | nodeids("tests/test_more.py::test_bar")
    assert calc.run().ran == set()


def test_m_subset_then_full_run_runs_the_rest(calc: Project) -> None:
    calc.ini("pythonpath = src", "testpaths = tests", "markers = fast: quick ones")
    calc.edit("tests/test_words.py", """\
        import pytest

        from words import shout


        @pytest.mark.fast
        def test_shout():
            assert shout('a') == 'A'
        """)

    assert calc.run("-m", "fast").ran == WORDS_TESTS

    assert calc.run().ran == SCALE_TESTS | MORE_TESTS


def test_path_subset_then_full_run_runs_the_other_files(calc: Project) -> None:
    assert calc.run("tests/test_more.py").ran == MORE_TESTS

    assert calc.run().ran == SCALE_TESTS
    assert calc.run().ran == set()


def test_node_id_subset_then_full_run_runs_the_other_tests(calc: Project) -> None:
    assert calc.run("tests/test_more.py::test_bar").ran == nodeids("tests/test_more.py::test_bar")

    # test_bar passed, but a node-id run never collects the file's other tests, so the whole file
    # stays pending (a deliberate, safe imprecision: plugin-bugs.md #3).
    assert calc.run().ran == SCALE_TESTS | MORE_TESTS
    assert calc.run().ran == set()


def test_x_stop_then_full_run_runs_what_was_not_reached(calc: Project) -> None:
    calc.write({"FAIL": ""})

    stopped = calc.run("-x")
    assert stopped.outcomes == {"tests/test_more.py::test_foo": "passed", "tests/test_more.py::test_bar": "passed",
                                "tests/test_scale.py::test_first": "failed"}

    calc.delete("FAIL")
    assert calc.run().outcomes == dict.fromkeys(SCALE_TESTS, "passed")
    assert calc.run().ran == set()


def test_maxfail_stop_then_full_run_runs_what_was_not_reached(calc: Project) -> None:
    calc.write({"FAIL": ""})
    calc.edit("tests/test_more.py", """\
        from pathlib import Path

        from calc import scale


        def test_foo():
            assert not (Path(__file__).parent.parent / "FAIL").exists()


        def test_bar():
            assert scale(3) == 6
        """)

    stopped = calc.run("-x", "--maxfail=2")
    assert stopped.outcomes == {"tests/test_more.py::test_foo": "failed", "tests/test_more.py::test_bar": "passed",
                                "tests/test_scale.py::test_first": "failed"}

    calc.delete("FAIL")
    assert calc.run().outcomes == dict.fromkeys(
        SCALE_TESTS | nodeids("tests/test_more.py::test_foo"), "passed")


def test_collect_only_validates_nothing(calc: Project) -> None:
    collected = calc.run("--co")
    assert collected.ran == set()
    assert set(collected.items or ()) == SCALE_TESTS | MORE_TESTS

    assert calc.run("--collect-only", "-q").ran == set()

    assert calc.run().ran == SCALE_TESTS | MORE_TESTS


def test_collect_only_keeps_a_failing_test_pending(calc: Project) -> None:
    calc.write({"FAIL": ""})
    assert calc.run().with_outcome("failed") == nodeids("tests/test_scale.py::test_first")

    calc.run("--co")

    assert calc.run().outcomes == {"tests/test_scale.py::test_first": "failed"}


def test_interrupted_session_then_full_run_runs_what_did_not_pass(calc: Project) -> None:
    calc.write({"STOP": ""})

    interrupted = calc.run("tests/test_scale.py")
    assert interrupted.ret == pytest.ExitCode.INTERRUPTED
    assert interrupted.outcomes == {"tests/test_scale.py::test_first": "passed",
                                    "tests/test_scale.py::test_second": "interrupted"}

    calc.delete("STOP")
    assert calc.run().outcomes == dict.fromkeys(
        MORE_TESTS | nodeids("tests/test_scale.py::test_second,test_third"), "passed")


def test_delta_always_tests_run_on_every_run_under_strict_markers(project: Project) -> None:
    project.ini("addopts = --strict-markers")
    project.write({
        "app.py": "NAME = 'app'\n",
        "test_smoke.py": """\
            import pytest


            @pytest.mark.delta_always
            def test_smoke():
                assert True


            def test_plain():
                assert True
            """,
        "test_app.py": "from app import NAME\n\n\ndef test_name():\n    assert NAME == 'app'\n",
    })
    first = project.run()
    assert first.ret == 0
    assert first.ran == {"test_smoke.py::test_smoke", "test_smoke.py::test_plain", "test_app.py::test_name"}

    assert project.run().outcomes == {"test_smoke.py::test_smoke": "passed"}
    assert project.run().outcomes == {"test_smoke.py::test_smoke": "passed"}

    project.edit("app.py", "NAME = 'a' + 'pp'\n")
    assert project.run().ran == {"test_smoke.py::test_smoke", "test_app.py::test_name"}


def test_delta_always_on_a_class_marks_each_of_its_tests(project: Project) -> None:
    project.write({
        "test_health.py": """\
            import pytest


            @pytest.mark.delta_always
            class TestHealth:
                def test_up(self):
                    assert True

                def test_ready(self):
                    assert True


            def test_other():
                assert True
            """,
    })
    project.run()

    assert project.run().ran == nodeids("test_health.py::TestHealth::test_up,TestHealth::test_ready")


@pytest.fixture
def failing_and_affected(calc: Project) -> Project:
    """``test_first`` failed in the last run (still failing); the edit of ``calc.py`` is not run yet."""
    calc.write({"FAIL": ""})
    calc.run("tests/test_scale.py::test_first")
    return calc


def test_last_failed_beside_delta_runs_the_failure_and_keeps_the_rest_pending(failing_and_affected: Project) -> None:
    assert failing_and_affected.run("--lf").outcomes == {"tests/test_scale.py::test_first": "failed"}

    assert failing_and_affected.run().ran == SCALE_TESTS | MORE_TESTS


def test_failed_first_beside_delta_runs_the_same_selection(failing_and_affected: Project) -> None:
    run = failing_and_affected.run("--ff")

    assert run.ran == SCALE_TESTS | MORE_TESTS
    assert run.items is not None
    assert run.items[0] == "tests/test_scale.py::test_first"


def test_stepwise_beside_delta_continues_from_the_failure(calc: Project) -> None:
    calc.write({"FAIL": ""})
    assert calc.run("--sw", "tests/test_scale.py").outcomes == {"tests/test_scale.py::test_first": "failed"}
    assert calc.run("--sw", "tests/test_scale.py").outcomes == {"tests/test_scale.py::test_first": "failed"}

    calc.delete("FAIL")
    assert calc.run("--sw", "tests/test_scale.py").outcomes == dict.fromkeys(SCALE_TESTS, "passed")

    assert calc.run().ran == MORE_TESTS


def test_without_the_cacheprovider_selection_and_pending_are_the_same(calc: Project) -> None:
    calc.write({"FAIL": ""})
    run = calc.run("-p", "no:cacheprovider")
    assert run.ran == SCALE_TESTS | MORE_TESTS
    assert run.with_outcome("failed") == nodeids("tests/test_scale.py::test_first")

    assert calc.run("-p", "no:cacheprovider").outcomes == {"tests/test_scale.py::test_first": "failed"}


# -- runs that collect less than the whole suite without saying so in their arguments ------------


def test_a_run_from_a_subdirectory_then_from_the_rootdir_runs_the_rest(calc: Project) -> None:
    """Without arguments pytest collects the directory it starts in, not the rootdir's suite."""
    calc.write({"tests/unit/test_unit.py": "from calc import scale\n\n\ndef test_unit():\n    assert scale(5) == 10\n"})
    unit = nodeids("tests/unit/test_unit.py::test_unit")

    assert calc.run(cwd=calc.path("tests/unit")).ran == unit

    assert calc.run().ran == SCALE_TESTS | MORE_TESTS
    assert calc.run().ran == set()


def test_ignored_files_then_full_run_runs_them(calc: Project) -> None:
    assert calc.run("--ignore=tests/test_more.py").ran == SCALE_TESTS

    assert calc.run().ran == MORE_TESTS
    assert calc.run().ran == set()


def test_tests_under_a_conftest_that_failed_to_import_run_once_it_imports(calc: Project) -> None:
    """``tests/sub/conftest.py`` fails while ``DOWN`` exists (a service down, a variable unset):
    the error is reported for the directory, and its tests stay pending."""
    calc.write({
        "tests/sub/conftest.py": """\
            from pathlib import Path

            if (Path(__file__).parents[2] / "DOWN").exists():
                raise RuntimeError("the database is down")
            """,
        "tests/sub/test_sub.py": "from calc import scale\n\n\ndef test_sub():\n    assert scale(1) == 2\n",
    })
    sub = nodeids("tests/sub/test_sub.py::test_sub")
    assert calc.run().ran == SCALE_TESTS | MORE_TESTS | sub
    calc.edit("src/calc.py", "FACTOR = 2 * 1\n\n\ndef scale(x):\n    return FACTOR * x\n")
    calc.write({"DOWN": "yes\n"})

    down = calc.run("--continue-on-collection-errors")  # pytest 7 still stops at a conftest that fails
    assert down.ret != 0
    assert down.ran <= SCALE_TESTS | MORE_TESTS

    calc.delete("DOWN")
    assert calc.run().ran == sub | (SCALE_TESTS | MORE_TESTS) - down.ran


def test_delta_file_naming_a_source_file_leaves_it_alone(calc: Project) -> None:
    before = calc.path("src/words.py").read_bytes()

    run = calc.run("--delta-file=src/words.py")

    assert run.ret == 0
    assert calc.path("src/words.py").read_bytes() == before
    assert any("not a pytest-delta snapshot; not overwriting it" in line for line in run.text.splitlines())
