"""The tests a file holds, found by reading its source the way pytest's collector would.

The server cannot import test modules (that runs user code and takes seconds), so it applies
pytest's default collection rules to the syntax tree: files ``test_*.py``/``*_test.py``,
functions ``test*``, classes ``Test*`` without ``__init__`` (nested ones too), methods
``test*``, methods inherited from classes of the same file. Parametrized tests are one item:
their ids are only known once pytest has run the parametrization.
"""

from __future__ import annotations

import ast
import fnmatch
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

ALWAYS_MARKER = "delta_always"


@dataclass(frozen=True)
class CollectRules:
    """pytest's ``python_files``/``python_classes``/``python_functions``/``norecursedirs``."""

    python_files: tuple[str, ...] = ("test_*.py", "*_test.py")
    python_classes: tuple[str, ...] = ("Test",)
    python_functions: tuple[str, ...] = ("test",)
    norecursedirs: tuple[str, ...] = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules",
                                      "venv", "{arch}")
    #: Where a bare ``pytest`` collects (relative directories or globs); empty: the whole root.
    testpaths: tuple[str, ...] = ()

    def is_test_file(self, relpath: str) -> bool:
        directory, _, name = relpath.rpartition("/")
        if not name.endswith(".py") or name in ("conftest.py", "__init__.py"):
            return False
        if not any(_match_path(relpath, name, pattern) for pattern in self.python_files):
            return False
        if directory and any(fnmatch.fnmatch(part, pattern) for part in directory.split("/")
                             for pattern in self.norecursedirs):
            return False
        return not self.testpaths or any(_under(relpath, base) for base in self.testpaths)

    def is_test_class(self, name: str) -> bool:
        return _prefix_or_glob(name, self.python_classes)

    def is_test_function(self, name: str) -> bool:
        return _prefix_or_glob(name, self.python_functions)


def _match_path(relpath: str, name: str, pattern: str) -> bool:
    # pytest's fnmatch_ex: a pattern without a separator matches the file name only.
    if "/" in pattern:
        return fnmatch.fnmatch(relpath, pattern) or fnmatch.fnmatch(relpath, "*/" + pattern)
    return fnmatch.fnmatch(name, pattern)


def _under(relpath: str, base: str) -> bool:
    base = base.strip("/")
    if base in ("", "."):
        return True
    if any(c in base for c in "*?["):
        parts = relpath.split("/")
        return any(fnmatch.fnmatch("/".join(parts[:i]), base) for i in range(1, len(parts) + 1))
    return relpath == base or relpath.startswith(base + "/")


def _prefix_or_glob(name: str, options: Sequence[str]) -> bool:
    for option in options:
        if name.startswith(option):
            return True
        if any(c in option for c in "*?[") and fnmatch.fnmatch(name, option):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Point:
    """A position with its column in every LSP position encoding (the client picks one)."""

    line: int  # 0-based
    utf8: int
    utf16: int
    utf32: int

    def column(self, encoding: str) -> int:
        return self.utf8 if encoding == "utf-8" else self.utf32 if encoding == "utf-32" else self.utf16


@dataclass(frozen=True, slots=True)
class Span:
    start: Point
    end: Point


@dataclass(frozen=True)
class TestItem:
    """One collectable test function/method, or a test class holding some."""

    __test__ = False  # not a pytest test class, whatever its name says

    node_id: str
    name: str
    kind: Literal["function", "class"]
    #: The whole definition, decorators excluded.
    span: Span
    #: The name in the ``def``/``class`` line: where lenses and diagnostics go.
    name_span: Span
    #: Marked ``delta_always`` (on itself, its class or the module).
    always: bool = False
    #: Node id of the class holding it.
    parent: str | None = None


@dataclass(frozen=True)
class TestFile:
    __test__ = False

    path: str
    items: tuple[TestItem, ...] = ()
    #: Why the source could not be read as Python (its tests are then unknown).
    error: str | None = None
    by_id: dict[str, TestItem] = field(default_factory=dict, compare=False, repr=False)

    @property
    def functions(self) -> tuple[TestItem, ...]:
        return tuple(item for item in self.items if item.kind == "function")

    def find(self, node_id: str) -> TestItem | None:
        """The item of ``node_id``, parametrization ignored (``test_x[1]`` is ``test_x``)."""
        return self.by_id.get(strip_params(node_id))


def strip_params(node_id: str) -> str:
    head, bracket, _ = node_id.partition("[")
    return head if bracket else node_id


class _Lines:
    """Turns the AST's (1-based line, UTF-8 byte column) into :class:`Point`."""

    def __init__(self, source: bytes) -> None:
        self._lines = source.splitlines()

    def point(self, lineno: int, byte_col: int) -> Point:
        raw = self._lines[lineno - 1] if 0 < lineno <= len(self._lines) else b""
        prefix = raw[:byte_col].decode("utf-8", errors="replace")
        utf16 = len(prefix.encode("utf-16-le")) // 2
        return Point(lineno - 1, byte_col, utf16, len(prefix))

    def name_span(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> Span:
        raw = self._lines[node.lineno - 1] if 0 < node.lineno <= len(self._lines) else b""
        encoded = node.name.encode("utf-8")
        start = raw.find(encoded, node.col_offset)
        if start < 0:
            start = node.col_offset
        return Span(self.point(node.lineno, start), self.point(node.lineno, start + len(encoded)))

    def span(self, node: ast.stmt) -> Span:
        end_line = node.end_lineno or node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else 0
        return Span(self.point(node.lineno, node.col_offset), self.point(end_line, end_col))


def _is_always(expr: ast.expr) -> bool:
    """Whether a decorator or ``pytestmark`` value names the ``delta_always`` marker."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Attribute) and node.attr == ALWAYS_MARKER:
            return True
        if isinstance(node, ast.Name) and node.id == ALWAYS_MARKER:
            return True
    return False


def _pytestmark_always(body: Iterable[ast.stmt]) -> bool:
    for stmt in body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            targets, value = [stmt.target], stmt.value
        if value is not None and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets) \
                and _is_always(value):
            return True
    return False


#: ``try`` statements (``try``/``except*`` is its own node from Python 3.11).
_TRY_NODES: tuple[type[ast.stmt], ...] = tuple(getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))


def _flat_body(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that define names in this scope, looking inside ``if``/``try``/``with``."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _flat_body(stmt.body)
            yield from _flat_body(stmt.orelse)
        elif isinstance(stmt, _TRY_NODES):
            yield from _flat_body(getattr(stmt, "body", []))
            for handler in getattr(stmt, "handlers", []):
                yield from _flat_body(handler.body)
            yield from _flat_body(getattr(stmt, "orelse", []))
            yield from _flat_body(getattr(stmt, "finalbody", []))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _flat_body(stmt.body)
        else:
            yield stmt


Definition = ast.FunctionDef | ast.AsyncFunctionDef


class _Collector:
    def __init__(self, path: str, source: bytes, rules: CollectRules, tree: ast.Module) -> None:
        self.path = path
        self.rules = rules
        self.lines = _Lines(source)
        self.items: list[TestItem] = []
        self.module_always = _pytestmark_always(tree.body)
        # Module-level classes by name: test classes inherit test methods from them.
        self.classes: dict[str, ast.ClassDef] = {}
        self.tree = tree

    def run(self) -> list[TestItem]:
        functions: dict[str, Definition] = {}
        classes: dict[str, ast.ClassDef] = {}
        order: dict[str, None] = {}
        for stmt in _flat_body(self.tree.body):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[stmt.name] = stmt
                classes.pop(stmt.name, None)
                order[stmt.name] = None
            elif isinstance(stmt, ast.ClassDef):
                self.classes[stmt.name] = stmt
                classes[stmt.name] = stmt
                functions.pop(stmt.name, None)
                order[stmt.name] = None
        for name in order:
            if name in functions and self.rules.is_test_function(name):
                node = functions[name]
                always = self.module_always or any(_is_always(d) for d in node.decorator_list)
                self._add_function(f"{self.path}::{name}", node, None, always, None)
            elif name in classes and self.rules.is_test_class(name):
                self._add_class(f"{self.path}::{name}", classes[name], self.module_always, seen=())
        return self.items

    def _add_function(self, node_id: str, node: Definition, parent: str | None, always: bool,
                      anchor: ast.ClassDef | None) -> None:
        where = anchor if anchor is not None else node
        self.items.append(TestItem(node_id, node.name, "function", self.lines.span(where),
                                   self.lines.name_span(where), always, parent))

    def _lineage(self, node: ast.ClassDef, seen: tuple[str, ...]) -> list[ast.ClassDef]:
        """``node`` and the classes of this module it inherits from, nearest first."""
        out = [node]
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in self.classes and base.id not in seen \
                    and self.classes[base.id] is not node:
                out.extend(self._lineage(self.classes[base.id], (*seen, node.name)))
        return out

    def _add_class(self, node_id: str, node: ast.ClassDef, inherited_always: bool, seen: tuple[str, ...]) -> None:
        lineage = self._lineage(node, seen)
        members: dict[str, tuple[ast.stmt, ast.ClassDef]] = {}
        for klass in reversed(lineage):
            for stmt in _flat_body(klass.body):
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    members[stmt.name] = (stmt, klass)
                elif isinstance(stmt, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "__test__" for t in stmt.targets):
                    members["__test__"] = (stmt, klass)
        if "__init__" in members or "__new__" in members:
            return  # pytest does not collect a class with a constructor (and warns)
        marker = members.get("__test__")
        if marker is not None and isinstance(marker[0], ast.Assign) and isinstance(marker[0].value, ast.Constant) \
                and not marker[0].value.value:
            return
        always = inherited_always or any(
            any(_is_always(d) for d in klass.decorator_list) or _pytestmark_always(klass.body) for klass in lineage)
        index = len(self.items)
        for name, (stmt, owner) in members.items():
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and self.rules.is_test_function(name):
                own = always or any(_is_always(d) for d in stmt.decorator_list)
                self._add_function(f"{node_id}::{name}", stmt, node_id, own,
                                   None if owner is node else node)
            elif isinstance(stmt, ast.ClassDef) and owner is node and self.rules.is_test_class(name):
                self._add_class(f"{node_id}::{name}", stmt, always, seen=())
        if len(self.items) > index:
            self.items.insert(index, TestItem(node_id, node.name, "class", self.lines.span(node),
                                              self.lines.name_span(node), always, _parent_of(node_id, self.path)))


def _parent_of(node_id: str, path: str) -> str | None:
    head = node_id.rpartition("::")[0]
    return None if head == path else head


def find_tests(path: str, source: bytes | str, rules: CollectRules | None = None) -> TestFile:
    """The test items of ``source`` (the text of ``path``, relative to the root).

    Never raises: a source that does not parse gives a :class:`TestFile` with ``error`` set.
    """
    data = source.encode("utf-8") if isinstance(source, str) else source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except SyntaxError as exc:
        return TestFile(path, error=f"syntax error at line {exc.lineno}: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:
        return TestFile(path, error=f"cannot parse: {type(exc).__name__}")
    try:
        items = _Collector(path, data, rules or CollectRules(), tree).run()
    except RecursionError:
        return TestFile(path, error="nesting too deep to analyse")
    unique: dict[str, TestItem] = {}
    for item in items:
        unique.setdefault(item.node_id, item)
    return TestFile(path, tuple(unique.values()), None, unique)
