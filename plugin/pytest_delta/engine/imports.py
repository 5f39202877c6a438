"""Import extraction: which modules a Python source file may load.

Everything that can load a module counts, wherever it stands (inside functions, under
``if TYPE_CHECKING:``, in ``try/except ImportError``): a missed import deselects a test that
could fail, an extra one only runs a test more. Besides ``import`` statements this finds
literal-string dynamic imports, ``pytest_plugins`` and any string constant shaped like a dotted
module name (plugin registries, settings lists, ``mock.patch`` targets, entry points), which the
resolver keeps only when they name a module of the project.
"""

from __future__ import annotations

import ast
import doctest
import io
import re
import tokenize
import warnings
from dataclasses import dataclass

from .symbols import SymbolTable, extract_symbols

#: Call names whose first literal argument is a module name.
_IMPORT_CALLS = frozenset({"import_module", "__import__", "importorskip"})
#: A dotted name, optionally with an entry-point style ``:attribute`` tail.
_DOTTED = re.compile(r"([^\W\d]\w*(?:\.[^\W\d]\w*)+)(?::[\w.]*)?\Z")
#: A relative file path with a suffix (``data/cart.json``, ``../fixtures/a.yaml``).
_PATHLIKE = re.compile(r"(?:\.{1,2}/)*[\w.-]+(?:/[\w.-]+)*\.[A-Za-z0-9]{1,10}\Z")
#: Longer strings are prose or data, not module names.
_MAX_DOTTED_LEN = 200
#: Above this size a file is not parsed: it is treated as unparseable (always changed).
MAX_SOURCE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportRef:
    """One reference to a module, as written in the source.

    ``import a.b`` is ``ImportRef("a.b")``; ``from ..core import Base`` is
    ``ImportRef("core", level=2, names=("Base",))``; a string ``"shop.plugins.toc"`` is
    ``ImportRef("shop.plugins.toc")``. Names of a from-import may be submodules or attributes:
    the resolver decides.
    """

    module: str
    level: int = 0
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What one file's source tells the graph."""

    imports: tuple[ImportRef, ...]
    #: Dynamic imports whose target is not a literal, as ``"line N: call"`` for ``--delta-debug``.
    dynamic: tuple[str, ...] = ()
    #: Why the file could not be parsed; such a file counts as changed on every run.
    error: str | None = None
    #: String constants shaped like relative file paths (``"data/cart.json"``): the resolver
    #: makes them dependencies on the data files they name.
    paths: tuple[str, ...] = ()
    #: The module's units for symbol-level precision (None when it could not be parsed).
    symbols: SymbolTable | None = None


def extract_imports(source: bytes, with_refs: bool = False) -> ParseResult:
    """Parse ``source`` (bytes, so PEP 263 cookies and BOMs are honoured) and list its imports.

    Never raises: a file that cannot be parsed gives a result with ``error`` set.
    """
    if len(source) > MAX_SOURCE_BYTES:
        return ParseResult((), (), f"file larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB, not parsed")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except SyntaxError as exc:
        where = f" at line {exc.lineno}" if exc.lineno else ""
        return ParseResult((), (), f"syntax error{where}: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:
        # ValueError: null bytes (Python < 3.12) and undecodable text.
        return ParseResult((), (), f"cannot parse: {type(exc).__name__}: {exc}")
    result = _collect(tree)
    if result.error is not None:
        return result
    try:
        symbols = extract_symbols(tree, _lines(source), with_refs)
    except RecursionError:
        return ParseResult((), (), "nesting too deep to analyse")
    return ParseResult(result.imports, result.dynamic, None, result.paths, symbols)


def extract_doctest_imports(source: bytes) -> ParseResult:
    """The imports of the examples in a doctest text file (``--doctest-glob``): a changed module
    that an example imports affects the file's doctest. An example that cannot be parsed makes
    the file unparseable, so it runs whenever anything changes rather than never."""
    text = source.decode("utf-8", errors="replace")
    refs: dict[ImportRef, None] = {}
    if not _doctest_refs(text, refs):
        return ParseResult((), (), "a doctest example cannot be parsed")
    return ParseResult(tuple(refs))


def _doctest_refs(text: str, refs: dict[ImportRef, None]) -> bool:
    """Add the imports of the doctest examples in ``text``; False when one cannot be parsed."""
    try:
        examples = doctest.DocTestParser().get_examples(text)
    except ValueError:
        return False
    ok = True
    for example in examples:
        result = _collect_source(example.source)
        if result is None:
            ok = False
            continue
        refs.update(dict.fromkeys(result.imports))
    return ok


def _collect_source(source: str) -> ParseResult | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    result = _collect(tree)
    return None if result.error else result


def _lines(source: bytes) -> list[str]:
    """The source as ``ast`` read it (its encoding cookie or BOM honoured), split into lines."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        text = source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return []  # the symbol table falls back to AST fingerprints
    # Only the line ends the tokenizer knows: str.splitlines() also splits at form feeds and
    # other separators, which would shift a body's span off the lines ast numbered.
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _collect(tree: ast.AST) -> ParseResult:
    refs: dict[ImportRef, None] = {}
    paths: dict[str, None] = {}
    dynamic: list[str] = []
    try:
        nodes = list(ast.walk(tree))
    except RecursionError:
        return ParseResult((), (), "nesting too deep to analyse")
    for node in nodes:
        kind = type(node)
        if kind is ast.Import:
            for alias in node.names:  # type: ignore[attr-defined]
                refs[ImportRef(alias.name)] = None
        elif kind is ast.ImportFrom:
            refs[_from_ref(node)] = None  # type: ignore[arg-type]
        elif kind is ast.Constant:
            value = node.value  # type: ignore[attr-defined]
            if type(value) is str and "." in value and len(value) <= _MAX_DOTTED_LEN:
                match = _DOTTED.match(value)
                if match:
                    refs[ImportRef(match.group(1))] = None
                if _PATHLIKE.match(value):
                    paths[value] = None
            if type(value) is str and ">>>" in value:
                _doctest_refs(value, refs)  # a docstring's examples import what they test
        elif kind is ast.Call:
            _call_ref(node, refs, dynamic)  # type: ignore[arg-type]
        elif kind is ast.Assign or kind is ast.AnnAssign or kind is ast.AugAssign:
            _plugins_ref(node, refs)  # type: ignore[arg-type]
    return ParseResult(tuple(refs), tuple(dynamic), None, tuple(paths))


def _from_ref(node: ast.ImportFrom) -> ImportRef:
    return ImportRef(node.module or "", node.level or 0, tuple(alias.name for alias in node.names))


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _call_ref(node: ast.Call, refs: dict[ImportRef, None], dynamic: list[str]) -> None:
    name = _call_name(node.func)
    if name not in _IMPORT_CALLS:
        return
    target = node.args[0] if node.args else _keyword(node, "name", "modname")
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        text = target.value.strip()
        stripped = text.lstrip(".")
        level = len(text) - len(stripped)
        if level:
            package = node.args[1] if len(node.args) > 1 else _keyword(node, "package")
            if isinstance(package, ast.Constant) and isinstance(package.value, str):
                full = f"{package.value}.{stripped}" if stripped else package.value
                refs[ImportRef(_parent(full, level - 1))] = None
                return
        if stripped:
            refs[ImportRef(stripped, level)] = None
        elif level:
            refs[ImportRef("", level)] = None
        return
    if target is not None:
        try:
            shown = ast.unparse(target)[:80]
        except RecursionError:  # an argument nested too deep to print; still a dynamic import
            shown = "..."
        dynamic.append(f"line {node.lineno}: {name}({shown})")


def _parent(dotted: str, levels: int) -> str:
    """``_parent("a.b.c", 1)`` is ``"a.b"``: what ``import_module("..c", "a.b.x")`` means."""
    if levels <= 0:
        return dotted
    parts = dotted.split(".")
    head = parts[: max(len(parts) - 1 - levels, 0)]
    return ".".join([*head, parts[-1]]) if head else parts[-1]


def _keyword(node: ast.Call, *names: str) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg in names:
            return keyword.value
    return None


def _plugins_ref(node: ast.Assign | ast.AnnAssign | ast.AugAssign, refs: dict[ImportRef, None]) -> None:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if not any(isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in targets):
        return
    value = node.value
    items = value.elts if isinstance(value, (ast.List, ast.Tuple, ast.Set)) else [value]
    for item in items:
        if isinstance(item, ast.Constant) and isinstance(item.value, str) and item.value.strip():
            refs[ImportRef(item.value.strip())] = None
