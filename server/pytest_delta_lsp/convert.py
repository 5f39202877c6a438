"""Translation between the engine's world (POSIX paths relative to the root, spans with
columns in every encoding) and the protocol's (URIs, ranges in the negotiated encoding)."""

from __future__ import annotations

import os
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from .testfiles import Point, Span


class RootPaths:
    """URI <-> relative path for one project root (symlinked roots included)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real = Path(os.path.realpath(root))

    def relpath(self, uri: str) -> str | None:
        """The path of ``uri`` relative to the root; None when it is outside, or not a file."""
        if not uri.startswith("file:"):
            return None
        fs_path = to_fs_path(uri)
        if not fs_path:
            return None
        path = Path(fs_path)
        for base, candidate in ((self.root, path), (self._real, Path(os.path.realpath(path)))):
            try:
                rel = candidate.relative_to(base)
            except ValueError:
                continue
            text = rel.as_posix()
            return None if text in ("", ".") else text
        return None

    def uri(self, relpath: str) -> str:
        return from_fs_path(str(self.root / relpath)) or (self.root / relpath).as_uri()


def encoding_name(kind: types.PositionEncodingKind | str | None) -> str:
    if kind is None:
        return "utf-16"
    return kind.value if isinstance(kind, types.PositionEncodingKind) else str(kind)


def position(point: Point, encoding: str) -> types.Position:
    return types.Position(line=point.line, character=point.column(encoding))


def to_range(span: Span, encoding: str) -> types.Range:
    return types.Range(start=position(span.start, encoding), end=position(span.end, encoding))


def line_range(line: int) -> types.Range:
    return types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line, character=0))


def range_json(span: Span | None, encoding: str) -> dict[str, dict[str, int]]:
    """A range as plain JSON, for the custom request's answer."""
    if span is None:
        return {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    return {"start": {"line": span.start.line, "character": span.start.column(encoding)},
            "end": {"line": span.end.line, "character": span.end.column(encoding)}}
