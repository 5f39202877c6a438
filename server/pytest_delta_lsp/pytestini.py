"""The few pytest ini values the server must agree with pytest on, read without importing pytest.

Only the root directory's own configuration file is read (the first of the names pytest
looks for that holds a pytest section): the server's root is the workspace folder, which is
pytest's rootdir in the projects this is meant for.
"""

from __future__ import annotations

import configparser
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_delta.engine.files import data_suffixes

from .testfiles import CollectRules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]


@dataclass(frozen=True)
class PytestIni:
    """What the server takes from the project's pytest configuration."""

    rules: CollectRules = field(default_factory=CollectRules)
    delta_file: str | None = None
    #: ``delta_global_files``: more names of files whose change runs every test.
    global_files: tuple[str, ...] = ()
    #: ``delta_data_files``: data file suffixes (None: the engine's default list).
    data_suffixes: tuple[str, ...] | None = None
    #: ``delta_precision`` as written (None: not set); checked by :func:`precision_of`.
    precision: str | None = None
    #: ``--doctest-modules`` in ``addopts``: pytest collects the docstring examples of modules.
    doctest_modules: bool = False
    #: ``usefixtures``: fixtures every test requests unnamed.
    used_fixtures: tuple[str, ...] = ()
    #: The file it came from, for messages (None: no configuration file).
    source: Path | None = None
    #: Why the file could not be read (defaults are used then).
    problem: str | None = None


def _toml(path: Path) -> dict[str, Any]:
    with open(path, "rb") as handle:
        document: dict[str, Any] = tomllib.load(handle)
    return document


def _pytest_table(path: Path) -> Mapping[str, Any] | None:
    table = _toml(path).get("pytest")
    return table if isinstance(table, dict) else {}


def _pyproject(path: Path) -> Mapping[str, Any] | None:
    tool = _toml(path).get("tool", {})
    pytest_table = tool.get("pytest") if isinstance(tool, dict) else None
    if not isinstance(pytest_table, dict):
        return None
    native = {k: v for k, v in pytest_table.items() if k != "ini_options"}
    if native:
        return native
    ini = pytest_table.get("ini_options")
    return ini if isinstance(ini, dict) else None


def _ini_section(section: str, required: bool) -> Callable[[Path], Mapping[str, Any] | None]:
    def load(path: Path) -> Mapping[str, Any] | None:
        parser = configparser.RawConfigParser(strict=False)
        parser.read(path, encoding="utf-8")
        if parser.has_section(section):
            return dict(parser.items(section))
        return {} if required else None

    return load


_LOADERS: tuple[tuple[str, Callable[[Path], Mapping[str, Any] | None]], ...] = (
    ("pytest.toml", _pytest_table),
    (".pytest.toml", _pytest_table),
    ("pytest.ini", _ini_section("pytest", required=True)),
    (".pytest.ini", _ini_section("pytest", required=True)),
    ("pyproject.toml", _pyproject),
    ("tox.ini", _ini_section("pytest", required=False)),
    ("setup.cfg", _ini_section("tool:pytest", required=False)),
)


def _words(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return tuple(shlex.split(value))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _lines(value: Any) -> tuple[str, ...] | None:
    """An ini ``linelist``: one item per line (or a TOML list)."""
    if isinstance(value, str):
        return tuple(line.strip() for line in value.splitlines() if line.strip())
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return None


def _suffixes(value: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Like the plugin's ``delta_data_files``: ``json``, ``.json`` and ``*.json`` mean ``.json``."""
    return None if value is None else data_suffixes(value)


def read_pytest_ini(root: Path) -> PytestIni:
    """The collection rules and ``delta_file`` of the project at ``root``."""
    for name, loader in _LOADERS:
        path = root / name
        if not path.is_file():
            continue
        try:
            values = loader(path)
        except (OSError, ValueError, configparser.Error, UnicodeDecodeError) as exc:
            return PytestIni(source=path, problem=f"cannot read {name}: {exc}")
        if values is None:
            continue
        defaults = CollectRules()
        rules = CollectRules(
            python_files=_words(values.get("python_files")) or defaults.python_files,
            python_classes=_words(values.get("python_classes")) or defaults.python_classes,
            python_functions=_words(values.get("python_functions")) or defaults.python_functions,
            norecursedirs=_words(values.get("norecursedirs")) or defaults.norecursedirs,
            testpaths=_words(values.get("testpaths")) or (),
        )
        delta_file = values.get("delta_file")
        precision = values.get("delta_precision")
        addopts = values.get("addopts")
        opts = " ".join(map(str, addopts)) if isinstance(addopts, list) else str(addopts or "")
        doctests = "--doctest-modules" in opts
        return PytestIni(rules, str(delta_file).strip() if delta_file else None,
                         _lines(values.get("delta_global_files")) or (),
                         _suffixes(_lines(values.get("delta_data_files"))),
                         str(precision).strip() if precision else None, doctests,
                         _words(values.get("usefixtures")) or (), path)
    return PytestIni()
