"""The import-graph engine of pytest-delta. It never imports pytest.

Typical use::

    baseline = load_snapshot(root / ".delta.msgpack")      # None on the first run
    workspace = Workspace(root, baseline)
    changes = workspace.scan()                              # stat walk; reads only what changed
    for path, came_from in workspace.affected.items(): ...  # files a change can reach
    workspace.explain("tests/test_cart.py")                 # ["tests/test_cart.py", ..., "src/shop/cart.py"]
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .errors import DeltaError, SnapshotError, SnapshotWriteError
    from .files import FileStat, TrackRules, digest, is_tracked, scan_tree
    from .graph import Graph
    from .imports import ImportRef, ParseResult, extract_imports
    from .resolve import ModuleIndex
    from .snapshot import FileRecord, Snapshot, load_snapshot, save_snapshot
    from .workspace import Changes, EngineOptions, Workspace

# Submodules load on first use, so that ``pytest`` without ``--delta`` (which imports only the
# option defaults from :mod:`.files`) never pays for msgpack, filelock or the parser.
_HOMES = {
    "DeltaError": "errors",
    "SnapshotError": "errors",
    "SnapshotWriteError": "errors",
    "FileStat": "files",
    "TrackRules": "files",
    "digest": "files",
    "scan_tree": "files",
    "is_tracked": "files",
    "Graph": "graph",
    "ImportRef": "imports",
    "ParseResult": "imports",
    "extract_imports": "imports",
    "ModuleIndex": "resolve",
    "FileRecord": "snapshot",
    "Snapshot": "snapshot",
    "load_snapshot": "snapshot",
    "save_snapshot": "snapshot",
    "Changes": "workspace",
    "EngineOptions": "workspace",
    "Workspace": "workspace",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{home}", __name__), name)


__all__ = [
    "Changes",
    "DeltaError",
    "EngineOptions",
    "FileRecord",
    "FileStat",
    "Graph",
    "ImportRef",
    "ModuleIndex",
    "ParseResult",
    "Snapshot",
    "SnapshotError",
    "SnapshotWriteError",
    "TrackRules",
    "Workspace",
    "digest",
    "extract_imports",
    "is_tracked",
    "load_snapshot",
    "save_snapshot",
    "scan_tree",
]
