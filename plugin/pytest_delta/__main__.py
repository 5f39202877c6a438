"""The ``pytest-delta`` command (also ``python -m pytest_delta``): snapshot chores outside a run.

It never imports pytest: a CI merge job needs only this package and its engine.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .engine import SnapshotError, SnapshotWriteError, load_snapshot, save_snapshot
from .engine.merge import MergeError, merge_snapshots

#: Exit statuses: merged; refused (the inputs are of different trees) or not written; an input
#: cannot be used or the command line is wrong (argparse's own status for usage errors).
EXIT_OK, EXIT_REFUSED, EXIT_BAD_INPUT = 0, 1, 2

MERGE_HELP = """\
Combine the snapshots that CI shards wrote from the same tree (pytest-split's --splits/--group,
-k, or different paths on several machines) into one: a test stays pending when no shard passed
it (it failed where it ran, or no shard ran it); every other test counts as validated.

Each shard must start from the same snapshot and run pytest --delta with its own --delta-file.
OUT is replaced (written atomically); it may be one of the inputs.

exit status: 0 merged; 1 the snapshots are of different trees, or OUT cannot be written;
2 an input is missing or unusable.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pytest-delta",
        description="Snapshot tools of pytest-delta (run only the tests a change can affect). "
                    "Selection itself is pytest --delta.",
    )
    parser.add_argument("--version", action="version", version=f"pytest-delta {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    merge = commands.add_parser("merge", help="merge the snapshots of CI shards into one",
                                description=MERGE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    merge.add_argument("out", metavar="OUT", type=Path, help="the merged snapshot to write")
    merge.add_argument("inputs", metavar="IN", type=Path, nargs="+", help="a shard's snapshot (--delta-file)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "merge":
        return _merge(args.out, args.inputs)
    parser.print_help(sys.stderr)
    return EXIT_BAD_INPUT


def _error(message: str) -> None:
    print(f"pytest-delta merge: {message}", file=sys.stderr)


def _merge(out: Path, inputs: list[Path]) -> int:
    snapshots = []
    for path in inputs:
        try:
            snapshot = load_snapshot(path)
        except SnapshotError as exc:
            _error(f"cannot use {path}: {exc}")
            return EXIT_BAD_INPUT
        if snapshot is None:
            _error(f"{path}: no such file")
            return EXIT_BAD_INPUT
        snapshots.append(snapshot)
    try:
        merged = merge_snapshots(snapshots, labels=[str(p) for p in inputs])
    except MergeError as exc:
        _error(f"refused: {exc}")
        return EXIT_REFUSED
    try:
        save_snapshot(out, merged, based_on=_written_ns(out))
    except SnapshotWriteError as exc:
        _error(str(exc))
        return EXIT_REFUSED
    print(f"pytest-delta: merged {len(inputs)} snapshot{'s' if len(inputs) != 1 else ''} into {out}: "
          f"{len(merged.pending_tests)} tests and {len(merged.pending_files)} files pending")
    return EXIT_OK


def _written_ns(out: Path) -> int | None:
    """When the snapshot now at OUT was written: saving "based on" it replaces it. Otherwise the
    save would keep its pending tests as those of a concurrent run, and an old OUT (or an input
    given as OUT) would make every test it held pending look pending again."""
    try:
        current = load_snapshot(out)
    except SnapshotError:
        return None  # unreadable: the save replaces it anyway
    return current.written_ns if current is not None else None


if __name__ == "__main__":
    sys.exit(main())
