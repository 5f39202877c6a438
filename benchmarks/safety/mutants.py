"""Deterministic single-edit mutants of Python source files.

Every mutant is one small edit that a developer could make by hand, in a function, method,
class body or module body: the selection under test must run every test the edit breaks.
Sites are found by walking the AST in a fixed order, so the same file always yields the same
mutants in the same order, and a mutant is named by its file and position (``path#index``).
"""

from __future__ import annotations

import ast
import copy
import difflib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .astpaths import Step, resolve
from .splicing import render_mutation

COMPARE, RETURN_NONE, RAISE, ARITH = "compare", "return-none", "raise", "arith"
DEFAULT, CLASS_ATTR, DECORATOR_ARG, MODULE_CONST = "default", "class-attr", "decorator-arg", "module-const"
#: Every kind of edit, in the order reports list them.
KINDS = (COMPARE, RETURN_NONE, RAISE, ARITH, DEFAULT, CLASS_ATTR, DECORATOR_ARG, MODULE_CONST)
#: Edits inside a function's body: what "a single-function edit" means in the reports
#: (defaults and decorators are evaluated when the ``def`` runs, in the enclosing body).
BODY_KINDS = frozenset({COMPARE, RETURN_NONE, RAISE, ARITH})

FUNCTION, METHOD, CLASS, MODULE = "function", "method", "class", "module"

_FLIPPED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In,
}
_SWAPPED: dict[type[ast.operator], type[ast.operator]] = {ast.Add: ast.Sub, ast.Sub: ast.Add}


@dataclass(frozen=True)
class Mutant:
    path: str
    index: int
    kind: str
    #: The body the edit lives in: function, method, class or module.
    scope: str
    #: The innermost function or class around the edited node ("Cart.total"), or "<module>".
    where: str
    line: int
    description: str
    source: str

    @property
    def key(self) -> str:
        return f"{self.path}#{self.index}"

    @property
    def is_test_code(self) -> bool:
        name = self.path.rpartition("/")[2]
        return name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py")

    @property
    def is_single_function_edit(self) -> bool:
        """An edit inside one function or method body of the code under test."""
        return self.kind in BODY_KINDS and self.scope in (FUNCTION, METHOD) and not self.is_test_code

    def diff(self, original: str) -> str:
        return "".join(difflib.unified_diff(original.splitlines(keepends=True), self.source.splitlines(keepends=True),
                                            f"a/{self.path}", f"b/{self.path}"))


@dataclass(frozen=True)
class _Site:
    kind: str
    scope: str
    where: str
    path: tuple[Step, ...]
    line: int


def mutants_of_project(root: Path) -> list[Mutant]:
    """Every mutant of every Python file under ``root``, files in sorted order."""
    out: list[Mutant] = []
    for file in sorted(root.rglob("*.py")):
        if "__pycache__" in file.parts:
            continue
        out.extend(mutants_of_source(file.relative_to(root).as_posix(), file.read_text(encoding="utf-8")))
    return out


def mutants_of_source(path: str, source: str) -> list[Mutant]:
    """The mutants of one file; edits that leave the AST unchanged or do not compile are skipped."""
    tree = ast.parse(source)
    original_dump = ast.dump(tree)
    seen = {source}
    out: list[Mutant] = []
    for site in _sites(tree):
        mutated = copy.deepcopy(tree)
        change = _apply(site, mutated)
        if change is None or ast.dump(mutated) == original_dump:
            continue
        before, after, edited = change
        new_source = render_mutation(source, tree, mutated, site.path, edited)
        if new_source is None or new_source in seen or not _compiles(new_source, path):
            continue
        seen.add(new_source)
        description = f"{site.kind} in {site.where} (line {site.line}): {_short(before)} -> {_short(after)}"
        out.append(Mutant(path, len(out), site.kind, site.scope, site.where, site.line, description, new_source))
    return out


def _compiles(source: str, path: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, path, "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- finding sites --------------------------------------------------------------------------------


def _sites(tree: ast.Module) -> Iterator[_Site]:
    yield from _walk(tree, (), MODULE, "<module>")


def _walk(node: ast.AST, path: tuple[Step, ...], scope: str, where: str) -> Iterator[_Site]:
    yield from _sites_at(node, path, scope, where)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        inner_scope, inner_where = (METHOD if scope == CLASS else FUNCTION), _qualify(where, node.name)
        inner_fields = {"body"}
    elif isinstance(node, ast.ClassDef):
        inner_scope, inner_where, inner_fields = CLASS, _qualify(where, node.name), {"body"}
    else:
        inner_scope, inner_where, inner_fields = scope, where, set()
    for field, value in ast.iter_fields(node):
        # Decorators, defaults, bases and annotations run in the enclosing body, not the new one.
        child_scope, child_where = (inner_scope, inner_where) if field in inner_fields else (scope, where)
        if isinstance(value, list):
            for index, child in enumerate(value):
                if isinstance(child, ast.AST):
                    yield from _walk(child, (*path, (field, index)), child_scope, child_where)
        elif isinstance(value, ast.AST):
            yield from _walk(value, (*path, (field, None)), child_scope, child_where)


def _qualify(where: str, name: str) -> str:
    return name if where == "<module>" else f"{where}.{name}"


def _sites_at(node: ast.AST, path: tuple[Step, ...], scope: str, where: str) -> Iterator[_Site]:
    line = getattr(node, "lineno", 0)
    if isinstance(node, ast.Compare) and type(node.ops[0]) in _FLIPPED:
        yield _Site(COMPARE, scope, where, path, line)
    elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _SWAPPED:
        yield _Site(ARITH, scope, where, path, line)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        body_scope, name = (METHOD if scope == CLASS else FUNCTION), _qualify(where, node.name)
        yield _Site(RETURN_NONE, body_scope, name, path, line)
        yield _Site(RAISE, body_scope, name, path, line)
        arguments = node.args
        for field, values in (("defaults", arguments.defaults), ("kw_defaults", arguments.kw_defaults)):
            for index, value in enumerate(values):
                if value is not None and _mutable_constant(value):
                    yield _Site(DEFAULT, scope, name, (*path, ("args", None), (field, index)), value.lineno)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield from _decorator_sites(node, path, scope, where)
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and scope in (CLASS, MODULE) and _targets_names(node) \
            and node.value is not None:
        constant = _first_constant(node.value, (*path, ("value", None)))
        if constant is not None:
            yield _Site(CLASS_ATTR if scope == CLASS else MODULE_CONST, scope, where, constant, line)


def _decorator_sites(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, path: tuple[Step, ...],
                     scope: str, where: str) -> Iterator[_Site]:
    for index, decorator in enumerate(node.decorator_list):
        if not isinstance(decorator, ast.Call):
            continue
        call_path = (*path, ("decorator_list", index))
        candidates = [((*call_path, ("args", i)), arg) for i, arg in enumerate(decorator.args)]
        candidates += [((*call_path, ("keywords", i), ("value", None)), kw.value)
                       for i, kw in enumerate(decorator.keywords)]
        for arg_path, arg in candidates:
            constant = _first_constant(arg, arg_path, containers_only=True)
            if constant is not None:
                yield _Site(DECORATOR_ARG, scope, _qualify(where, node.name), constant, decorator.lineno)


def _targets_names(node: ast.Assign | ast.AnnAssign) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return all(isinstance(t, ast.Name) for t in targets)


def _mutable_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float, str, bytes))


def _first_constant(node: ast.expr, path: tuple[Step, ...], containers_only: bool = False) -> tuple[Step, ...] | None:
    """Path to the first constant in a value: the value itself, or the first one in a tuple,
    list, set, dict (values before keys) or call arguments (``Decimal("0.20")``)."""
    if _mutable_constant(node):
        return path
    children: list[tuple[Step, ast.expr | None]] = []
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        children = [(("elts", i), e) for i, e in enumerate(node.elts)]
    elif isinstance(node, ast.Dict):
        children = [(("values", i), v) for i, v in enumerate(node.values)]
        children += [(("keys", i), k) for i, k in enumerate(node.keys)]
    elif isinstance(node, ast.Call) and not containers_only:
        children = [(("args", i), a) for i, a in enumerate(node.args)]
        children += [(("keywords", i), k.value) for i, k in enumerate(node.keywords)]
    for step, child in children:
        if child is None:
            continue
        child_path = (*path, step, ("value", None)) if step[0] == "keywords" else (*path, step)
        found = _first_constant(child, child_path, containers_only)
        if found is not None:
            return found
    return None


# -- applying a site ------------------------------------------------------------------------------


def mutated_value(value: object) -> bool | int | float | str | bytes:
    """The changed constant: booleans flip, numbers grow by one, strings and bytes grow a suffix."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, bytes):
        return value + b"x"
    raise TypeError(f"not a mutable constant: {value!r}")


def _apply(site: _Site, tree: ast.Module) -> tuple[str, str, ast.AST] | None:
    """Edit ``tree`` in place at ``site``: (text before, text after, the node that changed)."""
    node = resolve(tree, site.path)
    before = ast.unparse(node) if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else ""
    if site.kind == COMPARE:
        assert isinstance(node, ast.Compare)
        node.ops[0] = _FLIPPED[type(node.ops[0])]()
    elif site.kind == ARITH:
        assert isinstance(node, (ast.BinOp, ast.AugAssign))
        node.op = _SWAPPED[type(node.op)]()
    elif site.kind in (RETURN_NONE, RAISE):
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        text = "return None" if site.kind == RETURN_NONE else f"raise RuntimeError('mutant: {site.where}')"
        statement = ast.parse(text).body[0]
        node.body.insert(_start_of_body(node), statement)
        ast.fix_missing_locations(tree)
        return "(function start)", text, statement
    else:
        assert isinstance(node, ast.Constant)
        node.value = mutated_value(node.value)
    return before, ast.unparse(node), node


def _start_of_body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Index of the first statement after the docstring: the docstring stays a docstring."""
    first = node.body[0]
    is_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
        and isinstance(first.value.value, str)
    return 1 if is_docstring else 0
