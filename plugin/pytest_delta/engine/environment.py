"""The Python environment the tests run in: the interpreter and the installed distributions.

A test can fail because a dependency was upgraded, not because the project changed. The snapshot
records the environment so that the next run can tell which distributions changed and which
top-level modules they provide; tests whose imports reach those modules are affected.

Enumerating distributions reads several metadata files per distribution (tens of milliseconds
for a small virtualenv, more for a large one), so a run first compares a cheap fingerprint (the
mtimes of the directories that hold distribution metadata: pip creates and removes a
``*.dist-info`` directory there for every install, upgrade and removal) and enumerates only when
it moved.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .files import RACY_WINDOW_NS

#: Version of the layout :func:`to_meta` writes; anything else reads as unknown.
META_LAYOUT = 1
#: Entry point group of pytest plugins: their code runs in every session without a test
#: importing it, so a change to one can affect any test.
PLUGIN_GROUP = "pytest11"
#: Distributions that run every test, whatever the tests import.
RUNNER_DISTRIBUTIONS = frozenset({"pytest"})

_METADATA_SUFFIXES = (".dist-info", ".egg-info")
_MODULE_SUFFIXES = (".py", ".pyc", ".so", ".pyd")
_NAME_SEPARATORS = re.compile(r"[-_.]+")
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")

#: ``(path, mtime_ns)`` of each ``sys.path`` entry that holds distribution metadata.
Fingerprint = tuple[tuple[str, int], ...]


if TYPE_CHECKING:
    import importlib.metadata


def normalize_name(name: str) -> str:
    """The PEP 503 form of a distribution name: ``Typing_Extensions`` -> ``typing-extensions``."""
    return _NAME_SEPARATORS.sub("-", name).lower()


@dataclass(frozen=True)
class Environment:
    """What a run knows about its interpreter and installed distributions.

    ``top_levels`` maps a distribution to the top-level modules it installs; a distribution that
    is missing from it has unknown modules (an editable install, a ``.pth`` file that runs code
    at start-up, no file list), and ``()`` means it installs nothing importable (a command-line
    tool, type stubs, a meta-package).
    """

    python: str
    distributions: Mapping[str, str] = field(default_factory=dict)
    top_levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Names of the distributions each one requires (all of them, extras and markers included:
    #: an optional dependency that is installed is usually imported).
    requires: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Distributions whose code runs in every test session (pytest and its plugins).
    plugins: frozenset[str] = frozenset()
    #: None when the fingerprint could not vouch for the distributions (a directory modified
    #: within the racy window): the next run enumerates again.
    fingerprint: Fingerprint | None = None


@dataclass(frozen=True)
class EnvironmentChange:
    """How the environment differs from the one recorded; empty when it does not."""

    #: E.g. ``python changed: cpython 3.11.7 -> cpython 3.12.1``.
    interpreter: str | None = None
    #: E.g. ``requests 2.31.0 -> 2.32.0``, ``added attrs 23.1``, ``removed six 1.16``.
    distributions: tuple[str, ...] = ()
    #: Top-level modules of the changed distributions and of every distribution that requires
    #: one of them; None when some of those modules are unknown or a test runner or plugin
    #: changed: then every test may be affected.
    modules: frozenset[str] | None = frozenset()
    #: For each module in ``modules``, the changed distribution it stands for.
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def runs_all(self) -> bool:
        """Whether every test may be affected."""
        return self.interpreter is not None or self.modules is None

    def __bool__(self) -> bool:
        return self.interpreter is not None or bool(self.distributions)


def python_description() -> str:
    """The interpreter as it decides behaviour: implementation and full version."""
    return f"{sys.implementation.name} {platform.python_version()}"


def current_environment(previous: Environment | None, *, path: Sequence[str] | None = None) -> Environment:
    """The environment of this process (its distributions found on ``path``, by default
    ``sys.path``); ``previous`` itself when its fingerprint shows nothing was installed,
    upgraded or removed since, so that a run without changes does not read any metadata."""
    entries = _path_entries(sys.path if path is None else path)
    python = python_description()
    fingerprint = _fingerprint(entries, time.time_ns())
    if (previous is not None and fingerprint is not None and previous.fingerprint == fingerprint
            and previous.python == python):
        return previous
    return _enumerate(entries, python, fingerprint)


def _path_entries(path: Iterable[str]) -> list[str]:
    """Absolute, distinct path entries in order (``""`` is the working directory)."""
    return list(dict.fromkeys(os.path.abspath(entry or os.curdir) for entry in path))


def _holds_metadata(directory: str) -> bool:
    if directory.endswith(".egg"):
        return True
    try:
        with os.scandir(directory) as entries:
            return any(entry.name.endswith(_METADATA_SUFFIXES) for entry in entries)
    except OSError:
        return False


def _fingerprint(entries: Sequence[str], now_ns: int) -> Fingerprint | None:
    """The mtimes of the entries that can hold distributions: directories with metadata in them,
    and archives (a zip on ``sys.path`` may hold some). None when one of them was modified so
    recently that a further change could keep the same mtime."""
    out = []
    for entry in entries:
        try:
            st = os.stat(entry)
        except OSError:
            continue
        if os.path.isdir(entry) and not _holds_metadata(entry):
            continue
        if st.st_mtime_ns >= now_ns - RACY_WINDOW_NS:
            return None
        out.append((entry, st.st_mtime_ns))
    return tuple(out)


def _enumerate(entries: list[str], python: str, fingerprint: Fingerprint | None) -> Environment:
    distributions: dict[str, str] = {}
    top_levels: dict[str, tuple[str, ...]] = {}
    requires: dict[str, tuple[str, ...]] = {}
    plugins: set[str] = set()
    import importlib.metadata  # only when something was installed: a no-change run never pays for it

    for dist in importlib.metadata.distributions(path=entries):
        try:
            metadata = dist.metadata
            raw_name = _first(metadata, "Name")
            version = _first(metadata, "Version")
            if not raw_name or not version:
                continue  # metadata too broken to name: pip would not see it either
            name = normalize_name(raw_name)
            if name in distributions:
                continue  # shadowed by the same distribution earlier on the path: never imported
            distributions[name] = version
            requires[name] = _required_names(metadata.get_all("Requires-Dist") or ())
            modules = _modules_of(dist)
            if modules is not None:
                top_levels[name] = modules
            if name in RUNNER_DISTRIBUTIONS or any(ep.group == PLUGIN_GROUP for ep in dist.entry_points):
                plugins.add(name)
        except (OSError, ValueError, UnicodeDecodeError):
            continue
    return Environment(python, distributions, top_levels, requires, frozenset(plugins), fingerprint)


def _first(metadata: importlib.metadata.PackageMetadata, key: str) -> str | None:
    values = metadata.get_all(key)
    return str(values[0]) if values else None


def _required_names(requirements: Iterable[str]) -> tuple[str, ...]:
    names = set()
    for requirement in requirements:
        match = _REQUIREMENT_NAME.match(requirement)
        if match:
            names.add(normalize_name(match.group(1)))
    return tuple(sorted(names))


def _modules_of(dist: importlib.metadata.Distribution) -> tuple[str, ...] | None:
    """The top-level modules a distribution installs, None when they cannot be known.

    Its file list decides when it has one: a ``.pth`` file (other than a namespace package's
    ``-nspkg.pth``) adds a directory to ``sys.path`` (an editable install) or runs code at
    start-up, so the modules it brings are not in the list. ``top_level.txt`` (setuptools) is
    trusted as declared; otherwise the names are read off the installed files, as
    ``packages_distributions()`` does, extension modules included.
    """
    files = dist.files
    if files is not None and any(f.name.endswith(".pth") and not f.name.endswith("-nspkg.pth") for f in files):
        return None
    declared = dist.read_text("top_level.txt")
    if declared is not None:
        names = {line.strip().replace("/", ".").split(".")[0] for line in declared.splitlines()}
        return tuple(sorted(n for n in names if n.isidentifier()))
    if files is None:
        return None
    found = set()
    for file in files:
        parts = file.parts
        if not parts or parts[0] in (os.pardir, "__pycache__"):
            continue  # scripts and data installed outside the directory, bytecode caches
        name = parts[0] if len(parts) > 1 else _module_name(parts[0])
        if name and name.isidentifier():
            found.add(name)
    return tuple(sorted(found))


def _module_name(filename: str) -> str | None:
    """The module a top-level file is, whatever interpreter tag an extension module carries
    (``fastcrc.cpython-311-x86_64-linux-gnu.so`` is ``fastcrc``)."""
    stem, _, _ = filename.partition(".")
    return stem if filename.endswith(_MODULE_SUFFIXES) else None


# -- comparing ---------------------------------------------------------------------------------


def compare(old: Environment | None, new: Environment) -> EnvironmentChange:
    """What changed from ``old`` to ``new``; nothing when ``old`` is unknown (the caller decides
    what an unknown environment means)."""
    if old is None or old is new:
        return EnvironmentChange()
    interpreter = None if old.python == new.python else f"python changed: {old.python} -> {new.python}"
    lines = []
    changed = set()
    for name in sorted(old.distributions.keys() | new.distributions.keys()):
        before = old.distributions.get(name)
        after = new.distributions.get(name)
        if before == after:
            continue
        changed.add(name)
        if before is None:
            lines.append(f"added {name} {after}")
        elif after is None:
            lines.append(f"removed {name} {before}")
        else:
            lines.append(f"{name} {before} -> {after}")
    modules, sources = _affected_modules(_dependents(changed, old, new), old, new)
    return EnvironmentChange(interpreter=interpreter, distributions=tuple(lines), modules=modules, sources=sources)


def _affected_modules(reached: Mapping[str, str], old: Environment,
                      new: Environment) -> tuple[frozenset[str] | None, dict[str, str]]:
    """The modules of the reached distributions, each with the changed distribution behind it;
    None when a reached one runs in every session or its modules are unknown."""
    modules: set[str] = set()
    sources: dict[str, str] = {}
    for name, cause in sorted(reached.items()):
        provided = None if name in old.plugins or name in new.plugins else _provided(name, old, new)
        if provided is None:
            return None, {}
        modules.update(provided)
        for module in provided:
            sources.setdefault(module, cause)
    return frozenset(modules), sources


def _dependents(changed: set[str], old: Environment, new: Environment) -> dict[str, str]:
    """The changed distributions and every installed one that requires them, directly or not,
    each mapped to the changed distribution that reaches it: code of ``requests`` imports
    ``urllib3``, and the project's graph does not follow imports into installed code."""
    required_by: dict[str, set[str]] = {}
    for env in (old, new):
        for name, needs in env.requires.items():
            for need in needs:
                required_by.setdefault(need, set()).add(name)
    reached = {name: name for name in changed}
    stack = sorted(changed)
    while stack:
        name = stack.pop()
        for user in sorted(required_by.get(name, ())):
            if user not in reached:
                reached[user] = reached[name]
                stack.append(user)
    return reached


def _provided(name: str, old: Environment, new: Environment) -> set[str] | None:
    """Modules of ``name`` in either environment (an upgrade can add or drop some); None when
    an environment that has the distribution does not know them."""
    out: set[str] = set()
    for env in (old, new):
        if name not in env.distributions:
            continue
        modules = env.top_levels.get(name)
        if modules is None:
            return None
        out.update(modules)
    return out


# -- the snapshot's form -------------------------------------------------------------------------


def to_meta(env: Environment) -> dict[str, Any]:
    """Plain lists, strings and ints, for the snapshot's metadata."""
    return {
        "layout": META_LAYOUT,
        "python": env.python,
        "distributions": dict(env.distributions),
        "top_levels": {name: list(modules) for name, modules in env.top_levels.items()},
        "requires": {name: list(needs) for name, needs in env.requires.items()},
        "plugins": sorted(env.plugins),
        "fingerprint": None if env.fingerprint is None else [[p, m] for p, m in env.fingerprint],
    }


def from_meta(obj: object) -> Environment | None:
    """The environment :func:`to_meta` stored; None for anything else (then it is unknown)."""
    if not isinstance(obj, dict) or obj.get("layout") != META_LAYOUT:
        return None
    python = obj.get("python")
    distributions = obj.get("distributions")
    top_levels = _string_lists(obj.get("top_levels"))
    requires = _string_lists(obj.get("requires"))
    plugins = obj.get("plugins")
    if not isinstance(python, str) or top_levels is None or requires is None:
        return None
    if not (isinstance(distributions, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in distributions.items())):
        return None
    if not (isinstance(plugins, list) and all(isinstance(p, str) for p in plugins)):
        return None
    raw_fingerprint = obj.get("fingerprint")
    fingerprint: Fingerprint | None = None
    if raw_fingerprint is not None:
        if not (isinstance(raw_fingerprint, list) and all(
                isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and type(item[1]) is int
                for item in raw_fingerprint)):
            return None
        fingerprint = tuple((item[0], item[1]) for item in raw_fingerprint)
    return Environment(python, dict(distributions), top_levels, requires, frozenset(plugins), fingerprint)


def _string_lists(value: object) -> dict[str, tuple[str, ...]] | None:
    if not isinstance(value, dict):
        return None
    out = {}
    for key, items in value.items():
        if not (isinstance(key, str) and isinstance(items, list) and all(isinstance(i, str) for i in items)):
            return None
        out[key] = tuple(items)
    return out
