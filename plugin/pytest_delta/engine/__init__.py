"""The import-graph engine of pytest-delta. It never imports pytest.

Typical use::

    baseline = load_snapshot(root / ".delta.msgpack")      # None on the first run
    workspace = Workspace(root, baseline)
    changes = workspace.scan()                              # stat walk; reads only what changed
    for path, came_from in workspace.affected.items(): ...  # files a change can reach
    workspace.explain("tests/test_cart.py")                 # ["tests/test_cart.py", ..., "src/shop/cart.py"]
"""

from .errors import DeltaError, SnapshotError, SnapshotWriteError
from .files import FileStat, TrackRules, digest, scan_tree
from .graph import Graph
from .imports import ImportRef, ParseResult, extract_imports
from .resolve import ModuleIndex
from .snapshot import FileRecord, Snapshot, load_snapshot, save_snapshot
from .workspace import Changes, EngineOptions, Workspace

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
    "load_snapshot",
    "save_snapshot",
    "scan_tree",
]
