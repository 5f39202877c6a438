"""Module resolution: from the imports a file names to the project files they load.

Module roots are discovered, not configured: the root directory, ``src/``, and the directory
above every package (where pytest's ``prepend`` mode and ``python -m`` put the path), plus
any roots the caller adds (``pythonpath``, ``delta_roots``). Where a name could mean several
files (two rootless test directories each with a ``helpers.py``), the file depends on all of
them: when in doubt, select.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from .files import iter_parents
from .imports import ImportRef

INIT = "__init__.py"
CONFTEST = "conftest.py"


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


class ModuleIndex:
    """Maps dotted module names and package directories to the tracked files behind them.

    Built once per set of files; resolution is then dictionary look-ups only.
    """

    def __init__(self, files: Collection[str], extra_roots: Iterable[str] = ()) -> None:
        self.files = frozenset(f for f in files if f.endswith(".py"))
        #: Tracked files that are not Python: string literals that name them are dependencies.
        self.other_files = frozenset(f for f in files if not f.endswith(".py"))
        self.python_dirs = frozenset(f.rpartition("/")[0] for f in self.files)
        self.package_dirs = frozenset(f[: -len(INIT) - 1] if f != INIT else "" for f in self.files
                                      if f == INIT or f.endswith("/" + INIT))
        self.conftest_dirs = frozenset(f[: -len(CONFTEST) - 1] if f != CONFTEST else "" for f in self.files
                                       if f == CONFTEST or f.endswith("/" + CONFTEST))
        self.roots = self._discover_roots(extra_roots)
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._children: dict[str, list[str]] = defaultdict(list)
        for path in sorted(self.files):
            directory = path.rpartition("/")[0]
            self._children[directory].append(path)
            if path.endswith("/" + INIT):  # a subpackage is a submodule too (``__all__`` may name it)
                self._children[directory.rpartition("/")[0]].append(path)
            for name in self._names_of(path):
                self._by_name[name].append(path)

    def _discover_roots(self, extra_roots: Iterable[str]) -> frozenset[str]:
        roots = {""}
        roots.update(r.strip("/") for r in extra_roots)
        if any(f.startswith("src/") for f in self.files):
            roots.add("src")
        for path in self.files:
            roots.add(self.basedir(path))
        return frozenset(roots)

    def basedir(self, path: str) -> str:
        """The first directory above ``path`` that is not a package: where its import name starts."""
        directory = path.rpartition("/")[0]
        while directory and directory in self.package_dirs:
            directory = directory.rpartition("/")[0]
        return directory if directory not in self.package_dirs else ""

    def _names_of(self, path: str) -> Iterable[str]:
        stem = path[:-3]
        if stem.endswith("/__init__") or stem == "__init__":
            stem = stem[: -len("__init__")].rstrip("/")
        for root in iter_parents(path):
            if root not in self.roots:
                continue
            rel = stem[len(root) + 1 :] if root else stem
            if rel:
                yield rel.replace("/", ".")

    def lookup(self, dotted: str) -> list[str]:
        """Files that ``import dotted`` may load (a module, or a package's ``__init__.py``)."""
        return self._by_name.get(dotted, [])

    def module_names(self, path: str) -> list[str]:
        """Every dotted name under which ``path`` can be imported."""
        return list(self._names_of(path))

    def _package_children(self, package_file: str) -> list[str]:
        if not package_file.endswith(INIT):
            return []
        directory = package_file.rpartition("/")[0]
        return [c for c in self._children.get(directory, []) if c != package_file]

    def _relative_base(self, importer: str, level: int) -> str | None:
        directory = importer.rpartition("/")[0]
        for _ in range(level - 1):
            if not directory:
                return None  # beyond the root: Python raises ImportError, nothing to depend on
            directory = directory.rpartition("/")[0]
        return directory

    def _file_in(self, directory: str, name: str) -> list[str]:
        found = []
        module = _join(directory, name + ".py")
        if module in self.files:
            found.append(module)
        package = _join(_join(directory, name), INIT)
        if package in self.files:
            found.append(package)
        return found

    def _resolve_relative(self, importer: str, ref: ImportRef, out: set[str]) -> None:
        base = self._relative_base(importer, ref.level)
        if base is None:
            return
        init = _join(base, INIT)
        if init in self.files:
            out.add(init)
        targets = [base]
        for part in ref.module.split(".") if ref.module else []:
            found = self._file_in(targets[-1], part)
            out.update(found)
            targets.append(_join(targets[-1], part))
        last_dir = targets[-1]
        for name in ref.names:
            if name == "*":
                out.update(self._package_children(_join(last_dir, INIT)))
            else:
                out.update(self._file_in(last_dir, name))

    def _resolve_absolute(self, ref: ImportRef, out: set[str]) -> None:
        parts = ref.module.split(".")
        dotted = ""
        for part in parts:
            dotted = f"{dotted}.{part}" if dotted else part
            out.update(self.lookup(dotted))
        for name in ref.names:
            if name == "*":
                for package_file in self.lookup(ref.module):
                    out.update(self._package_children(package_file))
            else:
                out.update(self.lookup(f"{ref.module}.{name}"))

    def owner_dir(self, path: str) -> str | None:
        """The directory whose modules a data file belongs to: the nearest one at or above it
        that holds Python files. Files in or under directories without Python at the top level
        (``README.md``, ``docs/``) belong to the root's own modules only: None."""
        directory = path.rpartition("/")[0]
        while directory:
            if directory in self.python_dirs:
                return directory
            directory = directory.rpartition("/")[0]
        return None

    def _resolve_path(self, importer: str, text: str, out: set[str]) -> None:
        base = importer.rpartition("/")[0]
        for candidate in (posixpath.normpath(posixpath.join(base, text)), posixpath.normpath(text)):
            if candidate in self.other_files:
                out.add(candidate)

    def _resolve_python(self, importer: str, refs: Iterable[ImportRef], paths: Iterable[str], out: set[str]) -> None:
        for ref in refs:
            if ref.level:
                self._resolve_relative(importer, ref, out)
            elif ref.module:
                self._resolve_absolute(ref, out)
        for text in paths:
            self._resolve_path(importer, text, out)
        directory = importer.rpartition("/")[0]
        if not importer.endswith(".py"):
            return
        if importer.endswith("/" + INIT) or importer == INIT:
            parent = directory.rpartition("/")[0] if directory else None
            if parent is not None and parent in self.package_dirs:
                out.add(_join(parent, INIT))
        elif directory in self.package_dirs:
            out.add(_join(directory, INIT))

    def resolve(self, importer: str, refs: Iterable[ImportRef], paths: Iterable[str] = ()) -> tuple[str, ...]:
        """The direct dependencies of ``importer``: what its imports load, the data files its
        string literals name, plus the implicit ones: its package's ``__init__.py`` and every
        ``conftest.py`` in its directory and above.
        """
        out: set[str] = set()
        self._resolve_python(importer, refs, paths, out)  # a doctest text file imports too
        if self.conftest_dirs:
            own_dir = importer.rpartition("/")[0]
            for parent_dir in (own_dir, *iter_parents(own_dir)) if own_dir else ("",):
                if parent_dir in self.conftest_dirs:
                    out.add(_join(parent_dir, CONFTEST))
        out.discard(importer)
        return tuple(sorted(out))


def resolve_all(index: ModuleIndex, refs_by_file: Mapping[str, Iterable[ImportRef]]) -> dict[str, tuple[str, ...]]:
    """Direct dependencies of every file in ``refs_by_file``."""
    return {path: index.resolve(path, refs) for path, refs in refs_by_file.items()}
