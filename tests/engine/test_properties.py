"""Property tests: extraction never raises and misses no import statement; resolution never
raises and stays within the project; the graph's answers match a brute-force closure."""

from __future__ import annotations

import ast
import itertools
import keyword
import tempfile
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pytest_delta.engine import Graph, ImportRef, ModuleIndex, ParseResult, Workspace, extract_imports

# -- (a) arbitrary source never raises -----------------------------------------------------------------

ENCODINGS = ["utf-8", "latin-1", "utf-16", "utf-32", "utf-7", "cp1252", "ascii", "rot13", "hex", "zlib",
             "unicode_escape", "raw_unicode_escape", "idna", "punycode", "uu", "no-such-codec", "utf-8-sig"]
TOKENS = ["import", "from", " ", ".", "..", "*", "as", "(", ")", ",", "\n", "    ", "\t", "\r", "\\\n", ";",
          ":", "def f():", "class C:", "if x:", "try:", "except ImportError:", "a", "b.c", "'", '"', "'''",
          "#", "\x00", "\xe9", "\ufeff", "import_module(", "__import__(", "importorskip(", "pytest_plugins =",
          "[", "]", "f'", "{", "}", "lambda:", "await", "yield", "@", "=", "+"]


@st.composite
def source_bytes(draw: st.DrawFn) -> bytes:
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    if draw(st.booleans()):
        prefix += f"# -*- coding: {draw(st.sampled_from(ENCODINGS))} -*-\n".encode()
    body = draw(st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.lists(st.sampled_from(TOKENS), max_size=60).map(lambda tokens: "".join(tokens).encode("utf-8")),
    ))
    return prefix + body


def well_formed(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    assert all(isinstance(ref.module, str) and ref.level >= 0 for ref in result.imports)
    assert all(isinstance(name, str) for ref in result.imports for name in ref.names)
    if result.error is not None:
        assert result.error
        assert result.imports == ()


@settings(max_examples=500, deadline=None)
@given(source=source_bytes())
def test_extraction_never_raises_on_arbitrary_source(source: bytes) -> None:
    well_formed(extract_imports(source))


# -- (b) generated valid modules: every import statement is found ---------------------------------------

IDENTIFIERS = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True).filter(
        lambda name: not keyword.iskeyword(name) and not keyword.issoftkeyword(name) and name != "__future__"),
    st.sampled_from(["ñandú", "módulo", "данные", "数据", "Σ"]),
)
DOTTED = st.lists(IDENTIFIERS, min_size=1, max_size=4).map(".".join)


@dataclass(frozen=True)
class Module:
    """Generated source and the references its generator put in it."""

    code: str
    expected: frozenset[ImportRef]


@st.composite
def alias(draw: st.DrawFn, name: st.SearchStrategy[str]) -> tuple[str, str]:
    """(name as written, name as imported)."""
    value = draw(name)
    if draw(st.booleans()):
        return f"{value} as {draw(IDENTIFIERS)}", value
    return value, value


@st.composite
def import_line(draw: st.DrawFn, module_level: bool) -> tuple[str, list[ImportRef]]:
    kind = draw(st.sampled_from(["import", "from", "from", "star", "call", "plugins", "string"]))
    if kind == "import":
        aliases = draw(st.lists(alias(DOTTED), min_size=1, max_size=3))
        return "import " + ", ".join(a for a, _ in aliases), [ImportRef(name) for _, name in aliases]
    if kind in ("from", "star"):
        level = draw(st.integers(0, 3))
        module = draw(DOTTED) if level == 0 or draw(st.booleans()) else ""
        head = f"from {'.' * level}{module} import "
        if kind == "star" and module_level:
            return head + "*", [ImportRef(module, level, ("*",))]
        aliases = draw(st.lists(alias(IDENTIFIERS), min_size=1, max_size=3))
        written = ", ".join(a for a, _ in aliases)
        if draw(st.booleans()):
            written = f"(\n    {written},\n)"
        return head + written, [ImportRef(module, level, tuple(name for _, name in aliases))]
    if kind == "call":
        module = draw(DOTTED)
        call = draw(st.sampled_from(["importlib.import_module({!r})", "__import__({!r})",
                                     "pytest.importorskip({!r})", "import_module(name={!r})"]))
        wrapper = draw(st.sampled_from(["{}", "x = {}", "return {}" if not module_level else "{}",
                                        "f = lambda: {}", "assert {}"]))
        return wrapper.format(call.format(module)), [ImportRef(module)]
    if kind == "plugins":
        modules = draw(st.lists(DOTTED, min_size=1, max_size=3))
        return f"pytest_plugins = {modules!r}", [ImportRef(m) for m in modules]
    target = draw(st.lists(IDENTIFIERS, min_size=2, max_size=4).map(".".join))
    tail = draw(st.sampled_from(["", ":main", ":Group.run"]))
    return f"@mock.patch({target + tail!r})\ndef test_it(patched): pass", [ImportRef(target)]


HEADERS = [
    ("def f():", False), ("async def g(x, *args):", False), ("class C(Base):", False),
    ("if TYPE_CHECKING:", True), ("if x:", True), ("with ctx() as handle:", True), ("for i in items:", True),
    ("while running:", True),
]


@st.composite
def block(draw: st.DrawFn, depth: int, module_level: bool) -> tuple[list[str], set[ImportRef]]:
    lines: list[str] = []
    expected: set[ImportRef] = set()
    for _ in range(draw(st.integers(1, 3))):
        choice = draw(st.integers(0, 5 if depth < 3 else 1))
        if choice <= 1:
            text, line_refs = draw(import_line(module_level))
            lines.extend(text.split("\n"))
            expected.update(line_refs)
        elif choice == 2:
            lines.append(draw(st.sampled_from(["pass", "x = 1", "print('a.b is text')", "return" if not
                                               module_level else "...", "'''doc'''"])))
        elif choice == 3:  # try/except ImportError, optionally with else/finally
            parts = ["try:", "except ImportError:"]
            parts += draw(st.sampled_from([[], ["else:"], ["finally:"], ["else:", "finally:"]]))
            for header in parts:
                body, refs = draw(block(depth + 1, module_level))
                lines.append(header)
                lines.extend("    " + line for line in body)
                expected |= refs
        elif choice == 4:  # if/else or match/case
            if draw(st.booleans()):
                sections, indent = ["if TYPE_CHECKING:", "else:"], "    "
            else:
                lines.append("match command:")
                sections, indent = ["    case 'go':", "    case _:"], "        "
            for section in sections:
                body, refs = draw(block(depth + 1, module_level))
                lines.append(section)
                lines.extend(indent + line for line in body)
                expected |= refs
        else:
            header, keeps_level = draw(st.sampled_from(HEADERS))
            body, refs = draw(block(depth + 1, module_level and keeps_level))
            lines.append(header)
            lines.extend("    " + line for line in body)
            expected |= refs
    return lines, expected


@st.composite
def modules(draw: st.DrawFn) -> Module:
    lines, expected = draw(block(0, True))
    return Module("\n".join(lines) + "\n", frozenset(expected))


def statement_references(tree: ast.AST) -> set[tuple[str, int]]:
    """What a plain walk over import statements finds: the reference oracle."""
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add((node.module or "", node.level or 0))
    return found


@settings(max_examples=150, deadline=None)
@given(module=modules())
def test_every_import_statement_of_a_valid_module_is_extracted(module: Module) -> None:
    tree = ast.parse(module.code)  # the generator only writes valid Python
    result = extract_imports(module.code.encode())
    assert result.error is None
    extracted = set(result.imports)
    assert statement_references(tree) <= {(ref.module, ref.level) for ref in extracted}
    assert module.expected <= extracted


@settings(max_examples=50, deadline=None)
@given(module=modules(), encoding=st.sampled_from(["utf-8-sig", "latin-1-cookie", "crlf"]))
def test_encoding_and_line_endings_do_not_change_what_is_extracted(module: Module, encoding: str) -> None:
    plain = extract_imports(module.code.encode())
    if encoding == "utf-8-sig":
        data = module.code.encode("utf-8-sig")
    elif encoding == "crlf":
        data = module.code.replace("\n", "\r\n").encode()
    else:
        assume(all(ord(c) < 256 for c in module.code))
        data = ("# -*- coding: latin-1 -*-\n" + module.code).encode("latin-1")
    assert set(extract_imports(data).imports) == set(plain.imports)


# -- (c) generated project trees: resolution never raises and stays within the project -----------------

DIR_NAMES = ["pkg", "sub", "tests", "src", "lib", "shop"]
MODULE_NAMES = ["cart", "helpers", "conftest", "test_x", "money", "pkg", "sub"]


@st.composite
def project_files(draw: st.DrawFn) -> list[str]:
    directories = draw(st.lists(st.lists(st.sampled_from(DIR_NAMES), max_size=3).map("/".join),
                                min_size=1, max_size=6, unique=True))
    files: set[str] = set()
    for directory in directories:
        prefix = directory + "/" if directory else ""
        if draw(st.booleans()):
            files.add(prefix + "__init__.py")
        files.update(prefix + name + ".py" for name in draw(st.lists(st.sampled_from(MODULE_NAMES), max_size=3)))
    if draw(st.booleans()):
        files.add("docs/readme.txt")
    assume(any(f.endswith(".py") for f in files))
    return sorted(files)


def written_names(path: str) -> list[str]:
    """Every dotted suffix of a path: names an import statement could plausibly use for it."""
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return [".".join(parts[i:]) for i in range(len(parts))]


@st.composite
def references(draw: st.DrawFn, files: list[str]) -> list[ImportRef]:
    names = sorted({n for f in files if f.endswith(".py") for n in written_names(f)} - {""})
    dotted = st.sampled_from(names) | DOTTED if names else DOTTED
    member = st.sampled_from([*MODULE_NAMES, "*", "Cart"])
    return draw(st.lists(st.builds(ImportRef, st.one_of(dotted, st.just("")), st.integers(0, 4),
                                   st.lists(member, max_size=3).map(tuple)), max_size=8))


def ancestors(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), -1, -1)]


def join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


@settings(max_examples=100, deadline=None)
@given(data=st.data(), extra_roots=st.lists(st.sampled_from(["lib", "src", "tests/", "nowhere"]), max_size=2))
def test_resolution_never_raises_and_stays_within_tracked_files(data: st.DataObject, extra_roots: list[str]) -> None:
    files = data.draw(project_files())
    index = ModuleIndex(files, extra_roots)
    python_files = [f for f in files if f.endswith(".py")]
    for importer in python_files:
        refs = data.draw(references(files))
        resolved = index.resolve(importer, refs)
        assert set(resolved) <= set(python_files)
        assert importer not in resolved
        assert list(resolved) == sorted(set(resolved))
        # implicit dependencies: the package's __init__.py and every conftest.py above
        for directory in ancestors(importer):
            conftest = join(directory, "conftest.py")
            if conftest in files and conftest != importer:
                assert conftest in resolved
        package_init = join(ancestors(importer)[0], "__init__.py")
        if package_init in files and package_init != importer:
            assert package_init in resolved


@settings(max_examples=200, deadline=None)
@given(files=project_files())
def test_importing_a_module_by_any_of_its_names_depends_on_it_and_its_packages(files: list[str]) -> None:
    index = ModuleIndex(files)
    for target in index.files:
        for name in index.module_names(target):
            resolved = index.resolve("elsewhere/importer.py", [ImportRef(name)])
            assert target in resolved
            # every package directory between the name's root and the module is loaded too
            depth = name.count(".") + (1 if target.endswith("__init__.py") else 0)
            directories = ancestors(target)[:depth]
            for directory in directories:
                if join(directory, "__init__.py") in files:
                    assert join(directory, "__init__.py") in resolved


@settings(max_examples=200, deadline=None)
@given(files=project_files())
def test_relative_import_of_a_sibling_depends_on_it(files: list[str]) -> None:
    index = ModuleIndex(files)
    for importer in index.files:
        directory = ancestors(importer)[0]
        for sibling in index.files:
            if ancestors(sibling)[0] == directory and sibling != importer and not sibling.endswith("__init__.py"):
                name = sibling.rpartition("/")[2][:-3]
                assert sibling in index.resolve(importer, [ImportRef("", 1, (name,))])


# -- (d) the graph against brute force ----------------------------------------------------------------

NODES = [f"n{i}.py" for i in range(8)]


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, tuple[str, ...]]:
    return {node: tuple(sorted(draw(st.sets(st.sampled_from(NODES), max_size=4)) - {node})) for node in NODES}


def distances_to(deps: Mapping[str, Iterable[str]], seeds: set[str]) -> dict[str, int]:
    """Length of the shortest import chain from each file to any seed, by relaxation."""
    distance = dict.fromkeys(seeds, 0)
    for _ in range(len(deps) + 1):
        for source, targets in deps.items():
            best = min((distance[t] + 1 for t in targets if t in distance), default=None)
            if best is not None and best < distance.get(source, len(deps) + 1):
                distance[source] = best
    return distance


@settings(max_examples=300, deadline=None)
@given(deps=graphs(), seeds=st.sets(st.sampled_from(NODES), min_size=1, max_size=3))
def test_dependents_are_the_brute_force_closure_with_shortest_chains(
        deps: dict[str, tuple[str, ...]], seeds: set[str]) -> None:
    graph = Graph(deps)
    reached = graph.find_dependents(seeds)
    distance = distances_to(deps, seeds)
    assert set(reached) == set(distance)
    for path in reached:
        chain = Graph.chain(reached, path)
        assert chain[0] == path
        assert chain[-1] in seeds
        assert all(b in deps[a] for a, b in itertools.pairwise(chain))
        assert len(chain) - 1 == distance[path]


@settings(max_examples=300, deadline=None)
@given(deps=graphs(), importer=st.sampled_from(NODES), imported=st.sampled_from(NODES))
def test_shortest_chain_between_two_files(deps: dict[str, tuple[str, ...]], importer: str, imported: str) -> None:
    chain = Graph(deps).find_shortest_chain(importer, imported)
    distance = distances_to(deps, {imported})
    if importer not in distance:
        assert chain is None
        return
    assert chain is not None
    assert chain[0] == importer
    assert chain[-1] == imported
    assert all(b in deps[a] for a, b in itertools.pairwise(chain))
    assert len(chain) - 1 == distance[importer]


# -- on disk: an edit affects exactly what reaches the edited file in the baseline graph ---------------

@st.composite
def projects_on_disk(draw: st.DrawFn) -> dict[str, str]:
    files = [f for f in draw(project_files()) if f.endswith(".py")]
    names = sorted({n for f in files for n in written_names(f)})
    sources = {}
    for path in files:
        imported = draw(st.lists(st.sampled_from([*names, "os", "missing.module"]), max_size=3))
        relative = draw(st.lists(st.sampled_from(MODULE_NAMES), max_size=1))
        lines = [f"import {name}" for name in imported] + [f"from . import {name}" for name in relative]
        sources[path] = "\n".join(lines) + "\n"
    return sources


def reaching(deps: Mapping[str, Iterable[str]], target: str) -> set[str]:
    found = {target}
    queue = deque([target])
    while queue:
        current = queue.popleft()
        for source, targets in deps.items():
            if current in targets and source not in found:
                found.add(source)
                queue.append(source)
    return found


@settings(max_examples=40, deadline=None)
@given(sources=projects_on_disk(), data=st.data())
def test_editing_a_file_affects_exactly_what_reaches_it_in_the_graph(sources: dict[str, str],
                                                                     data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        for relpath, text in sources.items():
            (root / relpath).parent.mkdir(parents=True, exist_ok=True)
            (root / relpath).write_text(text)
        first = Workspace(root, None)
        first.scan()
        baseline = first.to_snapshot()
        assert not Workspace(root, baseline).scan()
        edited = data.draw(st.sampled_from(sorted(sources)))
        with open(root / edited, "a") as handle:
            handle.write("VALUE = 1  # an edit that imports nothing new\n")
        workspace = Workspace(root, baseline)
        changes = workspace.scan()
        assert changes.changed == {edited}
        assert set(workspace.affected) == reaching(baseline.deps, edited)
