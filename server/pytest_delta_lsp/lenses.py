"""Code lenses: what a test file shows about its tests.

::

    ▶ Run 2 affected tests                          (line 1: pytestDelta.runAffected [uri])
    ...
    ● affected: src/shop/cart.py changed            (pytestDelta.runTest [node id])
    def test_total():
    ✗ failed last run
    def test_discount():
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lsprotocol import types

from .convert import line_range, to_range
from .selection import Selected, Status, StatusKind
from .testfiles import TestFile

RUN_AFFECTED = "pytestDelta.runAffected"
RUN_TEST = "pytestDelta.runTest"
REBUILD = "pytestDelta.rebuild"

BULLETS: Mapping[StatusKind, str] = {
    "affected": "●",
    "failed": "✗",
    "pending": "●",
    "always": "●",
    "untracked": "●",
}


def status_title(status: Status) -> str:
    return f"{BULLETS[status.kind]} {status.text}"


def run_title(count: int) -> str:
    return f"▶ Run {count} affected test{'' if count == 1 else 's'}"


def test_file_lenses(uri: str, test_file: TestFile, statuses: Mapping[str, Status],
                     selected: Sequence[Selected], encoding: str) -> list[types.CodeLens]:
    lenses: list[types.CodeLens] = []
    if selected:
        lenses.append(types.CodeLens(
            range=line_range(0),
            command=types.Command(title=run_title(len(selected)), command=RUN_AFFECTED, arguments=[uri],
                                  tooltip="pytest --delta on this file"),
        ))
    for item in test_file.items:
        status = statuses.get(item.node_id)
        if status is None:
            continue
        lenses.append(types.CodeLens(
            range=to_range(item.name_span, encoding),
            command=types.Command(title=status_title(status), command=RUN_TEST, arguments=[item.node_id],
                                  tooltip=status.tooltip),
        ))
    return lenses


def notice_lens(title: str, tooltip: str | None = None) -> types.CodeLens:
    """A lens that only informs (no command runs when it is clicked)."""
    return types.CodeLens(range=line_range(0), command=types.Command(title=title, command="", tooltip=tooltip))
