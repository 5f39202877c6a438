"""Working copies of a generated repository, and scenarios applied to and reverted from them."""

from __future__ import annotations

import shutil
from pathlib import Path

from .scenarios import Scenario


def fresh_copy(pristine: Path, target: Path) -> None:
    """Replace ``target`` with a copy of ``pristine`` (modification times kept, so the copy's
    compiled ``__pycache__`` files stay valid)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(pristine, target, symlinks=True)


class ScenarioTree:
    """A working copy that can take one scenario's edits at a time.

    Reverting writes the pristine bytes back (with a new modification time, like a real
    checkout would), deletes added files and restores deleted ones.
    """

    def __init__(self, root: Path, pristine: Path) -> None:
        self.root = root
        self.pristine = pristine
        self.applied: Scenario | None = None

    def apply(self, scenario: Scenario) -> None:
        self.revert()
        for path, text in scenario.modify.items():
            original = (self.pristine / path).read_bytes()
            (self.root / path).write_bytes(original + text.encode("utf-8"))
        for path, text in scenario.add.items():
            target = self.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        for path in scenario.delete:
            (self.root / path).unlink()
        self.applied = scenario

    def revert(self) -> None:
        scenario = self.applied
        if scenario is None:
            return
        for path in [*scenario.modify, *scenario.delete]:
            (self.root / path).write_bytes((self.pristine / path).read_bytes())
        for path in scenario.add:
            (self.root / path).unlink(missing_ok=True)
        self.applied = None
