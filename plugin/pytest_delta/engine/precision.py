"""Symbol-level precision: which tests a change reaches, function by function, and when
that cannot be proven.

File-level selection is the safe floor: every file that transitively imports a changed file is
affected. Within those files, symbol precision keeps only the units that refer, directly or
through other affected units, to a changed function or method. Whenever a change could reach
code without being named (a module body, a registering decorator, an operator, a framework
hook, computed attribute access, a doctest, an autouse fixture), the changed file escalates to
file level and everything that imports it is affected whole, as without symbol precision.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from .graph import Graph
from .symbols import CLASS, FUNCTION, MODULE, SOURCE_POSITIONS, SymbolTable, Unit, pure_decorator

#: Methods that run when a class is created or subscripted, at import time: a change to one
#: can break the import of every module that defines a subclass or evaluates ``C[...]``.
CREATION_DUNDERS = frozenset({"__init_subclass__", "__set_name__", "__class_getitem__", "__mro_entries__",
                              "__prepare__"})
#: Bases whose machinery calls no method of a subclass by convention (dunders aside).
SAFE_BASES = frozenset({"object", "ABC", "Protocol", "Generic", "NamedTuple", "TypedDict", "Enum",
                        "Exception", "BaseException", "ValueError", "TypeError", "KeyError", "RuntimeError",
                        "LookupError", "AttributeError"})
#: Methods and functions that test runners call by convention, never by name.
XUNIT_METHODS = frozenset({
    "setup_method", "teardown_method", "setup_class", "teardown_class", "setup", "teardown",
    "setUp", "tearDown", "setUpClass", "tearDownClass", "asyncSetUp", "asyncTearDown",
})
XUNIT_FUNCTIONS = frozenset({
    "setup_module", "teardown_module", "setup_function", "teardown_function", "setUpModule", "tearDownModule",
})


@functools.cache
def protocol_methods() -> frozenset[str]:
    """Method names the standard library calls on any object it is handed, whatever its class:
    a stream's ``write`` (``csv.writer``, ``print(file=...)``, ``json.dump``), a mapping's
    ``keys`` (``dict(obj)``), a logging filter's ``filter``, a protocol's ``data_received``.
    Computed from this interpreter's standard library, on first need (asyncio is slow to import)."""
    import asyncio
    import collections.abc as abc
    import io
    import logging

    kinds: tuple[type, ...] = (io.IOBase, io.RawIOBase, io.BufferedIOBase, io.TextIOBase, abc.Mapping,
                               abc.MutableMapping, abc.Sequence, abc.MutableSequence, abc.Set, abc.MutableSet,
                               abc.Generator, logging.Filter, logging.Formatter, asyncio.Protocol,
                               asyncio.BufferedProtocol, asyncio.DatagramProtocol, asyncio.SubprocessProtocol)
    return frozenset(name for kind in kinds for name in dir(kind) if not name.startswith("_"))



def _called_unnamed(unit: Unit, decorators: Iterable[str], used_fixtures: Collection[str] = ()) -> str | None:
    """Why ``unit`` runs without anything naming it (a registering decorator, an autouse
    fixture, a fixture the ini file's ``usefixtures`` names, an xunit hook), or None."""
    decorators = list(decorators)
    impure = [d for d in decorators if not pure_decorator(d)]
    if impure:
        return f"{unit.name} is decorated with {impure[0]}"
    if unit.short_name in used_fixtures and any(d.partition("(")[0].rpartition(".")[2] == "fixture"
                                                for d in decorators):
        return f"{unit.name} is a fixture every test uses (usefixtures)"
    if unit.class_name is None and unit.short_name in XUNIT_FUNCTIONS:
        return f"{unit.name} is an xunit hook"
    if unit.short_name.startswith("pytest_"):
        return f"{unit.name} is a pytest hook"  # pytest calls it, in conftest files and plugins
    return None


#: What code that runs docstring examples itself calls (``doctest.testmod(module)``, a
#: ``DocTestSuite``, sybil, xdoctest); a ``# doctest: +SKIP`` directive is none of these.
_DOCTEST_RUNNERS = re.compile(rb"\b(?:testmod|testfile|run_docstring_examples|DocTestSuite|DocFileSuite|DocTestFinder"
                              rb"|DocTestRunner|DocTestParser|Sybil|xdoctest)\b")


def _access_why(access: str) -> str:
    """``"dynamic access (line 3: globals())"``, ``"reads source positions (line 9: lineno)"``."""
    if access.endswith(SOURCE_POSITIONS):
        return f"reads source positions ({access[:-len(SOURCE_POSITIONS)].rstrip()})"
    return f"dynamic access ({access})"


def _access_line(access: str) -> int | None:
    """The line of a dynamic access record (``"line 12: getattr() ..."``)."""
    line = access.partition(":")[0].removeprefix("line ")
    return int(line) if line.isdigit() else None


def _enclosing_function(symbols: SymbolTable, line: int | None) -> Unit | None:
    """The function or method whose body holds ``line``, or None when the module body does."""
    if line is None:
        return None
    holders = [u for u in symbols.units if u.kind == FUNCTION and u.line <= line <= u.end_line]
    return min(holders, key=lambda u: u.end_line - u.line) if holders else None


def _quoted(name: str, text: bytes | None) -> bool:
    """Whether a source holds ``name`` as a whole string literal (unknown text: assume so)."""
    if text is None:
        return True
    return any(f"{quote}{name}{quote}".encode() in text for quote in ("'", '"'))


def _is_test_method(unit: Unit) -> bool:
    return unit.short_name.startswith("test") and (unit.class_name or "").startswith("Test")


@dataclass(frozen=True)
class UnitCause:
    """Why a unit is affected: it names ``via``, which ``source`` (path, unit) made affected;
    ``source`` is None for a unit that changed itself."""

    via: str
    source: tuple[str, str] | None


@dataclass
class SymbolSelection:
    #: Files affected whole: every test in them runs. Maps to the file reached from, as
    #: :meth:`Graph.find_dependents` does.
    whole_files: dict[str, str | None] = field(default_factory=dict)
    #: Escalated files and why symbol precision could not be proven there.
    escalations: dict[str, str] = field(default_factory=dict)
    #: Affected units per file (not counting whole files).
    units: dict[str, dict[str, UnitCause]] = field(default_factory=dict)
    #: Affected names and the unit each came from.
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Files that import an affected function or a class with affected methods by name: pytest
    #: collects imported test functions and classes there too, so they must be collected.
    bound_files: set[str] = field(default_factory=set)

    def selects(self, path: str, unit: str | None) -> bool:
        """Whether a test of ``path`` whose function is the unit ``unit`` (None: unknown) runs.

        Call only for files the file-level rule affects."""
        if path in self.whole_files or unit is None:
            return True
        affected = self.units.get(path, {})
        if unit in affected:
            return True
        class_name = unit.partition(".")[0] if "." in unit else None
        return class_name is not None and class_name in self.names

    def explain(self, path: str, unit: str) -> list[str]:
        """``["test_x (tests/t.py)", "helper (src/h.py)", "Cart.total (src/cart.py, changed)"]``; a
        unit that counts as using any change is followed by why (``"dynamic access (line 3: ...)"``)."""
        out: list[str] = []
        seen: set[tuple[str, str]] = set()
        current: tuple[str, str] | None = (path, unit)
        while current is not None and current not in seen:
            seen.add(current)
            cause = self.units.get(current[0], {}).get(current[1])
            if cause is None:
                out.append(f"{current[1]} ({current[0]})")
                break
            changed = ", changed" if cause.source is None else ""
            out.append(f"{current[1]} ({current[0]}{changed})")
            if cause.source is not None and " " in cause.via:
                out.append(cause.via)  # no name led here: why it counts as using any change
            current = cause.source
        return out


def _running_code(graph: Graph, affected: Iterable[str]) -> list[str]:
    """The Python files whose code can run in a test the change reaches: the affected files and
    everything they import. A method is called on an object wherever the object goes: ``Job.run``
    in ``base.py`` calls ``self.process()`` of a subclass in a module ``base.py`` never imports;
    a dispatcher there looks it up by a computed name."""
    return sorted(p for p in graph.find_dependencies(p for p in affected if p.endswith(".py")) if p.endswith(".py"))


def _diff(old: SymbolTable, new: SymbolTable) -> list[tuple[Unit | None, Unit | None]]:
    """Units that changed, appeared or disappeared, as (before, after). Units of one name (a
    property's getter and setter, ``typing.overload`` variants) compare as one, so that an
    edit of any of them counts; the pair holds the last of each, with every one's decorators."""
    before, after = _by_name(old), _by_name(new)
    out = []
    for name in sorted(before.keys() | after.keys()):
        a, b = before.get(name), after.get(name)
        if a is None or b is None or [u.fingerprint for u in a] != [u.fingerprint for u in b]:
            out.append((_merged(a), _merged(b)))
    return out


def _by_name(table: SymbolTable) -> dict[str, list[Unit]]:
    out: dict[str, list[Unit]] = {}
    for unit in table.units:
        out.setdefault(unit.name, []).append(unit)
    return out


def _merged(units: list[Unit] | None) -> Unit | None:
    if not units:
        return None
    last = units[-1]
    if len(units) == 1:
        return last
    decorators = tuple(dict.fromkeys(d for u in units for d in u.decorators))
    writes = tuple(sorted({w for u in units for w in u.writes}))
    return Unit(last.name, last.fingerprint, frozenset().union(*(u.refs for u in units)), decorators,
                units[0].line, last.end_line, last.kind, writes)


def select_units(
    *,
    graph: Graph,
    affected: Mapping[str, str | None],
    edited: Collection[str],
    structural: Mapping[str, str],
    old: Callable[[str], SymbolTable | None],
    new: Callable[[str], SymbolTable | None],
    class_bases: Callable[[str, str], tuple[str, tuple[str, ...]] | None] = lambda path, name: None,
    class_hook: Callable[[str, str], str | None] = lambda path, name: None,
    doctests_collected: Callable[[], bool] = lambda: True,
    with_refs: Callable[[Iterable[str]], Mapping[str, SymbolTable]] | None = None,
    text_of: Callable[[str], bytes | None] | None = None,
    state_called: Callable[[str, Collection[str]], Mapping[str, frozenset[str]]] | None = None,
    used_fixtures: Collection[str] = frozenset(),
    dynamic_of: Callable[[str], tuple[str, ...] | None] | None = None,
) -> SymbolSelection:
    """Refine the file-level ``affected`` set (from ``graph.find_dependents``).

    ``edited`` are Python files whose content changed; ``structural`` are the other seeds, with why
    (new, deleted, unparseable, rewired, data files and the modules they own): those are
    escalated without looking inside. ``new`` may give tables without refs: ``with_refs`` then
    gives full ones, asked only when a changed name must be followed through other files.
    ``state_called`` gives, for changed units of a file, the module state that the functions
    they call store into. ``used_fixtures`` are fixtures every test uses unnamed (the ini's
    ``usefixtures``). ``dynamic_of`` tells a file's computed accesses cheaply (None: unknown).
    """
    result = SymbolSelection()
    escalated = result.escalations

    def external_base(path: str, class_name: str) -> bool:
        """Whether the class derives, through project classes or directly, from a class no
        project file it depends on defines (``logging.Formatter`` calls ``format``)."""
        symbols = table(path)
        bases = dict(symbols.classes).get(class_name) if symbols is not None else None
        if bases is None:
            return True  # not a top-level class we can see: assume the worst
        pending = [(path, base) for base in bases]
        seen = {(path, class_name)}
        while pending:
            where, base = pending.pop()
            if base.rpartition(".")[2] in SAFE_BASES or (where, base) in seen:
                continue
            seen.add((where, base))
            found = class_bases(where, base)
            if found is None:
                return True
            pending.extend((found[0], b) for b in found[1])
        return False

    for path, why in structural.items():
        escalated.setdefault(path, why)
    tables: dict[str, SymbolTable | None] = {}

    def table(path: str) -> SymbolTable | None:
        if path not in tables:
            tables[path] = new(path) if path.endswith(".py") else None
        return tables[path]

    # Code that reaches attributes by computed names may call whatever changed: a function or
    # method doing so is affected as soon as anything is; a module body doing so, or a
    # module-level ``__getattr__`` (which answers for names it never spells), escalates its file.
    wildcards: list[tuple[str, Unit, str]] = []
    running = _running_code(graph, affected)
    for path in running:
        if dynamic_of is not None and path.endswith(".py") and dynamic_of(path) == ():
            continue  # known to have none, without decoding its units
        symbols = table(path)
        if symbols is None:
            continue
        for access in symbols.dynamic_access:
            holder = None if access.endswith("module-level __getattr__") else \
                _enclosing_function(symbols, _access_line(access))
            why = _access_why(access)
            if holder is None:
                escalated.setdefault(path, f"it {why}" if why.startswith("reads") else f"it uses {why}")
                break
            wildcards.append((path, holder, why))
    queue: deque[str] = deque()
    binds: dict[str, list[tuple[str, str]]] = {}

    def affect_name(name: str, source: tuple[str, str]) -> None:
        if name not in result.names:
            result.names[name] = source
            queue.append(name)
            for importer, alias in binds.get(name, ()):
                result.bound_files.add(importer)
                if alias != name:  # ``from m import f as g``: code calls g
                    affect_name(alias, source)

    for path in affected:
        symbols = table(path)
        if symbols is None:
            if path.endswith(".py"):
                escalated.setdefault(path, "no symbol table")
            continue
        for name, alias in symbols.bindings:
            binds.setdefault(name, []).append((path, alias))
    methods_affected: list[tuple[str, Unit]] = []

    def affect_class(path: str, class_name: str, source: tuple[str, str]) -> None:
        """``class_name`` (defined in ``path``) behaves differently: code that names it is
        affected, unless something reaches the class without naming it (a registry)."""
        symbols = table(path)
        own = symbols.unit(class_name) if symbols is not None else None
        impure = [d for d in own.decorators if not pure_decorator(d)] if own is not None and own.kind == CLASS else []
        if impure:
            escalated.setdefault(path, f"{class_name} is decorated with {impure[0]}")
        elif (hook := class_hook(path, class_name)) is not None:
            escalated.setdefault(path, f"{class_name} is seen being created by {hook}")
        else:
            affect_name(class_name, source)

    def affect_unit(path: str, unit: Unit, cause: UnitCause) -> None:
        if cause.source is not None and (why := _called_unnamed(unit, unit.decorators, used_fixtures)) is not None \
                and unit.kind != CLASS:
            # Unchanged, but it calls what changed: as unreachable by name as a changed one.
            escalated.setdefault(path, f"{why} and uses {cause.via}")
        if unit.name in result.units.get(path, {}):
            return
        result.units.setdefault(path, {})[unit.name] = cause
        origin = (path, unit.name)
        short, cls = unit.short_name, unit.class_name
        for decorator in unit.decorators:
            if "(name=" in decorator:
                affect_name(decorator.partition("(name=")[2][:-1], origin)
        for importer, _ in binds.get(cls or short, ()):
            result.bound_files.add(importer)
        if unit.kind == CLASS:
            affect_class(path, unit.name, origin)  # a base or a class attribute it looks up is affected
        elif cls is not None and ((short.startswith("__") and short.endswith("__")) or short in XUNIT_METHODS):
            affect_class(path, cls, origin)  # reached by operators or the test runner, not by its name
        else:
            affect_name(short, origin)
            if cls is not None:
                methods_affected.append((path, unit))

    removed: set[str] = set()
    doctests_edited = False
    collected: bool | None = None
    for path in sorted(edited):
        if path in escalated:
            continue
        before, after = old(path), table(path)
        if before is None or after is None:
            escalated[path] = "cannot compare its units"
            continue
        if before.doctest or after.doctest:
            if collected is None:
                collected = text_of is None or doctests_collected()
            if collected:
                escalated[path] = "it holds doctests"
                continue
            doctests_edited = True
        reason = None
        changed_units: list[Unit] = []
        reshaped: list[Unit] = []
        state_changes: list[tuple[str, set[str]]] = []
        for a, b in _diff(before, after):
            unit = b or a
            assert unit is not None
            if unit.name == MODULE:
                reason = "its module body changed"
                break
            if unit.binds:
                continue  # its text is the module body's, which did not change
            reason = _called_unnamed(unit, (*(a.decorators if a else ()), *(b.decorators if b else ())), used_fixtures)
            if reason is None and unit.short_name in CREATION_DUNDERS:
                reason = f"{unit.name} runs when classes are created"
            if reason is not None:
                break
            changed_units.append(unit)
            if (a is None or b is None) and unit.kind == FUNCTION and unit.class_name is not None \
                    and not _is_test_method(unit):
                # A method added or removed changes the class itself: what its instances inherit
                # or override, whether an abstract method is left unimplemented.
                reshaped.append(unit)
            writes = {*(a.writes if a else ()), *(b.writes if b else ())}
            if writes:
                state_changes.append((unit.name, writes))
            if b is None:
                removed.add(unit.short_name)
                if unit.class_name is None:
                    # ``from module import name`` fails now: the importer breaks at import.
                    for importer, _ in binds.get(unit.name, ()):
                        escalated.setdefault(importer, f"it imports {unit.name}, which {path} no longer defines")
                    if _quoted(unit.name, text_of(path) if text_of is not None else None):
                        # ``__all__ = ["name"]``: ``from module import *`` fails now.
                        reason = f"{unit.name} is gone but a string in it still names it"
                        break
        if reason is not None:
            escalated[path] = reason
            continue
        if state_called is not None:
            # A change may alter what a helper it calls stores (``_set(None)`` -> ``_set("de")``).
            called = state_called(path, [u.name for u in changed_units if after.unit(u.name) is not None])
            state_changes.extend((name, set(writes)) for name, writes in called.items() if writes)
        for unit in changed_units:
            affect_unit(path, unit, UnitCause(unit.name, None))
        for unit in reshaped:
            assert unit.class_name is not None
            affect_class(path, unit.class_name, (path, unit.name))
        for name, writes in state_changes:
            # Whatever reads that state afterwards (another test of the session) sees the change,
            # whether the function stores into it now or did before.
            for state in sorted(writes):
                affect_name(state, (path, name))
    if doctests_edited and text_of is not None:
        # Examples in docstrings that pytest does not collect run only where code runs them.
        for path in affected:
            text = text_of(path) if path.endswith(".py") else None
            if path.endswith(".py") and (text is None or _DOCTEST_RUNNERS.search(text)):
                escalated.setdefault(path, "it may run doctests, and a module with doctests changed")
    sources: dict[str, bytes | None] = {}

    def source_of(path: str) -> bytes | None:
        if path not in sources:
            sources[path] = text_of(path) if text_of is not None else None
        return sources[path]

    if result.names:
        first = next(iter(result.names.values()))
        for path, unit, why in wildcards:
            if path not in escalated:
                affect_unit(path, unit, UnitCause(why, first))
    # Who refers to a name, over the files the change can reach at all. Refs cost a parse, so
    # only files whose source contains the name are parsed for them (a name a unit refers to
    # stands in its source as written; a non-ASCII source is always parsed, as Python
    # normalises identifiers).
    full: dict[str, SymbolTable] = {}
    found: dict[str, list[tuple[str, Unit]]] = {}
    reachable = [p for p in affected if p.endswith(".py")]
    beyond = [p for p in running if p not in affected]

    def named_beyond(name: str) -> bool:
        """Whether code that can run in an affected test, in a file that does not import the
        change, names ``name``: it can only reach such a method through an object handed to it
        (``Job.run`` calling ``self.process()`` of a subclass defined elsewhere)."""
        return any(mentions(path, name) for path in beyond)

    def mentions(path: str, name: str) -> bool:
        text = source_of(path)
        return text is None or not text.isascii() or name.encode() in text

    def users_of(name: str) -> list[tuple[str, Unit]]:
        if name in found:
            return found[name]
        paths = [p for p in reachable if p not in escalated and mentions(p, name)]
        missing = [p for p in paths if p not in full]
        if missing and with_refs is not None:
            full.update(with_refs(missing))
        out: list[tuple[str, Unit]] = []
        for path in paths:
            symbols = full.get(path) or table(path)
            if symbols is None:
                continue
            if not symbols.has_refs:
                escalated[path] = "no record of what its functions refer to"
                continue
            out.extend((path, unit) for unit in symbols.units if name in unit.refs)
        found[name] = out
        return out

    checked = 0
    while queue or checked < len(methods_affected):
        while checked < len(methods_affected):
            path, unit = methods_affected[checked]
            checked += 1
            users = [u for p, u in users_of(unit.short_name) if not (p == path and u.name == unit.name)]
            if not users and unit.class_name is not None and _is_test_method(unit):
                # pytest runs it, and selecting it is what this is for; only subclasses (which
                # name the class in a module body) and code naming the class inherit it.
                for user_path, user in users_of(unit.class_name):
                    if user_path in escalated or user.class_name == unit.class_name:
                        continue
                    if user.name == MODULE:
                        escalated[user_path] = f"its module body uses {unit.class_name}"
                    else:
                        affect_unit(user_path, user, UnitCause(unit.class_name, (path, unit.name)))
            elif unit.class_name is not None and (not users or unit.short_name in protocol_methods()
                                                  or external_base(path, unit.class_name)
                                                  or named_beyond(unit.short_name)):
                # Nothing names it, the standard library calls it on objects it is handed
                # (``write``, ``keys``), code the change's importers import calls it on objects
                # they are handed, or its class derives from code outside the project: a
                # framework may call it by convention (``run``, ``get_queryset``, ``save``),
                # whatever unrelated code of the same name exists.
                affect_class(path, unit.class_name, (path, unit.name))
        if not queue:
            break
        name = queue.popleft()
        source = result.names[name]
        for path, unit in users_of(name):
            if path in escalated:
                continue
            if unit.name == MODULE:
                escalated[path] = f"its module body uses {name}"
                continue
            if unit.binds and name in removed:
                escalated[path] = f"{unit.name} looks up {name}, which is gone, when the module is imported"
                continue
            affect_unit(path, unit, UnitCause(name, source))
    for path in affected:
        if path in escalated:
            continue
        if not path.endswith(".py") or ((symbols := table(path)) is not None and symbols.doctest):
            # Doctests (a module's docstrings, a text file's examples) may call anything the file
            # imports, and no unit refers from them: pytest must collect the file (its doctest
            # items have no unit, so they run).
            result.bound_files.add(path)
    result.whole_files = graph.find_dependents(sorted(escalated))
    return result
