"""Symbol-level units of a module: what changed inside a file, and what each part refers to.

A module splits into units: every top-level function, every method of a top-level class, and
one ``<module>`` unit holding everything else (imports, assignments, class bodies outside their
methods, decorators, default values, annotations: all that runs when the module is imported).
Each unit has a fingerprint of its AST (so comments and formatting do not count) and the set of
names it refers to: identifiers, attribute names, parameter names (pytest injects fixtures by
parameter name) and identifier-like string constants (``getattr(x, "name")``,
``usefixtures("name")``).

Some import-time code only looks names up and binds the result: a class's bases, class
attributes like ``__call__ = run`` or ``amount: Money``, module aliases like ``Default = Money``.
A changed function cannot run there, so those references are not the module body's: they
belong to *binding units* (one per class, one per aliased module name), through which a change
reaches whatever the bound name reaches. Their text still counts in the module body's
fingerprint: editing them is editing import-time code.

The precision rules that use these units live in :mod:`.precision`; this module only reads.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

MODULE = "<module>"
#: Unit kinds: a function or method (its body runs when called); a class's or a module alias's
#: look-ups (a binding unit: its name is affected when what it refers to is); the module body.
FUNCTION, CLASS, ALIAS, BODY = "def", "class", "alias", "module"
UNIT_KINDS = frozenset({FUNCTION, CLASS, ALIAS, BODY})
#: Bytes of a unit fingerprint: 64 bits, so two different bodies never pass for one.
FINGERPRINT_SIZE = 8
#: Identifier-like pieces of string constants count as references.
_WORD = re.compile(r"[^\W\d]\w*")
#: Strings that are names (``"total"``), dotted names (``"shop.cart.total"``, ``"cli:main"``) or
#: lists of names (``"a,b"``) refer to what they name; prose (``"trial balance"``) does not.
_NAMES = re.compile(r"\s*[^\W\d]\w*(?:\s*[.,:]\s*[^\W\d]\w*)*\s*\Z")
#: A replacement field of a format string up to its conversion or spec: ``{order.total`` of
#: ``{order.total:.2f}``, ``{0.items[0].name``.
_FORMAT_FIELD = re.compile(r"(?<!\{)\{([^{}!:]*)")
#: Calls that reach attributes or modules by a computed name.
_DYNAMIC_CALLS = frozenset({"getattr", "setattr", "delattr", "hasattr", "attrgetter", "methodcaller", "getfixturevalue",
                            "import_module", "__import__", "getattr_static", "__getattribute__"})
_NAMESPACE_CALLS = frozenset({"globals", "vars", "locals", "getmembers"})
#: What reads where code stands or what its source says (a warning's or a log record's line, a
#: frame's, a traceback's, ``inspect.getsource``): an edit shifts the lines of code it does not
#: change, and changes a class's source through one method.
POSITION_READERS = frozenset({
    "lineno", "f_lineno", "tb_lineno", "co_firstlineno", "end_lineno", "getsource", "getsourcelines", "findsource",
    "getframeinfo", "getouterframes", "getinnerframes", "currentframe", "_getframe", "extract_stack", "extract_tb",
    "format_exc", "format_exception", "format_tb", "format_stack", "print_exc", "print_stack", "getrepr"})
#: How a dynamic access record marks a read of source positions.
SOURCE_POSITIONS = "(reads source positions)"
#: Functions that look attributes up by a name they are given at run time.
_LOOKUP_FUNCTIONS = frozenset({"getattr", "setattr", "attrgetter", "methodcaller", "getattr_static"})

#: Decorators that do not make a function reachable by anything but its name.
PURE_DECORATORS = frozenset({
    "staticmethod", "classmethod", "property", "abstractmethod", "abc.abstractmethod",
    "wraps", "functools.wraps", "cache", "functools.cache", "lru_cache", "functools.lru_cache",
    "cached_property", "functools.cached_property", "overload", "typing.overload",
    "fixture", "pytest.fixture",
    # Class decorators that add methods or checks but register nothing.
    "dataclass", "dataclasses.dataclass", "total_ordering", "functools.total_ordering", "unique", "enum.unique",
    "final", "typing.final", "runtime_checkable", "typing.runtime_checkable",
})


def pure_decorator(decorator: str) -> bool:
    """Whether a decorator (as :class:`Unit` records it) leaves the function reachable by its
    name alone, and reads nothing of it but its body."""
    decorator = decorator.partition("(name=")[0]  # a fixture registered under another name
    return (decorator in PURE_DECORATORS or decorator.startswith("pytest.mark.")
            or decorator.endswith((".setter", ".getter", ".deleter")))


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
    kind: str = FUNCTION
    #: Module-level state a function stores into (``_CURRENT.locale = x``): what reads it later,
    #: in another test of the same session, sees a change of this function.
    writes: tuple[str, ...] = ()

    @property
    def binds(self) -> bool:
        """Whether this is a binding unit (a class's or an alias's look-ups), whose text the
        module body's fingerprint covers."""
        return self.kind == CLASS or self.kind == ALIAS

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
    #: Top-level classes that see their subclasses being created (they define
    #: ``__init_subclass__`` or name a metaclass): a registry may reach those subclasses unnamed.
    hooks: tuple[str, ...] = ()
    #: Whether the units' ``refs`` were computed. Snapshots store units without them (they are
    #: most of the size); the engine computes them again for the files a change can reach.
    has_refs: bool = True

    def unit(self, name: str) -> Unit | None:
        """The unit called ``name`` (the last one, as Python binds the last definition)."""
        found = None
        for unit in self.units:
            if unit.name == name:
                found = unit
        return found


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


def _refs(nodes: Iterable[ast.AST], skip: frozenset[int] = frozenset()) -> set[str]:
    """The names the trees refer to, leaving out the subtrees in ``skip`` (by ``id``)."""
    out: set[str] = set()
    for root in nodes:
        for node in _walk(root, skip) if skip else ast.walk(root):
            kind = type(node)
            if kind is ast.Name:
                if type(node.ctx) is not ast.Store:  # type: ignore[attr-defined]
                    out.add(node.id)  # type: ignore[attr-defined]  # (``x = ...`` uses no x)
            elif kind is ast.AugAssign and type(node.target) is ast.Name:  # type: ignore[attr-defined]
                out.add(node.target.id)  # type: ignore[attr-defined]  # ``x += 1`` reads x too
            elif kind is ast.Attribute:
                out.add(node.attr)  # type: ignore[attr-defined]
            elif (kind is ast.arg or kind is ast.keyword) and node.arg:  # type: ignore[attr-defined]
                out.add(node.arg)  # type: ignore[attr-defined]
            elif kind is ast.Constant and type(node.value) is str:  # type: ignore[attr-defined]
                text = node.value  # type: ignore[attr-defined]
                if len(text) <= 200 and _NAMES.match(text):
                    out.update(_WORD.findall(text))
                if "{" in text:  # ``"{order.total:.2f}".format(order=o)`` reads ``total``
                    for field in _FORMAT_FIELD.findall(text):
                        out.update(_WORD.findall(field))
            elif kind is ast.MatchClass:  # ``case Invoice(balance=0)`` reads ``balance``
                out.update(node.kwd_attrs)  # type: ignore[attr-defined]
            elif kind is ast.alias:
                out.add((node.asname or node.name).partition(".")[0])  # type: ignore[attr-defined]
                out.add(node.name.rpartition(".")[2])  # type: ignore[attr-defined]
    return out


def _walk(root: ast.AST, skip: frozenset[int]) -> Iterator[ast.AST]:
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) not in skip:
            yield node
            stack.extend(ast.iter_child_nodes(node))


def _local_annotations(body: Iterable[ast.AST]) -> Iterator[int]:
    """The annotations of assignments in function scope (``total: Money = ...``,
    ``self.items: list[Item] = []``): Python never evaluates them, so they use nothing."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.AnnAssign):
                yield id(node.annotation)


def _function_unit(name: str, node: ast.FunctionDef | ast.AsyncFunctionDef, lines: Sequence[str],
                   with_refs: bool, state: frozenset[str] = frozenset(),
                   class_state: frozenset[str] = frozenset()) -> Unit:
    # The body and the parameter names belong to the function; decorators, defaults and
    # annotations are evaluated when the module runs, so they belong to the module body.
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
    params += [a.arg for a in (node.args.vararg, node.args.kwarg) if a is not None]
    args = node.args
    # The signature's shape: making ``rate`` keyword-only (``*, rate``) breaks positional callers.
    shape = [*(a.arg for a in args.posonlyargs), *(["/"] if args.posonlyargs else []), *(a.arg for a in args.args),
             *([f"*{args.vararg.arg}"] if args.vararg else ["*"] if args.kwonlyargs else []),
             *(a.arg for a in args.kwonlyargs), *([f"**{args.kwarg.arg}"] if args.kwarg else [])]
    digest = hashlib.blake2b(digest_size=FINGERPRINT_SIZE)
    digest.update(type(node).__name__.encode() + b"(" + ",".join(shape).encode() + b")")
    # Annotations are read by introspection (dependency injection, validation): a change to
    # one changes what the function does for such callers.
    annotations = [a.annotation for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                                          node.args.vararg, node.args.kwarg) if a is not None and a.annotation]
    if node.returns is not None:
        annotations.append(node.returns)
    digest.update(_fingerprint(annotations))
    opening = node.body[0]  # a nested ``@scale(2) def step()`` starts at its decorators
    first = min([opening.lineno, *(d.lineno for d in getattr(opening, "decorator_list", ()))])
    last = node.end_lineno or node.lineno
    source = "\n".join(lines[first - 1:last]) if lines and last <= len(lines) else None
    if source is not None:
        # The body's source text, blank lines aside: as exact as its AST and far cheaper to
        # hash (a comment inside a body counts as a change, which only selects more). Inside a
        # triple-quoted string blank lines and trailing spaces are part of a value: kept then.
        if '"""' in source or "'''" in source:
            digest.update(source.encode())
        else:
            digest.update("\n".join(line.rstrip() for line in source.split("\n") if line.strip()).encode())
    else:
        digest.update(_fingerprint(node.body))
    refs: frozenset[str] = frozenset()
    if with_refs:
        # A framework that finds the function through its decorator may read its annotations
        # (validation, injection): then its behaviour depends on what they name too.
        read = annotations if not all(pure_decorator(_decorator(d)) for d in node.decorator_list) else []
        found = _refs([*_without_docstring(node.body), *read], frozenset(_local_annotations(node.body)))
        found.update(params)
        refs = frozenset(found)
    owner = name.partition(".")[0] if "." in name else None
    may_store = source is None or _MAY_STORE.search(source) is not None or bool(
        state and any(m.group(1) in state for m in _MUTATES.finditer(source))) or "type(" in source \
        or "__class__." in source or any(f".{attribute}" in source for attribute in class_state)
    writes = tuple(sorted(_state_written(node, params, owner, state, class_state))) if may_store else ()
    return Unit(name, digest.digest(), refs, tuple(_decorator(d) for d in node.decorator_list),
                node.lineno, last, writes=writes)


#: A line that may store into state outside the function: ``global``/``nonlocal``, or an
#: assignment to an attribute or item of a name other than ``self`` (``_CURRENT.locale
#: = x``, ``CACHE[key] = v``, ``del REGISTRY[name]``). Only such functions are walked for it.
_MAY_STORE = re.compile(r"\b(?:global|nonlocal|del)\b|(?<![\w.])(?!self\b)[^\W\d]\w*(?:\.\w+|\[.*\])+\s*"
                        r"(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=)|\]\s*(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=)")
#: Methods that change the container they are called on.
_MUTATORS = frozenset({"append", "extend", "insert", "remove", "pop", "clear", "update", "add", "discard",
                       "setdefault", "popitem", "sort", "reverse", "__setitem__", "__delitem__",
                       "set", "reset", "put", "put_nowait", "register", "unregister"})  # ContextVar, queue
#: ``NAME.append(`` and the like: the name whose content a call may change.
_MUTATES = re.compile(r"(?<![\w.])([^\W\d]\w*)(?:\.\w+)*\.(?:" + "|".join(sorted(_MUTATORS)) + r")\(")


def _state_written(node: ast.FunctionDef | ast.AsyncFunctionDef, params: Sequence[str],
                   owner: str | None = None, state: frozenset[str] = frozenset(),
                   class_state: frozenset[str] = frozenset()) -> set[str]:
    """Names of module-level state the function stores into: ``global X`` then ``X = ...``,
    ``X.attr = ...``, ``X[key] = ...``, ``del X[key]``, where ``X`` is no local of the function;
    ``X.append(...)`` and other mutating calls where ``X`` is a module-level variable
    (``state``); in a method of ``owner``, ``cls.attr = ...`` stores into the class (``owner``),
    and ``self.cache[k] = v``, ``self.cache.clear()``, ``type(self).count += 1`` into the
    class attribute (one of ``class_state``) every instance shares.
    Whatever reads that state later (another test, in the same session) sees the change."""
    declared: set[str] = set()
    local: set[str] = set(params)
    stores: list[ast.Attribute | ast.Subscript] = []
    for inner in ast.walk(node):
        if isinstance(inner, (ast.Global, ast.Nonlocal)):
            declared.update(inner.names)
        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
            local.add(inner.id)
        elif isinstance(inner, (ast.Attribute, ast.Subscript)) and isinstance(inner.ctx, (ast.Store, ast.Del)):
            stores.append(inner)
        elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr in _MUTATORS:
            stores.append(inner.func)
    out = set(declared)
    for target in stores:
        root: ast.expr = target
        chain: list[str | None] = []  # the attributes from the outermost in
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            chain.append(root.attr if isinstance(root, ast.Attribute) else None)
            root = root.value
        attribute = chain[-1]
        if isinstance(root, ast.Call) and _dotted(root.func) == "type" and attribute is not None:
            out.add(attribute)  # ``type(self).count += 1``
            continue
        if not isinstance(root, ast.Name):
            continue
        name = root.id
        if name in ("self", "cls") and name in params and len(chain) >= 2:
            if attribute == "__class__" and chain[-2] is not None:
                out.add(chain[-2])  # ``self.__class__.count = 1``
            elif attribute in class_state:
                out.add(attribute)  # a class attribute's object, shared by every instance
        # A mutating call changes module state only on a module-level variable; a store does
        # on any name that is not the function's own.
        shared = name in state if isinstance(target.ctx, ast.Load) else True
        if name in declared or (shared and name not in local):
            out.add(name)
            if attribute is not None and isinstance(target.ctx, (ast.Store, ast.Del)):
                out.add(attribute)  # ``config.DEBUG = True``: the module reads its global ``DEBUG``
        elif name == "cls" and owner is not None and "cls" in params:
            out.add(owner)
    return out


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


def _hollow(node: ast.FunctionDef | ast.AsyncFunctionDef, postponed: bool) -> ast.FunctionDef | ast.AsyncFunctionDef:
    # What the module body keeps of a function: decorators, defaults and the annotations that
    # run code when evaluated. The parameter names are the function's own (a test's fixtures):
    # in the module body they would make every test of a module refer to every fixture any of
    # its tests takes.
    shell = copy.copy(node)
    shell.body = []
    args = copy.copy(node.args)
    args.posonlyargs = [_unnamed(a, postponed) for a in args.posonlyargs]
    args.args = [_unnamed(a, postponed) for a in args.args]
    args.kwonlyargs = [_unnamed(a, postponed) for a in args.kwonlyargs]
    args.vararg = _unnamed(args.vararg, postponed) if args.vararg else None
    args.kwarg = _unnamed(args.kwarg, postponed) if args.kwarg else None
    shell.args = args
    if node.returns is not None and _inert_annotation(node.returns, postponed):
        shell.returns = None
    return shell


def _unnamed(arg: ast.arg, postponed: bool) -> ast.arg:
    annotation = arg.annotation
    return ast.arg(arg="", annotation=None if annotation is None or _inert_annotation(annotation, postponed)
                   else annotation)


def _inert_annotation(node: ast.expr, postponed: bool) -> bool:
    """Whether evaluating an annotation at definition time runs no code of the project: never
    evaluated (``from __future__ import annotations``), or only names looked up and subscripted
    (``list[Money]``; a changed ``__class_getitem__`` escalates on its own)."""
    return postponed or not any(isinstance(n, _RUNS) for n in ast.walk(node))


_RUNS = (ast.Call, ast.NamedExpr, ast.Lambda, ast.Await, ast.Yield, ast.YieldFrom)


def _inert_value(node: ast.expr | None) -> bool:
    """Whether an expression only looks names up: ``run``, ``shop.cart.Cart``, ``"EUR"``,
    ``(Money, -1)``. Evaluating it can run no function, only fail on a name that is gone."""
    if node is None or isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, ast.Attribute):
        return _inert_value(node.value)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_inert_value(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _inert_value(k) for k in node.keys) and all(_inert_value(v) for v in node.values)
    return False


def _binding(stmt: ast.stmt, postponed: bool) -> tuple[str, list[ast.AST]] | None:
    """``name = <look-ups>`` (or annotated): the name bound and the look-ups, else None."""
    if isinstance(stmt, ast.Assign):
        if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id != "__all__" \
                and _inert_value(stmt.value):
            return stmt.targets[0].id, [stmt.value]
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and _inert_value(stmt.value) \
            and _inert_annotation(stmt.annotation, postponed):
        return stmt.target.id, [stmt.annotation, *([stmt.value] if stmt.value is not None else [])]
    return None


def _postpones_annotations(tree: ast.Module) -> bool:
    return any(isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"
               and any(a.name == "annotations" for a in stmt.names) for stmt in tree.body)


def extract_symbols(tree: ast.Module, lines: Sequence[str] = (), with_refs: bool = True) -> SymbolTable:
    """The units of a parsed module (never raises on a tree ``ast.parse`` produced).

    ``lines`` is the decoded source, for cheap body fingerprints; ``with_refs`` computes what
    each unit refers to (a second walk of the tree, needed only for files a change reaches).
    """
    postponed = _postpones_annotations(tree)
    # Module-level variables: a function calling ``X.append(...)`` on one changes module state.
    state = frozenset(t.id for stmt in tree.body if isinstance(stmt, (ast.Assign, ast.AnnAssign))
                      for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
                      if isinstance(t, ast.Name))
    units: list[Unit] = []
    body_nodes: list[ast.AST] = []  # all import-time code: the module body's fingerprint
    running: list[ast.AST] = []  # the part of it that may run functions: the module body's refs
    hooks: list[str] = []
    if tree.body and _without_docstring(tree.body[:1]) == []:
        body_nodes.append(tree.body[0])  # read at run time too: ``ArgumentParser(description=__doc__)``
    for stmt in _without_docstring(tree.body):
        if isinstance(stmt, _FUNCTIONS):
            units.append(_function_unit(stmt.name, stmt, lines, with_refs, state))
            if _runs_at_definition(stmt, postponed):
                hollow = _hollow(stmt, postponed)
                body_nodes.append(hollow)
                running.append(hollow)
        elif isinstance(stmt, ast.ClassDef):
            units.extend(_class_units(stmt, lines, with_refs, postponed, body_nodes, running, state))
            if any(k.arg == "metaclass" for k in stmt.keywords) or any(
                    isinstance(i, _FUNCTIONS) and i.name == "__init_subclass__" for i in stmt.body):
                hooks.append(stmt.name)
        else:
            body_nodes.append(stmt)
            bound = _binding(stmt, postponed)
            if bound is None:
                running.append(stmt)
            else:
                units.append(Unit(bound[0], _fingerprint(stmt), frozenset(_refs(bound[1])) if with_refs
                                  else frozenset(), (), stmt.lineno, stmt.end_lineno or stmt.lineno, ALIAS))
    dynamic, doctest, bindings = _module_facts(tree)
    # Import statements and ``__all__`` only bind or list names: they run no function, so they
    # are not uses that could carry a changed function's behaviour into the module body.
    # A fixture's ``name="x"`` says what tests call it, it uses no name x.
    module_refs: frozenset[str] = frozenset()
    if with_refs:
        names = frozenset(id(k.value) for d in _decorators(tree) if isinstance(d, ast.Call)
                          and _dotted(d.func).rpartition(".")[2] == "fixture" for k in d.keywords
                          if k.arg == "name" and isinstance(k.value, ast.Constant))
        # ``parametrize("total, count", ...)`` names the test's parameters, not functions it uses.
        names |= frozenset(id(_argnames(node)) for node in ast.walk(tree) if isinstance(node, ast.Call)
                           and _dotted(node.func).rpartition(".")[2] == "parametrize" and _argnames(node) is not None)
        module_refs = frozenset(_refs([n for n in running if not _only_binds(n)], names))
    units.append(Unit(MODULE, _fingerprint(body_nodes), module_refs, kind=BODY))  # type: ignore[arg-type]
    classes = tuple((stmt.name, tuple(_dotted(b) if isinstance(b, (ast.Name, ast.Attribute)) else ""
                                      for b in stmt.bases))
                    for stmt in tree.body if isinstance(stmt, ast.ClassDef))
    return SymbolTable(tuple(units), tuple(dynamic), doctest,
                       tuple(dict.fromkeys(bindings)), classes, tuple(hooks), with_refs)


def _class_units(stmt: ast.ClassDef, lines: Sequence[str], with_refs: bool, postponed: bool,
                 body_nodes: list[ast.AST], running: list[ast.AST], state: frozenset[str] = frozenset()) -> list[Unit]:
    """The class's binding unit, then its methods' units; the class shell joins the module
    body's fingerprint, and what in it may run a function joins the module body's refs."""
    shell = copy.copy(stmt)
    shell.body = []
    methods: list[Unit] = []
    lookups: set[str] = set()
    for base in stmt.bases:
        if _inert_value(base):
            lookups |= _refs([base])
        else:
            running.append(base)
    running.extend(stmt.keywords)
    running.extend(stmt.decorator_list)
    # A plain class or dataclass never reads its attributes' annotations as types: they name
    # what values will be, and those values come from code that names them. A framework's
    # model (a base class, a decorator of its own) may build validators from them.
    plain = not stmt.keywords and all(isinstance(b, ast.Name) and b.id == "object" for b in stmt.bases) and all(
        _dotted(d) in ("dataclass", "dataclasses.dataclass") for d in stmt.decorator_list)
    # Attributes the class body binds: their objects are shared by every instance.
    class_state = frozenset(t.id for item in stmt.body if isinstance(item, (ast.Assign, ast.AnnAssign))
                            for t in (item.targets if isinstance(item, ast.Assign) else [item.target])
                            if isinstance(t, ast.Name))
    if stmt.body and _without_docstring(stmt.body[:1]) == []:
        shell.body.append(stmt.body[0])  # ``inspect.getdoc(cls)`` builds help text from it
    for item in _without_docstring(stmt.body):
        if isinstance(item, _FUNCTIONS):
            methods.append(_function_unit(f"{stmt.name}.{item.name}", item, lines, with_refs, state, class_state))
            if _runs_at_definition(item, postponed):
                hollow = _hollow(item, postponed)
                shell.body.append(hollow)
                if _only_wrapped(hollow):
                    # ``@property``, ``@size.setter``: the method's own name is no use of it.
                    lookups |= _refs(hollow.decorator_list) - {item.name}
                else:
                    running.append(hollow)
        else:
            shell.body.append(item)
            bound = _binding(item, postponed)
            if bound is None:
                running.append(item)
            elif plain and isinstance(item, ast.AnnAssign):
                lookups |= _refs(bound[1][1:])
            else:
                lookups |= _refs(bound[1])
    body_nodes.append(shell)
    own = Unit(stmt.name, _fingerprint(shell), frozenset(lookups) if with_refs else frozenset(),
               tuple(_decorator(d) for d in stmt.decorator_list), stmt.lineno, stmt.end_lineno or stmt.lineno, CLASS)
    return [own, *methods]


#: Decorators that wrap a method in a descriptor of the language's own, calling nothing else.
_WRAPPERS = frozenset({"property", "staticmethod", "classmethod", "abstractmethod", "cached_property",
                       "setter", "getter", "deleter"})


def _only_wrapped(hollow: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether defining the method runs nothing but built-in wrappers (no defaults, no
    annotation that calls)."""
    args = hollow.args
    if args.defaults or any(d is not None for d in args.kw_defaults) or hollow.returns is not None:
        return False
    if any(a.annotation is not None for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg,
                                              args.kwarg) if a is not None):
        return False
    return all(isinstance(d, (ast.Name, ast.Attribute)) and _dotted(d).rpartition(".")[2] in _WRAPPERS
               for d in hollow.decorator_list)


def _argnames(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "argnames"), None)


def _runs_at_definition(node: ast.FunctionDef | ast.AsyncFunctionDef, postponed: bool) -> bool:
    """Whether defining the function runs code of the module's (decorators, default values,
    annotations that call something).

    A plain ``def`` only binds its name: adding, removing or moving one is a unit added or
    removed (its name becomes affected), not a change of the module body."""
    if node.decorator_list or node.args.defaults or any(d is not None for d in node.args.kw_defaults):
        return True
    args = node.args
    annotations = [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
                   if a is not None and a.annotation is not None]
    if node.returns is not None:
        annotations.append(node.returns)
    return not all(_inert_annotation(a, postponed) for a in annotations)


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
    called: set[int] = set()
    values: list[ast.Name] = []
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.ImportFrom:
            bindings.extend((a.name, a.asname or a.name) for a in node.names if a.name != "*")  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            if node.attr == "__dict__" and not (  # type: ignore[attr-defined]
                    isinstance(node.value, ast.Name) and node.value.id == "self"):  # type: ignore[attr-defined]
                dynamic.append(f"line {node.lineno}: __dict__")  # type: ignore[attr-defined]
            elif node.attr == "__subclasses__":  # type: ignore[attr-defined]
                dynamic.append(f"line {node.lineno}: __subclasses__")  # type: ignore[attr-defined]
            elif node.attr in POSITION_READERS:  # type: ignore[attr-defined]
                dynamic.append(f"line {node.lineno}: {node.attr} {SOURCE_POSITIONS}")  # type: ignore[attr-defined]
        elif kind is ast.Constant and type(node.value) is str and "lineno" in node.value:  # type: ignore[attr-defined]
            dynamic.append(f"line {node.lineno}: a format with lineno {SOURCE_POSITIONS}")  # type: ignore[attr-defined]
        elif kind is ast.Call:
            _dynamic_call(node, dynamic)  # type: ignore[arg-type]
            if type(node.func) is ast.Name:  # type: ignore[attr-defined]
                called.add(id(node.func))  # type: ignore[attr-defined]
        elif kind is ast.Name and node.id in _LOOKUP_FUNCTIONS:  # type: ignore[attr-defined]
            values.append(node)  # type: ignore[arg-type]
        elif kind is ast.Name and node.id in POSITION_READERS and type(node.ctx) is ast.Load:  # type: ignore[attr-defined]
            dynamic.append(f"line {node.lineno}: {node.id} {SOURCE_POSITIONS}")  # type: ignore[attr-defined]
        elif not doctest and kind in _DOCUMENTED:
            doc = ast.get_docstring(node, clean=False)  # type: ignore[arg-type]
            doctest = bool(doc and ">>>" in doc)
    # ``reduce(getattr, "a.b".split("."), obj)``: the lookup runs where no call shows it.
    dynamic.extend(f"line {v.lineno}: {v.id} passed as a value" for v in values if id(v) not in called)
    return dynamic, doctest, bindings


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _dynamic_call(node: ast.Call, found: list[str]) -> None:
    name = _dotted(node.func).rpartition(".")[2]
    if name in _NAMESPACE_CALLS or (name == "dir" and node.args):  # ``dir(module)`` lists what it defines
        found.append(f"line {node.lineno}: {name}()")
    elif name in _DYNAMIC_CALLS:
        index = 0 if name in ("import_module", "__import__", "attrgetter", "methodcaller", "getfixturevalue") else 1
        target = node.args[index] if len(node.args) > index else None
        if target is not None and not (isinstance(target, ast.Constant) and isinstance(target.value, str)):
            found.append(f"line {node.lineno}: {name}() with a computed name")
