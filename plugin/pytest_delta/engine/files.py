"""Which files the engine tracks, their stat data and their content digests.

The walk is the hot path of a no-change run, so it uses ``os.scandir`` and stats each file
once. Directories are never followed through symlinks (no loops, no files outside the root);
they are skipped only for what they are (hidden, a virtualenv, a cache), never for a name like
``build`` or ``env`` that can hold real code.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import os
import re
import stat as statmod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

#: Directory names that never hold project code: caches, tool state and reports.
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "htmlcov"})
#: Reports that test runs write at the root (coverage.py's defaults): tracking them would make
#: every run find a change that the run before it wrote.
_ROOT_OUTPUTS = frozenset({"coverage.xml", "coverage.json", "coverage.lcov"})
#: Snapshots (and their locks) beside the one a run uses: CI shards write ``shard-N.msgpack``.
_SNAPSHOT_SUFFIXES = (".msgpack", ".msgpack.lock")


def _root_output(name: str) -> bool:
    return name in _ROOT_OUTPUTS or name.endswith(_SNAPSHOT_SUFFIXES)
#: A file modified this close to the scan may change again within the same timestamp tick,
#: unseen by its stat data; such a file is re-hashed on the next run (git's "racy" rule).
RACY_WINDOW_NS = 2_000_000_000


class FileStat(NamedTuple):
    """The stat data that decides whether a file must be read again.

    A named tuple rather than a dataclass: a no-change run builds and compares one per file,
    20,000 of them in a large repository, and tuples do both in C.
    """

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, result: os.stat_result) -> FileStat:
        return cls(result.st_size, result.st_mtime_ns, result.st_ctime_ns, result.st_ino)

    def is_racy(self, scan_ns: int) -> bool:
        """True when the file may change again without its stat data showing it."""
        return max(self.mtime_ns, self.ctime_ns) >= scan_ns - RACY_WINDOW_NS


def digest(data: bytes) -> bytes:
    """SHA-256 of a file's bytes: equal digests mean equal content."""
    return hashlib.sha256(data).digest()


#: Files that configure the test run: a change to one of them runs every test.
DEFAULT_CONFIG_FILES = ("pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini", ".coveragerc",
                        "requirements*.txt", "uv.lock", "poetry.lock")
#: The ``data_suffixes`` entry that makes every other file a data file: tests read fixtures,
#: templates, catalogs (``.po``, ``.mo``), snapshots (``.ambr``) and compiled extensions of every
#: kind, and a change to a file nothing tracks would run no test at all.
ALL_FILES = "*"
#: Suffixes of data files, tracked under the directory rule.
DEFAULT_DATA_SUFFIXES = (ALL_FILES,)
#: Files that are never anyone's input: bytecode and what editors and patch tools leave behind.
_NOT_DATA = frozenset({".pyc", ".pyo", ".swp", ".swo", ".orig", ".rej"})


def data_suffixes(items: Iterable[str]) -> tuple[str, ...]:
    """Suffixes as ``delta_data_files`` spells them: ``json``, ``.json`` and ``*.json`` mean
    ``.json``; ``*`` means every file."""
    out = []
    for item in items:
        text = item.strip()
        if text == ALL_FILES:
            out.append(ALL_FILES)
        elif text := text.lstrip("*"):
            out.append(text.lower() if text.startswith(".") else f".{text.lower()}")
    return tuple(out)

PYTHON, CONFIG, ITEMS, DATA = "python", "config", "items", "data"


@functools.lru_cache(maxsize=64)
def _glob_regex(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


@dataclass(frozen=True)
class TrackRules:
    """What the walk keeps, and as what.

    Python files; files that configure the run (``config_patterns``: a change runs
    everything); item sources matched by name (``extra_patterns``: doctest text files);
    data files by suffix (``data_suffixes``, :data:`ALL_FILES` for any: a change affects the
    modules of their directory).
    ``exclude`` globs (relative paths) drop anything.
    """

    exclude: tuple[str, ...] = ()
    extra_patterns: tuple[str, ...] = ()
    config_patterns: tuple[str, ...] = DEFAULT_CONFIG_FILES
    data_suffixes: tuple[str, ...] = DEFAULT_DATA_SUFFIXES

    def excluded(self, relpath: str) -> bool:
        regex = _glob_regex(self.exclude)
        return regex is not None and (regex.match(relpath) is not None or regex.match(relpath + "/") is not None)

    def kind(self, path: str) -> str | None:
        """What a file at this relative path (or of this name) is to the engine; None when it
        is not tracked. Patterns without a ``/`` match the file's name, the others its path
        (``config/*.yaml``)."""
        name = path.rpartition("/")[2]
        if name.endswith(".py"):
            return PYTHON
        by_name, by_path = _split_patterns(self.config_patterns)
        config = _glob_regex(by_name)
        if config is not None and config.match(name):
            return CONFIG
        if by_path and "/" in path and (config := _glob_regex(by_path)) is not None and config.match(path):
            return CONFIG
        items = _glob_regex(self.extra_patterns)
        if items is not None and items.match(name):
            return ITEMS
        dot = name.rfind(".")
        suffix = name[dot:].lower() if dot > 0 else ""
        if ALL_FILES in self.data_suffixes:
            return None if suffix in _NOT_DATA or name.endswith("~") else DATA
        return DATA if suffix and suffix in self.data_suffixes else None

    def wanted(self, path: str) -> bool:
        return self.kind(path) is not None


@functools.lru_cache(maxsize=64)
def _split_patterns(patterns: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Name globs, then path globs (those with a ``/``, leading ``./`` or ``/`` dropped)."""
    by_path = tuple(p.removeprefix("./").lstrip("/") for p in patterns if "/" in p)
    return tuple(p for p in patterns if "/" not in p), by_path


def scan_tree(root: Path, rules: TrackRules = TrackRules(), skip: Iterable[str] = ()) -> dict[str, FileStat]:
    """Map every tracked file under ``root`` (relative POSIX path) to its stat data."""
    skipped = frozenset(skip)
    found: dict[str, FileStat] = {}
    stack: list[tuple[str, str]] = [(os.fspath(root), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue  # unreadable or vanished directory: nothing in it can be tracked
        if prefix and any(entry.name == "pyvenv.cfg" for entry in entries):
            continue  # a virtual environment: installed code, not the project's
        for entry in entries:
            name = entry.name
            if name.startswith(".") and (name[-3:] == ".py" or rules.kind(name) != CONFIG):
                continue  # hidden: tool state, not the project's (but ``.coveragerc`` configures the run)
            relpath = prefix + name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not _skipped_dir(name) and relpath not in skipped \
                            and not (rules.exclude and rules.excluded(relpath)):
                        stack.append((entry.path, relpath + "/"))
                    continue
                if not rules.wanted(relpath) or relpath in skipped or (not prefix and _root_output(name)):
                    continue
                if rules.exclude and rules.excluded(relpath):
                    continue
                result = entry.stat()  # follows a file symlink: its content is what Python reads
            except OSError:
                continue  # broken symlink or a file that vanished: treated as absent
            if statmod.S_ISREG(result.st_mode):
                found[relpath] = FileStat.of(result)
    return found


def is_tracked(root: Path, relpath: str, rules: TrackRules, skip: Iterable[str] = ()) -> bool:
    """Whether :func:`scan_tree` would track ``relpath``: the same rules, for one path (an
    editor's buffer), without walking the tree."""
    parts = relpath.split("/")
    if relpath in skip or any(not p or p.startswith(".") for p in parts[:-1]) or not parts[-1]:
        return False
    if len(parts) == 1 and _root_output(relpath):
        return False
    if parts[-1].startswith(".") and (parts[-1].endswith(".py") or rules.kind(parts[-1]) != CONFIG):
        return False
    if not rules.wanted(relpath) or rules.excluded(relpath):
        return False
    for depth in range(1, len(parts)):
        prefix = "/".join(parts[:depth])
        if _skipped_dir(parts[depth - 1]) or prefix in skip or rules.excluded(prefix):
            return False
        if os.path.exists(os.path.join(root, prefix, "pyvenv.cfg")):
            return False
    return True


def _skipped_dir(name: str) -> bool:
    return name in _SKIPPED_DIRS or name.endswith(".egg-info")  # build metadata, rewritten by installs


def read_file(root: Path, relpath: str) -> bytes:
    """The bytes of a tracked file; ``OSError`` when it cannot be read."""
    with open(root / relpath, "rb") as handle:
        return handle.read()


def iter_parents(relpath: str) -> Iterator[str]:
    """Directories containing ``relpath``, innermost first, ending with the root ``""``."""
    head = relpath
    while head:
        head = head.rpartition("/")[0]
        yield head


def matches_any(relpath: str, patterns: Sequence[str]) -> bool:
    name = relpath.rpartition("/")[2]
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(relpath, p) for p in patterns)
