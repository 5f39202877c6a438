"""Symbol-level units of a module: what changed inside a file, and what each part refers to.

A module splits into units: every top-level function, every method of a top-level class, and
one ``<module>`` unit holding everything else (imports, assignments, class bodies outside their
methods, decorators, default values, annotations: all that runs when the module is imported).
Each unit has a fingerprint of its AST (so comments and formatting do not count) and the set of
names it refers to: identifiers, attribute names, parameter names (pytest injects fixtures by
parameter name) and identifier-like string constants (``getattr(x, "name")``,
``usefixtures("name")``).

The precision rules that use these units live in :mod:`.precision`; this module only reads.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

MODULE = "<module>"
#: Bytes of a unit fingerprint: 64 bits, so two different bodies never pass for one.
FINGERPRINT_SIZE = 8
#: Identifier-like pieces of string constants count as references.
_WORD = re.compile(r"[^\W\d]\w*")
#: Strings that are names (``"total"``), dotted names (``"shop.cart.total"``, ``"cli:main"``) or
#: lists of names (``"a,b"``) refer to what they name; prose (``"trial balance"``) does not.
_NAMES = re.compile(r"\s*[^\W\d]\w*(?:\s*[.,:]\s*[^\W\d]\w*)*\s*\Z")
#: Calls that reach attributes or modules by a computed name.
_DYNAMIC_CALLS = frozenset({"getattr", "setattr", "delattr", "hasattr", "attrgetter", "methodcaller",
                            "import_module", "__import__"})
_NAMESPACE_CALLS = frozenset({"globals", "vars", "locals", "getmembers"})


@dataclass(frozen=True, slots=True)
class Unit:
    """One function, method or module body."""

    #: ``"func"``, ``"Class.method"`` or ``"<module>"``.
    name: str
    fingerprint: bytes
    #: Names the unit refers to.
    refs: frozenset[str]
    #: Dotted names of the decorators (functions and methods only), outermost first.
    decorators: tuple[str, ...] = ()
    line: int = 0
    end_line: int = 0

    @property
    def short_name(self) -> str:
        """The name other code uses to reach it: the function's or the method's own name."""
        return self.name.rpartition(".")[2]

    @property
    def class_name(self) -> str | None:
        return self.name.partition(".")[0] if "." in self.name else None


@dataclass(frozen=True, slots=True)
class SymbolTable:
    """The units of one module, and the facts that make symbol precision unprovable there."""

    units: tuple[Unit, ...]
    #: The module reaches attributes or modules by computed names (``getattr(x, name)``,
    #: ``globals()``, ``import_module(name)``, a module-level ``__getattr__``), with where.
    dynamic_access: tuple[str, ...] = ()
    #: The module's docstrings hold doctest examples.
    doctest: bool = False
    #: Names the module binds by ``from x import name as alias``, as (name, alias) pairs: an
    #: alias stands for the name, and pytest collects test classes and functions imported so.
    bindings: tuple[tuple[str, str], ...] = ()
    #: Top-level classes with the dotted names of their bases ("" for a base that is not a
    #: plain name, like ``Generic[T]``).
    classes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Whether the units' ``refs`` were computed. Snapshots store units without them (they are
    #: most of the size); the engine computes them again for the files a change can reach.
    has_refs: bool = True

    def unit(self, name: str) -> Unit | None:
        for unit in self.units:
            if unit.name == name:
                return unit
        return None


def _fingerprint(*nodes: ast.AST | list[ast.stmt] | list[ast.expr]) -> bytes:
    digest = hashlib.blake2b(digest_size=FINGERPRINT_SIZE)
    for node in nodes:
        if isinstance(node, list):
            for item in node:
                digest.update(ast.dump(item, include_attributes=False).encode())
                digest.update(b"\x00")
        else:
            digest.update(ast.dump(node, include_attributes=False).encode())
        digest.update(b"\x01")
    return digest.digest()


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _refs(nodes: list[ast.AST], skip: frozenset[int] = frozenset()) -> set[str]:
    out: set[str] = set()
    for root in nodes:
        for node in ast.walk(root):
            if skip and id(node) in skip:
                continue
            kind = type(node)
            if kind is ast.Name:
                out.add(node.id)  # type: ignore[attr-defined]
            elif kind is ast.Attribute:
                out.add(node.attr)  # type: ignore[attr-defined]
            elif (kind is ast.arg or kind is ast.keyword) and node.arg:  # type: ignore[attr-defined]
                out.add(node.arg)  # type: ignore[attr-defined]
            elif kind is ast.Constant and type(node.value) is str and len(node.value) <= 200:  # type: ignore[attr-defined]
                if _NAMES.match(node.value):  # type: ignore[attr-defined]
                    out.update(_WORD.findall(node.value))  # type: ignore[attr-defined]
            elif kind is ast.alias:
                out.add((node.asname or node.name).partition(".")[0])  # type: ignore[attr-defined]
                out.add(node.name.rpartition(".")[2])  # type: ignore[attr-defined]
    return out


def _function_unit(name: str, node: ast.FunctionDef | ast.AsyncFunctionDef, lines: Sequence[str],
                   with_refs: bool) -> Unit:
    # The body and the parameter names belong to the function; decorators, defaults and
    # annotations are evaluated when the module runs, so they belong to the module body.
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
    params += [a.arg for a in (node.args.vararg, node.args.kwarg) if a is not None]
    digest = hashlib.blake2b(digest_size=FINGERPRINT_SIZE)
    digest.update(type(node).__name__.encode() + b"(" + ",".join(params).encode() + b")")
    # Annotations are read by introspection (dependency injection, validation): a change to
    # one changes what the function does for such callers.
    annotations = [a.annotation for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                                          node.args.vararg, node.args.kwarg) if a is not None and a.annotation]
    if node.returns is not None:
        annotations.append(node.returns)
    digest.update(_fingerprint(annotations))
    first, last = node.body[0].lineno, node.end_lineno or node.lineno
    if lines and last <= len(lines):
        # The body's source text, blank lines aside: as exact as its AST and far cheaper to
        # hash (a comment inside a body counts as a change, which only selects more). Inside a
        # triple-quoted string blank lines and trailing spaces are part of a value: kept then.
        body = lines[first - 1:last]
        if any('"""' in line or "'''" in line for line in body):
            digest.update("\n".join(body).encode())
        else:
            digest.update("\n".join(line.rstrip() for line in body if line.strip()).encode())
    else:
        digest.update(_fingerprint(node.body))
    refs: frozenset[str] = frozenset()
    if with_refs:
        found = _refs(list(_without_docstring(node.body)))
        found.update(params)
        refs = frozenset(found)
    return Unit(name, digest.digest(), refs, tuple(_decorator(d) for d in node.decorator_list),
                node.lineno, last)


def _decorator(node: ast.expr) -> str:
    name = _dotted(node)
    if isinstance(node, ast.Call) and any(k.arg == "autouse" for k in node.keywords):
        return f"{name}(autouse)"  # an autouse fixture reaches every test in its scope unnamed
    if isinstance(node, ast.Call) and name.rpartition(".")[2] == "fixture":
        for keyword in node.keywords:
            if keyword.arg == "name":  # tests take the fixture by this name, not the function's
                value = keyword.value
                literal = isinstance(value, ast.Constant) and isinstance(value.value, str)
                return f"{name}(name={value.value})" if literal else f"{name}(computed name)"  # type: ignore[attr-defined]
    return name


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _hollow(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.FunctionDef | ast.AsyncFunctionDef:
    # What the module body keeps of a function: decorators, defaults and annotations. The
    # parameter names are the function's own (a test's fixtures): in the module body they would
    # make every test of a module refer to every fixture any of its tests takes.
    shell = copy.copy(node)
    shell.body = []
    args = copy.copy(node.args)
    args.posonlyargs = [_unnamed(a) for a in args.posonlyargs]
    args.args = [_unnamed(a) for a in args.args]
    args.kwonlyargs = [_unnamed(a) for a in args.kwonlyargs]
    args.vararg = _unnamed(args.vararg) if args.vararg else None
    args.kwarg = _unnamed(args.kwarg) if args.kwarg else None
    shell.args = args
    return shell


def _unnamed(arg: ast.arg) -> ast.arg:
    return ast.arg(arg="", annotation=arg.annotation)


def extract_symbols(tree: ast.Module, lines: Sequence[str] = (), with_refs: bool = True) -> SymbolTable:
    """The units of a parsed module (never raises on a tree ``ast.parse`` produced).

    ``lines`` is the decoded source, for cheap body fingerprints; ``with_refs`` computes what
    each unit refers to (a second walk of the tree, needed only for files a change reaches).
    """
    units: list[Unit] = []
    body_nodes: list[ast.AST] = []
    for stmt in _without_docstring(tree.body):
        if isinstance(stmt, _FUNCTIONS):
            units.append(_function_unit(stmt.name, stmt, lines, with_refs))
            if _runs_at_definition(stmt):
                body_nodes.append(_hollow(stmt))
        elif isinstance(stmt, ast.ClassDef):
            shell = copy.copy(stmt)
            shell.body = []
            for item in _without_docstring(stmt.body):
                if isinstance(item, _FUNCTIONS):
                    units.append(_function_unit(f"{stmt.name}.{item.name}", item, lines, with_refs))
                    if _runs_at_definition(item):
                        shell.body.append(_hollow(item))
                else:
                    shell.body.append(item)
            body_nodes.append(shell)
        else:
            body_nodes.append(stmt)
    dynamic, doctest, bindings = _module_facts(tree)
    # Import statements and ``__all__`` only bind or list names: they run no function, so they
    # are not uses that could carry a changed function's behaviour into the module body.
    # A fixture's ``name="x"`` says what tests call it, it uses no name x.
    names = frozenset(id(k.value) for d in _decorators(tree) if isinstance(d, ast.Call)
                      and _dotted(d.func).rpartition(".")[2] == "fixture" for k in d.keywords if k.arg == "name")
    # ``parametrize("total, count", ...)`` names the test's parameters, not functions it uses.
    names |= frozenset(id(_argnames(node)) for node in ast.walk(tree) if isinstance(node, ast.Call)
                       and _dotted(node.func).rpartition(".")[2] == "parametrize" and _argnames(node) is not None)
    module_refs = frozenset(_refs([n for n in body_nodes if not _only_binds(n)], names)) if with_refs else frozenset()
    units.append(Unit(MODULE, _fingerprint(body_nodes), module_refs))  # type: ignore[arg-type]
    classes = tuple((stmt.name, tuple(_dotted(b) if isinstance(b, (ast.Name, ast.Attribute)) else ""
                                      for b in stmt.bases))
                    for stmt in tree.body if isinstance(stmt, ast.ClassDef))
    return SymbolTable(tuple(units), tuple(dynamic), doctest,
                       tuple(dict.fromkeys(bindings)), classes, with_refs)


def _argnames(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "argnames"), None)


def _runs_at_definition(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether defining the function runs code of the module's (decorators, default values).

    A plain ``def`` only binds its name: adding, removing or moving one is a unit added or
    removed (its name becomes affected), not a change of the module body."""
    return bool(node.decorator_list or node.args.defaults or any(d is not None for d in node.args.kw_defaults))


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    """A docstring is prose: names in it are no references (docstrings with doctests are
    handled as doctests)."""
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def _decorators(tree: ast.Module) -> list[ast.expr]:
    """The decorators of the module's functions and of its classes' methods."""
    out: list[ast.expr] = []
    for stmt in tree.body:
        if isinstance(stmt, _FUNCTIONS):
            out.extend(stmt.decorator_list)
        elif isinstance(stmt, ast.ClassDef):
            for item in stmt.body:
                if isinstance(item, _FUNCTIONS):
                    out.extend(item.decorator_list)
    return out


def _only_binds(node: ast.AST) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return all(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)
    return False


def _module_facts(tree: ast.Module) -> tuple[list[str], bool, list[tuple[str, str]]]:
    """In one walk of the tree: computed attribute access (with where), whether docstrings hold
    doctest examples, and the names bound by ``from x import name as alias``."""
    dynamic = [f"line {stmt.lineno}: module-level __getattr__" for stmt in tree.body
               if isinstance(stmt, _FUNCTIONS) and stmt.name == "__getattr__"]
    doctest = False
    bindings: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.ImportFrom:
            bindings.extend((a.name, a.asname or a.name) for a in node.names if a.name != "*")  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            if node.attr == "__dict__" and not (  # type: ignore[attr-defined]
                    isinstance(node.value, ast.Name) and node.value.id == "self"):  # type: ignore[attr-defined]
                dynamic.append(f"line {node.lineno}: __dict__")  # type: ignore[attr-defined]
        elif kind is ast.Call:
            _dynamic_call(node, dynamic)  # type: ignore[arg-type]
        elif not doctest and kind in _DOCUMENTED:
            doc = ast.get_docstring(node, clean=False)  # type: ignore[arg-type]
            doctest = bool(doc and ">>>" in doc)
    return dynamic, doctest, bindings


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _dynamic_call(node: ast.Call, found: list[str]) -> None:
    name = _dotted(node.func).rpartition(".")[2]
    if name in _NAMESPACE_CALLS:
        found.append(f"line {node.lineno}: {name}()")
    elif name in _DYNAMIC_CALLS:
        index = 0 if name in ("import_module", "__import__", "attrgetter", "methodcaller") else 1
        target = node.args[index] if len(node.args) > index else None
        if target is not None and not (isinstance(target, ast.Constant) and isinstance(target.value, str)):
            found.append(f"line {node.lineno}: {name}() with a computed name")
