"""A snapshot that cannot be trusted or written: one clear line, a full run, never a traceback."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgpack
import pytest
from pytest_delta.engine import FileRecord, Snapshot, load_snapshot, save_snapshot

from .conftest import SNAPSHOT, Project, nodeids

PROJECT = {
    "pytest.ini": "[pytest]\npythonpath = .\ntestpaths = tests\n",
    "app.py": "NAME = 'app'\n",
    "tests/test_app.py": "from app import NAME\n\n\ndef test_name():\n    assert NAME == 'app'\n",
    "tests/test_plain.py": "def test_one():\n    assert True\n\n\ndef test_two():\n    assert True\n",
}
ALL_TESTS = nodeids("tests/test_app.py::test_name", "tests/test_plain.py::test_one,test_two")


@pytest.fixture
def saved(project: Project) -> Project:
    """The project after a first run: a valid snapshot on disk."""
    project.write(PROJECT)
    assert project.run().ran == ALL_TESTS
    return project


def replaced(make: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Damage made on the file's bytes."""
    def corrupt(path: Path) -> None:
        path.write_bytes(make(path.read_bytes()))

    return corrupt


def patched(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    """Damage made on the outer msgpack map (format, schema, written_ns, body)."""
    def corrupt(path: Path) -> None:
        outer = msgpack.unpackb(path.read_bytes(), raw=False)
        change(outer)
        path.write_bytes(msgpack.packb(outer, use_bin_type=True))

    return corrupt


def rewritten(**fields: Callable[[Snapshot], Any]) -> Callable[[Path], None]:
    """A well-formed snapshot holding bad data, written by the engine's own writer."""
    def corrupt(path: Path) -> None:
        snapshot = load_snapshot(path)
        assert snapshot is not None
        path.unlink()
        save_snapshot(path, dataclasses.replace(snapshot, **{k: f(snapshot) for k, f in fields.items()}))

    return corrupt


def with_file(relpath: str) -> Callable[[Snapshot], Any]:
    return lambda snapshot: {**snapshot.files, relpath: FileRecord(bytes(32), None)}


@dataclass(frozen=True)
class Damage:
    name: str
    corrupt: Callable[[Path], None]
    #: Words the warning must give as the reason.
    reason: str


DAMAGES = [
    Damage("garbage", replaced(lambda valid: b"\xc1\x00not msgpack at all\xff" * 20), "not a readable snapshot"),
    Damage("truncated", replaced(lambda valid: valid[: len(valid) // 2]), "not a readable snapshot"),
    Damage("empty", replaced(lambda valid: b""), "empty file"),
    Damage("another tool's msgpack", replaced(lambda valid: msgpack.packb({"version": 3, "entries": [[1, "a"]]})),
           "not a pytest-delta snapshot"),
    Damage("a msgpack list", replaced(lambda valid: msgpack.packb([1, 2, 3])), "not a pytest-delta snapshot"),
    Damage("future schema", patched(lambda outer: outer.update(schema=99)), "newer pytest-delta"),
    Damage("body of the wrong type", patched(lambda outer: outer.update(body=42)), "malformed"),
    Damage("path escaping the root with ..", rewritten(files=with_file("../outside.py")), "escapes the root"),
    Damage("absolute path", rewritten(files=with_file("/etc/passwd")), "escapes the root"),
    Damage("pending file escaping the root", rewritten(pending_files=lambda s: frozenset({"../../x.py"})),
           "escapes the root"),
]


@pytest.mark.parametrize("damage", DAMAGES, ids=[d.name for d in DAMAGES])
def test_unusable_snapshot_warns_once_runs_all_then_writes_a_good_one(saved: Project, damage: Damage) -> None:
    damage.corrupt(saved.snapshot)

    run = saved.run()

    assert run.ret == 0
    assert run.outcomes == dict.fromkeys(ALL_TESTS, "passed")
    assert len(run.warnings) == 1, run.text
    assert SNAPSHOT in run.warnings[0]
    assert damage.reason in run.warnings[0]
    assert load_snapshot(saved.snapshot) is not None

    after = saved.run()
    assert after.warnings == []
    assert after.ran == set()


def test_rebuild_runs_everything_ignoring_the_snapshot_and_writes_a_fresh_one(saved: Project) -> None:
    saved.snapshot.write_bytes(b"garbage")

    rebuilt = saved.run("--delta-rebuild", "--delta-debug")

    assert rebuilt.ran == ALL_TESTS
    assert rebuilt.warnings == []
    assert "Running all tests: --delta-rebuild given" in rebuilt.debug
    assert saved.run().ran == set()


def test_rebuild_forgets_pending_failures_only_by_running_them(saved: Project) -> None:
    saved.edit("app.py", "NAME = 'changed'\n")
    assert saved.run().outcomes == {"tests/test_app.py::test_name": "failed"}

    assert saved.run("--delta-rebuild").with_outcome("failed") == nodeids("tests/test_app.py::test_name")

    assert saved.run().outcomes == {"tests/test_app.py::test_name": "failed"}


def test_no_save_on_a_first_run_writes_nothing(project: Project) -> None:
    project.write(PROJECT)

    assert project.run("--delta-no-save").ran == ALL_TESTS
    assert not project.snapshot.exists()
    assert project.run("--delta-no-save").ran == ALL_TESTS
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".delta")) == []


def test_no_save_reads_the_snapshot_and_leaves_it_untouched(saved: Project) -> None:
    before = saved.snapshot.read_bytes()
    saved.edit("app.py", "NAME = 'a' + 'pp'\n")

    assert saved.run("--delta-no-save").ran == nodeids("tests/test_app.py::test_name")
    assert saved.run("--delta-no-save").ran == nodeids("tests/test_app.py::test_name")

    assert saved.snapshot.read_bytes() == before


def test_delta_file_relative_resolves_against_the_rootdir_not_the_cwd(project: Project) -> None:
    project.write(PROJECT)

    first = project.run("--delta-file", "state/delta.bin", cwd=project.path("tests"))
    assert first.ran == ALL_TESTS
    assert project.path("state/delta.bin").is_file()
    assert not project.path("tests/state").exists()
    assert not project.snapshot.exists()

    assert project.run("--delta-file", "state/delta.bin", cwd=project.path("tests")).ran == set()
    assert project.run("--delta-file", "state/delta.bin").ran == set()


def test_delta_file_absolute_outside_the_rootdir(project: Project, tmp_path_factory: pytest.TempPathFactory) -> None:
    project.write(PROJECT)
    target = tmp_path_factory.mktemp("elsewhere") / "snap.msgpack"

    assert project.run(f"--delta-file={target}").ran == ALL_TESTS
    assert target.is_file()
    assert not project.snapshot.exists()

    project.edit("app.py", "NAME = 'a' + 'pp'\n")
    assert project.run(f"--delta-file={target}").ran == nodeids("tests/test_app.py::test_name")


def test_delta_file_from_the_ini(project: Project) -> None:
    project.write(PROJECT)
    project.ini("pythonpath = .", "testpaths = tests", "delta_file = .cache-delta/snapshot.msgpack")

    assert project.run().ran == ALL_TESTS
    assert project.path(".cache-delta/snapshot.msgpack").is_file()
    assert not project.snapshot.exists()
    assert project.run().ran == set()


def test_command_line_delta_file_wins_over_the_ini(project: Project) -> None:
    project.write(PROJECT)
    project.ini("pythonpath = .", "testpaths = tests", "delta_file = from-ini.msgpack")

    project.run("--delta-file", "from-cli.msgpack")

    assert project.path("from-cli.msgpack").is_file()
    assert not project.path("from-ini.msgpack").exists()


def test_delta_file_that_is_a_directory_gives_a_clear_line_and_tests_still_run(project: Project) -> None:
    project.write(PROJECT)
    project.path("snapdir").mkdir()

    for _ in range(2):
        run = project.run("--delta-file", "snapdir")
        assert run.ret == 0
        assert run.outcomes == dict.fromkeys(ALL_TESTS, "passed")
        assert run.warnings, run.text
        assert all("snapdir" in line and "directory" in line for line in run.warnings), run.warnings
    assert list(project.path("snapdir").iterdir()) == []


def test_delta_file_in_an_unwritable_place_gives_a_clear_line_and_tests_still_run(project: Project) -> None:
    project.write({**PROJECT, "notes.txt": "a file, not a directory\n"})

    run = project.run("--delta-file", "notes.txt/snapshot.msgpack")

    assert run.ret == 0
    assert run.outcomes == dict.fromkeys(ALL_TESTS, "passed")
    assert len(run.warnings) == 1, run.text
    assert "notes.txt/snapshot.msgpack" in run.warnings[0]
    assert "not saved" in run.warnings[0]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_delta_file_in_a_read_only_directory(project: Project) -> None:
    project.write(PROJECT)
    locked = project.path("locked")
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("this user can write to read-only directories (root)")
        run = project.run("--delta-file", "locked/snap.msgpack")
    finally:
        locked.chmod(0o700)

    assert run.outcomes == dict.fromkeys(ALL_TESTS, "passed")
    assert len(run.warnings) == 1, run.text
    assert "locked/snap.msgpack" in run.warnings[0]


def test_concurrent_runs_leave_a_loadable_snapshot(saved: Project) -> None:
    saved.write({"tests/test_slow.py": """\
        import time

        from app import NAME


        def test_slow():
            time.sleep(0.5)
            assert NAME
        """})
    saved.edit("app.py", "NAME = 'a' + 'pp'\n")
    affected = nodeids("tests/test_app.py::test_name", "tests/test_slow.py::test_slow")

    terminal, editor = saved.run_together((), ())

    assert terminal.outcomes == dict.fromkeys(affected, "passed")
    assert editor.outcomes == dict.fromkeys(affected, "passed")
    assert terminal.warnings == editor.warnings == []
    assert load_snapshot(saved.snapshot) is not None
    assert sorted(p.name for p in Path(saved.root).iterdir() if p.name.endswith(".tmp")) == []
    after = saved.run()
    assert after.warnings == []
    assert after.ran == set()


def test_concurrent_runs_keep_each_others_failures_pending(saved: Project) -> None:
    saved.write({"tests/test_flag.py": """\
        import time


        def test_flag(request):
            time.sleep(0.3)
            assert request.config.option.tbstyle != "line", "this run was asked to fail"
        """})
    saved.edit("app.py", "NAME = 'a' + 'pp'\n")
    affected = nodeids("tests/test_app.py::test_name", "tests/test_flag.py::test_flag")

    failing, passing = saved.run_together(("--tb=line",), ())
    assert failing.with_outcome("failed") == nodeids("tests/test_flag.py::test_flag")
    assert passing.outcomes == dict.fromkeys(affected, "passed")

    assert saved.run().outcomes == {"tests/test_flag.py::test_flag": "passed"}
