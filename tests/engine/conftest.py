"""Fixtures for engine tests: a project on disk, a scan clock, and a read counter."""

from __future__ import annotations

import os
import textwrap
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from pytest_delta.engine import EngineOptions, Snapshot, Workspace, load_snapshot, save_snapshot
from pytest_delta.engine import files as files_module
from pytest_delta.engine import workspace as workspace_module

SNAPSHOT_NAME = ".delta.msgpack"


class Project:
    """A project directory the tests write, edit and scan like a user would."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.snapshot_path = root / SNAPSHOT_NAME

    def write(self, relpath: str, text: str = "") -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_bytes(self, relpath: str, data: bytes) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def edit_keeping_stat(self, relpath: str, text: str) -> None:
        """Rewrite a file with same-size content and put its old mtime back (an editor's
        "preserve timestamps", a checkout within the same second)."""
        path = self.root / relpath
        before = path.stat()
        data = textwrap.dedent(text).encode()
        assert len(data) == before.st_size, "the edit must keep the size to hide from stat"
        path.write_bytes(data)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    def delete(self, relpath: str) -> None:
        (self.root / relpath).unlink()

    def workspace(self, baseline: Snapshot | None = None, options: EngineOptions | None = None) -> Workspace:
        workspace = Workspace(self.root, baseline, options)
        workspace.scan()
        return workspace

    def save(self, workspace: Workspace) -> Snapshot:
        """Save the workspace's snapshot to disk and load it back, as the next run would."""
        save_snapshot(self.snapshot_path, workspace.to_snapshot())
        loaded = load_snapshot(self.snapshot_path)
        assert loaded is not None
        return loaded

    def baseline(self, options: EngineOptions | None = None) -> Snapshot:
        """The snapshot a first run over the current files leaves behind."""
        return self.save(self.workspace(None, options))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scans run as if a minute after the files were written: no file is within the racy
    window, so a file's stat data alone vouches for its content."""
    real_time_ns = time.time_ns
    monkeypatch.setattr(workspace_module, "time", SimpleNamespace(time_ns=lambda: real_time_ns() + 60 * 10**9))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the files the workspace reads from disk, by relative path."""
    counter: Counter[str] = Counter()
    real_read_file = files_module.read_file

    def counting_read_file(root: Path, relpath: str) -> bytes:
        counter[relpath] += 1
        return real_read_file(root, relpath)

    monkeypatch.setattr(workspace_module, "read_file", counting_read_file)
    return counter
