"""Source files the engine cannot read or parse: no crash, and their importers run while they stay bad."""

from __future__ import annotations

import os

import pytest

from .conftest import Project, nodeids

PROJECT = {
    "pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\n",
    "src/pkg/__init__.py": "",
    "src/pkg/base.py": "VALUE = 1\n",
    "src/pkg/mod.py": "from pkg.base import VALUE\n\n\ndef get():\n    return VALUE\n",
    "src/pkg/other.py": "OTHER = 2\n",
    # Imports inside the test, so that a broken module fails the test rather than its collection.
    "tests/test_mod.py": "def test_get():\n    from pkg.mod import get\n    assert get() == 1\n",
    "tests/test_other.py": "from pkg.other import OTHER\n\n\ndef test_other():\n    assert OTHER == 2\n",
}
MOD_TESTS = nodeids("tests/test_mod.py::test_get")
OTHER_TESTS = nodeids("tests/test_other.py::test_other")


@pytest.fixture
def bad(project: Project) -> Project:
    project.write(PROJECT)
    assert project.run().ran == MOD_TESTS | OTHER_TESTS
    return project


def test_syntax_error_runs_importers_on_every_run_until_fixed(bad: Project) -> None:
    good = bad.path("src/pkg/mod.py").read_text()
    bad.edit("src/pkg/mod.py", "def get(:\n    return 1\n")

    first = bad.run("--delta-debug")
    assert first.outcomes == {"tests/test_mod.py::test_get": "failed"}
    assert any("src/pkg/mod.py" in line and "syntax error" in line for line in first.debug), first.debug
    assert bad.run().outcomes == {"tests/test_mod.py::test_get": "failed"}
    assert bad.run().outcomes == {"tests/test_mod.py::test_get": "failed"}

    bad.edit("src/pkg/mod.py", good)
    assert bad.run().outcomes == {"tests/test_mod.py::test_get": "passed"}
    assert bad.run().ran == set()


def test_syntax_error_in_a_module_imported_at_collection(bad: Project) -> None:
    bad.edit("src/pkg/other.py", "OTHER = = 2\n")

    assert bad.run().collect_errors == {"tests/test_other.py"}
    assert bad.run().collect_errors == {"tests/test_other.py"}

    bad.edit("src/pkg/other.py", "OTHER = 2\n\n")
    assert bad.run().outcomes == dict.fromkeys(OTHER_TESTS, "passed")


def test_null_bytes_count_as_unparseable(bad: Project) -> None:
    bad.edit("src/pkg/mod.py", b"from pkg.base import VALUE\n\x00\x00\ndef get():\n    return VALUE\n")

    assert bad.run().outcomes == {"tests/test_mod.py::test_get": "failed"}
    assert bad.run().outcomes == {"tests/test_mod.py::test_get": "failed"}


def test_latin1_file_with_a_coding_cookie_is_parsed_for_its_imports(bad: Project) -> None:
    bad.edit("src/pkg/mod.py", (
        "# -*- coding: latin-1 -*-\n"
        "from pkg.base import VALUE\n"
        "\n"
        "CAFE = 'café'\n"
        "\n"
        "\n"
        "def get():\n"
        "    return VALUE\n").encode("latin-1"))
    assert bad.run().outcomes == dict.fromkeys(MOD_TESTS, "passed")
    assert bad.run().ran == set()  # parsed fine: not "changed" again

    bad.edit("src/pkg/base.py", "VALUE = 2 - 1\n")

    assert bad.run().outcomes == dict.fromkeys(MOD_TESTS, "passed")


def test_file_starting_with_a_bom_is_parsed_for_its_imports(bad: Project) -> None:
    bad.edit("src/pkg/mod.py",
             b"\xef\xbb\xbffrom pkg.base import VALUE\n\nBOM = True\n\n\ndef get():\n    return VALUE\n")
    assert bad.run().outcomes == dict.fromkeys(MOD_TESTS, "passed")
    assert bad.run().ran == set()

    bad.edit("src/pkg/base.py", "VALUE = 2 - 1\n")

    assert bad.run().outcomes == dict.fromkeys(MOD_TESTS, "passed")


def test_undecodable_file_counts_as_unparseable(bad: Project) -> None:
    bad.edit("src/pkg/mod.py", b"from pkg.base import VALUE\nNAME = '\xff\xfe'\n\ndef get():\n    return VALUE\n")

    assert bad.run().outcomes == {"tests/test_mod.py::test_get": "failed"}
    assert bad.run().outcomes == {"tests/test_mod.py::test_get": "failed"}


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_file_counts_as_changed(bad: Project) -> None:
    path = bad.path("src/pkg/other.py")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("this user reads files without read permission (root)")
        run = bad.run()
        again = bad.run()
    finally:
        path.chmod(0o644)

    assert run.collect_errors == {"tests/test_other.py"}
    assert again.collect_errors == {"tests/test_other.py"}


def test_symlink_loops_are_not_followed(bad: Project) -> None:
    os.symlink("..", bad.path("src/pkg/parent_again"))
    os.symlink("loop_b.py", bad.path("src/pkg/loop_a.py"))
    os.symlink("loop_a.py", bad.path("src/pkg/loop_b.py"))
    os.symlink("missing.py", bad.path("src/pkg/dangling.py"))

    assert bad.run().ran == set()

    bad.edit("src/pkg/base.py", "VALUE = 2 - 1\n")
    assert bad.run().outcomes == dict.fromkeys(MOD_TESTS, "passed")


def test_symlinked_module_file_is_tracked_through_its_target(bad: Project) -> None:
    bad.write({"shared/impl.py": "OTHER = 2\n"})
    bad.delete("src/pkg/other.py")
    os.symlink("../../shared/impl.py", bad.path("src/pkg/other.py"))
    assert bad.run().ran == set()  # same content as before

    bad.edit("shared/impl.py", "OTHER = 1 + 1\n")

    assert bad.run().outcomes == dict.fromkeys(OTHER_TESTS, "passed")


def test_huge_generated_file_is_not_parsed_and_its_importers_run(bad: Project) -> None:
    line = b"TABLE_%08d = %d\n"
    bad.write({
        "src/pkg/generated.py": b"".join(line % (i, i) for i in range(17 * 1024 * 1024 // len(line % (0, 0)) + 1)),
        "tests/test_generated.py": """\
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from pkg import generated


            def test_table():
                assert True
            """,
    })

    first = bad.run("--delta-debug")
    assert first.ran == nodeids("tests/test_generated.py::test_table")
    assert any("src/pkg/generated.py" in line and "not parsed" in line for line in first.debug), first.debug

    assert bad.run().ran == nodeids("tests/test_generated.py::test_table")
