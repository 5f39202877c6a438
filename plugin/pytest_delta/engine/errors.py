"""Exception types of the engine.

Each one carries a message a user can act on; the plugin and the server turn them into one
report line and fall back to the safe behaviour (run everything), never a traceback.
"""

from __future__ import annotations


class DeltaError(Exception):
    """Base class of every error the engine raises on purpose."""


class SnapshotError(DeltaError):
    """The snapshot file cannot be used: missing pieces, wrong schema, foreign or corrupt data."""


class SnapshotWriteError(DeltaError):
    """The snapshot could not be written (a directory, no permission, the lock is held)."""
