"""``pytest-delta merge``: CI shards end with one snapshot that keeps exactly what no shard passed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_delta import __version__
from pytest_delta.__main__ import main
from pytest_delta.engine import FileRecord, Snapshot, load_snapshot, save_snapshot

from .conftest import Project, nodeids

#: Generous: a cold interpreter start on a loaded CI machine.
CLI_TIMEOUT_S = 120

CALC = {
    "pytest.ini": "[pytest]\npythonpath = src\ntestpaths = tests\n",
    "src/calc.py": "def scale(x):\n    return 2 * x\n",
    "src/words.py": "def shout(s):\n    return s.upper()\n",
    "tests/test_a.py": """\
        from calc import scale


        def test_a_small():
            assert scale(1) == 2


        def test_a_zero():
            assert scale(0) == 0
        """,
    "tests/test_b.py": """\
        from calc import scale


        def test_b_two():
            assert scale(2) == 4


        def test_b_three():
            assert scale(3) == 6
        """,
    "tests/test_c.py": "from calc import scale\n\n\ndef test_c_negative():\n    assert scale(-1) == -2\n",
    "tests/test_words.py": "from words import shout\n\n\ndef test_shout():\n    assert shout('a') == 'A'\n",
}
#: A change to ``calc`` that breaks ``scale(3)`` only.
BROKEN_FOR_THREE = "def scale(x):\n    return 7 if x == 3 else 2 * x\n"


def merge_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_delta", "merge", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=CLI_TIMEOUT_S, check=False)


def test_two_shards_merged_leave_exactly_the_failed_and_the_unrun_tests_pending(project: Project) -> None:
    project.write(CALC)
    assert project.run().with_outcome("passed") == nodeids(
        "tests/test_a.py::test_a_small,test_a_zero", "tests/test_b.py::test_b_two,test_b_three",
        "tests/test_c.py::test_c_negative", "tests/test_words.py::test_shout")
    project.edit("src/calc.py", BROKEN_FOR_THREE)
    for name in ("shard-1.msgpack", "shard-2.msgpack"):
        shutil.copy(project.snapshot, project.path(name))  # what each CI job restores from the cache

    first = project.run("--delta-file", "shard-1.msgpack", "-k", "test_a_")
    second = project.run("--delta-file", "shard-2.msgpack", "-k", "test_b_")
    assert first.outcomes == dict.fromkeys(nodeids("tests/test_a.py::test_a_small,test_a_zero"), "passed")
    assert second.outcomes == {"tests/test_b.py::test_b_two": "passed", "tests/test_b.py::test_b_three": "failed"}

    merged = merge_cli(project.root, "merged.msgpack", "shard-1.msgpack", "shard-2.msgpack")
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.strip() == (
        "pytest-delta: merged 2 snapshots into merged.msgpack: 2 tests and 0 files pending")

    after = project.run("--delta-file", "merged.msgpack")
    # Failed in its shard, and affected but run by no shard; everything else was validated.
    assert after.ran == nodeids("tests/test_b.py::test_b_three", "tests/test_c.py::test_c_negative")


def test_shards_of_different_trees_are_refused_with_the_file_that_differs(project: Project) -> None:
    project.write(CALC)
    project.run("--delta-file", "before.msgpack")
    project.edit("src/calc.py", BROKEN_FOR_THREE)
    shutil.copy(project.path("before.msgpack"), project.path("after.msgpack"))
    project.run("--delta-file", "after.msgpack")

    refused = merge_cli(project.root, "merged.msgpack", "before.msgpack", "after.msgpack")
    assert refused.returncode == 1
    assert refused.stderr.strip() == ("pytest-delta merge: refused: before.msgpack and after.msgpack are of "
                                      "different trees: src/calc.py differs")
    assert not project.path("merged.msgpack").exists()


# -- the command line in-process: inputs, errors, output ---------------------------------------------


def snapshot_with(pending: set[str], digest: bytes = b"\x01" * 32) -> Snapshot:
    return Snapshot(files={"tests/test_x.py": FileRecord(digest, None)}, parsed={}, deps={},
                    pending_tests=frozenset(pending), test_ids={"tests/test_x.py": ("tests/test_x.py::test_one",)})


def test_missing_or_corrupt_inputs_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.msgpack"
    save_snapshot(good, snapshot_with(set()))
    corrupt = tmp_path / "corrupt.msgpack"
    corrupt.write_bytes(b"\x93not a snapshot")

    assert main(["merge", str(tmp_path / "out.msgpack"), str(good), str(tmp_path / "gone.msgpack")]) == 2
    assert capsys.readouterr().err == f"pytest-delta merge: {tmp_path / 'gone.msgpack'}: no such file\n"
    assert main(["merge", str(tmp_path / "out.msgpack"), str(good), str(corrupt)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pytest-delta merge: cannot use {corrupt}: ")
    assert err.count("\n") == 1
    assert not (tmp_path / "out.msgpack").exists()


def test_the_merged_file_replaces_an_older_one_instead_of_keeping_its_pending_tests(tmp_path: Path) -> None:
    """CI restores last week's merged snapshot to the same path; its pending tests are not this
    run's and must not survive the merge."""
    out = tmp_path / "merged.msgpack"
    save_snapshot(out, snapshot_with({"tests/test_x.py::test_one"}))
    shards = [tmp_path / "one.msgpack", tmp_path / "two.msgpack"]
    save_snapshot(shards[0], snapshot_with(set()))
    save_snapshot(shards[1], snapshot_with({"tests/test_x.py::test_one"}))

    assert main(["merge", str(out), *map(str, shards)]) == 0
    merged = load_snapshot(out)
    assert merged is not None
    assert merged.pending_tests == frozenset()


def test_an_input_can_be_the_output(tmp_path: Path) -> None:
    one, two = tmp_path / "one.msgpack", tmp_path / "two.msgpack"
    save_snapshot(one, snapshot_with({"tests/test_x.py::test_one"}))
    save_snapshot(two, snapshot_with(set()))
    assert main(["merge", str(one), str(one), str(two)]) == 0
    merged = load_snapshot(one)
    assert merged is not None
    assert merged.pending_tests == frozenset()


def test_an_unwritable_output_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = tmp_path / "one.msgpack"
    save_snapshot(one, snapshot_with(set()))
    assert main(["merge", str(tmp_path), str(one)]) == 1
    assert "is a directory" in capsys.readouterr().err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"pytest-delta {__version__}"
    with pytest.raises(SystemExit):
        main(["merge", "--help"])
    text = capsys.readouterr().out
    assert "usage: pytest-delta merge [-h] OUT IN [IN ...]" in text
    assert "no shard passed" in text
    assert main([]) == 2
    assert "merge" in capsys.readouterr().err


def test_the_console_script_is_installed() -> None:
    script = shutil.which("pytest-delta", path=str(Path(sys.executable).parent))
    assert script is not None, "pytest-delta is not installed next to this interpreter"
    done = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, f"pytest-delta {__version__}")
